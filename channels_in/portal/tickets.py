"""My requests: the list, one request's public conversation, reply, close/reopen, rate,
files and a new request. Replies and new requests go through the one ingest path."""

from __future__ import annotations

import uuid

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from channels_in.portal.access import (
    CUSTOMER_STATUS,
    Viewer,
    attachment_of,
    public_messages,
)
from channels_in.portal.actions import do_customer_set_status
from channels_in.portal.channel import KIND
from channels_in.portal.pages import customer_required, render_page
from helpdesk import channels, identities
from helpdesk.actions.errors import Invalid, NotFound
from helpdesk.inbound import InboundAttachment, InboundMessage, Sender, ThreadHints
from helpdesk.ingest import IngestResult, receive
from helpdesk.models import ContactIdentity, Inbox, Ticket, TicketStatus
from helpdesk.surveys.actions import answerable, do_answer
from helpdesk.surveys.models import SurveyKind, SurveyRequest

MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_TEXT = 10000


def portal_inbox() -> Inbox | None:
    """The inbox portal messages arrive in (the oldest enabled portal inbox)."""
    return Inbox.objects.filter(kind=KIND, enabled=True).order_by("id").first()


@require_GET
@customer_required
def home(request: HttpRequest, viewer: Viewer, locale: str) -> HttpResponse:
    """The customer's requests, newest activity first."""
    rows = list(
        viewer.tickets()
        .select_related("contact", "inbox")
        .order_by("-last_message_at", "-id")[:200]
    )
    with translation.override(locale):
        items = [
            {
                "ticket": t,
                "status": str(CUSTOMER_STATUS.get(TicketStatus(t.status), t.status)),
                "channel": str(channels.kind_label(t.inbox.kind)) if t.inbox_id else "",
                "mine": viewer.owns(t),
            }
            for t in rows
        ]
    context = {"items": items, "viewer": viewer, "can_open": portal_inbox() is not None}
    return render_page(request, locale, "portal/home.html", context)


def _survey(ticket: Ticket) -> SurveyRequest | None:
    found = (
        SurveyRequest.objects.filter(ticket=ticket, kind=SurveyKind.CSAT).order_by("-id").first()
    )
    return found if found is not None and answerable(found) else None


def _sender(viewer: Viewer) -> Sender:
    """The customer as the ingest path knows them: an identity of theirs (email first)."""
    rows = ContactIdentity.objects.filter(contact=viewer.contact).order_by("id")
    row = rows.filter(kind=identities.EMAIL).first() or rows.first()
    if row is None:
        raise Http404("this customer has no address")
    return Sender(kind=row.kind, address=row.address, display_name=viewer.contact.name)


def _files(request: HttpRequest) -> tuple[tuple[InboundAttachment, ...], str | None]:
    uploads = request.FILES.getlist("files")
    if len(uploads) > MAX_FILES:
        return (), _("Attach at most %(count)s files.") % {"count": MAX_FILES}
    found = []
    for upload in uploads:
        if upload.size is None or upload.size > MAX_FILE_BYTES:
            return (), _("Each file may be at most 10 MB.")
        found.append(
            InboundAttachment(
                name=(upload.name or "file")[:255],
                content_type=upload.content_type or "application/octet-stream",
                data=upload.read(),
            )
        )
    return tuple(found), None


def _receive(
    inbox: Inbox,
    viewer: Viewer,
    request: HttpRequest,
    *,
    text: str,
    subject: str = "",
    thread: ThreadHints,
    files: tuple[InboundAttachment, ...],
    locale: str,
) -> IngestResult:
    # The form's nonce is the message's id: a double submit is stored once.
    nonce = request.POST.get("nonce", "")[:64] or uuid.uuid4().hex
    return receive(
        InboundMessage(
            inbox_id=inbox.pk,
            external_id=f"portal-{viewer.contact.pk}-{nonce}",
            sender=_sender(viewer),
            received_at=timezone.now(),
            subject=subject,
            text=text,
            attachments=files,
            thread=thread,
            language=locale,
            meta={"source": "customer portal"},
        )
    )


