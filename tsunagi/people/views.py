"""Screens of persons, households, cases, contacts, assessments and flags.

Each view parses, asks the access module (through `get_visible`/`require`), calls one service or
selector and renders. Every screen that shows a personal record writes it to the access log
(`services.log_read`), and every screen of a case shows its open flags (`people/_flags.html`,
rule R8).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagi.access.policy import (
    CASEWORKERS,
    Action,
    Denied,
    Kind,
    agencies_with,
    can,
    get_visible,
    may_restrict,
    require,
    scope,
)
from tsunagi.agencies.models import Agency
from tsunagi.agencies.services import EditConflict
from tsunagi.web.decorators import member_required

from . import rules, selectors, services
from .choices import Connection
from .forms import (
    AssessmentForm,
    CaseForm,
    ContactForm,
    ExistingMemberForm,
    FlagResolveForm,
    HouseholdForm,
    IntakeForm,
    NewHouseholdForm,
    NewMemberForm,
    PersonForm,
    PersonSearchForm,
    RestrictionForm,
)
from .models import Assessment, Case, Contact, Flag, Household, Person

PAGE_SIZE = 20
TIMELINE_PAGE_SIZE = 20


# --- helpers --------------------------------------------------------------------------------


def _apply_errors(form: Any, exc: ValidationError, renamed: dict[str, str] | None = None) -> None:
    """Put a service's validation errors next to the fields they concern."""
    renamed = renamed or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        field = renamed.get(field, field)
        form.add_error(field if field in form.fields else None, errors)


def _workplaces(user: Any) -> QuerySet[Agency]:
    return Agency.objects.filter(pk__in=agencies_with(user, *CASEWORKERS)).order_by("name")


def _caseworkers(agency_id: int) -> QuerySet[Any]:
    """The agency's staff and managers: who can take a contact or be assigned to a case."""
    return (
        get_user_model()
        .objects.filter(
            memberships__agency_id=agency_id,
            memberships__is_active=True,
            memberships__role__in=CASEWORKERS,
            is_active=True,
        )
        .distinct()
        .order_by("full_name", "username")
    )


def _get_person(request: HttpRequest, pk: int) -> Person:
    return get_visible(
        request.user, Kind.PERSON, Person.objects.select_related("municipality", "agency"), pk=pk
    )


def _get_case(request: HttpRequest, pk: int) -> Case:
    return get_visible(
        request.user,
        Kind.CASE,
        Case.objects.select_related("person", "person__municipality", "agency"),
        pk=pk,
    )


def _safe_next(request: HttpRequest, url: str | None, default: str) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def _open_flags_of_persons(user: Any, person_ids: list[int]) -> QuerySet[Flag]:
    return (
        scope(user, Kind.FLAG, Flag.objects.filter(case__person_id__in=person_ids))
        .filter(resolved_at__isnull=True)
        .select_related("case", "case__person")
        .order_by("raised_at", "pk")
    )


def _log_shown(request: HttpRequest, persons: Any, shown_in: str) -> None:
    """Persons listed on a screen (search results, duplicate candidates) are read too."""
    services.log_reads(request.user, Kind.PERSON, persons, request, shown_in=shown_in)


def _case_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    """What every screen of a case shows above its own content: header and open flags (R8).

    Showing it is a read of the case, so it goes in the access log here, once per screen."""
    services.log_read(request.user, Kind.CASE, case, request)
    return {
        "case": case,
        "person": case.person,
        "flags": list(selectors.open_flags(case).select_related("case")),
        "flags_show_case": False,
        "next_url": request.get_full_path(),
    }


# --- persons --------------------------------------------------------------------------------


