"""What every service does to a record it changes: set the fields given (and say which changed),
check the version the user read (no silent overwrite: two people editing one record get a
conflict), bump the version, and check a list of choices."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext as _

from tsunagi.agencies.services import EditConflict


def apply_fields(
    obj: Any, data: Mapping[str, Any], fields: Sequence[str], *, strip: bool = False
) -> list[str]:
    """Set the given fields; return the names of those whose value changed. A relation may be
    given as an object or its id; with `strip`, text loses its surrounding spaces."""
    changed = []
    for key, value in data.items():
        if key not in fields:
            continue
        if strip and isinstance(value, str):
            value = value.strip()
        field = obj._meta.get_field(key)
        if field.is_relation and not field.many_to_many:
            value = getattr(value, "pk", value)
            if getattr(obj, field.attname) != value:
                setattr(obj, field.attname, value)
                changed.append(key)
        elif getattr(obj, key) != value:
            setattr(obj, key, value)
            changed.append(key)
    return changed


def check_version(obj: Any, version: int | None) -> None:
    """The user read `version`: if the record changed since, nothing is saved."""
    if version is not None and version != obj.version:
        raise EditConflict(obj)


def bump(obj: Any) -> None:
    """Save with the next version (counted in the database, safe against a parallel save)."""
    obj.version = F("version") + 1
    obj.save()
    obj.refresh_from_db()


def choices_list(
    value: Iterable[str] | str | None, allowed: Iterable[str], field: str
) -> list[str]:
    """A list of choices without repeats; one choice may come on its own ("phone")."""
    allowed = set(allowed)
    if isinstance(value, str):  # one choice sent on its own, not letter by letter
        value = [value] if value else []
    values = list(dict.fromkeys(value or []))
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValidationError({field: [_("Unknown choice: %(v)s") % {"v": ", ".join(unknown)}]})
    return values
