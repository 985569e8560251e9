"""The notification center's screens: the bell's menu, the full list, mark read,
the agent's preferences, and the agents a note may @mention."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agents.notification_forms import PreferencesForm
from agents.views.common import agent_required, done, failed, last_seq
from helpdesk.actions.common import check_ticket_readable
from helpdesk.actions.errors import ActionError
from helpdesk.models import Agent, Role
from helpdesk.notifications.actions import do_mark_all_read, do_mark_read, do_mark_ticket_read
from helpdesk.notifications.models import Notification
from helpdesk.notifications.preferences import do_set_preferences, settings_for, table_for
from helpdesk.notifications.queries import readable

MENU_SIZE = 8
PAGE_SIZE = 30
MENTION_LIMIT = 8


def _uid(request: HttpRequest) -> int:
    return int(request.user.pk or 0)  # agent_required: always a signed-in user


def _mine(request: HttpRequest) -> QuerySet[Notification]:
    return readable(_uid(request))


@require_GET
@agent_required
def menu(request: HttpRequest) -> HttpResponse:
    """The bell's dropdown: unread count and the newest notifications (htmx fragment)."""
    rows = _mine(request)
    items = list(rows[:MENU_SIZE])
    unread = rows.filter(read_at__isnull=True).count()
    context = {"items": items, "unread": unread, "seq": last_seq()}
    return render(request, "agents/notifications_menu.html", context)


@require_GET
@agent_required
def page(request: HttpRequest) -> HttpResponse:
    """Every notification of the agent, newest first; `?unread=1` for the unread ones."""
    rows = _mine(request)
    unread = rows.filter(read_at__isnull=True).count()
    only_unread = request.GET.get("unread") == "1"
    if only_unread:
        rows = rows.filter(read_at__isnull=True)
    current = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": current, "only_unread": only_unread, "unread": unread}
    return render(request, "agents/notifications.html", context)


@require_GET
@agent_required
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Follow a notification's link (its ticket) and mark it read."""
    note = get_object_or_404(_mine(request), pk=notification_id)
    do_mark_read(_uid(request), [note.pk])
    target = note.url if note.url else reverse("notifications")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("notifications")
    return HttpResponseRedirect(target)


@require_POST
@agent_required
def mark_read(request: HttpRequest) -> HttpResponse:
    """Mark the posted ids read (`id`, repeated), those about one `ticket`, or all (`all=1`)."""
    ticket = request.POST.get("ticket", "")
    if request.POST.get("all") == "1":
        do_mark_all_read(_uid(request))
    elif ticket.isdigit():
        do_mark_ticket_read(_uid(request), int(ticket))
    else:
        ids = [int(v) for v in request.POST.getlist("id") if v.isdigit()]
        do_mark_read(_uid(request), ids)
    return done(request, reverse("notifications"), trigger="desk:notifications")


@require_http_methods(["GET", "POST"])
@agent_required
def preferences(request: HttpRequest) -> HttpResponse:
    """Per kind: in the desk, desktop pop-up, mail; the sound, the desktop switch, the hours."""
    user_id = _uid(request)
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        table=table_for(user_id),
        settings_row=settings_for(user_id),
    )
    if request.method == "POST" and form.is_valid():
        do_set_preferences(user_id, form.table(), **form.switches())
        messages.success(request, _("Your notification preferences are saved."))
        return done(request, reverse("notification_preferences"), trigger="desk:saved")
    return render(request, "agents/notifications_preferences.html", {"form": form})


@require_GET
@agent_required
def mention_candidates(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Agents a note on this ticket may @mention (those who may read it), matching `q`."""
    try:
        ticket = check_ticket_readable(request.user, ticket_id)
    except ActionError as exc:
        return failed(request, exc)
    query = request.GET.get("q", "").strip()[:50]
    readers = Q(role=Role.ADMIN) | Q(user__is_superuser=True)
    if ticket.team_id is not None:
        readers |= Q(teams=ticket.team_id)
    agents = Agent.objects.filter(readers, user__is_active=True).select_related("user")
    if query:
        agents = agents.filter(
            Q(user__username__istartswith=query) | Q(display_name__icontains=query)
        )
    found = agents.distinct().order_by("user__username")[:MENTION_LIMIT]
    return JsonResponse(
        {"agents": [{"username": a.user.get_username(), "name": str(a)} for a in found]}
    )
