"""The API of support plans (支援プラン / プラン兼事業等利用申込書) and their evaluation (評価).

Thin: parse, call one service or selector of `tsunagi.plans`, answer. The owning agency's staff
write and read the plan; a plan they may not see answers 404 like one that does not exist. A
receiving agency whose grant names "plan" (a consent, an Article 9 support meeting) reads it
read-only, only the kinds its grant names, and any change it tries answers 403. A stale
`version` answers 409 with the plan as saved now and what you sent, so both are in front of
you; a step the plan's state does not allow answers 409 with the reason. Every read is in the
access log, on the grant's ground for a receiving agency (rule P3).
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from tsunagi.access.kinds import ALL_KINDS, InfoKind
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
    scope,
    sight,
)
from tsunagi.agencies.services import EditConflict
from tsunagi.meetings.models import AgendaItem
from tsunagi.people.models import Case
from tsunagi.people.services import log_read, log_reads, log_shared_read
from tsunagi.plans import selectors, services
from tsunagi.plans.models import PlanState, SupportPlan

from .people_schemas import ConflictOut
from .plan_schemas import (
    ApproveIn,
    DecideIn,
    EvaluateIn,
    ItemIn,
    PlanConflictOut,
    PlanDetailOut,
    PlanIn,
    PlanPage,
    PlanPatch,
    evaluation_of,
    plan_detail,
    plan_out,
)
from .printing import pdf_answer, pdf_spec
from .schemas import Error, ValidationErrorOut

router = Router(tags=["plans"])

READ = {401: Error, 404: Error, 422: ValidationErrorOut}
WRITE = {401: Error, 403: Error, 404: Error, 422: ValidationErrorOut}
STEP = {409: ConflictOut, **WRITE}
PDF = pdf_spec("The plan (プラン兼事業等利用申込書), A4, with its signature lines.")
OWN = Sight(OWN_AGENCY, frozenset(ALL_KINDS), None)


def _user(request: HttpRequest) -> Any:
    return request.user


def _plan_qs() -> QuerySet[SupportPlan]:
    return SupportPlan.objects.select_related(
        "agency", "person", "case", "previous", "approved_item__meeting"
    )


def _shared_sight(user: Any, plan: SupportPlan) -> Sight | None:
    """A receiving agency's sight of the plan: only through a grant naming "plan"."""
    seen = sight(user, Kind.PLAN, plan)
    if seen is None or not (seen.is_own or seen.permits(InfoKind.PLAN)):
        return None
    return seen


def _seen_plan(request: HttpRequest, plan_id: int) -> tuple[SupportPlan, Sight]:
    """The plan and how the caller sees it (its own agency, or a grant naming "plan"), or 404."""
    plan = _plan_qs().filter(pk=plan_id).first()
    seen = _shared_sight(_user(request), plan) if plan is not None else None
    if plan is None or seen is None:
        raise Http404
    return plan, seen


def _own_plan(request: HttpRequest, plan_id: int) -> SupportPlan:
    """A plan of the caller's own agency; a receiving agency that only reads it gets 403."""
    user = _user(request)
    plan = _plan_qs().filter(pk=plan_id).first()
    if plan is None:
        raise Http404
    if can(user, Action.VIEW, Kind.PLAN, plan):
        return plan
    if _shared_sight(user, plan) is not None:
        raise Denied("a plan read through a grant is read-only")
    raise Http404


def _name(plan: SupportPlan, seen: Sight) -> str | None:
    if seen.is_own or seen.permits(InfoKind.IDENTITY):
        return str(plan.person.full_name)
    return None


