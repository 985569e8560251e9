"""One small desk for the security checks: team A's objects and the five roles."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from channels_in.phone.models import Call, PhoneLine
from channels_in.webchat.models import WebchatConfig
from channels_in.webchat.visitor import file_token
from helpdesk.actions import messages as message_actions
from helpdesk.automation.rule_actions import DEFLECT_SALT
from helpdesk.followups.actions import do_create_task
from helpdesk.ingest import receive
from helpdesk.macros.models import Macro
from helpdesk.models import ApiToken, Attachment, DeliveryStatus, Role
from knowledge_base.models import Article, Category
from tests import factories
from tests.security.matrix import ROLES


@dataclass
class World:
    """Team A's objects (ids by URL parameter name) and a user per role."""

    ids: dict[str, Any]
    users: dict[str, Any] = field(default_factory=dict)

    sessions: dict[str, str] = field(default_factory=dict)

    def client(self, role: str) -> Client:
        """A client with the role's session (logged in once per role, then reused)."""
        client = Client()
        if self.users[role] is None:
            return client
        if role not in self.sessions:
            client.force_login(self.users[role])
            self.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
            return client
        client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return client

    def api_client(self, role: str) -> Client:
        if self.users[role] is None:
            return Client()
        token = factories.make_token(self.users[role])
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _users(team_a: Any, team_b: Any) -> dict[str, Any]:
    plain = get_user_model().objects.create_user(username="nobody", password="pw-nobody")
    admin = factories.make_user("root", role=Role.ADMIN)
    # The desk's administrators are superusers (they also work in the Django admin).
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    users = {
        "anonymous": None,
        "user": plain,
        "other_agent": factories.make_user("bob", teams=[team_b]),
        "team_agent": factories.make_user("alice", teams=[team_a]),
        "admin": admin,
    }
    assert tuple(users) == ROLES
    return users


def _phone(team_a: Any) -> tuple[PhoneLine, Call]:
    inbox = factories.make_inbox(team_a, "phone", name="Line A")
    line = PhoneLine(inbox=inbox, numbers=["+982112345678"])
    line.new_token()
    line.save()
    call = Call.objects.create(
        line=line,
        call_id="call-a-1",
        direction="in",
        customer_number="+989121234567",
        started_at=timezone.now() - timedelta(minutes=5),
    )
    return line, call


def _kb() -> tuple[Category, Article]:
    category = Category.objects.create(slug="billing", name_en="Billing")
    article = Article.objects.create(
        category=category, locale="en", slug="refunds", title="Refunds", status="published"
    )
    return category, article


def _crm(admin: Any) -> dict[str, Any]:
    """A company, a segment, an attribute definition, an import and a contact without
    tickets (the only kind that may be deleted)."""
    from helpdesk.actions.contact_create import do_create_contact
    from helpdesk.actions.imports import do_upload_import
    from helpdesk.models import AttributeDefinition, Company, Segment

    job = do_upload_import(admin, "p.csv", b"name,email\nA,a@example.com\n")
    return {
        "company_id": Company.objects.create(name="Acme").pk,
        "segment_id": Segment.objects.create(name="Everyone").pk,
        "definition_id": AttributeDefinition.objects.create(
            entity="contact", key="plan", label="Plan", type="text"
        ).pk,
        "attribute_id": AttributeDefinition.objects.create(
            entity="ticket", key="order", label="Order", type="text"
        ).pk,
        "job_id": job.pk,
        "spare_contact_id": do_create_contact(admin, name="Spare").pk,
    }


def _webhooks(admin: Any) -> dict[str, int]:
    from helpdesk.outbound_webhooks.actions import do_create_subscription
    from helpdesk.outbound_webhooks.models import Delivery

    data = {"name": "Shop", "url": "https://shop.example/hooks", "event_types": ["ticket.created"]}
    sub, _secret = do_create_subscription(admin, data)
    spare, _secret = do_create_subscription(admin, {**data, "name": "Spare"})
    logged = Delivery.objects.create(
        subscription=sub, event_type="ticket.created", body="{}", status="failed"
    )
    return {
        "subscription_id": sub.pk,
        "spare_subscription_id": spare.pk,
        "delivery_id": logged.pk,
    }


@pytest.fixture
def world(team_a: Any, team_b: Any, email_inbox_a: Any) -> World:
    users = _users(team_a, team_b)
    ticket = receive(factories.inbound(email_inbox_a, subject="Printer on fire")).ticket
    other = receive(
        factories.inbound(email_inbox_a, sender="second@example.com", subject="Second")
    ).ticket
    reply = message_actions.do_reply(
        users["team_agent"],
        ticket.pk,
        "Hello",
        files=(message_actions.OutgoingFile("a.txt", "text/plain", b"team a secret"),),
    )
    message_actions.do_record_delivery(reply.pk, status=DeliveryStatus.FAILED, error="boom")
    attachment = Attachment.objects.get(message=reply)
    line, call = _phone(team_a)
    telegram = factories.make_inbox(team_a, "telegram", name="Bot A")
    chat = WebchatConfig.objects.get(inbox=factories.make_inbox(team_a, "webchat"))
    category, article = _kb()
    from django.core import signing

    factories.make_token(users["team_agent"])
    token = ApiToken.objects.filter(user=users["team_agent"]).latest("pk")

    task = do_create_task(users["team_agent"], title="Call back", ticket_id=ticket.pk)
    macro = Macro.objects.create(name="Thanks", add_tags="thanked")
    crm = _crm(users["admin"])
    webhooks = _webhooks(users["admin"])
    ids: dict[str, Any] = {
        **crm,  # companies, segments, attribute definitions, an import (issue 19)
        **webhooks,  # a subscription with a logged delivery, and a spare one (issue 21)
        "task_id": task.pk,  # a team A task (helpdesk.followups)
        "macro_id": macro.pk,  # a macro shared with every agent
        "ticket_id": ticket.pk,
        "team_id": team_b.pk,  # where a supervisor may move the ticket
        "other_ticket_id": other.pk,
        "contact_id": ticket.contact_id,
        "other_contact_id": other.contact_id,
        "message_id": reply.pk,
        "attachment_id": attachment.pk,
        "call_pk": call.pk,
        "call_id": call.pk,
        "line_id": line.pk,
        "inbox_id": telegram.pk,
        "public_key": chat.public_key,
        "signed": file_token(attachment.pk),
        "pk": article.pk,
        "locale": "en",
        "slug": article.slug,
        "category_slug": category.slug,
        "name": "widget.js",
        "team_agent_id": users["team_agent"].pk,
        "token_id": token.pk,  # the team agent's own API token
        # Capabilities of the public endpoints: a wrong CTI token, a valid "solved" link.
        "token": signing.dumps({"t": ticket.pk}, salt=DEFLECT_SALT),
        "cti_token": "not-a-line-token",
    }
    return World(ids=ids, users=users)
