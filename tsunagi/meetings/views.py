"""Screens of support meetings (支援調整会議 and 支援会議 under Article 9): the list, convening
one, the meeting page with its members and agenda, and putting a case on the agenda.

A member agency sees the other members' agenda cases only as its meeting grant permits
(`policy.sight`, rule P5), rendered from the permitted fields alone; without sight it sees that
a case of that agency is on the agenda, nothing of the person.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tsunagi.access.kinds import shared_values
from tsunagi.access.policy import (
    CASEWORKERS,
    Action,
    Kind,
    agencies_with,
    can,
    get_visible,
    home_prefecture_ids,
    require,
    scope,
    sight,
)
from tsunagi.access.shared import shown_name
from tsunagi.agencies.models import Agency
from tsunagi.people import services as people_services
from tsunagi.people.models import Case
from tsunagi.people.views.common import _apply_errors
from tsunagi.web.decorators import member_required

from . import services
from .forms import AgendaForm, MeetingForm
from .models import Meeting

PAGE_SIZE = 20


def _get_meeting(request: HttpRequest, pk: int) -> Meeting:
    return get_visible(
        request.user,
        Kind.MEETING,
        Meeting.objects.select_related("agency", "created_by"),
        pk=pk,
    )


@member_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW, Kind.MEETING)
    meetings = scope(request.user, Kind.MEETING, Meeting.objects.select_related("agency"))
    page = Paginator(meetings.order_by("-held_on", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "meetings/list.html",
        {"page": page, "meetings": page.object_list, "querystring_base": ""},
    )


def _workplaces(user: Any) -> QuerySet[Agency]:
    return Agency.objects.filter(pk__in=agencies_with(user, *CASEWORKERS)).order_by("name")


@member_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.CREATE, Kind.MEETING)
    workplaces = _workplaces(request.user)
    others = (
        Agency.objects.filter(prefecture__in=home_prefecture_ids(request.user))
        .exclude(pk__in=workplaces.values("pk"))
        .order_by("kind", "name")
    )
    form = MeetingForm(request.POST or None, workplaces=workplaces, others=others)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.create_meeting(
                request.user,
                form.convening_agency(),  # type: ignore[arg-type]  # required when several
                form.meeting_data(),
                members=form.cleaned_data["members"],
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The meeting was created."))
            return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/form.html", {"form": form})


def agenda_rows(user: Any, meeting: Meeting, request: HttpRequest) -> list[dict[str, Any]]:
    """Each agenda item as the viewer may see it: own cases in full (logged in one statement),
    other agencies' cases through the meeting grant's kinds (each logged on its ground), or
    only the agency that put it there."""
    rows, own_cases = [], []
    items = meeting.agenda.select_related("case", "case__person", "case__agency")
    for item in items:
        case = item.case
        row: dict[str, Any] = {"item": item, "agency": case.agency.name, "kinds": item.kinds_label}
        if can(user, Action.VIEW, Kind.CASE, case):
            own_cases.append(case)
            row.update(own=True, number=case.number, name=case.person.full_name, case_pk=case.pk)
        else:
            seen = sight(user, Kind.CASE, case)
            row.update(own=False, seen=seen is not None)
            if seen is not None:
                number = shared_values(case, seen.kinds).get("number", "")
                if number:
                    people_services.log_shared_read(user, Kind.CASE, case, seen, request)
                name = shown_name(user, case.person, request) or ""
                row.update(number=number, name=name, person_pk=case.person_id)
        rows.append(row)
    if own_cases:
        people_services.log_reads(user, Kind.CASE, own_cases, request, shown_in="meeting")
    return rows


def _agenda_cases(user: Any, meeting: Meeting) -> QuerySet[Case]:
    """Open cases the user sees, of the user's agencies that sit at the meeting, not yet on it."""
    return (
        scope(user, Kind.CASE, Case.objects.filter(closed_on__isnull=True))
        .filter(agency__in=meeting.members.all())
        .exclude(agenda_items__meeting=meeting)
        .select_related("person")
        .order_by("-opened_on", "-pk")
    )


def _detail(
    request: HttpRequest, meeting: Meeting, form: AgendaForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    cases = _agenda_cases(user, meeting)
    may_add = bool(
        agencies_with(user, *CASEWORKERS) & set(meeting.members.values_list("pk", flat=True))
    )
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "members": meeting.members.order_by("name"),
            "rows": agenda_rows(user, meeting, request),
            "form": form or (AgendaForm(cases=cases) if may_add else None),
        },
        status=status,
    )


@member_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _get_meeting(request, pk))


@member_required
def agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _get_meeting(request, pk)
    if request.method != "POST":
        return redirect("meetings:detail", pk=meeting.pk)
    form = AgendaForm(request.POST, cases=_agenda_cases(request.user, meeting))
    if form.is_valid():
        try:
            services.add_agenda_item(
                request.user,
                meeting,
                form.cleaned_data["case"],
                kinds=form.cleaned_data["kinds"],
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The case was put on the agenda."))
            return redirect("meetings:detail", pk=meeting.pk)
    return _detail(request, meeting, form, status=400)


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:  # being written
    raise Http404


meeting_edit = minutes = task_add = task_done = _todo
