"""The channel manifest: what a channel package declares, and the registry that reads it.

A channel is one package under `channels_in/` whose AppConfig subclasses
`ChannelAppConfig` and names its `ChannelSpec`. Installing the app is all it
takes: the registry collects the specs of installed apps, so inbox kinds and
identity kinds are checked against it at run time (never frozen as choices in a
core migration), URLs are mounted by the project, replies reach the channel's
sender and its listener runs in `manage.py listen`. The core imports no channel:
it reaches one only through this module (docs/adding-a-channel.md).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from django.apps import AppConfig, apps
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from helpdesk.models import Message


# --- delivery: what every sender implements -----------------------------------------
class DeliveryError(Exception):
    """A delivery attempt failed. Permanent errors are not retried.

    `retry_after` (seconds) is honoured when the channel says how long to wait
    (Telegram's 429, an SMTP 4xx with a hint).
    """

    def __init__(self, reason: str, *, permanent: bool, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


class NotConnected(DeliveryError):
    """The inbox's channel is not set up (no SMTP server, no bot token): nothing was tried.

    Not a failed delivery: the reply waits, marked "not connected", until an admin
    sets the channel up (ChannelSpec.setup_url) and an agent sends it again.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason, permanent=True)


@dataclass(frozen=True, slots=True)
class SendResult:
    external_id: str | None = None
    # False when the channel kept the reply but the customer was not there to see
    # it (a chat visitor who left): the core then offers it on another channel.
    reached: bool = True


class Sender(Protocol):
    def send(self, message: Message) -> SendResult:
        """Deliver `message` to the customer; raise DeliveryError on failure."""
        ...


@runtime_checkable
class CopySender(Protocol):
    """A sender that can also carry a copy of a reply written on another channel."""

    def send_copy(self, message: Message, address: str) -> bool:
        """Send `message` to `address`; False when this desk has no way to (no mailbox)."""
        ...


@runtime_checkable
class PlansExternalId(Protocol):
    """A sender that knows a message's channel id before it sends (SMTP: the Message-ID).

    The core stores it with the attempt, committed before the send, so the id of a
    mail a crashed worker may have sent is known (docs/reliability.md).
    """

    def planned_external_id(self, message: Message) -> str | None:
        """The id the next send of `message` will carry, or None when it cannot tell."""
        ...


@runtime_checkable
class DeliveryLookup(Protocol):
    """A sender that can tell, after a crash, whether an attempt reached the channel."""

    def was_delivered(self, message: Message) -> bool | None:
        """True: it arrived; False: it surely did not (safe to send); None: unknown."""
        ...


class Listener(Protocol):
    name: str

    def run(self, stop: threading.Event) -> None:
        """Receive until `stop` is set; one failing inbox must not stop the others."""
        ...


# --- the manifest ---------------------------------------------------------------------
class SurveyPrompt(StrEnum):
    """How a channel asks a CSAT or NPS question (helpdesk.surveys, docs/surveys.md)."""

    # An ordinary outbound message with the survey link (and, in its HTML, one-click
    # links per score): email, SMS, WhatsApp... get surveys with no code of their own.
    LINK = "link"
    # The channel's sender draws `message.channel_meta["survey"]` itself (inline
    # buttons, a rating in the widget) and hands answers to helpdesk.surveys.actions.
    NATIVE = "native"
    # The channel cannot carry text (phone): the prompt goes to another of the
    # contact's reachable channels (helpdesk.channels.send_copy_elsewhere).
    RELAY = "relay"


