"""The API of the directory: consultation windows (M1, M4), places (R6), family and peer groups
and linked agencies (R7).

Thin: parse, call one service or selector of `tsunagi.directory`, answer. Any member reads the
directory; the prefecture's officers, a municipality's officers (their town's entries) and an
agency's manager (entries about the agency) change it, others get 403. A stale `version`
answers 409. The places matching a case (R6) answer 404 for a case you may not see, and the
read of the case is in the access log (P3).
"""

from datetime import date, time
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from tsunagi.access.policy import Kind, get_visible
from tsunagi.agencies.models import Agency, Weekday
from tsunagi.directory import rules, selectors, services
from tsunagi.directory.inputs import refuse_nul
from tsunagi.directory.models import Channel, DirectoryEntry, EntryKind
from tsunagi.jurisdictions.models import Municipality, Prefecture
from tsunagi.people.models import Case
from tsunagi.people.services import log_read
from tsunagi.web.text import normalize_text

from .people_schemas import ConflictOut
from .schemas import Error, ValidationErrorOut

router = Router(tags=["directory"])

READ = {401: Error, 404: Error, 422: ValidationErrorOut}
WRITE = {401: Error, 403: Error, 404: Error, 422: ValidationErrorOut}


class HoursIO(Schema):
    weekday: Weekday
    opens: time
    closes: time


class EntryOut(Schema):
    id: int
    uuid: str
    kind: EntryKind
    kind_label: str
    name: str
    name_kana: str
    prefecture_code: str
    municipality_code: str | None
    municipality_name: str | None
    agency_id: int | None
    lead_department: str
    area: list[str]
    postal_code: str
    address: str
    phone: str
    is_public: bool
    is_active: bool
    verified_on: date | None
    stale: bool
    version: int

    @staticmethod
    def resolve_uuid(obj: DirectoryEntry) -> str:
        return str(obj.uuid)

    @staticmethod
    def resolve_kind_label(obj: DirectoryEntry) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_prefecture_code(obj: DirectoryEntry) -> str:
        return obj.prefecture.code

    @staticmethod
    def resolve_municipality_code(obj: DirectoryEntry) -> str | None:
        return obj.municipality.code if obj.municipality else None

    @staticmethod
    def resolve_municipality_name(obj: DirectoryEntry) -> str | None:
        return obj.municipality.name if obj.municipality else None

    @staticmethod
    def resolve_area(obj: DirectoryEntry) -> list[str]:
        return [m.code for m in obj.area.all()]

    @staticmethod
    def resolve_stale(obj: DirectoryEntry) -> bool:
        return rules.stale(obj, timezone.localdate())


class EntryDetailOut(EntryOut):
    description: str
    access: str
    email: str
    website: str
    hours: list[HoursIO]
    hours_note: str
    channels: list[Channel]
    min_age: int | None
    max_age: int | None
    residence_required: bool
    eligibility: str
    is_free: bool
    cost: str
    accompaniment: bool
    welcomes_silent: bool
    mornings: bool
    afternoons: bool
    evenings: bool
    verified_by: str | None

    @staticmethod
    def resolve_hours(obj: DirectoryEntry) -> list[Any]:
        return list(obj.hours.all())

    @staticmethod
    def resolve_verified_by(obj: DirectoryEntry) -> str | None:
        user = obj.verified_by
        return (user.get_full_name() or user.get_username()) if user else None


class EntryIn(Schema):
    kind: EntryKind
    name: str = Field(..., min_length=1, max_length=200)
    name_kana: str = Field("", max_length=200)
    description: str = ""
    prefecture_code: str
    municipality_code: str | None = None
    agency_id: int | None = None
    lead_department: str = Field("", max_length=100)
    area: list[str] = []
    postal_code: str = Field("", max_length=10)
    address: str = Field("", max_length=200)
    access: str = Field("", max_length=200)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    website: str = Field("", max_length=200)
    hours: list[HoursIO] = []
    hours_note: str = Field("", max_length=200)
    channels: list[Channel] = []
    min_age: int | None = None
    max_age: int | None = None
    residence_required: bool = False
    eligibility: str = ""
    is_free: bool = True
    cost: str = Field("", max_length=200)
    accompaniment: bool = False
    welcomes_silent: bool = False
    mornings: bool = False
    afternoons: bool = False
    evenings: bool = False
    is_public: bool = True


