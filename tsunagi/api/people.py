"""The API of persons, households, cases, contacts, assessments and flags.

Thin: parse, call one service or selector of `tsunagi.people`, answer. Records the caller may
not see answer 404, exactly like records that do not exist; lists hold only what the access
module allows and never cross agencies. Every read of one personal record goes in the access log
(`services.log_read`), and every list writes one `<kind>.listed` event (P3).
"""

from collections.abc import Mapping
from contextlib import suppress
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from tsunagi.access import audit
from tsunagi.access.policy import CASEWORKERS, Kind, agencies_with, get_visible, scope
from tsunagi.accounts.models import User
from tsunagi.agencies.models import Agency
from tsunagi.jurisdictions.models import Municipality
from tsunagi.jurisdictions.postal import PostalCodeError, lookup
from tsunagi.people import selectors, services
from tsunagi.people.models import (
    Assessment,
    Case,
    Contact,
    Flag,
    Household,
    HouseholdMember,
    Person,
)
from tsunagi.web.text import normalize_text
from tsunagi.web.wareki import DateFormatError, parse_date

from .people_schemas import (
    AssessmentDetailOut,
    AssessmentIn,
    AssessmentOut,
    CaseDetailOut,
    CaseOut,
    CasePatch,
    ConflictOut,
    ContactCreatedOut,
    ContactDetailOut,
    ContactIn,
    ContactOut,
    ContactPatch,
    DuplicateOut,
    DuplicatesOut,
    FlagOut,
    HouseholdIn,
    HouseholdListOut,
    HouseholdOut,
    HouseholdPatch,
    IndicatorsOut,
    MemberIn,
    Page,
    PersonIn,
    PersonListOut,
    PersonOut,
    PersonPatch,
    ResolveIn,
    RestrictionIn,
    RestrictionOut,
    duplicates_out,
    household_out,
    indicators_out,
)
from .schemas import Error, ValidationErrorOut

router = Router(tags=["people"])

# The error answers every operation on one record documents.
READ = {401: Error, 404: Error, 422: ValidationErrorOut}
WRITE = {401: Error, 403: Error, 404: Error, 422: ValidationErrorOut}
LIST = {401: Error, 404: Error, 422: ValidationErrorOut}


# --- helpers --------------------------------------------------------------------------------


def _user(request: HttpRequest) -> Any:
    return request.user


def _agency_for(request: HttpRequest, agency_id: int | None, fallback: Agency | None = None) -> Any:
    """The agency a new record belongs to: the one named, else the caller's only workplace.

    The service asks the access module whether the caller may create records there; an agency
    that does not exist answers 404 like one the caller does not work in.
    """
    if agency_id is None and fallback is not None:
        return fallback
    if agency_id is None:
        workplaces = agencies_with(_user(request), *CASEWORKERS)
        if not workplaces:
            raise Http404
        if len(workplaces) > 1:
            raise ValidationError(
                {"agency": _("You work in more than one agency: choose the agency.")}
            )
        agency_id = next(iter(workplaces))
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        raise Http404
    return agency


def _log_list(request: HttpRequest, kind: Kind, obj: Any = None, **filters: Any) -> None:
    """One `<kind>.listed` event for a list of personal records (which filters, never values)."""
    user = _user(request)
    if obj is not None:
        agency_id = obj.agency_id
    else:
        workplaces = sorted(agencies_with(user, *CASEWORKERS))
        if not workplaces:
            return  # nothing personal can be in the list
        agency_id = workplaces[0]
    detail: dict[str, Any] = {"filters": sorted(k for k, v in filters.items() if v)}
    audit.record(
        f"{kind}.listed",
        actor=user,
        request=request,
        agency_id=agency_id,
        obj=obj,
        personal=True,
        grant="own_agency",
        detail=detail,
    )


def _query_date(field: str, text: str) -> Any:
    if not text.strip():
        return None
    try:
        return parse_date(text)
    except DateFormatError as exc:
        raise ValidationError({field: str(exc)}) from exc


def _municipality(code: str | None) -> Municipality | None:
    if not code:
        return None
    found = Municipality.objects.filter(code=normalize_text(code)[:5]).first()
    if found is None:
        raise ValidationError({"municipality_code": _("No municipality has this code.")})
    return found


