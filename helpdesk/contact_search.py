"""Finding contacts by name, by any channel address, or by a phone number however typed."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from helpdesk.models import Contact, ContactIdentity
from helpdesk.ticket_search import as_phone


def search_contacts(qs: QuerySet[Contact], q: str) -> QuerySet[Contact]:
    """Contacts of `qs` whose name or an identity's address contains `q`; a query that
    reads as a phone number also matches that number in E.164 form."""
    identities = ContactIdentity.objects.filter(contact_id=OuterRef("pk"))
    cond = Q(name__icontains=q) | Q(Exists(identities.filter(address__icontains=q)))
    phone = as_phone(q)
    if phone:
        cond |= Q(Exists(identities.filter(address=phone)))
    return qs.filter(cond)
