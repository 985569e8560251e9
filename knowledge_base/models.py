"""Categories, articles (Markdown, per locale), votes, revisions and attachments."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from knowledge_base.render import plain_text, render_markdown


class Locale(models.TextChoices):
    FA = "fa", _("Persian")
    EN = "en", _("English")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal (agents only)")


class Category(models.Model):
    """A node of the category tree; names in both portal languages."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    slug = models.SlugField(_("slug"), max_length=120, unique=True, allow_unicode=True)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    name_fa = models.CharField(_("name (Persian)"), max_length=150, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_fa = models.TextField(_("description (Persian)"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name_en or self.name_fa or self.slug

    def name(self, locale: str) -> str:
        if locale == Locale.FA:
            return self.name_fa or self.name_en or self.slug
        return self.name_en or self.name_fa or self.slug

    def description(self, locale: str) -> str:
        return self.description_fa if locale == Locale.FA else self.description_en

    def path(self) -> str:
        """Slash-separated slugs from the root, as kb_import/kb_export write them."""
        node: Category | None = self
        slugs: list[str] = []
        while node is not None:
            slugs.append(node.slug)
            node = node.parent
        return "/".join(reversed(slugs))


class Article(models.Model):
    """One article in one locale; translations share a non-empty translation_key."""

    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    locale = models.CharField(_("language"), max_length=5, choices=Locale.choices)
    slug = models.SlugField(_("slug"), max_length=200, allow_unicode=True)
    title = models.CharField(_("title"), max_length=250)
    summary = models.CharField(_("summary"), max_length=400, blank=True)
    body = models.TextField(_("body (Markdown)"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    translation_key = models.CharField(
        _("translation key"),
        max_length=100,
        blank=True,
        db_index=True,
        help_text=_("Articles with the same key are translations of each other."),
    )
    related = models.ManyToManyField("self", blank=True, verbose_name=_("related articles"))
    position = models.PositiveIntegerField(_("position"), default=0)
    # Derived on save (render.py, normalize.py): never edited by hand.
    body_html = models.TextField(editable=False, blank=True)
    body_text = models.TextField(editable=False, blank=True)
    title_norm = models.TextField(editable=False, blank=True)
    body_norm = models.TextField(editable=False, blank=True)
    view_count = models.PositiveIntegerField(default=0, editable=False)
    helpful_yes = models.PositiveIntegerField(default=0, editable=False)
    helpful_no = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["position", "title"]
        constraints = [
            models.UniqueConstraint(fields=["locale", "slug"], name="kb_article_slug_per_locale")
        ]
        indexes = [
            models.Index(fields=["locale", "status", "visibility"], name="kb_article_filter_idx"),
            models.Index(fields=["-view_count"], name="kb_article_popular_idx"),
        ]
        permissions = [("edit_articles", "Can write and publish knowledge-base articles")]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self) -> str:
        return f"{self.title} ({self.locale})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_derived()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            derived = {"body_html", "body_text", "title_norm", "body_norm"}
            kwargs["update_fields"] = set(update_fields) | derived
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("kb:article", args=[self.locale, self.slug])

    def refresh_derived(self) -> None:
        """Render the Markdown and compute the normalized search text."""
        from helpdesk.normalize import index_text

        self.body_html = render_markdown(self.body)
        self.body_text = plain_text(self.body_html)
        self.title_norm = index_text(self.title)
        self.body_norm = index_text(f"{self.summary}\n{self.body_text}")

    @property
    def is_public(self) -> bool:
        return self.status == Status.PUBLISHED and self.visibility == Visibility.PUBLIC

    def translations(self) -> models.QuerySet[Article]:
        if not self.translation_key:
            return Article.objects.none()
        return Article.objects.filter(translation_key=self.translation_key).exclude(pk=self.pk)


class ArticleVote(models.Model):
    """A "was this helpful?" answer, with an optional comment."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    helpful = models.BooleanField(_("helpful"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")

    def __str__(self) -> str:
        return f"{'+' if self.helpful else '-'} {self.article_id}"


class ArticleRevision(models.Model):
    """A snapshot of an article as saved by an editor."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=250)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")

    def __str__(self) -> str:
        return f"{self.article_id} @ {self.created_at:%Y-%m-%d %H:%M}"


def attachment_path(instance: ArticleAttachment, filename: str) -> str:
    return f"kb/{instance.article_id}/{filename}"


class ArticleAttachment(models.Model):
    """An image or file an article links to (Markdown: ![alt](url) or [name](url))."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=200, default="application/octet-stream")
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
