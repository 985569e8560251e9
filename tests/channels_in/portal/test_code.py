"""Sign-in by a phone number: a six-digit code texted through the channel registry
(helpdesk.channels.DirectTexter; SMS in the desk), used once, a few tries per code."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from helpdesk.models import Contact, ContactIdentity
from tests.channels_in.bale.conftest import USER as BALE_USER

pytestmark = pytest.mark.django_db


@dataclass
class Texter:
    """The SMS channel's sender at the network edge: records what it would text."""

    texts: list[tuple[str, str]] = field(default_factory=list)

    def send(self, message: Any) -> Any:
        raise AssertionError("no replies in these tests")

    def send_text(self, address: str, text: str) -> bool:
        self.texts.append((address, text))
        return True


@pytest.fixture
def texter(sender_override: Any) -> Texter:
    fake = Texter()
    sender_override("sms", fake)
    return fake


@pytest.fixture
def caller(db: None) -> Contact:
    contact = Contact.objects.create(name="Maryam", language="fa")
    ContactIdentity.objects.create(contact=contact, kind="phone", address="+989123456789")
    return contact


def _ask(client: Client, texter: Texter) -> str:
    page = client.post("/portal/fa/sign-in/", {"identity": "۰۹۱۲-۳۴۵-۶۷۸۹"})
    assert page.status_code == 200 and 'id="portal-code"' in page.content.decode()
    address, text = texter.texts[-1]
    assert address == "+989123456789" and "کد ورود" in text
    found = re.search(r"\d{6}", text)
    assert found, text
    return found.group(0)


def test_it_signs_in_by_a_texted_code_once(client: Client, texter: Texter, caller: Contact) -> None:
    code = _ask(client, texter)
    wrong = "000000" if code != "000000" else "111111"
    form = {"identity": "+989123456789"}
    assert client.post("/portal/fa/code/", form | {"code": wrong}).status_code == 400
    persian = code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    response = client.post("/portal/fa/code/", form | {"code": persian})
    assert response.status_code == 302 and response["Location"] == "/portal/fa/"
    assert client.get("/portal/fa/").status_code == 200
    assert Client().post("/portal/fa/code/", form | {"code": code}).status_code == 400


def test_it_spends_a_code_after_five_wrong_tries(
    client: Client, texter: Texter, caller: Contact
) -> None:
    code = _ask(client, texter)
    form = {"identity": "+989123456789"}
    wrong = [c for c in ("000000", "111111", "222222", "333333", "444444", "555555") if c != code]
    for attempt in wrong[:5]:
        assert client.post("/portal/fa/code/", form | {"code": attempt}).status_code == 400
    assert client.post("/portal/fa/code/", form | {"code": code}).status_code == 400


def test_it_texts_the_code_through_the_sms_line(
    client: Client, kavenegar: Any, gateways: Any, caller: Contact
) -> None:
    from channels_in.sms.models import OutboundSms

    page = client.post("/portal/fa/sign-in/", {"identity": "+98 912 345 6789"})
    assert page.status_code == 200
    (sent,) = gateways.sent()
    form = sent.form()
    assert form["receptor"] == "09123456789" and form["sender"] == "10004346"
    code = re.search(r"\d{6}", form["message"])
    assert code and "کد ورود" in form["message"]
    assert not OutboundSms.objects.exists()  # a secret of no conversation: not in the log
    response = client.post("/portal/fa/code/", {"identity": "+989123456789", "code": code.group(0)})
    assert response.status_code == 302


def test_it_texts_the_code_by_bale_when_the_contact_has_a_chat_with_its_bot(
    client: Client, caller: Contact, bale_config: Any, fake_api: Any
) -> None:
    """No SMS line: the code goes by the Bale bot the customer wrote to (the shared
    Bot API kit's DirectTexter), in the loopback Bot API server at a Bale-style root."""
    from channels_in.bale.models import BaleChat

    ContactIdentity.objects.create(contact=caller, kind="bale", address=str(BALE_USER))
    BaleChat.objects.create(inbox_id=bale_config.inbox_id, chat_id=BALE_USER, user_id=BALE_USER)
    page = client.post("/portal/fa/sign-in/", {"identity": "09123456789"})
    assert page.status_code == 200
    (call,) = fake_api.calls_to("sendMessage")
    assert call.params["chat_id"] == BALE_USER and "کد ورود" in call.params["text"]
    code = re.search(r"\d{6}", call.params["text"])
    assert code is not None
    form = {"identity": "+989123456789", "code": code.group(0)}
    assert client.post("/portal/fa/code/", form).status_code == 302
