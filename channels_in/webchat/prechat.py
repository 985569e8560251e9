"""The widget's pre-chat form: which questions it asks, and where the answers go.

An inbox's `PrechatField`s list the questions; each answer is stored on the
visitor's contact as its name, an email or phone identity, or a typed custom
attribute (validated by the attribute's type, `helpdesk.crm.attributes`).
Without configured questions the form asks name and email, as it always did.
A new visitor has no contact until the first message: what the contact needs
waits on the conversation (`prechat_pending`) and is applied then, by actions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from channels_in.webchat.models import (
    PrechatField,
    PrechatTarget,
    WebchatConfig,
    WebchatConversation,
)
from channels_in.webchat.parse import Prechat
from helpdesk import channels, identities
from helpdesk.actions.contacts import do_add_identity, do_set_contact_attributes
from helpdesk.actions.errors import ActionError
from helpdesk.crm.attributes import clean_value
from helpdesk.identities import InvalidAddress, normalize_phone
from helpdesk.models import AttributeDefinition

MAX_NAME = 200

# How the widget draws an answer of each attribute type.
_INPUTS = {"email": "email", "phone": "tel", "link": "url", "number": "text", "date": "text"}


@dataclass(frozen=True, slots=True)
class Question:
    key: str
    target: str
    label: str
    required: bool
    type: str  # text, email, phone, number, date, list, checkbox, link
    choices: tuple[str, ...] = ()
    definition: AttributeDefinition | None = field(default=None, compare=False)


@dataclass(slots=True)
class Answers:
    """A form's answers, cleaned: what the conversation keeps and what the contact gets."""

    name: str = ""
    email: str = ""
    phone: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)


class PrechatInvalid(Exception):
    """Answers the form refuses: `errors` maps each question's key to a short reason."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


def questions(config: WebchatConfig, language: str = "") -> list[Question]:
    """The questions of the config's form, labelled in `language` (fa or en)."""
    rows = list(PrechatField.objects.filter(config=config).select_related("attribute"))
    if not rows:
        return [
            Question("name", PrechatTarget.NAME, _("Your name"), False, "text"),
            Question("email", PrechatTarget.EMAIL, _("Your email"), False, "email"),
        ]
    return [_question(row, language) for row in rows]


def _question(row: PrechatField, language: str) -> Question:
    label = (row.label_fa if language == "fa" else row.label_en) or row.label_en or row.label_fa
    if row.target == PrechatTarget.ATTRIBUTE and row.attribute is not None:
        defn = row.attribute
        kind = str(defn.type)
        choices = tuple(str(c) for c in defn.choices or ())
        return Question(row.key, row.target, label or defn.label, row.required, kind, choices, defn)
    defaults = {"name": _("Your name"), "email": _("Your email"), "phone": _("Your phone number")}
    kind = {"name": "text", "email": "email", "phone": "phone"}[str(row.target)]
    return Question(row.key, row.target, label or defaults[str(row.target)], row.required, kind)


def widget_questions(config: WebchatConfig, language: str) -> list[dict[str, Any]]:
    """The questions as the widget's settings carry them (JSON)."""
    return [
        {
            "key": q.key,
            "label": q.label,
            "required": q.required,
            "type": q.type,
            "input": _INPUTS.get(q.type, "text"),
            "choices": list(q.choices),
        }
        for q in questions(config, language)
    ]


def clean_answers(config: WebchatConfig, form: Prechat, language: str = "") -> Answers:
    """The form's answers checked against the config's questions; raises PrechatInvalid
    naming every refused answer (a required one left empty, a value its type refuses,
    a key the form does not ask)."""
    values = dict(form.values)
    for key, legacy in (("name", form.name), ("email", form.email)):
        if legacy:  # widgets from before configurable questions send these two
            values.setdefault(key, legacy)
    asked = questions(config, language)
    errors = {
        key: _("This question is not asked.") for key in values.keys() - {q.key for q in asked}
    }
    answers = Answers()
    for question in asked:
        raw = str(values.get(question.key, "")).strip()
        if not raw:
            if question.required:
                errors[question.key] = _("Please fill this in.")
            continue
        problem = _store(answers, question, raw)
        if problem:
            errors[question.key] = problem
    if errors:
        raise PrechatInvalid(errors)
    return answers


def _store(answers: Answers, question: Question, raw: str) -> str:
    """Put one answer where it belongs; the reason it is refused, or ""."""
    if question.target == PrechatTarget.NAME:
        answers.name = " ".join(raw.split())[:MAX_NAME]
    elif question.target == PrechatTarget.EMAIL:
        try:
            validate_email(raw.lower())
        except ValidationError:
            return _("Please enter a valid email address.")
        answers.email = raw.lower()
    elif question.target == PrechatTarget.PHONE:
        try:
            answers.phone = normalize_phone(raw)
        except InvalidAddress:
            return _("Please enter a valid phone number.")
    elif question.definition is not None:
        try:
            answers.attributes[question.definition.key] = clean_value(question.definition, raw)
        except ActionError:
            return _("Please check this value.")
    return ""


def keep_pending(conversation: WebchatConversation, answers: Answers) -> None:
    """Note what the contact should get (applied by `apply_pending`), over older answers."""
    pending: dict[str, Any] = dict(conversation.prechat_pending or {})
    if answers.phone:
        pending["phone"] = answers.phone
    if answers.attributes:
        pending["attributes"] = {**pending.get("attributes", {}), **answers.attributes}
    conversation.prechat_pending = pending


def apply_pending(conversation: WebchatConversation, contact_id: int) -> None:
    """Give the contact the phone number and attributes the visitor typed, through the
    actions (an attribute event on the contact; a number another contact already has
    stays theirs, as with the email)."""
    pending = conversation.prechat_pending or {}
    if not pending:
        return
    with transaction.atomic():
        phone = pending.get("phone")
        if phone and identities.PHONE in channels.identity_specs():
            do_add_identity(
                None, contact_id, identities.PHONE, phone, display_name=conversation.name
            )
        if pending.get("attributes"):
            do_set_contact_attributes(None, contact_id, pending["attributes"])
        conversation.prechat_pending = {}
        conversation.save(update_fields=["prechat_pending"])
