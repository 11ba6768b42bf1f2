"""The API of municipal structures (rules M1-M5) and center compliance (J6).

Thin: parse, call one service or selector of `tsunagi.oversight`, answer. A municipality's
officers read and record their lead department, surveys and platform; the prefecture's
officers read every municipality of the prefecture and its progress (M5) and record only a
platform set up jointly with the prefecture (M3: 403 for a town's lead department, survey or
own platform); the operator of a national installation sees the counts per prefecture only,
never a municipality's records. A municipality whose structures the caller may not see
answers 404 like one that does not exist. Nothing here is personal; text with a NUL byte
answers 422 with the field.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from tsunagi.access.policy import Action
from tsunagi.oversight import rules, selectors, services
from tsunagi.oversight.models import (
    LeadDepartment,
    MunicipalPlatform,
    NeedFound,
    NeedsSurvey,
    SurveyMethod,
)

from .people_schemas import ConflictOut
from .schemas import Error, ValidationErrorOut

router = Router(tags=["municipal structures"])

READ = {401: Error, 403: Error, 404: Error, 422: ValidationErrorOut}
WRITE = {401: Error, 403: Error, 404: Error, 422: ValidationErrorOut}


class LeadDepartmentOut(Schema):
    id: int
    name: str
    contact: str
    since: date
    until: date | None


class LeadDepartmentIn(Schema):
    name: str = Field(..., max_length=200)
    contact: str = Field("", max_length=200)
    since: date | None = None


class LeadDepartmentAnswer(Schema):
    rule: str = "M4"
    municipality_code: str
    current: LeadDepartmentOut | None
    history: list[LeadDepartmentOut]


class SurveyOut(Schema):
    id: int
    method: SurveyMethod
    method_detail: str
    period_from: date
    period_to: date | None
    estimated_15_39: int | None
    estimated_40_64: int | None
    estimated_65_plus: int | None
    estimated_unknown: int | None
    estimated_total: int | None
    needs: list[NeedFound]
    needs_text: str
    is_published: bool


class SurveyIn(Schema):
    method: SurveyMethod
    method_detail: str = Field("", max_length=200)
    period_from: date
    period_to: date | None = None
    estimated_15_39: int | None = Field(None, ge=0)
    estimated_40_64: int | None = Field(None, ge=0)
    estimated_65_plus: int | None = Field(None, ge=0)
    estimated_unknown: int | None = Field(None, ge=0)
    needs: list[NeedFound] = []
    needs_text: str = ""
    is_published: bool = False


class SurveyList(Schema):
    rule: str = "M2"
    municipality_code: str
    items: list[SurveyOut]


class MemberOut(Schema):
    id: int
    name: str


class PlatformOut(Schema):
    id: int
    version: int
    name: str
    secretariat: str
    member_agencies: list[MemberOut]
    other_members: list[str]
    existing_body: str
    uses_existing_body: bool
    joint_with_prefecture: bool
    holds_meetings: bool
    set_up_on: date
    valid_from: date
    valid_until: date | None


class PlatformIn(Schema):
    name: str = Field(..., max_length=200)
    secretariat: str = Field(..., max_length=200)
    member_agency_ids: list[int] = []
    other_members: list[str] = []
    existing_body: str = Field("", max_length=200)
    joint_with_prefecture: bool = False
    holds_meetings: bool = False
    set_up_on: date


class PlatformPatch(Schema):
    version: int | None = None
    name: str | None = Field(None, max_length=200)
    secretariat: str | None = Field(None, max_length=200)
    member_agency_ids: list[int] | None = None
    other_members: list[str] | None = None
    existing_body: str | None = Field(None, max_length=200)
    joint_with_prefecture: bool | None = None
    holds_meetings: bool | None = None
    set_up_on: date | None = None


class PlatformAnswer(Schema):
    rule: str = "M3"
    municipality_code: str
    current: PlatformOut | None
    history: list[PlatformOut]


class MunicipalityStatusOut(Schema):
    code: str
    name: str
    window: bool
    survey: bool
    platform: bool
    lead: bool
    missing: list[str]


class CountOut(Schema):
    done: int
    total: int
    label: str


class HistoryPointOut(Schema):
    date: date
    total: int
    window: int | None
    survey: int
    platform: int
    lead: int


class ProgressOut(Schema):
    rule: str = "M5"
    prefecture_code: str
    as_of: date
    window: CountOut
    survey: CountOut
    platform: CountOut
    lead: CountOut
    missing: dict[str, list[str]]
    municipalities: list[MunicipalityStatusOut]
    history: list[HistoryPointOut]


class NationalRowOut(Schema):
    prefecture_code: str
    prefecture_name: str
    total: int
    window: int
    survey: int
    platform: int
    lead: int


class CenterComplianceOut(Schema):
    rule: str = "J6"
    agency_id: int
    agency_name: str
    compliant: bool
    coordinators: int
    professionals: int
    open_days: int
    full_days: int
    weekly_hours: float
    reasons: list[str]


def _lead(d: LeadDepartment) -> dict[str, Any]:
    return {"id": d.pk, "name": d.name, "contact": d.contact, "since": d.since, "until": d.until}


def _platform(p: MunicipalPlatform) -> dict[str, Any]:
    return {
        **{f: getattr(p, f) for f in services.PLATFORM_FIELDS},
        "id": p.pk,
        "version": p.version,
        "member_agencies": [{"id": a.pk, "name": a.name} for a in p.member_agencies.all()],
        "uses_existing_body": p.uses_existing_body,
        "valid_from": p.valid_from,
        "valid_until": p.valid_until,
    }


def _count(progress: rules.Progress, step: str) -> dict[str, Any]:
    return {"done": progress.done[step], "total": progress.total, "label": progress.label(step)}


@router.get(
    "/progress",
    response={200: ProgressOut, **READ},
    summary="The prefecture's progress on M1-M4 (M5)",
)
def progress(request: HttpRequest, prefecture: str = Query(...)) -> dict[str, Any]:
    """Counts per step ("34/34 明確化"), who has not done each, one row per municipality in code
    order, and the counts at each quarter's end over the last two years (window counts of the
    past only when the directory keeps dates). The prefecture's officers (the operator sees
    `/national`); a code that is not two digits answers 422."""
    pref = selectors.prefecture_for(request.user, prefecture)
    result = selectors.prefecture_progress(request.user, pref)
    p = result.progress
    return {
        "prefecture_code": pref.code,
        "as_of": result.as_of,
        **{step: _count(p, step) for step in rules.STEPS},
        "missing": {step: [m.code for m in p.missing[step]] for step in rules.STEPS},
        "municipalities": [
            {
                "code": st.municipality.code,
                "name": st.municipality.name,
                **st.done,
                "missing": st.missing,
            }
            for st in result.statuses
        ],
        "history": result.history,
    }


@router.get(
    "/national",
    response={200: list[NationalRowOut], 401: Error, 404: Error},
    summary="Counts per prefecture (M5, aggregates only)",
)
def national(request: HttpRequest) -> list[dict[str, Any]]:
    """For a national installation's operator: one row of counts per prefecture (current
    municipalities only); an officer gets the rows of the prefectures they follow."""
    return [
        {
            "prefecture_code": pref.code,
            "prefecture_name": pref.name,
            "total": p.total,
            **p.done,
        }
        for pref, p in selectors.national_progress(request.user)
    ]


@router.get(
    "/compliance",
    response={200: list[CenterComplianceOut], **READ},
    summary="J6 compliance of every center of the prefecture",
)
def compliance(request: HttpRequest, prefecture: str = Query(...)) -> list[dict[str, Any]]:
    """From each center's registered staff and opening hours: counts and, for each failure, the
    reason in Japanese with its rule ID J6."""
    pref = selectors.prefecture_for(request.user, prefecture)
    return [
        {"agency_id": a.pk, "agency_name": a.name, **vars(c)}
        for a, c in selectors.centers_compliance(request.user, pref)
    ]


@router.get(
    "/{code}/lead-department",
    response={200: LeadDepartmentAnswer, **READ},
    summary="A municipality's lead department (M4) and its history",
)
def get_lead(request: HttpRequest, code: str) -> dict[str, Any]:
    town = selectors.municipality_for(request.user, code)
    rows = list(selectors.lead_departments(request.user, town))
    current = next((d for d in rows if d.until is None), None)
    return {
        "municipality_code": town.code,
        "current": _lead(current) if current else None,
        "history": [_lead(d) for d in rows],
    }


@router.put(
    "/{code}/lead-department",
    response={200: LeadDepartmentAnswer, **WRITE},
    summary="Name the lead department (M4); the previous one is kept in the history",
)
def put_lead(request: HttpRequest, code: str, body: LeadDepartmentIn) -> dict[str, Any]:
    town = selectors.municipality_for(request.user, code, Action.CHANGE)
    services.set_lead_department(request.user, town, **body.dict(), request=request)
    return get_lead(request, code)


@router.get(
    "/{code}/surveys",
    response={200: SurveyList, **READ},
    summary="A municipality's needs surveys (M2)",
)
def list_surveys(request: HttpRequest, code: str) -> dict[str, Any]:
    town = selectors.municipality_for(request.user, code)
    return {"municipality_code": town.code, "items": list(selectors.surveys(request.user, town))}


@router.post(
    "/{code}/surveys",
    response={201: SurveyOut, **WRITE},
    summary="Record a needs survey (M2)",
)
def post_survey(request: HttpRequest, code: str, body: SurveyIn) -> tuple[int, NeedsSurvey]:
    town = selectors.municipality_for(request.user, code, Action.CHANGE)
    data = body.dict()
    data["needs"] = [str(n) for n in data["needs"]]
    data["method"] = str(data["method"])
    return 201, services.record_survey(request.user, town, request=request, **data)


@router.get(
    "/{code}/platform",
    response={200: PlatformAnswer, **READ},
    summary="A municipality's platform (M3) and its versions",
)
def get_platform(request: HttpRequest, code: str) -> dict[str, Any]:
    town = selectors.municipality_for(request.user, code)
    rows = list(selectors.platform_versions(request.user, town))
    current = next((p for p in rows if p.valid_until is None), None)
    return {
        "municipality_code": town.code,
        "current": _platform(current) if current else None,
        "history": [_platform(p) for p in rows],
    }


@router.post(
    "/{code}/platform",
    response={201: PlatformAnswer, **WRITE},
    summary="Record the municipal platform (M3)",
)
def post_platform(request: HttpRequest, code: str, body: PlatformIn) -> tuple[int, dict[str, Any]]:
    """The municipality's officers; the prefecture's officers a joint platform only (M3)."""
    town = selectors.municipality_for(request.user, code)
    services.set_up_platform(request.user, town, **body.dict(), request=request)
    return 201, get_platform(request, code)


@router.patch(
    "/{code}/platform",
    response={200: PlatformAnswer, 409: ConflictOut, **WRITE},
    summary="Change the platform (M3): a new version from today",
)
def patch_platform(request: HttpRequest, code: str, body: PlatformPatch) -> dict[str, Any]:
    """The municipality's officers; the prefecture's officers a joint platform only, which
    stays joint (M3)."""
    town = selectors.municipality_for(request.user, code)
    services.change_platform(request.user, town, **body.dict(exclude_unset=True), request=request)
    return get_platform(request, code)
