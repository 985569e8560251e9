"""The customer portal's manifest (helpdesk.channels).

Customers sign in with a one-time link mailed to them and follow every ticket of
theirs, whatever channel it came by. What they write in the portal reaches the
desk through the one ingest path as channel `portal`; an agent's reply on a
portal ticket is shown in the portal and announced by a mail carrying a signed
link to the ticket (channels_in.portal.sender).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from helpdesk.channels import ChannelSpec, IdentitySpec
from helpdesk.identities import EMAIL, PHONE

KIND = "portal"

SPEC = ChannelSpec(
    kind=KIND,
    label=_("Customer portal"),
    identities=(
        IdentitySpec(EMAIL, _("Email"), "helpdesk.identities.normalize_email"),
        IdentitySpec(PHONE, _("Phone"), "helpdesk.identities.normalize_phone"),
    ),
    sender="channels_in.portal.sender.PortalSender",
    urls=(("portal/", "channels_in.portal.urls"),),
    # A request written in the portal is its own ticket; replies name their ticket.
    continues_conversation=False,
)
