from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from tsunagi.access.policy import Action, Kind, get_visible, require, scope
from tsunagi.agencies.selectors import responsible_self_reliance_agency
from tsunagi.jurisdictions import services
from tsunagi.jurisdictions.models import LocalGovernmentKind, Municipality, Prefecture
from tsunagi.jurisdictions.postal import PostalCodeError, PostalCodeNotFound, lookup
from tsunagi.web.text import is_kana, normalize_kana, normalize_text

from .schemas import Error, ValidationErrorOut

router = Router(tags=["jurisdictions"])


class PrefectureOut(Schema):
    code: str
    lg_code: str
    name: str
    name_kana: str
    municipality_count: int | None = None


class WardOut(Schema):
    code: str
    lg_code: str
    name: str
    name_kana: str


class MunicipalityOut(Schema):
    id: int
    code: str
    lg_code: str
    prefecture_code: str = Field(..., alias="prefecture.code")
    prefecture_name: str = Field(..., alias="prefecture.name")
    name: str
    district: str
    name_kana: str
    kind: LocalGovernmentKind
    kind_label: str = Field(..., alias="get_kind_display")
    has_welfare_office: bool
    population: int | None
    population_as_of: date | None
    abolished_on: date | None
    wards: list[WardOut]

    @staticmethod
    def resolve_wards(obj: Municipality) -> list[Any]:
        return list(obj.wards.all())


class MunicipalityPatch(Schema):
    has_welfare_office: bool | None = None
    population: int | None = Field(None, ge=0)


class ResponsibleOut(Schema):
    agency_id: int | None
    agency_name: str | None
    rule: str
    reason: str


class PostalOut(Schema):
    postal_code: str
    prefecture: str
    city: str
    town: str
    municipality_id: int | None
    municipality_code: str | None
    ward: str | None
    alternatives: list[str]


@router.get(
    "/prefectures", response={200: list[PrefectureOut], 401: Error}, summary="The 47 prefectures"
)
def list_prefectures(request: HttpRequest) -> Any:
    from django.db.models import Count, Q

    # An aggregate query ignores Meta.ordering, so the order (北海道 first) is asked for here.
    return (
        scope(request.user, Kind.PREFECTURE, Prefecture.objects.all())
        .annotate(
            municipality_count=Count(
                "municipalities", filter=Q(municipalities__abolished_on__isnull=True)
            )
        )
        .order_by("code")
    )


@router.get("/prefectures/{code}", response={200: PrefectureOut, 401: Error, 404: Error})
def get_prefecture(request: HttpRequest, code: str) -> Any:
    return get_visible(request.user, Kind.PREFECTURE, Prefecture.objects.all(), code=code.zfill(2))


@router.get(
    "/municipalities",
    response={200: list[MunicipalityOut], 401: Error},
    summary="Municipalities (市区町村), filtered by prefecture code, kind or name/reading",
)
@paginate(PageNumberPagination, page_size=100)
def list_municipalities(
    request: HttpRequest,
    prefecture: str = "",
    kind: LocalGovernmentKind | None = None,
    q: str = "",
    include_abolished: bool = False,
) -> Any:
    rows = (
        scope(request.user, Kind.MUNICIPALITY, Municipality.objects.all())
        .select_related("prefecture")
        .prefetch_related("wards")
    )
    if prefecture:
        rows = rows.filter(prefecture__code=normalize_text(prefecture).zfill(2))
    if kind:
        rows = rows.filter(kind=kind)
    text = normalize_text(q)
    if text:
        rows = (
            rows.filter(name_kana__startswith=normalize_kana(text))
            if is_kana(text)
            else rows.filter(name__contains=text)
        )
    if not include_abolished:
        rows = rows.filter(abolished_on__isnull=True)
    return rows.order_by("code")


def _municipality(request: HttpRequest, code: str) -> Municipality:
    code = normalize_text(code)
    lookup_field = {"lg_code": code} if len(code) == 6 else {"code": code}
    return get_visible(
        request.user,
        Kind.MUNICIPALITY,
        Municipality.objects.select_related("prefecture").prefetch_related("wards"),
        **lookup_field,
    )


@router.get(
    "/municipalities/{code}",
    response={200: MunicipalityOut, 401: Error, 404: Error},
    summary="One municipality by its 5- or 6-digit code",
)
def get_municipality(request: HttpRequest, code: str) -> Any:
    return _municipality(request, code)


@router.patch(
    "/municipalities/{code}",
    response={200: MunicipalityOut, 401: Error, 403: Error, 404: Error, 422: ValidationErrorOut},
    summary="Set the welfare-office flag or population (prefectural officer, rule J2)",
)
def patch_municipality(request: HttpRequest, code: str, payload: MunicipalityPatch) -> Any:
    municipality = _municipality(request, code)
    services.update_municipality(
        request.user,
        municipality,
        has_welfare_office=municipality.has_welfare_office
        if payload.has_welfare_office is None
        else payload.has_welfare_office,
        population=payload.population,
        request=request,
    )
    return _municipality(request, code)


@router.get(
    "/municipalities/{code}/self-reliance-agency",
    response={200: ResponsibleOut, 401: Error, 404: Error},
    summary="The self-reliance agency responsible for residents (rule J2)",
)
def responsible_agency(request: HttpRequest, code: str) -> Any:
    resolution = responsible_self_reliance_agency(_municipality(request, code))
    agency = resolution.agency
    # The answer names an agency of the registry, which a supporter does not see.
    require(request.user, Action.VIEW, Kind.AGENCY, agency)
    return {
        "agency_id": agency.pk if agency else None,
        "agency_name": agency.name if agency else None,
        "rule": "J2",
        "reason": resolution.reason,
    }


@router.get(
    "/postal-codes/{code}",
    response={200: PostalOut, 401: Error, 404: Error, 422: ValidationErrorOut},
    summary="Address from a postal code (full-width digits and a missing hyphen accepted)",
)
def postal_code(request: HttpRequest, code: str) -> Any:
    require(request.user, Action.VIEW, Kind.MUNICIPALITY)
    try:
        address = lookup(code)
    except PostalCodeNotFound as exc:
        return 404, {"detail": str(exc)}
    except PostalCodeError as exc:
        return 422, {"detail": str(exc), "errors": [{"field": "code", "message": str(exc)}]}
    return {
        "postal_code": address.postal_code,
        "prefecture": address.prefecture,
        "city": address.city,
        "town": address.town,
        "municipality_id": address.municipality.pk if address.municipality else None,
        "municipality_code": address.municipality.code if address.municipality else None,
        "ward": address.ward.name if address.ward else None,
        "alternatives": address.alternatives,
    }
