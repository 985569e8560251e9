"""Follow-up tasks: list (mine / team / overdue / done), read, create, change, refer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import BeforeValidator, ConfigDict, Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from helpdesk.api.bodies import WriteBody
from helpdesk.api.pagination import decode_id_cursor, encode_cursor, page_limit
from helpdesk.api.types import CursorText, Id, PageLimit, PathId, Text, UtcDatetime, Version
from helpdesk.followups import actions, referrals
from helpdesk.followups.access import TaskList, task_list, visible_tasks
from helpdesk.followups.models import Task, TaskKind, TaskStatus

router = Router(tags=["tasks"])


def _iso_text(value: Any) -> Any:
    # pydantic would take a number as a Unix time; the schema says an ISO 8601 string.
    if value is not None and not isinstance(value, str):
        raise ValueError("due_at must be an ISO 8601 date-time string")
    return value


DueAt = Annotated[UtcDatetime, BeforeValidator(_iso_text)]


class TaskOut(Schema):
    id: int
    title: str
    notes: str
    kind: str
    status: str
    due_at: datetime | None
    overdue: bool
    assignee_id: int | None
    team_id: int | None
    ticket_id: int | None
    contact_id: int | None
    call_id: int | None
    call_number: str
    created_by_id: int | None
    created_at: datetime
    completed_at: datetime | None
    version: int


class TaskPage(Schema):
    items: list[TaskOut]
    next_cursor: str | None


class ReferralOut(Schema):
    id: int
    task_id: int | None
    ticket_id: int | None
    to_user_id: int | None
    to_team_id: int | None
    note: str
    created_at: datetime


def task_out(task: Task) -> dict[str, Any]:
    return {
        "id": task.pk,
        "title": task.title,
        "notes": task.notes,
        "kind": task.kind,
        "status": task.status,
        "due_at": task.due_at,
        "overdue": task.is_overdue,
        "assignee_id": task.assignee_id,
        "team_id": task.team_id,
        "ticket_id": task.ticket_id,
        "contact_id": task.contact_id,
        "call_id": task.call_id,
        "call_number": task.call_number,
        "created_by_id": task.created_by_id,
        "created_at": task.created_at,
        "completed_at": task.completed_at,
        "version": task.version,
    }


class TaskFilters(Schema):
    list: Literal["mine", "team", "overdue", "done"] | None = None
    ticket_id: Annotated[int, Field(ge=1, le=2**63 - 1)] | None = None
    contact_id: Annotated[int, Field(ge=1, le=2**63 - 1)] | None = None
    cursor: CursorText | None = None
    limit: PageLimit | None = None


@router.get("/tasks", response=TaskPage, summary="List tasks")
def list_tasks(request: HttpRequest, filters: Query[TaskFilters]) -> Any:
    """Tasks the caller may see (of their teams, assigned to or created by them),
    newest first; `list` narrows to mine / team / overdue / done."""
    limit = page_limit(filters.limit)
    qs = task_list(request.user, filters.list) if filters.list else visible_tasks(request.user)
    if filters.ticket_id:
        qs = qs.filter(ticket_id=filters.ticket_id)
    if filters.contact_id:
        qs = qs.filter(contact_id=filters.contact_id)
    if filters.cursor:
        qs = qs.filter(id__lt=decode_id_cursor(filters.cursor))
    rows = list(qs.order_by("-id")[: limit + 1])
    next_cursor = encode_cursor(rows[limit - 1].pk) if len(rows) > limit else None
    return {"items": [task_out(t) for t in rows[:limit]], "next_cursor": next_cursor}


@router.get("/tasks/{task_id}", response=TaskOut, summary="One task")
def get_task(request: HttpRequest, task_id: PathId) -> Any:
    return task_out(actions.check_task(request.user, task_id))


class TaskIn(WriteBody):
    title: Annotated[Text, Field(min_length=1, max_length=200)]
    notes: Annotated[Text, Field(max_length=10_000)] = ""
    due_at: DueAt | None = None
    assignee_id: Id | None = None
    team_id: Id | None = None
    ticket_id: Id | None = None
    contact_id: Id | None = None
    call_id: Id | None = None
    call_number: Annotated[Text, Field(max_length=64)] = ""
    kind: TaskKind = TaskKind.FOLLOW_UP


@router.post("/tasks", response={201: TaskOut}, summary="Create a task")
def create_task(request: HttpRequest, payload: TaskIn) -> Any:
    """A task with neither team nor assignee is the caller's own."""
    task = actions.do_create_task(request.user, **payload.model_dump())
    return Status(201, task_out(task))


