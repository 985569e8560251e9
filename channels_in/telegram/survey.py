"""Telegram's survey buttons (helpdesk.channel_kit.botapi.survey, bound to this channel)."""

from __future__ import annotations

from typing import Any

from channels_in.telegram.channel import PROFILE
from helpdesk.channel_kit.botapi import survey
from helpdesk.channel_kit.botapi.parse import CallbackQuery


def on_button(config: Any, query: CallbackQuery) -> str | None:
    """PROFILE.callback_handler: a survey button press, recorded as the answer."""
    from channels_in.telegram.tasks import edit_survey_prompt

    return survey.on_button(PROFILE, config, query, edit_survey_prompt)
