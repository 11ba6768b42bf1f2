"""The dispatch API: request (S4), candidates ranked with reasons, match (S3), plan and consents
(S4), start, stop at once (S5), end, cancel, guidance and visit reports (S6), incidents (S8),
found cases (S7); the supporter's minimal view; another municipality's coordinator sees nothing."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from tests.api.factories import JAPANESE, ApiClient, World, assert_error, field_errors
from tests.api.test_supporters_world import SupWorld, active, days, make_sup_world, requested
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import User
from tsunagi.supporters import services as sv
from tsunagi.supporters.models import Dispatch, DispatchState

pytestmark = pytest.mark.django_db

Api = Callable[[User | None], ApiClient]
S3 = "S3: "


@pytest.fixture
def sw(world: World) -> SupWorld:
    return make_sup_world(world)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    return response.json()


REQUEST = {
    "requested_by": "family",
    "requester_name": "山田　花子",
    "person_wish": "同世代の話し相手がほしい",
    "wants_peer": True,
    "wanted_slots": ["weekday_morning"],
}
PLAN = {"purpose": "外出のきっかけづくり", "activity_plan": "週1回訪問", "activities": "趣味の話"}


def visit(d: int, **extra: Any) -> dict[str, Any]:
    return {
        "dispatch": d,
        "visited_on": str(timezone.localdate()),
        "duration_minutes": 60,
        "place": "home",
        "met": "person",
        "what_happened": "玄関先で10分ほど話した",
        **extra,
    }


# --- request ---------------------------------------------------------------------------------


def test_s4_request_opens_the_case_and_checks_the_wish(sw: SupWorld, api: Api) -> None:
    dc = api(sw.dc)
    body = ok(dc.post("/dispatches", {"person": sw.son.pk, **REQUEST}), 201)
    assert body["state"] == "requested" and body["number"].startswith("H")
    assert body["office"]["case"] is not None
    assert body["office"]["requester_name"] == "山田 花子"
    r = dc.post("/dispatches", {"person": sw.son.pk, **REQUEST, "person_wish": "  "})
    assert any(m.startswith("S4") for m in field_errors(r, "person_wish"))
    r = dc.post("/dispatches", {"person": sw.son.pk, **REQUEST, "requester_name": ""})
    assert all(JAPANESE.search(m) for m in field_errors(r, "requester_name"))
    assert field_errors(
        dc.post("/dispatches", {"person": sw.son.pk, **REQUEST, "wanted_slots": ["noon"]}),
        "wanted_slots.0",
    )
    assert field_errors(dc.post("/dispatches", {**REQUEST, "person": 0}), "person")
    future = dc.post("/dispatches", {"person": sw.son.pk, **REQUEST, "requested_on": str(days(2))})
    assert field_errors(future, "requested_on")
    # 南国市's coordinator cannot name 高知市's person; a supporter cannot open a request
    assert field_errors(api(sw.dc2).post("/dispatches", {"person": sw.son.pk, **REQUEST}), "person")
    assert_error(api(sw.sup_user).post("/dispatches", {"person": sw.son.pk, **REQUEST}), 403)
    assert_error(api(sw.w.staff).post("/dispatches", {"person": sw.son.pk, **REQUEST}), 404)


def test_s4_request_patch_and_conflict(sw: SupWorld, api: Api) -> None:
    d = requested(sw)
    dc = api(sw.dc)
    body = ok(dc.patch(f"/dispatches/{d.pk}", {"request_notes": "午前中が良い", "version": 1}))
    assert body["office"]["request_notes"] == "午前中が良い" and body["version"] == 2
    assert_error(dc.patch(f"/dispatches/{d.pk}", {"request_notes": "x", "version": 1}), 409)


# --- candidates and match (S3, S4) ---------------------------------------------------------


def test_s4_candidates_ranked_with_reasons(sw: SupWorld, api: Api) -> None:
    d = requested(sw)
    dc = api(sw.dc)
    # c confirmed too, so there are two to rank
    entry = sw.c.roster_entries.get(agency=sw.w.city_office)
    ok(dc.post(f"/supporters/roster/{entry.pk}/confirm", {"wishes_to_act": True}))
    body = ok(dc.get(f"/dispatches/{d.pk}/candidates"))
    assert [c["supporter"]["id"] for c in body["items"]] == [sw.a.pk, sw.c.pk]
    first = body["items"][0]
    assert first["rank"] == 1 and first["score"] > body["items"][1]["score"]
    assert all(r["rule"] == "S4" and JAPANESE.search(r["reason"]) for r in first["reasons"])
    assert_error(api(sw.sup_user).get(f"/dispatches/{d.pk}/candidates"), 404)
    assert_error(api(sw.dc2).get(f"/dispatches/{d.pk}/candidates"), 404)


def test_s3_supporter_without_consent_or_confirmation_cannot_be_matched(
    sw: SupWorld, api: Api
) -> None:
    d = requested(sw)
    dc = api(sw.dc)
    for s in (sw.b, sw.c):  # b: no signed consent (S2); c: not confirmed again (S3)
        messages = field_errors(
            dc.post(f"/dispatches/{d.pk}/match", {"supporter": s.pk}), "supporter"
        )
        assert messages[0].startswith(S3) and JAPANESE.search(messages[0])
    messages = field_errors(dc.post(f"/dispatches/{d.pk}/match", {"supporter": 0}), "supporter")
    assert messages[0].startswith(S3)
    body = ok(dc.post(f"/dispatches/{d.pk}/match", {"supporter": sw.a.pk}))
    assert body["state"] == "matched" and body["supporter"]["id"] == sw.a.pk
    assert body["office"]["match_reasons"]
    # 南国市 has not confirmed a; its coordinator does not even see the dispatch
    assert_error(api(sw.dc2).post(f"/dispatches/{d.pk}/match", {"supporter": sw.a.pk}), 404)


def test_s4_start_needs_plan_and_both_consents(sw: SupWorld, api: Api) -> None:
    d = requested(sw)
    dc = api(sw.dc)
    # not matched yet: the step is not possible → 409 with the reason in Japanese
    assert_error(dc.post(f"/dispatches/{d.pk}/start", {}), 409)
    ok(dc.post(f"/dispatches/{d.pk}/match", {"supporter": sw.a.pk}))
    messages = field_errors(dc.post(f"/dispatches/{d.pk}/start", {}), "__all__")
    assert any(m.startswith("S4") for m in messages)
    body = ok(dc.get(f"/dispatches/{d.pk}"))
    assert {f["field"] for f in body["office"]["start_findings"]} >= {"purpose", "person_consent"}
    r = dc.post(f"/dispatches/{d.pk}/consents", {"person_consent_on": str(timezone.localdate())})
    assert any(m.startswith("S4") for m in field_errors(r, "__all__"))
    assert field_errors(dc.put(f"/dispatches/{d.pk}/plan", {**PLAN, "purpose": ""}), "purpose")
    r = dc.put(
        f"/dispatches/{d.pk}/plan",
        {**PLAN, "starts_on": "令和8年5月1日", "ends_on": "令和8年4月1日"},
    )
    assert field_errors(r, "ends_on")
    ok(dc.put(f"/dispatches/{d.pk}/plan", PLAN))
    r = dc.post(f"/dispatches/{d.pk}/consents", {"person_consent_on": str(days(1))})
    assert field_errors(r, "person_consent_on")
    assert field_errors(dc.post(f"/dispatches/{d.pk}/consents", {}), "person_consent_on")
    ok(
        dc.post(
            f"/dispatches/{d.pk}/consents",
            {
                "person_consent_on": str(timezone.localdate()),
                "person_consent_by": "family",
                "person_consent_method": "verbal",
            },
        )
    )
    messages = field_errors(dc.post(f"/dispatches/{d.pk}/start", {}), "__all__")
    assert any("S4" in m for m in messages)
    ok(dc.post(f"/dispatches/{d.pk}/consents", {"supporter_consent_on": str(timezone.localdate())}))
    body = ok(dc.post(f"/dispatches/{d.pk}/start", {}))
    assert body["state"] == "active" and body["starts_on"] == str(timezone.localdate())
    assert_error(api(sw.sup_user).post(f"/dispatches/{d.pk}/start", {}), 403)


# --- the supporter's view -------------------------------------------------------------------


def test_supporter_sees_only_the_minimum_of_their_active_dispatch(sw: SupWorld, api: Api) -> None:
    waiting = requested(sw)
    d = active(sw)
    me = api(sw.sup_user)
    listed = ok(me.get("/dispatches"))
    assert [x["id"] for x in listed["items"]] == [d.pk]
    body = ok(me.get(f"/dispatches/{d.pk}"))
    assert body["office"] is None
    assert body["household"]["name"] == "山田 太郎"
    assert body["household"]["address"] == "高知市本町1-2-3"
    assert body["purpose"] == "外出のきっかけづくり"
    text = str(body)
    assert "person_wish" not in text and "case" not in text and "同世代" not in text
    assert_error(me.get(f"/dispatches/{waiting.pk}"), 404)
    # the person is read through the dispatch grant, logged on its ground
    logged = AuditEvent.objects.filter(actor=sw.sup_user, action="person.viewed").first()
    assert logged is not None and logged.grant.startswith("dispatch")
    assert AuditEvent.objects.filter(actor=sw.sup_user, action="dispatch.viewed").exists()
    # a supporter cannot list or search persons, nor open the person's record or case
    r = me.get("/persons", q="山田")
    if r.status_code == 200:
        assert r.json()["items"] == []
    else:
        assert_error(r, 403)
    assert_error(me.get(f"/persons/{sw.son.pk}"), 404)
    assert_error(me.get(f"/cases/{d.case_id}"), 404)
    # the other supporter user and the other municipality see nothing
    assert ok(api(sw.w.supporter).get("/dispatches"))["items"] == []
    assert_error(api(sw.w.supporter).get(f"/dispatches/{d.pk}"), 404)
    assert ok(api(sw.dc2).get("/dispatches"))["items"] == []
    assert_error(api(sw.dc2).get(f"/dispatches/{d.pk}"), 404)
    assert_error(api(sw.w.staff).get(f"/dispatches/{d.pk}"), 404)


def test_s5_stop_at_once_hides_everything_from_the_supporter(sw: SupWorld, api: Api) -> None:
    d = active(sw)
    me, dc = api(sw.sup_user), api(sw.dc)
    v = ok(me.post("/visit-reports", visit(d.pk)), 201)
    inc = ok(
        me.post(
            "/incidents",
            {
                "dispatch": d.pk,
                "visit": v["id"],
                "kind": "injury",
                "severity": "minor",
                "what_happened": "段差でつまずいた",
                "occurred_at": timezone.now().isoformat(),
            },
        ),
        201,
    )
    assert field_errors(
        dc.post(f"/dispatches/{d.pk}/stop", {"requested_by": "person", "reason": " "}), "reason"
    )
    # rule S5: never refused for a stale version
    sv.give_guidance(sw.dc, d, text="無理に外出を勧めない")
    body = ok(
        dc.post(f"/dispatches/{d.pk}/stop", {"requested_by": "person", "reason": "本人が希望"})
    )
    assert body["state"] == "stopped" and body["office"]["stop_reason"] == "本人が希望"
    assert ok(me.get("/dispatches"))["items"] == []
    assert_error(me.get(f"/dispatches/{d.pk}"), 404)
    assert_error(me.get(f"/visit-reports/{v['id']}"), 404)
    assert ok(me.get("/visit-reports"))["items"] == []
    assert_error(me.get(f"/incidents/{inc['id']}"), 404)
    assert_error(me.get(f"/persons/{sw.son.pk}"), 404)
    # rule S5: no visit after the stop — the supporter no longer sees it, the office gets 422
    assert_error(me.post("/visit-reports", visit(d.pk)), 404)
    messages = field_errors(dc.post("/visit-reports", visit(d.pk)), "dispatch")
    assert messages[0].startswith("S5") and JAPANESE.search(messages[0])
    assert_error(
        dc.post(f"/dispatches/{d.pk}/stop", {"requested_by": "person", "reason": "x"}), 409
    )


def test_end_and_cancel(sw: SupWorld, api: Api) -> None:
    dc = api(sw.dc)
    d = active(sw)
    assert_error(dc.post(f"/dispatches/{d.pk}/cancel", {"reason": "x"}), 409)
    assert field_errors(dc.post(f"/dispatches/{d.pk}/end", {"summary": ""}), "summary")
    assert_error(dc.post(f"/dispatches/{d.pk}/end", {"summary": "x", "version": 1}), 409)
    body = ok(dc.post(f"/dispatches/{d.pk}/end", {"summary": "就労支援につながった"}))
    assert body["state"] == "ended"
    assert_error(api(sw.sup_user).get(f"/dispatches/{d.pk}"), 404)
    other = Dispatch.objects.filter(state=DispatchState.REQUESTED).first() or requested(sw)
    assert field_errors(dc.post(f"/dispatches/{other.pk}/cancel", {"reason": ""}), "reason")
    assert (
        ok(dc.post(f"/dispatches/{other.pk}/cancel", {"reason": "家族が取り下げ"}))["state"]
        == "cancelled"
    )
    assert ok(dc.get("/dispatches", state="cancelled"))["count"] == 1


# --- visits and guidance (S6) ---------------------------------------------------------------


def test_s6_visits_and_guidance(sw: SupWorld, api: Api) -> None:
    d = active(sw)
    me, dc = api(sw.sup_user), api(sw.dc)
    r = me.post(
        "/visit-reports", visit(d.pk, duration_minutes="０", visited_on=str(days(1)), place="moon")
    )
    assert field_errors(r, "place")
    r = me.post("/visit-reports", visit(d.pk, duration_minutes="０", visited_on=str(days(1))))
    assert field_errors(r, "duration_minutes") and field_errors(r, "visited_on")
    r = me.post("/visit-reports", visit(d.pk, what_happened=""))
    assert field_errors(r, "what_happened")
    v = ok(me.post("/visit-reports", visit(d.pk, duration_minutes="９０")), 201)
    assert v["duration_minutes"] == 90 and v["written_by_me"]
    g = ok(
        dc.post(
            f"/dispatches/{d.pk}/guidance",
            {"text": "次回は散歩に誘ってみる", "report": v["id"], "follow_up_training": True},
        ),
        201,
    )
    assert g["follow_up_training"]
    assert field_errors(dc.post(f"/dispatches/{d.pk}/guidance", {"text": ""}), "text")
    assert field_errors(
        dc.post(f"/dispatches/{d.pk}/guidance", {"text": "x", "report": 0}), "report"
    )
    assert_error(me.post(f"/dispatches/{d.pk}/guidance", {"text": "x"}), 403)
    seen = ok(me.get(f"/visit-reports/{v['id']}"))
    assert [x["text"] for x in seen["guidance"]] == ["次回は散歩に誘ってみる"]
    assert ok(dc.get(f"/dispatches/{d.pk}"))["guidance"][0]["seen_at"] is None
    mine = ok(me.get(f"/dispatches/{d.pk}"))
    assert [x["id"] for x in mine["visits"]] == [v["id"]] and mine["guidance"]
    assert ok(dc.get(f"/dispatches/{d.pk}"))["guidance"][0]["seen_at"] is not None
    assert ok(dc.get("/visit-reports", dispatch=d.pk))["count"] == 1
    assert_error(api(sw.dc2).get(f"/visit-reports/{v['id']}"), 404)
    assert ok(api(sw.dc2).get("/visit-reports"))["items"] == []
    assert_error(me.post("/visit-reports", visit(999999)), 404)


# --- incidents (S8) -------------------------------------------------------------------------


def wareki_fullwidth(day: datetime.date) -> str:
    """The day as an officer types it: 令和 with full-width digits."""
    from tsunagi.web.wareki import format_wareki

    return format_wareki(day).translate(str.maketrans("0123456789", "０１２３４５６７８９"))


def test_s8_incident_reported_acknowledged_followed_and_closed(sw: SupWorld, api: Api) -> None:
    d = active(sw)
    me, dc = api(sw.sup_user), api(sw.dc)
    r = me.post(
        "/incidents",
        {
            "dispatch": d.pk,
            "kind": "x",
            "severity": "minor",
            "what_happened": "",
            "occurred_at": timezone.now().isoformat(),
        },
    )
    assert field_errors(r, "kind")
    r = me.post(
        "/incidents",
        {
            "dispatch": d.pk,
            "kind": "injury",
            "severity": "minor",
            "what_happened": "",
            "occurred_at": (timezone.now() + datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert field_errors(r, "what_happened") and field_errors(r, "occurred_at")
    inc = ok(
        me.post(
            "/incidents",
            {
                "dispatch": d.pk,
                "kind": "injury",
                "severity": "minor",
                "what_happened": "玄関の段差でつまずき膝を擦りむいた",
                "occurred_at": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
            },
        ),
        201,
    )
    assert inc["state"] == "reported" and inc["acknowledged_at"] is None
    waiting = ok(dc.get("/incidents", open=True))
    assert [i["id"] for i in waiting["items"]] == [inc["id"]]
    assert_error(me.post(f"/incidents/{inc['id']}/acknowledge"), 403)
    assert ok(dc.post(f"/incidents/{inc['id']}/acknowledge"))["acknowledged_at"]
    messages = field_errors(dc.post(f"/incidents/{inc['id']}/close", {"summary": "解決"}), "steps")
    assert messages[0].startswith("S8")
    assert field_errors(dc.post(f"/incidents/{inc['id']}/steps", {"what": ""}), "what")
    body = ok(
        dc.post(
            f"/incidents/{inc['id']}/steps",
            {"what": "保険会社へ連絡", "taken_on": wareki_fullwidth(timezone.localdate())},
        ),
        201,
    )
    assert body["state"] == "following_up"
    assert body["steps"][0]["taken_on"] == str(timezone.localdate())
    assert field_errors(dc.post(f"/incidents/{inc['id']}/close", {"summary": ""}), "summary")
    assert_error(dc.post(f"/incidents/{inc['id']}/close", {"summary": "x", "version": 1}), 409)
    closed = ok(dc.post(f"/incidents/{inc['id']}/close", {"summary": "治療不要、再発防止を助言"}))
    assert closed["state"] == "closed"
    assert ok(dc.get("/incidents", open=True))["items"] == []
    assert_error(api(sw.dc2).get(f"/incidents/{inc['id']}"), 404)
    assert AuditEvent.objects.filter(actor=sw.dc, action="incident.viewed").exists()


# --- found cases (S7) -----------------------------------------------------------------------


def test_s7_found_case_reported_and_decided(sw: SupWorld, api: Api) -> None:
    me, dc = api(sw.sup_user), api(sw.dc)
    r = me.post("/found-cases", {"where": "", "description": "", "estimated_age": "２００"})
    for field in ("where", "description", "estimated_age"):
        assert field_errors(r, field)
    f = ok(
        me.post(
            "/found-cases",
            {
                "where": "高知市朝倉の団地",
                "description": "雨戸が閉じたまま",
                "estimated_age": "４０",
            },
        ),
        201,
    )
    assert f["agency"] == sw.w.city_office.pk and f["estimated_age"] == 40
    assert [x["id"] for x in ok(me.get("/found-cases"))["items"]] == [f["id"]]
    assert_error(
        me.post(f"/found-cases/{f['id']}/decision", {"open_intake": False, "note": "x"}), 403
    )
    assert_error(api(sw.dc2).get(f"/found-cases/{f['id']}"), 404)
    # S7: a supporter no municipality has confirmed reports to none
    stranger = api(sw.w.supporter)
    body = {"where": "高知市", "description": "気になる家がある"}
    assert field_errors(stranger.post("/found-cases", body), "agency")
    assert_error(stranger.post("/found-cases", {**body, "agency": sw.w.city_office.pk}), 404)
    assert ok(stranger.get("/found-cases"))["items"] == []
    assert field_errors(
        dc.post(f"/found-cases/{f['id']}/decision", {"open_intake": True}), "person"
    )
    assert field_errors(
        dc.post(f"/found-cases/{f['id']}/decision", {"open_intake": False, "note": ""}), "note"
    )
    body = ok(
        dc.post(
            f"/found-cases/{f['id']}/decision",
            {"open_intake": True, "person": sw.son.pk, "note": "訪問相談へ"},
        )
    )
    assert body["state"] == "intake_opened" and body["case"] is not None
    assert_error(
        dc.post(f"/found-cases/{f['id']}/decision", {"open_intake": False, "note": "x"}), 409
    )


# --- print ----------------------------------------------------------------------------------


def test_dispatch_plan_pdf(sw: SupWorld, api: Api) -> None:
    d = active(sw)
    r = api(sw.dc).get(f"/dispatches/{d.pk}/print")
    assert r.status_code in (200, 503), r.content
    if r.status_code == 200:
        assert r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    else:
        assert_error(r, 503)
    assert_error(api(sw.sup_user).get(f"/dispatches/{d.pk}/print"), 403)
    assert_error(api(sw.dc2).get(f"/dispatches/{d.pk}/print"), 404)
    assert AuditEvent.objects.filter(actor=sw.dc, action="dispatch.printed").exists() is (
        r.status_code == 200
    )
    # S4: a request without a plan cannot be printed
    messages = field_errors(api(sw.dc).get(f"/dispatches/{requested(sw).pk}/print"), "purpose")
    assert messages[0].startswith("S4")
