"""Apply one Bot API update to the desk, exactly once (webhook and polling share this).

Everything happens in one transaction: the message, the chat row, identities and
the follow-up tasks. The poller saves its offset inside the same transaction.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from django.db import IntegrityError, transaction
from django.tasks import Task, task_backends
from django.utils.module_loading import import_string
from django_tasks_db import DatabaseBackend
from telegram import Update

from helpdesk import identities
from helpdesk.actions.contacts import (
    do_add_identity,
    do_claim_identity,
    do_set_identity_unreachable,
)
from helpdesk.actions.errors import ActionError
from helpdesk.actions.messages import do_update_inbound_message
from helpdesk.channel_kit.botapi.links import LinkTarget, verify_payload
from helpdesk.channel_kit.botapi.parse import (
    CallbackQuery,
    ChatInfo,
    Ignored,
    Incoming,
    MemberChange,
    StartCommand,
    parse_update,
)
from helpdesk.channel_kit.botapi.profile import BotApiProfile
from helpdesk.ingest import receive
from helpdesk.models import Message, Ticket

logger = logging.getLogger(__name__)


def handle_update(profile: BotApiProfile, config: Any, update: Update) -> str:
    """Store what `update` means for `config`'s inbox; returns an outcome for logs and tests."""
    inbox_id = config.inbox_id
    parsed = parse_update(profile, update, inbox_id)
    if isinstance(parsed, Ignored):
        logger.info(
            "%s inbox %s: ignored update %s (%s)",
            profile.kind,
            inbox_id,
            update.update_id,
            parsed.reason,
        )
        return "ignored"
    with transaction.atomic():
        if isinstance(parsed, StartCommand):
            return _start(profile, config, parsed)
        if isinstance(parsed, MemberChange):
            return _member_change(profile, inbox_id, parsed)
        if isinstance(parsed, CallbackQuery):
            return _callback(profile, config, parsed)
        return _incoming(profile, inbox_id, parsed)


def _task(profile: BotApiProfile, name: str) -> Task[Any, Any]:
    return import_string(f"{profile.tasks_module}.{name}")  # type: ignore[no-any-return]


def enqueue(task: Task[Any, Any], *args: Any) -> None:
    """Enqueue atomically with the current transaction when tasks live in the same
    database (a transactional outbox: no lost media after a crash between commit
    and enqueue); otherwise only once the transaction has committed."""
    if isinstance(task_backends[task.backend], DatabaseBackend):
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))


def _upsert_chat(profile: BotApiProfile, inbox_id: int, info: ChatInfo) -> Any:
    values = {
        "user_id": info.user_id,
        "username": info.username[:64],
        "first_name": info.first_name[:200],
        "last_name": info.last_name[:200],
        "language_code": info.language_code[:16],
    }
    chats = profile.model("chat").objects
    for _attempt in range(2):
        try:
            with transaction.atomic():
                chat, _created = chats.update_or_create(
                    inbox_id=inbox_id, chat_id=info.chat_id, defaults=values
                )
                return chat
        except IntegrityError:  # created concurrently: update the winner's row
            continue
    return chats.get(inbox_id=inbox_id, chat_id=info.chat_id)


def _first_time(profile: BotApiProfile, inbox_id: int, key: str) -> bool:
    _row, created = profile.model("handled").objects.get_or_create(inbox_id=inbox_id, key=key)
    return bool(created)


def _incoming(profile: BotApiProfile, inbox_id: int, parsed: Incoming) -> str:
    chat = _upsert_chat(profile, inbox_id, parsed.chat)
    msg = parsed.message
    if chat.linked_ticket_id:
        msg = replace(msg, thread=replace(msg.thread, ticket_number=chat.linked_ticket_id))
    if parsed.edited:
        existing = Message.objects.filter(inbox_id=inbox_id, external_id=msg.external_id).first()
        if existing is not None:
            return _apply_edit(profile, existing, parsed)
    result = receive(msg)
    if not result.created:
        return "duplicate"
    if parsed.media:
        enqueue(_task(profile, "download_media"), result.message.pk)
    contact_id = result.message.author_contact_id
    if parsed.shared_phone and contact_id:
        _add_phone(contact_id, parsed.shared_phone)
    # The customer wrote, so they can be reached again.
    do_set_identity_unreachable(profile.identity, str(parsed.chat.user_id), "")
    return "stored"


