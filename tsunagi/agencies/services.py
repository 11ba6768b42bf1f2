"""State changes of the agency registry. Each checks access, validates, writes and audits in one
transaction; the screens, the API and the commands all call these functions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import time
from itertools import pairwise
from typing import Any, Protocol, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from tsunagi.access import audit
from tsunagi.access.policy import Action, Kind, require
from tsunagi.jurisdictions.models import Municipality

from .models import (
    HIKIKOMORI_KINDS,
    Agency,
    AgencyKind,
    Network,
    OpeningHours,
    OperatorLevel,
    Pairing,
    Qualification,
    StaffMember,
)

AGENCY_FIELDS = (
    "name",
    "name_kana",
    "kind",
    "operator_level",
    "operator_prefecture",
    "operator_municipality",
    "commissioned_to",
    "prefecture",
    "age_band",
    "postal_code",
    "municipality",
    "address",
    "phone",
    "fax",
    "email",
    "website",
    "notes",
    "is_active",
)


class EditConflict(Exception):
    """Someone else saved the record since it was opened; nothing was overwritten."""

    def __init__(self, current: Any) -> None:
        super().__init__("edit conflict")
        self.current = current


def _validate_agency(agency: Agency, area: Sequence[Municipality] | None) -> None:
    errors: dict[str, list[str]] = {}
    if agency.operator_level == OperatorLevel.MUNICIPALITY and not agency.operator_municipality_id:
        errors.setdefault("operator_municipality", []).append(
            _("Name the municipality that set up the agency.")
        )
    if agency.operator_level == OperatorLevel.PREFECTURE and not agency.operator_prefecture_id:
        agency.operator_prefecture_id = agency.prefecture_id
    if (
        agency.municipality_id
        and agency.municipality
        and agency.municipality.prefecture_id != agency.prefecture_id
    ):
        errors.setdefault("municipality", []).append(
            _("The municipality is not in the agency's prefecture.")
        )
    if area is not None and agency.kind != AgencyKind.PREFECTURAL_OFFICE:
        outside = [m.name for m in area if m.prefecture_id != agency.prefecture_id]
        if outside and agency.operator_level != OperatorLevel.NATIONAL:
            errors.setdefault("area", []).append(
                _("Outside the agency's prefecture: %(names)s") % {"names": "、".join(outside)}
            )
    if agency.kind == AgencyKind.SELF_RELIANCE and agency.operator_level not in (
        OperatorLevel.PREFECTURE,
        OperatorLevel.MUNICIPALITY,
    ):
        # rule J2: set up by a welfare-office municipality or by the prefecture (it may commission).
        errors.setdefault("operator_level", []).append(
            _(
                "A self-reliance consultation support agency is set up by a municipality with a "
                "welfare office or by the prefecture (it may be commissioned to a private body)."
            )
        )
    if errors:
        raise ValidationError(errors)


def _snapshot(agency: Agency) -> dict[str, Any]:
    data = model_to_dict(agency, fields=AGENCY_FIELDS)
    return {k: (str(v) if v is not None else None) for k, v in data.items()}


@transaction.atomic
def create_agency(
    actor: Any, *, data: dict[str, Any], area: Sequence[Municipality] = (), request: Any = None
) -> Agency:
    agency = Agency(**{k: v for k, v in data.items() if k in AGENCY_FIELDS})
    require(actor, Action.CREATE, Kind.AGENCY, agency)
    _validate_agency(agency, area)
    agency.full_clean()
    agency.save()
    agency.area.set(area)
    audit.record(
        "agency.created",
        actor=actor,
        request=request,
        agency=agency,
        obj=agency,
        detail={"after": _snapshot(agency), "area": [m.code for m in area]},
    )
    return agency


@transaction.atomic
def update_agency(
    actor: Any,
    agency: Agency,
    *,
    data: dict[str, Any],
    area: Sequence[Municipality] | None = None,
    version: int | None = None,
    request: Any = None,
) -> Agency:
    """Change an agency. With `version`, refuse if someone else saved it meanwhile."""
    require(actor, Action.CHANGE, Kind.AGENCY, agency)
    current = Agency.objects.select_for_update().get(pk=agency.pk)
    if version is not None and current.version != version:
        raise EditConflict(current)
    before = _snapshot(current)
    before_area = sorted(current.area.values_list("code", flat=True))
    for key, value in data.items():
        if key in AGENCY_FIELDS:
            setattr(current, key, value)
    if "prefecture" in data or "prefecture_id" in data:
        # Moving an agency to another prefecture needs the right there too.
        require(actor, Action.CHANGE, Kind.AGENCY, current)
    _validate_agency(current, area)
    current.full_clean()
    current.version = F("version") + 1  # type: ignore[assignment,unused-ignore]
    current.save()
    current.refresh_from_db()
    if area is not None:
        current.area.set(area)
    after = _snapshot(current)
    changes = {k: [before[k], after[k]] for k in after if before.get(k) != after[k]}
    after_area = sorted(current.area.values_list("code", flat=True))
    if after_area != before_area:
        changes["area"] = [before_area, after_area]
    audit.record(
        "agency.changed",
        actor=actor,
        request=request,
        agency=current,
        obj=current,
        detail={"changes": changes},
    )
    return current


class _Period(Protocol):
    weekday: int
    opens: time
    closes: time


P = TypeVar("P", bound=_Period)


def parse_periods(periods: Iterable[tuple[int, time, time]], row: Callable[..., P]) -> list[P]:
    """Weekly opening periods as unsaved rows made by `row(weekday=, opens=, closes=)`: each
    weekday known, closing after opening, no two periods of one day overlapping. Used for the
    agencies' opening hours and the directory entries' hours."""
    rows = []
    errors = []
    for weekday, opens, closes in periods:
        if not 0 <= weekday <= 6:
            errors.append(_("Unknown weekday."))
        elif closes <= opens:
            errors.append(_("Closing time must be after opening time."))
        rows.append(row(weekday=weekday, opens=opens, closes=closes))
    by_day: dict[int, list[P]] = {}
    for r in rows:
        by_day.setdefault(r.weekday, []).append(r)
    for day_rows in by_day.values():
        day_rows.sort(key=lambda r: r.opens)
        for first, second in pairwise(day_rows):
            if second.opens < first.closes:
                errors.append(_("Opening periods on the same day overlap."))
    if errors:
        raise ValidationError({"hours": sorted(set(errors))})
    return rows


@transaction.atomic
def set_opening_hours(
    actor: Any, agency: Agency, periods: Iterable[tuple[int, time, time]], request: Any = None
) -> list[OpeningHours]:
    """Replace the weekly opening hours (counted for J6)."""
    require(actor, Action.CHANGE, Kind.AGENCY, agency)
    rows = parse_periods(periods, OpeningHours)
    before = [(h.weekday, str(h.opens), str(h.closes)) for h in agency.opening_hours.all()]
    agency.opening_hours.all().delete()
    for row in rows:
        row.agency = agency
    OpeningHours.objects.bulk_create(rows)
    audit.record(
        "agency.hours_changed",
        actor=actor,
        request=request,
        agency=agency,
        obj=agency,
        detail={
            "before": before,
            "after": [(r.weekday, str(r.opens), str(r.closes)) for r in rows],
        },
    )
    return rows


@transaction.atomic
def save_staff_member(
    actor: Any,
    agency: Agency,
    *,
    data: dict[str, Any],
    staff: StaffMember | None = None,
    request: Any = None,
) -> StaffMember:
    member = staff or StaffMember(agency=agency)
    require(actor, Action.CHANGE, Kind.STAFF, member)
    unknown = [q for q in data.get("qualifications", []) if q not in Qualification.values]
    if unknown:
        raise ValidationError(
            {"qualifications": _("Unknown qualification: %(q)s") % {"q": ", ".join(unknown)}}
        )
    for key in (
        "name",
        "name_kana",
        "title",
        "is_coordinator",
        "qualifications",
        "is_active",
        "user",
    ):
        if key in data:
            setattr(member, key, data[key])
    member.full_clean()
    member.save()
    audit.record(
        "staff.created" if staff is None else "staff.changed",
        actor=actor,
        request=request,
        agency=agency,
        obj=member,
        detail={
            "name": member.name,
            "coordinator": member.is_coordinator,
            "qualifications": member.qualifications,
            "active": member.is_active,
        },
    )
    return member


@transaction.atomic
def add_pairing(
    actor: Any,
    *,
    hikikomori_agency: Agency,
    self_reliance_agency: Agency,
    note: str = "",
    request: Any = None,
) -> Pairing:
    """rule J3: a prefectural officer pairs a hikikomori agency with a self-reliance agency."""
    pairing = Pairing(
        prefecture=self_reliance_agency.prefecture,
        hikikomori_agency=hikikomori_agency,
        self_reliance_agency=self_reliance_agency,
        note=note,
    )
    require(actor, Action.CHANGE, Kind.PAIRING, pairing)
    errors = {}
    if hikikomori_agency.kind not in HIKIKOMORI_KINDS:
        errors["hikikomori_agency"] = _("Choose a hikikomori support agency.")
    if self_reliance_agency.kind != AgencyKind.SELF_RELIANCE:
        errors["self_reliance_agency"] = _("Choose a self-reliance consultation support agency.")
    if Pairing.objects.filter(
        hikikomori_agency=hikikomori_agency, self_reliance_agency=self_reliance_agency
    ).exists():
        errors["self_reliance_agency"] = _("These two agencies are already paired.")
    if errors:
        raise ValidationError(errors)
    pairing.save()
    audit.record(
        "pairing.added",
        actor=actor,
        request=request,
        agency=self_reliance_agency,
        obj=pairing,
        detail={"hikikomori": hikikomori_agency.name, "self_reliance": self_reliance_agency.name},
    )
    return pairing


@transaction.atomic
def remove_pairing(actor: Any, pairing: Pairing, request: Any = None) -> None:
    require(actor, Action.CHANGE, Kind.PAIRING, pairing)
    audit.record(
        "pairing.removed",
        actor=actor,
        request=request,
        agency=pairing.self_reliance_agency,
        obj=pairing,
        detail={
            "hikikomori": pairing.hikikomori_agency.name,
            "self_reliance": pairing.self_reliance_agency.name,
        },
    )
    pairing.delete()


@transaction.atomic
def save_network(
    actor: Any,
    *,
    convenor: Agency,
    data: dict[str, Any],
    members: Sequence[Agency],
    network: Network | None = None,
    request: Any = None,
) -> Network:
    """rule J7: a network of related agencies or a center's liaison council, and its members."""
    network = network or Network(convenor=convenor)
    require(actor, Action.CHANGE, Kind.NETWORK, network)
    network.name = data["name"]
    network.kind = data["kind"]
    network.notes = data.get("notes", "")
    network.full_clean()
    created = network.pk is None
    network.save()
    network.members.set([m for m in members if m.pk != convenor.pk])
    audit.record(
        "network.created" if created else "network.changed",
        actor=actor,
        request=request,
        agency=convenor,
        obj=network,
        detail={"name": network.name, "members": sorted(m.name for m in members)},
    )
    return network
