from __future__ import annotations

from helpdesk.models.attributes import AttributeDefinition, AttributeEntity, AttributeType
from helpdesk.models.automation import (
    BusinessHours,
    InboxAutomation,
    Match,
    Rule,
    RuleRun,
    Trigger,
)
from helpdesk.models.company import Company, CompanyDomain
from helpdesk.models.contact import Contact, ContactIdentity
from helpdesk.models.contact_import import ContactImport, ImportState
from helpdesk.models.event import TicketEvent
from helpdesk.models.idempotency import IdempotentRequest
from helpdesk.models.inbox import Inbox, Team
from helpdesk.models.message import (
    Attachment,
    AuthorKind,
    DeliveryStatus,
    Direction,
    Message,
)
from helpdesk.models.segment import Segment
from helpdesk.models.staff import (
    Agent,
    ApiToken,
    AssignmentMode,
    AssignmentPolicy,
    Presence,
    Role,
    Theme,
    TokenScope,
    hash_token,
)
from helpdesk.models.ticket import Priority, Ticket, TicketStatus

__all__ = [
    "AttributeDefinition",
    "AttributeEntity",
    "AttributeType",
    "Company",
    "CompanyDomain",
    "ContactImport",
    "ImportState",
    "Segment",
    "Agent",
    "ApiToken",
    "AssignmentMode",
    "AssignmentPolicy",
    "Presence",
    "Role",
    "Theme",
    "TokenScope",
    "hash_token",
    "Attachment",
    "BusinessHours",
    "InboxAutomation",
    "Match",
    "Rule",
    "RuleRun",
    "Trigger",
    "AuthorKind",
    "Contact",
    "ContactIdentity",
    "DeliveryStatus",
    "Direction",
    "IdempotentRequest",
    "Inbox",
    "Message",
    "Priority",
    "Team",
    "Ticket",
    "TicketEvent",
    "TicketStatus",
]
