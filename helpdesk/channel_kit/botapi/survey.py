"""Surveys on Bot API channels: the scale as inline-keyboard buttons under the question,
a press recorded as the answer, the press answered and the question edited to show
the chosen rating (helpdesk.surveys; ChannelSpec.survey_prompt = NATIVE).

A button's callback data is `survey:<request id>:<score>`; a press counts only from
the contact the survey was sent to, and pressing again changes the answer (one row).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import TelegramError

from helpdesk.actions.errors import ActionError
from helpdesk.channel_kit.botapi.client import open_bot, redact, run_sync
from helpdesk.channel_kit.botapi.parse import CallbackQuery
from helpdesk.channel_kit.botapi.profile import BotApiProfile
from helpdesk.models import Contact, ContactIdentity
from helpdesk.models import Message as DeskMessage

logger = logging.getLogger(__name__)

_DATA = re.compile(r"^survey:([1-9][0-9]{0,17}):([0-9]{1,2})$")
ROW = 6  # buttons per row: 1-5 in one row, 0-10 in two


def keyboard(message: DeskMessage) -> InlineKeyboardMarkup | None:
    """The survey's buttons, for a prompt message (None for any other message)."""
    meta = message.channel_meta.get("survey") if isinstance(message.channel_meta, dict) else None
    if not isinstance(meta, dict) or not isinstance(meta.get("request_id"), int):
        return None
    labels: dict[str, str] = meta.get("labels") or {}
    scores = range(int(meta.get("min", 1)), int(meta.get("max", 5)) + 1)
    buttons = [
        InlineKeyboardButton(
            labels.get(str(s), str(s)), callback_data=f"survey:{meta['request_id']}:{s}"
        )
        for s in scores
    ]
    return InlineKeyboardMarkup([buttons[i : i + ROW] for i in range(0, len(buttons), ROW)])


def on_button(
    profile: BotApiProfile, config: Any, query: CallbackQuery, edit_task: Any
) -> str | None:
    """Record a survey button press (inside the update's transaction); the toast text.

    None when the press is not a survey's (another feature's button). The prompt is
    edited to the chosen rating by `edit_task(inbox_id, chat_id, message_id, text)`
    once the answer has committed.
    """
    from helpdesk.channel_kit.botapi.handler import enqueue
    from helpdesk.surveys.actions import do_answer
    from helpdesk.surveys.models import SurveyRequest

    found = _DATA.match(query.data)
    if found is None:
        return None
    request_id, score = int(found.group(1)), int(found.group(2))
    request = SurveyRequest.objects.filter(pk=request_id).first()
    language = request.language if request else "en"
    with translation.override(language or "en"):
        if request is None or not _pressed_by_contact(profile, request.contact_id, query):
            return _("This survey is closed.")
        try:
            do_answer(request_id, score, via=profile.kind)
        except ActionError:
            return _("This survey is closed.")
        meta = _meta(request)
        label = (meta.get("labels") or {}).get(str(score), str(score))
        thanks = _("Thank you! Your rating: %(rating)s") % {"rating": label}
    if query.message_id is not None:
        text = f"{request.question}\n{thanks}"
        enqueue(edit_task, config.inbox_id, query.chat.chat_id, query.message_id, text)
    return thanks


def _pressed_by_contact(profile: BotApiProfile, contact_id: int, query: CallbackQuery) -> bool:
    identity = (
        ContactIdentity.objects.filter(kind=profile.identity, address=str(query.chat.user_id))
        .select_related("contact")
        .first()
    )
    owner = Contact.objects.filter(pk=contact_id).first()
    return (
        identity is not None
        and owner is not None
        and (identity.contact.resolve().pk == owner.resolve().pk)
    )


def _meta(request: Any) -> dict[str, Any]:
    message = DeskMessage.objects.filter(pk=request.message_id).first()
    meta = message.channel_meta.get("survey") if message is not None else None
    return meta if isinstance(meta, dict) else {}


def edit_prompt(
    profile: BotApiProfile, inbox_id: int, chat_id: int, message_id: int, text: str
) -> str:
    """editMessageText: the question now shows the chosen rating, without its buttons."""
    config = profile.model("config").objects.filter(inbox_id=inbox_id).first()
    if config is None:
        return "no bot configured"

    async def _edit() -> None:
        async with open_bot(profile.api_root(), config.bot_token) as bot:
            await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id)

    try:
        run_sync(_edit())
    except TelegramError as exc:
        # "message is not modified" (the same rating again) or too old: nothing to retry.
        logger.info("editing survey message %s failed: %s", message_id, redact(str(exc)))
        return "not edited"
    return "edited"
