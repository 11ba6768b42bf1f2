"""The API of consents (同意), grants, the access log and the disclosure report (開示報告).

Thin: parse, call one service or selector of `tsunagi.consent` / `tsunagi.access`, answer.
Records the caller may not see answer 404 like records that do not exist. A person's record seen
from outside the owning agency is only ever `tsunagi.access.shared.shared_record` (the permitted
kinds of information), and every read is logged with its ground (rule P3).
"""

from dataclasses import replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import File, Form, Router, UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from tsunagi.access import audit, selectors, services
from tsunagi.access.kinds import kinds_label
from tsunagi.access.models import Grant
from tsunagi.access.policy import (
    CASEWORKERS,
    OWN_AGENCY,
    Action,
    Denied,
    Kind,
    Sight,
    agencies_with,
    can,
    get_visible,
    require_sight,
    scope,
    sight,
    standing,
)
from tsunagi.access.shared import shared_record
from tsunagi.agencies.models import Agency
from tsunagi.consent import selectors as consent_selectors
from tsunagi.consent import services as consent_services
from tsunagi.consent.models import Consent, Explanation
from tsunagi.people.models import Case, Person
from tsunagi.web.export import export_response
from tsunagi.web.wareki import DateFormatError, parse_date

from .people_schemas import Page
from .schemas import Error, ValidationErrorOut
from .sharing_schemas import (
    AuditPageOut,
    ConsentIn,
    ConsentOut,
    DisclosureOut,
    EmergencyIn,
    EndIn,
    ExplanationIn,
    ExplanationOut,
    GrantOut,
    SharedRecordOut,
    ShareIn,
    WithdrawIn,
    consent_out,
    disclosure_entry,
    event_out,
    grant_out,
    ground_label,
    label_of_action,
)

router = Router(tags=["sharing"])

READ = {401: Error, 404: Error, 422: ValidationErrorOut}
WRITE = {400: Error, 401: Error, 403: Error, 404: Error, 422: ValidationErrorOut}
LIST = {401: Error, 403: Error, 404: Error, 422: ValidationErrorOut}
# An optional multipart file (the scan of a signed consent form).
OPTIONAL_FILE = File(None)


def _user(request: HttpRequest) -> Any:
    return request.user


def _person(request: HttpRequest, person_id: int) -> Person:
    return get_visible(_user(request), Kind.PERSON, Person.objects.all(), pk=person_id)


def _case(request: HttpRequest, case_id: int | None) -> Case | None:
    if case_id is None:
        return None
    return get_visible(_user(request), Kind.CASE, Case.objects.select_related("person"), pk=case_id)


def _agency(agency_id: int | None, field: str) -> Agency | None:
    if agency_id is None:
        return None
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        raise ValidationError({field: _("Unknown agency.")})
    return agency


def _query_date(field: str, text: str) -> Any:
    if not text.strip():
        return None
    try:
        return parse_date(text)
    except DateFormatError as exc:
        raise ValidationError({field: str(exc)}) from exc


def _receiver_agency(user: Any) -> int | None:
    workplaces = sorted(agencies_with(user, *CASEWORKERS))
    return workplaces[0] if workplaces else None


def _log_read(request: HttpRequest, action: str, kind: Kind, obj: Any) -> None:
    user = _user(request)
    side = standing(user, kind, obj)
    if side is None:
        raise Http404
    audit.personal(action, user, obj, request, ground=side.ground, actor_agency_id=side.agency_id)


def _log_list(request: HttpRequest, action: str, about: Any = None, **filters: Any) -> None:
    user = _user(request)
    agency_id = about.agency_id if about is not None else _receiver_agency(user)
    if agency_id is None:
        return  # nothing personal can be in the list
    audit.record(
        action,
        actor=user,
        request=request,
        agency_id=agency_id,
        obj=about,
        personal=True,
        grant=OWN_AGENCY,
        actor_agency_id=_receiver_agency(user),
        detail={"filters": sorted(k for k, v in filters.items() if v)},
    )


def _consent_qs() -> QuerySet[Consent]:
    return Consent.objects.select_related(
        "agency", "person", "recipient_agency", "recipient_meeting", "witness", "recorded_by"
    )


def _grant_qs() -> QuerySet[Grant]:
    return Grant.objects.select_related(
        "agency",
        "person",
        "receiving_agency",
        "receiving_user",
        "consent",
        "made_by",
        "acknowledged_by",
    )


# --- consents -------------------------------------------------------------------------------


