"""One query condition for "this JSON list of tags holds that tag", on every backend.

PostgreSQL asks JSON containment (indexable). SQLite has no containment lookup,
so it matches the tag's JSON text, quotes included, inside the stored list: tags
are stored normalised (lower case, trimmed) and encoded the way ``json.dumps``
encodes them, so the quoted text only matches a whole element.
"""

import json

from django.db import connection
from django.db.models import Q


def tag_q(path: str, tag: str) -> Q:
    """``Q`` for rows whose tag list at ``path`` (e.g. ``tags``, ``ticket__tags``) holds ``tag``."""
    if connection.features.supports_json_field_contains:
        return Q(**{f"{path}__contains": [tag]})
    return Q(**{f"{path}__icontains": json.dumps(tag)})
