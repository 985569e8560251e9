"""The JSON API at /api/v1/ (OpenAPI at /api/v1/openapi.json)."""

from __future__ import annotations

from helpdesk.api.app import api

__all__ = ["api"]
