from datetime import time
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from tsunagi.access.policy import Action, Kind, get_visible, require
from tsunagi.agencies import selectors, services
from tsunagi.agencies.models import (
    AgeBand,
    Agency,
    AgencyKind,
    OperatorLevel,
    Pairing,
    Qualification,
    StaffMember,
    Weekday,
)
from tsunagi.jurisdictions.models import Municipality, Prefecture
from tsunagi.web.text import normalize_kana, normalize_phone, normalize_text

from .schemas import Error, ValidationErrorOut

router = Router(tags=["agencies"])
pairings_router = Router(tags=["agencies"])


class HoursOut(Schema):
    weekday: Weekday
    opens: time
    closes: time


class AgencyOut(Schema):
    id: int
    name: str
    name_kana: str
    kind: AgencyKind
    kind_label: str = Field(..., alias="get_kind_display")
    operator_level: OperatorLevel
    operator_prefecture_code: str | None = None
    operator_municipality_code: str | None = None
    commissioned_to: str
    prefecture_code: str = Field(..., alias="prefecture.code")
    age_band: AgeBand
    postal_code: str
    municipality_code: str | None = None
    address: str
    phone: str
    fax: str
    email: str
    website: str
    notes: str
    is_active: bool
    version: int
    area: list[str] = []

    @staticmethod
    def resolve_operator_prefecture_code(obj: Agency) -> str | None:
        return obj.operator_prefecture.code if obj.operator_prefecture else None

    @staticmethod
    def resolve_operator_municipality_code(obj: Agency) -> str | None:
        return obj.operator_municipality.code if obj.operator_municipality else None

    @staticmethod
    def resolve_municipality_code(obj: Agency) -> str | None:
        return obj.municipality.code if obj.municipality else None

    @staticmethod
    def resolve_area(obj: Agency) -> list[str]:
        return [m.code for m in obj.area.all()]


class AgencyDetailOut(AgencyOut):
    opening_hours: list[HoursOut] = []

    @staticmethod
    def resolve_opening_hours(obj: Agency) -> list[Any]:
        return list(obj.opening_hours.all())


class AgencyIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    name_kana: str = Field("", max_length=200)
    kind: AgencyKind
    operator_level: OperatorLevel
    operator_prefecture_code: str | None = None
    operator_municipality_code: str | None = None
    commissioned_to: str = Field("", max_length=200)
    prefecture_code: str
    age_band: AgeBand = AgeBand.BOTH
    postal_code: str = Field("", max_length=10)
    municipality_code: str | None = None
    address: str = Field("", max_length=200)
    phone: str = Field("", max_length=20)
    fax: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    website: str = Field("", max_length=200)
    notes: str = ""
    is_active: bool = True
    area: list[str] = []


class AgencyPatch(Schema):
    version: int | None = Field(None, description="The version you read; a stale one answers 409.")
    name: str | None = Field(None, min_length=1, max_length=200)
    name_kana: str | None = Field(None, max_length=200)
    commissioned_to: str | None = Field(None, max_length=200)
    age_band: AgeBand | None = None
    postal_code: str | None = Field(None, max_length=10)
    municipality_code: str | None = None
    address: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=20)
    fax: str | None = Field(None, max_length=20)
    email: str | None = Field(None, max_length=254)
    website: str | None = Field(None, max_length=200)
    notes: str | None = None
    is_active: bool | None = None
    area: list[str] | None = None


class StaffOut(Schema):
    id: int
    name: str
    name_kana: str
    title: str
    is_coordinator: bool
    qualifications: list[Qualification]
    is_active: bool


class StaffIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    name_kana: str = Field("", max_length=100)
    title: str = Field("", max_length=100)
    is_coordinator: bool = False
    qualifications: list[Qualification] = []
    is_active: bool = True


class ComplianceOut(Schema):
    rule: str = "J6"
    compliant: bool
    coordinators: int
    professionals: int
    open_days: int
    full_days: int
    weekly_hours: float
    reasons: list[str]


class PairingOut(Schema):
    id: int
    prefecture_code: str = Field(..., alias="prefecture.code")
    hikikomori_agency_id: int
    hikikomori_agency_name: str = Field(..., alias="hikikomori_agency.name")
    self_reliance_agency_id: int
    self_reliance_agency_name: str = Field(..., alias="self_reliance_agency.name")
    note: str


class PairingIn(Schema):
    hikikomori_agency_id: int
    self_reliance_agency_id: int
    note: str = Field("", max_length=200)


