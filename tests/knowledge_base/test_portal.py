from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from helpdesk.digits import persian_digits
from helpdesk.models import Message, Ticket
from knowledge_base.models import Article, ArticleRevision, ArticleVote, Category
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

MakeArticle = Callable[..., Article]


def test_it_renders_the_persian_home_right_to_left(
    make_article: MakeArticle, category: Category, django_assert_max_num_queries: Any
) -> None:
    make_article("تغییر رمز عبور", "متن", slug="pw", category=category)
    with django_assert_max_num_queries(4):
        response = Client().get("/help/fa/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fa" dir="rtl">' in html
    assert "حساب کاربری" in html and "تغییر رمز عبور" in html
    assert 'name="viewport"' in html and 'name="description"' in html
    assert 'href="/help/en/"' in html  # the language switch


def test_it_renders_the_english_home_left_to_right(category: Category) -> None:
    html = Client().get("/help/en/").content.decode()
    assert '<html lang="en" dir="ltr">' in html and "Account" in html


def test_it_redirects_the_root_to_a_language() -> None:
    response = Client().get("/help/", HTTP_ACCEPT_LANGUAGE="fa")
    assert response.status_code == 302 and response["Location"] == "/help/fa/"


def test_it_shows_an_article_with_meta_tags_and_counts_the_view(
    make_article: MakeArticle, category: Category
) -> None:
    fa = make_article(
        "ارسال", "**پست** پیشتاز", slug="ship", category=category, translation_key="s"
    )
    make_article("Shipping", "By post", slug="shipping", locale="en", translation_key="s")
    response = Client().get("/help/fa/a/ship/")
    html = response.content.decode()
    assert "<strong>پست</strong>" in html
    assert 'property="og:title" content="ارسال"' in html
    assert 'hreflang="en" href="/help/en/a/shipping/"' in html
    assert 'href="/help/fa/c/account/"' in html
    fa.refresh_from_db()
    assert fa.view_count == 1


def test_it_hides_drafts_and_internal_articles_from_visitors(
    make_article: MakeArticle, agent_a: Any
) -> None:
    make_article("پیش‌نویس", slug="draft", status="draft")
    make_article("داخلی", slug="internal", visibility="internal")
    client = Client()
    assert client.get("/help/fa/a/draft/").status_code == 404
    assert client.get("/help/fa/a/internal/").status_code == 404
    client.force_login(agent_a)
    assert client.get("/help/fa/a/internal/").status_code == 200
    assert client.get("/help/fa/a/draft/").status_code == 404


def test_it_renders_search_results_without_javascript(make_article: MakeArticle) -> None:
    make_article("بازگشت کالا", "هفت روز فرصت دارید", slug="returns")
    html = Client().get("/help/fa/search/", {"q": "بازگشت"}).content.decode()
    assert "<mark>بازگشت</mark>" in html and "/help/fa/a/returns/" in html


def test_it_records_a_helpful_vote_once_per_visitor(make_article: MakeArticle) -> None:
    article = make_article("Refunds", slug="refunds", locale="en")
    client = Client()
    url = "/help/en/a/refunds/vote/"
    client.post(url, {"helpful": "no", "comment": "Too short"})
    client.post(url, {"helpful": "no"})
    vote = ArticleVote.objects.get()
    assert (vote.helpful, vote.comment) == (False, "Too short")
    article.refresh_from_db()
    assert article.helpful_no == 1


def test_it_lists_public_articles_in_the_sitemap(make_article: MakeArticle) -> None:
    make_article("Public", slug="public", locale="en")
    make_article("Draft", slug="draft", locale="en", status="draft")
    response = Client().get("/help/sitemap.xml")
    body = response.content.decode()
    assert response["Content-Type"].startswith("application/xml")
    assert "http://testserver/help/en/a/public/" in body and "/a/draft/" not in body


@pytest.fixture
def webform_inbox(team_a: Any) -> Any:
    return factories.make_inbox(team_a, "webform", name="Help portal")


CONTACT = {
    "name": "Reza",
    "email": "Reza@Example.com",
    "subject": "سفارش نرسید",
    "message": "سفارش ۱۲۳ هنوز نرسیده است.",
}


def test_it_creates_a_ticket_from_the_contact_form(webform_inbox: Any) -> None:
    response = Client().post("/help/fa/contact/", CONTACT)
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert (ticket.inbox_id, ticket.subject) == (webform_inbox.pk, "سفارش نرسید")
    identity = ticket.contact.identities.get()
    assert (identity.kind, identity.address) == ("email", "reza@example.com")
    assert Message.objects.get().text == "سفارش ۱۲۳ هنوز نرسیده است."
    # The confirmation is Persian text: its request number in Persian digits.
    html = response.content.decode()
    assert f"#{persian_digits(str(ticket.number))}" in html
    assert f"#{ticket.number}" not in html


def test_it_refuses_a_contact_post_without_csrf_token(webform_inbox: Any) -> None:
    response = Client(enforce_csrf_checks=True).post("/help/en/contact/", CONTACT)
    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_it_rate_limits_the_contact_form(webform_inbox: Any) -> None:
    client = Client()
    statuses = [
        client.post("/help/en/contact/", CONTACT | {"subject": f"n{i}"}).status_code
        for i in range(6)
    ]
    assert statuses == [200] * 5 + [429]
    assert Ticket.objects.count() == 1  # one customer, threaded into one open ticket
    assert Message.objects.count() == 5


def test_it_drops_a_contact_post_that_fills_the_honeypot(webform_inbox: Any) -> None:
    Client().post("/help/en/contact/", CONTACT | {"website": "http://spam"})
    assert not Ticket.objects.exists()


def test_it_says_the_form_is_unavailable_without_a_webform_inbox(db: None) -> None:
    assert Client().get("/help/en/contact/").status_code == 503


def test_it_refuses_the_editor_to_an_agent_without_the_right(
    agent_a: Any, make_article: MakeArticle
) -> None:
    article = make_article("Refunds", slug="refunds", locale="en")
    client = Client()
    client.force_login(agent_a)
    for url in ["/help/manage/", "/help/manage/new/", f"/help/manage/{article.pk}/"]:
        response = client.get(url)
        assert response.status_code == 403
        assert b"kb-forbidden" in response.content
    response = client.post(f"/help/manage/{article.pk}/", {"title": "Hacked", "locale": "en"})
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title == "Refunds"
    assert Client().get("/help/manage/").status_code == 302  # anonymous: to the login page


def test_it_lets_an_editor_write_and_keeps_revisions(kb_editor: Any, category: Category) -> None:
    client = Client()
    client.force_login(kb_editor)
    form = {
        "title": "Two-factor login",
        "locale": "en",
        "category": category.pk,
        "body": "Use an *app*.\n\n<script>alert(1)</script>",
        "status": "published",
        "visibility": "public",
        "position": 0,
    }
    response = client.post("/help/manage/new/", form)
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.slug == "two-factor-login" and "<em>app</em>" in article.body_html
    assert "<script>" not in article.body_html
    client.post(f"/help/manage/{article.pk}/", form | {"title": "Two-factor sign-in"})
    revisions = list(ArticleRevision.objects.filter(article=article).order_by("id"))
    assert [r.title for r in revisions] == ["Two-factor login", "Two-factor sign-in"]
    assert revisions[0].editor == kb_editor
    assert client.get(f"/help/manage/{article.pk}/").status_code == 200


def test_it_lets_an_admin_edit_without_the_permission(admin_user: Any) -> None:
    client = Client()
    client.force_login(admin_user)
    assert client.get("/help/manage/").status_code == 200