@dataclass(frozen=True, slots=True)
class IdentitySpec:
    """A kind of customer address a channel knows its senders by."""

    kind: str
    label: StrOrPromise
    # Dotted path of `normalize(raw) -> str` (raises helpdesk.identities.InvalidAddress).
    normalizer: str = "helpdesk.identities.normalize_plain"
    # Dotted path of `lookup(handle) -> list[str]`: the addresses of this kind whose
    # public handle (a Telegram @username) is `handle`, for the contact search.
    handle_lookup: str | None = None


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    """Everything the desk needs to know about one channel (dotted paths, loaded lazily)."""

    kind: str
    label: StrOrPromise
    identities: tuple[IdentitySpec, ...] = ()
    sender: str | None = None  # "module.Class": outbound replies
    listener: str | None = None  # "module.Class": run by `manage.py listen`
    # (prefix, module with `urlpatterns`): mounted by the project before the API and UI.
    urls: tuple[tuple[str, str], ...] = ()
    # "module.attr": a list of WebSocket routes opened from other sites (the chat
    # widget); they check their own Origin allow-list, outside the session stack.
    websocket_urls: str | None = None
    # Does a new message continue the contact's open conversation in this inbox
    # (chat, messengers, phone), or start a new one unless it refers to a ticket (email)?
    continues_conversation: bool = True
    # An identity kind this channel can carry copies of other channels' replies to.
    copies_to: str | None = None
    # A channel without a sender of its own (the web form) has its replies carried
    # to the contact's address of this identity kind by a channel that `copies_to` it.
    replies_via: str | None = None
    event_schemas: tuple[str, ...] = ()  # "module.Class" of its events (helpdesk.events)
    inbox_templates: tuple[str, ...] = ()  # partials the inbox includes (pop-ups, panels)
    inbox_scripts: tuple[str, ...] = ()  # static ES modules the inbox loads
    inbox_pages: tuple[tuple[str, StrOrPromise], ...] = ()  # (url name, label) in the nav
    # Its messages are calls: the contact page lists them as a call log.
    voice: bool = False
    # URL name of the admin page where an inbox of this channel is connected (its
    # credentials), linked from replies that could not go out for want of them.
    setup_url: str | None = None
    # "module.Class" told of agents' activity on this channel's tickets (the chat
    # widget shows "seen" and typing): see AgentActivity.
    agent_activity: str | None = None
    # How it asks survey questions: see SurveyPrompt (optional; LINK by default).
    survey_prompt: SurveyPrompt = SurveyPrompt.LINK
    extra: dict[str, Any] = field(default_factory=dict)


class AgentActivity(Protocol):
    """What a channel may show its customer while an agent works on a ticket."""

    def ticket_opened(self, ticket_id: int) -> None:
        """An agent opened the ticket (sync; runs in the consumer's database thread)."""
        ...

    async def agent_typing(self, ticket_id: int, name: str, active: bool) -> None:
        """An agent started or stopped typing a reply (never a note)."""
        ...


class ChannelAppConfig(AppConfig):
    """Base AppConfig of a channel package: set `spec` to the dotted path of its ChannelSpec.

    Subclass it as `channels.ChannelAppConfig` (`from helpdesk import channels`): Django
    picks the one AppConfig class found in apps.py, and a second name there (this
    base, imported by name) would make it fall back to a plain AppConfig.
    """

    spec: str = ""
    default_auto_field = "django.db.models.BigAutoField"

    def channel_spec(self) -> ChannelSpec:
        if not self.spec:
            raise ImproperlyConfigured(f"{self.name}: a ChannelAppConfig must name its spec")
        found = import_string(self.spec)
        if not isinstance(found, ChannelSpec):
            raise ImproperlyConfigured(f"{self.spec} is not a ChannelSpec")
        return found


# --- the registry ---------------------------------------------------------------------
_cache: dict[str, Any] = {}


def specs() -> list[ChannelSpec]:
    """The specs of every installed channel, in INSTALLED_APPS order (collected once)."""
    cached: list[ChannelSpec] | None = _cache.get("specs")
    if cached is None:
        cached = [
            app.channel_spec()
            for app in apps.get_app_configs()
            if isinstance(app, ChannelAppConfig)
        ]
        kinds = [s.kind for s in cached]
        duplicated = {k for k in kinds if kinds.count(k) > 1}
        if duplicated:
            raise ImproperlyConfigured(f"channel kinds declared twice: {sorted(duplicated)}")
        _cache["specs"] = cached
    return cached