def _list_rows(user: Any, persons: list[Person]) -> list[dict[str, Any]]:
    """One row per person on the page: their open case and count of open flags (2 queries)."""
    ids = [p.pk for p in persons]
    open_cases: dict[int, Case] = {}
    for case in scope(
        user, Kind.CASE, Case.objects.filter(person_id__in=ids, closed_on__isnull=True)
    ).order_by("opened_on", "pk"):
        open_cases[case.person_id] = case  # the newest wins
    flag_counts = dict(
        scope(user, Kind.FLAG, Flag.objects.filter(case__person_id__in=ids))
        .filter(resolved_at__isnull=True)
        .values_list("case__person_id")
        .annotate(n=Count("pk"))
        .values_list("case__person_id", "n")
    )
    return [
        {"person": p, "open_case": open_cases.get(p.pk), "open_flags": flag_counts.get(p.pk, 0)}
        for p in persons
    ]


@member_required
def person_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW, Kind.PERSON)
    form = PersonSearchForm(request.GET)
    searched = form.is_valid()
    page = None
    rows: list[dict[str, Any]] = []
    filters = {}
    if searched:
        filters = {k: v for k, v in form.data.items() if k in ("q", "birth_date") and v}
        persons = selectors.persons(
            request.user, form.cleaned_data["q"], birth_date=form.cleaned_data["birth_date"]
        )
        page = Paginator(persons, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = _list_rows(request.user, list(page.object_list))
        _log_shown(request, (row["person"] for row in rows), "list")
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "querystring_base": urlencode(filters) + "&" if filters else "",
        "can_create": can(request.user, Action.CREATE, Kind.PERSON),
    }
    template = "people/_results.html" if request.headers.get("HX-Request") else "people/list.html"
    return render(request, template, context)


@member_required
def person_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.CREATE, Kind.PERSON)
    workplaces = _workplaces(request.user)
    agency = workplaces.first()
    form = PersonForm(request.POST or None, agency=agency, agencies=workplaces)
    duplicates = None
    if request.method == "POST" and form.is_valid():
        agency = form.cleaned_data.get("agency") or agency
        if agency is None:  # require() above: the user works in an agency
            raise Denied("create person")
        try:
            person = services.create_person(
                request.user,
                agency,
                form.person_data(),
                request=request,
                allow_duplicate=form.cleaned_data["allow_duplicate"],
            )
        except services.PossibleDuplicates as exc:
            duplicates = exc.candidates
            _log_shown(request, (c.person for c in duplicates), "duplicates")
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The person was registered."))
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/person_form.html",
        {"form": form, "person": None, "duplicates": duplicates},
    )


@member_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _get_person(request, pk)
    services.log_read(request.user, Kind.PERSON, person, request)
    household = selectors.household_of(request.user, person)
    view = selectors.household_view(request.user, household) if household else None
    cases = (
        selectors.visible_cases(request.user, person)
        .annotate(
            open_flag_count=Count("flags", filter=Q(flags__resolved_at__isnull=True), distinct=True)
        )
        .order_by("-opened_on", "-pk")
    )
    membership = None
    if view is not None:
        membership = next((m for m in view.members if m.person_id == person.pk), None)
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "household_view": view,
            "membership": membership,
            "cases": cases,
            "flags": list(_open_flags_of_persons(request.user, [person.pk])),
            "flags_show_case": True,
            "next_url": request.get_full_path(),
            "can_change": can(request.user, Action.CHANGE, Kind.PERSON, person),
        },
    )


@member_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _get_person(request, pk)
    require(request.user, Action.CHANGE, Kind.PERSON, person)
    form = PersonForm(request.POST or None, instance=Person.objects.get(pk=pk))
    form.fields.pop("allow_duplicate")
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(
                request.user,
                person,
                form.person_data(),
                version=form.cleaned_data.get("version"),
                request=request,
            )
        except EditConflict as exc:
            conflict = exc.current
            form.add_error(
                None,
                _(
                    "Someone else saved this person while you were editing. Your changes are "
                    "kept below; check the current values and save again."
                ),
            )
            data = form.data.copy()  # type: ignore[attr-defined]
            data["version"] = str(conflict.version)
            form.data = data
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The person was saved."))
            return redirect("people:detail", pk=person.pk)
    services.log_read(request.user, Kind.PERSON, person, request)
    return render(
        request,
        "people/person_form.html",
        {"form": form, "person": person, "conflict": conflict},
    )


