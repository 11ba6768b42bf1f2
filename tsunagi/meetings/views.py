"""Screens of support meetings (支援調整会議 and 支援会議 under Article 9): the list, convening
one (for a plan: its agencies as members, the hikikomori agency invited, rule R3b), the meeting
page with its members, attendees, agenda cases, minutes, decisions and follow-up tasks, the
members and attendees, putting a case on the agenda (with the person's consent to the meeting
at a support coordination meeting, rule P1), the minutes per case (never overwriting another
save silently), and the tasks.

What a member sees of another agency's agenda case is decided in `agenda_sight`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagi.access.kinds import shared_values
from tsunagi.access.policy import (
    CASEWORKERS,
    Action,
    Denied,
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
from tsunagi.agencies.services import EditConflict
from tsunagi.people import services as people_services
from tsunagi.people.views.common import _apply_errors, _keep_for_retry
from tsunagi.plans import rules as plan_rules
from tsunagi.plans.models import SupportPlan
from tsunagi.plans.selectors import participating_agencies
from tsunagi.web.decorators import member_required

from . import services
from .agenda_sight import agenda_cases, agenda_rows, meeting_consents
from .forms import AgendaForm, MeetingEditForm, MeetingForm, MinutesForm, TaskForm
from .models import AgendaItem, FollowUpTask, Meeting, MeetingKind

__all__ = ["agenda_rows"]

PAGE_SIZE = 20


def _get_meeting(request: HttpRequest, pk: int) -> Meeting:
    return get_visible(
        request.user,
        Kind.MEETING,
        Meeting.objects.select_related("agency", "created_by"),
        pk=pk,
    )


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if str(v).isdigit()]


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


def _plan_proposal(request: HttpRequest) -> dict[str, Any] | None:
    """`?plan=<id>` (and `&invite=<agency>` from the R3b suggestion): a support coordination
    meeting for the plan's case, with the plan's agencies as members (rule R4) and the
    hikikomori agency with items in the plan invited (rule R3b). A plan the user may not see
    answers 404, as one that does not exist."""
    raw = request.GET.get("plan")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    plan = get_visible(
        request.user,
        Kind.PLAN,
        SupportPlan.objects.select_related("agency", "case"),
        pk=int(raw),
    )
    people_services.log_read(request.user, Kind.PLAN, plan, request, shown_in="meeting proposal")
    agencies = participating_agencies(plan)
    invite = request.GET.get("invite", "")
    invited = Agency.objects.filter(pk=int(invite)).first() if invite.isdigit() else None
    if invited is not None and invited.pk not in {a.pk for a in agencies}:
        agencies.append(invited)
    # rule R3b: named with its reason, as every suggestion is
    items = [i.responsible_agency for i in plan.items.select_related("responsible_agency")]
    finding = plan_rules.r3b_finding([*items, *([invited] if invited else [])], [])
    return {"plan": plan, "agencies": agencies, "finding": finding}


@member_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.CREATE, Kind.MEETING)
    workplaces = _workplaces(request.user)
    proposal = _plan_proposal(request)
    proposed = [a.pk for a in proposal["agencies"]] if proposal else []
    others = (
        Agency.objects.filter(
            Q(prefecture__in=home_prefecture_ids(request.user)) | Q(pk__in=proposed)
        )
        .exclude(pk__in=workplaces.values("pk"))
        .order_by("kind", "name")
    )
    posted = others.filter(pk__in=_ids(request.POST.getlist("members")))
    attendee_agencies = Agency.objects.filter(
        Q(pk__in=workplaces.values("pk")) | Q(pk__in=proposed) | Q(pk__in=posted.values("pk"))
    )
    initial: dict[str, Any] = {}
    own = set(workplaces.values_list("pk", flat=True))
    if proposal is not None:
        initial = {
            "kind": MeetingKind.COORDINATION,
            "title": _("Support coordination meeting"),
            "purpose": _("Approve the support plan (version %(number)s) and agree the roles.")
            % {"number": proposal["plan"].number},
            "members": [pk for pk in proposed if pk not in own],
            "agency": proposal["plan"].agency_id,
        }
    form = MeetingForm(
        request.POST or None,
        workplaces=workplaces,
        others=others,
        attendee_agencies=attendee_agencies,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.create_meeting(
                request.user,
                form.convening_agency(),  # type: ignore[arg-type]  # required when several
                form.meeting_data(),
                members=form.cleaned_data["members"],
                attendees=form.cleaned_data["attendees"],
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The meeting was created."))
            url = reverse("meetings:detail", args=[meeting.pk])
            if proposal is not None:  # next: the plan's case on the agenda
                url += "?" + urlencode({"case": proposal["plan"].case_id}) + "#agenda-add"
            return redirect(url)
    return render(
        request,
        "meetings/form.html",
        {"form": form, "proposal": proposal},
        status=400 if request.method == "POST" else 200,
    )


def _agenda_form(
    request: HttpRequest, meeting: Meeting, data: Any = None, initial: Any = None
) -> AgendaForm:
    cases = agenda_cases(request.user, meeting)
    consents = (
        meeting_consents(request.user, meeting, cases)
        if meeting.kind == MeetingKind.COORDINATION
        else None
    )
    return AgendaForm(data, cases=cases, consents=consents, initial=initial)


def _task_form(meeting: Meeting, rows: list[dict[str, Any]], data: Any = None) -> TaskForm:
    return TaskForm(
        data,
        members=meeting.members.order_by("name"),
        items=meeting.agenda.all(),
        item_labels={row["item"].pk: row["label"] for row in rows},
    )


def _consent_link(request: HttpRequest, meeting: Meeting, form: AgendaForm) -> str | None:
    """Rule P1: where the chosen case has no consent to this meeting, the consent form with the
    meeting and the case already chosen."""
    if meeting.kind != MeetingKind.COORDINATION:
        return None
    raw = form["case"].value()
    case = form.fields["case"].queryset.filter(pk=raw).first() if str(raw).isdigit() else None  # type: ignore[attr-defined]
    if case is None:
        return None
    consents = form.fields["consent"].queryset  # type: ignore[attr-defined]
    if consents.filter(person_id=case.person_id).exists() and "consent" not in form.errors:
        return None
    query = urlencode({"meeting": meeting.pk, "case": case.pk})
    return reverse("consent:record", args=[case.person_id]) + "?" + query


def _detail(
    request: HttpRequest,
    meeting: Meeting,
    *,
    agenda_form: AgendaForm | None = None,
    task_form: TaskForm | None = None,
    rows: list[dict[str, Any]] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    members = meeting.members.order_by("name")
    workplaces = agencies_with(user, *CASEWORKERS)
    runs = can(user, Action.CHANGE, Kind.MEETING, meeting)
    if rows is None:
        rows = agenda_rows(user, meeting, request)
    if agenda_form is None and workplaces & set(members.values_list("pk", flat=True)):
        wanted = {k: request.GET[k] for k in ("case", "consent") if request.GET.get(k)}
        agenda_form = _agenda_form(request, meeting, initial=wanted)
    if task_form is None and runs:
        task_form = _task_form(meeting, rows)
    labels = {row["item"].pk: row["label"] for row in rows}
    tasks = [
        {
            "task": t,
            "case": labels.get(t.item_id) if t.item_id else "",
            "may_finish": t.done_at is None and (runs or t.agency_id in workplaces),
        }
        for t in meeting.tasks.select_related("agency", "assignee", "done_by")
    ]
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "members": members,
            "attendees": meeting.attendees.order_by("full_name", "username"),
            "rows": rows,
            "runs": runs,
            "form": agenda_form,
            "consent_url": _consent_link(request, meeting, agenda_form) if agenda_form else None,
            "task_form": task_form,
            "tasks": tasks,
        },
        status=status,
    )


@member_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _get_meeting(request, pk))


@member_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The member agencies and attendees (services.set_attendees): an agency with a case on the
    agenda stays a member."""
    meeting = _get_meeting(request, pk)
    require(request.user, Action.CHANGE, Kind.MEETING, meeting)
    current = meeting.members.exclude(pk=meeting.agency_id)
    others = (
        Agency.objects.filter(
            Q(prefecture__in=home_prefecture_ids(request.user)) | Q(pk__in=current.values("pk"))
        )
        .exclude(pk=meeting.agency_id)
        .order_by("kind", "name")
    )
    posted = others.filter(pk__in=_ids(request.POST.getlist("members")))
    attendee_agencies = Agency.objects.filter(
        Q(pk=meeting.agency_id) | Q(pk__in=current.values("pk")) | Q(pk__in=posted.values("pk"))
    )
    form = MeetingEditForm(
        request.POST or None,
        others=others,
        attendee_agencies=attendee_agencies,
        initial={
            "members": list(current.values_list("pk", flat=True)),
            "attendees": list(meeting.attendees.values_list("pk", flat=True)),
            "other_attendees": meeting.other_attendees,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_attendees(
                request.user,
                meeting,
                members=form.cleaned_data["members"],
                attendees=form.cleaned_data["attendees"],
                other_attendees=form.cleaned_data["other_attendees"],
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The members and attendees were saved."))
            return redirect("meetings:detail", pk=meeting.pk)
    staying = Agency.objects.filter(pk__in=meeting.agenda.values("case__agency_id")).order_by(
        "name"
    )
    return render(
        request,
        "meetings/edit.html",
        {"meeting": meeting, "form": form, "staying": staying},
        status=400 if request.method == "POST" else 200,
    )


@member_required
def agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _get_meeting(request, pk)
    if request.method != "POST":
        return redirect("meetings:detail", pk=meeting.pk)
    form = _agenda_form(request, meeting, data=request.POST)
    if form.is_valid():
        try:
            services.add_agenda_item(
                request.user,
                meeting,
                form.cleaned_data["case"],
                kinds=form.cleaned_data["kinds"] or None,
                consent=form.cleaned_data.get("consent"),
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The case was put on the agenda."))
            return redirect("meetings:detail", pk=meeting.pk)
    return _detail(request, meeting, agenda_form=form, status=400)


def _item_for(request: HttpRequest, meeting: Meeting, item_pk: int) -> tuple[AgendaItem, Any]:
    """The agenda case and how the user sees it (own agency or a grant); 404 without sight."""
    item = (
        AgendaItem.objects.select_related("case", "case__person", "case__agency", "minutes_by")
        .filter(meeting=meeting, pk=item_pk)
        .first()
    )
    if item is None:
        raise Http404
    seen = sight(request.user, Kind.CASE, item.case)
    if seen is None:
        raise Http404
    return item, seen


@member_required
def minutes(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """議事録 and decision for one agenda case; a save by someone else in between is shown
    beside what this user typed, and nothing is overwritten without their seeing it."""
    meeting = _get_meeting(request, pk)
    item, seen = _item_for(request, meeting, item_pk)
    user = request.user
    if not (
        can(user, Action.CHANGE, Kind.MEETING, meeting)
        or can(user, Action.CHANGE, Kind.CASE, item.case)
    ):
        raise Denied("minutes")
    if seen.is_own:
        people_services.log_read(user, Kind.CASE, item.case, request, shown_in="minutes")
        label = f"{item.case.number} {item.case.person.full_name}"
    else:
        people_services.log_shared_read(user, Kind.CASE, item.case, seen, request)
        number = shared_values(item.case, seen.kinds).get("number", "")
        label = f"{number} {shown_name(user, item.case.person, request, log=False) or ''}".strip()
    form = MinutesForm(
        request.POST or None,
        initial={
            "minutes": item.minutes,
            "decision": item.decision,
            "decision_notes": item.decision_notes,
            "version": item.version,
        },
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.record_minutes(
                user,
                item,
                minutes=form.cleaned_data["minutes"],
                decision=form.cleaned_data["decision"],
                decision_notes=form.cleaned_data["decision_notes"],
                version=form.cleaned_data["version"],
                request=request,
            )
        except EditConflict as exc:
            conflict = exc.current
            _keep_for_retry(
                form,
                conflict,
                _(
                    "Someone else saved the minutes of this case while you were writing. Both "
                    "versions are shown: yours is kept in the form; save again to replace theirs."
                ),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The minutes were saved."))
            return redirect(reverse("meetings:detail", args=[meeting.pk]) + f"#item-{item.pk}")
    status = 200
    if request.method == "POST":
        status = 409 if conflict is not None else 400
    return render(
        request,
        "meetings/minutes.html",
        {"meeting": meeting, "item": item, "label": label, "form": form, "conflict": conflict},
        status=status,
    )


@member_required
@require_POST
def task_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _get_meeting(request, pk)
    require(request.user, Action.CHANGE, Kind.MEETING, meeting)
    rows = agenda_rows(request.user, meeting, request)
    form = _task_form(meeting, rows, data=request.POST)
    if form.is_valid():
        try:
            services.add_task(request.user, meeting, form.cleaned_data, request=request)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The task was added."))
            return redirect(reverse("meetings:detail", args=[meeting.pk]) + "#tasks")
    return _detail(request, meeting, task_form=form, rows=rows, status=400)


@member_required
@require_POST
def task_done(request: HttpRequest, task_pk: int) -> HttpResponse:
    task = FollowUpTask.objects.select_related("meeting").filter(pk=task_pk).first()
    if task is None:
        raise Http404
    meeting = _get_meeting(request, task.meeting_id)
    try:
        services.complete_task(request.user, task, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The task was marked done."))
    if request.POST.get("next") == "home":
        return redirect("web:home")
    return redirect(reverse("meetings:detail", args=[meeting.pk]) + "#tasks")
