"""Outbound email: agent replies and automatic mail over the inbox's SMTP server."""

from __future__ import annotations

import hashlib
import html
import re
import smtplib
from datetime import timedelta
from email import policy, utils
from email.message import EmailMessage

from django.utils import timezone

from channels_in.email.channel import KIND
from channels_in.email.footer import portal_footer
from channels_in.email.headers import is_robot_address
from channels_in.email.models import MailboxConfig
from channels_in.email.transport import describe_network_error, smtp_connect
from helpdesk import identities
from helpdesk.channels import DeliveryError, NotConnected, SendResult
from helpdesk.models import AuthorKind, DeliveryStatus, Direction, Message

_REFERENCES_KEPT = 20
_RE_PREFIX = re.compile(r"^\s*((re|aw|fw|fwd|wg|sv|پاسخ)\s*:\s*)+", re.I)


class EmailSender:
    """Delivers an outbound Message by SMTP with threading headers (helpdesk.channels.Sender)."""

    def send(self, message: Message) -> SendResult:
        """Send `message` to the ticket's customer; raise DeliveryError on failure."""
        config = MailboxConfig.objects.filter(inbox_id=message.inbox_id).first()
        if config is None or not config.smtp_host or not config.from_address:
            raise NotConnected("this email inbox has no SMTP server or from address configured")
        recipient, thread = _addressing(message)
        if not recipient:
            raise DeliveryError("the customer has no email address", permanent=True)
        if message.author_kind == AuthorKind.SYSTEM:
            _check_automatic(config, message, recipient)
        mail = build_mail(config, message, recipient, thread)
        deliver(config, mail, recipient)
        return SendResult(external_id=str(mail["Message-ID"]))

    def planned_external_id(self, message: Message) -> str | None:
        """The Message-ID `send` will give the mail (helpdesk.channels.PlansExternalId).

        Deterministic per message, so it is stored before the send: a mail a crashed
        worker may have sent keeps its id, and a resend carries the same one.
        """
        config = MailboxConfig.objects.filter(inbox_id=message.inbox_id).first()
        if config is None or not config.from_address:
            return None
        return message_id_for(message, config.from_address.rsplit("@", 1)[-1])

    def send_copy(self, message: Message, address: str) -> bool:
        """Mail a reply written on another channel from the team's mailbox.

        The subject carries the ticket token, so the customer's answer by email
        threads back into the same ticket. False when the team has no mailbox
        that can send; a refusal raises DeliveryError (the caller logs it).
        """
        config = team_mailbox(message.ticket.team_id)
        if config is None:
            return False
        deliver(config, build_mail(config, message, address, []), address)
        return True

    def send_staff_mail(self, team_id: int, address: str, subject: str, text: str) -> bool:
        """Mail one of the desk's agents from the team's mailbox (their notifications).

        helpdesk.notifications.mail.StaffMailer; False when the team has no mailbox
        that can send, DeliveryError when the server refuses.
        """
        config = team_mailbox(team_id)
        if config is None:
            return False
        domain = config.from_address.rsplit("@", 1)[-1]
        mail = EmailMessage(policy=policy.SMTP)
        mail["From"] = utils.formataddr((config.from_name, config.from_address))
        mail["To"] = address
        mail["Subject"] = subject
        mail["Date"] = utils.format_datetime(timezone.now())
        mail["Message-ID"] = utils.make_msgid("hd.notice", domain=domain)
        mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: nobody should answer it
        mail.set_content(text, charset="utf-8")
        mail.add_alternative(text_to_html(text), subtype="html", charset="utf-8")
        deliver(config, mail, address)
        return True


def team_mailbox(team_id: int | None) -> MailboxConfig | None:
    """The oldest enabled mailbox of the team that has an SMTP server and a from address."""
    if team_id is None:
        return None
    return (
        MailboxConfig.objects.filter(inbox__team_id=team_id, inbox__kind=KIND, inbox__enabled=True)
        .exclude(smtp_host="")
        .exclude(from_address="")
        .order_by("inbox_id")
        .first()
    )


def _addressing(message: Message) -> tuple[str, list[Message]]:
    """(recipient, earlier messages of the thread that have a Message-ID)."""
    thread = list(
        Message.objects.filter(ticket_id=message.ticket_id, id__lt=message.pk)
        .exclude(external_id=None)
        .exclude(direction=Direction.NOTE)
        .order_by("id")
    )
    inbound = [m for m in thread if m.direction == Direction.INBOUND]
    for m in reversed(inbound):
        address = m.channel_meta.get("reply_to") or m.channel_meta.get("from")
        if address:
            return str(address), thread
    identity = message.ticket.contact.identities.filter(kind=identities.EMAIL).first()
    return (identity.address if identity else ""), thread


