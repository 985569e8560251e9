"""Email parser conformance against Zammad's mail corpus (../shared/data/zammad-mail).

Runs every `mailNNN.box` through channels_in.email.parse and compares, per field,
with Zammad's expected `mailNNN.yml`. Comparison is fair, not byte for byte:
whitespace is collapsed, HTML bodies are compared as text, addresses
case-insensitively, attachments by content or by name (Zammad renames
duplicate names and drops its own "message.html" alternative copies).

    .venv/bin/python bench/mail_conformance.py [--verbose] [DATA_DIR]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import re
import sys
import unicodedata
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

FIELDS = ("from", "to", "cc", "subject", "body", "attachments")


class _Loader(yaml.SafeLoader):
    """Safe YAML that reads Ruby-tagged hashes (ActiveSupport) as plain mappings."""


def _ruby(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


def _binary(loader: yaml.SafeLoader, node: yaml.Node) -> bytes:
    return base64.b64decode(str(loader.construct_scalar(node)))  # type: ignore[arg-type]


_Loader.add_multi_constructor("!ruby/", _ruby)
_Loader.add_constructor("!binary", _binary)  # Ruby's local tag for base64 data
_Loader.add_constructor(None, lambda loader, node: _ruby(loader, "", node))  # type: ignore[arg-type]


def _squash(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\xa0", " ").replace("\u200b", "")
    return re.sub(r"\s+", " ", text).strip()


def _emails(value: str) -> set[str]:
    return {m.lower() for m in re.findall(r"[^\s<>\"',;:()]+@[^\s<>\"',;:()]+", value or "")}


def _body_text(markup: str, is_html: bool) -> str:
    from channels_in.email.text import html_to_text

    return _squash(html_to_text(markup) if is_html else markup)


def _expected_body(expected: dict[str, Any], is_html: bool) -> str:
    body = _body_text(str(expected.get("body") or ""), is_html)
    # Zammad writes a placeholder where a mail has no body; we store an empty text.
    return "" if body == "no visible content" else body


def _similar(a: str, b: str) -> bool:
    if a == b:
        return True
    a, b = a[:4000], b[:4000]
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return matcher.quick_ratio() >= 0.95 and matcher.ratio() >= 0.95


def _digest(data: Any) -> str:
    raw = data if isinstance(data, bytes) else str(data or "").encode("utf-8")
    return hashlib.sha256(raw).hexdigest()


def _expected_attachments(expected: dict[str, Any]) -> list[dict[str, Any]]:
    keep = []
    for item in expected.get("attachments") or []:
        prefs = item.get("preferences") or {}
        if prefs.get("content-alternative") or prefs.get("original-format"):
            continue  # Zammad's own copy of the HTML body, not an attachment of the mail
        keep.append(item)
    return keep


def compare(parsed: Any, expected: dict[str, Any]) -> dict[str, bool]:
    """Per-field agreement of one parsed mail with Zammad's expectation."""
    is_html = expected.get("content_type") == "text/html"
    ours_body = parsed.full_text or parsed.text
    if is_html and (parsed.full_html or parsed.html):
        ours_body = _body_text(parsed.full_html or parsed.html, True)
    ours_to = {a.lower() for _, a in parsed.to}
    ours_cc = {a.lower() for _, a in parsed.cc}
    want = _expected_attachments(expected)
    got_digests = Counter(_digest(a.read()) for a in parsed.attachments)
    got_names = Counter(unicodedata.normalize("NFC", a.name) for a in parsed.attachments)
    attachments_ok = len(want) == len(parsed.attachments) and all(
        got_digests[_digest(w.get("data"))]
        or got_names[unicodedata.normalize("NFC", str(w.get("filename")))]
        for w in want
    )
    return {
        "from": parsed.from_address.lower() == str(expected.get("from_email") or "").lower(),
        "to": ours_to == _emails(str(expected.get("to") or "")),
        "cc": ours_cc == _emails(str(expected.get("cc") or "")),
        "subject": _squash(parsed.subject) == _squash(str(expected.get("subject") or "")),
        "body": _similar(_squash(ours_body), _expected_body(expected, is_html)),
        "attachments": attachments_ok,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=str(ROOT.parent / "shared/data/zammad-mail"))
    parser.add_argument("--verbose", action="store_true", help="list every disagreement")
    args = parser.parse_args()
    data = Path(args.data)
    boxes = sorted(data.glob("*.box")) if data.is_dir() else []
    if not boxes:
        print(f"ABSENT: no *.box files in {data}; the conformance run needs that data set")
        return 2
    import django

    django.setup()
    from channels_in.email.parse import UnparseableMail, parse_mail

    agree: Counter[str] = Counter()
    crashes: list[str] = []
    refused: list[str] = []
    compared = 0
    for box in boxes:
        yml = box.with_suffix(".yml")
        try:
            parsed = parse_mail(box.read_bytes())
        except UnparseableMail as exc:  # would go to the quarantine: kept, not lost
            refused.append(f"{box.name}: {exc}")
            continue
        except Exception as exc:  # noqa: BLE001 - a crash is what this script counts
            crashes.append(f"{box.name}: {type(exc).__name__}: {exc}")
            continue
        try:
            if not yml.exists():
                continue
            expected = yaml.load(yml.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506
            compared += 1
            for name, ok in compare(parsed, expected).items():
                agree[name] += ok
                if not ok and args.verbose:
                    print(f"  {box.name}: {name} differs")
        finally:
            parsed.discard_files()  # large attachments spooled to temporary files
    print(
        f"mails: {len(boxes)}, compared: {compared}, crashes: {len(crashes)}, "
        f"quarantined (kept, not lost): {len(refused)}, lost: 0"
    )
    for name in FIELDS:
        print(
            f"{name:12} {agree[name]:4}/{compared}  ({100 * agree[name] / max(compared, 1):.1f}%)"
        )
    for line in crashes + refused:
        print("  " + line)
    return 1 if crashes else 0


if __name__ == "__main__":
    raise SystemExit(main())
