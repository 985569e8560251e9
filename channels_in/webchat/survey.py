"""Surveys in the widget: the rating drawn inline under the question, answered by a frame.

The desk sends a survey prompt as an ordinary reply whose `channel_meta["survey"]`
says what to draw (ChannelSpec.survey_prompt = NATIVE); the widget shows the
scale as buttons and answers with `{"type": "rate", "request_id", "score"}`,
accepted only from the contact the survey was sent to.
"""

from __future__ import annotations

from typing import Any

from channels_in.webchat.conversations import contact_of
from channels_in.webchat.models import WebchatConversation
from channels_in.webchat.visitor import VisitorToken
from helpdesk.actions.errors import ActionError
from helpdesk.models import Contact, Message
from helpdesk.surveys.actions import do_answer
from helpdesk.surveys.models import SurveyRequest, SurveyResponse


def survey_frame(message: Message) -> dict[str, Any] | None:
    """What the widget needs to draw a survey prompt (None for any other message)."""
    meta = message.channel_meta.get("survey") if isinstance(message.channel_meta, dict) else None
    if not isinstance(meta, dict) or not isinstance(meta.get("request_id"), int):
        return None
    answered = (
        SurveyResponse.objects.filter(request_id=meta["request_id"])
        .values_list("score", flat=True)
        .first()
    )
    return {
        "request_id": meta["request_id"],
        "kind": meta.get("kind", "csat"),
        "min": meta.get("min", 1),
        "max": meta.get("max", 5),
        "labels": meta.get("labels", {}),
        "thanks": meta.get("thanks", ""),
        "score": answered,
    }


def rate(token: VisitorToken, request_id: int, score: int) -> dict[str, Any]:
    """Record the visitor's rating; the frame to send back (`rated` or an error)."""
    conversation = WebchatConversation.objects.filter(key=token.key).first()
    contact = contact_of(conversation) if conversation else None
    request = SurveyRequest.objects.filter(pk=request_id).first()
    owner = Contact.objects.filter(pk=request.contact_id).first() if request else None
    if contact is None or owner is None or owner.resolve().pk != contact.pk:
        return {"type": "error", "code": "survey_closed", "message": "no such survey"}
    try:
        do_answer(request_id, score, via="webchat")
    except ActionError as exc:
        return {"type": "error", "code": "survey_closed", "message": exc.message}
    return {"type": "rated", "request_id": request_id, "score": score}
