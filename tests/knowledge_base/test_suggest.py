from __future__ import annotations

from collections.abc import Callable

import pytest

from knowledge_base.models import Article
from knowledge_base.suggest import suggest_articles

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def test_it_suggests_articles_for_a_customer_message(make_article: Callable[..., Article]) -> None:
    make_article("پیگیری سفارش", "کد رهگیری مرسوله را وارد کنید.", slug="track", summary="خلاصه")
    make_article("بازگشت وجه", "وجه ظرف سه روز برمی‌گردد.", slug="refund")
    found = suggest_articles("سلام، سفارشم كجاست؟ كد رهگيري ندارم", "fa", 3)
    assert [s.slug for s in found][0] == "track"
    assert found[0].url == "/help/fa/a/track/" and found[0].summary == "خلاصه"
    assert "<mark>" in found[0].snippet


def test_it_falls_back_to_the_other_language(make_article: Callable[..., Article]) -> None:
    make_article("Refund policy", "", slug="refund", locale="en")
    assert [s.locale for s in suggest_articles("refund please", "fa")] == ["en"]


def test_it_leaves_internal_articles_out_unless_asked(make_article: Callable[..., Article]) -> None:
    make_article("Refund macro", "", slug="macro", locale="en", visibility="internal")
    assert suggest_articles("refund", "en") == []
    assert [s.slug for s in suggest_articles("refund", "en", include_internal=True)] == ["macro"]
