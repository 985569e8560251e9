"""Pages for development and demo mode only: the mail the local sink captured."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from config import mail_sink
from helpdesk.staff.access import agent_of


@login_required
def captured_mail(request: HttpRequest) -> HttpResponse:
    """The newest mail the demo desk sent, as the local SMTP sink kept it (404 in production)."""
    if not mail_sink.enabled() or agent_of(request.user) is None:
        raise Http404("development and demo mode only")
    context = {
        "mails": mail_sink.captured(mail_sink.folder()),
        "sink": f"{mail_sink.HOST}:{mail_sink.port()}",
    }
    return render(request, "devtools/captured_mail.html", context)


def dev_tools(request: HttpRequest) -> dict[str, Any]:
    """Context processor: `dev_mail_url` for the top bar, None outside dev and demo mode."""
    return {"dev_mail_url": reverse("dev_mail") if mail_sink.enabled() else None}
