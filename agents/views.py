from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agents.access import visible_tickets


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The inbox's landing page: the agent's open work, newest activity first."""
    tickets = (
        visible_tickets(request.user)
        .select_related("contact", "inbox", "assignee")
        .order_by("-last_message_at", "-id")[:50]
    )
    return render(request, "agents/home.html", {"tickets": tickets})
