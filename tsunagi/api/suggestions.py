"""The API of the suggestions of the referral rules (R2–R8, J4, J5), of suggestions set aside,
of the rule table, and of introductions (紹介, rule R3a).

Thin: parse, call one service or selector of `tsunagi.referrals`, answer. Suggestions,
dismissals and introductions are the owning agency's own work on its case: they are never
shared by a grant, so a receiving agency gets 404 like a user who sees nothing. Every read is
in the access log (rule P3).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from tsunagi.access import audit
from tsunagi.access.policy import OWN_AGENCY, Kind, get_visible, positions, scope
from tsunagi.agencies.models import Agency
from tsunagi.people.models import Case, Person
from tsunagi.people.services import log_reads
from tsunagi.referrals import selectors, services
from tsunagi.referrals.models import Dismissal, Introduction
from tsunagi.referrals.suggestions import RULES
from tsunagi.web.wareki import DateFormatError, parse_date

from .schemas import Error, ValidationErrorOut
from .suggestion_schemas import (
    DismissalIn,
    DismissalOut,
    IntroductionIn,
    IntroductionOut,
    IntroductionPage,
    RuleOut,
    SuggestionPanelOut,
    dismissal_out,
    introduction_out,
    rule_out,
    suggestion_out,
)

router = Router(tags=["referrals"])

READ = {401: Error, 404: Error, 422: ValidationErrorOut}
WRITE = {401: Error, 403: Error, 404: Error, 422: ValidationErrorOut}


def _user(request: HttpRequest) -> Any:
    return request.user


def _person(request: HttpRequest, person_id: int) -> Person:
    """A person of the caller's own agency (a grant does not show suggestions), else 404."""
    return get_visible(_user(request), Kind.PERSON, Person.objects.all(), pk=person_id)


def _cases(request: HttpRequest, person: Person) -> QuerySet[Case]:
    return scope(_user(request), Kind.CASE, Case.objects.select_related("person", "agency")).filter(
        person=person
    )


# --- suggestions ----------------------------------------------------------------------------


@router.get(
    "/persons/{person_id}/suggestions",
    response={200: SuggestionPanelOut, **READ},
    summary="The suggestions of the rules for a person's case, each with its rule and reason",
    description="`case`: one of the person's cases; by default the newest open case you may "
    "see. Each suggestion names its rule (R2, R3a, R3b, R6, R7, R8, J4, J5), its reason in "
    "Japanese and the agencies resolved from the registry (J2, J3, J4); suggestions set aside "
    "are listed apart with their dismissal. Only the owning agency's staff see them.",
)
def list_suggestions(request: HttpRequest, person_id: int, case: int | None = None) -> Any:
    user = _user(request)
    person = _person(request, person_id)
    cases = _cases(request, person)
    if case is not None:
        chosen = cases.filter(pk=case).first()
        if chosen is None:
            raise ValidationError({"case": _("Choose a case of this person.")})
    else:
        chosen = cases.filter(closed_on__isnull=True).order_by("-opened_on", "-id").first()
        if chosen is None:
            raise ValidationError({"case": _("The person has no open case: choose a case.")})
    panel = selectors.suggestions_for(user, chosen)
    audit.personal(
        "suggestion.listed",
        user,
        chosen,
        request,
        ground=OWN_AGENCY,
        actor_agency_id=chosen.agency_id,
        codes=[item.code for item in panel.active],
        dismissed=[item.code for item in panel.dismissed],
    )
    return {
        "person": person.pk,
        "case": {"id": chosen.pk, "number": chosen.number},
        "active": [suggestion_out(item) for item in panel.active],
        "dismissed": [suggestion_out(item) for item in panel.dismissed],
    }


def _dismissal_qs() -> QuerySet[Dismissal]:
    return Dismissal.objects.select_related("case", "dismissed_by", "restored_by")


@router.post(
    "/persons/{person_id}/suggestions/dismissals",
    response={201: DismissalOut, **WRITE},
    summary="Set a suggestion aside for the person's case, with the reason",
    description="The suggestion then shows among the dismissed ones; a dismissal is counted in "
    "the statistics per rule. An unknown code, an empty reason or a suggestion already set "
    "aside answers 422.",
)
def dismiss_suggestion(request: HttpRequest, person_id: int, payload: DismissalIn) -> Any:
    user = _user(request)
    person = _person(request, person_id)
    case = _cases(request, person).filter(pk=payload.case).first()
    if case is None:
        raise ValidationError({"case": _("Choose a case of this person.")})
    dismissal = services.dismiss_suggestion(
        user, case, payload.code, reason=payload.reason, request=request
    )
    return Status(201, dismissal_out(_dismissal_qs().get(pk=dismissal.pk)))


