"""The plan form as one screen: the head, rows of goals and rows of items, the agencies an item
may be given to, and rule R4's proposal of the responsible agency for each row.

The agencies offered first are those relevant to the case: the case's own agency, agencies
its referrals went to or came from, agencies holding a grant for this person, and the agencies
paired with the case's agency (rule J3); then the other agencies of the prefecture.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagi.access.models import Grant
from tsunagi.agencies.models import Agency, Pairing
from tsunagi.people.models import Case
from tsunagi.referrals.models import Referral

from . import rules
from .forms import GOAL_ROWS, ITEM_ROWS, MORE_ROWS, GoalFormSet, ItemFormSet, PlanForm
from .models import GoalTerm, PlanMode, Service, SupportPlan

GOALS = "goals"
ITEMS = "items"


def relevant_agencies(case: Case, plan: SupportPlan | None = None) -> list[Agency]:
    """The agencies that take part in this person's support, the case's own first."""
    ids = {case.agency_id}
    ids |= set(Referral.objects.filter(case=case).values_list("to_agency_id", flat=True))
    ids |= set(Referral.objects.filter(received_case=case).values_list("agency_id", flat=True))
    ids |= set(
        Grant.objects.filter(person_id=case.person_id, receiving_agency__isnull=False)
        .values_list("receiving_agency_id", flat=True)
        .distinct()
    )
    for h, s in Pairing.objects.filter(
        Q(hikikomori_agency_id=case.agency_id) | Q(self_reliance_agency_id=case.agency_id)
    ).values_list("hikikomori_agency_id", "self_reliance_agency_id"):
        ids |= {h, s}
    if plan is not None and plan.pk:
        ids |= set(plan.items.values_list("responsible_agency_id", flat=True))
    agencies = list(Agency.objects.filter(pk__in=ids, is_active=True).order_by("kind", "name"))
    agencies.sort(key=lambda a: a.pk != case.agency_id)
    return agencies


def agency_choices(case: Case, relevant: list[Agency]) -> list[tuple[str, list]]:
    """The select of one row: the relevant agencies, then the rest of the prefecture."""
    others = (
        Agency.objects.filter(prefecture_id=case.agency.prefecture_id, is_active=True)
        .exclude(pk__in=[a.pk for a in relevant])
        .order_by("kind", "name")
    )
    groups: list[tuple[str, list]] = [
        (_("Agencies taking part"), [(a.pk, a.name) for a in relevant])
    ]
    rest = [(a.pk, a.name) for a in others]
    if rest:
        groups.append((_("Other agencies"), rest))
    return groups


@dataclass
class Proposal:
    """Rule R4's default responsible agency for a service, with its reason."""

    agency: Agency
    rule: str = "R4"
    reason: str = ""


def proposal_for(service: str, relevant: list[Agency]) -> Proposal | None:
    """rule R4: a service of the poverty system goes to the self-reliance agency, watching-over
    and listening (相談・居場所・訪問・家族会) to the hikikomori agency, by default."""
    agency = rules.default_responsible(service, relevant)
    if agency is None:
        return None
    label = Service(service).label
    if service in rules.POVERTY_SERVICES:
        reason = _(
            "“%(service)s” is a programme of the poverty system: by default the self-reliance "
            "agency takes it."
        )
    else:
        reason = _(
            "“%(service)s” is watching-over and listening: by default the hikikomori agency "
            "takes it."
        )
    return Proposal(agency, "R4", reason % {"service": label})


def r4_defaults(relevant: list[Agency]) -> list[dict[str, Any]]:
    """The default split among the relevant agencies, shown above the items (rule R4)."""
    rows = []
    for services, what in (
        (rules.POVERTY_SERVICES, _("programmes of the poverty system (就労準備支援 etc.)")),
        (rules.WATCHING_OVER_SERVICES, _("consultation, place to be, home visits, family groups")),
    ):
        agency = rules.default_responsible(next(iter(services)), relevant)
        if agency is not None:
            rows.append({"what": what, "agency": agency})
    return rows


@dataclass
class PlanScreen:
    """The bound (or initial) forms of the plan screen."""

    form: PlanForm
    goals: Any
    items: Any
    relevant: list[Agency]
    proposals: dict[int, Proposal] = field(default_factory=dict)
    # errors of the rows as a whole ("at least one goal"), by "goals" / "items"
    row_errors: dict[str, list[str]] = field(default_factory=dict)

    def is_valid(self) -> bool:
        # every form is validated, so that each shows its own errors
        results = [self.form.is_valid(), self.goals.is_valid(), self.items.is_valid()]
        return all(results)

    @property
    def has_errors(self) -> bool:
        return bool(
            self.form.errors
            or any(f.errors for f in self.goals.forms)
            or any(f.errors for f in self.items.forms)
            or self.row_errors
        )

    def item_rows(self) -> list[dict[str, Any]]:
        return [
            {"form": f, "proposal": self.proposals.get(i)} for i, f in enumerate(self.items.forms)
        ]

    # --- what the service takes ---

    def goal_data(self) -> tuple[list[dict[str, Any]], dict[int, int]]:
        """The goals written (blank rows left out) and each row's index among them."""
        goals: list[dict[str, Any]] = []
        index: dict[int, int] = {}
        for i, f in enumerate(self.goals.forms):
            text = (f.cleaned_data.get("text") or "").strip()
            if text:
                index[i] = len(goals)
                goals.append({"term": f.cleaned_data.get("term") or GoalTerm.SHORT, "text": text})
        return goals, index

    def item_data(self, goal_index: dict[int, int]) -> list[dict[str, Any]]:
        rows = []
        for f in self.items.forms:
            d = f.cleaned_data
            goal = d.get("goal")
            rows.append(
                {
                    "what": d.get("what") or "",
                    "responsible_agency": d.get("responsible_agency"),
                    "service": d.get("service") or "",
                    "frequency": d.get("frequency") or "",
                    "goal": goal_index.get(goal) if goal is not None else None,
                }
            )
        return rows

    def apply_errors(self, message_dict: dict[str, list[str]]) -> None:
        """A service's errors beside the field or the row they concern (`items.0.what`)."""
        for key, messages in message_dict.items():
            parts = key.split(".")
            if parts[0] in (GOALS, ITEMS) and len(parts) == 3 and parts[1].isdigit():
                formset = self.goals if parts[0] == GOALS else self.items
                i, name = int(parts[1]), parts[2]
                if i < len(formset.forms):
                    target = formset.forms[i]
                    target.add_error(name if name in target.fields else None, messages)
                    continue
            if key in (GOALS, ITEMS):
                self.row_errors.setdefault(key, []).extend(messages)
                continue
            self.form.add_error(key if key in self.form.fields else None, messages)


