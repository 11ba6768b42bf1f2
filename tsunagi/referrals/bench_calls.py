"""The referral issue's calls for `make bench` (issue 5), on the demo's referral data
(`tsunagi/demo/referrals.py`): the suggestions panel of the 森田 case (rules R2, R7, R8 resolved
against the registry), the dashboard of reminders in business days and hand-overs waiting (R5)
on both sides, and the introductions list (R3a) — pages and API, at the bench's data sizes,
whose synthetic persons all sit in demo-staff's agency, the adult center."""

from __future__ import annotations

from django.urls import reverse

from tsunagi.bench.harness import register

STAFF = "demo-staff"
SR_STAFF = "demo-sr-staff"


def morita_case() -> tuple[int, int]:
    """(case, person) of the 森田 household's son, whose panel shows R8, R2 and R7."""
    from tsunagi.demo.referrals import MORITA_HOUSEHOLD
    from tsunagi.people.models import Case

    found = (
        Case.objects.filter(
            person__membership__household__name=MORITA_HOUSEHOLD,
            person__given_name="浩二",
            agency__memberships__user__username=STAFF,
        )
        .order_by("pk")
        .values_list("pk", "person_id")
        .first()
    )
    if found is None:
        raise LookupError("no case of 森田 浩二 (the referral demo): run `tsunagi demo`")
    return found


def _panel() -> str:
    return reverse("referrals:suggestions", args=[morita_case()[0]])


def _api_suggestions() -> str:
    case, person = morita_case()
    return f"/api/v1/persons/{person}/suggestions?case={case}"


register("referrals.suggestions", _panel, user=STAFF)
register("api.persons.suggestions", _api_suggestions, user=STAFF)
register("referrals.waiting", lambda: reverse("referrals:waiting"), user=STAFF)
register("referrals.waiting_receiver", lambda: reverse("referrals:waiting"), user=SR_STAFF)
register("api.referrals.reminders", "/api/v1/referrals/reminders", user=STAFF)
register("api.referrals.handovers", "/api/v1/referrals/handovers", user=STAFF)
register("referrals.introductions", lambda: reverse("referrals:introductions"), user=SR_STAFF)
register("api.introductions", "/api/v1/introductions", user=SR_STAFF)
