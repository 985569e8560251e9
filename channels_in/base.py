"""What every channel's outbound sender implements, and its one error type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from helpdesk.models import Message


class DeliveryError(Exception):
    """A delivery attempt failed. Permanent errors are not retried.

    `retry_after` (seconds) is honoured when the channel says how long to wait
    (Telegram's 429, an SMTP 4xx with a hint).
    """

    def __init__(self, reason: str, *, permanent: bool, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class SendResult:
    external_id: str | None = None


class Sender(Protocol):
    def send(self, message: Message) -> SendResult:
        """Deliver `message` to the customer; raise DeliveryError on failure."""
        ...
