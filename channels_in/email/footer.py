"""The last line of an agent's reply mail: a link that opens the ticket in the
customer portal, when one is installed (helpdesk.channels.TicketLinker).

The email channel imports no portal: the link comes through the channel
registry, and with no portal installed the mail has no footer.
"""

from __future__ import annotations

import html
import re

from django.utils import translation
from django.utils.translation import gettext as _

from helpdesk import channels
from helpdesk.models import Message

_PERSIAN = re.compile(r"[\u0600-\u06ff]")


def mail_language(message: Message) -> str:
    """The ticket's language: its contact's, else Persian when the reply is written in it."""
    spoken = (message.ticket.contact.language or "").lower()
    if spoken:
        return "fa" if spoken.startswith("fa") else "en"
    return "fa" if _PERSIAN.search(message.text or "") else "en"


def portal_footer(message: Message) -> tuple[str, str] | None:
    """(text, HTML) of the footer with the ticket's signed portal link, or None."""
    language = mail_language(message)
    url = channels.ticket_link(message, language)
    if not url:
        return None
    with translation.override(language):
        sentence = _("See this request and answer it in the help center:")
    direction = "rtl" if language == "fa" else "ltr"
    text = f"\n\n-- \n{sentence}\n{url}\n"  # "-- ": the signature separator
    markup = (
        f'<hr><p dir="{direction}" style="font-size:small">{html.escape(sentence)} '
        f'<a href="{html.escape(url)}">{html.escape(url)}</a></p>'
    )
    return text, markup
