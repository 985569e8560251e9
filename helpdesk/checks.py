"""Start-up checks: a PostgreSQL database must be able to index Persian text."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register
from django.db import connections
from django.db.utils import OperationalError


@register("database", deploy=False)
def check_postgres_ctype(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    databases = kwargs.get("databases") or []
    errors: list[CheckMessage] = []
    for alias in databases:
        conn = connections[alias]
        if conn.vendor != "postgresql":
            continue
        try:
            with conn.cursor() as cursor:
                cursor.execute(
                    "SELECT datctype, pg_encoding_to_char(encoding) FROM pg_database "
                    "WHERE datname = current_database()"
                )
                ctype, encoding = cursor.fetchone()
        except OperationalError:
            continue
        if encoding != "UTF8" or ctype.upper() in {"C", "POSIX"}:
            errors.append(
                Error(
                    f"database {conn.settings_dict['NAME']!r} has LC_CTYPE={ctype} "
                    f"and encoding {encoding}; Persian search needs UTF-8 with a UTF-8 "
                    "ctype (create it from template0 with LC_CTYPE 'C.UTF-8')",
                    id="helpdesk.E001",
                )
            )
    return errors
