"""Where message attachments' bytes live: one file per distinct content.

A file is named by the SHA-256 of its bytes (`attachments/ab/ab12...`), so the
same logo or signature image in a thousand mails is stored once, a name says
nothing about its ticket or customer and cannot be guessed, and a bulk import
can write files from other processes before the database knows them (see
`import_mail`). The original file name and type stay on the Attachment row.

Files are never served from MEDIA_URL: every download goes through a view that
checks who asks (the inbox, the API, a chat visitor's signed link) and answers
with `file_response`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage
from django.http import FileResponse, Http404

from helpdesk.inbound import InboundAttachment
from helpdesk.models import Attachment


def _storage() -> Storage:
    storage: Storage = Attachment._meta.get_field("file").storage
    return storage


def fits(data: bytes) -> bool:
    """Within HELPDESK_ATTACHMENT_MAX_BYTES: larger files are refused (the message keeps
    their name and size in `channel_meta["refused_attachments"]`)."""
    return fits_size(len(data))


def fits_size(size: int) -> bool:
    """`fits` for a file known by its size (a spooled attachment)."""
    return size <= settings.HELPDESK_ATTACHMENT_MAX_BYTES


def content_name(data: bytes) -> str:
    return _named(hashlib.sha256(data).hexdigest())


def _named(digest: str) -> str:
    return f"attachments/{digest[:2]}/{digest}"


def attachment_name(item: InboundAttachment) -> str:
    """The storage name of an inbound attachment's content (`content_name` of its bytes)."""
    return _named(item.sha256)


def save_content(data: bytes) -> str:
    """Store `data` unless a complete copy is there already; returns its storage name."""
    storage = _storage()
    name = content_name(data)
    # A copy cut short by a crash has the right name but not the right size: the
    # storage then writes a whole one next to it under a new name.
    if storage.exists(name) and storage.size(name) == len(data):
        return name
    return storage.save(name, ContentFile(data))


def save_attachment(item: InboundAttachment) -> str:
    """`save_content` for an inbound attachment: a spooled one is copied from its
    temporary file in slices, never read whole (the file stays for its adapter)."""
    if item.spool is None:
        return save_content(item.data)
    storage = _storage()
    name = attachment_name(item)
    if storage.exists(name) and storage.size(name) == item.size:
        return name
    with item.spool.open() as fh:
        return storage.save(name, File(fh))


def discard_unreferenced(names: Iterable[str]) -> list[str]:
    """Delete the stored files among `names` that no Attachment row references.

    For a batch that failed after writing some of its files (a full disk, a bug
    in a rule): its rows were rolled back, so those files belong to nobody, while
    a file another message already uses is kept (files are shared by content). A
    file half-written when the disk filled up has its content's name and goes too.
    Returns the names deleted.
    """
    wanted = set(names)
    if not wanted:
        return []
    used = set(Attachment.objects.filter(file__in=wanted).values_list("file", flat=True))
    storage = _storage()
    deleted = []
    for name in sorted(wanted - used):
        if storage.exists(name):
            storage.delete(name)
            deleted.append(name)
    return deleted


def file_response(attachment: Attachment, *, download: bool = False) -> FileResponse:
    """The attachment for a browser: safe images inline, everything else as a
    download of opaque bytes. `download` (the API) always downloads, typed as stored."""
    try:
        handle = attachment.file.open("rb")
    except OSError as exc:
        raise Http404("the file is missing from storage") from exc
    inline = attachment.shows_inline and not download
    if inline or download:
        content_type = attachment.content_type or "application/octet-stream"
    else:
        content_type = "application/octet-stream"
    response = FileResponse(
        handle, as_attachment=not inline, filename=attachment.name, content_type=content_type
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