def _answer(request: HttpRequest, plan: SupportPlan, seen: Sight | None = None) -> dict[str, Any]:
    """The plan as the caller sees it, its read (and its evaluation's) logged on the ground it
    was seen on (rule P3)."""
    user = _user(request)
    plan = _plan_qs().get(pk=plan.pk)
    seen = seen or _shared_sight(user, plan)
    if seen is None:
        raise Http404
    evaluation = evaluation_of(plan, seen)
    if seen.is_own:
        log_read(user, Kind.PLAN, plan, request)
        if evaluation is not None:
            log_read(user, Kind.EVALUATION, evaluation, request)
    else:
        log_shared_read(user, Kind.PLAN, plan, seen, request)
        if evaluation is not None:
            log_shared_read(user, Kind.EVALUATION, evaluation, seen, request)
    return plan_detail(plan, seen, _name(plan, seen), timezone.localdate())


def _goals(goals: list[Any] | None) -> list[dict[str, Any]] | None:
    if goals is None:
        return None
    return [{"term": str(g.term.value), "text": g.text} for g in goals]


def _items(items: list[ItemIn] | None) -> list[dict[str, Any]] | None:
    if items is None:
        return None
    return [
        {
            "what": i.what,
            "responsible_agency": i.responsible_agency,
            "service": str(i.service.value) if i.service is not None else "",
            "frequency": i.frequency,
            "goal": i.goal,
        }
        for i in items
    ]


def _state_conflict(exc: ValidationError, plan: SupportPlan) -> Any:
    """A step the plan's state does not allow: 409 with the reason; other errors stay 422."""
    problems = getattr(exc, "error_dict", {})
    if set(problems) != {"state"}:
        raise exc
    message = " ".join(str(m) for e in problems["state"] for m in e.messages)
    return Status(409, {"detail": message, "current_version": plan.version})


def _step(request: HttpRequest, plan_id: int, run: Callable[[SupportPlan], Any]) -> Any:
    plan = _own_plan(request, plan_id)
    try:
        done = run(plan)
    except ValidationError as exc:
        return _state_conflict(exc, plan)
    return _answer(request, done if isinstance(done, SupportPlan) else plan, OWN)


# --- the list, the reviews due --------------------------------------------------------------


def _shared_ids(user: Any) -> list[int]:
    """Plans of other agencies the caller reads through a grant naming "plan" in force."""
    granted = Grant.objects.active().filter(receiving_agency__in=agencies_with(user, *CASEWORKERS))
    candidates = (
        SupportPlan.objects.filter(person__in=granted.values("person_id"))
        .exclude(agency__in=agencies_with(user, *CASEWORKERS))
        .select_related("case__person")
    )
    return [p.pk for p in candidates if _shared_sight(user, p) is not None]


def _rows(request: HttpRequest, rows: list[SupportPlan], **detail: Any) -> list[dict[str, Any]]:
    """Each plan listed as the caller sees it, every one logged on its ground (rule P3)."""
    user = _user(request)
    own_ids = set(
        scope(user, Kind.PLAN, SupportPlan.objects.filter(pk__in=[p.pk for p in rows])).values_list(
            "pk", flat=True
        )
    )
    own = [p for p in rows if p.pk in own_ids]
    log_reads(user, Kind.PLAN, own, request, **detail)
    today = timezone.localdate()
    shown = []
    for plan in rows:
        seen = OWN if plan.pk in own_ids else _shared_sight(user, plan)
        if seen is None:
            continue
        if not seen.is_own:
            log_shared_read(user, Kind.PLAN, plan, seen, request)
        shown.append(plan_out(plan, seen, _name(plan, seen), today))
    return shown


@router.get(
    "",
    response={200: PlanPage, **READ},
    summary="The support plans your agency wrote, and those shared with it, newest first",
    description="Filters: `case`, `person`, `state`. Plans of another agency are listed while a "
    "grant naming “plan” lets you read them (read-only).",
)
def list_plans(
    request: HttpRequest,
    case: int | None = None,
    person: int | None = None,
    state: PlanState | None = None,
    limit: int = Query(50, ge=1, le=200, description="At most 200 rows per page."),
    offset: int = Query(0, ge=0),
) -> Any:
    user = _user(request)
    own = scope(user, Kind.PLAN, SupportPlan.objects.all()).values("pk")
    found = _plan_qs().filter(Q(pk__in=own) | Q(pk__in=_shared_ids(user)))
    if case is not None:
        found = found.filter(case_id=case)
    if person is not None:
        found = found.filter(person_id=person)
    if state is not None:
        found = found.filter(state=str(state.value))
    found = found.order_by("-created_at", "-id")
    rows = list(found[offset : offset + limit])
    return {"items": _rows(request, rows, list="plans"), "count": found.count()}