@require_http_methods(["GET", "POST"])
@customer_required
def ticket_page(request: HttpRequest, viewer: Viewer, locale: str, number: int) -> HttpResponse:
    """One request: its public conversation and files; POST adds the customer's reply."""
    ticket = viewer.ticket(number)
    error = None
    status = 200
    if request.method == "POST":
        inbox = portal_inbox()
        text = request.POST.get("text", "").strip()[:MAX_TEXT]
        files, error = _files(request)
        with translation.override(locale):
            if inbox is None or not viewer.owns(ticket):
                error = _("You cannot answer this request here.")
            elif not text and not files and error is None:
                error = _("Write a message or attach a file.")
        if error is None and inbox is not None:
            result = _receive(
                inbox,
                viewer,
                request,
                text=text,
                thread=ThreadHints(ticket_number=ticket.pk),
                files=files,
                locale=locale,
            )
            url = reverse("portal:ticket", args=[locale, result.ticket.pk])
            return HttpResponseRedirect(url + "#last")
        status = 400
    with translation.override(locale):
        label = str(CUSTOMER_STATUS.get(TicketStatus(ticket.status), ticket.status))
    survey = _survey(ticket) if viewer.owns(ticket) else None
    context = {
        "viewer": viewer,
        "ticket": ticket,
        "messages_": list(public_messages(ticket)),
        "status_label": label,
        "mine": viewer.owns(ticket),
        "closed": ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED),
        "survey": survey,
        "survey_scores": range(survey.min_score, survey.max_score + 1) if survey else (),
        "error": error,
        "nonce": uuid.uuid4().hex,
        "can_reply": portal_inbox() is not None,
    }
    return render_page(request, locale, "portal/ticket.html", context, status=status)


@require_POST
@customer_required
def set_status(request: HttpRequest, viewer: Viewer, locale: str, number: int) -> HttpResponse:
    """Close or reopen one of the customer's own requests (channels_in.portal.actions)."""
    ticket = viewer.ticket(number)
    wanted = TicketStatus.CLOSED if request.POST.get("do") == "close" else TicketStatus.OPEN
    try:
        do_customer_set_status(viewer.own_ids, ticket.pk, wanted)
    except (NotFound, Invalid) as exc:
        raise Http404("no such request") from exc
    return HttpResponseRedirect(reverse("portal:ticket", args=[locale, ticket.pk]))


@require_POST
@customer_required
def rate(request: HttpRequest, viewer: Viewer, locale: str, number: int) -> HttpResponse:
    """Answer the request's CSAT survey (helpdesk.surveys), when one is open."""
    ticket = viewer.ticket(number)
    survey = _survey(ticket) if viewer.owns(ticket) else None
    try:
        score = int(request.POST.get("score", ""))
    except ValueError:
        score = 0
    if survey is None:
        raise Http404("no survey is open for this request")
    try:
        do_answer(survey.pk, score, comment=request.POST.get("comment"), via="portal")
    except (NotFound, Invalid) as exc:
        raise Http404("no survey is open for this request") from exc
    return HttpResponseRedirect(reverse("portal:ticket", args=[locale, ticket.pk]) + "#rated")


@require_GET
@customer_required
def download(
    request: HttpRequest, viewer: Viewer, locale: str, number: int, attachment_id: int
) -> HttpResponseBase:
    """A file of the public conversation (always downloaded, never shown inline)."""
    attachment = attachment_of(viewer.ticket(number), attachment_id)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "POST"])
@customer_required
def new_request(request: HttpRequest, viewer: Viewer, locale: str) -> HttpResponse:
    """Open a new request (with files) through the ingest path."""
    inbox = portal_inbox()
    context: dict[str, object] = {"nonce": uuid.uuid4().hex, "viewer": viewer}
    if inbox is None:
        context["unavailable"] = True
        return render_page(request, locale, "portal/new.html", context, status=503)
    if request.method != "POST":
        return render_page(request, locale, "portal/new.html", context)
    subject = request.POST.get("subject", "").strip()[:200]
    text = request.POST.get("text", "").strip()[:MAX_TEXT]
    files, error = _files(request)
    with translation.override(locale):
        if error is None and (not subject or not text):
            error = _("Write a subject and a message.")
    if error is not None:
        context |= {"error": error, "subject": subject, "text": text}
        return render_page(request, locale, "portal/new.html", context, status=400)
    result = _receive(
        inbox,
        viewer,
        request,
        text=text,
        subject=subject,
        thread=ThreadHints(new_conversation=True),
        files=files,
        locale=locale,
    )
    return HttpResponseRedirect(reverse("portal:ticket", args=[locale, result.ticket.pk]))
