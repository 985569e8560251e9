from __future__ import annotations

import base64

import pytest

from channels_in.email.parse import UnparseableMail, parse_mail
from tests.channels_in.email.mails import raw, simple

pytestmark = [pytest.mark.embedded]


def _single(charset: str, body: bytes, subject: bytes = b"Test", cte: str = "8bit") -> bytes:
    return raw(
        "From: Sender <sender@example.com>",
        "To: support@desk.example",
        b"Subject: " + subject,
        "Message-ID: <cs@example.com>",
        "MIME-Version: 1.0",
        f"Content-Type: text/plain; charset={charset}",
        f"Content-Transfer-Encoding: {cte}",
        "",
        body,
    )


@pytest.mark.parametrize(
    ("charset", "text"),
    [
        ("windows-1256", "سلام، سفارش من كجاست؟"),
        ("iso-8859-6", "مرحبا بكم في الدعم"),
        ("gb2312", "绩效管理究竟谁错了"),
        ("iso-2022-jp", "ツールのお知らせ"),
        ("utf-7", "Grüße aus München"),
        ("utf-8", "درود بر شما، ممنونم"),
    ],
)
def test_it_decodes_body_charsets(charset: str, text: str) -> None:
    parsed = parse_mail(_single(charset, text.encode(charset)))
    assert parsed.text == text


def test_it_reads_utf8_mislabelled_as_latin1_and_unknown_labels() -> None:
    assert parse_mail(_single("iso-8859-1", "سلام دوست".encode())).text == "سلام دوست"
    assert parse_mail(_single("x-no-such-charset", "Größe".encode())).text == "Größe"
    broken = parse_mail(_single("utf-8", b"caf\xe9 au lait"))  # latin-1 bytes labelled utf-8
    assert broken.text == "café au lait"


def test_it_decodes_rfc2047_subjects_split_mid_character() -> None:
    encoded = base64.b64encode("سلام دوستان".encode()).decode()
    half = len(encoded) // 2 // 4 * 4
    subject = f"=?UTF-8?B?{encoded[:half]}?= =?UTF-8?B?{encoded[half:]}?="
    assert parse_mail(_single("utf-8", b"x", subject.encode())).subject == "سلام دوستان"


def test_it_decodes_raw_8bit_headers_with_the_body_charset() -> None:
    mail = _single("windows-1256", "متن".encode("cp1256"), "موضوع".encode("cp1256"))
    assert parse_mail(mail).subject == "موضوع"


def test_it_decodes_rfc2231_and_rfc2047_file_names() -> None:
    mail = raw(
        "From: a@example.com",
        "Message-ID: <fn@x>",
        'Content-Type: multipart/mixed; boundary="b"',
        "",
        "--b",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "see attached",
        "--b",
        "Content-Type: application/pdf",
        "Content-Disposition: attachment;",
        " filename*=utf-8''%D9%81%D8%A7%DA%A9%D8%AA%D9%88%D8%B1.pdf",
        "Content-Transfer-Encoding: base64",
        "",
        base64.b64encode(b"%PDF-1.4").decode(),
        "--b",
        "Content-Type: text/plain",
        'Content-Disposition: attachment; filename="=?utf-8?B?2LHYs9uM2K8udHh0?="',
        "",
        "receipt",
        "--b--",
    )
    parsed = parse_mail(mail)
    assert [a.name for a in parsed.attachments] == ["فاکتور.pdf", "رسید.txt"]
    assert parsed.attachments[0].data == b"%PDF-1.4"
    assert parsed.text == "see attached"


