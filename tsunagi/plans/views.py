"""Screens of the support plan (支援プラン / プラン兼事業等利用申込書): writing and changing it,
the plan page with its steps (approval at a support coordination meeting, the support decision
支援決定, a new version), the case's versions, the evaluation (評価), and the reviews due.

The owning agency's staff see the whole plan; an agency holding a grant that names "plan" (a
consent, an Article 9 meeting) sees only the fields of the kinds it was given, read-only, and
the read is logged on that grant (rules P1, P3). Everyone else gets 404.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagi.access.kinds import shared_values
from tsunagi.access.policy import (
    Action,
    Kind,
    can,
    get_visible,
    require,
    require_sight,
    scope,
    sight,
)
from tsunagi.access.shared import shown_name
from tsunagi.agencies.services import EditConflict
from tsunagi.meetings.models import AgendaItem, Meeting, MeetingKind
from tsunagi.people import services as people_services
from tsunagi.people.views.common import _case_context, _get_case
from tsunagi.web.decorators import member_required
from tsunagi.web.templatetags.wareki import wareki

from . import plan_form, rules, selectors, services
from .forms import ApproveForm, DecideForm, EvaluationForm
from .models import Achievement, Decision, GoalTerm, PlanMode, PlanState, Service, SupportPlan

PAGE_SIZE = 30
DONE = {
    "approve": gettext_lazy("The plan was recorded as approved at the meeting."),
    "decide": gettext_lazy("The support decision was recorded."),
}


def _plans() -> Any:
    return SupportPlan.objects.select_related(
        "agency",
        "person",
        "case",
        "case__person",
        "case__agency",
        "approved_item__meeting",
        "created_by",
        "updated_by",
        "previous",
    )


def _get_plan(request: HttpRequest, pk: int) -> SupportPlan:
    """A plan of the user's own agency (a case they see), or 404."""
    return get_visible(request.user, Kind.PLAN, _plans(), pk=pk)


# --- writing a plan ------------------------------------------------------------------------


def _action(request: HttpRequest) -> str:
    action = request.POST.get("action", "")
    return action if action in ("more_goals", "more_items", "propose") else ""


def _yours(screen: plan_form.PlanScreen) -> dict[str, Any]:
    """What the user typed, as the conflict screen shows it beside the saved version."""
    head = screen.form.cleaned_data
    agencies = {a.pk: a.name for a in screen.relevant}
    goals, _index = screen.goal_data()
    items = []
    for f in screen.items.forms:
        d = f.cleaned_data
        if not (d.get("what") or d.get("responsible_agency")):
            continue
        agency_id = d.get("responsible_agency")
        service = d.get("service") or ""
        items.append(
            {
                "what": d.get("what") or "",
                "agency": agencies.get(agency_id, agency_id or "—"),
                "service": Service(service).label if service else "",
                "frequency": d.get("frequency") or "",
            }
        )
    return {
        **head,
        "mode_label": PlanMode(head["mode"]).label if head.get("mode") else "",
        "goals": [{**g, "term_label": GoalTerm(g["term"]).label} for g in goals],
        "items": items,
    }


def _save(
    request: HttpRequest, case: Any, plan: SupportPlan | None, screen: plan_form.PlanScreen
) -> tuple[SupportPlan | None, SupportPlan | None]:
    """Call the service; returns (the saved plan, None) or (None, the version saved meanwhile
    when another user's save came first). Refusals go beside their fields."""
    goals, goal_index = screen.goal_data()
    items = screen.item_data(goal_index)
    data = screen.form.plan_data()
    try:
        if plan is None:
            saved = services.create_plan(
                request.user, case, data, goals=goals, items=items, request=request
            )
        else:
            saved = services.update_plan(
                request.user,
                plan,
                data,
                goals=goals,
                items=items,
                version=screen.form.cleaned_data.get("version"),
                request=request,
            )
    except EditConflict as exc:
        return None, exc.current
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            screen.apply_errors(exc.message_dict)
        else:
            screen.form.add_error(None, exc.messages)
        return None, None
    return saved, None


