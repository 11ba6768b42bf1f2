"""Screens of households: registration, page with every member and problem (rule R2), members."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tsunagi.access.policy import (
    Action,
    Kind,
    can,
    get_visible,
    require,
)
from tsunagi.web.decorators import member_required

from .. import selectors, services
from ..forms import (
    ExistingMemberForm,
    HouseholdForm,
    NewHouseholdForm,
    NewMemberForm,
)
from ..models import Household, Person
from .common import PAGE_SIZE, _apply_errors, _get_person, _log_shown, _open_flags_of_persons


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
