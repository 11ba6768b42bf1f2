"""The supporters API: training courses (S1), registration and consent (S2), the roster and its
confirmation (S3), the supporter's own record and login, the consent form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.api.factories import JAPANESE, ApiClient, World, assert_error, field_errors
from tests.api.test_supporters_world import SupWorld, days, make_sup_world
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import User
from tsunagi.supporters.models import RosterEntry, Supporter
from tsunagi.web.wareki import format_wareki

pytestmark = pytest.mark.django_db

Api = Callable[[User | None], ApiClient]


@pytest.fixture
def sw(world: World) -> SupWorld:
    return make_sup_world(world)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    return response.json()


# --- trainings ------------------------------------------------------------------------------


def test_s1_course_created_with_sessions_in_wareki_and_full_width(sw: SupWorld, api: Api) -> None:
    po = api(sw.po)
    body = ok(
        po.post(
            "/trainings",
            {
                "kind": "follow_up",
                "title": "継続研修　第１回",
                "starts_on": "令和8年4月1日",
                "ends_on": "２０２６-０４-３０",
                "capacity": "３０",
                "sessions": [{"held_on": "R8.4.1", "topic": "事例検討"}],
            },
        ),
        201,
    )
    assert body["title"] == "継続研修 第1回"
    assert body["starts_on"] == "2026-04-01" and body["ends_on"] == "2026-04-30"
    assert body["capacity"] == 30
    assert body["organiser"] == sw.w.kochi_office.pk
    assert [s["topic"] for s in body["sessions"]] == ["事例検討"]
    listed = ok(po.get("/trainings", kind="follow_up"))
    assert [c["id"] for c in listed["items"]] == [body["id"]]


def test_s1_course_bad_input_answers_field_errors_in_japanese(sw: SupWorld, api: Api) -> None:
    po = api(sw.po)
    r = po.post(
        "/trainings",
        {"kind": "basic", "title": "", "starts_on": "2026-04-10", "ends_on": "2026-04-01"},
    )
    for field in ("title", "ends_on"):
        assert all(JAPANESE.search(m) for m in field_errors(r, field))
    r = po.post(
        "/trainings",
        {
            "kind": "basic",
            "title": "養成研修",
            "starts_on": "2026-04-01",
            "ends_on": "2026-04-02",
            "sessions": [{"held_on": "2026-05-01", "topic": "外"}],
        },
    )
    assert field_errors(r, "sessions.0.held_on")
    assert field_errors(po.post("/trainings", {"kind": "x"}), "kind")
    r = po.post(f"/trainings/{sw.course.pk}/sessions", {"held_on": "2020-01-01", "topic": "x"})
    assert field_errors(r, "held_on")


def test_s1_course_roles(sw: SupWorld, api: Api) -> None:
    data = {
        "kind": "basic",
        "title": "養成研修",
        "starts_on": "2026-04-01",
        "ends_on": "2026-04-02",
    }
    # a coordinator reads courses (follow-up training) but does not run them
    assert ok(api(sw.dc).get(f"/trainings/{sw.course.pk}"))["title"]
    assert_error(api(sw.dc).post("/trainings", data), 403)
    assert_error(api(sw.dc).patch(f"/trainings/{sw.course.pk}", {"title": "x"}), 403)
    assert_error(api(sw.w.staff).get(f"/trainings/{sw.course.pk}"), 404)
    assert_error(api(sw.w.staff).post("/trainings", data), 404)
    assert_error(api(None).get("/trainings"), 401)


def test_s1_course_patch_and_conflict(sw: SupWorld, api: Api) -> None:
    po = api(sw.po)
    body = ok(po.patch(f"/trainings/{sw.course.pk}", {"place": "オンライン", "version": 1}))
    assert body["place"] == "オンライン" and body["version"] == 2
    assert_error(po.patch(f"/trainings/{sw.course.pk}", {"place": "x", "version": 1}), 409)


def test_s1_enrol_attend_complete(sw: SupWorld, api: Api) -> None:
    po = api(sw.po)
    trainee = ok(po.post("/supporters", {"name": "新人 花子", "name_kana": "ｼﾝｼﾞﾝ ﾊﾅｺ"}), 201)
    assert trainee["name_kana"] == "シンジン ハナコ" and trainee["status"] == "training"
    enrolment = ok(
        po.post(f"/trainings/{sw.course.pk}/enrolments", {"supporter": trainee["id"]}), 201
    )
    sessions = list(sw.course.sessions.all())
    done = f"/trainings/{sw.course.pk}/enrolments/{enrolment['id']}/complete"
    # rule S1: one session missed → refused, unless excused
    ok(
        po.put(
            f"/trainings/{sw.course.pk}/sessions/{sessions[0].pk}/attendance",
            {"present": [sw.a.pk, sw.b.pk, sw.c.pk, trainee["id"]]},
        )
    )
    messages = field_errors(po.post(done, {}), "completed_on")
    assert any(m.startswith("S1") for m in messages)
    day = days(-30)
    wareki = format_wareki(day).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    body = ok(po.post(done, {"completed_on": wareki, "excuse": "第2回は別日程で補講"}))
    assert body["completed_on"] == day.isoformat()
    # attendance names only enrolled trainees
    stranger = ok(po.post("/supporters", {"name": "未登録 者"}), 201)
    r = po.put(
        f"/trainings/{sw.course.pk}/sessions/{sessions[1].pk}/attendance",
        {"present": [stranger["id"]]},
    )
    assert field_errors(r, "present")
    assert field_errors(
        po.post(f"/trainings/{sw.course.pk}/enrolments", {"supporter": 999999}), "supporter"
    )
    assert_error(
        po.put(f"/trainings/{sw.course.pk}/sessions/999999/attendance", {"present": []}), 404
    )


# --- supporters -----------------------------------------------------------------------------


def test_s2_list_by_status_and_search(sw: SupWorld, api: Api) -> None:
    po = api(sw.po)
    registered = ok(po.get("/supporters", status="registered"))
    assert {s["name"] for s in registered["items"]} == {"高知 一郎", "南国 三子"}
    completed = ok(po.get("/supporters", status="completed"))
    assert [s["name"] for s in completed["items"]] == ["土佐 二郎"]
    assert ok(po.get("/supporters", q="ｺｳﾁ"))["count"] == 1
    assert ok(po.get("/supporters", q="高知　一郎"))["count"] == 1
    assert field_errors(po.get("/supporters", status="nope"), "status")
    logged = AuditEvent.objects.filter(action="supporter.viewed", actor=sw.po)
    assert logged.count() >= 4


def test_s2_register_bad_input(sw: SupWorld, api: Api) -> None:
    po = api(sw.po)
    r = po.post(
        "/supporters",
        {"name": "", "postal_code": "12", "birth_year": "１８００", "availability": ["noon"]},
    )
    assert field_errors(r, "availability.0")
    r = po.post("/supporters", {"name": "", "postal_code": "12", "birth_year": "１８００"})
    for field in ("name", "postal_code", "birth_year"):
        assert all(JAPANESE.search(m) for m in field_errors(r, field))
    assert field_errors(po.post("/supporters", {"name": "x", "municipality": 0}), "municipality")
    body = ok(
        po.post(
            "/supporters",
            {"name": "全角 太郎", "postal_code": "７８０－０８５０", "birth_year": "１９９０"},
        ),
        201,
    )
    assert body["postal_code"] == "780-0850" and body["birth_year"] == 1990
    assert_error(api(sw.dc).post("/supporters", {"name": "x"}), 403)
    assert_error(api(sw.w.staff).post("/supporters", {"name": "x"}), 404)


def test_s2_consent_refused_before_training_and_without_explanation(sw: SupWorld, api: Api) -> None:
    po = api(sw.po)
    trainee = ok(po.post("/supporters", {"name": "研修中 次郎"}), 201)
    messages = field_errors(
        po.post(
            f"/supporters/{trainee['id']}/consent", {"signed_on": "2026-01-05", "explained": True}
        ),
        "signed_on",
    )
    assert any(m.startswith("S2") for m in messages)
    assert field_errors(
        po.post(f"/supporters/{sw.b.pk}/consent", {"signed_on": str(days(-1)), "explained": False}),
        "explained",
    )
    future = po.post(
        f"/supporters/{sw.b.pk}/consent", {"signed_on": str(days(3)), "explained": True}
    )
    assert field_errors(future, "signed_on")
    early = po.post(  # before the training was completed (S2)
        f"/supporters/{sw.b.pk}/consent", {"signed_on": "令和7年12月1日", "explained": True}
    )
    assert any(m.startswith("S2") for m in field_errors(early, "signed_on"))
    body = ok(
        po.post(f"/supporters/{sw.b.pk}/consent", {"signed_on": str(days(-1)), "explained": True})
    )
    assert body["status"] == "registered" and body["consent_signed_on"] == str(days(-1))
    assert_error(
        api(sw.dc).post(
            f"/supporters/{sw.a.pk}/consent", {"signed_on": "2025-12-01", "explained": True}
        ),
        403,
    )


def test_s3_roster_release_and_confirmation(sw: SupWorld, api: Api) -> None:
    po, dc2 = api(sw.po), api(sw.dc2)
    release = ok(
        po.post(
            "/supporters/roster/releases", {"agency": sw.town_office.pk, "dispatch_status": "plans"}
        ),
        201,
    )
    # rule S2: only a and c signed their consent to act
    assert set(release["supporters"]) == {sw.a.pk, sw.c.pk}
    roster = ok(dc2.get("/supporters/roster"))
    assert {e["supporter"]["id"] for e in roster["items"]} == {sw.a.pk, sw.c.pk}
    assert not any(e["matchable"] for e in roster["items"])
    entry = next(e for e in roster["items"] if e["supporter"]["id"] == sw.c.pk)
    body = ok(dc2.post(f"/supporters/roster/{entry['id']}/confirm", {"wishes_to_act": True}))
    assert body["matchable"]
    assert field_errors(
        dc2.post(
            f"/supporters/roster/{entry['id']}/confirm", {"wishes_to_act": True, "on": str(days(2))}
        ),
        "on",
    )
    # 高知市's coordinator sees neither 南国市's roster nor its entries
    assert ok(api(sw.dc).get("/supporters/roster", agency=sw.town_office.pk))["count"] == 0
    assert_error(
        api(sw.dc).post(f"/supporters/roster/{entry['id']}/confirm", {"wishes_to_act": False}), 404
    )
    # the prefecture reads it but does not confirm for the municipality
    assert_error(po.post(f"/supporters/roster/{entry['id']}/confirm", {"wishes_to_act": True}), 403)
    assert field_errors(
        po.post(
            "/supporters/roster/releases", {"agency": sw.w.center.pk, "dispatch_status": "runs"}
        ),
        "agency",
    )
    assert field_errors(
        po.post(
            "/supporters/roster/releases", {"agency": sw.town_office.pk, "dispatch_status": "x"}
        ),
        "dispatch_status",
    )
    assert_error(
        api(sw.dc).post(
            "/supporters/roster/releases", {"agency": sw.town_office.pk, "dispatch_status": "runs"}
        ),
        403,
    )
    assert AuditEvent.objects.filter(action="roster.viewed", actor=sw.dc2).exists()


def test_s3_coordinator_sees_only_supporters_on_their_roster(sw: SupWorld, api: Api) -> None:
    dc = api(sw.dc)
    listed = ok(dc.get("/supporters"))
    assert {s["id"] for s in listed["items"]} == {sw.a.pk, sw.c.pk}
    assert_error(dc.get(f"/supporters/{sw.b.pk}"), 404)
    detail = ok(dc.get(f"/supporters/{sw.a.pk}"))
    assert detail["notes"] is None
    assert [r["agency"] for r in detail["rosters"]] == [sw.w.city_office.pk]
    assert_error(api(sw.dc2).get(f"/supporters/{sw.a.pk}"), 404)
    assert_error(dc.patch(f"/supporters/{sw.a.pk}", {"phone": "088-1"}), 403)
    assert_error(api(sw.w.tokyo_officer).get(f"/supporters/{sw.a.pk}"), 404)


def test_s3_withdrawal_leaves_every_roster(sw: SupWorld, api: Api) -> None:
    po = api(sw.po)
    body = ok(po.post(f"/supporters/{sw.c.pk}/withdraw", {"reason": "転居のため"}))
    assert body["status"] == "withdrawn"
    assert_error(api(sw.dc).get(f"/supporters/{sw.c.pk}"), 404)
    assert field_errors(po.post(f"/supporters/{sw.c.pk}/withdraw", {}), "withdrawn_on")
    assert not RosterEntry.objects.current().filter(supporter=sw.c).exists()


def test_supporter_own_record_and_preferences(sw: SupWorld, api: Api) -> None:
    me = api(sw.sup_user)
    mine = ok(me.get("/supporters/me"))
    assert mine["id"] == sw.a.pk and mine["notes"] is None
    body = ok(
        me.patch(
            f"/supporters/{sw.a.pk}",
            {
                "availability": ["weekday_morning", "weekend_afternoon"],
                "phone": "０９０－１１１１－２２２２",
                "version": mine["version"],
            },
        )
    )
    assert body["availability"] == ["weekday_morning", "weekend_afternoon"]
    assert body["phone"] == "090-1111-2222"
    # the name and the prefecture's notes are not theirs to change
    assert_error(me.patch(f"/supporters/{sw.a.pk}", {"name": "別名"}), 403)
    assert_error(me.get(f"/supporters/{sw.c.pk}"), 404)
    assert_error(me.patch(f"/supporters/{sw.a.pk}", {"phone": "x", "version": 1}), 409)
    assert_error(api(sw.w.supporter).get("/supporters/me"), 404)
    # the list holds their own record only; /supporters/me is the way to it
    assert [s["id"] for s in ok(me.get("/supporters"))["items"]] == [sw.a.pk]


def test_supporter_account(sw: SupWorld, api: Api) -> None:
    po = api(sw.po)
    body = ok(
        po.post(
            f"/supporters/{sw.c.pk}/account",
            {"username": "sup-mitsuko", "password": "Nankoku-2026-supporter"},
        ),
        201,
    )
    assert Supporter.objects.get(pk=sw.c.pk).user_id == body["user"]
    assert field_errors(
        po.post(
            f"/supporters/{sw.c.pk}/account",
            {"username": "x2", "password": "Nankoku-2026-supporter"},
        ),
        "username",
    )
    assert field_errors(
        po.post(
            f"/supporters/{sw.b.pk}/account",
            {"username": "sup-ichiro", "password": "Nankoku-2026-x"},
        ),
        "username",
    )
    assert field_errors(
        po.post(f"/supporters/{sw.b.pk}/account", {"username": "sup-jiro", "password": "1"}),
        "password",
    )
    assert_error(
        api(sw.dc).post(
            f"/supporters/{sw.c.pk}/account", {"username": "y", "password": "Nankoku-2026-x"}
        ),
        403,
    )


def test_consent_form_pdf(sw: SupWorld, api: Api) -> None:
    r = api(sw.po).get(f"/supporters/{sw.b.pk}/consent-form")
    assert r.status_code in (200, 503), r.content
    if r.status_code == 200:
        assert r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    else:
        assert_error(r, 503)
    assert_error(api(sw.dc).get(f"/supporters/{sw.a.pk}/consent-form"), 403)
    assert_error(api(sw.dc).get(f"/supporters/{sw.b.pk}/consent-form"), 404)
