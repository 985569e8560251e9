"""The phone channel cannot carry a written reply; agents call back instead."""

from __future__ import annotations

from helpdesk.channels import DeliveryError, SendResult
from helpdesk.models import Message


class PhoneSender:
    def send(self, message: Message) -> SendResult:
        raise DeliveryError(
            "a phone ticket cannot receive a written reply: call the customer back "
            "or reply on another of their channels",
            permanent=True,
        )
