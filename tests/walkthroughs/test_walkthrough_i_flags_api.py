"""Walkthrough I, the flags, through the HTTP API (scenarios.md; rule R8).

A person says on the phone that he has not eaten for two days and does not want to live. The
case shows an urgent flag and a suicide-risk flag, each with rule R8 and its reason (the
suicide-prevention window, 一時生活支援 and 生活保護). The flags stay on every screen of the case
until a staff member resolves them with a note; resolving without a note is refused.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.factories import JAPANESE, ApiClient, assert_error, issue_token
from tests.cast import PASSWORD, make_cast
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role

pytestmark = pytest.mark.django_db


def client_for(username: str) -> ApiClient:
    response = issue_token(username, PASSWORD)
    assert response.status_code == 200, response.content
    return ApiClient(response.json()["token"])


def created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.content.decode()
    body: dict[str, Any] = response.json()
    return body


def kinds(flags: list[dict[str, Any]]) -> set[str]:
    return {f["kind"] for f in flags}


def test_walkthrough_i_an_urgent_call_raises_flags_that_stay_until_resolved() -> None:
    cast = make_cast()
    coordinator = client_for(cast.users[Role.STAFF].username)
    manager = client_for(cast.users[Role.MANAGER].username)

    caller = created(coordinator.post("/persons", {
        "family_name": "佐々木", "given_name": "誠", "family_name_kana": "ささき",
        "sex": "male", "estimated_age": 40, "mobile": "０９０－１２３４－５６７８",
    }))  # fmt: skip
    contact = created(coordinator.post("/contacts", {
        "person": caller["id"], "channel": "phone", "initiator": "person",
        "summary": "二日間食べていない。生きていたくないと話す。",
        "urgent": ["no_food", "suicidal"], "problems": ["no_food", "income"],
        "main_problem": "no_food",
    }))  # fmt: skip
    case_id = contact["case_id"]

    # The case shows both flags with rule R8 and the reason staff act on.
    assert contact["case_opened"] is True
    assert kinds(contact["open_flags"]) == {"urgent_need", "suicide_risk"}
    case = coordinator.get(f"/cases/{case_id}").json()
    flags = {f["kind"]: f for f in case["open_flags"]}
    assert set(flags) == {"urgent_need", "suicide_risk"}
    assert {f["rule"] for f in flags.values()} == {"R8"}
    assert all(
        JAPANESE.search(f["reason"]) and JAPANESE.search(f["kind_label"]) for f in flags.values()
    )
    assert "一時生活支援" in flags["urgent_need"]["reason"]
    assert "生活保護" in flags["urgent_need"]["reason"]
    assert "自殺対策" in flags["suicide_risk"]["reason"]
    flagged = coordinator.get("/cases", flagged="true").json()
    assert [(c["id"], c["open_flag_count"]) for c in flagged["items"]] == [(case_id, 2)]

    # A second call about the same matters does not pile up flags.
    created(coordinator.post("/contacts", {
        "case": case_id, "channel": "phone", "initiator": "person",
        "summary": "まだ食べていない", "urgent": ["no_food"],
    }))  # fmt: skip
    assert len(coordinator.get(f"/cases/{case_id}").json()["open_flags"]) == 2

    # The flags show on every record of the case: its contacts and its assessments too.
    assert kinds(coordinator.get(f"/contacts/{contact['id']}").json()["open_flags"]) == set(flags)
    assessment = created(
        coordinator.post("/assessments", {"case": case_id, "employment": "unemployed"})
    )
    assert kinds(assessment["open_flags"]) == set(flags)

    # Resolving needs a note: without one it is refused and the flag stays.
    urgent_id, suicide_id = flags["urgent_need"]["id"], flags["suicide_risk"]["id"]
    refused = coordinator.post(f"/flags/{suicide_id}/resolve", {"resolution": ""})
    body = assert_error(refused, 422)
    assert [e["field"] for e in body["errors"]] == ["resolution"]
    assert JAPANESE.search(body["errors"][0]["message"])
    assert_error(coordinator.post(f"/flags/{suicide_id}/resolve", {}), 422)
    assert len(coordinator.get(f"/cases/{case_id}").json()["open_flags"]) == 2

    # With a note each flag is resolved; until then it is still on the case.
    resolved = coordinator.post(
        f"/flags/{urgent_id}/resolve",
        {"resolution": "フードバンクの食料を届け、生活保護の申請に同行した"},
    )
    assert resolved.status_code == 200 and resolved.json()["is_open"] is False
    assert kinds(manager.get(f"/cases/{case_id}").json()["open_flags"]) == {"suicide_risk"}
    manager.post(
        f"/flags/{suicide_id}/resolve",
        {"resolution": "自殺対策の相談窓口につなぎ、翌日の面談を約束した"},
    )
    assert coordinator.get(f"/cases/{case_id}").json()["open_flags"] == []
    assert coordinator.get("/cases", flagged="true").json()["count"] == 0
    history = coordinator.get(f"/cases/{case_id}/flags").json()
    assert {(f["kind"], f["is_open"]) for f in history} == {
        ("urgent_need", False), ("suicide_risk", False),
    }  # fmt: skip
    assert all(f["resolution"] and f["resolved_by"] for f in history)
    resolutions = AuditEvent.objects.filter(action="flag.resolved").order_by("id")
    assert [e.actor for e in resolutions] == [cast.users[Role.STAFF], cast.users[Role.MANAGER]]

    # Outside the center nobody sees the case or its flags.
    outsider = client_for(cast.outsider.username)
    assert outsider.get(f"/cases/{case_id}/flags").status_code == 404
    assert outsider.post(f"/flags/{suicide_id}/resolve", {"resolution": "x"}).status_code == 404
