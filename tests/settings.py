"""Test settings: the project's, plus a channel only the tests install (tests/pigeon)."""

from __future__ import annotations

import os
import secrets

# One key for the whole run, subprocesses included (live servers, listeners killed
# mid-import): without var/secret_key.txt each process would draw its own, and a
# restarted server could neither read the session cookies nor decrypt the secrets
# the test process stored.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.pigeon"]

# The suite's clients all come from 127.0.0.1 and the Redis cache outlives a run: the
# API rate limits are off unless a test turns them on (tests/helpdesk/api/test_tokens.py).
HELPDESK_API_RATE_PER_TOKEN = ""
HELPDESK_API_RATE_PER_IP = ""

# Test users are made by the hundred (tests/factories.py): PBKDF2's deliberate cost
# (~0.4 s of CPU per password on this VM) was minutes of every run. Subprocess servers
# inherit these settings; the run command's own desk keeps the project's hashers.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