def reset() -> None:
    """Forget the collected specs (tests that install a channel app)."""
    _cache.clear()


def spec_for(kind: str) -> ChannelSpec:
    for spec in specs():
        if spec.kind == kind:
            return spec
    raise LookupError(f"no channel {kind!r} is installed")


def kinds() -> list[str]:
    return [spec.kind for spec in specs()]


def kind_choices() -> list[tuple[str, StrOrPromise]]:
    """(kind, label) of every installed channel, for forms and filters."""
    return [(spec.kind, spec.label) for spec in specs()]


def setup_url(kind: str) -> str | None:
    """Where an admin connects an inbox of channel `kind`, if the channel says."""
    from django.urls import NoReverseMatch, reverse

    try:
        name = spec_for(kind).setup_url
        return reverse(name) if name else None
    except (LookupError, NoReverseMatch):
        return None


def kind_label(kind: str) -> StrOrPromise:
    try:
        return spec_for(kind).label
    except LookupError:
        return kind


def identity_specs() -> dict[str, IdentitySpec]:
    """Every identity kind an installed channel declares (first declaration wins)."""
    found: dict[str, IdentitySpec] = {}
    for spec in specs():
        for identity in spec.identities:
            found.setdefault(identity.kind, identity)
    return found


def identity_choices() -> list[tuple[str, StrOrPromise]]:
    return [(i.kind, i.label) for i in identity_specs().values()]


def identity_normalizer(kind: str) -> Callable[[str], str]:
    """The normalizer of identity `kind` (resolved once: it runs for every message)."""
    key = f"normalizer:{kind}"
    normalize: Callable[[str], str] | None = _cache.get(key)
    if normalize is None:
        identity = identity_specs().get(kind)
        if identity is None:
            raise LookupError(f"no installed channel declares the identity kind {kind!r}")
        normalize = _cache[key] = import_string(identity.normalizer)
    return normalize


def handle_lookups() -> dict[str, Callable[[str], list[str]]]:
    """Identity kind -> its channel's handle lookup, for the kinds that declare one."""
    return {
        kind: import_string(identity.handle_lookup)
        for kind, identity in identity_specs().items()
        if identity.handle_lookup
    }


def validate_kind(kind: str) -> None:
    """Model-field validator: the inbox kind must be an installed channel."""
    if kind not in kinds():
        raise ValidationError(f"{kind!r} is not an installed channel", code="invalid_choice")


def validate_identity_kind(kind: str) -> None:
    if kind and kind not in identity_specs():
        raise ValidationError(f"{kind!r} is not a known identity kind", code="invalid_choice")


# --- senders and listeners --------------------------------------------------------------
_overrides: dict[str, Sender] = {}


def register_sender(kind: str, sender: Sender) -> None:
    """Replace the sender of `kind` (tests at the network edge)."""
    _overrides[kind] = sender


def unregister_sender(kind: str) -> None:
    _overrides.pop(kind, None)


class RefusingSender:
    """Refuses permanently with a reason an agent can read."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def send(self, message: Message) -> SendResult:
        raise DeliveryError(self.reason, permanent=True)


def get_sender(kind: str) -> Sender:
    """The sender of `kind`; a broken sender module fails loudly, a missing channel refuses."""
    if kind in _overrides:
        return _overrides[kind]
    try:
        spec = spec_for(kind)
    except LookupError:
        return RefusingSender(f"no sender is registered for channel {kind!r}")
    if spec.sender is None and spec.replies_via:
        return RelayingSender(spec.replies_via)
    if spec.sender is None:
        return RefusingSender(f"the {spec.label} channel does not send replies")
    sender: Sender = import_string(spec.sender)()
    return sender


def agent_activity(kind: str) -> AgentActivity | None:
    """The channel's receiver of agent activity, if it has one."""
    try:
        path = spec_for(kind).agent_activity
    except LookupError:
        return None
    if path is None:
        return None
    activity: AgentActivity = import_string(path)()
    return activity