def _check_automatic(config: MailboxConfig, message: Message, recipient: str) -> None:
    """Loop protection: automatic mail never goes to robots, nor beyond the daily cap."""
    if is_robot_address(recipient):
        raise DeliveryError(f"automatic mail is never sent to {recipient}", permanent=True)
    since = timezone.now() - timedelta(days=1)
    sent = Message.objects.filter(
        ticket__contact_id=message.ticket.contact_id,
        direction=Direction.OUTBOUND,
        author_kind=AuthorKind.SYSTEM,
        delivery_status=DeliveryStatus.SENT,
        sent_at__gte=since,
    ).count()
    if sent >= config.auto_reply_cap:
        raise DeliveryError(
            f"not sent: {recipient} already got {sent} automatic mails in 24 hours "
            f"(the cap is {config.auto_reply_cap})",
            permanent=True,
        )


def message_id_for(message: Message, domain: str) -> str:
    """A Message-ID stable across retries, so a resent mail is recognised as the same."""
    token = hashlib.sha256(f"{message.pk}:{message.created_at.isoformat()}".encode()).hexdigest()
    return f"<hd.{message.pk}.{token[:16]}@{domain}>"


def subject_for(message: Message) -> str:
    """`Re: <ticket subject> [#N]` (the token threads replies whose headers were lost)."""
    ticket = message.ticket
    token = f"[#{ticket.pk}]"
    base = _RE_PREFIX.sub("", ticket.subject).strip() or f"Ticket {ticket.pk}"
    base = base.replace(token, "").strip()
    return f"Re: {base} {token}"


def build_mail(
    config: MailboxConfig, message: Message, recipient: str, thread: list[Message]
) -> EmailMessage:
    """The MIME mail: text and HTML alternatives, attachments, threading headers."""
    ticket = message.ticket
    domain = config.from_address.rsplit("@", 1)[-1]
    mail = EmailMessage(policy=policy.SMTP)
    mail["From"] = utils.formataddr((config.from_name, config.from_address))
    mail["To"] = recipient
    if config.reply_to:
        mail["Reply-To"] = config.reply_to.replace("{ticket}", str(ticket.pk))
    mail["Subject"] = subject_for(message)
    mail["Date"] = utils.format_datetime(timezone.now())
    mail["Message-ID"] = message_id_for(message, domain)
    inbound = [m for m in thread if m.direction == Direction.INBOUND]
    parent = inbound[-1] if inbound else (thread[-1] if thread else None)
    if parent is not None and parent.external_id:
        mail["In-Reply-To"] = parent.external_id
        refs = [m.external_id for m in thread if m.external_id][-_REFERENCES_KEPT:]
        mail["References"] = " ".join(refs)
    if message.author_kind == AuthorKind.SYSTEM:
        mail["Auto-Submitted"] = "auto-replied"  # RFC 3834
        mail["X-Auto-Response-Suppress"] = "All"  # keeps Exchange out-of-office quiet
    text = message.text or ""
    markup = message.html or text_to_html(text)
    footer = portal_footer(message) if message.author_kind == AuthorKind.AGENT else None
    if footer is not None:
        text, markup = text.rstrip("\n") + footer[0], markup + footer[1]
    mail.set_content(text, charset="utf-8")
    mail.add_alternative(markup, subtype="html", charset="utf-8")
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as fh:
            data = fh.read()
        maintype, _, subtype = (attachment.content_type or "application/octet-stream").partition(
            "/"
        )
        mail.add_attachment(
            data, maintype=maintype, subtype=subtype or "octet-stream", filename=attachment.name
        )
    return mail


def text_to_html(text: str) -> str:
    """Plain text as minimal HTML; dir="auto" lets Persian and English lay out right."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    body = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return f'<div dir="auto">{body}</div>'


def deliver(config: MailboxConfig, mail: EmailMessage, recipient: str) -> None:
    """Hand `mail` to the mailbox's SMTP server; DeliveryError (temporary or not) on failure."""
    try:
        smtp = smtp_connect(config)
    except smtplib.SMTPResponseException as exc:
        raise _refusal(exc.smtp_code, exc.smtp_error) from exc
    except (OSError, smtplib.SMTPException) as exc:
        reason = describe_network_error(exc, "SMTP", config.smtp_host, config.smtp_port)
        raise DeliveryError(reason, permanent=False) from exc
    try:
        smtp.send_message(mail, from_addr=config.from_address, to_addrs=[recipient])
    except smtplib.SMTPRecipientsRefused as exc:
        code, words = next(iter(exc.recipients.values()))
        raise _refusal(code, words, recipient) from exc
    except smtplib.SMTPResponseException as exc:
        raise _refusal(exc.smtp_code, exc.smtp_error) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"SMTP connection lost while sending: {exc}", permanent=False) from exc
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def _refusal(code: int, words: bytes | str, recipient: str = "") -> DeliveryError:
    """4xx is temporary (retried), 5xx permanent; the reason keeps the server's words."""
    text = words.decode("utf-8", "replace") if isinstance(words, bytes) else str(words)
    who = f" for {recipient}" if recipient else ""
    return DeliveryError(f"SMTP server refused{who}: {code} {text}", permanent=code >= 500)
