"""Article editing for admins and agents with the editor right (/help/manage/)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from helpdesk.staff.access import agent_of, is_admin
from helpdesk.staff.decorators import no_profile_response
from knowledge_base.access import can_edit_articles
from knowledge_base.forms import ArticleForm
from knowledge_base.models import Article, ArticleAttachment
from knowledge_base.services import save_article

type View = Callable[..., HttpResponse]


def editor_required(view: View) -> View:
    """Anonymous visitors go to the login page; signed-in non-editors get a 403 page
    (the no-profile page for a user who is not an agent, as on every agent page)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if agent_of(request.user) is None and not is_admin(request.user):
            return no_profile_response(request)
        if not can_edit_articles(request.user):
            return render(request, "knowledge_base/manage/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


@editor_required
@require_http_methods(["GET"])
def article_list(request: HttpRequest) -> HttpResponse:
    articles = Article.objects.select_related("category").order_by("-updated_at")
    locale = request.GET.get("locale", "")
    if locale:
        articles = articles.filter(locale=locale)
    return render(
        request,
        "knowledge_base/manage/list.html",
        {"articles": articles[:200], "locale": locale},
    )


@editor_required
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk) if pk is not None else Article()
    form = ArticleForm(request.POST or None, request.FILES or None, instance=article)
    if request.method == "POST" and form.is_valid():
        saved = save_article(form.save(commit=False), editor=request.user)
        form.save_m2m()
        upload = form.cleaned_data.get("attachment")
        if upload:
            _attach(saved, upload)
        return redirect("kb:manage_edit", pk=saved.pk)
    context = {
        "form": form,
        "article": article if article.pk else None,
        "revisions": list(article.revisions.select_related("editor")[:20]) if article.pk else [],
        "attachments": list(article.attachments.all()) if article.pk else [],
    }
    return render(request, "knowledge_base/manage/edit.html", context)


def _attach(article: Article, upload: UploadedFile[bytes]) -> ArticleAttachment:
    item = ArticleAttachment(
        article=article,
        name=(upload.name or "file")[:255],
        content_type=upload.content_type or "application/octet-stream",
        size=upload.size or 0,
    )
    item.file.save(item.name, upload, save=False)
    item.save()
    return item
