"""Raw mail -> InboundMessage -> helpdesk.ingest.receive, or the quarantine.

Used by the IMAP listener, the import command and the quarantine's re-process
action, so every mail takes the same path whatever its source.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.parser import BytesParser
from enum import StrEnum
from typing import Any

from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from channels_in.email.charsets import decode_words
from channels_in.email.models import QuarantinedMail
from channels_in.email.parse import UnparseableMail, parse_mail
from channels_in.email.parsed import ParsedMail
from helpdesk import identities
from helpdesk.actions.messages import do_record_delivery
from helpdesk.identities import InvalidAddress, normalize_address
from helpdesk.inbound import InboundMessage, Sender, ThreadHints
from helpdesk.ingest import IngestResult, receive, receive_many
from helpdesk.models import DeliveryStatus, Direction, Inbox, Message
from helpdesk.sanitize import sanitize_html

logger = logging.getLogger(__name__)


class Outcome(StrEnum):
    IMPORTED = "imported"
    DUPLICATE = "duplicate"
    QUARANTINED = "quarantined"


@dataclass(frozen=True, slots=True)
class Processed:
    outcome: Outcome
    message_id: int | None = None
    quarantine_id: int | None = None


def to_inbound(parsed: ParsedMail, inbox_id: int, received_at: datetime) -> InboundMessage:
    """The normalized message the core ingests (full text and addressing in meta)."""
    parsed = _without_nul(parsed)
    meta: dict[str, Any] = {
        "from": parsed.from_address,
        "to": [a for _, a in parsed.to],
        "cc": [a for _, a in parsed.cc],
        "reply_to": parsed.reply_to,
        "date": parsed.date.isoformat() if parsed.date else None,
    }
    if parsed.full_text:
        meta["full_text"] = parsed.full_text
    if parsed.full_html:
        meta["full_html"] = sanitize_html(parsed.full_html)
    if parsed.forwarded:
        meta["forwarded"] = parsed.forwarded
    if parsed.defects:
        meta["mime_defects"] = parsed.defects
    if parsed.bounce:
        meta["bounce"] = {
            "original": parsed.bounce.original_message_id,
            "reason": parsed.bounce.reason,
        }
    return InboundMessage(
        inbox_id=inbox_id,
        external_id=parsed.message_id,
        sender=Sender(identities.EMAIL, parsed.from_address, parsed.from_name),
        received_at=received_at,
        subject=parsed.subject,
        text=parsed.text,
        html=parsed.html,
        attachments=tuple(parsed.attachments),
        thread=ThreadHints(
            in_reply_to=parsed.in_reply_to,
            references=parsed.references,
            ticket_number=parsed.ticket_number,
        ),
        auto_generated=parsed.auto_generated,
        meta=meta,
    )


def _without_nul(parsed: ParsedMail) -> ParsedMail:
    # NUL is legal in mail bodies but not in PostgreSQL text; it carries no meaning.
    for name in ("subject", "text", "html", "full_text", "full_html", "from_name"):
        setattr(parsed, name, getattr(parsed, name).replace("\x00", ""))
    return parsed


@dataclass(frozen=True, slots=True)
class RawMail:
    raw: bytes
    source: str = ""  # where it came from, for the quarantine list


def process_raw(
    inbox: Inbox, raw: bytes, *, source: str = "", use_mail_date: bool = False
) -> Processed:
    """Store one raw mail exactly once, as a message or in the quarantine.

    Raises only on database trouble (so the caller leaves the mail on the server
    and tries again); every problem with the mail itself ends in the quarantine.
    """
    return process_many(inbox, [RawMail(raw, source)], use_mail_date=use_mail_date)[0]


@dataclass(frozen=True, slots=True)
class Prepared:
    """A mail parsed and normalized, or the reason it goes to the quarantine."""

    parsed: ParsedMail | None
    msg: InboundMessage | None
    problem: str = ""


def prepare(raw: bytes, inbox_id: int, now: datetime, use_mail_date: bool = False) -> Prepared:
    """Parse one mail for `inbox_id` (no database: bulk imports run this in other processes)."""
    try:
        parsed = parse_mail(raw)
    except UnparseableMail as exc:
        return Prepared(None, None, str(exc))
    dated = use_mail_date and parsed.date is not None and parsed.date < now
    received_at = parsed.date if dated and parsed.date else now
    msg = to_inbound(parsed, inbox_id, received_at)
    try:
        normalize_address(msg.sender.kind, msg.sender.address)
    except InvalidAddress as exc:
        return Prepared(parsed, None, f"unusable sender: {exc}")
    return Prepared(parsed, msg)


def process_many(
    inbox: Inbox, mails: Sequence[RawMail], *, use_mail_date: bool = False
) -> list[Processed]:
    """`process_raw` for a batch: the mails that parse are ingested in one transaction."""
    now = timezone.now()
    prepared: list[Prepared] = []
    try:
        for mail in mails:
            prepared.append(prepare(mail.raw, inbox.pk, now, use_mail_date))
    except BaseException:
        discard_files(prepared)
        raise
    return store_prepared(inbox, mails, prepared)


def discard_files(prepared: Sequence[Prepared]) -> None:
    """Delete the temporary files of the mails' spooled attachments."""
    for item in prepared:
        if item.parsed is not None:
            item.parsed.discard_files()


