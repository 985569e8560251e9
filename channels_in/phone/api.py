"""The phone channel's part of the JSON API (mounted at /api/v1/calls/)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from channels_in.phone.manual import complete_call_form, log_call
from channels_in.phone.models import Call
from channels_in.phone.queries import call_log
from helpdesk.api.types import Id, PathId, QueryId, QueryText, Text

router = Router(tags=["calls"])


class CallOut(Schema):
    id: int
    line_id: int
    direction: str
    number: str
    contact_id: int | None
    agent_id: int | None
    state: str
    outcome: str
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    wait_seconds: int | None
    talk_seconds: int | None
    notes: str
    recording_url: str
    ticket_id: int | None
    needs_callback: bool
    source: str


def _out(call: Call) -> dict[str, Any]:
    return {
        "id": call.pk,
        "line_id": call.line_id,
        "direction": call.direction,
        "number": call.customer_number,
        "contact_id": call.contact_id,
        "agent_id": call.agent_id,
        "state": call.state,
        "outcome": call.outcome,
        "started_at": call.started_at,
        "answered_at": call.answered_at,
        "ended_at": call.ended_at,
        "wait_seconds": call.wait_seconds,
        "talk_seconds": call.talk_seconds,
        "notes": call.notes,
        "recording_url": call.recording_url,
        "ticket_id": call.ticket_id,
        "needs_callback": call.needs_callback,
        "source": call.source,
    }


class CallFilters(Schema):
    missed: Literal["", "1", "callback"] = ""
    line: QueryId | None = None
    agent: QueryId | None = None
    number: QueryText = Field(default="", max_length=64)
    limit: int = Field(default=50, ge=1, le=200)


class ManualCallIn(Schema):
    model_config = ConfigDict(extra="forbid")

    line_id: Id
    number: Text = Field(min_length=3, max_length=64)
    direction: Literal["in", "out"]
    outcome: Literal["answered", "missed", "busy", "rejected", "voicemail"]
    notes: Text = Field(default="", max_length=10_000)
    ticket_id: Id | None = None
    talk_seconds: int = Field(default=0, ge=0, le=86_400)


class CallFormIn(Schema):
    model_config = ConfigDict(extra="forbid")

    notes: Text = Field(default="", max_length=10_000)
    outcome: Literal["answered", "missed", "busy", "rejected", "voicemail"] | None = None
    ticket_id: Id | None = None
    follow_up: bool = False


@router.get("/", response=list[CallOut])
def list_calls(request: HttpRequest, filters: Query[CallFilters]) -> list[dict[str, Any]]:
    params = {k: "" if v is None else str(v) for k, v in filters.model_dump().items()}
    calls, _ = call_log(request.user, params)
    return [_out(c) for c in calls[: filters.limit]]


@router.post("/", response={201: CallOut})
def create_call(request: HttpRequest, body: ManualCallIn) -> Status[dict[str, Any]]:
    call = log_call(request.user, **body.model_dump())
    return Status(201, _out(Call.objects.get(pk=call.pk)))


@router.post("/{call_id}/form", response=CallOut)
def submit_call_form(request: HttpRequest, call_id: PathId, body: CallFormIn) -> dict[str, Any]:
    return _out(complete_call_form(request.user, call_id, **body.model_dump()))