def test_it_keeps_html_with_a_text_version_and_inline_images_by_content_id() -> None:
    mail = raw(
        "From: a@example.com",
        "Message-ID: <html@x>",
        'Content-Type: multipart/related; boundary="r"',
        "",
        "--r",
        "Content-Type: text/html; charset=utf-8",
        "",
        '<p onclick="x()">Hello <b>there</b><script>alert(1)</script></p><img src="cid:logo@x">',
        "--r",
        "Content-Type: image/png",
        "Content-ID: <logo@x>",
        "Content-Transfer-Encoding: base64",
        "",
        base64.b64encode(b"\x89PNG").decode(),
        "--r--",
    )
    parsed = parse_mail(mail)
    assert parsed.text == "Hello there"
    assert 'src="cid:logo@x"' in parsed.html
    assert parsed.attachments[0].content_id == "<logo@x>"
    from helpdesk.sanitize import sanitize_html

    clean = sanitize_html(parsed.html)
    assert "script" not in clean and "onclick" not in clean and "cid:logo@x" in clean


def test_it_strips_quoted_history_and_keeps_the_full_text() -> None:
    text = (
        "Thanks, it works now.\n\nOn Mon, 2 Jun 2025 at 10:00, Support <s@x> wrote:\n> Try again\n"
    )
    parsed = parse_mail(simple(text=text))
    assert parsed.text == "Thanks, it works now."
    assert "> Try again" in parsed.full_text
    persian = "ممنون.\n\nدر تاریخ ۱۲ خرداد، پشتیبانی نوشت:\n> دوباره امتحان کنید"
    assert parse_mail(simple(text=persian)).text == "ممنون."
    outlook = "Fine.\n\n-----Original Message-----\nFrom: Support\nSent: today\n\nold text"
    assert parse_mail(simple(text=outlook)).text == "Fine."


def test_it_keeps_a_forwarded_message_as_an_eml_attachment() -> None:
    inner = simple(sender="boss@corp.example", subject="Quarterly report", text="Numbers inside")
    mail = raw(
        "From: a@example.com",
        "Message-ID: <fwd@x>",
        "Subject: Fwd: Quarterly report",
        'Content-Type: multipart/mixed; boundary="f"',
        "",
        "--f",
        "Content-Type: message/rfc822",
        "",
        inner,
        "--f--",
    )
    parsed = parse_mail(mail)
    assert parsed.attachments[0].name == "Quarterly report.eml"
    assert b"Numbers inside" in parsed.attachments[0].data
    assert "Numbers inside" in parsed.text
    assert parsed.forwarded[0]["from"] == "boss@corp.example"


def test_it_extracts_threading_hints() -> None:
    mail = simple(
        subject="Re: Order [#42] late",
        headers={"In-Reply-To": "<a@desk>", "References": "<root@c> <a@desk>"},
    )
    parsed = parse_mail(mail)
    assert parsed.in_reply_to == "<a@desk>"
    assert parsed.references == ("<root@c>", "<a@desk>")
    assert parsed.ticket_number == 42
    assert parse_mail(simple(to="support+77@desk.example")).ticket_number == 77


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"Precedence": "junk"},
        {"X-Auto-Response-Suppress": "All"},
        {"List-Unsubscribe": "<mailto:u@list>"},
    ],
)
def test_it_flags_auto_generated_mail(headers: dict[str, str]) -> None:
    assert parse_mail(simple(headers=headers)).auto_generated


def test_it_flags_robot_senders_but_not_people() -> None:
    assert parse_mail(simple(sender="MAILER-DAEMON@mx.example")).auto_generated
    assert parse_mail(simple(sender="no-reply@shop.example")).auto_generated
    assert not parse_mail(simple(headers={"Auto-Submitted": "no"})).auto_generated


def test_it_derives_a_stable_message_id_when_missing() -> None:
    mail = raw("From: a@example.com", "Subject: no id", "", "body")
    first, second = parse_mail(mail), parse_mail(mail)
    assert first.message_id == second.message_id
    assert first.message_id.endswith("@no-message-id.invalid>")


def test_it_refuses_only_mail_without_any_sender() -> None:
    with pytest.raises(UnparseableMail, match="no sender"):
        parse_mail(raw("Subject: who?", "", "body"))
    with pytest.raises(UnparseableMail, match="empty"):
        parse_mail(b"  \r\n")
