"""A pigeon lands: the view only parses and hands one InboundMessage to the core."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from helpdesk.inbound import InboundMessage, Sender
from helpdesk.ingest import receive
from helpdesk.models import Inbox


@csrf_exempt
@require_POST
def land(request: HttpRequest, inbox_id: int) -> HttpResponse:
    inbox = Inbox.objects.get(pk=inbox_id, kind="pigeon")
    result = receive(
        InboundMessage(
            inbox_id=inbox.pk,
            external_id=request.POST["note_id"],
            sender=Sender(kind="pigeon-ring", address=request.POST["ring"]),
            received_at=timezone.now(),
            text=request.POST["note"],
        )
    )
    return JsonResponse({"ticket": result.ticket.pk}, status=201)


urlpatterns = [path("<int:inbox_id>/land/", land, name="pigeon-land")]