# --- households -----------------------------------------------------------------------------


@member_required
def household_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A household around a person (who is usually its reference person)."""
    person = _get_person(request, pk)
    existing = selectors.household_of(request.user, person)
    if existing is not None:
        return redirect("people:household", pk=existing.pk)
    require(request.user, Action.CREATE, Kind.HOUSEHOLD, Household(agency=person.agency))
    form = NewHouseholdForm(request.POST or None, initial={"name": f"{person.family_name} 世帯"})
    if request.method == "POST" and form.is_valid():
        try:
            household = services.create_household(
                request.user,
                person.agency,
                form.cleaned_data["name"],
                [(person, form.cleaned_data["relationship"])],
                notes=form.cleaned_data["notes"],
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The household was created. Add its other members."))
            return redirect("people:household", pk=household.pk)
    services.log_read(request.user, Kind.PERSON, person, request)
    return render(
        request, "people/household_form.html", {"form": form, "person": person, "household": None}
    )


@member_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_visible(request.user, Kind.HOUSEHOLD, Household.objects.all(), pk=pk)
    view = selectors.household_view(request.user, household)
    services.log_read(request.user, Kind.HOUSEHOLD, household, request)
    for member in view.members:
        services.log_read(request.user, Kind.PERSON, member.person, request, shown_in="household")
    rows = [
        {
            "member": m,
            "person": m.person,
            "open_cases": view.open_cases.get(m.person_id, []),
            "problems": [p for c in view.open_cases.get(m.person_id, []) for p in c.problems],
            "latest": view.latest.get(m.person_id),
            "areas": view.indicators.areas.get(m.person.full_name, set()),
        }
        for m in view.members
    ]
    return render(
        request,
        "people/household_detail.html",
        {
            "household": household,
            "view": view,
            "rows": rows,
            "flags": list(
                _open_flags_of_persons(request.user, [m.person_id for m in view.members])
            ),
            "flags_show_case": True,
            "next_url": request.get_full_path(),
            "can_change": can(request.user, Action.CHANGE, Kind.HOUSEHOLD, household),
        },
    )


@member_required
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_visible(request.user, Kind.HOUSEHOLD, Household.objects.all(), pk=pk)
    require(request.user, Action.CHANGE, Kind.HOUSEHOLD, household)
    form = HouseholdForm(
        request.POST or None, initial={"name": household.name, "notes": household.notes}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_household(request.user, household, form.cleaned_data, request=request)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The household was saved."))
            return redirect("people:household", pk=household.pk)
    services.log_read(request.user, Kind.HOUSEHOLD, household, request)
    return render(request, "people/household_form.html", {"form": form, "household": household})


def _member_candidates(user: Any, household: Household, q: str) -> list[Person]:
    if not q:
        return []
    return list(
        selectors.persons(user, q)
        .filter(agency_id=household.agency_id)
        .exclude(membership__household=household)
        .select_related("membership__household")[:PAGE_SIZE]
    )


@member_required
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a member: an existing person of the agency, or one registered on the spot."""
    household = get_visible(request.user, Kind.HOUSEHOLD, Household.objects.all(), pk=pk)
    require(request.user, Action.CHANGE, Kind.HOUSEHOLD, household)
    q = (request.GET.get("q") or "").strip()
    mode = request.POST.get("mode") if request.method == "POST" else None
    existing = ExistingMemberForm(request.POST if mode == "existing" else None)
    new = NewMemberForm(request.POST if mode == "new" else None, agency=household.agency)
    duplicates = None
    if mode == "existing" and existing.is_valid():
        person = get_visible(
            request.user,
            Kind.PERSON,
            Person.objects.filter(agency_id=household.agency_id),
            pk=existing.cleaned_data["person"],
        )
        try:
            services.add_member(
                request.user,
                household,
                person,
                existing.cleaned_data["relationship"],
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(existing, exc)
        else:
            messages.success(request, _("%(name)s was added to the household.") % {"name": person})
            return redirect("people:household", pk=household.pk)
    if mode == "new" and new.is_valid():
        try:
            with transaction.atomic():
                person = services.create_person(
                    request.user,
                    household.agency,
                    new.person_data(),
                    request=request,
                    allow_duplicate=new.cleaned_data["allow_duplicate"],
                )
                services.add_member(
                    request.user,
                    household,
                    person,
                    new.cleaned_data["relationship"],
                    request=request,
                )
        except services.PossibleDuplicates as exc:
            duplicates = exc.candidates
            _log_shown(request, (c.person for c in duplicates), "duplicates")
        except ValidationError as exc:
            _apply_errors(new, exc)
        else:
            messages.success(request, _("%(name)s was added to the household.") % {"name": person})
            return redirect("people:household", pk=household.pk)
    candidates = _member_candidates(request.user, household, q)
    _log_shown(request, candidates, "member_search")
    context = {
        "household": household,
        "q": q,
        "candidates": candidates,
        "existing": existing,
        "new": new,
        "duplicates": duplicates,
        "relationship_field": ExistingMemberForm()["relationship"],
    }
    if request.headers.get("HX-Request") and request.method == "GET":
        return render(request, "people/_member_candidates.html", context)
    return render(request, "people/member_add.html", context)


@member_required
def member_remove(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    household = get_visible(request.user, Kind.HOUSEHOLD, Household.objects.all(), pk=pk)
    require(request.user, Action.CHANGE, Kind.HOUSEHOLD, household)
    person = get_visible(
        request.user,
        Kind.PERSON,
        Person.objects.filter(membership__household=household),
        pk=person_pk,
    )
    if request.method == "POST":
        services.remove_member(request.user, household, person, request=request)
        messages.success(request, _("%(name)s was removed from the household.") % {"name": person})
        return redirect("people:household", pk=household.pk)
    services.log_read(request.user, Kind.PERSON, person, request)
    return render(request, "people/member_remove.html", {"household": household, "person": person})


# --- cases ----------------------------------------------------------------------------------


@member_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk)
    timeline = Paginator(selectors.timeline(request.user, case), TIMELINE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    household = selectors.household_of(request.user, case.person)
    view = selectors.household_view(request.user, household) if household else None
    indicators = (
        view.indicators
        if view is not None
        else selectors.person_indicators(request.user, case.person)
    )
    history = list(selectors.assessments_of(request.user, case))
    latest = history[0] if history else None
    isolation = rules.isolation_level(latest) if latest is not None else None
    return render(
        request,
        "people/case_detail.html",
        {
            **_case_context(request, case),
            "timeline": timeline,
            "page": timeline,
            "querystring_base": "",
            "household_view": view,
            "indicators": indicators,
            "latest": latest,
            "isolation": isolation,
            "isolation_label": rules.isolation_label(isolation) if latest is not None else "",
            "connections_total": len(Connection.values),
            "history": history,
            "assigned": list(case.assigned_staff.all()),
            "can_change": can(request.user, Action.CHANGE, Kind.CASE, case),
            "can_restrict": may_restrict(request.user, case),
        },
    )


@member_required
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk)
    require(request.user, Action.CHANGE, Kind.CASE, case)
    form = CaseForm(request.POST or None, instance=Case.objects.get(pk=pk))
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.update_case(
                request.user,
                case,
                form.case_data(),
                version=form.cleaned_data.get("version"),
                request=request,
            )
        except EditConflict as exc:
            conflict = exc.current
            form.add_error(
                None,
                _(
                    "Someone else saved this case while you were editing. Your changes are "
                    "kept below; check the current values and save again."
                ),
            )
            data = form.data.copy()  # type: ignore[attr-defined]
            data["version"] = str(conflict.version)
            form.data = data
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The case was saved."))
            return redirect("people:case", pk=case.pk)
    return render(
        request,
        "people/case_form.html",
        {**_case_context(request, case), "form": form, "conflict": conflict},
    )


@member_required
@require_POST
def case_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk)
    services.update_case(
        request.user, case, {"closed_on": None, "close_reason": ""}, request=request
    )
    messages.success(request, _("The case was reopened."))
    return redirect("people:case", pk=case.pk)