@router.post(
    "/consents/explanations",
    response={201: ExplanationOut, **WRITE},
    tags=["consents"],
    summary="Record the explanation of information sharing given at intake (rule P2)",
)
def create_explanation(request: HttpRequest, payload: ExplanationIn) -> Any:
    person = _person(request, payload.person)
    data = payload.dict(exclude={"person", "case"})
    explanation = consent_services.record_explanation(
        _user(request), person, data, case=_case(request, payload.case), request=request
    )
    return Status(201, Explanation.objects.select_related("explained_by").get(pk=explanation.pk))


@router.get(
    "/consents/explanations",
    response={200: list[ExplanationOut], **LIST},
    tags=["consents"],
    summary="The explanations (rule P2) recorded for a person (`person`, required), newest first",
)
def list_explanations(request: HttpRequest, person: int) -> Any:
    subject = _person(request, person)
    _log_list(request, "explanation.listed", subject, person=person)
    return list(consent_selectors.explanations_of(_user(request), subject))


@router.post(
    "/consents",
    response={201: ConsentOut, **WRITE},
    tags=["consents"],
    summary="Record a consent (rule P1), as a multipart form with the signed form's `scan`",
    description="A signed paper consent needs the file `scan`; a verbal one a `witness` among "
    "the agency's staff. A family member who calls cannot consent for an adult. The consent "
    "names the receiving agency, a kind of agency, or a support coordination meeting "
    "(`recipient_meeting`) whose members may then share the case put on its agenda.",
)
def create_consent(
    request: HttpRequest,
    payload: Form[ConsentIn],
    scan: UploadedFile | None = OPTIONAL_FILE,
) -> Any:
    person = _person(request, payload.person)
    data = payload.dict(exclude={"person", "case"})
    if data["given_on"] is None:
        del data["given_on"]
    consent = consent_services.record_consent(
        _user(request),
        person,
        data,
        case=_case(request, payload.case),
        scan=scan,
        request=request,
    )
    return Status(201, consent_out(_user(request), _consent_qs().get(pk=consent.pk)))


@router.get(
    "/consents",
    response={200: list[ConsentOut], **LIST},
    tags=["consents"],
    summary="A person's consents (`person`, required), newest first, withdrawn ones with date",
)
@paginate(Page)
def list_consents(request: HttpRequest, person: int) -> Any:
    user = _user(request)
    subject = Person.objects.filter(pk=person).first()
    if subject is None:
        raise Http404
    consents = consent_selectors.consents_of(user, subject).select_related("agency", "person")
    if not can(user, Action.VIEW, Kind.PERSON, subject) and not consents.exists():
        raise Http404  # the same answer as for a person who does not exist
    _log_list(request, "consent.listed", subject, person=person)
    return [consent_out(user, c) for c in consents]


@router.get("/consents/{consent_id}", response={200: ConsentOut, **READ}, tags=["consents"])
def get_consent(request: HttpRequest, consent_id: int) -> Any:
    consent = get_visible(_user(request), Kind.CONSENT, _consent_qs(), pk=consent_id)
    _log_read(request, "consent.viewed", Kind.CONSENT, consent)
    return consent_out(_user(request), consent)


@router.post(
    "/consents/{consent_id}/withdraw",
    response={200: ConsentOut, **WRITE},
    tags=["consents"],
    summary="Withdraw a consent (rule P4): the receiving agency loses access at once",
    description="Every grant resting on the consent ends now; copies already received are "
    "flagged at the agency that holds them.",
)
def withdraw_consent(request: HttpRequest, consent_id: int, payload: WithdrawIn) -> Any:
    consent = get_visible(_user(request), Kind.CONSENT, _consent_qs(), pk=consent_id)
    consent_services.withdraw_consent(_user(request), consent, note=payload.note, request=request)
    return consent_out(_user(request), _consent_qs().get(pk=consent_id))


# --- grants ---------------------------------------------------------------------------------


@router.get(
    "/grants",
    response={200: list[GrantOut], **LIST},
    tags=["grants"],
    summary="Grants your agency gave (`direction=given`) or holds (`received`); both by default",
    description="`pending=true`: only sharing without consent your manager has not yet seen "
    "(rule P5).",
)
@paginate(Page)
def list_grants(request: HttpRequest, direction: str = "", pending: bool = False) -> Any:
    user = _user(request)
    if direction not in ("", "given", "received"):
        raise ValidationError({"direction": _("Choose given or received.")})
    if pending:
        grants = selectors.pending_notices(user)
    elif direction == "given":
        grants = selectors.grants_given(user)
    elif direction == "received":
        grants = selectors.grants_received(user)
    else:
        grants = scope(user, Kind.GRANT, Grant.objects.all()).order_by("-starts_at", "-id")
    grants = grants.select_related(
        "agency", "person", "receiving_agency", "receiving_user", "consent", "made_by"
    ).select_related("acknowledged_by")
    _log_list(request, "grant.listed", direction=direction, pending=pending)
    return [grant_out(user, g) for g in grants]


