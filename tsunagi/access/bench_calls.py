"""Consent and sharing calls for `make bench` (issue 4), on the demo's walkthrough A: the record
the self-reliance agency sees through the son's consent (API), the agency's access log, and the
son's disclosure report (page, API and printed A4) — at the bench's data sizes, whose synthetic
persons all sit in demo-staff's agency, so the log and the report grow with them."""

from __future__ import annotations

from tsunagi.bench.harness import register

STAFF = "demo-staff"
MANAGER = "demo-manager"
SR_STAFF = "demo-sr-staff"


def _son_consent_grant() -> int:
    """The grant the referral of 山田 太郎 made (walkthrough A step 5)."""
    from tsunagi.referrals.models import Referral

    grant_id = (
        Referral.objects.filter(
            person__family_name="山田",
            person__given_name="太郎",
            to_agency__memberships__user__username=SR_STAFF,
            grant__isnull=False,
        )
        .order_by("pk")
        .values_list("grant_id", flat=True)
        .first()
    )
    if grant_id is None:
        raise LookupError(
            "no referral of 山田 太郎 with a grant (walkthrough A): run `tsunagi demo`"
        )
    return grant_id


def _son() -> int:
    from tsunagi.people.bench_calls import yamada_person

    return yamada_person()


register(
    "api.grants.record", lambda: f"/api/v1/grants/{_son_consent_grant()}/record", user=SR_STAFF
)
register("access.log", "/audit/", user=MANAGER)


def _disclosure_page() -> str:
    from django.urls import reverse

    return reverse("access:disclosure", args=[_son()])


register("access.disclosure", _disclosure_page, user=STAFF)
register("api.persons.disclosure", lambda: f"/api/v1/persons/{_son()}/disclosure", user=STAFF)
register("access.disclosure_pdf", lambda: f"/audit/disclosure/{_son()}/print/", user=STAFF)