@member_required
def case_restriction(request: HttpRequest, pk: int) -> HttpResponse:
    """The manager's setting: limit a sensitive case to its assigned staff."""
    case = _get_case(request, pk)
    if not may_restrict(request.user, case):
        raise Denied("restrict case")
    staff = _caseworkers(case.agency_id)
    form = RestrictionForm(
        request.POST or None,
        staff=staff,
        initial={
            "is_restricted": case.is_restricted,
            "assigned_staff": list(case.assigned_staff.all()),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_restriction(
                request.user,
                case,
                form.cleaned_data["is_restricted"],
                form.cleaned_data["assigned_staff"],
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The access settings of the case were saved."))
            return redirect("people:case", pk=case.pk)
    return render(
        request, "people/restriction_form.html", {**_case_context(request, case), "form": form}
    )


# --- contacts -------------------------------------------------------------------------------


def _callers(user: Any, person: Person) -> QuerySet[Person]:
    """Who may have made the contact: the visible members of the person's household."""
    household = selectors.household_of(user, person)
    if household is None:
        return Person.objects.none()
    return scope(
        user, Kind.PERSON, Person.objects.filter(membership__household=household)
    ).order_by("membership__pk")


@member_required
def contact_create(
    request: HttpRequest, pk: int | None = None, person_pk: int | None = None
) -> HttpResponse:
    """Record a contact about a case; from a person without an open case, also the intake."""
    if pk is not None:
        case: Case | None = _get_case(request, pk)
        person = case.person  # type: ignore[union-attr]
    else:
        person = _get_person(request, person_pk)  # type: ignore[arg-type]
        case = (
            selectors.visible_cases(request.user, person)
            .filter(closed_on__isnull=True)
            .select_related("person", "agency")
            .order_by("-opened_on", "-pk")
            .first()
        )
    require(request.user, Action.CREATE, Kind.CONTACT, Contact(agency_id=person.agency_id))
    form = ContactForm(
        request.POST or None,
        callers=_callers(request.user, person),
        staff=_caseworkers(person.agency_id),
        initial=ContactForm.initial_for(staff=request.user),
    )
    intake = IntakeForm(request.POST or None, prefix="intake") if case is None else None
    if request.method == "POST" and form.is_valid() and (intake is None or intake.is_valid()):
        try:
            contact = services.record_contact(
                request.user,
                form.contact_data(),
                case=case,
                person=person if case is None else None,
                case_data=intake.case_data() if intake is not None else None,
                request=request,
            )
        except ValidationError as exc:
            _split_errors(exc, form, intake)
        else:
            if case is None:
                messages.success(
                    request,
                    _("The contact was recorded and case %(number)s opened.")
                    % {"number": contact.case.number},
                )
            else:
                messages.success(request, _("The contact was recorded."))
            return redirect("people:case", pk=contact.case_id)
    context: dict[str, Any] = {
        "form": form,
        "intake": intake,
        "person": person,
        "contact": None,
        "next_url": request.get_full_path(),
    }
    if case is not None:
        context.update(_case_context(request, case))
    else:
        services.log_read(request.user, Kind.PERSON, person, request)
        context.update(
            {
                "flags": list(_open_flags_of_persons(request.user, [person.pk])),
                "flags_show_case": True,
            }
        )
    return render(request, "people/contact_form.html", context)


def _split_errors(exc: ValidationError, form: Any, intake: Any) -> None:
    if intake is not None and hasattr(exc, "error_dict"):
        intake_errors = {k: v for k, v in exc.message_dict.items() if k in intake.fields}
        for field, errors in intake_errors.items():
            intake.add_error(field, errors)
        rest = {k: v for k, v in exc.message_dict.items() if k not in intake_errors}
        if not rest:
            return
        exc = ValidationError(rest)
    _apply_errors(form, exc, {"occurred_at": "occurred_on"})


@member_required
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_visible(
        request.user,
        Kind.CONTACT,
        Contact.objects.select_related("case", "case__person", "case__agency"),
        pk=pk,
    )
    require(request.user, Action.CHANGE, Kind.CONTACT, contact)
    case = contact.case
    services.log_read(request.user, Kind.CONTACT, contact, request)
    form = ContactForm(
        request.POST or None,
        callers=_callers(request.user, case.person),
        staff=_caseworkers(case.agency_id),
        initial=ContactForm.initial_for(contact),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_contact(request.user, contact, form.contact_data(), request=request)
        except ValidationError as exc:
            _apply_errors(form, exc, {"occurred_at": "occurred_on"})
        else:
            messages.success(request, _("The contact was saved."))
            return redirect("people:case", pk=case.pk)
    return render(
        request,
        "people/contact_form.html",
        {**_case_context(request, case), "form": form, "intake": None, "contact": contact},
    )


# --- assessments ----------------------------------------------------------------------------


@member_required
def assessment_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk)
    require(
        request.user,
        Action.CREATE,
        Kind.ASSESSMENT,
        Assessment(agency_id=case.agency_id, case=case),
    )
    latest = selectors.assessments_of(request.user, case).first()
    form = AssessmentForm(request.POST or None, initial=AssessmentForm.initial_from(latest))
    if request.method == "POST" and form.is_valid():
        try:
            services.record_assessment(request.user, case, form.assessment_data(), request=request)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The assessment was recorded."))
            return redirect("people:case", pk=case.pk)
    return render(
        request,
        "people/assessment_form.html",
        {**_case_context(request, case), "form": form, "latest": latest},
    )


@member_required
def assessment_list(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk)
    history = list(selectors.assessments_of(request.user, case))
    return render(
        request,
        "people/assessment_list.html",
        {
            **_case_context(request, case),
            "history": [
                {
                    "assessment": a,
                    "areas": rules.problem_areas(a),
                    "isolation": rules.isolation_level(a),
                }
                for a in history
            ],
            "area_labels": rules.AREA_LABELS,
        },
    )


@member_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_visible(
        request.user,
        Kind.ASSESSMENT,
        Assessment.objects.select_related("case", "case__person", "case__agency", "assessed_by"),
        pk=pk,
    )
    services.log_read(request.user, Kind.ASSESSMENT, assessment, request)
    isolation = rules.isolation_level(assessment)
    return render(
        request,
        "people/assessment_detail.html",
        {
            **_case_context(request, assessment.case),
            "assessment": assessment,
            "areas": rules.problem_areas(assessment),
            "economic_need": rules.economic_need_reasons(assessment),
            "isolation": isolation,
            "isolation_label": rules.isolation_label(isolation),
            "connections_total": len(Connection.values),
        },
    )


# --- flags ----------------------------------------------------------------------------------


@member_required
def flag_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """Resolve a flag with a note; it stays on every screen of the case until then. rule R8"""
    flag = get_visible(
        request.user, Kind.FLAG, Flag.objects.select_related("case", "case__person"), pk=pk
    )
    require(request.user, Action.CHANGE, Kind.FLAG, flag)
    case_url = reverse("people:case", args=[flag.case_id])
    form = FlagResolveForm(request.POST or None, initial={"next": request.GET.get("next")})
    if request.method == "POST" and form.is_valid():
        try:
            services.resolve_flag(
                request.user, flag, form.cleaned_data["resolution"], request=request
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("The flag “%(flag)s” was resolved.") % {"flag": flag.get_kind_display()},
            )
            return redirect(_safe_next(request, form.cleaned_data.get("next"), case_url))
    context = _case_context(request, flag.case)
    context["flags"] = [f for f in context["flags"] if f.pk != flag.pk]
    return render(request, "people/flag_resolve.html", {**context, "flag": flag, "form": form})
