"""SSRF protection: where a webhook may be sent.

A target must be http(s) and every address its host resolves to must be public
(`ipaddress.is_global`): loopback, private, link-local (169.254.169.254, the cloud
metadata service), shared (100.64/10, Alibaba's metadata), multicast, reserved and
unspecified addresses are refused unless HELPDESK_WEBHOOK_ALLOWED_HOSTS names the
host, the address or a network holding it. The connection then goes to the address
that was checked (no second lookup an attacker's DNS could answer differently).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

type Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(ValueError):
    """The target is not allowed; the message says why (shown to admins)."""


class Unresolvable(OSError):
    """The host name did not resolve (a temporary network error for deliveries)."""


@dataclass(frozen=True, slots=True)
class Target:
    scheme: str
    host: str  # as written in the URL (for Host and TLS SNI)
    port: int
    address: str  # the checked address the connection goes to
    path: str  # path and query

    @property
    def connect_url(self) -> str:
        literal = f"[{self.address}]" if ":" in self.address else self.address
        return f"{self.scheme}://{literal}:{self.port}{self.path}"

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"


def resolve(host: str, port: int) -> list[str]:
    """The addresses of `host` (tests replace this: no lookup leaves the machine)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise Unresolvable(f"cannot resolve {host}: {exc.strerror}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_url(url: str, resolver: Callable[[str, int], list[str]] | None = None) -> Target:
    """The target of `url` if it may receive webhooks; raises Refused or Unresolvable.
    `resolver` defaults to `resolve` (looked up at call time, so tests can stub it)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        explicit_port = parts.port
    except ValueError as exc:  # "http://[", a port out of range...
        raise Refused("the target URL is not a valid URL") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise Refused("the target URL must start with http:// or https://")
    if not host:
        raise Refused("the target URL has no host")
    if parts.username or parts.password:
        raise Refused("the target URL must not carry a user name or password")
    port = explicit_port or (443 if scheme == "https" else 80)
    addresses = [host] if _literal(host) else (resolver or resolve)(host, port)
    if not addresses:
        raise Unresolvable(f"{host} has no address")
    for address in addresses:
        check_address(host, address)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme, host, port, addresses[0], path)


def check_address(host: str, address: str) -> None:
    """Refuse a non-public `address` unless the allow-list names it or its host."""
    ip = _normalized(ipaddress.ip_address(address.split("%", 1)[0]))
    if ip.is_global and not ip.is_multicast:
        return
    if _allowed(host, ip):
        return
    raise Refused(
        f"{host} resolves to {ip}, a loopback, private, link-local or reserved address; "
        "add it to HELPDESK_WEBHOOK_ALLOWED_HOSTS to allow it"
    )


def _allowed(host: str, ip: Address) -> bool:
    for entry in settings.HELPDESK_WEBHOOK_ALLOWED_HOSTS:
        entry = entry.strip().lower()
        if not entry:
            continue
        if entry == host.lower():
            return True
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue  # a host name, not an address or network
    return False


def _normalized(ip: Address) -> Address:
    # ::ffff:127.0.0.1 reaches 127.0.0.1: judge the IPv4 address it maps.
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
