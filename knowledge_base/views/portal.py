"""The public FAQ portal: /help/<locale>/ home, categories, articles, search, sitemap."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET, require_POST

from knowledge_base.forms import VoteForm
from knowledge_base.models import Article, Category, Locale, Status, Visibility
from knowledge_base.search import Audience, search_articles
from knowledge_base.services import record_view, record_vote
from knowledge_base.views.common import (
    LOCALES,
    public_articles,
    render_portal,
    visible_articles,
)

_VOTED = "kb_voted"


@require_GET
def root(request: HttpRequest) -> HttpResponse:
    language = translation.get_language_from_request(request)
    return redirect("kb:home", locale=language if language in LOCALES else Locale.EN)


@require_GET
def home(request: HttpRequest, locale: str) -> HttpResponse:
    published = Q(articles__locale=locale, articles__status=Status.PUBLISHED) & Q(
        articles__visibility=Visibility.PUBLIC
    )
    categories = list(
        Category.objects.filter(parent__isnull=True)
        .annotate(article_count=Count("articles", filter=published))
        .prefetch_related("children")
    )
    popular = list(public_articles(locale).order_by("-view_count", "title")[:8])
    return render_portal(
        request, locale, "knowledge_base/home.html", {"categories": categories, "popular": popular}
    )


@require_GET
def category(request: HttpRequest, locale: str, slug: str) -> HttpResponse:
    node = get_object_or_404(Category.objects.select_related("parent"), slug=slug)
    articles = list(visible_articles(request, locale).filter(category=node))
    crumbs: list[Category] = []
    parent = node.parent
    while parent is not None:
        crumbs.insert(0, parent)
        parent = parent.parent
    context = {
        "category": node,
        "children": list(node.children.all()),
        "articles": articles,
        "crumbs": crumbs,
    }
    return render_portal(request, locale, "knowledge_base/category.html", context)


@require_GET
def article(request: HttpRequest, locale: str, slug: str) -> HttpResponse:
    item = get_object_or_404(
        visible_articles(request, locale).select_related("category"), slug=slug
    )
    if request.user.is_anonymous or not request.user.is_staff:
        record_view(item)
    translations = list(item.translations().filter(status=Status.PUBLISHED))
    switch = next((t for t in translations if t.locale != locale), None)
    related = visible_articles(request, locale).filter(related=item)
    context = {
        "article": item,
        "related": list(related[:6]),
        "translations": translations,
        "attachments": [a for a in item.attachments.all() if not a.is_image],
        "vote_form": VoteForm(),
        "voted": item.pk in request.session.get(_VOTED, []),
        "switch_url": switch.get_absolute_url() if switch else None,
    }
    return render_portal(request, locale, "knowledge_base/article.html", context)


@require_POST
def vote(request: HttpRequest, locale: str, slug: str) -> HttpResponse:
    item = get_object_or_404(visible_articles(request, locale), slug=slug)
    form = VoteForm(request.POST)
    voted: list[int] = request.session.get(_VOTED, [])
    if form.is_valid() and item.pk not in voted:
        record_vote(
            item,
            helpful=form.cleaned_data["helpful"] == "yes",
            comment=form.cleaned_data["comment"],
        )
        request.session[_VOTED] = [*voted[-200:], item.pk]
    return HttpResponseRedirect(item.get_absolute_url() + "#feedback")


@require_GET
def search(request: HttpRequest, locale: str) -> HttpResponse:
    q = request.GET.get("q", "")[:500]
    hits = search_articles(q, locale=locale, limit=20, audience=Audience.PUBLIC) if q else []
    return render_portal(request, locale, "knowledge_base/search.html", {"q": q, "hits": hits})


@require_GET
def sitemap(request: HttpRequest) -> HttpResponse:
    base = request.build_absolute_uri("/").rstrip("/")
    urls = [f"{base}{reverse('kb:home', args=[loc])}" for loc in LOCALES]
    for loc in LOCALES:
        urls += [
            f"{base}{reverse('kb:category', args=[loc, slug])}"
            for slug in Category.objects.values_list("slug", flat=True)
        ]
    rows = Article.objects.filter(status=Status.PUBLISHED, visibility=Visibility.PUBLIC)
    entries = [
        (f"{base}{reverse('kb:article', args=[loc, slug])}", updated)
        for loc, slug, updated in rows.values_list("locale", "slug", "updated_at")
    ]
    body = render_to_string("knowledge_base/sitemap.xml", {"urls": urls, "entries": entries})
    return HttpResponse(body, content_type="application/xml; charset=utf-8")
