"""One cache client per process, for code that runs under socket consumers.

Django keeps a cache object per thread and, in async code, per task context: a
consumer that touches `django.core.cache.cache` gets a Redis connection pool of
its own, kept open for as long as its socket lives (file descriptors and memory
for every idle socket; see bench/idle_sockets.py). redis-py clients are thread
safe, so the consumers share this one.
"""

from __future__ import annotations

import threading

from django.core.cache import BaseCache, caches

_lock = threading.Lock()
_shared: BaseCache | None = None


def shared_cache() -> BaseCache:
    global _shared
    with _lock:
        if _shared is None:
            # A fresh instance outside Django's per-context handler; the local-memory
            # backend shares its storage by name, so tests see the same data.
            _shared = caches.create_connection("default")
        return _shared
