"""The web contact form's manifest (helpdesk.channels).

The form is shown inside the help portal's page chrome (its template extends the
portal's), but the channel owns it: the URL, the form, the rate limit and the
hand-over to the ingest path. Replies go by email, carried by whichever channel
`copies_to` email addresses (the email channel, from the team's mailbox).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from helpdesk.channels import ChannelSpec, IdentitySpec
from helpdesk.identities import EMAIL

KIND = "webform"

SPEC = ChannelSpec(
    kind=KIND,
    label=_("Web form"),
    identities=(IdentitySpec(EMAIL, _("Email"), "helpdesk.identities.normalize_email"),),
    replies_via=EMAIL,
    # Mounted before the portal's own /help/ routes.
    urls=(("help/", "channels_in.webform.urls"),),
    # A customer who writes again while their request is open adds to it.
    continues_conversation=True,
)
