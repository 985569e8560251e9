"""Slow Telegram work, off the webhook's path: media downloads and welcome messages."""

from __future__ import annotations

from django.tasks import task

from channels_in.telegram.channel import PROFILE
from helpdesk.channel_kit.botapi import media, survey
from helpdesk.task_connection import releases_broken_connection

MEDIA_ATTEMPTS = media.MEDIA_ATTEMPTS


@task()
@releases_broken_connection
def download_media(message_id: int, attempt: int = 1) -> str:
    """Fetch the files of a stored Telegram message (getFile + download) and attach them."""
    return media.download_media(PROFILE, message_id, attempt, download_media)


@task()
@releases_broken_connection
def send_welcome(inbox_id: int, chat_id: int) -> str:
    """Answer /start with the inbox's welcome message (best effort, logged on failure)."""
    return media.send_welcome(PROFILE, inbox_id, chat_id)


@task()
@releases_broken_connection
def answer_callback(inbox_id: int, query_id: str, text: str = "") -> str:
    """Answer an inline-keyboard button press (answerCallbackQuery), best effort."""
    return media.answer_callback(PROFILE, inbox_id, query_id, text)


@task()
@releases_broken_connection
def edit_survey_prompt(inbox_id: int, chat_id: int, message_id: int, text: str) -> str:
    """Show the chosen rating in place of a survey's buttons (editMessageText), best effort."""
    return survey.edit_prompt(PROFILE, inbox_id, chat_id, message_id, text)
