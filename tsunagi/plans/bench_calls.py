"""The plans-and-meetings issue's calls for `make bench`, on walkthrough D of the demo
(`tsunagi/demo/plans.py`): the plan page (goals, items, the R4 and R3b findings), the case's
plans (every version), the reviews due (the dashboard's list), and the support coordination
meeting's page — pages and API, at the bench's data sizes, whose synthetic persons all sit in
the adult center (so the self-reliance agency's lists stay its own, as in real use)."""

from __future__ import annotations

from django.urls import reverse

from tsunagi.bench.harness import register

SR_STAFF = "demo-sr-staff"
STAFF = "demo-staff"


def walkthrough_d() -> tuple[int, int, int]:
    """(plan, case, meeting) of walkthrough D's plan in force, decided at the meeting."""
    from tsunagi.demo.plans import STORY_D
    from tsunagi.plans.models import PlanState, SupportPlan

    found = (
        SupportPlan.objects.filter(
            case__problem_notes__startswith=STORY_D,
            agency__memberships__user__username=SR_STAFF,
            state=PlanState.DECIDED,
        )
        .order_by("-pk")
        .values_list("pk", "case_id", "approved_item__meeting_id")
        .first()
    )
    if found is None or found[2] is None:
        raise LookupError("no decided plan of walkthrough D (the plans demo): run `tsunagi demo`")
    return found


def _plan() -> str:
    return reverse("plans:detail", args=[walkthrough_d()[0]])


def _case_plans() -> str:
    return reverse("plans:case", args=[walkthrough_d()[1]])


def _meeting() -> str:
    return reverse("meetings:detail", args=[walkthrough_d()[2]])


register("plans.detail", _plan, user=SR_STAFF)
register("api.plans.detail", lambda: f"/api/v1/plans/{walkthrough_d()[0]}", user=SR_STAFF)
register("plans.case", _case_plans, user=SR_STAFF)
register("api.plans.case", lambda: f"/api/v1/plans?case={walkthrough_d()[1]}", user=SR_STAFF)
register("plans.reviews", lambda: reverse("plans:reviews"), user=SR_STAFF)
register("api.plans.reviews", "/api/v1/plans/reviews", user=SR_STAFF)
register("meetings.detail", _meeting, user=SR_STAFF)
register("meetings.detail_member", _meeting, user=STAFF)
register("api.meetings.detail", lambda: f"/api/v1/meetings/{walkthrough_d()[2]}", user=SR_STAFF)