def _field_error(field: str, message: str) -> Any:
    from django.core.exceptions import ValidationError

    return ValidationError({field: message})


def _municipalities(codes: list[str], field: str = "area") -> list[Municipality]:
    wanted = [normalize_text(c)[:5] for c in codes]
    found = {m.code: m for m in Municipality.objects.filter(code__in=wanted)}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise _field_error(field, f"存在しない市区町村コードです: {', '.join(missing)}")
    return [found[c] for c in wanted]


def _resolve(data: dict[str, Any]) -> dict[str, Any]:
    """Turn the API's codes into model instances and normalise text as the screens do."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "prefecture_code":
            pref = Prefecture.objects.filter(code=normalize_text(value).zfill(2)).first()
            if pref is None:
                raise _field_error(key, "存在しない都道府県コードです。")
            out["prefecture"] = pref
        elif key == "operator_prefecture_code":
            out["operator_prefecture"] = (
                Prefecture.objects.filter(code=normalize_text(value).zfill(2)).first()
                if value
                else None
            )
        elif key in ("operator_municipality_code", "municipality_code"):
            target = key.removesuffix("_code")
            out[target] = _municipalities([value], key)[0] if value else None
        elif key in ("phone", "fax"):
            out[key] = normalize_phone(value or "")
        elif key == "name_kana":
            out[key] = normalize_kana(value or "")
        elif key == "postal_code" and value:
            from tsunagi.jurisdictions.postal import (
                PostalCodeError,
                format_postal_code,
                normalize_postal_code,
            )

            try:
                out[key] = format_postal_code(normalize_postal_code(value))
            except PostalCodeError as exc:
                raise _field_error(key, str(exc)) from exc
        elif isinstance(value, str):
            out[key] = normalize_text(value)
        else:
            out[key] = value
    return out


def _agency_qs() -> Any:
    return Agency.objects.select_related(
        "prefecture", "municipality", "operator_prefecture", "operator_municipality"
    ).prefetch_related("area", "opening_hours")


@router.get(
    "",
    response={200: list[AgencyOut], 401: Error},
    summary="Agencies, searched by name or reading, kind, prefecture code and area",
)
@paginate(PageNumberPagination, page_size=50)
def list_agencies(
    request: HttpRequest,
    q: str = "",
    kind: AgencyKind | None = None,
    prefecture: str = "",
    municipality: str = "",
) -> Any:
    return (
        selectors.agency_list(
            request.user,
            q=q,
            kind=kind or "",
            prefecture=normalize_text(prefecture).zfill(2) if prefecture else "",
            municipality=normalize_text(municipality)[:5],
        )
        .select_related("operator_prefecture", "operator_municipality")
        .prefetch_related("area")
    )


@router.post(
    "",
    response={201: AgencyDetailOut, 401: Error, 403: Error, 422: ValidationErrorOut},
    summary="Register an agency (prefectural officer of its prefecture, or operator)",
)
def create_agency(request: HttpRequest, payload: AgencyIn) -> Any:
    data = payload.dict()
    area = _municipalities(data.pop("area"))
    agency = services.create_agency(request.user, data=_resolve(data), area=area, request=request)
    return 201, _agency_qs().get(pk=agency.pk)


@router.get("/{agency_id}", response={200: AgencyDetailOut, 401: Error, 404: Error})
def get_agency(request: HttpRequest, agency_id: int) -> Any:
    return get_visible(request.user, Kind.AGENCY, _agency_qs(), pk=agency_id)


@router.patch(
    "/{agency_id}",
    response={
        200: AgencyDetailOut,
        401: Error,
        403: Error,
        404: Error,
        409: Error,
        422: ValidationErrorOut,
    },
    summary="Change an agency (its manager, the prefectural officer, or operator)",
)
def patch_agency(request: HttpRequest, agency_id: int, payload: AgencyPatch) -> Any:
    agency = get_visible(request.user, Kind.AGENCY, _agency_qs(), pk=agency_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    area_codes = data.pop("area", None)
    area = _municipalities(area_codes) if area_codes is not None else None
    services.update_agency(
        request.user, agency, data=_resolve(data), area=area, version=version, request=request
    )
    return _agency_qs().get(pk=agency_id)


@router.put(
    "/{agency_id}/hours",
    response={200: list[HoursOut], 401: Error, 403: Error, 404: Error, 422: ValidationErrorOut},
    summary="Replace the weekly opening hours",
)
def put_hours(request: HttpRequest, agency_id: int, payload: list[HoursOut]) -> Any:
    agency = get_visible(request.user, Kind.AGENCY, Agency.objects.all(), pk=agency_id)
    rows = services.set_opening_hours(
        request.user,
        agency,
        [(int(p.weekday), p.opens, p.closes) for p in payload],
        request=request,
    )
    return sorted(rows, key=lambda r: (r.weekday, r.opens))


@router.get(
    "/{agency_id}/compliance",
    response={200: ComplianceOut, 401: Error, 404: Error},
    summary="Center standard (rule J6): staffing and opening hours, with reasons",
)
def get_compliance(request: HttpRequest, agency_id: int) -> Any:
    agency = get_visible(request.user, Kind.AGENCY, Agency.objects.all(), pk=agency_id)
    result = selectors.compliance(agency)
    if result is None:
        return 404, {"detail": "ひきこもり地域支援センターではないため、基準の判定はありません。"}
    return result


@router.get("/{agency_id}/staff", response={200: list[StaffOut], 401: Error, 404: Error})
def list_staff(request: HttpRequest, agency_id: int) -> Any:
    agency = get_visible(request.user, Kind.AGENCY, Agency.objects.all(), pk=agency_id)
    staff = selectors.staff_of(request.user, agency)
    if staff is None:
        return 404, {"detail": "見つかりません。"}
    return staff


@router.post(
    "/{agency_id}/staff",
    response={201: StaffOut, 401: Error, 403: Error, 404: Error, 422: ValidationErrorOut},
)
def add_staff(request: HttpRequest, agency_id: int, payload: StaffIn) -> Any:
    agency = get_visible(request.user, Kind.AGENCY, Agency.objects.all(), pk=agency_id)
    data = _resolve(payload.dict())
    data["qualifications"] = [str(q) for q in payload.qualifications]
    return 201, services.save_staff_member(request.user, agency, data=data, request=request)


@router.put(
    "/{agency_id}/staff/{staff_id}",
    response={200: StaffOut, 401: Error, 403: Error, 404: Error, 422: ValidationErrorOut},
)
def update_staff(request: HttpRequest, agency_id: int, staff_id: int, payload: StaffIn) -> Any:
    agency = get_visible(request.user, Kind.AGENCY, Agency.objects.all(), pk=agency_id)
    staff = get_visible(
        request.user, Kind.STAFF, StaffMember.objects.filter(agency=agency), pk=staff_id
    )
    data = _resolve(payload.dict())
    data["qualifications"] = [str(q) for q in payload.qualifications]
    return services.save_staff_member(request.user, agency, data=data, staff=staff, request=request)


@pairings_router.get(
    "",
    response={200: list[PairingOut], 401: Error},
    summary="Pairings of hikikomori and self-reliance agencies (rule J3)",
)
@paginate(PageNumberPagination, page_size=100)
def list_pairings(request: HttpRequest, prefecture: str = "") -> Any:
    return selectors.pairing_list(
        request.user, normalize_text(prefecture).zfill(2) if prefecture else ""
    )


@pairings_router.post(
    "", response={201: PairingOut, 401: Error, 403: Error, 404: Error, 422: ValidationErrorOut}
)
def add_pairing(request: HttpRequest, payload: PairingIn) -> Any:
    h = get_visible(
        request.user, Kind.AGENCY, Agency.objects.all(), pk=payload.hikikomori_agency_id
    )
    s = get_visible(
        request.user, Kind.AGENCY, Agency.objects.all(), pk=payload.self_reliance_agency_id
    )
    pairing = services.add_pairing(
        request.user,
        hikikomori_agency=h,
        self_reliance_agency=s,
        note=normalize_text(payload.note),
        request=request,
    )
    return 201, Pairing.objects.select_related(
        "prefecture", "hikikomori_agency", "self_reliance_agency"
    ).get(pk=pairing.pk)


@pairings_router.delete("/{pairing_id}", response={204: None, 401: Error, 403: Error, 404: Error})
def delete_pairing(request: HttpRequest, pairing_id: int) -> Any:
    pairing = get_visible(
        request.user,
        Kind.PAIRING,
        Pairing.objects.select_related("hikikomori_agency", "self_reliance_agency"),
        pk=pairing_id,
    )
    require(request.user, Action.CHANGE, Kind.PAIRING, pairing)
    services.remove_pairing(request.user, pairing, request=request)
    return 204, None
