"""Why a reply was not delivered, in the agent's language.

Senders record their error as English text for the log and the API
(`Message.delivery_error`); the timeline shows one of these translated reasons
and keeps the raw text in a details box. Unknown texts get the general reason.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _


def _reasons() -> list[tuple[re.Pattern[str], str]]:
    # Evaluated per call: the texts follow the active language.
    return [
        (
            re.compile(r"no SMTP server|no Telegram bot configured"),
            _("This channel is not set up to send yet (no server or bot configured)."),
        ),
        (
            re.compile(r"rejected the bot token"),
            _("The Telegram bot token was rejected: update it in the settings."),
        ),
        (re.compile(r"^SMTP server refused"), _("The mail server refused the message.")),
        (
            re.compile(r"connection lost|could not be reached|rate limit", re.I),
            _("The server could not be reached; it will be tried again."),
        ),
        (
            re.compile(r"has no (email|\w+) address|no chat with this bot|no live-chat visitor"),
            _("The customer cannot be reached on this channel: reply on another one."),
        ),
        (
            re.compile(r"phone ticket cannot receive"),
            _("A phone ticket cannot get a written reply: call back or use another channel."),
        ),
        (
            re.compile(r"automatic mail|automatic mails"),
            _("Automatic mail is not sent to this address."),
        ),
        (re.compile(r"MB; |send files up to"), _("An attachment is too large for this channel.")),
        (re.compile(r"^Telegram refused"), _("Telegram refused the message.")),
        (
            re.compile(r"^internal error|did not load"),
            _("An internal error stopped the sending; it will be tried again."),
        ),
    ]


def delivery_reason(raw: str) -> str:
    """The translated reason for a sender's raw error text."""
    for pattern, reason in _reasons():
        if pattern.search(raw):
            return reason
    return _("The channel reported an error.")
