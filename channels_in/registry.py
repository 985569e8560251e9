"""Channel kind -> outbound sender: the only way the core reaches an adapter."""

from __future__ import annotations

import threading
from importlib import import_module
from typing import Protocol

from channels_in.base import DeliveryError, Sender, SendResult
from helpdesk.models import ChannelKind, Message

# Dotted paths, imported lazily so the core never imports an adapter at load time.
SENDERS: dict[str, str] = {
    ChannelKind.EMAIL: "channels_in.email.sender:EmailSender",
    ChannelKind.WEBCHAT: "channels_in.webchat.sender:WebchatSender",
    ChannelKind.TELEGRAM: "channels_in.telegram.sender:TelegramSender",
    ChannelKind.PHONE: "channels_in.phone.sender:PhoneSender",
    ChannelKind.WEBFORM: "channels_in.email.sender:EmailSender",
}

_overrides: dict[str, Sender] = {}


def register(kind: str, sender: Sender) -> None:
    """Replace the sender of `kind` (used by tests at the network edge and by plugins)."""
    _overrides[kind] = sender


def unregister(kind: str) -> None:
    _overrides.pop(kind, None)


def get_sender(kind: str) -> Sender:
    if kind in _overrides:
        return _overrides[kind]
    path = SENDERS.get(kind)
    if path is None:
        return RefusingSender(f"no sender is registered for channel {kind!r}")
    module_name, _, attr = path.partition(":")
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is None or not f"{module_name}.".startswith(f"{exc.name}."):
            raise  # the sender exists but is broken: fail loudly, do not refuse quietly
        return RefusingSender(f"sending on {kind} is not available yet")
    sender: Sender = getattr(module, attr)()
    return sender


class RefusingSender:
    """Refuses permanently with a reason an agent can read."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def send(self, message: Message) -> SendResult:
        raise DeliveryError(self.reason, permanent=True)


# --- listeners ------------------------------------------------------------------
# Kind -> the long-running receiver of that channel (IMAP IDLE, Telegram polling),
# run by `manage.py listen` and by the run command. A listener serves every
# enabled inbox of its kind and returns when `stop` is set.
LISTENERS: dict[str, str] = {
    ChannelKind.EMAIL: "channels_in.email.listener:EmailListener",
    ChannelKind.TELEGRAM: "channels_in.telegram.polling:TelegramPoller",
    # Not a channel, but a long-running loop of the same process: scheduled work.
    "scheduler": "helpdesk.automation.scheduler:Scheduler",
}


class Listener(Protocol):
    name: str

    def run(self, stop: threading.Event) -> None:
        """Receive until `stop` is set; one failing inbox must not stop the others."""
        ...


def get_listeners() -> list[Listener]:
    """Every channel listener that is installed (a channel without one is skipped)."""
    found: list[Listener] = []
    for kind, path in LISTENERS.items():
        module_name, _, attr = path.partition(":")
        try:
            module = import_module(module_name)
        except ModuleNotFoundError:
            continue
        listener: Listener = getattr(module, attr)()
        listener.name = listener.name or kind
        found.append(listener)
    return found
