from __future__ import annotations

from typing import Any

import pytest

from helpdesk.models import BusinessHours, InboxAutomation


@pytest.fixture
def always_closed(db: None) -> BusinessHours:
    return BusinessHours.objects.create(name="never", time_zone="Asia/Tehran", weekly={})


@pytest.fixture
def automation_a(email_inbox_a: Any) -> InboxAutomation:
    return InboxAutomation.objects.create(
        inbox=email_inbox_a,
        acknowledge=True,
        acknowledgement={
            "en": "Dear {{contact.name}}, we received request #{{ticket.number}}.",
            "fa": "{{contact.name}} گرامی، درخواست شماره {{ticket.number}} دریافت شد.",
        },
        out_of_office={"en": "We are closed; we will answer #{{ticket.number}} soon."},
    )