class RelayingSender:
    """Delivers a reply through another channel, to the contact's address of one kind."""

    def __init__(self, identity_kind: str) -> None:
        self.identity_kind = identity_kind

    def send(self, message: Message) -> SendResult:
        kind = send_copy_elsewhere(message, only=self.identity_kind)
        if kind is None:
            raise DeliveryError(
                f"the customer has no {self.identity_kind} address this desk can send to",
                permanent=True,
            )
        return SendResult(external_id=f"relayed:{message.pk}:{kind}")


def send_copy_elsewhere(message: Message, *, only: str | None = None) -> str | None:
    """Send a copy of `message` to another reachable identity of the ticket's contact.

    Used when the channel kept a reply the customer was not there to see (a chat
    visitor who left) and by channels that have no sender of their own. Returns
    the identity kind that carried it, or None. A copy sender that refuses is
    logged and the next is tried: the reply itself is never lost.
    """
    from helpdesk.models import ContactIdentity

    addresses = (
        ContactIdentity.objects.filter(contact_id=message.ticket.contact_id, unreachable_reason="")
        .order_by("id")
        .values_list("kind", "address")
    )
    for kind, address in addresses:
        if only is not None and kind != only:
            continue
        for sender in copy_senders(kind):
            try:
                if sender.send_copy(message, address):
                    return str(kind)
            except DeliveryError as exc:
                logger.warning("copy of reply %s to %s failed: %s", message.pk, kind, exc.reason)
    return None


def copy_senders(identity_kind: str) -> Iterator[CopySender]:
    """Senders that can carry another channel's reply to an address of `identity_kind`."""
    for spec in specs():
        if spec.copies_to == identity_kind:
            sender = get_sender(spec.kind)
            if isinstance(sender, CopySender):
                yield sender


@runtime_checkable
class DirectTexter(Protocol):
    """A sender that can text an address outside any ticket (a one-time sign-in code)."""

    def send_text(self, address: str, text: str) -> bool:
        """Send `text` to `address`; False when no inbox of the channel can send.

        Raises DeliveryError when the provider refuses.
        """
        ...


def direct_texters(identity_kind: str) -> Iterator[DirectTexter]:
    """Senders of channels that know people by `identity_kind` and can text them directly."""
    for spec in specs():
        if spec.sender and any(i.kind == identity_kind for i in spec.identities):
            sender = get_sender(spec.kind)
            if isinstance(sender, DirectTexter):
                yield sender


@runtime_checkable
class TicketLinker(Protocol):
    """A sender whose channel can open a ticket for its customer from a link (the
    customer portal): other channels put that link in what they send."""

    def ticket_link(self, message: Message, language: str) -> str | None:
        """An absolute, signed URL opening `message`'s ticket for its contact, in
        `language` ("fa" or "en"); None when this desk cannot offer one."""
        ...


def ticket_link(message: Message, language: str) -> str | None:
    """The first link an installed channel offers to open `message`'s ticket, or None."""
    for spec in specs():
        if spec.sender:
            sender = get_sender(spec.kind)
            if isinstance(sender, TicketLinker):
                link = sender.ticket_link(message, language)
                if link:
                    return link
    return None


def get_listeners() -> list[Listener]:
    """Every installed channel's listener, plus the core's scheduler; import errors propagate."""
    paths = [spec.listener for spec in specs() if spec.listener]
    paths.append("helpdesk.automation.scheduler.Scheduler")
    found: list[Listener] = []
    for path in paths:
        listener: Listener = import_string(path)()
        found.append(listener)
    return found


def event_schema_paths() -> list[str]:
    return [path for spec in specs() for path in spec.event_schemas]