def _values(data: Mapping[str, Any], blank: tuple[str, ...] = ()) -> dict[str, Any]:
    """Enum members as their values; null for a text field in `blank` means empty."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is None and key in blank:
            value = ""
        elif isinstance(value, list):
            value = [str(v) for v in value]
        elif isinstance(value, str):
            value = str(value)
        out[key] = value
    return out


PERSON_TEXT = (
    "given_name", "family_name_kana", "given_name_kana", "sex", "postal_code", "address",
    "phone", "mobile", "email", "contact_notes", "notes", "family_name",
)  # fmt: skip


def _person_data(data: dict[str, Any]) -> dict[str, Any]:
    out = _values(data, PERSON_TEXT)
    for key in ("preferred_contact", "avoided_contact"):
        if key in out and out[key] is None:
            out[key] = []
    given = "municipality_code" in out
    code = out.pop("municipality_code", None)
    if code:
        out["municipality"] = _municipality(code)
    elif out.get("postal_code"):
        with suppress(PostalCodeError):  # the municipality is filled from the postal code
            out["municipality"] = lookup(out["postal_code"]).municipality
    elif given:
        out["municipality"] = None
    return out


def _person_qs() -> Any:
    return Person.objects.select_related("municipality")


def _case_qs() -> Any:
    return Case.objects.select_related("person")


def _contact_qs() -> Any:
    return Contact.objects.select_related("case", "staff", "initiator_person")


def _assessment_qs() -> Any:
    return Assessment.objects.select_related("case", "assessed_by")


# --- persons --------------------------------------------------------------------------------


@router.get(
    "/persons",
    response={200: list[PersonListOut], **LIST},
    tags=["persons"],
    summary="Search the persons of your agency",
    description="`q`: a name in kanji or kana (any script and width) or a phone number; "
    "`birth_date`: 西暦 or 和暦 (令和7年4月1日, R7.4.1); `phone`. Never crosses agencies.",
)
@paginate(Page)
def list_persons(request: HttpRequest, q: str = "", birth_date: str = "", phone: str = "") -> Any:
    born = _query_date("birth_date", birth_date)
    found = selectors.persons(_user(request), normalize_text(q), birth_date=born, phone=phone)
    _log_list(request, Kind.PERSON, q=q, birth_date=birth_date, phone=phone)
    return found


@router.post(
    "/persons",
    response={201: PersonOut, 409: DuplicatesOut, **WRITE},
    tags=["persons"],
    summary="Register a person (409 with the possible duplicates unless allow_duplicate)",
)
def create_person(request: HttpRequest, payload: PersonIn) -> Any:
    data = payload.dict()
    agency = _agency_for(request, data.pop("agency"))
    allow = data.pop("allow_duplicate")
    try:
        person = services.create_person(
            _user(request), agency, _person_data(data), request=request, allow_duplicate=allow
        )
    except services.PossibleDuplicates as exc:
        return Status(
            409,
            {
                "detail": _(
                    "This person may already be on record. Check the list, or send again "
                    "with allow_duplicate to register a new person."
                ),
                "duplicates": duplicates_out(exc.candidates),
            },
        )
    return Status(201, _person_qs().get(pk=person.pk))


@router.get("/persons/{person_id}", response={200: PersonOut, **READ}, tags=["persons"])
def get_person(request: HttpRequest, person_id: int) -> Any:
    person = get_visible(_user(request), Kind.PERSON, _person_qs(), pk=person_id)
    services.log_read(_user(request), Kind.PERSON, person, request)
    return person


@router.patch(
    "/persons/{person_id}",
    response={200: PersonOut, 409: ConflictOut, **WRITE},
    tags=["persons"],
    summary="Change a person (send the version you read: 409 if someone changed it since)",
)
def patch_person(request: HttpRequest, person_id: int, payload: PersonPatch) -> Any:
    person = get_visible(_user(request), Kind.PERSON, _person_qs(), pk=person_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    services.update_person(
        _user(request), person, _person_data(data), version=version, request=request
    )
    return _person_qs().get(pk=person_id)


@router.get(
    "/persons/{person_id}/duplicates",
    response={200: list[DuplicateOut], **READ},
    tags=["persons"],
    summary="Persons of the same agency that may be this one, with the reasons",
)
def person_duplicates(request: HttpRequest, person_id: int) -> Any:
    person = get_visible(_user(request), Kind.PERSON, _person_qs(), pk=person_id)
    services.log_read(_user(request), Kind.PERSON, person, request, view="duplicates")
    return duplicates_out(selectors.find_duplicates(_user(request), person))


@router.get(
    "/persons/{person_id}/indicators",
    response={200: IndicatorsOut, **READ},
    tags=["persons"],
    summary="Indicators of the person's household: economic need, compound problems (R2), 8050",
)
def person_indicators(request: HttpRequest, person_id: int) -> Any:
    person = get_visible(_user(request), Kind.PERSON, _person_qs(), pk=person_id)
    services.log_read(_user(request), Kind.PERSON, person, request, view="indicators")
    return indicators_out(selectors.person_indicators(_user(request), person))


# --- households -----------------------------------------------------------------------------


def _household_answer(request: HttpRequest, household: Household) -> dict[str, Any]:
    return household_out(selectors.household_view(_user(request), household))


def _member(request: HttpRequest, household: Household, member: MemberIn) -> None:
    person = get_visible(_user(request), Kind.PERSON, Person.objects.all(), pk=member.person)
    services.add_member(
        _user(request),
        household,
        person,
        str(member.relationship),
        lives_together=member.lives_together,
        is_main_carer=member.is_main_carer,
        notes=member.notes,
        request=request,
    )


@router.post(
    "/households",
    response={201: HouseholdOut, **WRITE},
    tags=["households"],
    summary="Create a household (世帯) with its members and their relationships",
)
def create_household(request: HttpRequest, payload: HouseholdIn) -> Any:
    user = _user(request)
    first = None
    if payload.members:
        first = get_visible(user, Kind.PERSON, Person.objects.all(), pk=payload.members[0].person)
    agency = _agency_for(request, payload.agency, first.agency if first else None)
    with transaction.atomic():
        household = services.create_household(
            user, agency, payload.name, notes=payload.notes, request=request
        )
        for member in payload.members:
            _member(request, household, member)
    return Status(201, _household_answer(request, household))


@router.get(
    "/households",
    response={200: list[HouseholdListOut], **LIST},
    tags=["households"],
    summary="The households of your agency (`q`: part of the name)",
)
@paginate(Page)
def list_households(request: HttpRequest, q: str = "") -> Any:
    households = scope(_user(request), Kind.HOUSEHOLD, Household.objects.all()).order_by(
        "name", "pk"
    )
    if q.strip():
        households = households.filter(name__icontains=normalize_text(q))
    _log_list(request, Kind.HOUSEHOLD, q=q)
    return households


@router.get(
    "/households/{household_id}",
    response={200: HouseholdOut, **READ},
    tags=["households"],
    summary="Everyone in the household you may see, with every problem and the indicators",
)
def get_household(request: HttpRequest, household_id: int) -> Any:
    household = get_visible(
        _user(request), Kind.HOUSEHOLD, Household.objects.all(), pk=household_id
    )
    answer = _household_answer(request, household)
    services.log_read(
        _user(request),
        Kind.HOUSEHOLD,
        household,
        request,
        members=[m["person_id"] for m in answer["members"]],
    )
    return answer


@router.patch(
    "/households/{household_id}", response={200: HouseholdOut, **WRITE}, tags=["households"]
)
def patch_household(request: HttpRequest, household_id: int, payload: HouseholdPatch) -> Any:
    household = get_visible(
        _user(request), Kind.HOUSEHOLD, Household.objects.all(), pk=household_id
    )
    data = _values(payload.dict(exclude_unset=True), ("name", "notes"))
    services.update_household(_user(request), household, data, request=request)
    return _household_answer(request, household)


@router.post(
    "/households/{household_id}/members",
    response={201: HouseholdOut, **WRITE},
    tags=["households"],
    summary="Add a member, or change the relationship of one already in the household",
)
def add_member(request: HttpRequest, household_id: int, payload: MemberIn) -> Any:
    household = get_visible(
        _user(request), Kind.HOUSEHOLD, Household.objects.all(), pk=household_id
    )
    _member(request, household, payload)
    return Status(201, _household_answer(request, household))


@router.delete(
    "/households/{household_id}/members",
    response={204: None, 401: Error, 403: Error, 404: Error, 422: ValidationErrorOut},
    tags=["households"],
    summary="Take a person (`?person=<id>`) out of the household",
)
def remove_member(request: HttpRequest, household_id: int, person: int) -> Any:
    user = _user(request)
    household = get_visible(user, Kind.HOUSEHOLD, Household.objects.all(), pk=household_id)
    member = get_visible(user, Kind.PERSON, Person.objects.all(), pk=person)
    if not HouseholdMember.objects.filter(household=household, person=member).exists():
        raise Http404
    services.remove_member(user, household, member, request=request)
    return Status(204, None)


# --- cases and flags ------------------------------------------------------------------------


@router.get(
    "/cases",
    response={200: list[CaseOut], **LIST},
    tags=["cases"],
    summary="The cases you may see (`open_only`, default true; `flagged`: with open flags)",
)
@paginate(Page)
def list_cases(request: HttpRequest, open_only: bool = True, flagged: bool = False) -> Any:
    cases = selectors.case_list(_user(request), open_only=open_only, flagged=flagged)
    _log_list(request, Kind.CASE, open_only=open_only, flagged=flagged)
    return cases.order_by("-opened_on", "-pk")


@router.get(
    "/cases/{case_id}",
    response={200: CaseDetailOut, **READ},
    tags=["cases"],
    summary="A case with its open flags, household, indicators and latest assessment",
)
def get_case(request: HttpRequest, case_id: int) -> Any:
    case = get_visible(_user(request), Kind.CASE, _case_qs(), pk=case_id)
    services.log_read(_user(request), Kind.CASE, case, request)
    return case


@router.patch(
    "/cases/{case_id}",
    response={200: CaseDetailOut, 409: ConflictOut, **WRITE},
    tags=["cases"],
    summary="Problems, screening outcome, accompaniment; close (closed_on) or reopen (null)",
)
def patch_case(request: HttpRequest, case_id: int, payload: CasePatch) -> Any:
    case = get_visible(_user(request), Kind.CASE, _case_qs(), pk=case_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    if data.get("accompaniment", False) is None:
        del data["accompaniment"]
    if "problems" in data and data["problems"] is None:
        data["problems"] = []
    blank = ("main_problem", "problem_notes", "screening", "handed_to", "close_reason")
    services.update_case(
        _user(request), case, _values(data, blank), version=version, request=request
    )
    return _case_qs().get(pk=case_id)


@router.put(
    "/cases/{case_id}/restriction",
    response={200: RestrictionOut, **WRITE},
    tags=["cases"],
    summary="Limit a sensitive case to its assigned staff (the agency's manager only)",
)
def put_restriction(request: HttpRequest, case_id: int, payload: RestrictionIn) -> Any:
    case = get_visible(_user(request), Kind.CASE, _case_qs(), pk=case_id)
    ids = list(dict.fromkeys(payload.assigned_staff))
    staff = list(User.objects.filter(pk__in=ids))
    if len(staff) != len(ids):
        raise ValidationError(
            {"assigned_staff": _("Only staff of the agency can be assigned to its case.")}
        )
    services.set_restriction(_user(request), case, payload.is_restricted, staff, request=request)
    return _case_qs().get(pk=case_id)


@router.get(
    "/cases/{case_id}/flags",
    response={200: list[FlagOut], **READ},
    tags=["cases"],
    summary="The flags of a case (rule R8): open ones first, then the resolved ones",
)
def case_flags(request: HttpRequest, case_id: int, open_only: bool = False) -> Any:
    case = get_visible(_user(request), Kind.CASE, _case_qs(), pk=case_id)
    flags = scope(_user(request), Kind.FLAG, Flag.objects.filter(case=case)).select_related(
        "resolved_by"
    )
    if open_only:
        flags = flags.filter(resolved_at__isnull=True)
    _log_list(request, Kind.FLAG, case, open_only=open_only)
    return sorted(flags, key=lambda f: (f.resolved_at is not None, -f.raised_at.timestamp()))


@router.post(
    "/flags/{flag_id}/resolve",
    response={200: FlagOut, **WRITE},
    tags=["cases"],
    summary="Resolve a flag with a note saying how (rule R8); a note is required",
)
def resolve_flag(request: HttpRequest, flag_id: int, payload: ResolveIn) -> Any:
    flag = get_visible(_user(request), Kind.FLAG, Flag.objects.select_related("case"), pk=flag_id)
    resolved = services.resolve_flag(_user(request), flag, payload.resolution, request=request)
    return Flag.objects.select_related("resolved_by").get(pk=resolved.pk)


# --- contacts -------------------------------------------------------------------------------


def _caller(request: HttpRequest, person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    return get_visible(_user(request), Kind.PERSON, Person.objects.all(), pk=person_id)


@router.post(
    "/contacts",
    response={201: ContactCreatedOut, **WRITE},
    tags=["contacts"],
    summary="Record a contact (相談); the first contact about a person opens the case",
    description="Give `case`, or `person`: the person's open case is used, or a case is opened "
    "with `problems` and `main_problem` (the intake form). `urgent` raises flags (rule R8).",
)
def create_contact(request: HttpRequest, payload: ContactIn) -> Any:
    user = _user(request)
    data = payload.dict()
    case_id, person_id = data.pop("case"), data.pop("person")
    case_data = _values(
        {
            "problems": data.pop("problems"),
            "main_problem": data.pop("main_problem"),
            "problem_notes": data.pop("problem_notes"),
        },
        ("main_problem",),
    )
    if case_id is None and person_id is None:
        raise ValidationError({"person": _("Choose the person the contact is about.")})
    case = get_visible(user, Kind.CASE, _case_qs(), pk=case_id) if case_id is not None else None
    person = _caller(request, person_id)
    if case is not None and person is not None and case.person_id != person.pk:
        raise ValidationError({"person": _("The case is about another person.")})
    data["initiator_person"] = _caller(request, data["initiator_person"])
    if data["occurred_at"] is None:
        del data["occurred_at"]
    opens = (
        case is None
        and person is not None
        and not person.cases.filter(closed_on__isnull=True).exists()
    )
    contact = services.record_contact(
        user,
        _values(data),
        case=case,
        person=None if case is not None else person,
        case_data=case_data,
        request=request,
    )
    answer = _contact_qs().get(pk=contact.pk)
    answer.case_opened = opens
    return Status(201, answer)


@router.get(
    "/contacts",
    response={200: list[ContactOut], **LIST},
    tags=["contacts"],
    summary="Contacts of a case or of a person (支援経過記録), newest first",
)
@paginate(Page)
def list_contacts(request: HttpRequest, case: int | None = None, person: int | None = None) -> Any:
    user = _user(request)
    contacts = scope(user, Kind.CONTACT, _contact_qs())
    about: Any = None
    if case is not None:
        about = get_visible(user, Kind.CASE, Case.objects.all(), pk=case)
        contacts = contacts.filter(case=about)
    if person is not None:
        subject = get_visible(user, Kind.PERSON, Person.objects.all(), pk=person)
        contacts = contacts.filter(case__person=subject)
        about = about or subject
    _log_list(request, Kind.CONTACT, about, case=case, person=person)
    return contacts.order_by("-occurred_at", "-pk")


@router.get("/contacts/{contact_id}", response={200: ContactDetailOut, **READ}, tags=["contacts"])
def get_contact(request: HttpRequest, contact_id: int) -> Any:
    contact = get_visible(_user(request), Kind.CONTACT, _contact_qs(), pk=contact_id)
    services.log_read(_user(request), Kind.CONTACT, contact, request)
    return contact


@router.patch(
    "/contacts/{contact_id}", response={200: ContactDetailOut, **WRITE}, tags=["contacts"]
)
def patch_contact(request: HttpRequest, contact_id: int, payload: ContactPatch) -> Any:
    contact = get_visible(_user(request), Kind.CONTACT, _contact_qs(), pk=contact_id)
    data = payload.dict(exclude_unset=True)
    for required in ("occurred_at", "channel", "initiator", "summary"):
        if required in data and data[required] is None:
            del data[required]
    if "initiator_person" in data:
        data["initiator_person"] = _caller(request, data["initiator_person"])
    if "urgent" in data and data["urgent"] is None:
        data["urgent"] = []
    services.update_contact(
        _user(request), contact, _values(data, ("initiator_name", "notes")), request=request
    )
    return _contact_qs().get(pk=contact_id)


# --- assessments ----------------------------------------------------------------------------


@router.post(
    "/assessments",
    response={201: AssessmentDetailOut, **WRITE},
    tags=["assessments"],
    summary="Record a dated assessment of a case (the earlier ones stay as history)",
    description="Fields marked 要配慮個人情報 hold special-care personal information.",
)
def create_assessment(request: HttpRequest, payload: AssessmentIn) -> Any:
    user = _user(request)
    case = get_visible(user, Kind.CASE, _case_qs(), pk=payload.case)
    data = payload.dict()
    del data["case"]
    if data["assessed_on"] is None:
        del data["assessed_on"]
    assessment = services.record_assessment(user, case, _values(data), request=request)
    return Status(201, _assessment_qs().get(pk=assessment.pk))


@router.get(
    "/assessments",
    response={200: list[AssessmentOut], **LIST},
    tags=["assessments"],
    summary="The assessments of a case (`case`, required), newest first",
)
@paginate(Page)
def list_assessments(request: HttpRequest, case: int) -> Any:
    about = get_visible(_user(request), Kind.CASE, Case.objects.all(), pk=case)
    _log_list(request, Kind.ASSESSMENT, about, case=case)
    return (
        selectors.assessments_of(_user(request), about)
        .select_related("case")
        .order_by("-assessed_on", "-pk")
    )


@router.get(
    "/assessments/{assessment_id}",
    response={200: AssessmentDetailOut, **READ},
    tags=["assessments"],
)
def get_assessment(request: HttpRequest, assessment_id: int) -> Any:
    assessment = get_visible(_user(request), Kind.ASSESSMENT, _assessment_qs(), pk=assessment_id)
    services.log_read(_user(request), Kind.ASSESSMENT, assessment, request)
    return assessment