def _share_kinds(kinds: list[str]) -> list[str] | None:
    return [str(k) for k in kinds] or None


@router.post(
    "/grants/emergency",
    response={201: GrantOut, **WRITE},
    tags=["grants"],
    summary="Share without consent in an emergency (rule P5): legal ground, reason, 1-24 hours",
    description="The owning agency's manager is told on screen (and by e-mail if configured).",
)
def share_in_emergency(request: HttpRequest, payload: EmergencyIn) -> Any:
    user = _user(request)
    person = _person(request, payload.person)
    made = services.share_in_emergency(
        user,
        person,
        receiving_agency=_agency(payload.receiving_agency, "receiving_agency"),
        legal_ground=payload.legal_ground,
        reason=payload.reason,
        hours=payload.hours,
        kinds=_share_kinds(payload.kinds),
        case=_case(request, payload.case),
        request=request,
    )
    return Status(201, grant_out(user, _grant_qs().get(pk=made.pk)))


@router.post(
    "/grants/consent",
    response={201: GrantOut, **WRITE},
    tags=["grants"],
    summary="Share under a consent for co-support (rule P1): the agency and kinds it names",
)
def share_under_consent(request: HttpRequest, payload: ShareIn) -> Any:
    user = _user(request)
    consent = get_visible(user, Kind.CONSENT, _consent_qs(), pk=payload.consent)
    receiver = _agency(payload.receiving_agency, "receiving_agency") or consent.recipient_agency
    made = services.share_under_consent(
        user,
        consent,
        receiving_agency=receiver,
        kinds=_share_kinds(payload.kinds),
        case=_case(request, payload.case),
        purpose=payload.purpose,
        request=request,
    )
    return Status(201, grant_out(user, _grant_qs().get(pk=made.pk)))


@router.get("/grants/{grant_id}", response={200: GrantOut, **READ}, tags=["grants"])
def get_grant(request: HttpRequest, grant_id: int) -> Any:
    found = get_visible(_user(request), Kind.GRANT, _grant_qs(), pk=grant_id)
    _log_read(request, "grant.viewed", Kind.GRANT, found)
    return grant_out(_user(request), found)


@router.post(
    "/grants/{grant_id}/end",
    response={200: GrantOut, **WRITE},
    tags=["grants"],
    summary="End a grant before its time, with a reason (the owning agency's staff)",
)
def end_grant(request: HttpRequest, grant_id: int, payload: EndIn) -> Any:
    found = get_visible(_user(request), Kind.GRANT, _grant_qs(), pk=grant_id)
    services.end_grant(_user(request), found, reason=payload.reason, request=request)
    return grant_out(_user(request), _grant_qs().get(pk=grant_id))


@router.post(
    "/grants/{grant_id}/acknowledge",
    response={200: GrantOut, **WRITE},
    tags=["grants"],
    summary="Mark a notice of sharing without consent as seen (the owning agency's manager, P5)",
)
def acknowledge_grant(request: HttpRequest, grant_id: int) -> Any:
    found = get_visible(_user(request), Kind.GRANT, _grant_qs(), pk=grant_id)
    services.acknowledge(_user(request), found, request=request)
    return grant_out(_user(request), _grant_qs().get(pk=grant_id))


def _sight_of(user: Any, found: Grant) -> Sight:
    """The access module's answer for the grant's person; a grant that names no identity
    fields is seen through the person's case (its situation), never without a ground."""
    seen = sight(user, Kind.PERSON, found.person)
    if seen is not None:
        return seen
    case = found.case or found.person.cases.order_by("-opened_on", "-pk").first()
    if case is None:
        raise Http404
    return require_sight(user, Kind.CASE, case)


