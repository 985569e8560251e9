"""Test settings: the project's, plus a channel only the tests install (tests/pigeon)."""

from __future__ import annotations

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.pigeon"]
