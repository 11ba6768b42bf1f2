"""State changes of the directory. Each checks access, validates, writes and audits in one
transaction; the screens, the API, the HSDS import and the demo all call these functions.

Entries are public information: their audit events are not personal (like the agency registry).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagi.access import audit
from tsunagi.access.policy import Action, Kind, can, require
from tsunagi.agencies.services import EditConflict, parse_periods
from tsunagi.jurisdictions.models import Municipality
from tsunagi.jurisdictions.postal import PostalCodeError, format_postal_code, normalize_postal_code
from tsunagi.web.text import digits_only, normalize_kana, normalize_phone, normalize_text

from .inputs import refuse_nul
from .models import Channel, DirectoryEntry, EntryHours, EntryKind

__all__ = [
    "ENTRY_FIELDS",
    "EditConflict",
    "age_order_error",
    "archive_entry",
    "create_entry",
    "update_entry",
    "verify_entry",
]

ENTRY_FIELDS = (
    "kind",
    "name",
    "name_kana",
    "description",
    "prefecture",
    "municipality",
    "agency",
    "lead_department",
    "postal_code",
    "address",
    "access",
    "phone",
    "email",
    "website",
    "hours_note",
    "channels",
    "min_age",
    "max_age",
    "residence_required",
    "eligibility",
    "is_free",
    "cost",
    "accompaniment",
    "welcomes_silent",
    "mornings",
    "afternoons",
    "evenings",
    "is_public",
    "is_active",
)
ONE_LINE = ("name", "lead_department", "address", "access", "hours_note", "cost")
MAX_AGE = 120

Period = tuple[int, datetime.time, datetime.time]


def age_order_error(low: int | None, high: int | None) -> str:
    """The message when the maximum age is below the minimum age (the form and `_validate`)."""
    if low is not None and high is not None and low > high:
        return _("The maximum age must not be below the minimum age.")
    return ""


def _clean_values(entry: DirectoryEntry, errors: dict[str, list[str]]) -> None:
    """Width-normalise and check the fields people type (full- or half-width accepted)."""
    for name in ONE_LINE:
        setattr(entry, name, normalize_text(getattr(entry, name) or ""))
    entry.name_kana = normalize_kana(entry.name_kana or "")
    entry.email = normalize_text(entry.email or "")
    entry.website = normalize_text(entry.website or "")
    if entry.postal_code:
        try:
            entry.postal_code = format_postal_code(normalize_postal_code(entry.postal_code))
        except PostalCodeError as exc:
            errors.setdefault("postal_code", []).append(str(exc))
    if entry.phone:
        phone = normalize_phone(entry.phone)
        digits = digits_only(phone)
        if not 10 <= len(digits) <= 11 or not digits.startswith("0") or len(phone) > 20:
            errors.setdefault("phone", []).append(
                _("Enter the phone number with its area code (10 or 11 digits, e.g. 088-823-0000).")
            )
        else:
            entry.phone = phone
    for name in ("min_age", "max_age"):
        value = getattr(entry, name)
        if value is not None and not 0 <= int(value) <= MAX_AGE:
            errors.setdefault(name, []).append(_("Enter an age between 0 and 120."))
    problem = age_order_error(entry.min_age, entry.max_age)
    if problem and "min_age" not in errors and "max_age" not in errors:
        errors.setdefault("max_age", []).append(problem)
    channels = entry.channels if isinstance(entry.channels, list) else None
    if channels is None or any(c not in Channel.values for c in channels):
        errors.setdefault("channels", []).append(
            _("Choose the ways to get in touch from: phone, visit, online, home visit.")
        )
    else:
        entry.channels = [c for c in Channel.values if c in channels]


def _validate(entry: DirectoryEntry, area: Sequence[Municipality] | None) -> None:
    errors: dict[str, list[str]] = {}
    _clean_values(entry, errors)
    if entry.kind not in EntryKind.values:
        errors.setdefault("kind", []).append(_("Choose the kind of entry."))
    if (
        entry.municipality is not None
        and entry.prefecture_id
        and entry.municipality.prefecture_id != entry.prefecture_id
    ):
        errors.setdefault("municipality", []).append(
            _("The municipality is not in the entry's prefecture.")
        )
    if (
        entry.agency is not None
        and entry.prefecture_id
        and entry.agency.prefecture_id != entry.prefecture_id
    ):
        errors.setdefault("agency", []).append(
            _("The agency is not in the entry's prefecture. Choose an agency of the prefecture.")
        )
    if area is not None and entry.prefecture_id:
        outside = [m.name for m in area if m.prefecture_id != entry.prefecture_id]
        if outside:
            errors.setdefault("area", []).append(
                _("Outside the entry's prefecture: %(names)s") % {"names": "、".join(outside)}
            )
    if entry.kind == EntryKind.WINDOW and not entry.municipality_id and not area:
        # rule M1: a window is the window of a municipality (or of the towns it serves)
        errors.setdefault("municipality", []).append(
            _("Name the municipality whose consultation window this is (rule M1).")
        )
    try:
        entry.full_clean(exclude=[*errors.keys(), "area"])
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _check_area(actor: Any, entry: DirectoryEntry, added: Iterable[Municipality]) -> None:
    """Naming a municipality in the area served makes the entry that town's (its window on the
    town's public page, rule M1): `actor` may add only the towns where they could keep the entry
    itself. A municipal officer names no other municipality; the prefecture's officers (and an
    agency's manager, for the agency's entries) any town of the prefecture."""
    refused = [
        m.name
        for m in added
        if not can(
            actor,
            Action.CHANGE,
            Kind.DIRECTORY_ENTRY,
            DirectoryEntry(
                prefecture_id=m.prefecture_id, municipality_id=m.pk, agency_id=entry.agency_id
            ),
        )
    ]
    if refused:
        raise ValidationError(
            {
                "area": [
                    _("You may not name these municipalities in the area served: %(names)s")
                    % {"names": "、".join(refused)}
                ]
            }
        )


def _snapshot(entry: DirectoryEntry) -> dict[str, Any]:
    data = model_to_dict(entry, fields=ENTRY_FIELDS)
    return {k: (v if isinstance(v, (bool, list)) or v is None else str(v)) for k, v in data.items()}


def _hours_of(entry: DirectoryEntry) -> list[tuple[int, str, str]]:
    return [(h.weekday, f"{h.opens:%H:%M}", f"{h.closes:%H:%M}") for h in entry.hours.all()]


def _assign(entry: DirectoryEntry, data: dict[str, Any]) -> None:
    for key, value in data.items():
        base = key[:-3] if key.endswith("_id") else key
        if base in ENTRY_FIELDS:
            setattr(entry, key, value)


@transaction.atomic
def create_entry(
    actor: Any,
    *,
    data: dict[str, Any],
    area: Sequence[Municipality] = (),
    hours: Iterable[Period] = (),
    source: str = "",
    uuid: Any = None,
    verified_on: datetime.date | None = None,
    request: Any = None,
) -> DirectoryEntry:
    """Add an entry (a window, a place, a group or a linked agency)."""
    refuse_nul(data)
    entry = DirectoryEntry(channels=[])
    _assign(entry, data)
    if uuid is not None:
        entry.uuid = uuid
    entry.source = source
    entry.verified_on = verified_on
    require(actor, Action.CREATE, Kind.DIRECTORY_ENTRY, entry if entry.prefecture_id else None)
    rows = parse_periods(hours, EntryHours)
    _validate(entry, area)
    _check_area(actor, entry, area)
    entry.save()
    entry.area.set(area)
    for row in rows:
        row.entry = entry
    EntryHours.objects.bulk_create(rows)
    audit.record(
        "directory_entry.created",
        actor=actor,
        request=request,
        agency_id=entry.agency_id,
        obj=entry,
        detail={
            "after": _snapshot(entry),
            "area": [m.code for m in area],
            "hours": _hours_of(entry),
            "source": source,
        },
    )
    return entry


@transaction.atomic
def update_entry(
    actor: Any,
    entry: DirectoryEntry,
    *,
    data: dict[str, Any],
    area: Sequence[Municipality] | None = None,
    hours: Iterable[Period] | None = None,
    version: int | None = None,
    request: Any = None,
) -> DirectoryEntry:
    """Change an entry. With `version`, refuse (EditConflict) if someone saved it meanwhile."""
    require(actor, Action.CHANGE, Kind.DIRECTORY_ENTRY, entry)
    refuse_nul(data)
    current = DirectoryEntry.objects.select_for_update().get(pk=entry.pk)
    if version is not None and current.version != version:
        raise EditConflict(current)
    before = _snapshot(current)
    before_area = sorted(current.area.values_list("code", flat=True))
    before_hours = _hours_of(current)
    _assign(current, data)
    # Moving an entry to another prefecture or town needs the right there too.
    require(actor, Action.CHANGE, Kind.DIRECTORY_ENTRY, current)
    rows = parse_periods(hours, EntryHours) if hours is not None else None
    # the area kept must still fit a moved entry
    _validate(current, area if area is not None else list(current.area.all()))
    if area is not None:
        known = set(current.area.values_list("pk", flat=True))
        _check_area(actor, current, [m for m in area if m.pk not in known])
    current.version = F("version") + 1  # type: ignore[assignment,unused-ignore]
    current.save()
    current.refresh_from_db()
    if area is not None:
        current.area.set(area)
    if rows is not None:
        current.hours.all().delete()
        for row in rows:
            row.entry = current
        EntryHours.objects.bulk_create(rows)
    after = _snapshot(current)
    changes: dict[str, Any] = {k: [before[k], after[k]] for k in after if before.get(k) != after[k]}
    after_area = sorted(current.area.values_list("code", flat=True))
    if after_area != before_area:
        changes["area"] = [before_area, after_area]
    after_hours = _hours_of(current)
    if after_hours != before_hours:
        changes["hours"] = [before_hours, after_hours]
    audit.record(
        "directory_entry.changed",
        actor=actor,
        request=request,
        agency_id=current.agency_id,
        obj=current,
        detail={"changes": changes},
    )
    return current


@transaction.atomic
def verify_entry(
    actor: Any,
    entry: DirectoryEntry,
    *,
    on: datetime.date | None = None,
    version: int | None = None,
    request: Any = None,
) -> DirectoryEntry:
    """Record that the entry was checked (by phone, a visit): verified today by `actor`."""
    require(actor, Action.CHANGE, Kind.DIRECTORY_ENTRY, entry)
    current = DirectoryEntry.objects.select_for_update().get(pk=entry.pk)
    if version is not None and current.version != version:
        raise EditConflict(current)
    day = on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError({"verified_on": [_("The date cannot be in the future.")]})
    before = current.verified_on
    DirectoryEntry.objects.filter(pk=current.pk).update(
        verified_on=day, verified_by=actor, version=F("version") + 1
    )
    current.refresh_from_db()
    audit.record(
        "directory_entry.verified",
        actor=actor,
        request=request,
        agency_id=current.agency_id,
        obj=current,
        detail={"before": str(before) if before else None, "after": str(day)},
    )
    return current


@transaction.atomic
def archive_entry(
    actor: Any, entry: DirectoryEntry, *, version: int | None = None, request: Any = None
) -> DirectoryEntry:
    """Take an entry off the directory and the public pages (kept for the record)."""
    require(actor, Action.CHANGE, Kind.DIRECTORY_ENTRY, entry)
    current = DirectoryEntry.objects.select_for_update().get(pk=entry.pk)
    if version is not None and current.version != version:
        raise EditConflict(current)
    DirectoryEntry.objects.filter(pk=current.pk).update(
        is_active=False, is_public=False, version=F("version") + 1
    )
    current.refresh_from_db()
    audit.record(
        "directory_entry.archived",
        actor=actor,
        request=request,
        agency_id=current.agency_id,
        obj=current,
    )
    return current