@router.get(
    "/grants/{grant_id}/record",
    response={200: SharedRecordOut, **READ},
    tags=["grants"],
    summary="The person's record as this grant lets the receiving agency see it",
    description="Only the fields of the kinds the grant names are sent; 404 once the grant is "
    "no longer in force (ended, expired, its consent withdrawn). The owning agency's staff get "
    "the same view, to check what the receiver sees.",
)
def grant_record(request: HttpRequest, grant_id: int) -> Any:
    user = _user(request)
    found = get_visible(user, Kind.GRANT, _grant_qs(), pk=grant_id)
    if not found.is_active():
        raise Http404
    seen = _sight_of(user, found)
    # Narrowed to this grant: its kinds and, for a case-bound grant, its case.
    kinds = frozenset(str(k) for k in found.kinds)
    if seen.is_own:
        seen = replace(seen, kinds=kinds, grants=(found,))
    else:
        if found not in seen.grants:
            raise Http404
        seen = Sight(found.code, kinds & seen.kinds, seen.agency_id, (found,))
    record = shared_record(user, found.person, seen, request)
    return {
        "grant_id": found.pk,
        "ground": seen.ground,
        "ground_label": ground_label(seen.ground),
        "kinds_label": kinds_label(record["kinds"]),
        **record,
    }


# --- the access log -------------------------------------------------------------------------

CSV_HEADERS = (
    gettext_lazy("time"),
    gettext_lazy("user name"),
    gettext_lazy("user's agency"),
    gettext_lazy("owning agency"),
    gettext_lazy("action"),
    gettext_lazy("action code"),
    gettext_lazy("record kind"),
    gettext_lazy("record"),
    gettext_lazy("person"),
    gettext_lazy("ground"),
    gettext_lazy("reason"),
)


@router.get(
    "/access-log",
    response={200: AuditPageOut, **LIST},
    tags=["access log"],
    summary="The access log (閲覧記録): managers see their agency's, auditors the body's",
    description="Filters: `action` (a dotted prefix such as `consent.`), `user` (user name), "
    "`date_from`/`date_to` (西暦 or 和暦), `person` (id), `ground` (`own_agency`, `consent`, "
    "`emergency:5`...). `format=csv` answers a CSV download (logged as an export).",
)
def access_log(
    request: HttpRequest,
    action: str = "",
    user: str = "",
    date_from: str = "",
    date_to: str = "",
    person: int | None = None,
    ground: str = "",
    format: str = "",
    limit: int = 100,
    offset: int = 0,
) -> Any:
    viewer = _user(request)
    if not can(viewer, Action.VIEW, Kind.AUDIT_EVENT):
        raise Denied("view audit log")
    if format not in ("", "json", "csv"):
        raise ValidationError({"format": _("Choose json or csv.")})
    if not 1 <= limit <= 500:
        raise ValidationError({"limit": _("The value is out of range.")})
    if offset < 0:
        raise ValidationError({"offset": _("The value is out of range.")})
    events = selectors.audit_events(
        viewer,
        action=action.strip(),
        user=user.strip(),
        date_from=_query_date("date_from", date_from),
        date_to=_query_date("date_to", date_to),
    ).select_related("actor_agency")
    if person is not None:
        events = events.filter(subject_id=person)
    if ground.strip():
        events = events.filter(grant__startswith=ground.strip())
    if format == "csv":
        return export_response(
            request,
            fmt="csv",
            filename=_("access-log"),
            headers=list(CSV_HEADERS),
            rows=(
                (
                    e.at.isoformat(),
                    e.actor_username,
                    e.actor_agency.name if e.actor_agency else "",
                    e.agency.name if e.agency else "",
                    label_of_action(e.action),
                    e.action,
                    e.record_kind,
                    e.record_id,
                    e.subject_id,
                    ground_label(e.grant),
                    e.reason,
                )
                for e in events[:100_000]
            ),
            audit_action="audit.exported",
        )
    return {
        "items": [event_out(e) for e in events[offset : offset + limit]],
        "count": events.count(),
    }


# --- the disclosure report ------------------------------------------------------------------


@router.get(
    "/persons/{person_id}/disclosure",
    response={200: DisclosureOut, **READ},
    tags=["persons"],
    summary="Disclosure report (開示報告, rule P3): who saw or changed the record, when, why",
    description="Every read and change of the person's record by every agency and user, with "
    "the ground, oldest first. Only the owning agency's staff who see the person get it.",
)
def disclosure(request: HttpRequest, person_id: int) -> Any:
    user = _user(request)
    person = _person(request, person_id)
    events = list(selectors.disclosure(user, person))
    audit.personal("disclosure.viewed", user, person, request)
    agencies = sorted(
        {e.actor_agency.name for e in events if e.actor_agency is not None}
        | {e.agency.name for e in events if e.agency is not None}
    )
    return {
        "person_id": person.pk,
        "agencies": agencies,
        "entries": [disclosure_entry(e) for e in events],
    }
