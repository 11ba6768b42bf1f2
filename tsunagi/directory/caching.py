"""The cache of the public pages (M1, M6): rendered once per municipality and kept in the
configured cache backend (`django.core.cache.cache`, shared by every process when the settings
name a shared backend), so that they stay fast under load.

Invalidation: every change of an entry goes through `tsunagi.directory.services`, which writes an
audit event `directory_entry.*`. When such an event is saved, the generation number of the public
pages is raised (after the transaction commits), and every key made afterwards is new; the old
pages simply expire. A short timeout bounds how long a page can lag behind in a process where
this module was not imported (e.g. a management command).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from tsunagi.access.models import AuditEvent

TIMEOUT = 300  # seconds: the longest a page may lag behind a change made elsewhere
GENERATION_KEY = "public-directory:generation"
# Audit actions that change what the public pages show.
CHANGES = (
    "directory_entry.created",
    "directory_entry.changed",
    "directory_entry.verified",
    "directory_entry.archived",
    "directory_entry.imported",
)


def _fresh() -> int:
    """A generation never used before: the clock in nanoseconds. When the key is gone (evicted,
    the cache restarted), counting again from 1 would bring back pages of an earlier
    generation still in the cache; a new start from the clock is beyond every earlier number
    (earlier ones started at an earlier time and rose by one per change)."""
    return time.time_ns()


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, _fresh(), timeout=None)
        value = cache.get(GENERATION_KEY)
        if value is None:  # a cache that keeps nothing (DummyCache): nothing is reused
            return _fresh()
    return int(value)


def invalidate() -> None:
    """Make every cached public page stale at once (all processes sharing the cache)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set (evicted): any fresh start is beyond the pages cached before
        cache.add(GENERATION_KEY, _fresh(), timeout=None)


def key(*parts: Any) -> str:
    return "public-directory:" + ":".join(str(p) for p in (generation(), *parts))


def cached(parts: tuple[Any, ...], make: Callable[[], Any]) -> Any:
    """`make()` once per generation and `parts` (e.g. ("municipality", "39201", "html"))."""
    k = key(*parts)
    value = cache.get(k)
    if value is None:
        value = make()
        cache.set(k, value, timeout=TIMEOUT)
    return value


@receiver(post_save, sender=AuditEvent, dispatch_uid="public-directory-invalidate")
def _on_audit(sender: Any, instance: AuditEvent, created: bool, **kwargs: Any) -> None:
    if created and (instance.action in CHANGES or instance.record_kind == "directoryentry"):
        if instance.action.endswith(".exported"):
            return
        transaction.on_commit(invalidate)
