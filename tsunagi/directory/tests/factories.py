"""Small factories for directory tests."""

from __future__ import annotations

import datetime
from typing import Any

from tsunagi.directory.models import DirectoryEntry, EntryHours, EntryKind
from tsunagi.jurisdictions.models import Municipality, Prefecture


def make_entry(
    name: str = "居場所 ひだまり",
    kind: str = EntryKind.IBASHO,
    town: str | None = "39201",
    area: tuple[str, ...] = (),
    hours: tuple[tuple[int, str, str], ...] = (),
    **data: Any,
) -> DirectoryEntry:
    """An entry written straight to the database (no service, no access check)."""
    municipality = Municipality.objects.get(code=town) if town else None
    prefecture = Prefecture.objects.get(code=data.pop("prefecture", "39"))
    entry = DirectoryEntry.objects.create(
        kind=kind, name=name, prefecture=prefecture, municipality=municipality, **data
    )
    entry.area.set(Municipality.objects.filter(code__in=area))
    for weekday, opens, closes in hours:
        EntryHours.objects.create(
            entry=entry,
            weekday=weekday,
            opens=datetime.time.fromisoformat(opens),
            closes=datetime.time.fromisoformat(closes),
        )
    return entry
