"""The public FAQ portal (/help/) and the article editor (/help/manage/)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path, register_converter

from knowledge_base.views import editor, portal


class LocaleConverter:
    regex = "fa|en"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(LocaleConverter, "kblocale")

app_name = "kb"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", portal.root, name="root"),
    path("sitemap.xml", portal.sitemap, name="sitemap"),
    path("manage/", editor.article_list, name="manage"),
    path("manage/new/", editor.article_edit, name="manage_new"),
    path("manage/<int:pk>/", editor.article_edit, name="manage_edit"),
    path("<kblocale:locale>/", portal.home, name="home"),
    path("<kblocale:locale>/search/", portal.search, name="search"),
    path("<kblocale:locale>/c/<str:slug>/", portal.category, name="category"),
    path("<kblocale:locale>/a/<str:slug>/", portal.article, name="article"),
    path("<kblocale:locale>/a/<str:slug>/vote/", portal.vote, name="vote"),
]