@router.get(
    "/reviews",
    response={200: PlanPage, **READ},
    summary="Plans of your agency whose review (monitoring) date has come",
    description="Approved or decided plans with `review_on` on or before today, the earliest "
    "first (the dashboard's list).",
)
def list_reviews(
    request: HttpRequest,
    limit: int = Query(50, ge=1, le=200, description="At most 200 rows."),
) -> Any:
    rows = list(selectors.reviews_due(_user(request), timezone.localdate(), limit=limit))
    return {"items": _rows(request, rows, list="reviews"), "count": len(rows)}


# --- one plan -------------------------------------------------------------------------------


@router.post(
    "",
    response={201: PlanDetailOut, **WRITE},
    summary="Write a support plan with the person, as a draft",
    description="The person's wishes in their words are required (rule R1); each item has "
    "exactly one responsible agency (rule R4), or 422 names the item "
    "(`items.0.responsible_agency`). An item's `goal` is the index of its goal in `goals`. "
    "With `mode: accompaniment` (伴走型) no goal and no end date are needed. The answer's "
    "`findings` show the R4 role split and the R3b invitation.",
)
def create_plan(request: HttpRequest, payload: PlanIn) -> Any:
    user = _user(request)
    case = get_visible(user, Kind.CASE, Case.objects.select_related("person"), pk=payload.case)
    data = payload.dict(exclude={"case", "goals", "items"})
    data["mode"] = str(payload.mode.value)
    plan = services.create_plan(
        user,
        case,
        data,
        goals=_goals(payload.goals) or [],
        items=_items(payload.items) or [],
        request=request,
    )
    return Status(201, _answer(request, plan, OWN))


@router.get(
    "/{plan_id}",
    response={200: PlanDetailOut, **READ},
    summary="A plan with its goals, items, findings (R4, R3b) and evaluation",
    description="A receiving agency with a grant naming “plan” reads it read-only, only the "
    "kinds the grant names (`shared: true`); anyone else gets 404.",
)
def get_plan(request: HttpRequest, plan_id: int) -> Any:
    plan, seen = _seen_plan(request, plan_id)
    return _answer(request, plan, seen)


@router.patch(
    "/{plan_id}",
    response={200: PlanDetailOut, 409: PlanConflictOut, **WRITE},
    summary="Change a draft plan (send the version you read)",
    description="Fields left out stay as they are; `goals` and `items`, when sent, replace "
    "them. If someone changed the plan since your `version`, nothing is saved and 409 carries "
    "the plan as saved now (`current`) and what you sent (`yours`). A plan no longer a draft "
    "answers 409: make a new version with `/replan`.",
)
def update_plan(request: HttpRequest, plan_id: int, payload: PlanPatch) -> Any:
    plan = _own_plan(request, plan_id)
    data = payload.dict(exclude_unset=True, exclude={"goals", "items", "version"})
    for key in ("person_wishes", "family_wishes", "overall_aim"):
        if key in data and data[key] is None:
            data[key] = ""
    if "mode" in data:
        if data["mode"] is None:
            del data["mode"]
        else:
            data["mode"] = str(data["mode"].value)
    try:
        saved = services.update_plan(
            _user(request),
            plan,
            data,
            goals=_goals(payload.goals),
            items=_items(payload.items),
            version=payload.version,
            request=request,
        )
    except EditConflict as conflict:
        return Status(
            409,
            {
                "detail": _(
                    "Someone else changed this record since you read it. Nothing was saved."
                ),
                "current_version": conflict.current.version,
                "current": _answer(request, conflict.current, OWN),
                "yours": payload.model_dump(mode="json", exclude_unset=True),
            },
        )
    except ValidationError as exc:
        return _state_conflict(exc, plan)
    return _answer(request, saved, OWN)


