"""A reproducible corpus of realistic customer mail for the email side-by-side bench.

Half the messages open conversations and half reply to an earlier message of one
(In-Reply-To and References set, "Re: " subject, the parent quoted). English and
Persian, in the encodings real clients send: 7bit and 8bit UTF-8, quoted-printable
and base64 UTF-8, windows-1256 (QP and base64), RFC 2047 subjects and names,
multipart/alternative with HTML, and some PDF / PNG / JPEG attachments.

`write_corpus(dest, count, seed)` writes `NNNNN.eml` files in arrival order and
returns the manifest: for every file its Message-ID, parent, conversation root
and generation (0 for a new conversation, parent's + 1 for a reply).
"""

from __future__ import annotations

import base64
import quopri
import random
import struct
import zlib
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.header import Header
from email.utils import format_datetime, formataddr
from pathlib import Path
from urllib.parse import quote

SUPPORT = "support@bench.example"
START = datetime(2025, 10, 1, 8, 0, tzinfo=UTC)
TEHRAN = timezone(timedelta(hours=3, minutes=30))

EN_FIRST = ["Alice", "Bob", "Carol", "David", "Emma", "Frank", "Grace", "Henry", "Ivy", "Jack"]
EN_LAST = ["Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Walker", "Wright"]
FA_FIRST = ["علی", "مریم", "رضا", "زهرا", "حسین", "فاطمه", "مهدی", "نرگس", "پژمان", "ژاله"]
FA_LAST = ["محمدی", "حسینی", "کریمی", "رضایی", "احمدی", "جعفری", "صادقی", "گودرزی"]
DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "chmail.ir", "example.ir", "acme.co"]
EN_SUBJECTS = [
    "Order #{n} has not arrived yet",
    "Cannot log in to my account",
    "Question about invoice {n}",
    "Refund request for order {n}",
    "The mobile app crashes on start",
    "Please change my shipping address",
    "Damaged item in package {n}",
]
FA_SUBJECTS = [
    "سفارش شماره {n} هنوز نرسیده است",
    "مشکل ورود به حساب کاربری",
    "سوال درباره فاکتور {n}",
    "درخواست بازگشت وجه سفارش {n}",
    "برنامه موبایل هنگام اجرا بسته می‌شود",
    "لطفاً آدرس ارسال را تغییر دهید",
]
EN_LINES = [
    "I placed the order last week and the tracking page still shows nothing.",
    "Could you please check what is going on and let me know?",
    "I have attached the receipt and a screenshot of the error message.",
    "This is the third time I am writing about this, so a quick answer would help.",
    "My account email is the one I am writing from.",
    "The package arrived but one of the items was broken.",
    "Thanks in advance for your help.",
]
FA_LINES = [
    "هفته گذشته سفارش را ثبت کردم ولی صفحه پیگیری هنوز چیزی نشان نمی‌دهد.",
    "لطفاً بررسی کنید و نتیجه را به من اطلاع دهید.",
    "رسید پرداخت و تصویر پیام خطا را پیوست کرده‌ام.",
    "این سومین باری است که در این باره می‌نویسم، لطفاً زودتر پاسخ دهید.",
    "نشانی ایمیل حساب من همین نشانی است که از آن می‌نویسم.",
    "بسته رسید ولی یکی از کالاها شکسته بود.",
    "پیشاپیش از کمک شما سپاسگزارم.",
]
MAILERS = [
    "Microsoft Outlook 16.0",
    "Mozilla Thunderbird 128.3.1",
    "Apple Mail (2.3774.600.62)",
    "Roundcube Webmail/1.6.9",
]


@dataclass(frozen=True, slots=True)
class Entry:
    file: str
    message_id: str
    parent: str | None
    root: str
    generation: int
    persian: bool
    attachments: int


@dataclass(slots=True)
class _Mail:
    message_id: str
    references: list[str]
    subject: str
    persian: bool
    name: str
    address: str
    body: str
    date: datetime
    root: str
    generation: int


