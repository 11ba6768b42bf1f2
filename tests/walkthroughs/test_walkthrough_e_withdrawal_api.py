"""Walkthrough E, the consent withdrawn, through the HTTP API (scenarios.md; rules P1, P3, P4).

In story A the son signs a consent naming the self-reliance agency for his situation and wishes;
the referral is sent and accepted. Later he withdraws the consent. From that moment the
self-reliance agency's staff can no longer open what came through it, the withdrawal shows on
both sides with its date, their own copy carries a P4 flag, and the access log shows their last
read before the withdrawal. (The referral steps use the services; everything else the API.)
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from tests.api.factories import API, JAPANESE, ApiClient, assert_error, issue_token
from tests.cast import PASSWORD, make_cast
from tests.people import yamada_household
from tests.sharing import make_referral, receiver, scan
from tsunagi.accounts.models import Role
from tsunagi.consent.models import Consent
from tsunagi.referrals import services as referrals

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> ApiClient:
    response = issue_token(user.username, PASSWORD)
    assert response.status_code == 200, response.content
    return ApiClient(response.json()["token"])


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    return response.json()


def test_walkthrough_e_consent_withdrawn_closes_the_receivers_access_at_once() -> None:
    cast = make_cast()
    staff = cast.users[Role.STAFF]
    _household, _mother, son, case = yamada_household(staff, cast.center)
    coordinator = client_for(staff)
    manager = client_for(cast.users[Role.MANAGER])
    sr = receiver(cast)
    self_reliance = client_for(sr)

    # A step 5: the son signs a consent for his situation and wishes, not his health.
    today = timezone.localdate()
    signed = coordinator.client.post(
        API + "/consents",
        {
            "person": son.pk, "case": case.pk, "given_by": "subject",
            "recipient_agency": cast.self_reliance.pk, "purpose": "生活困窮の相談支援のため",
            "kinds": ["identity", "situation"], "given_on": today.isoformat(),
            "valid_until": (today + datetime.timedelta(days=365)).isoformat(),
            "method": "signed_paper", "scan": scan(),
        },
        headers=coordinator._headers(),
    )  # fmt: skip
    consent = ok(signed, 201)

    # The referral is sent (the consent grant is made) and accepted with a first contact.
    referral = make_referral(staff, case, cast.self_reliance, Consent.objects.get(pk=consent["id"]))
    referral = referrals.send_referral(staff, referral)
    referral = referrals.receive_referral(sr, referral)
    referral = referrals.accept_referral(sr, referral)
    grant_id = referral.grant.pk

    # The receiver reads the record through the grant.
    record = ok(self_reliance.get(f"/grants/{grant_id}/record"))
    assert record["person"]["family_name"] == "山田"
    assert record["kinds"] == ["identity", "situation"]

    # Three weeks later the son withdraws his consent; the coordinator records it.
    withdrawn = ok(
        coordinator.post(
            f"/consents/{consent['id']}/withdraw", {"note": "本人から電話で撤回の申し出"}
        )
    )
    assert withdrawn["status"] == "withdrawn" and JAPANESE.search(withdrawn["status_label"])

    # The receiver's next request is refused.
    assert_error(self_reliance.get(f"/grants/{grant_id}/record"), 404)

    # Both sides see the withdrawal with its date.
    held = ok(self_reliance.get(f"/grants/{grant_id}"))
    assert held["status"] == "withdrawn" and held["consent_withdrawn_at"]
    assert held["person_name"] is None  # no longer shown to the receiver
    seen_by_receiver = ok(self_reliance.get(f"/consents/{consent['id']}"))
    assert seen_by_receiver["withdrawn_at"] == withdrawn["withdrawn_at"]
    assert seen_by_receiver["withdrawal_note"] == ""  # the owner's note stays with the owner
    given = ok(coordinator.get("/grants", direction="given"))["items"]
    assert [(g["id"], g["status"]) for g in given] == [(grant_id, "withdrawn")]

    # The receiver's own copy (the case it opened on acceptance) carries a P4 flag.
    flags = ok(self_reliance.get(f"/cases/{referral.received_case_id}/flags"))
    p4 = [f for f in flags if f["rule"] == "P4"]
    assert len(p4) == 1 and p4[0]["is_open"] and JAPANESE.search(p4[0]["reason"])

    # The access log, as the center's manager: the receiver's last read, then the withdrawal.
    log = ok(manager.get("/access-log", person=son.pk, limit=500))["items"]
    order = [e["id"] for e in sorted(log, key=lambda e: (e["at"], e["id"]))]
    withdrawal = next(e for e in log if e["action"] == "consent.withdrawn")
    # Reads of the person's record (the consent itself stays readable, to show the withdrawal).
    record_kinds = {"person", "household", "case", "contact", "assessment", "flag"}
    reads = [
        e for e in log
        if e["user"] == sr.username and e["action"].endswith(".viewed")
        and e["action"].split(".")[0] in record_kinds and e["ground"] == f"consent:{grant_id}"
    ]  # fmt: skip
    assert reads, "the receiver's reads are in the log"
    last_read = max(reads, key=lambda e: (e["at"], e["id"]))
    assert order.index(last_read["id"]) < order.index(withdrawal["id"])
    assert last_read["user_agency_name"] == cast.self_reliance.name
    assert JAPANESE.search(withdrawal["action_label"])
    # and nothing the receiver did after the withdrawal read the son's record
    assert not any(
        e["user"] == sr.username and e["action"] == "person.viewed" and e["at"] > withdrawal["at"]
        for e in log
    )