class TaskPatchIn(WriteBody):
    """Only the fields sent are changed (assignee_id and team_id may be null)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "anyOf": [
                {"required": [name]}
                for name in ("title", "notes", "due_at", "assignee_id", "team_id", "status")
            ]
        },
    )

    title: Annotated[Text, Field(min_length=1, max_length=200)] = ""
    notes: Annotated[Text, Field(max_length=10_000)] = ""
    due_at: DueAt | None = None
    assignee_id: Id | None = None
    team_id: Id | None = None
    status: TaskStatus = TaskStatus.OPEN
    expected_version: Version | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> TaskPatchIn:
        if not self.model_fields_set - {"expected_version"}:
            raise ValueError("send at least one field to change")
        return self

    def changes(self) -> dict[str, Any]:
        names = sorted(self.model_fields_set - {"expected_version"})
        return {name: getattr(self, name) for name in names}


@router.patch("/tasks/{task_id}", response=TaskOut, summary="Change a task")
def update_task(request: HttpRequest, task_id: PathId, payload: TaskPatchIn) -> Any:
    task = actions.do_update_task(
        request.user, task_id, payload.changes(), expected_version=payload.expected_version
    )
    return task_out(task)


@router.delete("/tasks/{task_id}", response=TaskOut, summary="Cancel a task")
def cancel_task(request: HttpRequest, task_id: PathId) -> Any:
    """Tasks are kept for the record: deleting one cancels it."""
    return task_out(actions.do_set_task_status(request.user, task_id, TaskStatus.CANCELLED))


class ReferIn(WriteBody):
    """A colleague (to_user_id), a team (to_team_id), or a colleague in a team."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"anyOf": [{"required": ["to_user_id"]}, {"required": ["to_team_id"]}]},
    )

    to_user_id: Id | SkipJsonSchema[None] = None
    to_team_id: Id | SkipJsonSchema[None] = None
    note: Annotated[Text, Field(max_length=2000)] = ""

    @model_validator(mode="after")
    def _someone(self) -> ReferIn:
        for name in ("to_user_id", "to_team_id"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} may be absent, not null")
        if self.to_user_id is None and self.to_team_id is None:
            raise ValueError("send to_user_id or to_team_id")
        return self


def _referral_out(referral: Any) -> dict[str, Any]:
    return {
        "id": referral.pk,
        "task_id": referral.task_id,
        "ticket_id": referral.ticket_id,
        "to_user_id": referral.to_user_id,
        "to_team_id": referral.to_team_id,
        "note": referral.note,
        "created_at": referral.created_at,
    }


@router.post("/tasks/{task_id}/refer", response={201: ReferralOut}, summary="Refer a task")
def refer_task(request: HttpRequest, task_id: PathId, payload: ReferIn) -> Any:
    """Hand the task to a colleague or a team with a note; they are notified."""
    referral = referrals.do_refer_task(request.user, task_id, **payload.model_dump())
    return Status(201, _referral_out(referral))


@router.post(
    "/tickets/{ticket_id}/refer",
    response={201: ReferralOut},
    summary="Refer a ticket",
    tags=["ticket actions"],
)
def refer_ticket(request: HttpRequest, ticket_id: PathId, payload: ReferIn) -> Any:
    """Hand the ticket to a colleague (assigned) or a team (moved) with a note."""
    referral = referrals.do_refer_ticket(request.user, ticket_id, **payload.model_dump())
    return Status(201, _referral_out(referral))


_ = TaskList  # the list names are documented in TaskFilters.list
