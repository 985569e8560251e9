"""The knowledge base's part of the JSON API (mounted at /api/v1/kb/)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["knowledge base"])