class EntryPatch(Schema):
    version: int | None = Field(None, description="The version you read; a stale one answers 409.")
    kind: EntryKind | None = None
    name: str | None = Field(None, min_length=1, max_length=200)
    name_kana: str | None = Field(None, max_length=200)
    description: str | None = None
    municipality_code: str | None = None
    agency_id: int | None = None
    lead_department: str | None = Field(None, max_length=100)
    area: list[str] | None = None
    postal_code: str | None = Field(None, max_length=10)
    address: str | None = Field(None, max_length=200)
    access: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=20)
    email: str | None = Field(None, max_length=254)
    website: str | None = Field(None, max_length=200)
    hours: list[HoursIO] | None = None
    hours_note: str | None = Field(None, max_length=200)
    channels: list[Channel] | None = None
    min_age: int | None = None
    max_age: int | None = None
    residence_required: bool | None = None
    eligibility: str | None = None
    is_free: bool | None = None
    cost: str | None = Field(None, max_length=200)
    accompaniment: bool | None = None
    welcomes_silent: bool | None = None
    mornings: bool | None = None
    afternoons: bool | None = None
    evenings: bool | None = None
    is_public: bool | None = None


class VersionIn(Schema):
    version: int | None = Field(None, description="The version you read; a stale one answers 409.")


class EntryFilters(Schema):
    q: str = ""
    kind: EntryKind | None = None
    prefecture: str = Field("", description="Prefecture code (39 for 高知県).")
    municipality: str = Field("", description="Municipality code: entries there or serving it.")
    public: bool | None = None
    stale: bool = Field(False, description="Only entries not verified for a year.")


class MatchOut(Schema):
    rule: str
    score: int
    reasons: list[str]
    entry: EntryOut


class NeedsOut(Schema):
    age: int | None
    silent: bool
    times: list[str]
    near_home: bool
    accompaniment: bool
    wants_work: bool


class MatchesOut(Schema):
    rule: str = "R6"
    needs: NeedsOut
    matches: list[MatchOut]


def _municipalities(codes: list[str], field: str = "area") -> list[Municipality]:
    wanted = [normalize_text(c)[:5] for c in codes]
    found = {m.code: m for m in Municipality.objects.filter(code__in=wanted)}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise ValidationError(
            {field: _("Unknown municipality code: %(codes)s") % {"codes": ", ".join(missing)}}
        )
    return [found[c] for c in wanted]