def _form_page(
    request: HttpRequest,
    case: Any,
    plan: SupportPlan | None,
    screen: plan_form.PlanScreen,
    **extra: Any,
) -> HttpResponse:
    context = {
        **_case_context(request, case),
        "plan": plan,
        "screen": screen,
        "form": screen.form,
        "r4_defaults": plan_form.r4_defaults(screen.relevant),
        "accompaniment": PlanMode.ACCOMPANIMENT,
        **extra,
    }
    status = 400 if screen.has_errors or extra.get("conflict") else 200
    template = "plans/_plan_form.html" if request.headers.get("HX-Request") else "plans/form.html"
    return render(request, template, context, status=status)


@member_required
def plan_new(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _get_case(request, case_pk)
    require(
        request.user, Action.CREATE, Kind.PLAN, SupportPlan(agency_id=case.agency_id, case=case)
    )
    current = selectors.current_plan(request.user, case)
    if current is not None:
        messages.info(request, _("The case already has a plan in force: make a new version of it."))
        return redirect("plans:detail", pk=current.pk)
    post = request.POST if request.method == "POST" else None
    action = _action(request)
    screen = plan_form.build(case, None, post, action=action)
    if post is not None and not action and screen.is_valid():
        saved, _conflict = _save(request, case, None, screen)
        if saved is not None:
            messages.success(request, _("The plan was saved as a draft."))
            return redirect("plans:detail", pk=saved.pk)
    return _form_page(request, case, None, screen)


@member_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a draft. A save by someone else in between shows both versions side by side;
    what the user typed is kept and the next save goes over the version now saved."""
    plan = _get_plan(request, pk)
    require(request.user, Action.CHANGE, Kind.PLAN, plan)
    if plan.state not in rules.EDITABLE_STATES:
        messages.error(request, _("Only a draft can be changed: make a new version of the plan."))
        return redirect("plans:detail", pk=plan.pk)
    post = request.POST if request.method == "POST" else None
    action = _action(request)
    screen = plan_form.build(plan.case, plan, post, action=action)
    conflict = None
    yours = None
    if post is not None and not action and screen.is_valid():
        saved, conflict = _save(request, plan.case, plan, screen)
        if saved is not None:
            messages.success(request, _("The plan was saved."))
            return redirect("plans:detail", pk=saved.pk)
        if conflict is not None:
            yours = _yours(screen)
            screen.form.add_error(
                None,
                _(
                    "Someone else saved this plan while you were editing. Both versions are "
                    "shown; your changes are kept below: check them and save again."
                ),
            )
            data = cast(QueryDict, screen.form.data).copy()
            data["version"] = str(conflict.version)
            screen.form.data = data
    return _form_page(
        request,
        plan.case,
        plan,
        screen,
        conflict=conflict,
        conflict_goals=list(conflict.goals.all()) if conflict else [],
        conflict_items=list(conflict.items.select_related("responsible_agency"))
        if conflict
        else [],
        yours=yours,
    )


# --- the plan page -------------------------------------------------------------------------


def _agenda_items(user: Any, plan: SupportPlan) -> list[AgendaItem]:
    """The case's agenda items at support coordination meetings the user sees."""
    meetings = scope(user, Kind.MEETING, Meeting.objects.all())
    return list(
        AgendaItem.objects.filter(
            case=plan.case, meeting__kind=MeetingKind.COORDINATION, meeting__in=meetings
        )
        .select_related("meeting")
        .order_by("-meeting__held_on", "-id")
    )


def _approve_form(user: Any, plan: SupportPlan, data: Any = None) -> ApproveForm:
    items = [
        (i.pk, f"{wareki(i.meeting.held_on)} {i.meeting.title}") for i in _agenda_items(user, plan)
    ]
    return ApproveForm(data, items=items, prefix="approve")


def _decide_form(plan: SupportPlan, data: Any = None) -> DecideForm:
    return DecideForm(data, prefix="decide", initial={"decided_on": timezone.localdate()})


def _by_agency(items: list[Any]) -> list[dict[str, Any]]:
    """Items grouped by their one responsible agency (rule R4), the plan's order kept inside."""
    ordered = sorted(items, key=lambda i: (i.responsible_agency.name, i.order, i.pk))
    return [
        {"agency": agency, "items": list(rows)}
        for agency, rows in groupby(ordered, key=lambda i: i.responsible_agency)
    ]


def _detail(
    request: HttpRequest, plan: SupportPlan, bound: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    bound = bound or {}
    people_services.log_read(user, Kind.PLAN, plan, request)
    items = list(plan.items.select_related("responsible_agency", "goal"))
    evaluation = getattr(plan, "evaluation", None) if plan.state == PlanState.EVALUATED else None
    if evaluation is not None:
        people_services.log_read(user, Kind.EVALUATION, evaluation, request)
    may_change = can(user, Action.CHANGE, Kind.PLAN, plan)
    state = plan.state
    context = {
        **_case_context(request, plan.case),
        "plan": plan,
        "goals": list(plan.goals.all()),
        "groups": _by_agency(items),
        "findings": selectors.plan_findings(plan),
        "may_change": may_change,
        "may_edit": may_change and state in rules.EDITABLE_STATES,
        "may_approve": may_change and rules.check_step(state, "approve") is None,
        "may_decide": may_change and rules.check_step(state, "decide") is None,
        "may_replan": may_change and rules.check_step(state, "replan") is None,
        "may_evaluate": may_change and rules.check_step(state, "evaluate") is None,
        "approve_form": bound.get("approve") or _approve_form(user, plan),
        "decide_form": bound.get("decide") or _decide_form(plan),
        "step_errors": bound.get("errors", []),
        "evaluation": evaluation,
        "results": list(evaluation.results.select_related("goal")) if evaluation else [],
        "next_plan": SupportPlan.objects.filter(previous=plan).first(),
        "review_due": rules.review_due(plan, timezone.localdate()),
    }
    return render(request, "plans/detail.html", context, status=status)


def _shared_detail(request: HttpRequest, plan: SupportPlan, seen: Any) -> HttpResponse:
    """A receiving agency's read-only view: only the fields of the kinds its grant names, as
    plain values (never the model), the read logged on the grant (rules P1, P3)."""
    kinds = set(seen.kinds)
    head = shared_values(plan, kinds)
    goals = [shared_values(g, kinds) for g in plan.goals.all()]
    items = [shared_values(i, kinds) for i in plan.items.select_related("responsible_agency")]
    for row in items:
        if row.get("service"):
            row["service"] = Service(row["service"]).label
    for row in goals:
        if row.get("term"):
            row["term"] = GoalTerm(row["term"]).label
    if head.get("state"):
        head["state_label"] = PlanState(head["state"]).label
    if head.get("mode"):
        head["mode_label"] = PlanMode(head["mode"]).label
    people_services.log_shared_read(request.user, Kind.PLAN, plan, seen, request)
    evaluation = None
    stored = getattr(plan, "evaluation", None) if plan.state == PlanState.EVALUATED else None
    if stored is not None:
        seen_eval = sight(request.user, Kind.EVALUATION, stored)
        if seen_eval is not None:
            evaluation = shared_values(stored, seen_eval.kinds)
            if evaluation.get("decision"):
                evaluation["decision"] = Decision(evaluation["decision"]).label
            people_services.log_shared_read(
                request.user, Kind.EVALUATION, stored, seen_eval, request
            )
    return render(
        request,
        "plans/shared_detail.html",
        {
            "plan_pk": plan.pk,
            "person_name": shown_name(request.user, plan.person, request) or "",
            "owner": plan.agency.name,
            "head": head,
            "goals": goals,
            "items": items,
            "evaluation": evaluation,
        },
    )


@member_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plans().filter(pk=pk).first()
    if plan is None:
        raise Http404
    seen = require_sight(request.user, Kind.PLAN, plan)
    if not seen.is_own:
        return _shared_detail(request, plan, seen)
    return _detail(request, plan)


# --- the steps -----------------------------------------------------------------------------


def _errors_of(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


@member_required
def plan_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Approve (at a coordination meeting's agenda case), decide (支援決定), or a new version."""
    plan = _get_plan(request, pk)
    if step not in ("approve", "decide", "replan"):
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    require(request.user, Action.CHANGE, Kind.PLAN, plan)
    problem = rules.check_step(plan.state, step)
    if problem is not None:
        messages.error(request, problem)
        return redirect("plans:detail", pk=plan.pk)
    user = request.user
    try:
        if step == "replan":
            new = services.replan(user, plan, request=request)
            messages.success(request, _("A new version was made; the old one stays as it was."))
            return redirect("plans:edit", pk=new.pk)
        if step == "approve":
            form: Any = _approve_form(user, plan, request.POST)
            if not form.is_valid():
                return _detail(request, plan, {"approve": form}, status=400)
            item = next(
                i for i in _agenda_items(user, plan) if i.pk == form.cleaned_data["agenda_item"]
            )
            services.approve_plan(user, plan, item, request=request)
        else:
            form = _decide_form(plan, request.POST)
            if not form.is_valid():
                return _detail(request, plan, {"decide": form}, status=400)
            services.decide_plan(
                user,
                plan,
                decided_on=form.cleaned_data["decided_on"],
                decided_by=form.cleaned_data["decided_by"],
                request=request,
            )
    except ValidationError as exc:
        form = _approve_form(user, plan, request.POST) if step == "approve" else None
        if step == "decide":
            form = _decide_form(plan, request.POST)
        if form is not None:
            form.is_valid()
            for field, errors in getattr(exc, "message_dict", {"": exc.messages}).items():
                name = {"item": "agenda_item"}.get(field, field)
                form.add_error(name if name in form.fields else None, errors)
            return _detail(request, plan, {step: form}, status=400)
        return _detail(request, plan, {"errors": _errors_of(exc)}, status=400)
    messages.success(request, str(DONE[step]))
    return redirect("plans:detail", pk=plan.pk)


# --- the case's plans ----------------------------------------------------------------------


@member_required
def case_plans(request: HttpRequest, case_pk: int) -> HttpResponse:
    """Every version of the case's plans, each as it was."""
    case = _get_case(request, case_pk)
    require(request.user, Action.VIEW, Kind.PLAN)
    plans = list(selectors.plans_of_case(request.user, case))
    people_services.log_reads(request.user, Kind.PLAN, plans, request, shown_in="case_plans")
    current = next(
        (p for p in plans if p.state not in (PlanState.SUPERSEDED, PlanState.EVALUATED)), None
    )
    return render(
        request,
        "plans/case.html",
        {
            **_case_context(request, case),
            "plans": plans,
            "current": current,
            "may_write": current is None
            and case.closed_on is None
            and can(
                request.user,
                Action.CREATE,
                Kind.PLAN,
                SupportPlan(agency_id=case.agency_id, case=case),
            ),
        },
    )


# --- evaluation ----------------------------------------------------------------------------


@member_required
def plan_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    """評価 at the end of the period: per goal, the person's view, the decision, outcomes that
    count every step towards self-reliance, not only work."""
    plan = _get_plan(request, pk)
    require(request.user, Action.CHANGE, Kind.PLAN, plan)
    problem = rules.check_step(plan.state, "evaluate")
    if problem is not None:
        messages.error(request, problem)
        return redirect("plans:detail", pk=plan.pk)
    goals = list(plan.goals.all())
    form = EvaluationForm(
        request.POST or None, goals=goals, initial={"evaluated_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data, results = form.evaluation_data()
        try:
            services.evaluate_plan(request.user, plan, data, results=results, request=request)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                name = field.replace("results.", "result_")
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("The evaluation was recorded."))
            return redirect("plans:detail", pk=plan.pk)
    people_services.log_read(request.user, Kind.PLAN, plan, request)
    return render(
        request,
        "plans/evaluate.html",
        {
            **_case_context(request, plan.case),
            "plan": plan,
            "form": form,
            "achievements": Achievement.choices,
        },
        status=400 if form.errors else 200,
    )


# --- reviews due ---------------------------------------------------------------------------


def log_shown(request: HttpRequest, plans: list[SupportPlan]) -> None:
    """Plans listed on a screen are read too (rule P3)."""
    if plans:
        people_services.log_reads(request.user, Kind.PLAN, plans, request, shown_in="reviews")


@member_required
def reviews(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW, Kind.PLAN)
    due = selectors.reviews_due(request.user, timezone.localdate(), limit=500)
    page = Paginator(list(due), PAGE_SIZE).get_page(request.GET.get("page"))
    log_shown(request, list(page.object_list))
    return render(
        request,
        "plans/reviews.html",
        {
            "page": page,
            "plans": page.object_list,
            "querystring_base": "",
            "today": timezone.localdate(),
        },
    )
