"""Screens of contacts: recording one (the first opens the case), editing one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tsunagi.access.policy import (
    Action,
    Kind,
    get_visible,
    require,
    scope,
)
from tsunagi.web.decorators import member_required

from .. import selectors, services
from ..forms import (
    ContactForm,
    IntakeForm,
)
from ..models import Case, Contact, Person
from .common import (
    _apply_errors,
    _case_context,
    _caseworkers,
    _get_case,
    _get_person,
    _open_flags_of_persons,
)


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