def _apply_edit(profile: BotApiProfile, existing: Message, parsed: Incoming) -> str:
    stored = existing.channel_meta.get(profile.meta("edit_date")) or 0
    if parsed.edit_date is not None and parsed.edit_date < stored:
        return "stale edit"
    do_update_inbound_message(
        existing.pk,
        text=parsed.message.text,
        html=parsed.message.html,
        edited=True,
        meta={profile.meta("edit_date"): parsed.edit_date},
    )
    return "edited"


def _add_phone(contact_id: int, phone: str) -> None:
    try:
        identity = do_add_identity(None, contact_id, identities.PHONE, phone)
    except ActionError as exc:
        logger.info("shared phone number not added to contact %s: %s", contact_id, exc)
        return
    if identity is None:
        logger.info("shared phone number already belongs to another contact than %s", contact_id)


def _start(profile: BotApiProfile, config: Any, parsed: StartCommand) -> str:
    inbox_id = config.inbox_id
    if not _first_time(profile, inbox_id, parsed.key):
        return "duplicate"
    chat = _upsert_chat(profile, inbox_id, parsed.chat)
    outcome = "started"
    if parsed.payload:
        target = verify_payload(profile.kind, inbox_id, parsed.payload)
        if target is None:
            logger.warning(
                "%s inbox %s: /start with a payload we did not sign", profile.kind, inbox_id
            )
        elif _link(profile, chat, target, parsed.chat):
            outcome = "linked"
    if config.welcome_message.strip():
        enqueue(_task(profile, "send_welcome"), inbox_id, chat.chat_id)
    return outcome


def _link(profile: BotApiProfile, chat: Any, target: LinkTarget, info: ChatInfo) -> bool:
    ticket = Ticket.objects.filter(pk=target.ticket_id).first() if target.ticket_id else None
    contact_id = ticket.contact_id if ticket is not None else target.contact_id
    if contact_id is None:
        logger.warning("deep link to ticket %s, which no longer exists", target.ticket_id)
        return False
    name = " ".join(p for p in (info.first_name, info.last_name) if p)
    try:
        do_claim_identity(contact_id, profile.identity, str(info.user_id), display_name=name)
    except ActionError as exc:
        logger.warning("deep link to contact %s failed: %s", contact_id, exc)
        return False
    chat.linked_ticket = ticket
    chat.save(update_fields=["linked_ticket", "updated_at"])
    return True


def _member_change(profile: BotApiProfile, inbox_id: int, parsed: MemberChange) -> str:
    if not _first_time(profile, inbox_id, parsed.key):
        return "duplicate"
    _upsert_chat(profile, inbox_id, parsed.chat)
    reason = blocked_reason(profile) if parsed.blocked else ""
    do_set_identity_unreachable(profile.identity, str(parsed.chat.user_id), reason)
    return "blocked" if parsed.blocked else "unblocked"


def _callback(profile: BotApiProfile, config: Any, parsed: CallbackQuery) -> str:
    """A button press: the channel's handler (if any) says what it means; it is
    answered once either way, after commit."""
    inbox_id = config.inbox_id
    if not _first_time(profile, inbox_id, parsed.key):
        return "duplicate"
    _upsert_chat(profile, inbox_id, parsed.chat)
    answer = ""
    if profile.callback_handler:
        answer = import_string(profile.callback_handler)(config, parsed) or ""
    else:
        logger.info(
            "%s inbox %s: button %r pressed; no handler", profile.kind, inbox_id, parsed.data
        )
    enqueue(_task(profile, "answer_callback"), inbox_id, parsed.query_id, answer)
    return "button"


def blocked_reason(profile: BotApiProfile) -> str:
    """Why an identity is unreachable after the customer blocked the bot."""
    return f"blocked the bot on {profile.service}"
