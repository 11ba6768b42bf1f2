"""Reads of the directory. Entries are public information: any member may read them (access
module, `Kind.DIRECTORY_ENTRY`); the public pages read only entries marked public."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jaconv
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from tsunagi.access.policy import Kind, get_visible, scope
from tsunagi.jurisdictions.models import Municipality, Prefecture
from tsunagi.web.text import to_halfwidth

from . import rules
from .inputs import has_nul, refuse_nul
from .models import GROUP_KINDS, PLACE_KINDS, DirectoryEntry, EntryHours, EntryKind

PUBLIC_KINDS = (EntryKind.WINDOW, *PLACE_KINDS, *GROUP_KINDS)


def _with_parts(qs: QuerySet[DirectoryEntry]) -> QuerySet[DirectoryEntry]:
    return qs.select_related(
        "prefecture", "municipality", "agency", "verified_by"
    ).prefetch_related(
        Prefetch("hours", queryset=EntryHours.objects.order_by("weekday", "opens")),
        Prefetch("area", queryset=Municipality.objects.order_by("code")),
    )


def serving(municipality: Municipality) -> Q:
    """Entries that serve `municipality`: located there, naming it in their area, or
    prefecture-wide (no municipality and no area) in its prefecture."""
    return Q(prefecture_id=municipality.prefecture_id) & (
        Q(municipality=municipality)
        | Q(area=municipality)
        | Q(municipality__isnull=True, area__isnull=True)
    )


def _public() -> QuerySet[DirectoryEntry]:
    return DirectoryEntry.objects.filter(is_public=True, is_active=True)


def municipalities_with_window(prefecture_id: int) -> set[int]:
    """Rule M1: ids of the municipalities of the prefecture that have a public consultation
    window covering them (a window of the town itself, or one naming the town in its area).
    Only current municipalities count (not those abolished in a merger)."""
    windows = _public().filter(prefecture_id=prefecture_id, kind=EntryKind.WINDOW)
    located = windows.exclude(municipality__isnull=True).values_list("municipality_id", flat=True)
    covered = windows.filter(area__isnull=False).values_list("area", flat=True)
    in_pref = set(
        Municipality.objects.filter(
            prefecture_id=prefecture_id, abolished_on__isnull=True
        ).values_list("pk", flat=True)
    )
    return (set(located) | set(covered)) & in_pref


def public_entries(
    municipality: Municipality, kinds: Iterable[str] = PUBLIC_KINDS
) -> list[DirectoryEntry]:
    """Rules M1, M6: the window and the places and groups open to the public for a
    municipality, including prefecture-wide entries serving it; the town's own window first."""
    ids = _public().filter(serving(municipality), kind__in=list(kinds)).values("pk")
    found = list(_with_parts(DirectoryEntry.objects.filter(pk__in=ids)))
    order: dict[str, int] = {str(k): i for i, k in enumerate(PUBLIC_KINDS)}
    found.sort(
        key=lambda e: (
            order.get(e.kind, len(order)),
            e.municipality_id != municipality.pk,
            e.name_kana or e.name,
            e.pk,
        )
    )
    return found


@dataclass
class PublicSearch:
    municipality: Municipality | None
    entries: list[DirectoryEntry] = field(default_factory=list)
    postal_address: Any = None


def find_municipality(text: str | Municipality | None) -> Municipality | None:
    """A municipality from its object, code (5 or 6 digits) or name (高知市, 大川村)."""
    if text is None or isinstance(text, Municipality):
        return text
    value = to_halfwidth(str(text)).strip()
    if not value or has_nul(value):
        return None
    qs = Municipality.objects.select_related("prefecture").filter(abolished_on__isnull=True)
    if value.isdigit():
        return qs.filter(Q(code=value) | Q(lg_code=value)).first()
    kana = jaconv.kata2hira(value)
    return (
        qs.filter(Q(name=value) | Q(name_kana=kana) | Q(name_kana=jaconv.hira2kata(kana))).first()
        or qs.filter(name__startswith=value).order_by("code").first()
    )


def search_public(
    postal_code: str | None = None, municipality: str | Municipality | None = None
) -> PublicSearch:
    """The public search (no login): by postal code (→ municipality, through the postal
    lookup) or by municipality. Raises ValidationError with a field message when the postal
    code is malformed or unknown, or the municipality is not found."""
    from tsunagi.jurisdictions.postal import PostalCodeError, lookup

    refuse_nul({"postal_code": postal_code, "municipality": municipality})
    address = None
    town: Municipality | None = None
    if postal_code:
        try:
            address = lookup(postal_code)
        except PostalCodeError as exc:
            raise ValidationError({"postal_code": [str(exc)]}) from exc
        town = address.municipality
        if town is None:
            raise ValidationError(
                {"postal_code": [gettext("No municipality was found for this postal code.")]}
            )
    elif municipality:
        town = find_municipality(municipality)
        if town is None:
            raise ValidationError({"municipality": [gettext("This municipality was not found.")]})
    if town is None:
        return PublicSearch(municipality=None)
    return PublicSearch(municipality=town, entries=public_entries(town), postal_address=address)


