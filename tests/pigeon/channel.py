"""The pigeon channel's manifest."""

from __future__ import annotations

from helpdesk.channels import ChannelSpec, IdentitySpec

KIND = "pigeon"

SPEC = ChannelSpec(
    kind=KIND,
    label="Carrier pigeon",
    identities=(IdentitySpec("pigeon-ring", "Leg ring"),),
    sender="tests.pigeon.sender.PigeonSender",
    urls=(("pigeon/", "tests.pigeon.urls"),),
    continues_conversation=True,
)
