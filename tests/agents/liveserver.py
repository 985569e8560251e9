"""Moved to tests/live (the one `live_desk` fixture and its launchers).

These names stay importable here only for the `from tests.agents.liveserver import`
lines, which are left alone while the agents package moves into helpdesk; drop this
module once those lines point at tests.live.
"""

from __future__ import annotations

from tests.live import ROOT, DeskServer

__all__ = ["ROOT", "DeskServer"]