def entries(user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[DirectoryEntry]:
    """The entries `user` may see, filtered. Filters: prefecture (code or id), municipality
    (code or id: entries there or serving it), kind, q (name or kana, any width/script),
    stale (True: not verified for a year), public (bool), active (default True), today.
    The caller paginates (the queryset is ordered and indexed)."""
    f = dict(filters or {})
    refuse_nul({k: v for k, v in f.items() if k in ("prefecture", "municipality", "kind", "q")})
    qs = scope(user, Kind.DIRECTORY_ENTRY, DirectoryEntry.objects.all())
    active = f.get("active", True)
    if active is not None:
        qs = qs.filter(is_active=active)
    pref = f.get("prefecture")
    if pref:
        if isinstance(pref, Prefecture):
            qs = qs.filter(prefecture=pref)
        elif isinstance(pref, int):
            qs = qs.filter(prefecture_id=pref)
        else:
            qs = qs.filter(prefecture__code=to_halfwidth(str(pref)).strip().zfill(2))
    town = f.get("municipality")
    if town:
        m = (
            town
            if isinstance(town, Municipality)
            else Municipality.objects.filter(pk=town).first()
            if isinstance(town, int)
            else find_municipality(town)
        )
        if m is None:
            return qs.none()
        qs = qs.filter(pk__in=DirectoryEntry.objects.filter(serving(m)).values("pk"))
    kind = f.get("kind")
    if kind:
        qs = qs.filter(kind__in=[kind] if isinstance(kind, str) else list(kind))
    q = to_halfwidth(f.get("q") or "").strip()
    if q:
        hira = jaconv.kata2hira(q)
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(name_kana__icontains=hira)
            | Q(name_kana__icontains=jaconv.hira2kata(hira))
        )
    if f.get("public") is not None:
        qs = qs.filter(is_public=f["public"])
    if f.get("stale"):
        today = f.get("today") or timezone.localdate()
        qs = qs.filter(Q(verified_on__isnull=True) | Q(verified_on__lt=rules.year_before(today)))
    return _with_parts(qs).order_by("prefecture__code", "kind", "name_kana", "name", "pk")


def stale_entries(
    user: Any, prefecture: Prefecture | None = None, today: datetime.date | None = None
) -> QuerySet[DirectoryEntry]:
    """Entries not verified for a year, for the officers who keep them."""
    filters: dict[str, Any] = {"stale": True, "today": today}
    if prefecture is not None:
        filters["prefecture"] = prefecture.pk
    return entries(user, filters)


def entry(user: Any, pk: int | str) -> DirectoryEntry:
    """One entry, or 404 (also for a malformed id)."""
    from django.http import Http404

    try:
        key = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    return get_visible(
        user, Kind.DIRECTORY_ENTRY, _with_parts(DirectoryEntry.objects.all()), pk=key
    )


def areas_of(entry_ids: Iterable[int]) -> dict[int, set[int]]:
    through = DirectoryEntry.area.through
    out: dict[int, set[int]] = {}
    for eid, mid in through.objects.filter(directoryentry_id__in=list(entry_ids)).values_list(
        "directoryentry_id", "municipality_id"
    ):
        out.setdefault(eid, set()).add(mid)
    return out


def places_for_case(
    user: Any, case: Any, *, today: datetime.date | None = None, needs: rules.Needs | None = None
) -> list[rules.PlaceMatch]:
    """Rule R6: the places that fit the person of `case` (the caller has checked that the user
    may see the case), ranked with reasons. The needs come from the case's latest assessment
    (how far the person goes out, their wishes in their own words) and the person (age, where
    they live); `needs` overrides them."""
    person = case.person
    if needs is None:
        needs = needs_for_case(case, today=today)
    town = person.municipality
    qs = _public().filter(kind__in=list(PLACE_KINDS))
    if town is not None:
        qs = qs.filter(serving(town))
    else:
        qs = qs.filter(prefecture_id=case.agency.prefecture_id)
    found = list(_with_parts(DirectoryEntry.objects.filter(pk__in=qs.values("pk"))))
    return rules.match_places(needs, found, areas_of(e.pk for e in found))


def needs_for_case(case: Any, today: datetime.date | None = None) -> rules.Needs:
    from tsunagi.people.selectors import latest_assessment

    person = case.person
    assessment = latest_assessment(case)
    return rules.needs_from(
        age=person.age(today),
        municipality_id=person.municipality_id,
        going_out=getattr(assessment, "going_out", "") or "",
        wishes=getattr(assessment, "wishes", "") or "",
        notes=getattr(assessment, "hikikomori_notes", "") or "",
    )