def _resolve(data: dict[str, Any]) -> dict[str, Any]:
    """Turn the API's codes and ids into model instances (services normalise the text)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "prefecture_code":
            pref = Prefecture.objects.filter(code=normalize_text(value).zfill(2)).first()
            if pref is None:
                raise ValidationError({key: _("Unknown prefecture code.")})
            out["prefecture"] = pref
        elif key == "municipality_code":
            out["municipality"] = _municipalities([value], key)[0] if value else None
        elif key == "agency_id":
            agency = Agency.objects.filter(pk=value).first() if value is not None else None
            if value is not None and agency is None:
                raise ValidationError({key: _("No agency has this id.")})
            out["agency"] = agency
        elif key == "channels":
            out[key] = [str(c.value if hasattr(c, "value") else c) for c in value]
        elif key == "kind":
            out[key] = str(value.value if hasattr(value, "value") else value)
        else:
            out[key] = value
    return out


def _hours(rows: list[dict[str, Any]] | None) -> list[services.Period] | None:
    if rows is None:
        return None
    return [(int(r["weekday"]), r["opens"], r["closes"]) for r in rows]


def _entry(request: HttpRequest, entry_id: int) -> DirectoryEntry:
    return selectors.entry(request.user, entry_id)


@router.get(
    "",
    response={200: list[EntryOut], 401: Error, 422: ValidationErrorOut},
    summary="Directory entries: windows, places, groups and linked agencies, filtered",
)
@paginate(PageNumberPagination, page_size=50)
def list_entries(request: HttpRequest, filters: Query[EntryFilters]) -> Any:
    f = filters.dict()
    refuse_nul(f)
    if f.get("kind") is not None:
        f["kind"] = str(f["kind"].value if hasattr(f["kind"], "value") else f["kind"])
    if not f.get("stale"):
        f.pop("stale", None)
    return selectors.entries(request.user, f)


@router.get(
    "/stale",
    response={200: list[EntryOut], 401: Error},
    summary="Entries not verified for a year (to check again)",
)
@paginate(PageNumberPagination, page_size=50)
def list_stale(request: HttpRequest, prefecture: str = "") -> Any:
    refuse_nul({"prefecture": prefecture})
    return selectors.entries(request.user, {"stale": True, "prefecture": prefecture})


@router.get(
    "/matches",
    response={200: MatchesOut, **READ},
    summary="Places that fit the person of a case (rule R6), best first, with reasons",
    description="The needs come from the case's latest assessment (how far the person goes "
    "out, their wishes in their own words) and the person (age, where they live). A case you "
    "may not see answers 404. The read of the case is in the access log.",
)
def matches(request: HttpRequest, case: int) -> Any:
    user = request.user
    found = get_visible(user, Kind.CASE, Case.objects.select_related("person", "agency"), pk=case)
    log_read(user, Kind.CASE, found, request, view="directory_matches")
    needs = selectors.needs_for_case(found)
    result = selectors.places_for_case(user, found, needs=needs)
    return {
        "rule": "R6",
        "needs": {
            "age": needs.age,
            "silent": needs.silent,
            "times": sorted(needs.times),
            "near_home": needs.near_home,
            "accompaniment": needs.accompaniment,
            "wants_work": needs.wants_work,
        },
        "matches": [
            {"rule": m.rule, "score": m.score, "reasons": m.reasons, "entry": m.entry}
            for m in result
        ],
    }


@router.post(
    "",
    response={201: EntryDetailOut, 401: Error, 403: Error, 422: ValidationErrorOut},
    summary="Add an entry (prefectural officer, the town's officer, the agency's manager)",
)
def create_entry(request: HttpRequest, payload: EntryIn) -> Any:
    data = payload.dict()
    refuse_nul(data)
    area = _municipalities(data.pop("area"))
    hours = _hours(data.pop("hours")) or []
    entry = services.create_entry(
        request.user, data=_resolve(data), area=area, hours=hours, request=request
    )
    return Status(201, _entry(request, entry.pk))


@router.get("/{entry_id}", response={200: EntryDetailOut, 401: Error, 404: Error})
def get_entry(request: HttpRequest, entry_id: int) -> Any:
    return _entry(request, entry_id)


@router.patch(
    "/{entry_id}",
    response={200: EntryDetailOut, 409: ConflictOut, **WRITE},
    summary="Change an entry; a stale version answers 409 and nothing is saved",
)
def patch_entry(request: HttpRequest, entry_id: int, payload: EntryPatch) -> Any:
    entry = _entry(request, entry_id)
    data = payload.dict(exclude_unset=True)
    refuse_nul(data)
    version = data.pop("version", None)
    codes = data.pop("area", None)
    area = _municipalities(codes) if codes is not None else None
    hours = _hours(data.pop("hours", None))
    services.update_entry(
        request.user,
        entry,
        data=_resolve(data),
        area=area,
        hours=hours,
        version=version,
        request=request,
    )
    return _entry(request, entry_id)


@router.post(
    "/{entry_id}/verify",
    response={200: EntryDetailOut, 409: ConflictOut, **WRITE},
    summary="Record that the entry was checked today (clears the stale flag)",
)
def verify(request: HttpRequest, entry_id: int, payload: VersionIn) -> Any:
    entry = _entry(request, entry_id)
    services.verify_entry(request.user, entry, version=payload.version, request=request)
    return _entry(request, entry_id)


@router.post(
    "/{entry_id}/archive",
    response={200: EntryDetailOut, 409: ConflictOut, **WRITE},
    summary="Take an entry off the directory and the public pages",
)
def archive(request: HttpRequest, entry_id: int, payload: VersionIn) -> Any:
    entry = _entry(request, entry_id)
    services.archive_entry(request.user, entry, version=payload.version, request=request)
    return _entry(request, entry_id)
