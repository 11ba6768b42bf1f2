"""Screens of persons: list and search, registration with the duplicate warning, page, edit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from tsunagi.access.policy import (
    Action,
    Denied,
    Kind,
    can,
    require,
)
from tsunagi.agencies.services import EditConflict
from tsunagi.web.decorators import member_required

from .. import selectors, services
from ..forms import (
    PersonForm,
    PersonSearchForm,
)
from ..models import Person
from .common import (
    PAGE_SIZE,
    _apply_errors,
    _get_person,
    _keep_for_retry,
    _list_rows,
    _log_shown,
    _open_flags_of_persons,
    _workplaces,
)


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
            _keep_for_retry(
                form,
                conflict,
                _(
                    "Someone else saved this person while you were editing. Your changes are "
                    "kept below; check the current values and save again."
                ),
            )
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
