"""Slow WhatsApp work, off the webhook's path: downloading the media of a stored message."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from channels_in.whatsapp.graph import Graph, GraphError
from channels_in.whatsapp.models import WhatsAppConfig
from helpdesk.actions.messages import OutgoingFile, do_update_inbound_message
from helpdesk.models import Message
from helpdesk.task_connection import releases_broken_connection

logger = logging.getLogger(__name__)

MEDIA_ATTEMPTS = 5


@task()
@releases_broken_connection
def download_media(message_id: int, attempt: int = 1) -> str:
    """Fetch a stored message's media (GET /<media id>, then its URL) and attach it.

    Meta's media URLs last minutes and media ids about 30 days, so this runs soon
    after the webhook; network trouble is retried, a refusal becomes a note.
    """
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        return "gone"
    pending: list[str] = message.channel_meta.get("whatsapp_media") or []
    if not pending or message.channel_meta.get("whatsapp_media_done"):
        return "nothing to do"
    config = WhatsAppConfig.objects.filter(inbox_id=message.inbox_id).first()
    if config is None:
        return "no number configured"
    limit = settings.HELPDESK_ATTACHMENT_MAX_BYTES
    files: list[OutgoingFile] = []
    notes: list[str] = []
    with Graph(config.access_token) as graph:
        for media_id in pending:
            try:
                info = graph.media_url(media_id)
                data = graph.download(str(info["url"]), limit)
            except (GraphError, KeyError) as exc:
                if isinstance(exc, GraphError) and exc.temporary and attempt < MEDIA_ATTEMPTS:
                    delay = 15 * 2 ** (attempt - 1)
                    run_after = timezone.now() + timedelta(seconds=delay)
                    download_media.using(run_after=run_after).enqueue(message_id, attempt + 1)
                    return f"retry in {delay}s: {exc}"
                notes.append(f"[file not downloaded: WhatsApp said: {exc}]")
                continue
            content_type = str(info.get("mime_type") or "application/octet-stream").split(";")[0]
            files.append(OutgoingFile(_name(message, media_id, content_type), content_type, data))
    with transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message_id)
        if locked.channel_meta.get("whatsapp_media_done"):
            return "already done"
        do_update_inbound_message(
            message_id,
            text="\n".join([locked.text, *notes]) if notes else None,
            files=tuple(files),
            meta={"whatsapp_media_done": True},
        )
    return f"attached {len(files)}, noted {len(notes)}"


def _name(message: Message, media_id: str, content_type: str) -> str:
    names: dict[str, str] = message.channel_meta.get("whatsapp_media_names") or {}
    extension = content_type.split("/")[-1] or "bin"
    return names.get(media_id) or f"{content_type.split('/')[0]}_{message.pk}.{extension}"
