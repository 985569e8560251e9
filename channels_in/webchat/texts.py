"""What the widget shows in words, in the visitor's language (from the desk's catalogue)."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from channels_in.webchat import prechat
from channels_in.webchat.models import WebchatConfig, WidgetLanguage
from helpdesk.digits import persian_digits

LANGUAGES = ("fa", "en")
RTL = {"fa"}


def widget_language(config: WebchatConfig, requested: str | None) -> str:
    """The inbox's fixed language, else the page's (fa or en), else English."""
    if config.language != WidgetLanguage.AUTO:
        return str(config.language)
    code = (requested or "").lower().split("-")[0]
    return code if code in LANGUAGES else "en"


def reply_time(minutes: int) -> str:
    if minutes < 60:
        return ngettext(
            "We usually reply within %(count)d minute.",
            "We usually reply within %(count)d minutes.",
            minutes,
        ) % {"count": minutes}
    if minutes < 48 * 60:
        hours = round(minutes / 60)
        return ngettext(
            "We usually reply within %(count)d hour.",
            "We usually reply within %(count)d hours.",
            hours,
        ) % {"count": hours}
    days = round(minutes / 1440)
    return ngettext(
        "We usually reply within %(count)d day.",
        "We usually reply within %(count)d days.",
        days,
    ) % {"count": days}


def _digits(text: str, language: str) -> str:
    return persian_digits(text) if language == "fa" else text


def _strings() -> dict[str, str]:
    return {
        "open": _("Chat with us"),
        "close": _("Close"),
        "placeholder": _("Write a message…"),
        "send": _("Send"),
        "previous": _("Your previous conversations"),
        "attach": _("Attach a file"),
        "sending": _("Sending…"),
        "sent": _("Sent"),
        "delivered": _("Delivered"),
        "failed": _("Not sent. Tap to retry."),
        "typing": _("%(name)s is typing…"),
        "agent": _("Support"),
        "you": _("You"),
        "prechat_title": _("Before we start, how can we reach you?"),
        "name": _("Your name"),
        "email": _("Your email"),
        "start": _("Start the chat"),
        "bad_email": _("Please enter a valid email address."),
        "offline_title": _("We are away right now."),
        "too_large": _("The file is larger than the %(limit)s limit."),
        "rate_limited": _("You are sending messages too quickly. Please wait a moment."),
        "too_many_conversations": _(
            "This chat is receiving too many new conversations. Please try again later."
        ),
        "upload_limited": _("Too many files were sent. Please try again later."),
        "error": _("Something went wrong. Please try again."),
        "reconnecting": _("Reconnecting…"),
        "unavailable": _("This chat is not available on this site."),
    }


def widget_settings(config: WebchatConfig, language: str) -> dict[str, Any]:
    """Everything the widget needs before its socket opens: texts, limits, direction."""
    with translation.override(language):
        return {
            "language": language,
            "dir": "rtl" if language in RTL else "ltr",
            "title": config.title or config.inbox.name,
            "greeting": config.greeting or _("Hi! How can we help you today?"),
            "prechat_form": config.prechat_form,
            "prechat_fields": prechat.widget_questions(config, language),
            "attachment_max_bytes": config.attachment_limit(),
            "offline": {
                # The title already says no one is here: the default only says what to do.
                "message": config.offline_message or _("Leave a message and we will answer here."),
                "reply_time": _digits(reply_time(config.expected_reply_minutes), language),
            },
            "strings": _strings(),
            # The desk's customer portal, when one is installed (a URL name, not an
            # import): identified visitors get a link to their previous conversations.
            "portal_url": _portal_url(language),
        }


def _portal_url(language: str) -> str | None:
    try:
        return reverse("portal:home", args=[language])
    except NoReverseMatch:
        return None
