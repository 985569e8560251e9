"""The pure translation of captured updates, and outbound text formatting."""

from __future__ import annotations

import pytest

from channels_in.telegram.format import html_to_telegram, split_text, telegram_chunks
from channels_in.telegram.links import make_payload, verify_payload
from channels_in.telegram.parse import (
    Ignored,
    Incoming,
    MemberChange,
    StartCommand,
    load_update,
    parse_update,
)
from channels_in.telegram.shape import MalformedUpdate
from tests.channels_in.telegram.conftest import load_update as fixture

pytestmark = [pytest.mark.embedded]


def _parse(name: str, **changes: object) -> object:
    return parse_update(load_update(fixture(name, **changes)), inbox_id=1)


def test_it_translates_a_text_message() -> None:
    parsed = _parse("text_message")
    assert isinstance(parsed, Incoming)
    msg = parsed.message
    assert (msg.external_id, msg.sender.address, msg.sender.display_name) == (
        "111222333:11",
        "111222333",
        "Reza Karimi",
    )
    assert msg.meta["telegram_chat_id"] == 111222333 and msg.language == "fa"
    assert msg.html == "" and msg.meta["telegram_message_id"] == 11


def test_it_picks_the_largest_photo_within_the_limit(settings: object) -> None:
    parsed = _parse("photo")
    assert isinstance(parsed, Incoming)
    (media,) = parsed.media
    assert media.file_id == "AgACAgQAAxkBAAIBlarge"
    assert parsed.message.html == '<div dir="auto">The box <b>arrived</b> damaged</div>'


def test_it_recognises_start_links_edits_and_blocks() -> None:
    start = _parse("start_deep_link", text="/start c12_abc")
    assert isinstance(start, StartCommand) and start.payload == "c12_abc"
    edit = _parse("edited_message")
    assert isinstance(edit, Incoming) and edit.edited and edit.edit_date == 1735690000
    blocked = _parse("my_chat_member_kicked")
    assert isinstance(blocked, MemberChange) and blocked.blocked
    assert isinstance(_parse("group_message"), Ignored)
    assert isinstance(_parse("channel_post"), Ignored)


def test_it_rejects_what_is_not_an_update() -> None:
    bad_bodies: list[object] = [{"message": {}}, [], {"update_id": "1"}, "text"]
    for bad in bad_bodies:
        with pytest.raises(MalformedUpdate):
            load_update(bad)


def test_it_signs_deep_links_per_inbox(settings: object) -> None:
    payload = make_payload(3, contact_id=42)
    assert len(payload) <= 64 and payload.replace("_", "").replace("-", "").isalnum()
    assert verify_payload(3, payload) is not None
    assert verify_payload(3, payload).contact_id == 42  # type: ignore[union-attr]
    assert verify_payload(4, payload) is None  # another bot's link
    assert verify_payload(3, payload.replace("c42", "c43")) is None


def test_it_splits_text_on_word_boundaries() -> None:
    words = "word " * 2000
    chunks = split_text(words, limit=100)
    assert all(len(c) <= 100 for c in chunks)
    assert " ".join(chunks) == words.strip()
    emoji = "😀" * 3000  # two UTF-16 units each
    assert [len(c) for c in split_text(emoji)] == [2048, 952]


def test_it_converts_desk_html_to_telegram_html() -> None:
    rich, visible = html_to_telegram("<ul><li>one &amp; <b>two</b></li></ul><img src=x>")
    assert rich == "• one &amp; <b>two</b>" and visible == "• one & two"
    assert telegram_chunks("a <b>", "") == ["a &lt;b&gt;"]
