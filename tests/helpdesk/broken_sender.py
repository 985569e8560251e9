"""A sender module whose own import fails (stands in for an adapter with a missing dependency)."""

from __future__ import annotations

import helpdesk_no_such_dependency  # noqa: F401


class BrokenSender:
    pass
