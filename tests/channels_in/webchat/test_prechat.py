"""The pre-chat form's configurable questions, mapped to the contact (socket level)."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async

from channels_in.webchat import texts
from channels_in.webchat.admin import PrechatFieldFormSet
from channels_in.webchat.models import PrechatField, WebchatConfig, WebchatConversation
from helpdesk.models import AttributeDefinition, Contact, Ticket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]


def _configure(config: WebchatConfig) -> None:
    plan = AttributeDefinition.objects.create(
        entity="contact", key="plan", label="Plan", type="list", choices=["Gold", "Silver"]
    )
    since = AttributeDefinition.objects.create(
        entity="contact", key="customer_since", label="Customer since", type="date"
    )
    config.prechat_form = True
    config.save()
    for position, (target, attribute, required) in enumerate(
        [("name", None, False), ("phone", None, True), ("attribute", plan, True)]
        + [("attribute", since, False)]
    ):
        PrechatField.objects.create(
            config=config,
            position=position,
            target=target,
            attribute=attribute,
            required=required,
            label_fa="طرح شما" if attribute == plan else "",
        )


def _contact() -> Contact:
    return Ticket.objects.select_related("contact").get().contact


def _identities(contact: Contact) -> dict[str, str]:
    return dict(contact.identities.values_list("kind", "address"))


async def _open(visitors: Any, config: WebchatConfig, **hello: Any) -> tuple[Any, dict[str, Any]]:
    visitor = visitors(config.public_key)
    assert await visitor.connect()
    ready = await visitor.hello(**hello)
    assert ready["type"] == "ready", ready
    return visitor, ready


async def test_it_asks_the_configured_questions_and_stores_the_answers_on_the_contact(
    visitors: Any, chat_a: WebchatConfig
) -> None:
    await sync_to_async(_configure)(chat_a)
    settings = await sync_to_async(texts.widget_settings)(chat_a, "fa")
    asked = {q["key"]: q for q in settings["prechat_fields"]}
    assert list(asked) == ["name", "phone", "attr:plan", "attr:customer_since"]
    assert asked["attr:plan"]["label"] == "طرح شما" and asked["attr:plan"]["type"] == "list"
    assert asked["attr:plan"]["choices"] == ["Gold", "Silver"] and asked["phone"]["required"]
    visitor, ready = await _open(visitors, chat_a, language="fa")
    assert ready["prechat_required"]
    # A required answer missing, a choice the list does not have, a question not asked.
    bad = {"name": "Sara", "attr:plan": "Bronze", "attr:vip": "yes"}
    await visitor.send({"type": "prechat", "values": bad})
    refused = await visitor.until("prechat.invalid")
    assert set(refused["errors"]) == {"phone", "attr:plan", "attr:vip"}
    assert refused["errors"]["phone"] == "لطفاً این را پر کنید."  # the visitor's language
    conversation = await sync_to_async(WebchatConversation.objects.first)()
    assert conversation is None  # nothing kept from a refused form
    good = {
        "name": " Sara  Ahmadi ",
        "phone": "۰۹۱۲ ۱۲۳ ۴۵۶۷",
        "attr:plan": "gold",
        "attr:customer_since": "۱۴۰۳/۰۵/۱۲",
    }
    await visitor.send({"type": "prechat", "values": good})
    assert (await visitor.until("prechat.saved"))["name"] == "Sara Ahmadi"
    await visitor.say("where is my order?", client_id="prechat-0001")
    contact = await sync_to_async(_contact)()
    assert contact.name == "Sara Ahmadi"
    assert contact.custom_attributes == {"plan": "Gold", "customer_since": "2024-08-02"}
    assert (await sync_to_async(_identities)(contact))["phone"] == "+989121234567"
    again, resumed = await _open(visitors, chat_a, token=ready["token"])
    assert not resumed["prechat_required"]


async def test_it_applies_answers_at_once_when_the_visitor_already_has_a_contact(
    visitors: Any, chat_a: WebchatConfig
) -> None:
    await sync_to_async(_configure)(chat_a)
    visitor, _ready = await _open(visitors, chat_a, language="en")
    await visitor.say("hello first", client_id="prechat-0002")
    await visitor.send(
        {"type": "prechat", "values": {"phone": "9121112233", "attr:plan": "SILVER"}}
    )
    await visitor.until("prechat.saved")
    contact = await sync_to_async(_contact)()
    assert contact.custom_attributes == {"plan": "Silver"}
    assert (await sync_to_async(_identities)(contact))["phone"] == "+989121112233"
    conversation = await sync_to_async(WebchatConversation.objects.get)()
    assert conversation.prechat_pending == {}


async def test_it_keeps_the_name_and_email_form_without_configured_questions(
    visitors: Any, chat_a: WebchatConfig
) -> None:
    settings = await sync_to_async(texts.widget_settings)(chat_a, "en")
    assert [q["key"] for q in settings["prechat_fields"]] == ["name", "email"]
    visitor, _ready = await _open(visitors, chat_a)
    await visitor.send({"type": "prechat", "values": {"phone": "09121234567"}})
    assert set((await visitor.until("prechat.invalid"))["errors"]) == {"phone"}
    await visitor.send({"type": "prechat", "values": {"email": "Reza@Example.com"}})
    assert (await visitor.until("prechat.saved"))["email"] == "reza@example.com"


def test_it_refuses_two_questions_stored_in_the_same_place(chat_a: WebchatConfig) -> None:
    prefix = "prechat_fields"
    data = {
        f"{prefix}-TOTAL_FORMS": "2",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-0-target": "email",
        f"{prefix}-0-position": "0",
        f"{prefix}-1-target": "email",
        f"{prefix}-1-position": "1",
    }
    formset_class = PrechatFieldFormSet
    from django.forms import inlineformset_factory

    from channels_in.webchat.admin import PrechatFieldForm

    formset = inlineformset_factory(
        WebchatConfig, PrechatField, form=PrechatFieldForm, formset=formset_class, extra=0
    )(data, instance=chat_a, prefix=prefix)
    assert not formset.is_valid()
    data[f"{prefix}-1-target"] = "attribute"  # an attribute question names its attribute
    formset = inlineformset_factory(
        WebchatConfig, PrechatField, form=PrechatFieldForm, formset=formset_class, extra=0
    )(data, instance=chat_a, prefix=prefix)
    assert not formset.is_valid() and "attribute" in formset.forms[1].errors
