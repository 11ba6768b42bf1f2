"""The rules of the support plan: pure functions, data in, decision and reason out.

- rule R1: no plan without the person's wishes in their own words.
- rule R4: each item has exactly one responsible agency; when both kinds of agency take part, by
  default employment support (就労に向けた支援) belongs to the self-reliance agency and daily
  watching-over and listening (見守り・傾聴) to the hikikomori agency.
- rule R3b: a hikikomori agency that supports the person in the plan is invited to the support
  coordination meeting that decides it.
- the national process: a plan is approved at a support coordination meeting, then the
  municipality's support decision (支援決定) is recorded; at the end of the period it is
  evaluated (評価) and ends, is re-planned, or goes on to follow-up. One state table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from tsunagi.agencies.models import HIKIKOMORI_KINDS, AgencyKind
from tsunagi.people.rules import Finding

from .models import PlanMode, PlanState, Service

# Services that are employment support (rule R4: the self-reliance agency's by default).
EMPLOYMENT_SERVICES = frozenset(
    {
        Service.EMPLOYMENT_PREPARATION,
        Service.CERTIFIED_WORK_TRAINING,
        Service.SELF_RELIANCE_CONSULTATION,
    }
)
# The poverty system's programmes: run under the self-reliance agency.
POVERTY_SERVICES = EMPLOYMENT_SERVICES | {
    Service.HOUSEHOLD_BUDGET,
    Service.HOUSING_BENEFIT,
    Service.HOUSING_SUPPORT,
    Service.CHILDREN_LEARNING,
}
# Watching-over and listening (rule R4: the hikikomori agency's by default).
WATCHING_OVER_SERVICES = frozenset(
    {
        Service.HIKIKOMORI_CONSULTATION,
        Service.PLACE,
        Service.HOME_VISIT,
        Service.FAMILY_PEER_GROUP,
    }
)

# step → (the states it may start from, the state it leads to)
STEPS: dict[str, tuple[frozenset[str], str]] = {
    "approve": (frozenset({PlanState.DRAFT}), PlanState.APPROVED),
    "decide": (frozenset({PlanState.APPROVED}), PlanState.DECIDED),
    "evaluate": (frozenset({PlanState.DECIDED, PlanState.APPROVED}), PlanState.EVALUATED),
    "replan": (
        frozenset({PlanState.APPROVED, PlanState.DECIDED, PlanState.EVALUATED}),
        PlanState.SUPERSEDED,
    ),
}
EDITABLE_STATES = frozenset({PlanState.DRAFT})


def check_step(state: str, step: str) -> str | None:
    """None when the step is allowed from `state`; otherwise the reason."""
    if step not in STEPS:
        return _("Unknown step.")
    if state not in STEPS[step][0]:
        return _("This is not possible while the plan is “%(state)s”.") % {
            "state": PlanState(state).label
        }
    return None


def plan_problems(
    *,
    person_wishes: str,
    mode: str,
    starts_on: date | None,
    ends_on: date | None,
    review_on: date | None,
) -> dict[str, str]:
    """What keeps a plan from being saved (rule R1 and the period)."""
    errors: dict[str, str] = {}
    if not (person_wishes or "").strip():
        errors["person_wishes"] = _(
            "Write the person's wishes in their own words (R1): a plan starts from them."
        )
    if mode not in PlanMode.values:
        errors["mode"] = _("Choose the mode of the plan.")
    if starts_on is None:
        errors["starts_on"] = _("Enter when the plan period starts.")
    if mode == PlanMode.GOALS and ends_on is None:
        errors["ends_on"] = _("Enter until when the plan runs (or choose accompaniment).")
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The period cannot end before it starts.")
    if starts_on is not None and review_on is not None and review_on < starts_on:
        errors["review_on"] = _("The review date cannot be before the plan starts.")
    if ends_on is not None and review_on is not None and review_on > ends_on:
        errors["review_on"] = _("The review date must fall within the plan period.")
    return errors


def item_problems(
    *, what: str, responsible_agency_ids: Sequence[Any], service: str
) -> dict[str, str]:
    """Rule R4: an item has exactly one responsible agency."""
    errors: dict[str, str] = {}
    if not (what or "").strip():
        errors["what"] = _("Write what the support is.")
    agencies = [a for a in responsible_agency_ids if a not in (None, "")]
    if len(agencies) != 1:
        errors["responsible_agency"] = _(
            "Each item has exactly one responsible agency (R4): choose one."
        )
    if service and service not in Service.values:
        errors["service"] = _("Unknown service.")
    return errors


def default_responsible(service: str, agencies: Iterable[Any]) -> Any | None:
    """Rule R4: the agency that takes an item of this service by default, among the agencies
    taking part in the plan (objects with `kind`); None when no default applies."""
    agencies = list(agencies)
    if service in POVERTY_SERVICES:
        wanted: Iterable[str] = (AgencyKind.SELF_RELIANCE,)
    elif service in WATCHING_OVER_SERVICES:
        wanted = HIKIKOMORI_KINDS
    else:
        return None
    return next((a for a in agencies if a.kind in wanted), None)


def role_split_findings(items: Iterable[Any], agencies: Iterable[Any]) -> list[Finding]:
    """Rule R4 when both kinds of agency take part: items that leave the default split, each
    with the reason. Departures are allowed (the agencies agree them); they are shown."""
    agencies = list(agencies)
    kinds = {a.kind for a in agencies}
    if AgencyKind.SELF_RELIANCE not in kinds or not kinds & set(HIKIKOMORI_KINDS):
        return []
    found = []
    for item in items:
        default = default_responsible(item.service, agencies)
        if default is None or _side(default.kind) == _side(item.responsible_agency.kind):
            continue
        if item.service in EMPLOYMENT_SERVICES:
            reason = _(
                "“%(what)s” is employment support: by default the self-reliance agency takes it."
            )
        else:
            reason = _(
                "“%(what)s” is watching-over and listening: by default the hikikomori agency "
                "takes it."
            )
        found.append(
            Finding(
                f"r4_split_{getattr(item, 'pk', '') or ''}",
                "R4",
                _("Role split"),
                reason % {"what": item.what},
            )
        )
    return found


def _side(kind: str) -> str:
    """Which of the two systems an agency kind belongs to (any hikikomori agency is one side)."""
    return "hikikomori" if kind in HIKIKOMORI_KINDS else kind


def r3b_finding(item_agencies: Iterable[Any], meeting_members: Iterable[Any]) -> Finding | None:
    """Rule R3b: a hikikomori agency with items in the plan is invited to the support
    coordination meeting; None when every such agency is a member."""
    members = {m.pk for m in meeting_members}
    missing = [a for a in item_agencies if a.kind in HIKIKOMORI_KINDS and a.pk not in members]
    if not missing:
        return None
    names = "、".join(dict.fromkeys(a.name for a in missing))
    return Finding(
        "r3b_invite",
        "R3b",
        _("Invite the hikikomori agency"),
        _(
            "%(names)s supports the person in this plan: invite it to the support coordination "
            "meeting that decides the plan."
        )
        % {"names": names},
    )


def review_due(plan: Any, today: date) -> bool:
    """The plan's review (monitoring) date has come while the plan is in force."""
    return (
        plan.review_on is not None
        and plan.review_on <= today
        and plan.state in (PlanState.APPROVED, PlanState.DECIDED)
    )
