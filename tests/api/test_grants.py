"""`/api/v1/grants`: sharing under a consent (P1) and in an emergency (P5), the record as the
receiving agency sees it, ending, the manager's acknowledgement; the users who must see nothing.

The issue's done criterion lives here: a consent for identity and situation, without special-care
information, lets the receiving agency see the housing situation and not the diagnosis.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.factories import JAPANESE, ApiClient, assert_error, field_errors, issue_token
from tests.cast import PASSWORD, make_cast
from tests.people import yamada_household
from tests.sharing import make_consent, receiver
from tsunagi.access.models import AuditEvent, Grant
from tsunagi.accounts.models import Role
from tsunagi.people import services as people_services

pytestmark = pytest.mark.django_db

DIAGNOSIS = "統合失調症の診断あり（通院中断）"
BODY_DIAGNOSIS = "糖尿病で要治療"
HOUSING = "家賃の滞納が3か月"


def client_for(user: Any) -> ApiClient:
    response = issue_token(user.username, PASSWORD)
    assert response.status_code == 200, response.content
    return ApiClient(response.json()["token"])


@pytest.fixture
def story() -> Any:
    cast = make_cast()
    staff = cast.users[Role.STAFF]
    _household, _mother, son, case = yamada_household(staff, cast.center)
    people_services.record_assessment(
        staff,
        case,
        {
            "housing": "at_risk",
            "housing_notes": HOUSING,
            "mental_health": "serious",
            "mental_health_notes": DIAGNOSIS,
            "physical_health_notes": BODY_DIAGNOSIS,
            "wishes": "家から出ずに相談したい",
        },
    )
    return cast, staff, son, case, receiver(cast)


def share(cast: Any, staff: Any, son: Any, case: Any, kinds: list[str]) -> dict[str, Any]:
    consent = make_consent(staff, son, cast.self_reliance, kinds, case=case)
    response = client_for(staff).post("/grants/consent", {"consent": consent.pk, "case": case.pk})
    assert response.status_code == 201, response.content.decode()
    body: dict[str, Any] = response.json()
    return body


def test_p1_done_criterion_housing_shared_and_the_diagnosis_never_sent(story):
    cast, staff, son, case, sr = story
    grant = share(cast, staff, son, case, ["identity", "situation"])
    response = client_for(sr).get(f"/grants/{grant['id']}/record")
    assert response.status_code == 200, response.content.decode()
    record = response.json()
    assert record["kinds"] == ["identity", "situation"]
    assert record["person"]["family_name"] == "山田"
    [assessment] = record["assessments"]
    assert assessment["housing"] == "at_risk"
    assert assessment["housing_notes"] == HOUSING
    assert "mental_health" not in assessment and "mental_health_notes" not in assessment
    assert "physical_health_notes" not in assessment
    raw = response.content.decode()
    assert DIAGNOSIS not in raw and BODY_DIAGNOSIS not in raw
    # JSON may escape non-ASCII text: check the escaped form too
    assert DIAGNOSIS.encode("unicode_escape").decode() not in raw
    assert record["flags"] == [] and record["contacts"] == []
    # the read is logged on the grant's ground, as the receiving agency
    read = AuditEvent.objects.filter(action="person.viewed", subject_id=son.pk).latest("id")
    assert read.grant == grant["code"] and read.actor_agency_id == cast.self_reliance.pk


def test_p1_special_care_is_sent_only_when_the_consent_names_it(story):
    cast, staff, son, case, sr = story
    grant = share(cast, staff, son, case, ["situation", "special_care"])
    record = client_for(sr).get(f"/grants/{grant['id']}/record").json()
    assert record["assessments"][0]["mental_health_notes"] == DIAGNOSIS
    assert "family_name" not in record["person"]  # identity was not named


def test_p1_sharing_beyond_the_consent_is_refused(story):
    cast, staff, son, case, _sr = story
    consent = make_consent(staff, son, cast.self_reliance, ["identity", "situation"], case=case)
    client = client_for(staff)
    wider = client.post("/grants/consent", {"consent": consent.pk, "kinds": ["special_care"]})
    assert all(JAPANESE.search(m) for m in field_errors(wider, "kinds"))
    elsewhere = client.post(
        "/grants/consent", {"consent": consent.pk, "receiving_agency": cast.tokyo_agency.pk}
    )
    assert "P1" in field_errors(elsewhere, "consent")[0]
    unknown = client.post("/grants/consent", {"consent": consent.pk, "receiving_agency": 999999})
    assert field_errors(unknown, "receiving_agency")
    assert field_errors(client.post("/grants/consent", {"consent": "一"}), "consent")


def test_lists_by_direction_and_reads(story):
    cast, staff, son, case, sr = story
    grant = share(cast, staff, son, case, ["identity", "situation"])
    given = client_for(staff).get("/grants", direction="given").json()
    assert [g["id"] for g in given["items"]] == [grant["id"]]
    assert given["items"][0]["person_name"] == "山田 太郎"
    received = client_for(sr).get("/grants", direction="received").json()
    assert [g["id"] for g in received["items"]] == [grant["id"]]
    assert received["items"][0]["made_by_name"] is None  # the owner's staff stay private
    assert client_for(sr).get("/grants", direction="given").json()["count"] == 0
    one = client_for(sr).get(f"/grants/{grant['id']}")
    assert one.status_code == 200 and one.json()["status"] == "active"
    assert AuditEvent.objects.filter(action="grant.viewed", grant=grant["code"]).exists()
    assert field_errors(client_for(staff).get("/grants", direction="sideways"), "direction")


def test_p4_ending_a_grant_closes_the_record_at_once(story):
    cast, staff, son, case, sr = story
    grant = share(cast, staff, son, case, ["identity", "situation"])
    receiver_client = client_for(sr)
    assert receiver_client.get(f"/grants/{grant['id']}/record").status_code == 200
    # the receiver cannot end it; the owner must give a reason
    assert_error(receiver_client.post(f"/grants/{grant['id']}/end", {"reason": "不要"}), 403)
    owner = client_for(staff)
    assert field_errors(owner.post(f"/grants/{grant['id']}/end", {"reason": " "}), "reason")
    ended = owner.post(f"/grants/{grant['id']}/end", {"reason": "支援終了のため"})
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    assert_error(receiver_client.get(f"/grants/{grant['id']}/record"), 404)
    again = owner.post(f"/grants/{grant['id']}/end", {"reason": "再度"})
    assert field_errors(again, "grant")


def test_p5_emergency_grant_and_acknowledgement(story):
    cast, staff, son, case, sr = story
    made = client_for(staff).post(
        "/grants/emergency",
        {
            "person": son.pk,
            "receiving_agency": cast.self_reliance.pk,
            "legal_ground": "life_body_property",
            "reason": "本人が食事をとれておらず生命の危険がある",
            "hours": 4,
            "case": case.pk,
        },
    )
    assert made.status_code == 201, made.content.decode()
    grant = made.json()
    assert grant["kind"] == "emergency" and JAPANESE.search(grant["legal_ground_label"])
    assert grant["awaiting_acknowledgement"] is False  # staff are not the manager
    assert_error(client_for(staff).post(f"/grants/{grant['id']}/acknowledge"), 403)
    assert_error(client_for(sr).post(f"/grants/{grant['id']}/acknowledge"), 403)
    manager = client_for(cast.users[Role.MANAGER])
    pending = manager.get("/grants", pending="true").json()["items"]
    assert [(g["id"], g["awaiting_acknowledgement"]) for g in pending] == [(grant["id"], True)]
    seen = manager.post(f"/grants/{grant['id']}/acknowledge")
    assert seen.status_code == 200 and seen.json()["acknowledged_by_name"] == "manager"
    assert manager.get("/grants", pending="true").json()["count"] == 0


def test_p5_emergency_bad_input_japanese_field_errors(story):
    cast, staff, son, _case, _sr = story
    client = client_for(staff)
    base = {"person": son.pk, "receiving_agency": cast.self_reliance.pk, "reason": "危険"}
    too_long = client.post("/grants/emergency", {**base, "legal_ground": "law", "hours": 48})
    assert all(JAPANESE.search(m) for m in field_errors(too_long, "hours"))
    no_ground = client.post("/grants/emergency", {**base, "legal_ground": "curiosity"})
    assert field_errors(no_ground, "legal_ground")
    no_hours = client.post("/grants/emergency", {**base, "legal_ground": "law", "hours": "半日"})
    assert field_errors(no_hours, "hours")
    to_self = client.post(
        "/grants/emergency",
        {**base, "legal_ground": "law", "receiving_agency": cast.center.pk},
    )
    assert field_errors(to_self, "receiving_agency")
    assert not Grant.objects.exists()


def test_the_users_who_must_see_nothing(story):
    cast, staff, son, case, _sr = story
    grant = share(cast, staff, son, case, ["identity", "situation"])
    for user in (cast.nobody, cast.outsider, cast.users[Role.OPERATOR], cast.users[Role.SUPPORTER]):
        client = client_for(user)
        assert_error(client.get(f"/grants/{grant['id']}"), 404)
        assert_error(client.get(f"/grants/{grant['id']}/record"), 404)
        assert_error(client.post(f"/grants/{grant['id']}/end", {"reason": "x"}), 404)
        assert_error(client.post(f"/grants/{grant['id']}/acknowledge"), 404)
        assert client.get("/grants").json()["count"] == 0
        emergency = client.post(
            "/grants/emergency",
            {"person": son.pk, "receiving_agency": cast.tokyo_agency.pk,
             "legal_ground": "law", "reason": "x"},
        )  # fmt: skip
        assert_error(emergency, 404)
    assert not AuditEvent.objects.filter(action="grant.viewed").exists()
