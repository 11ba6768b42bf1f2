"""Walkthrough A, steps 4–6, through the HTTP API (scenarios.md; rules P1, P3, R5).

4. The son's information cannot be passed on: he has given no consent (P1). The coordinator
   records the mother's consent for her own information. The referral for the son stays a draft
   with "consent missing" shown.
5. At a later home visit the coordinator meets the son, who signs a consent naming the
   self-reliance agency, for his situation and wishes but not his health information. The
   referral is sent.
6. The self-reliance agency receives it, sees exactly those kinds of information, accepts it,
   and records the first contact. The hikikomori center sees the referral closed-loop:
   accepted, first contact on a date.

Steps 1–2 (the household, the intake call) are set up with the people factories; their own
walkthrough is tests/walkthroughs/test_walkthrough_a_intake_api.py.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from tests.api.factories import API, JAPANESE, ApiClient, issue_token
from tests.cast import PASSWORD, make_cast
from tests.people import yamada_household
from tests.sharing import receiver, scan
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role

pytestmark = pytest.mark.django_db


def client_for(username: str) -> ApiClient:
    response = issue_token(username, PASSWORD)
    assert response.status_code == 200, response.content
    return ApiClient(response.json()["token"])


def answer(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()
    body: dict[str, Any] = response.json()
    return body


def record_consent(client: ApiClient, person: Any, agency: Any, **extra: Any) -> dict[str, Any]:
    """A signed paper consent, sent as a multipart form with its scan."""
    today = timezone.localdate()
    form = {
        "person": person.pk,
        "given_by": "subject",
        "recipient_agency": agency.pk,
        "purpose": "生活困窮の相談支援のため",
        "kinds": ["identity", "situation"],
        "given_on": today.isoformat(),
        "valid_until": (today + datetime.timedelta(days=365)).isoformat(),
        "method": "signed_paper",
        "scan": scan(),
        **extra,
    }
    return answer(client.client.post(API + "/consents", form, headers=client._headers()), 201)


def steps(referral: dict[str, Any]) -> list[str]:
    return [s["step"] for s in referral["next_steps"]]


def test_walkthrough_a_consent_and_closed_loop_referral_through_the_api() -> None:
    cast = make_cast()
    staff = cast.users[Role.STAFF]
    _household, mother, son, case = yamada_household(staff, cast.center)
    sr_user = receiver(cast)
    center = client_for(staff.username)
    agency = client_for(sr_user.username)
    # What the mother told at intake, and what the son's health is (special-care information).
    answer(center.post("/assessments", {
        "case": case.pk, "informant": "family", "employment": "unemployed",
        "finance": "tight", "housing": "rented", "housing_notes": "家賃は母の年金から",
        "mental_health_notes": "不眠で通院歴あり",
        "wishes": "（母の言葉）お金のことも相談したい。",
    }), 201)  # fmt: skip

    # Step 4: a referral of the son to the city's self-reliance agency, without his consent.
    referral = answer(center.post("/referrals", {
        "case": case.pk, "to_agency": cast.self_reliance.pk, "rule": "R2",
        "purpose": "家計と就労の相談をお願いします（母の年金のみ、カード債務あり）",
        "wishes": "自分のペースで働き口を探したい",
    }), 201)  # fmt: skip
    rid = referral["id"]
    assert referral["state"] == "draft"
    [missing] = referral["findings"]
    assert (missing["code"], missing["rule"]) == ("consent_missing", "P1")
    assert JAPANESE.search(missing["label"]) and JAPANESE.search(missing["reason"])
    assert steps(referral) == ["confirm_consent", "cancel"]
    # Sending is refused, and the agency does not even learn that the draft exists.
    refused = center.post(f"/referrals/{rid}/send")
    assert refused.status_code == 409 and JAPANESE.search(refused.json()["detail"])
    assert agency.get(f"/referrals/{rid}").status_code == 404
    assert answer(agency.get("/referrals"))["items"] == []

    # The mother consents for her own information; that is not her son's consent.
    mothers = record_consent(center, mother, cast.self_reliance, purpose="母の介護と家計の相談")
    attached = center.post(f"/referrals/{rid}/consent", {"consent": mothers["id"]})
    assert attached.status_code == 422
    [error] = attached.json()["errors"]
    assert error["field"] == "consent" and "P1" in error["message"]
    still = answer(center.get(f"/referrals/{rid}"))
    assert still["state"] == "draft" and still["findings"][0]["code"] == "consent_missing"

    # Step 5: at the home visit the son signs a consent for identity and his situation, not
    # his health (special_care).
    sons = record_consent(center, son, cast.self_reliance, case=case.pk)
    assert sons["kinds"] == ["identity", "situation"]
    confirmed = answer(
        center.post(
            f"/referrals/{rid}/consent", {"consent": sons["id"], "version": still["version"]}
        )
    )
    assert confirmed["state"] == "consent_confirmed" and confirmed["findings"] == []
    assert steps(confirmed) == ["send", "cancel"]
    sent = answer(center.post(f"/referrals/{rid}/send", {"version": confirmed["version"]}))
    assert sent["state"] == "sent" and sent["dates"]["sent_at"]

    # Step 6: the self-reliance agency sees the referral and exactly the kinds consented to.
    arrived = answer(agency.get("/referrals", direction="received"))
    assert [r["id"] for r in arrived["items"]] == [rid]
    seen = answer(agency.get(f"/referrals/{rid}"))
    assert seen["side"] == "receiver" and seen["person_name"] == "山田 太郎"
    assert seen["case_number"] is None
    assert seen["consent"]["kinds"] == ["identity", "situation"]
    assert steps(seen) == ["receive", "accept", "decline"]
    [grant] = answer(agency.get("/grants"))["items"]
    record = answer(agency.get(f"/grants/{grant['id']}/record"))
    assert record["person"]["family_name"] == "山田"
    [assessment] = record["assessments"]
    assert assessment["housing_notes"] == "家賃は母の年金から"
    assert "mental_health_notes" not in assessment  # special-care: not sent at all

    received = answer(agency.post(f"/referrals/{rid}/receive"))
    assert received["state"] == "received"
    accepted = answer(agency.post(f"/referrals/{rid}/accept", {}))
    assert accepted["state"] == "accepted" and accepted["received_case"]
    first = answer(agency.post(f"/referrals/{rid}/first-contact", {
        "channel": "home_visit", "initiator": "staff", "summary": "センターと同行して初回訪問",
    }))  # fmt: skip
    assert first["state"] == "first_contact"
    assert first["dates"]["first_contact_on"] == timezone.localdate().isoformat()

    # The center sees the loop closed: accepted, first contact on a date.
    loop = answer(center.get(f"/referrals/{rid}"))
    assert loop["state"] == "first_contact" and JAPANESE.search(loop["state_label"])
    assert loop["dates"]["decided_at"] and loop["dates"]["first_contact_on"] == (
        timezone.localdate().isoformat()
    )
    assert loop["received_case"] is None and steps(loop) == ["close"]

    # Every read of the referral by the agency is in the access log, on the consent's grant.
    reads = AuditEvent.objects.filter(action="referral.viewed", actor=sr_user)
    assert reads.exists() and {e.grant for e in reads} == {f"consent:{grant['id']}"}
    assert {e.actor_agency_id for e in reads} == {cast.self_reliance.pk}