def store_prepared(
    inbox: Inbox, mails: Sequence[RawMail], prepared: Sequence[Prepared]
) -> list[Processed]:
    """Store prepared mails: those that parsed in one ingest batch, the rest in the quarantine.

    Should the batch fail for a reason other than the database, every mail is
    tried on its own, so only the one at fault ends in the quarantine. The
    temporary files of spooled attachments are deleted, whatever the outcome.
    """
    try:
        return _store_prepared(inbox, mails, prepared)
    finally:
        discard_files(prepared)


def _store_prepared(
    inbox: Inbox, mails: Sequence[RawMail], prepared: Sequence[Prepared]
) -> list[Processed]:
    done: dict[int, Processed] = {}
    ready: list[tuple[int, ParsedMail, InboundMessage]] = []
    for i, (mail, item) in enumerate(zip(mails, prepared, strict=True)):
        if item.msg is None or item.parsed is None:
            done[i] = quarantine(inbox, mail.raw, item.problem, item.parsed, mail.source)
        else:
            ready.append((i, item.parsed, item.msg))
    results: list[IngestResult] | None = None
    if len(ready) > 1:
        try:
            results = receive_many([msg for _, _, msg in ready])
        except (OperationalError, InterfaceError):
            raise  # the database is unavailable: leave the mail on the server, retry later
        except Exception:
            logger.exception("a batch of %d mails failed; storing them one by one", len(ready))
    for n, (i, parsed, msg) in enumerate(ready):
        result = results[n] if results is not None else None
        done[i] = _stored(inbox, mails[i], parsed, msg, result)
    _close_quarantined(inbox, [(mails[i], prepared[i], done[i]) for i, _, _ in ready])
    return [done[i] for i in range(len(mails))]


def _close_quarantined(inbox: Inbox, stored: list[tuple[RawMail, Prepared, Processed]]) -> None:
    """Link quarantine entries of mails that are now messages (a retry after a disk-full
    failure, an import of a mail the listener could not store): same bytes or Message-ID."""
    by_digest: dict[str, int] = {}
    by_id: dict[str, int] = {}
    for mail, item, done in stored:
        if done.message_id is None or item.msg is None:
            continue
        by_digest[hashlib.sha256(mail.raw).hexdigest()] = done.message_id
        by_id[item.msg.external_id] = done.message_id
    if not by_digest:
        return
    open_entries = QuarantinedMail.objects.filter(inbox=inbox, reprocessed_at__isnull=True).filter(
        Q(sha256__in=list(by_digest)) | Q(rfc_message_id__in=list(by_id))
    )
    now = timezone.now()
    for pk, digest, message_id in open_entries.values_list("pk", "sha256", "rfc_message_id"):
        message = by_digest.get(digest) or by_id.get(message_id)
        QuarantinedMail.objects.filter(pk=pk).update(reprocessed_at=now, message_id=message)


