from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from knowledge_base.access import can_edit_articles
from knowledge_base.models import (
    Article,
    ArticleAttachment,
    ArticleRevision,
    ArticleVote,
    Category,
)
from knowledge_base.services import save_article


class EditorOnly:
    """Admin pages of the knowledge base follow the editor right, not model perms."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_edit_articles(request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return can_edit_articles(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_edit_articles(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_edit_articles(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_edit_articles(request.user)


@admin.register(Category)
class CategoryAdmin(EditorOnly, admin.ModelAdmin[Category]):
    list_display = ["slug", "name_en", "name_fa", "parent", "position"]
    list_editable = ["position"]
    search_fields = ["slug", "name_en", "name_fa"]


class AttachmentInline(EditorOnly, admin.TabularInline[ArticleAttachment, Article]):
    model = ArticleAttachment
    extra = 0


class RevisionInline(admin.TabularInline[ArticleRevision, Article]):
    model = ArticleRevision
    extra = 0
    can_delete = False
    fields = ["created_at", "editor", "status", "title"]
    readonly_fields = ["created_at", "editor", "status", "title"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(EditorOnly, admin.ModelAdmin[Article]):
    list_display = ["title", "locale", "status", "visibility", "category", "view_count"]
    list_filter = ["locale", "status", "visibility", "category"]
    search_fields = ["title", "slug", "translation_key"]
    filter_horizontal = ["related"]
    inlines = [AttachmentInline, RevisionInline]
    readonly_fields = ["view_count", "helpful_yes", "helpful_no", "published_at"]

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        save_article(obj, editor=request.user)


@admin.register(ArticleVote)
class ArticleVoteAdmin(EditorOnly, admin.ModelAdmin[ArticleVote]):
    list_display = ["article", "helpful", "comment", "created_at"]
    list_filter = ["helpful"]