def _person(rng: random.Random, persian: bool) -> tuple[str, str]:
    if persian:
        first, last = rng.choice(FA_FIRST), rng.choice(FA_LAST)
        local = f"user{rng.randrange(10_000)}"
    else:
        first, last = rng.choice(EN_FIRST), rng.choice(EN_LAST)
        local = f"{first}.{last}{rng.randrange(100)}".lower()
    return f"{first} {last}", f"{local}@{rng.choice(DOMAINS)}"


def _paragraphs(rng: random.Random, persian: bool, name: str) -> str:
    lines = FA_LINES if persian else EN_LINES
    greet = "سلام،" if persian else "Hello,"
    body = [" ".join(rng.sample(lines, rng.randint(2, 4))) for _ in range(rng.randint(1, 3))]
    thanks = "با سپاس،" if persian else "Best regards,"
    return "\n\n".join([greet, *body, f"{thanks}\n{name}"])


def _quote(parent: _Mail) -> str:
    when = format_datetime(parent.date)
    intro = (
        f"در تاریخ {when}، {parent.name} <{parent.address}> نوشت:"
        if parent.persian
        else f"On {when}, {parent.name} <{parent.address}> wrote:"
    )
    return intro + "\n" + "\n".join(f"> {line}" for line in parent.body.splitlines())


