"""The CTI endpoint (POST /api/v1/cti/<token>) and the agents' call log page."""

from __future__ import annotations

import hmac
import logging

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from channels_in.phone.calls import CtiError, handle_event
from channels_in.phone.forms import ManualCallForm
from channels_in.phone.manual import complete_call_form, log_call
from channels_in.phone.models import PhoneLine, hash_cti_token
from channels_in.phone.parse import CtiBodyError, CtiParseError, parse_request
from channels_in.phone.queries import call_log
from helpdesk.actions.errors import ActionError
from helpdesk.staff.decorators import agent_required, agent_required_json

logger = logging.getLogger(__name__)


def _line_for(token: str) -> PhoneLine | None:
    digest = hash_cti_token(token)
    line = PhoneLine.objects.select_related("inbox").filter(token_hash=digest).first()
    # The lookup is by hash; compare again in constant time for good measure.
    if line is None or not hmac.compare_digest(line.token_hash, digest):
        return None
    return line if line.inbox.enabled else None


@csrf_exempt
@require_POST
def cti_event(request: HttpRequest, token: str) -> HttpResponse:
    """Authenticate by the line's token, parse strictly, apply; never log the token."""
    line = _line_for(token)
    if line is None:
        return JsonResponse({"error": "unknown or disabled CTI token"}, status=401)
    try:
        event = parse_request(request)
        result = handle_event(line, event)
    except CtiBodyError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    except (CtiParseError, CtiError) as exc:
        return JsonResponse({"error": str(exc)}, status=422)
    if result.reject:
        return JsonResponse({"action": "reject", "reason": "busy"})
    return JsonResponse({})


@agent_required
def call_log_page(request: HttpRequest) -> HttpResponse:
    """Recent calls with filters: missed, line, agent, number in any format."""
    calls, form = call_log(request.user, request.GET)
    page = Paginator(calls, 50).get_page(request.GET.get("page"))
    return render(request, "phone/call_log.html", {"page": page, "filters": form})


@agent_required_json
@require_POST
def call_form(request: HttpRequest, call_pk: int) -> HttpResponse:
    """The pop-up's call form: notes, outcome, the ticket or a follow-up ticket."""
    data = request.POST
    ticket = data.get("ticket", "")
    try:
        call = complete_call_form(
            request.user,
            call_pk,
            notes=data.get("notes", "")[:10_000],
            outcome=data.get("outcome") or None,
            ticket_id=int(ticket) if ticket.isdigit() else None,
            follow_up=ticket == "new",
        )
    except ActionError as exc:
        return JsonResponse({"error": exc.message}, status=exc.status)
    return JsonResponse({"call_id": call.pk, "ticket_id": call.ticket_id})


@agent_required
def log_call_page(request: HttpRequest) -> HttpResponse:
    """Log a call by hand (from the call log or a ticket: ?ticket=N prefills it)."""
    form = ManualCallForm(request.user, request.POST or None, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        try:
            call = log_call(request.user, **form.cleaned_data)
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect(f"/t/{call.ticket_id}/" if call.ticket_id else "/calls/")
    return render(request, "phone/log_call.html", {"form": form})
