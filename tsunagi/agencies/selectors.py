"""Reads of the agency registry, filtered by the access module."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When

from tsunagi.access.policy import Action, Kind, can, get_visible, home_prefecture_ids, scope
from tsunagi.jurisdictions.models import Municipality
from tsunagi.web.text import is_kana, normalize_kana, normalize_text

from . import rules
from .models import Agency, AgencyKind, OpeningHours, Pairing, StaffMember

# Lists show agencies in the order of the enumeration: hikikomori agencies, the self-reliance
# agency, the linked systems, then government offices — not by the storage code.
KIND_RANK = Case(
    *[When(kind=kind, then=Value(rank)) for rank, kind in enumerate(AgencyKind)],
    default=Value(len(AgencyKind)),
    output_field=IntegerField(),
)


def agency_list(
    user: Any,
    *,
    q: str = "",
    kind: str = "",
    prefecture: str = "",
    municipality: str = "",
) -> QuerySet[Agency]:
    """Agencies the user may see, searched by name or reading, kind, prefecture and area."""
    agencies = scope(user, Kind.AGENCY, Agency.objects.all()).select_related(
        "prefecture", "municipality"
    )
    text = normalize_text(q)
    if text:
        condition = Q(name__icontains=text)
        if is_kana(text):
            condition |= Q(name_kana__contains=normalize_kana(text))
        agencies = agencies.filter(condition)
    if kind:
        agencies = agencies.filter(kind=kind)
    if prefecture:
        agencies = agencies.filter(prefecture__code=prefecture)
    if municipality:
        agencies = agencies.filter(area__code=municipality)
    return agencies.annotate(kind_rank=KIND_RANK).order_by(
        "prefecture__code", "kind_rank", "name_kana", "name", "pk"
    )


def default_prefecture_code(user: Any) -> str:
    """The prefecture a list opens on: the user's own, when they belong to exactly one."""
    from tsunagi.jurisdictions.models import Prefecture

    ids = home_prefecture_ids(user)
    if len(ids) == 1:
        pref = Prefecture.objects.filter(pk=next(iter(ids))).first()
        return pref.code if pref else ""
    return ""


def agency_detail(user: Any, pk: int) -> Agency:
    return get_visible(
        user,
        Kind.AGENCY,
        Agency.objects.select_related(
            "prefecture", "municipality", "operator_prefecture", "operator_municipality"
        ).prefetch_related(
            Prefetch("area", queryset=Municipality.objects.order_by("code")),
            "opening_hours",
        ),
        pk=pk,
    )


def staff_of(user: Any, agency: Agency) -> QuerySet[StaffMember] | None:
    """The agency's staff, or None when the user may not see them."""
    if not can(user, Action.VIEW, Kind.STAFF, StaffMember(agency=agency)):
        return None
    return agency.staff.select_related("user").order_by("-is_active", "name_kana", "name")


def compliance(agency: Agency) -> rules.Compliance | None:
    """rule J6, for hikikomori regional support centers only."""
    if agency.kind != AgencyKind.HIKIKOMORI_CENTER:
        return None
    return rules.center_compliance(
        list(agency.staff.all()), list(OpeningHours.objects.filter(agency=agency))
    )


def pairings_of(user: Any, agency: Agency) -> QuerySet[Pairing]:
    pairs = scope(user, Kind.PAIRING, Pairing.objects.all()).select_related(
        "hikikomori_agency", "self_reliance_agency"
    )
    return pairs.filter(Q(hikikomori_agency=agency) | Q(self_reliance_agency=agency))


def pairing_list(user: Any, prefecture_code: str = "") -> QuerySet[Pairing]:
    pairs = scope(user, Kind.PAIRING, Pairing.objects.all()).select_related(
        "prefecture", "hikikomori_agency", "self_reliance_agency"
    )
    if prefecture_code:
        pairs = pairs.filter(prefecture__code=prefecture_code)
    return pairs.order_by(
        "prefecture__code", "self_reliance_agency__name", "hikikomori_agency__name"
    )


def _area_map(agencies: list[Agency]) -> dict[Any, set[Any]]:
    through = Agency.area.through.objects.filter(agency_id__in=[a.pk for a in agencies])
    area: dict[Any, set[Any]] = {a.pk: set() for a in agencies}
    for agency_id, municipality_id in through.values_list("agency_id", "municipality_id"):
        area[agency_id].add(municipality_id)
    return area


def responsible_self_reliance_agency(municipality: Municipality) -> rules.Resolution:
    """rule J2 resolved against the registry."""
    candidates = list(
        Agency.objects.filter(
            kind=AgencyKind.SELF_RELIANCE, is_active=True, prefecture_id=municipality.prefecture_id
        ).order_by("pk")
    )
    return rules.responsible_self_reliance_agency(municipality, candidates, _area_map(candidates))


def responsible_hikikomori_agencies(
    municipality: Municipality, age: int | None = None
) -> list[rules.Resolution]:
    """rules J1/J4 resolved against the registry."""
    candidates = list(
        Agency.objects.filter(
            kind__in=[k.value for k in AgencyKind if k.value.startswith("hikikomori")],
            is_active=True,
            area=municipality,
        ).order_by("pk")
    )
    return rules.responsible_hikikomori_agencies(
        municipality, age, candidates, _area_map(candidates)
    )


def paired_with(self_reliance_agency: Agency, age: int | None = None) -> list[Agency]:
    """rule J3 resolved against the registry: the hikikomori agencies the prefecture paired with
    a self-reliance agency, for the person's age band (J4)."""
    pairs = list(
        Pairing.objects.filter(self_reliance_agency=self_reliance_agency).values_list(
            "hikikomori_agency_id", "self_reliance_agency_id"
        )
    )
    agencies = Agency.objects.filter(pk__in=[h for h, _s in pairs], is_active=True)
    return rules.paired_hikikomori_agencies(
        self_reliance_agency.pk, pairs, {a.pk: a for a in agencies}, age
    )