def _stored(
    inbox: Inbox,
    mail: RawMail,
    parsed: ParsedMail,
    msg: InboundMessage,
    result: IngestResult | None,
) -> Processed:
    """The outcome of one mail, ingesting it alone when the batch did not."""
    if result is None:
        try:
            result = receive(msg)
        except (OperationalError, InterfaceError):
            raise
        except Exception as exc:  # a bug must not lose the mail: keep it for re-processing
            logger.exception("ingest failed for mail %s in inbox %s", msg.external_id, inbox.pk)
            reason = f"ingest error: {type(exc).__name__}: {exc}"
            return quarantine(inbox, mail.raw, reason, parsed, mail.source)
    if not result.created:
        return Processed(Outcome.DUPLICATE, message_id=result.message.pk)
    if parsed.bounce is not None:
        _mark_bounced(parsed)
    return Processed(Outcome.IMPORTED, message_id=result.message.pk)


def _mark_bounced(parsed: ParsedMail) -> None:
    if parsed.bounce is None:
        return
    original = (
        Message.objects.filter(
            external_id=parsed.bounce.original_message_id, direction=Direction.OUTBOUND
        )
        .exclude(delivery_status=DeliveryStatus.FAILED)
        .first()
    )
    if original is not None:
        do_record_delivery(original.pk, status=DeliveryStatus.FAILED, error=parsed.bounce.reason)


def quarantine(
    inbox: Inbox,
    raw: bytes,
    reason: str,
    parsed: ParsedMail | None = None,
    source: str = "",
) -> Processed:
    """Keep the raw mail with the reason; a mail already in quarantine counts as duplicate."""
    digest = hashlib.sha256(raw).hexdigest()
    subject, sender = (parsed.subject, parsed.from_address) if parsed else _peek(raw)
    logger.warning("quarantining mail %s in inbox %s: %s", digest[:12], inbox.pk, reason)
    defaults = {
        "raw": raw,
        "reason": reason.replace("\x00", "")[:2000],
        "subject": subject.replace("\x00", "")[:300],
        "sender": sender.replace("\x00", "")[:320],
        "source": source[:300],
        "rfc_message_id": parsed.message_id[:500] if parsed else "",
    }
    try:
        with transaction.atomic():
            item, created = QuarantinedMail.objects.get_or_create(
                inbox=inbox, sha256=digest, defaults=defaults
            )
    except IntegrityError:  # quarantined concurrently by another process
        item, created = QuarantinedMail.objects.get(inbox=inbox, sha256=digest), False
    outcome = Outcome.QUARANTINED if created else Outcome.DUPLICATE
    return Processed(outcome, quarantine_id=item.pk)


def _peek(raw: bytes) -> tuple[str, str]:
    """Best-effort subject and sender of a mail that did not parse, for the admin list."""
    try:
        headers = BytesParser(policy=policy.compat32).parsebytes(raw, headersonly=True)
        return decode_words(str(headers.get("Subject", ""))), decode_words(
            str(headers.get("From", ""))
        )
    except Exception:  # noqa: BLE001 - only a label for the list
        return "", ""


def reprocess(item: QuarantinedMail) -> Processed:
    """Try a quarantined mail again (after a fix); on success it leaves the quarantine."""
    raw = bytes(item.raw)
    parsed: ParsedMail | None = None
    try:
        parsed = parse_mail(raw)
        result = receive(to_inbound(parsed, item.inbox_id, timezone.now()))
    except (UnparseableMail, InvalidAddress) as exc:
        QuarantinedMail.objects.filter(pk=item.pk).update(reason=str(exc)[:2000])
        return Processed(Outcome.QUARANTINED, quarantine_id=item.pk)
    finally:
        if parsed is not None:
            parsed.discard_files()
    QuarantinedMail.objects.filter(pk=item.pk).update(
        reprocessed_at=timezone.now(), message=result.message
    )
    outcome = Outcome.IMPORTED if result.created else Outcome.DUPLICATE
    return Processed(outcome, message_id=result.message.pk, quarantine_id=item.pk)
