"""Walkthrough I, the emergency sharing, through the HTTP API (scenarios.md; rules R8, P5).

A person says on the phone that he has not eaten for two days and does not want to live. The
coordinator shares his information with the welfare office without consent, under the ground of
protecting life, body or property, with a reason, for four hours. The welfare office reads the
record; the center's manager sees the notice and marks it seen; the access log shows the ground
and the reason. Days instead of hours, or no reason, are refused with a Japanese message; with
e-mail notification on, the manager gets one mail that names no person.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import override_settings

from tests.api.factories import JAPANESE, ApiClient, assert_error, field_errors, issue_token
from tests.cast import PASSWORD, _user, make_cast
from tsunagi.accounts.models import Role

pytestmark = pytest.mark.django_db

REASON = "二日間食事をとれておらず、希死念慮がある。生活保護の緊急対応のため。"


def client_for(user: Any) -> ApiClient:
    response = issue_token(user.username, PASSWORD)
    assert response.status_code == 200, response.content
    return ApiClient(response.json()["token"])


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    return response.json()


@override_settings(TSUNAGI_NOTIFY_BY_EMAIL=True)
def test_walkthrough_i_emergency_sharing_with_ground_reason_and_the_managers_notice(
    django_capture_on_commit_callbacks: Any,
) -> None:
    cast = make_cast()
    manager_user = cast.users[Role.MANAGER]
    manager_user.email = "manager@center.example.jp"
    manager_user.save()
    coordinator = client_for(cast.users[Role.STAFF])
    manager = client_for(manager_user)
    welfare = client_for(_user("welfare", cast.city_office, Role.STAFF))

    caller = ok(coordinator.post("/persons", {
        "family_name": "佐々木", "given_name": "誠", "family_name_kana": "ささき",
        "sex": "male", "estimated_age": 40, "mobile": "090-1234-5678",
    }), 201)  # fmt: skip
    contact = ok(coordinator.post("/contacts", {
        "person": caller["id"], "channel": "phone", "initiator": "person",
        "summary": "二日間食べていない。生きていたくないと話す。",
        "urgent": ["no_food", "suicidal"], "problems": ["no_food", "income"],
        "main_problem": "no_food",
    }), 201)  # fmt: skip
    case_id = contact["case_id"]
    share = {
        "person": caller["id"], "receiving_agency": cast.city_office.pk,
        "legal_ground": "life_body_property", "reason": REASON, "case": case_id,
    }  # fmt: skip

    # Days, not hours: refused in Japanese, and no reason: a field error. Nothing is shared.
    days = coordinator.post("/grants/emergency", {**share, "hours": 48})
    assert all(JAPANESE.search(m) for m in field_errors(days, "hours"))
    no_reason = {k: v for k, v in share.items() if k != "reason"}
    assert JAPANESE.search(
        field_errors(coordinator.post("/grants/emergency", no_reason), "reason")[0]
    )
    assert ok(coordinator.get("/grants", direction="given"))["count"] == 0
    assert mail.outbox == []

    # Shared for four hours; the manager gets one mail that names no person.
    with django_capture_on_commit_callbacks(execute=True):
        grant = ok(coordinator.post("/grants/emergency", {**share, "hours": 4}), 201)
    assert grant["kind"] == "emergency" and grant["legal_ground"] == "life_body_property"
    assert grant["reason"] == REASON
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["manager@center.example.jp"]
    for name in ("佐々木", "誠", "ささき"):
        assert name not in sent.subject and name not in sent.body

    # The welfare office reads the record.
    record = ok(welfare.get(f"/grants/{grant['id']}/record"))
    assert record["person"]["family_name"] == "佐々木"
    assert record["ground"] == grant["code"] and JAPANESE.search(record["ground_label"])
    assert {f["kind"] for f in record["flags"]} == {"urgent_need", "suicide_risk"}

    # The center's manager sees the notice, and marks it seen.
    given = ok(manager.get("/grants", direction="given"))["items"]
    notice = next(g for g in given if g["id"] == grant["id"])
    assert notice["awaiting_acknowledgement"] is True and notice["acknowledged_at"] is None
    assert notice["reason"] == REASON and JAPANESE.search(notice["legal_ground_label"])
    acknowledged = ok(manager.post(f"/grants/{grant['id']}/acknowledge"))
    assert acknowledged["acknowledged_at"] and acknowledged["awaiting_acknowledgement"] is False
    assert ok(manager.get("/grants", pending="true"))["count"] == 0

    # The access log shows the ground and the reason, and the welfare office's read.
    log = ok(manager.get("/access-log", person=caller["id"], limit=500))["items"]
    made = next(e for e in log if e["action"] == "grant.emergency")
    assert made["reason"] == REASON
    assert made["detail"]["legal_ground"] == "life_body_property"
    read = next(e for e in log if e["action"] == "person.viewed" and e["user"] == "welfare")
    assert read["ground"] == grant["code"] and read["user_agency_name"] == cast.city_office.name
    assert ok(manager.get("/access-log", ground="emergency"))["count"] >= 1

    # Nobody else learns of it.
    for outsider in (cast.outsider, cast.nobody):
        assert_error(client_for(outsider).get(f"/grants/{grant['id']}/record"), 404)
