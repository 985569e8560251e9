"""Apply a parsed webhook: store each customer message once, record each status once."""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction

from channels_in.whatsapp.actions import do_record_status
from channels_in.whatsapp.parse import Batch
from helpdesk.ingest import receive

logger = logging.getLogger(__name__)


def apply_batch(batch: Batch) -> dict[str, int]:
    """Store what the webhook carried; counts for the answer and the logs."""
    from channels_in.whatsapp.tasks import download_media

    counts = {"stored": 0, "duplicate": 0, "statuses": 0}
    for incoming in batch.messages:
        with transaction.atomic():
            result = receive(incoming.message)
            if result.created and incoming.media:
                transaction.on_commit(partial(download_media.enqueue, result.message.pk))
        counts["stored" if result.created else "duplicate"] += 1
    for report in batch.statuses:
        if do_record_status(report):
            counts["statuses"] += 1
    return counts