@router.post(
    "/{plan_id}/approve",
    response={200: PlanDetailOut, **STEP},
    summary="Record the plan's approval at a support coordination meeting",
    description="`agenda_item`: the meeting's agenda case of this plan's case. A draft only "
    "(else 409).",
)
def approve_plan(request: HttpRequest, plan_id: int, payload: ApproveIn) -> Any:
    user = _user(request)

    def run(plan: SupportPlan) -> SupportPlan:
        item = AgendaItem.objects.select_related("meeting").filter(pk=payload.agenda_item).first()
        if item is None or not can(user, Action.VIEW, Kind.MEETING, item.meeting):
            raise ValidationError(
                {"agenda_item": _("Choose the meeting where this case was discussed.")}
            )
        try:
            return services.approve_plan(user, plan, item, request=request)
        except ValidationError as exc:
            problems = getattr(exc, "error_dict", None)
            if problems and "item" in problems:
                raise ValidationError(
                    {("agenda_item" if k == "item" else k): v for k, v in problems.items()}
                ) from exc
            raise

    return _step(request, plan_id, run)


@router.post(
    "/{plan_id}/decide",
    response={200: PlanDetailOut, **STEP},
    summary="Record the municipality's support decision (支援決定) after the approval",
)
def decide_plan(request: HttpRequest, plan_id: int, payload: DecideIn) -> Any:
    return _step(
        request,
        plan_id,
        lambda plan: services.decide_plan(
            _user(request),
            plan,
            decided_on=payload.decided_on,
            decided_by=payload.decided_by,
            request=request,
        ),
    )


@router.post(
    "/{plan_id}/evaluate",
    response={200: PlanDetailOut, **STEP},
    summary="Evaluate the plan (評価): per goal, the person's view, the decision, the outcomes",
    description="`results` maps each goal's id to its result. Outcomes count every step "
    "towards self-reliance (daily life, social life, work), not only work.",
)
def evaluate_plan(request: HttpRequest, plan_id: int, payload: EvaluateIn) -> Any:
    data = payload.dict(exclude={"results"})
    data["decision"] = str(payload.decision.value) if payload.decision is not None else ""
    results = {
        goal: {
            "achievement": str(r.achievement.value) if r.achievement is not None else "",
            "notes": r.notes,
        }
        for goal, r in payload.results.items()
    }

    def run(plan: SupportPlan) -> SupportPlan:
        goals = set(plan.goals.values_list("pk", flat=True))
        unknown = {
            f"results.{g}": [_("Not a goal of this plan.")] for g in results if g not in goals
        }
        if unknown:
            raise ValidationError(unknown)
        services.evaluate_plan(_user(request), plan, data, results=results, request=request)
        return plan

    return _step(request, plan_id, run)


@router.post(
    "/{plan_id}/replan",
    response={201: PlanDetailOut, **STEP},
    summary="Make a new version of the plan (見直し): a draft copied from it",
    description="The plan stays as it was, marked replaced; the answer is the new draft, whose "
    "`previous` is the plan.",
)
def replan(request: HttpRequest, plan_id: int) -> Any:
    plan = _own_plan(request, plan_id)
    try:
        new = services.replan(_user(request), plan, request=request)
    except ValidationError as exc:
        return _state_conflict(exc, plan)
    return Status(201, _answer(request, new, OWN))


@router.get(
    "/{plan_id}/print",
    response={503: Error, 403: Error, **READ},
    summary="The plan (プラン兼事業等利用申込書) as an A4 PDF, for the person's signature",
    description="The owning agency's staff; each print is in the access log.",
    openapi_extra=PDF,
)
def print_plan(request: HttpRequest, plan_id: int) -> Any:
    from tsunagi.plans.printing import plan_pdf

    plan = _own_plan(request, plan_id)
    return pdf_answer(lambda: plan_pdf(_user(request), plan, request), f"plan-{plan.pk}.pdf")
