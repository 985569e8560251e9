"""What the parser makes of a mail: the fields a mature helpdesk reads from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from channels_in.email.headers import Bounce
from helpdesk.inbound import InboundAttachment

Address = tuple[str, str]  # (display name, address)


@dataclass(slots=True)
class ParsedMail:
    message_id: str
    from_name: str
    from_address: str
    subject: str
    to: list[Address] = field(default_factory=list)
    cc: list[Address] = field(default_factory=list)
    reply_to: str = ""
    date: datetime | None = None
    text: str = ""  # what agents see first: the new part of the mail
    html: str = ""  # unsanitized; the core sanitizes it
    full_text: str = ""  # the whole text, quoted history included
    full_html: str = ""
    attachments: list[InboundAttachment] = field(default_factory=list)
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    ticket_number: int | None = None
    auto_generated: bool = False
    bounce: Bounce | None = None
    forwarded: list[dict[str, str]] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)

    def discard_files(self) -> None:
        """Delete the temporary files of spooled attachments: once the mail is stored
        (ingest copied them) or will not be (quarantined, refused)."""
        for item in self.attachments:
            if item.spool is not None:
                item.spool.discard()
