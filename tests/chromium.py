"""How every browser test starts Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

from typing import Any

EXECUTABLE = "/usr/bin/chromium"
# Headless as root in a sandbox with no network but loopback: without the
# background-networking flags Chromium keeps trying (and failing) to phone home.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def launch(playwright: Any) -> Any:
    """A headless Chromium browser from a sync_playwright() handle."""
    return playwright.chromium.launch(executable_path=EXECUTABLE, headless=True, args=ARGS)
