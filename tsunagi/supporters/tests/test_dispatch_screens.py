"""The municipality's dispatch screens (rules S3-S7): the roster and its confirmation, the
request, matching with reasons, plan and consents, start, the stop at once, guidance, found cases
and the referral link; another municipality, a supporter, a municipal officer: 404 / 403."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Membership, Role, User
from tsunagi.supporters import services as sv
from tsunagi.supporters.models import (
    Dispatch,
    DispatchState,
    FoundCase,
    FoundCaseState,
    Guidance,
    RosterEntry,
)
from tsunagi.supporters.tests.factories import (
    PASSWORD,
    World,
    days,
    make_dispatch,
    make_supporter,
    make_world,
)

pytestmark = pytest.mark.django_db


def login(user: User) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def municipal_officer(w: World) -> User:
    u = User.objects.create_user(username="muni-officer", password=PASSWORD, full_name="市 職員")
    Membership.objects.create(user=u, agency=w.city_office, role=Role.MUNICIPAL_OFFICER)
    return u


def text(response: Any) -> str:
    return response.content.decode()


# --- roster (S3) ------------------------------------------------------------------------------


def test_s3_roster_lists_the_office_supporters_and_logs_the_read() -> None:
    w = make_world()
    r = login(w.coordinator).get(reverse("supporters:roster"))
    assert r.status_code == 200
    assert "高知 一郎" in text(r) and "南国 花子" in text(r)
    assert AuditEvent.objects.filter(action="roster.viewed", actor=w.coordinator).exists()


def test_s3_roster_confirm_and_decline() -> None:
    w = make_world()
    s = make_supporter(w, "未確認 三郎", on_roster=False)
    sv.give_roster(w.officer, w.city_office, dispatch_status="runs")
    entry = RosterEntry.objects.get(agency=w.city_office, supporter=s)
    c = login(w.coordinator)
    r = c.get(reverse("supporters:roster"))
    assert "roster-waiting" in text(r)
    r = c.post(reverse("supporters:roster_confirm", args=[entry.pk]), {"wishes_to_act": "yes"})
    assert r.status_code == 302
    entry.refresh_from_db()
    assert entry.confirmed_on is not None
    r = c.post(reverse("supporters:roster_confirm", args=[entry.pk]), {"wishes_to_act": "no"})
    entry.refresh_from_db()
    assert entry.declined_on is not None


def test_s3_roster_confirm_bad_input_keeps_the_page() -> None:
    w = make_world()
    entry = RosterEntry.objects.filter(agency=w.city_office).first()
    assert entry is not None
    c = login(w.coordinator)
    r = c.post(reverse("supporters:roster_confirm", args=[entry.pk]), {"wishes_to_act": "maybe"})
    assert r.status_code == 400
    r = c.post(
        reverse("supporters:roster_confirm", args=[entry.pk]),
        {"wishes_to_act": "yes", "on": "令和99年1月1日", "note": "本人に電話で確認"},
    )
    assert r.status_code == 400
    assert "本人に電話で確認" in text(r)


def test_s3_withdrawn_supporter_is_gone_from_the_roster_at_once() -> None:
    w = make_world()
    sv.withdraw(w.officer, w.supporters[1], on=days(0), reason="転居")
    r = login(w.coordinator).get(reverse("supporters:roster"))
    assert "南国 花子" not in text(r)


def test_roster_other_roles_cannot_confirm() -> None:
    w = make_world()
    entry = RosterEntry.objects.get(agency=w.city_office, supporter=w.supporter)
    # another municipality's coordinator: 404 on this office's entry
    r = login(w.other_coordinator).post(
        reverse("supporters:roster_confirm", args=[entry.pk]), {"wishes_to_act": "no"}
    )
    assert r.status_code == 404
    for user in (w.supporter_user, municipal_officer(w)):
        c = login(user)
        assert c.get(reverse("supporters:roster")).status_code in (403, 404)
        r = c.post(reverse("supporters:roster_confirm", args=[entry.pk]), {"wishes_to_act": "no"})
        assert r.status_code == 404
    entry.refresh_from_db()
    assert entry.declined_on is None


# --- request (S4) -----------------------------------------------------------------------------


def test_s4_new_request_for_a_person_found_by_kana() -> None:
    w = make_world()
    assert w.person is not None
    w.person.family_name_kana, w.person.given_name_kana = "ヤマダ", "タロウ"
    w.person.save()
    c = login(w.coordinator)
    r = c.get(reverse("supporters:dispatch_new"), {"q": "やまだ"})
    assert r.status_code == 200 and "山田 太郎" in text(r)
    r = c.post(
        reverse("supporters:dispatch_new"),
        {
            "action": "request",
            "person": w.person.pk,
            "requested_on": "令和7年4月1日",
            "requested_by": "family",
            "requester_name": "山田 花子",
            "person_wish": "話し相手がほしい。\n外に出たい。",
            "wants_sex": "male",
            "wants_peer": "on",
            "wanted_slots": ["weekday_morning"],
            "wanted_languages": ["ja"],
        },
    )
    assert r.status_code == 302
    d = Dispatch.objects.get(person=w.person)
    assert d.person_wish == "話し相手がほしい。\n外に出たい。"
    assert d.wants_peer and d.wanted_slots == ["weekday_morning"]


def test_s4_request_without_wish_or_family_name_is_refused_and_keeps_the_input() -> None:
    w = make_world()
    assert w.person is not None
    r = login(w.coordinator).post(
        reverse("supporters:dispatch_new") + f"?person={w.person.pk}",
        {
            "action": "request",
            "person": w.person.pk,
            "requested_on": "2025-04-01",
            "requested_by": "family",
            "person_wish": "",
            "request_notes": "母親から電話",
        },
    )
    assert r.status_code == 400
    body = text(r)
    assert "母親から電話" in body
    assert body.count("field__error") >= 2
    assert not Dispatch.objects.exists()


def test_s4_request_registers_a_new_person_in_the_office() -> None:
    w = make_world()
    c = login(w.coordinator)
    r = c.post(
        reverse("supporters:dispatch_new"),
        {"action": "register", "p-family_name": "ＳＡＴＯ", "p-given_name": "次郎"},
    )
    assert r.status_code == 302
    assert "person=" in r["Location"]
    r = c.post(reverse("supporters:dispatch_new"), {"action": "register", "p-family_name": ""})
    assert r.status_code == 400


def test_request_screen_refuses_another_office_person() -> None:
    w = make_world()
    assert w.person is not None
    r = login(w.other_coordinator).get(reverse("supporters:dispatch_new"), {"person": w.person.pk})
    assert r.status_code == 404


# --- the dispatch page, matching, plan, consents, start (S4) --------------------------------


def test_s4_dispatch_page_shows_findings_until_resolved_and_no_start_button() -> None:
    w = make_world()
    d = make_dispatch(w, state=DispatchState.REQUESTED)
    c = login(w.coordinator)
    r = c.get(reverse("supporters:dispatch", args=[d.pk]))
    body = text(r)
    assert r.status_code == 200
    assert "start-findings" in body and 'data-rule="S4"' in body
    assert "start-button" not in body
    assert AuditEvent.objects.filter(action="dispatch.viewed", actor=w.coordinator).exists()


def test_s4_matching_ranks_with_reasons_and_chooses() -> None:
    w = make_world()
    d = make_dispatch(w, state=DispatchState.REQUESTED, wants_peer=True)
    c = login(w.coordinator)
    r = c.get(reverse("supporters:match", args=[d.pk]))
    body = text(r)
    assert r.status_code == 200
    assert body.index("高知 一郎") < body.index("南国 花子")
    assert "S3" in body and "S4" in body
    assert AuditEvent.objects.filter(action="dispatch.candidates").exists()
    r = c.post(
        reverse("supporters:match", args=[d.pk]),
        {"supporter": w.supporter.pk, "version": d.version},
    )
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.supporter_id == w.supporter.pk and d.match_reasons


def test_s3_matching_refuses_a_supporter_not_confirmed() -> None:
    w = make_world()
    s = make_supporter(w, "未確認 三郎", on_roster=False)
    d = make_dispatch(w, state=DispatchState.REQUESTED)
    r = login(w.coordinator).post(reverse("supporters:match", args=[d.pk]), {"supporter": s.pk})
    assert r.status_code == 400
    assert "S3" in text(r)
    d.refresh_from_db()
    assert d.supporter_id is None


def test_s4_plan_consents_then_start() -> None:
    w = make_world()
    d = make_dispatch(w, state=DispatchState.MATCHED)
    c = login(w.coordinator)
    r = c.post(
        reverse("supporters:dispatch_plan", args=[d.pk]),
        {"purpose": "外出", "activity_plan": "", "activities": "話し相手", "version": d.version},
    )
    assert r.status_code == 400 and "外出" in text(r)
    r = c.post(
        reverse("supporters:dispatch_plan", args=[d.pk]),
        {
            "purpose": "外出のきっかけ",
            "activity_plan": "週1回",
            "activities": "話し相手",
            "starts_on": "R7.5.1",
            "ends_on": "R7.4.1",
            "version": d.version,
        },
    )
    assert r.status_code == 400  # ends before it starts
    r = c.post(
        reverse("supporters:dispatch_plan", args=[d.pk]),
        {"purpose": "外出のきっかけ", "activity_plan": "週1回", "activities": "話し相手",
         "version": d.version},
    )  # fmt: skip
    assert r.status_code == 302
    d.refresh_from_db()
    r = c.post(
        reverse("supporters:dispatch_consents", args=[d.pk]),
        {"person_consent_by": "person", "person_consent_method": "signed", "version": d.version},
    )
    assert r.status_code == 400
    r = c.post(
        reverse("supporters:dispatch_consents", args=[d.pk]),
        {
            "person_consent_on": days(0).isoformat(),
            "person_consent_by": "family",
            "person_consent_method": "verbal",
            "supporter_consent_on": days(0).isoformat(),
            "version": d.version,
        },
    )
    assert r.status_code == 302
    d.refresh_from_db()
    body = text(c.get(reverse("supporters:dispatch", args=[d.pk])))
    assert "start-findings" not in body and "start-button" in body
    r = c.post(reverse("supporters:dispatch_step", args=[d.pk, "start"]), {"version": d.version})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.state == DispatchState.ACTIVE


def test_s4_start_refused_with_findings() -> None:
    w = make_world()
    d = make_dispatch(w, state=DispatchState.MATCHED)
    r = login(w.coordinator).post(reverse("supporters:dispatch_step", args=[d.pk, "start"]))
    assert r.status_code == 400
    assert "S4" in text(r)
    d.refresh_from_db()
    assert d.state == DispatchState.MATCHED


def test_edit_request_keeps_input_on_error() -> None:
    w = make_world()
    d = make_dispatch(w, state=DispatchState.REQUESTED)
    c = login(w.coordinator)
    assert c.get(reverse("supporters:dispatch_edit", args=[d.pk])).status_code == 200
    r = c.post(
        reverse("supporters:dispatch_edit", args=[d.pk]),
        {"requested_on": "2025-04-01", "requested_by": "person", "person_wish": "",
         "request_notes": "変更メモ", "version": d.version},
    )  # fmt: skip
    assert r.status_code == 400 and "変更メモ" in text(r)


# --- stop (S5), end, cancel ---------------------------------------------------------------


def test_s5_stop_at_once_and_the_supporter_no_longer_sees_the_household() -> None:
    w = make_world()
    d = make_dispatch(w)
    sup = login(w.supporter_user)
    assert sup.get(reverse("supporters:mine_dispatch", args=[d.pk])).status_code == 200
    c = login(w.coordinator)
    body = text(c.get(reverse("supporters:dispatch", args=[d.pk])))
    assert "stop-button" in body
    r = c.post(reverse("supporters:dispatch_stop", args=[d.pk]), {"requested_by": "person"})
    assert r.status_code == 400  # the reason is required
    d.refresh_from_db()
    assert d.state == DispatchState.ACTIVE
    r = c.post(
        reverse("supporters:dispatch_stop", args=[d.pk]),
        {"requested_by": "person", "reason": "本人がやめたいと言った"},
    )
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.state == DispatchState.STOPPED and d.stop_reason == "本人がやめたいと言った"
    body = text(c.get(reverse("supporters:dispatch", args=[d.pk])))
    assert 'id="stopped"' in body and "stop-button" not in body
    assert sup.get(reverse("supporters:mine_dispatch", args=[d.pk])).status_code == 404


def test_end_and_cancel_need_a_reason() -> None:
    w = make_world()
    d = make_dispatch(w)
    c = login(w.coordinator)
    r = c.post(reverse("supporters:dispatch_step", args=[d.pk, "end"]), {"summary": ""})
    assert r.status_code == 400
    r = c.post(reverse("supporters:dispatch_step", args=[d.pk, "end"]), {"summary": "達成"})
    assert r.status_code == 302
    d2 = make_dispatch(w, state=DispatchState.REQUESTED)
    r = c.post(reverse("supporters:dispatch_step", args=[d2.pk, "cancel"]), {"reason": ""})
    assert r.status_code == 400
    r = c.post(reverse("supporters:dispatch_step", args=[d2.pk, "cancel"]), {"reason": "取下げ"})
    assert r.status_code == 302
    assert c.post(reverse("supporters:dispatch_step", args=[d2.pk, "fly"])).status_code == 404


# --- guidance (S6) ---------------------------------------------------------------------------


def test_s6_guidance_per_visit_with_follow_up_training() -> None:
    w = make_world()
    d = make_dispatch(w)
    v = sv.record_visit(
        w.supporter_user,
        d,
        {"visited_on": days(0), "duration_minutes": 60, "place": "home", "met": "person",
         "what_happened": "話した"},
    )  # fmt: skip
    c = login(w.coordinator)
    r = c.post(reverse("supporters:guidance_add", args=[d.pk]), {"text": ""})
    assert r.status_code == 400
    r = c.post(
        reverse("supporters:guidance_add", args=[d.pk]),
        {"text": "急がず、本人のペースで。", "report": v.pk, "follow_up_training": "on"},
    )
    assert r.status_code == 302
    g = Guidance.objects.get(dispatch=d)
    assert g.report_id == v.pk and g.follow_up_training


# --- S7: referral link, found cases -----------------------------------------------------------


def test_s7_dispatch_page_links_to_the_referral_of_its_case_with_consent_note() -> None:
    w = make_world()
    d = make_dispatch(w)
    body = text(login(w.coordinator).get(reverse("supporters:dispatch", args=[d.pk])))
    assert reverse("referrals:new", args=[d.case_id]) in body
    assert "P1" in body


def _found(w: World, **extra: Any) -> FoundCase:
    return sv.report_found_case(
        w.supporter_user,
        w.city_office,
        {"where": "高知市旭町", "description": "昼間も雨戸が閉まったまま", **extra},
    )


def test_s7_found_case_opens_an_intake_for_a_registered_person() -> None:
    w = make_world()
    fc = _found(w, urgent=True)
    c = login(w.coordinator)
    r = c.get(reverse("supporters:found_cases"))
    assert r.status_code == 200 and "高知市旭町" in text(r)
    r = c.get(reverse("supporters:found_case", args=[fc.pk]))
    assert r.status_code == 200
    assert AuditEvent.objects.filter(action="found_case.viewed").exists()
    # no person chosen: refused, nothing decided
    r = c.post(reverse("supporters:found_case", args=[fc.pk]), {"decision": "intake"})
    assert r.status_code == 400
    r = c.post(
        reverse("supporters:found_case", args=[fc.pk]),
        {"action": "register", "p-family_name": "旭", "p-given_name": "一"},
    )
    assert r.status_code == 302
    person_pk = r["Location"].split("person=")[1]
    r = c.post(
        reverse("supporters:found_case", args=[fc.pk]),
        {"decision": "intake", "person": person_pk, "note": "訪問予定"},
    )
    assert r.status_code == 302
    fc.refresh_from_db()
    assert fc.state == FoundCaseState.INTAKE_OPENED and fc.case is not None
    assert fc.case.agency_id == w.city_office.pk


def test_s7_found_case_no_action_needs_a_reason() -> None:
    w = make_world()
    fc = _found(w)
    c = login(w.coordinator)
    r = c.post(reverse("supporters:found_case", args=[fc.pk]), {"decision": "none", "note": ""})
    assert r.status_code == 400
    r = c.post(
        reverse("supporters:found_case", args=[fc.pk]),
        {"decision": "none", "note": "既に支援中の世帯"},
    )
    assert r.status_code == 302
    fc.refresh_from_db()
    assert fc.state == FoundCaseState.NO_ACTION


# --- roles ------------------------------------------------------------------------------------


def test_other_roles_get_404_on_the_dispatch_screens() -> None:
    w = make_world()
    d = make_dispatch(w)
    fc = _found(w)
    urls = [
        reverse("supporters:dispatches"),
        reverse("supporters:dispatch_new"),
        reverse("supporters:dispatch", args=[d.pk]),
        reverse("supporters:dispatch_edit", args=[d.pk]),
        reverse("supporters:match", args=[d.pk]),
        reverse("supporters:dispatch_plan", args=[d.pk]),
        reverse("supporters:dispatch_consents", args=[d.pk]),
        reverse("supporters:found_cases"),
        reverse("supporters:found_case", args=[fc.pk]),
    ]
    own = {reverse("supporters:dispatches"), reverse("supporters:found_cases"),
           reverse("supporters:dispatch_new")}  # fmt: skip
    other = login(w.other_coordinator)
    for url in urls:
        # another municipality's coordinator runs their own lists, never this office's records
        assert other.get(url).status_code == (200 if url in own else 404), url
    for user in (w.supporter_user, municipal_officer(w)):
        c = login(user)
        for url in urls:
            assert c.get(url).status_code in (403, 404), (user, url)
        r = c.post(
            reverse("supporters:dispatch_stop", args=[d.pk]),
            {"requested_by": "supporter", "reason": "x"},
        )
        assert r.status_code == 404
    d.refresh_from_db()
    assert d.state == DispatchState.ACTIVE


def test_dispatch_list_filters_and_paginates() -> None:
    w = make_world()
    active = make_dispatch(w)
    requested = make_dispatch(w, state=DispatchState.REQUESTED)
    c = login(w.coordinator)
    body = text(c.get(reverse("supporters:dispatches"), {"state": "active"}))
    assert f"row-{active.pk}" in body and f"row-{requested.pk}" not in body
    body = text(c.get(reverse("supporters:dispatches"), {"state": "nonsense", "page": "x"}))
    assert f"row-{active.pk}" in body and f"row-{requested.pk}" in body
    assert text(login(w.other_coordinator).get(reverse("supporters:dispatches"))).count("row-") == 0


def test_home_panels_for_coordinator_and_supporter() -> None:
    w = make_world()
    d = make_dispatch(w)
    sv.report_incident(
        w.supporter_user,
        d,
        {"occurred_at": __import__("django.utils.timezone").utils.timezone.now(),
         "kind": "injury", "severity": "serious", "what_happened": "転倒"},
    )  # fmt: skip
    _found(w)
    body = text(login(w.coordinator).get(reverse("web:home")))
    assert "home-incidents-unseen-panel" in body
    assert body.index("home-incidents-unseen-panel") < body.index("home-dispatch-panel")
    body = text(login(w.supporter_user).get(reverse("web:home")))
    assert reverse("supporters:mine") in body and "home-dispatch-panel" not in body


def test_menu_rows_only_for_the_coordinator() -> None:
    from tsunagi.web.navigation import menu_for

    w = make_world()
    roster_url = reverse("supporters:roster")
    assert roster_url in [i.url for i in menu_for(w.coordinator, "/")]
    for user in (w.supporter_user, w.officer, municipal_officer(w)):
        assert roster_url not in [i.url for i in menu_for(user, "/")]
