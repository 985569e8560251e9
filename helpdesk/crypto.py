"""Encryption at rest for channel secrets (mailbox passwords, bot tokens).

Values are Fernet tokens under a key derived from HELPDESK_SECRETS_KEY (default:
SECRET_KEY). Rotating that key makes stored secrets unreadable: re-enter them.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"helpdesk-secrets:" + settings.HELPDESK_SECRETS_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode("utf-8")).decode("ascii") if plain else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ValueError("stored secret cannot be decrypted (was the key changed?)") from exc


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A text column stored encrypted; reads return the plain value.

    Never put the plain value in a log line or an error message.
    """

    def from_db_value(self, value: str | None, expression: object, connection: object) -> str:
        return decrypt(value) if value else ""

    def get_prep_value(self, value: object) -> str:
        return encrypt(str(value)) if value else ""
