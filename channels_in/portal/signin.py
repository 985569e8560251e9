"""Password-less sign-in: one-time links (15 minutes, used once) and signed ticket links.

Only the SHA-256 of a link's secret is stored, so a leaked table signs nobody
in. A link is asked for by email address or phone number (any Iranian form,
Persian digits too: helpdesk.identities normalizes them); it goes to the
contact's email address through the channel registry (a sender that `copies_to`
email and can mail from a team's mailbox: the email channel's), never by
importing a channel.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from channels_in.portal.models import PortalAccess, SignInLink
from helpdesk import channels, identities
from helpdesk.channels import DeliveryError
from helpdesk.digits import ascii_digits
from helpdesk.identities import InvalidAddress
from helpdesk.models import Contact, ContactIdentity, Team, Ticket
from helpdesk.notifications.mail import StaffMailer

logger = logging.getLogger(__name__)

TICKET_SALT = "channels_in.portal.ticket"


def link_lifetime() -> timedelta:
    """How long a one-time sign-in link works (PORTAL_LINK_MINUTES, 15)."""
    return timedelta(minutes=getattr(settings, "PORTAL_LINK_MINUTES", 15))


@dataclass(frozen=True, slots=True)
class Identity:
    kind: str
    address: str


def parse_identity(raw: str) -> Identity | None:
    """An email address or a phone number in its canonical form; None if it is neither."""
    text = raw.strip()
    if not text:
        return None
    kind = identities.EMAIL if "@" in text else identities.PHONE
    try:
        return Identity(kind, identities.normalize_address(kind, text))
    except InvalidAddress:
        return None


def find_contact(identity: Identity) -> Contact | None:
    """The contact (after merges) known by this identity, unless blocked from the portal."""
    row = (
        ContactIdentity.objects.filter(kind=identity.kind, address=identity.address)
        .select_related("contact")
        .first()
    )
    if row is None:
        return None
    contact = row.contact.resolve()
    if PortalAccess.objects.filter(contact=contact, blocked=True).exists():
        return None
    return contact


def throttled(key: str, limit: int, window: int) -> bool:
    """Count one more attempt under `key`; True once more than `limit` in `window` s."""
    cache_key = f"portal:rate:{hashlib.sha256(key.encode()).hexdigest()[:32]}"
    cache.add(cache_key, 0, window)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, window)
        count = 1
    return count > limit


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


MAX_CODE_ATTEMPTS = 5


def _code_digest(token_hash: str, code: str) -> str:
    return hashlib.sha256(f"{token_hash}:{code}".encode()).hexdigest()


def issue_link(contact: Contact, identity: Identity) -> tuple[str, str]:
    """A new one-time token and six-digit code for `contact` (returned, never stored)."""
    token = secrets.token_urlsafe(32)
    code = f"{secrets.randbelow(10**6):06d}"
    token_hash = _digest(token)
    now = timezone.now()
    SignInLink.objects.create(
        contact=contact,
        token_hash=token_hash,
        code_hash=_code_digest(token_hash, code),
        identity_kind=identity.kind,
        address=identity.address,
        created_at=now,
        expires_at=now + link_lifetime(),
    )
    return token, code


def redeem_code(identity: Identity, code: str) -> int | None:
    """Use the identity's latest live link by its code: the contact id, or None.

    A link takes MAX_CODE_ATTEMPTS wrong codes, then it is spent.
    """
    code = ascii_digits(code).strip()
    with transaction.atomic():
        link = (
            SignInLink.objects.select_for_update()
            .filter(
                identity_kind=identity.kind,
                address=identity.address,
                used_at=None,
                expires_at__gt=timezone.now(),
            )
            .exclude(code_hash="")
            .order_by("-id")
            .first()
        )
        if link is None:
            return None
        link.code_attempts += 1
        right = hmac.compare_digest(link.code_hash, _code_digest(link.token_hash, code))
        if right or link.code_attempts >= MAX_CODE_ATTEMPTS:
            link.used_at = timezone.now()
        link.save(update_fields=["code_attempts", "used_at"])
        return link.contact.resolve().pk if right else None


def text_code(contact: Contact, code: str, language: str) -> bool:
    """Text the code to an identity of the contact that a channel can text directly
    (helpdesk.channels.DirectTexter: SMS, Telegram, Bale); False when none could."""
    with translation.override(language):
        text = _("Your help center sign-in code: %(code)s") % {"code": code}
    rows = ContactIdentity.objects.filter(contact=contact, unreachable_reason="").order_by("id")
    for row in rows:
        for texter in channels.direct_texters(row.kind):
            try:
                if texter.send_text(row.address, text):
                    return True
            except DeliveryError as exc:
                logger.warning("portal code to contact %s failed: %s", contact.pk, exc.reason)
    return False


def usable_link(token: str) -> SignInLink | None:
    """The link of `token` if it is unused and unexpired (nothing is changed)."""
    link = SignInLink.objects.filter(token_hash=_digest(token)).first()
    if link is None or link.used_at is not None or link.expires_at <= timezone.now():
        return None
    return link


def redeem(token: str) -> int | None:
    """Use the link of `token` once: the contact id, or None (unknown, used or expired)."""
    with transaction.atomic():
        link = SignInLink.objects.select_for_update().filter(token_hash=_digest(token)).first()
        now = timezone.now()
        if link is None or link.used_at is not None or link.expires_at <= now:
            return None
        link.used_at = now
        link.save(update_fields=["used_at"])
        return link.contact.resolve().pk


def ticket_token(contact_id: int, ticket_id: int) -> str:
    """A signed, dated token opening ticket `ticket_id` for `contact_id` (mail links)."""
    return signing.dumps([contact_id, ticket_id], salt=TICKET_SALT, compress=False)


def read_ticket_token(token: str, *, expired_too: bool = False) -> tuple[int, int] | None:
    """(contact id, ticket id) of a valid ticket token (PORTAL_TICKET_LINK_DAYS, 14);
    with `expired_too`, of any token we signed, however old (it then signs nobody in:
    it only says which ticket to open after the customer signs in again)."""
    days = getattr(settings, "PORTAL_TICKET_LINK_DAYS", 14)
    max_age = None if expired_too else timedelta(days=days)
    try:
        value = signing.loads(token, salt=TICKET_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        return None
    return value[0], value[1]


def email_of(contact: Contact, identity: Identity | None = None) -> str | None:
    """Where the contact's mail goes: the address they typed, else one they have."""
    if identity is not None and identity.kind == identities.EMAIL:
        return identity.address
    row = (
        ContactIdentity.objects.filter(
            contact=contact, kind=identities.EMAIL, unreachable_reason=""
        )
        .order_by("id")
        .first()
    )
    return row.address if row else None


def _teams_for(contact: Contact) -> list[int]:
    """Teams whose mailbox may write to the contact: theirs first, then the others."""
    own = (
        Ticket.objects.filter(contact=contact)
        .exclude(team=None)
        .order_by("-id")
        .values_list("team_id", flat=True)[:5]
    )
    others = Team.objects.order_by("id").values_list("id", flat=True)[:20]
    return list(dict.fromkeys([*own, *others]))


def send_mail(contact: Contact, address: str, subject: str, text: str) -> bool:
    """Mail `address` from a team's mailbox through the channel registry; False if none."""
    mailers = [s for s in channels.copy_senders(identities.EMAIL) if isinstance(s, StaffMailer)]
    for team_id in _teams_for(contact):
        for mailer in mailers:
            try:
                if mailer.send_staff_mail(team_id, address, subject, text):
                    return True
            except DeliveryError as exc:
                logger.warning("portal mail to contact %s failed: %s", contact.pk, exc.reason)
    return False


def public_url(path: str) -> str:
    return getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/") + path
