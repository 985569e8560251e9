"""The email channel's manifest (helpdesk.channels)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from helpdesk.channels import ChannelSpec, IdentitySpec
from helpdesk.identities import EMAIL

KIND = "email"

SPEC = ChannelSpec(
    kind=KIND,
    label=_("Email"),
    identities=(IdentitySpec(EMAIL, _("Email"), "helpdesk.identities.normalize_email"),),
    sender="channels_in.email.sender.EmailSender",
    listener="channels_in.email.listener.EmailListener",
    # A new mail without a reference to a ticket starts a new conversation.
    continues_conversation=False,
    # A chat visitor who left gets the reply by mail from the team's mailbox.
    copies_to=EMAIL,
    setup_url="admin:channel_email_mailboxconfig_changelist",
)