@router.post(
    "/persons/{person_id}/suggestions/dismissals/{dismissal_id}/restore",
    response={200: DismissalOut, **WRITE},
    summary="Show a suggestion set aside again (the dismissal stays on record)",
)
def restore_suggestion(request: HttpRequest, person_id: int, dismissal_id: int) -> Any:
    user = _user(request)
    person = _person(request, person_id)
    dismissal = get_visible(
        user, Kind.DISMISSAL, _dismissal_qs().filter(case__person=person), pk=dismissal_id
    )
    services.restore_suggestion(user, dismissal, request=request)
    return dismissal_out(_dismissal_qs().get(pk=dismissal.pk))


@router.get(
    "/referral-rules",
    response={200: list[RuleOut], **READ},
    summary="The rule table behind the suggestions (the same as the help page)",
    description="Each rule: its ID in rules.md, what it proposes, when it applies and the "
    "agencies it points at.",
)
def list_rules(request: HttpRequest) -> Any:
    if not positions(_user(request)):
        return []  # a user without a membership sees nothing
    return [rule_out(rule) for rule in RULES]


# --- introductions (rule R3a) ---------------------------------------------------------------


def _introduction_qs() -> QuerySet[Introduction]:
    return Introduction.objects.select_related(
        "agency", "case", "person", "to_agency", "created_by"
    )


def _query_date(field: str, text: str) -> Any:
    if not text.strip():
        return None
    try:
        return parse_date(text)
    except DateFormatError as exc:
        raise ValidationError({field: str(exc)}) from exc


@router.get(
    "/introductions",
    response={200: IntroductionPage, **READ},
    summary="The introductions your agency recorded, newest first",
    description="Filters: `case`, `person`, `since` and `until` (the day given, 西暦 or 和暦).",
)
def list_introductions(
    request: HttpRequest,
    case: int | None = None,
    person: int | None = None,
    since: str = "",
    until: str = "",
    limit: int = Query(50, ge=1, le=200, description="At most 200 rows per page."),
    offset: int = Query(0, ge=0),
) -> Any:
    user = _user(request)
    start, end = _query_date("since", since), _query_date("until", until)
    if start is not None and end is not None and end < start:
        raise ValidationError({"until": _("The end cannot be before the start.")})
    found = scope(user, Kind.INTRODUCTION, _introduction_qs()).order_by("-given_on", "-id")
    if case is not None:
        found = found.filter(case_id=case)
    if person is not None:
        found = found.filter(person_id=person)
    if start is not None:
        found = found.filter(given_on__gte=start)
    if end is not None:
        found = found.filter(given_on__lte=end)
    rows = list(found[offset : offset + limit])
    # every introduction shown, own agency's (rule P3)
    log_reads(user, Kind.INTRODUCTION, rows, request, action="introduction.listed")
    return {"items": [introduction_out(i) for i in rows], "count": found.count()}


@router.post(
    "/introductions",
    response={201: IntroductionOut, **WRITE},
    summary="Record an introduction (紹介): information given to the person about an agency or "
    "a group",
    description="Rule R3a: an introduction passes no personal data, so it needs no consent and "
    "gives the agency introduced nothing; only your agency records it.",
)
def create_introduction(request: HttpRequest, payload: IntroductionIn) -> Any:
    user = _user(request)
    case = get_visible(user, Kind.CASE, Case.objects.select_related("person"), pk=payload.case)
    to_agency = None
    if payload.to_agency is not None:
        to_agency = Agency.objects.filter(pk=payload.to_agency).first()
        if to_agency is None:
            raise ValidationError({"to_agency": _("No agency has this id.")})
    data = payload.dict()
    data.update(
        target_kind=str(payload.target_kind.value),
        given_to=str(payload.given_to.value),
        to_agency=to_agency,
    )
    intro = services.record_introduction(user, case, data, request=request)
    return Status(201, introduction_out(_introduction_qs().get(pk=intro.pk)))


@router.get(
    "/introductions/{introduction_id}",
    response={200: IntroductionOut, **READ},
    summary="One introduction your agency recorded",
)
def get_introduction(request: HttpRequest, introduction_id: int) -> Any:
    user = _user(request)
    intro = get_visible(user, Kind.INTRODUCTION, _introduction_qs(), pk=introduction_id)
    audit.personal(
        "introduction.viewed",
        user,
        intro,
        request,
        ground=OWN_AGENCY,
        actor_agency_id=intro.agency_id,
    )
    return introduction_out(intro)
