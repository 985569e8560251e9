"""A logging filter that keeps credentials out of log lines (docs/security.md).

Django's `django.request` logger writes the request path ("Bad Request:
/api/v1/cti/<token>"), and libraries may log an Authorization header. The
filter rewrites the formatted message before any handler sees it: bearer/basic
credentials, the desk's API tokens (`hd_...`), Telegram bot tokens, and the
path segment after each prefix in `HELPDESK_LOG_REDACT_PATHS` (URLs whose path
is itself a secret: the CTI endpoint, the widget's signed file links).
"""

from __future__ import annotations

import logging
import re
from functools import cache

from django.conf import settings

REDACTED = "[redacted]"

_FIXED = (
    (re.compile(r"\b(Bearer|Basic|Token|Digest)\s+[^\s'\",;]+", re.IGNORECASE), rf"\1 {REDACTED}"),
    (re.compile(r"\bhd_[A-Za-z0-9_-]{6,}"), f"hd_{REDACTED}"),
    (re.compile(r"\bbot\d{3,}:[A-Za-z0-9_-]{20,}"), f"bot{REDACTED}"),
)


@cache
def _path_patterns(prefixes: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile("(" + re.escape(p) + r")[^\s/?#'\"]+") for p in prefixes)


def redact(text: str) -> str:
    """The text with every credential the desk knows the shape of replaced."""
    for pattern, replacement in _FIXED:
        text = pattern.sub(replacement, text)
    prefixes = tuple(getattr(settings, "HELPDESK_LOG_REDACT_PATHS", ()))
    for pattern in _path_patterns(prefixes):
        text = pattern.sub(rf"\1{REDACTED}", text)
    return text


class RedactSecrets(logging.Filter):
    """Rewrite a record's message (and exception text) without credentials; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # a malformed record is logging's own problem to report
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