def _goal_choices(data: Any, initial_goals: list[dict[str, Any]]) -> list[tuple[int, str]]:
    """Items point at a goal row: "1. 外に出る日を増やす" (a blank row is offered by number)."""
    if data is not None:
        total = _int(data.get(f"{GOALS}-TOTAL_FORMS"), 0)
        texts = [(data.get(f"{GOALS}-{i}-text") or "").strip() for i in range(total)]
    else:
        texts = [g.get("text", "") for g in initial_goals]
        texts += [""] * GOAL_ROWS
    return [
        (i, f"{i + 1}. {t[:40]}" if t else _("goal %(n)s") % {"n": i + 1})
        for i, t in enumerate(texts)
    ]


def _int(value: Any, default: int) -> int:
    try:
        return max(0, min(int(value), 200))
    except (TypeError, ValueError):
        return default


def _rows(data: QueryDict, prefix: str, extra: int) -> None:
    total = _int(data.get(f"{prefix}-TOTAL_FORMS"), 0)
    data[f"{prefix}-TOTAL_FORMS"] = str(total + extra)


def _fill_proposals(data: QueryDict, relevant: list[Agency]) -> None:
    """Rule R4: rows with a service and no agency get the default agency."""
    total = _int(data.get(f"{ITEMS}-TOTAL_FORMS"), 0)
    for i in range(total):
        key = f"{ITEMS}-{i}-responsible_agency"
        service = data.get(f"{ITEMS}-{i}-service") or ""
        if data.get(key) or service not in Service.values:
            continue
        proposal = proposal_for(service, relevant)
        if proposal is not None:
            data[key] = str(proposal.agency.pk)


def initial_of(plan: SupportPlan | None) -> tuple[dict[str, Any], list[dict], list[dict]]:
    if plan is None:
        return {"mode": PlanMode.GOALS, "starts_on": timezone.localdate()}, [], []
    head = {
        "person_wishes": plan.person_wishes,
        "family_wishes": plan.family_wishes,
        "overall_aim": plan.overall_aim,
        "mode": plan.mode,
        "starts_on": plan.starts_on,
        "ends_on": plan.ends_on,
        "review_on": plan.review_on,
        "version": plan.version,
    }
    goals = list(plan.goals.all())
    index = {g.pk: i for i, g in enumerate(goals)}
    goal_rows = [{"term": g.term, "text": g.text} for g in goals]
    item_rows = [
        {
            "what": it.what,
            "responsible_agency": it.responsible_agency_id,
            "service": it.service,
            "frequency": it.frequency,
            "goal": index.get(it.goal_id) if it.goal_id else None,
        }
        for it in plan.items.all()
    ]
    return head, goal_rows, item_rows


def build(
    case: Case, plan: SupportPlan | None, post: QueryDict | None, *, action: str = ""
) -> PlanScreen:
    """The screen's forms: from the plan (or blank rows) on GET; from what was typed on POST,
    with rows added (`action` "more_goals"/"more_items") or rule R4's proposals filled in
    ("propose")."""
    relevant = relevant_agencies(case, plan)
    head, goal_rows, item_rows = initial_of(plan)
    data = post.copy() if post is not None else None
    if data is not None:
        if action == "more_goals":
            _rows(data, GOALS, MORE_ROWS)
        elif action == "more_items":
            _rows(data, ITEMS, MORE_ROWS)
        elif action == "propose":
            _fill_proposals(data, relevant)
    agencies = agency_choices(case, relevant)
    goals_choices = _goal_choices(data, goal_rows)
    form = PlanForm(data, initial=head)
    # a bound row is read from what was typed alone: with an initial, a row typed as it was
    # would count as unchanged and come back empty
    goals = GoalFormSet(
        data, prefix=GOALS, initial=None if data is not None else goal_rows + [{}] * GOAL_ROWS
    )
    items = ItemFormSet(
        data,
        prefix=ITEMS,
        initial=None if data is not None else item_rows + [{}] * ITEM_ROWS,
        form_kwargs={"agency_choices": agencies, "goal_choices": goals_choices},
    )
    screen = PlanScreen(form, goals, items, relevant)
    if action:
        # rows added or proposals filled in: nothing is checked yet, so nothing is marked
        for f in [form, *goals.forms, *items.forms]:
            f._errors = ErrorDict()  # type: ignore[attr-defined]
    if data is not None:
        for i in range(_int(data.get(f"{ITEMS}-TOTAL_FORMS"), 0)):
            service = data.get(f"{ITEMS}-{i}-service") or ""
            if service in Service.values:
                proposal = proposal_for(service, relevant)
                chosen = data.get(f"{ITEMS}-{i}-responsible_agency") or ""
                if proposal is not None and chosen != str(proposal.agency.pk):
                    screen.proposals[i] = proposal
    return screen
