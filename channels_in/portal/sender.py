"""An agent's reply on a portal ticket: shown in the portal, announced by mail.

The mail says a reply is waiting and carries a signed link that opens the ticket
directly (channels_in.portal.signin.ticket_token); it leaves from a team's
mailbox through the channel registry. A contact with no email address, or a desk
with no mailbox, still has the reply in the portal: that is not a failure.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from channels_in.portal import signin
from helpdesk.channels import SendResult
from helpdesk.models import Message
from helpdesk.surveys.prompt import language_for


def notification_text(message: Message, url: str) -> tuple[str, str]:
    """(subject, text) of the mail telling the customer a reply is waiting."""
    ticket = message.ticket
    subject = _("New reply to your request #%(number)s") % {"number": ticket.pk}
    lines = [
        _("There is a new reply to your request “%(subject)s”.") % {"subject": ticket.subject},
        "",
        _("Read it and answer in the help center:"),
        url,
    ]
    return subject, "\n".join(lines) + "\n"


def open_url(message: Message, language: str) -> str:
    """The signed link that signs the ticket's contact in and opens the ticket."""
    ticket = message.ticket
    token = signin.ticket_token(ticket.contact.resolve().pk, ticket.pk)
    return signin.public_url(reverse("portal:open", args=[language, token]))


class PortalSender:
    """helpdesk.channels.Sender for channel `portal` (and its TicketLinker)."""

    def ticket_link(self, message: Message, language: str) -> str | None:
        """The ticket's signed portal link, for other channels' mails
        (helpdesk.channels.TicketLinker); None unless PUBLIC_BASE_URL is set, since
        a link relative to nothing opens nothing in a mail client."""
        if not signin.public_url("").startswith(("https://", "http://")):
            return None
        return open_url(message, "fa" if language == "fa" else "en")

    def send(self, message: Message) -> SendResult:
        """Mail the ticket's contact a signed link to the reply (the portal shows it)."""
        ticket = message.ticket
        contact = ticket.contact.resolve()
        address = signin.email_of(contact)
        if address is None:
            return SendResult(external_id=f"portal:{message.pk}")
        language = language_for(contact.language)
        url = open_url(message, language)
        with translation.override(language):
            subject, text = notification_text(message, url)
        mailed = signin.send_mail(contact, address, subject, text)
        return SendResult(external_id=f"portal:{message.pk}:{'mailed' if mailed else 'shown'}")
