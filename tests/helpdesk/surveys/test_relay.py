"""A phone call's survey travels by the contact's other known channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from helpdesk.models import ContactIdentity, DeliveryStatus, Message
from helpdesk.surveys.actions import do_send_survey_now
from helpdesk.surveys.delivery import relay_prompt
from tests.helpdesk.actions_helpers import open_ticket

pytestmark = pytest.mark.django_db


@dataclass
class FakeMailer:
    """The network edge of the email channel: records the copies it was asked to send."""

    copies: list[tuple[str, str]] = field(default_factory=list)

    def send(self, message: Message) -> Any:
        raise AssertionError("a relayed survey is never sent as an email reply")

    def send_copy(self, message: Message, address: str) -> bool:
        self.copies.append((address, message.text))
        return True


def test_it_sends_a_calls_survey_by_email(
    phone_inbox_a: Any, agent_a: Any, sender_override: Any, django_capture_on_commit_callbacks: Any
) -> None:
    mailer = FakeMailer()
    sender_override("email", mailer)
    ticket = open_ticket(phone_inbox_a, sender="+989121234567")
    ContactIdentity.objects.create(
        contact=ticket.contact, kind="email", address="caller@example.com"
    )
    with django_capture_on_commit_callbacks(execute=True):
        request = do_send_survey_now(agent_a, ticket.pk)
    assert relay_prompt.call(request.message_id or 0).startswith("relayed by email")
    assert mailer.copies and mailer.copies[0][0] == "caller@example.com"
    assert "/survey/" in mailer.copies[0][1]
    assert Message.objects.get(pk=request.message_id or 0).delivery_status == DeliveryStatus.SENT


def test_it_marks_the_survey_failed_when_the_caller_has_no_other_channel(
    phone_inbox_a: Any, agent_a: Any
) -> None:
    ticket = open_ticket(phone_inbox_a, sender="+989121234568")
    request = do_send_survey_now(agent_a, ticket.pk)
    assert relay_prompt.call(request.message_id or 0) == "failed"
    message = Message.objects.get(pk=request.message_id or 0)
    assert (
        message.delivery_status == DeliveryStatus.FAILED
        and "no other channel" in message.delivery_error
    )
