"""Which ticket an inbound message lands in: helpdesk/threader.py's rules, end to end."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from helpdesk.actions.contacts import do_merge_contacts
from helpdesk.actions.tickets import do_merge_tickets, do_set_status
from helpdesk.ingest import receive
from helpdesk.models import Contact, Ticket, TicketEvent, TicketStatus
from tests.factories import inbound

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def _resolve(ticket: Ticket, days_ago: float) -> None:
    Ticket.objects.filter(pk=ticket.pk).update(
        status=TicketStatus.RESOLVED, resolved_at=timezone.now() - timedelta(days=days_ago)
    )


def test_it_threads_by_references_when_in_reply_to_is_missing(email_inbox_a: Any) -> None:
    first = receive(inbound(email_inbox_a, external_id="<root@x>"))
    second = receive(inbound(email_inbox_a, external_id="<second@x>", in_reply_to="<root@x>"))
    third = receive(inbound(email_inbox_a, references=("<unknown@x>", "<second@x>")))
    assert first.ticket.pk == second.ticket.pk == third.ticket.pk


def test_it_treats_a_new_email_without_references_as_a_new_conversation(
    email_inbox_a: Any,
) -> None:
    first = receive(inbound(email_inbox_a, sender="same@example.com"))
    second = receive(inbound(email_inbox_a, sender="same@example.com", subject="Another"))
    assert second.ticket_created and second.ticket.pk != first.ticket.pk
    assert first.ticket.contact_id == second.ticket.contact_id


def test_it_matches_references_only_within_the_same_inbox(
    email_inbox_a: Any, email_inbox_a2: Any
) -> None:
    receive(inbound(email_inbox_a, external_id="<only-here@x>"))
    other = receive(inbound(email_inbox_a2, in_reply_to="<only-here@x>"))
    assert other.ticket_created


def test_it_threads_a_ticket_number_for_its_own_contact_only(email_inbox_a: Any) -> None:
    owner = receive(inbound(email_inbox_a, sender="owner@example.com")).ticket
    stranger = receive(inbound(email_inbox_a, sender="mallory@example.com", ticket_number=owner.pk))
    assert stranger.ticket_created and stranger.ticket.pk != owner.pk
    assert Ticket.objects.get(pk=owner.pk).messages.count() == 1
    again = receive(inbound(email_inbox_a, sender="OWNER@example.com", ticket_number=owner.pk))
    assert again.ticket.pk == owner.pk


@pytest.mark.parametrize("inbox_fixture", ["telegram_inbox_a", "webchat_inbox_a"])
def test_it_continues_a_chat_in_its_open_ticket(inbox_fixture: str, request: Any) -> None:
    inbox = request.getfixturevalue(inbox_fixture)
    first = receive(inbound(inbox, sender="visitor-1", subject="")).ticket
    second = receive(inbound(inbox, sender="visitor-1", subject="", text="دوباره"))
    other = receive(inbound(inbox, sender="visitor-2", subject=""))
    assert second.ticket.pk == first.pk and not second.ticket_created
    assert other.ticket_created


def test_it_keeps_chat_continuity_per_inbox(team_a: Any, telegram_inbox_a: Any) -> None:
    from tests.factories import make_inbox

    second_bot = make_inbox(team_a, "telegram", name="second bot")
    first = receive(inbound(telegram_inbox_a, sender="42", subject="")).ticket
    elsewhere = receive(inbound(second_bot, sender="42", subject=""))
    assert elsewhere.ticket_created and elsewhere.ticket.pk != first.pk
    assert elsewhere.ticket.contact_id == first.contact_id


def test_it_continues_a_phone_contact_in_its_open_ticket(phone_inbox_a: Any) -> None:
    first = receive(inbound(phone_inbox_a, sender="0912 345 6789", subject="call")).ticket
    second = receive(inbound(phone_inbox_a, sender="+98 912 345 6789", subject="call"))
    assert second.ticket.pk == first.pk


@pytest.mark.parametrize("status", [TicketStatus.PENDING, TicketStatus.SNOOZED])
def test_it_wakes_a_waiting_ticket_when_the_customer_writes(
    email_inbox_a: Any, status: str
) -> None:
    first = receive(inbound(email_inbox_a, external_id="<w@x>")).ticket
    Ticket.objects.filter(pk=first.pk).update(
        status=status, snoozed_until=timezone.now() + timedelta(days=1)
    )
    reply = receive(inbound(email_inbox_a, in_reply_to="<w@x>"))
    ticket = Ticket.objects.get(pk=first.pk)
    assert reply.ticket.pk == first.pk and not reply.reopened
    assert ticket.status == TicketStatus.OPEN and ticket.snoozed_until is None
    changed = TicketEvent.objects.filter(ticket=ticket, type="ticket.status_changed").get()
    assert changed.payload["previous_status"] == status


def test_it_reopens_a_resolved_ticket_within_the_window_and_says_so(
    email_inbox_a: Any, settings: Any
) -> None:
    settings.HELPDESK_REOPEN_WINDOW_DAYS = 7
    first = receive(inbound(email_inbox_a, external_id="<reo@x>")).ticket
    _resolve(first, days_ago=6.9)
    version = Ticket.objects.get(pk=first.pk).version
    again = receive(inbound(email_inbox_a, in_reply_to="<reo@x>"))
    ticket = Ticket.objects.get(pk=first.pk)
    assert again.reopened and again.ticket.pk == first.pk
    assert ticket.status == TicketStatus.OPEN and ticket.resolved_at is None
    assert ticket.version == version + 1
    event = TicketEvent.objects.filter(ticket=ticket, type="ticket.status_changed").get()
    assert event.payload == {
        "ticket_id": ticket.pk,
        "status": "open",
        "previous_status": "resolved",
        "snoozed_until": None,
    }


def test_it_links_a_follow_up_after_the_window_and_threads_later_replies_into_it(
    email_inbox_a: Any, settings: Any
) -> None:
    settings.HELPDESK_REOPEN_WINDOW_DAYS = 3
    old = receive(inbound(email_inbox_a, external_id="<late@x>")).ticket
    _resolve(old, days_ago=4)
    follow_up = receive(inbound(email_inbox_a, in_reply_to="<late@x>"))
    assert follow_up.ticket_created and follow_up.ticket.follows_up_id == old.pk
    created = TicketEvent.objects.get(ticket=follow_up.ticket, type="ticket.created")
    assert created.payload["follows_up"] == old.pk
    # A second late reply to the same old thread joins that follow-up.
    second = receive(inbound(email_inbox_a, in_reply_to="<late@x>"))
    assert second.ticket.pk == follow_up.ticket.pk and not second.ticket_created
    assert Ticket.objects.get(pk=old.pk).status == TicketStatus.RESOLVED


def test_it_never_reopens_a_closed_ticket(email_inbox_a: Any, telegram_inbox_a: Any) -> None:
    mail = receive(inbound(email_inbox_a, external_id="<closed@x>")).ticket
    chat = receive(inbound(telegram_inbox_a, sender="99", subject="")).ticket
    Ticket.objects.filter(pk__in=[mail.pk, chat.pk]).update(
        status=TicketStatus.CLOSED, resolved_at=timezone.now()
    )
    mail_again = receive(inbound(email_inbox_a, in_reply_to="<closed@x>"))
    chat_again = receive(inbound(telegram_inbox_a, sender="99", subject=""))
    assert mail_again.ticket_created and mail_again.ticket.follows_up_id == mail.pk
    assert chat_again.ticket_created and chat_again.ticket.follows_up_id == chat.pk
    statuses = Ticket.objects.filter(pk__in=[mail.pk, chat.pk]).values_list("status", flat=True)
    assert set(statuses) == {TicketStatus.CLOSED}


def test_it_redirects_messages_of_a_merged_ticket_to_the_merge_target(
    email_inbox_a: Any, telegram_inbox_a: Any, admin_user: Any
) -> None:
    source = receive(inbound(email_inbox_a, external_id="<src@x>")).ticket
    target = receive(inbound(email_inbox_a, external_id="<tgt@x>")).ticket
    do_merge_tickets(admin_user, source.pk, target.pk)
    by_reference = receive(inbound(email_inbox_a, in_reply_to="<src@x>"))
    by_number = receive(inbound(email_inbox_a, ticket_number=source.pk))
    assert by_reference.ticket.pk == target.pk == by_number.ticket.pk
    chat_source = receive(inbound(telegram_inbox_a, sender="5", subject="")).ticket
    chat_target = receive(inbound(telegram_inbox_a, sender="6", subject="")).ticket
    do_merge_tickets(admin_user, chat_source.pk, chat_target.pk)
    assert receive(inbound(telegram_inbox_a, sender="5", subject="")).ticket.pk == chat_target.pk


def test_it_redirects_a_merged_contacts_identities_to_the_target(
    email_inbox_a: Any, telegram_inbox_a: Any, admin_user: Any
) -> None:
    mail = receive(inbound(email_inbox_a, sender="reza@example.com"))
    chat = receive(inbound(telegram_inbox_a, sender="31337", subject=""))
    source, target = chat.ticket.contact, mail.ticket.contact
    do_merge_contacts(admin_user, source.pk, target.pk)
    again = receive(inbound(telegram_inbox_a, sender="31337", subject=""))
    assert again.ticket.pk == chat.ticket.pk and again.ticket.contact_id == target.pk
    assert again.message.author_contact_id == target.pk
    assert Contact.objects.get(pk=source.pk).merged_into_id == target.pk
    assert set(target.identities.values_list("kind", flat=True)) == {"email", "telegram"}
    # The ticket number of the moved ticket now belongs to the target's addresses.
    by_number = receive(
        inbound(email_inbox_a, sender="reza@example.com", ticket_number=chat.ticket.pk)
    )
    assert by_number.ticket.pk == chat.ticket.pk


def test_it_reopens_a_ticket_an_agent_resolved(email_inbox_a: Any, agent_a: Any) -> None:
    first = receive(inbound(email_inbox_a, external_id="<agent-res@x>")).ticket
    do_set_status(agent_a, first.pk, TicketStatus.RESOLVED)
    again = receive(inbound(email_inbox_a, in_reply_to="<agent-res@x>"))
    assert again.reopened and again.ticket.pk == first.pk