def _png(rng: random.Random) -> bytes:
    w, h = rng.randint(24, 64), rng.randint(24, 64)
    rows = b"".join(b"\x00" + bytes(rng.randrange(256) for _ in range(w * 3)) for _ in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _pdf(rng: random.Random, title: str) -> bytes:
    text = " ".join(f"Line {i}: amount {rng.randint(10, 9999)}.00" for i in range(40))
    stream = f"BT /F1 10 Tf 40 800 Td ({text[:3000]}) Tj ET".encode("latin-1")
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Title ({title}) /Producer (bench) >>".encode("latin-1"),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, obj in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\n" % (len(objs) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _jpeg(rng: random.Random) -> bytes:
    # JPEG-shaped bytes (markers and a JFIF header around noise): neither desk decodes images.
    app0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x48\x00\x48\x00\x00"
    noise = bytes(rng.randrange(256) for _ in range(rng.randint(2_000, 12_000)))
    return b"\xff\xd8" + app0 + noise.replace(b"\xff", b"\xfe") + b"\xff\xd9"


def _fold_q(text: str, charset: str) -> str:
    """RFC 2047 Q-encoded words of at most ~75 characters, folded with CRLF."""
    words = []
    for start in range(0, len(text), 10):
        raw = text[start : start + 10].encode(charset)
        enc = "".join(
            chr(b) if chr(b).isalnum() and b < 128 else "_" if b == 32 else f"={b:02X}" for b in raw
        )
        words.append(f"=?{charset}?Q?{enc}?=")
    return "\r\n ".join(words)


def _subject_header(subject: str, persian: bool, cp1256: bool, reply: bool) -> str:
    prefix = "Re: " if reply else ""
    if not persian:
        return prefix + subject
    if cp1256:
        return prefix + _fold_q(_to_cp1256(subject), "windows-1256")
    return prefix + Header(subject, "utf-8").encode(linesep="\r\n")


def _to_cp1256(text: str) -> str:
    # Windows Persian text uses Arabic yeh: windows-1256 has no Farsi yeh (U+06CC).
    return text.replace("\u06cc", "\u064a")


def _text_part(rng: random.Random, text: str, persian: bool, subtype: str = "plain") -> str:
    if persian:
        charset, cte = rng.choice(
            [
                ("utf-8", "8bit"),
                ("utf-8", "quoted-printable"),
                ("utf-8", "base64"),
                ("windows-1256", "quoted-printable"),
                ("windows-1256", "base64"),
            ]
        )
    else:
        charset, cte = rng.choice([("us-ascii", "7bit"), ("utf-8", "quoted-printable")])
    if charset == "windows-1256":
        text = _to_cp1256(text)
    data = text.replace("\n", "\r\n").encode(charset)
    if cte == "base64":
        body = base64.encodebytes(data).decode("ascii").replace("\n", "\r\n")
    elif cte == "quoted-printable":
        lf = quopri.encodestring(text.encode(charset)).decode("ascii")
        body = lf.replace("\n", "\r\n") + "\r\n"
    else:
        body = data.decode(charset) + "\r\n"
    return (
        f'Content-Type: text/{subtype}; charset="{charset}"\r\n'
        f"Content-Transfer-Encoding: {cte}\r\n\r\n{body}"
    )


def _html(text: str, persian: bool) -> str:
    direction = ' dir="rtl"' if persian else ""
    paras = "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in text.split("\n\n"))
    return f'<html><head><meta charset="utf-8"></head><body{direction}>{paras}</body></html>'


def _attachment(rng: random.Random, persian: bool) -> str:
    kind = rng.choice(["pdf", "png", "jpg"])
    data = {
        "pdf": lambda: _pdf(rng, "invoice"),
        "png": lambda: _png(rng),
        "jpg": lambda: _jpeg(rng),
    }[kind]()
    ctype = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}[kind]
    stem = rng.choice(["فاکتور", "رسید"] if persian else ["invoice", "receipt", "screenshot"])
    name = f"{stem}-{rng.randrange(1000)}.{kind}"
    if persian:
        disp = f"attachment; filename*=utf-8''{quote(name, safe='')}"
    else:
        disp = f'attachment; filename="{name}"'
    body = base64.encodebytes(data).decode("ascii").replace("\n", "\r\n")
    return (
        f"Content-Type: {ctype}\r\nContent-Disposition: {disp}\r\n"
        f"Content-Transfer-Encoding: base64\r\n\r\n{body}"
    )


def _multipart(subtype: str, parts: list[str], rng: random.Random) -> str:
    boundary = f"----=_Part_{rng.randrange(10**9)}_{rng.randrange(10**9)}"
    inner = "".join(f"--{boundary}\r\n{p}\r\n" for p in parts)
    return (
        f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n'
        f"This is a multi-part message in MIME format.\r\n\r\n{inner}--{boundary}--\r\n"
    )


def _body(rng: random.Random, mail: _Mail) -> tuple[str, int]:
    """The MIME entity (its Content-* headers and body) and the number of attachments."""
    if rng.random() < 0.4:
        html = _html(mail.body, mail.persian)
        html_part = (
            'Content-Type: text/html; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n"
            + base64.encodebytes(html.encode()).decode("ascii").replace("\n", "\r\n")
        )
        entity = _multipart(
            "alternative", [_text_part(rng, mail.body, mail.persian), html_part], rng
        )
    else:
        entity = _text_part(rng, mail.body, mail.persian)
    count = 0
    if rng.random() < 0.15:
        count = rng.choice([1, 1, 2])
        extra = [_attachment(rng, mail.persian) for _ in range(count)]
        entity = _multipart("mixed", [entity, *extra], rng)
    return entity, count


def _headers(rng: random.Random, mail: _Mail, cc: str | None, cp1256: bool) -> str:
    domain = mail.address.split("@", 1)[1]
    date = format_datetime(mail.date.astimezone(TEHRAN if mail.persian else UTC))
    relay = f"mail-{rng.randrange(1, 99)}.{domain}"
    sig = base64.b64encode(rng.randbytes(128)).decode()
    lines = [
        f"Return-Path: <{mail.address}>",
        f"Delivered-To: {SUPPORT}",
        f"Received: from {relay} ({relay} [198.51.100.{rng.randrange(1, 254)}])\r\n"
        f"\tby mx.bench.example (Postfix) with ESMTPS id {rng.randrange(16**10):010X}\r\n"
        f"\tfor <{SUPPORT}>; {date}",
        f"Received: by {relay} with SMTP id {rng.randrange(16**12):012x}; {date}",
        f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; s=s1;\r\n"
        f"\th=from:to:subject:date:message-id;\r\n\tb={sig[:70]}\r\n\t{sig[70:]}",
        "MIME-Version: 1.0",
        f"From: {formataddr((mail.name, mail.address), charset='utf-8')}",
        f"To: Support <{SUPPORT}>",
    ]
    if cc:
        lines.append(f"Cc: {cc}")
    lines += [
        f"Subject: {_subject_header(mail.subject, mail.persian, cp1256, mail.generation > 0)}",
        f"Date: {date}",
        f"Message-ID: {mail.message_id}",
    ]
    if mail.references:
        lines.append(f"In-Reply-To: {mail.references[-1]}")
        lines.append("References: " + "\r\n ".join(mail.references))
    lines.append(f"X-Mailer: {rng.choice(MAILERS)}")
    lines.append(f"Content-Language: {'fa-IR' if mail.persian else 'en-US'}")
    return "\r\n".join(lines) + "\r\n"


def _next_mail(rng: random.Random, i: int, date: datetime, parent: _Mail | None) -> _Mail:
    ident = f"<{rng.randrange(16**16):016x}.{i}@mail.bench-client.example>"
    if parent is None:
        persian = rng.random() < 0.4
        name, address = _person(rng, persian)
        template = rng.choice(FA_SUBJECTS if persian else EN_SUBJECTS)
        subject = template.format(n=rng.randrange(10_000, 99_999))
        body = _paragraphs(rng, persian, name)
        return _Mail(ident, [], subject, persian, name, address, body, date, ident, 0)
    persian = parent.persian
    if rng.random() < 0.8:
        name, address = parent.name, parent.address
    else:  # a colleague of the customer joins the thread
        name, local = _person(rng, persian)
        address = f"{local.split('@')[0]}@{parent.address.split('@')[1]}"
    body = _paragraphs(rng, persian, name) + "\n\n" + _quote(parent)
    refs = [*parent.references, parent.message_id][-10:]
    return _Mail(
        ident,
        refs,
        parent.subject,
        persian,
        name,
        address,
        body,
        date,
        parent.root,
        parent.generation + 1,
    )


def write_corpus(dest: Path, count: int, seed: int = 8) -> list[Entry]:
    """Write `count` .eml files into `dest` in arrival order; return the manifest."""
    rng = random.Random(seed)
    dest.mkdir(parents=True, exist_ok=True)
    roots_left, replies_left = count - count // 2, count // 2
    mails: list[_Mail] = []
    manifest: list[Entry] = []
    date = START
    for i in range(count):
        date += timedelta(seconds=rng.randint(20, 900))
        new = (
            not mails
            or replies_left == 0
            or (roots_left > 0 and rng.random() < roots_left / (roots_left + replies_left))
        )
        parent = None if new else rng.choice(mails[-200:])
        mail = _next_mail(rng, i, date, parent)
        roots_left, replies_left = (
            (roots_left - 1, replies_left) if new else (roots_left, replies_left - 1)
        )
        cc = None
        if rng.random() < 0.15:
            cc = formataddr(_person(rng, mail.persian), charset="utf-8")
        cp1256 = mail.persian and rng.random() < 0.3
        entity, attached = _body(rng, mail)
        raw = _headers(rng, mail, cc, cp1256) + entity
        name = f"{i:05d}.eml"
        (dest / name).write_bytes(raw.encode("utf-8"))
        mails.append(mail)
        manifest.append(
            Entry(
                name,
                mail.message_id,
                parent.message_id if parent else None,
                mail.root,
                mail.generation,
                mail.persian,
                attached,
            )
        )
    return manifest


def manifest_json(manifest: list[Entry]) -> list[dict[str, object]]:
    return [asdict(e) for e in manifest]
