"""Review of issue 7 (supporters, rules S1-S8) by a second pair of eyes.

Each test names one problem found in the review and fails until it is fixed; it is marked
`xfail(strict=True)` so the suite stays green meanwhile (and tells when a fix lands: the
xfail then passes and must be unmarked).
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.utils import timezone

from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Membership, Role, User
from tsunagi.supporters import services as sv
from tsunagi.supporters.models import Dispatch, RosterEntry

from .factories import (
    PASSWORD,
    World,
    make_dispatch,
    make_person,
    make_supporter,
    make_world,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _post(c: Client, url: str, body: dict[str, Any]) -> Any:
    return c.post(url, data=json.dumps(body), content_type="application/json")


def _put(c: Client, url: str, body: dict[str, Any]) -> Any:
    return c.put(url, data=json.dumps(body), content_type="application/json")


def _patch(c: Client, url: str, body: dict[str, Any]) -> Any:
    return c.patch(url, data=json.dumps(body), content_type="application/json")


def _operator() -> User:
    user = User.objects.create_user(username="op-review", password=PASSWORD, full_name="op")
    Membership.objects.create(user=user, agency=None, role=Role.OPERATOR)
    return user


def _status(call: Any) -> int:
    """The answer's status; a server error (raised by the test client) as 500, inside a
    savepoint so that a statement PostgreSQL refused does not spoil the next call."""
    try:
        with transaction.atomic():
            return int(call().status_code)
    except Exception:  # the server error is what the test looks for
        return 500


def _personal_events() -> int:
    return AuditEvent.objects.filter(personal=True).count()


# --- (1) leaks --------------------------------------------------------------------------------


def test_review_course_screen_shows_trainees_only_to_those_who_may_see_them() -> None:
    w = make_world()
    muni = User.objects.create_user(username="muni-review", password=PASSWORD, full_name="m")
    Membership.objects.create(user=muni, agency=w.city_office, role=Role.MUNICIPAL_OFFICER)
    url = f"/supporters/courses/{w.course.pk}/"
    for user in (_operator(), muni):
        r = _client(user).get(url)
        assert r.status_code in (200, 404)
        text = r.content.decode()
        assert "高知 一郎" not in text, user.username
        assert "南国 花子" not in text, user.username


def test_review_found_case_decision_stays_with_the_office() -> None:
    w = make_world()
    found = sv.report_found_case(
        w.supporter_user, w.city_office, {"where": "高知市内", "description": "気になる家"}
    )
    sv.decide_found_case(
        w.coordinator, found, open_intake=False, note="MKDECISION 家族が支援を拒否"
    )
    r = _client(w.supporter_user).get(f"{API}/found-cases/{found.pk}")
    assert r.status_code in (200, 404)
    assert "MKDECISION" not in r.content.decode()
    r = _client(w.supporter_user).get(f"{API}/found-cases")
    assert "MKDECISION" not in r.content.decode()


# --- (3) rules --------------------------------------------------------------------------------


def test_review_s5_mine_page_survives_a_dispatch_without_grant() -> None:
    w = make_world()
    s = make_supporter(w, "土佐 三郎", account=False)
    d = make_dispatch(w, s)
    assert d.grant_id is None
    user = sv.give_account(w.officer, s, username="late-account", password=PASSWORD)
    other_person = make_person(w, "別所", "花")
    # a later dispatch for the same supporter, with its grant
    d2 = make_dispatch(w, Dispatch.objects.get(pk=d.pk).supporter, person=other_person)
    assert d2.grant_id is not None
    r = _client(user).get("/supporters/mine/")
    assert r.status_code == 200
    assert "別所" in r.content.decode()


# --- (2) access log ---------------------------------------------------------------------------


def _world_with_incident() -> tuple[World, Dispatch]:
    w = make_world()
    d = make_dispatch(w)
    sv.report_incident(
        w.supporter_user,
        d,
        {"occurred_at": timezone.now(), "kind": "injury", "severity": "minor",
         "what_happened": "転倒"},
    )  # fmt: skip
    return w, d


def test_review_incident_list_screen_is_logged() -> None:
    w, _d = _world_with_incident()
    before = _personal_events()
    r = _client(w.coordinator).get("/supporters/incidents/")
    assert r.status_code == 200
    assert _personal_events() > before


def test_review_found_list_screen_is_logged() -> None:
    w = make_world()
    sv.report_found_case(w.supporter_user, w.city_office, {"where": "高知市", "description": "x"})
    before = _personal_events()
    r = _client(w.coordinator).get("/supporters/found/")
    assert r.status_code == 200
    assert _personal_events() > before


def test_review_plan_and_consent_screens_are_logged() -> None:
    w = make_world()
    d = make_dispatch(w, state="matched")
    c = _client(w.coordinator)
    for url in (f"/supporters/dispatches/{d.pk}/plan/", f"/supporters/dispatches/{d.pk}/consents/"):
        before = _personal_events()
        r = c.get(url)
        assert r.status_code == 200
        assert _personal_events() > before, url


# --- (4) bad input: never a 500 -----------------------------------------------------------------


def test_review_huge_offset_is_422_not_500() -> None:
    w = make_world()
    c = _client(w.coordinator)
    failed = [
        path
        for path in ("/dispatches", "/supporters/roster", "/trainings", "/supporters")
        if _status(lambda p=path: c.get(f"{API}{p}?offset={2**63}")) >= 500
    ]
    assert failed == []


def test_review_nul_character_is_422_not_500() -> None:
    w = make_world()
    d = make_dispatch(w)
    co, of, su = _client(w.coordinator), _client(w.officer), _client(w.supporter_user)
    calls = [
        ("guidance", lambda: _post(co, f"{API}/dispatches/{d.pk}/guidance", {"text": "x\x00"})),
        ("request", lambda: _post(co, f"{API}/dispatches", {
            "person": w.person.pk if w.person else 0, "requested_by": "person",
            "person_wish": "a\x00b"})),
        ("found", lambda: _post(su, f"{API}/found-cases", {"where": "x\x00", "description": "y"})),
        ("me", lambda: _patch(su, f"{API}/supporters/{w.supporter.pk}", {"preferences": "p\x00"})),
        ("name", lambda: _patch(of, f"{API}/supporters/{w.supporter.pk}", {"name": "x\x00"})),
        ("search", lambda: of.get(f"{API}/supporters", {"q": "\x00"})),
    ]  # fmt: skip
    failed = [name for name, call in calls if _status(call) >= 500]
    assert failed == []


def test_review_incident_in_year_one_is_422_not_500() -> None:
    w = make_world()
    d = make_dispatch(w)
    c = _client(w.supporter_user)
    c.raise_request_exception = False
    r = _post(
        c,
        f"{API}/incidents",
        {"dispatch": d.pk, "occurred_at": "0001-01-01T00:00", "kind": "injury",
         "severity": "minor", "what_happened": "x"},
    )  # fmt: skip
    assert r.status_code == 422


def test_review_ancient_request_date_is_refused_and_list_survives() -> None:
    w = make_world()
    c = _client(w.coordinator)
    c.raise_request_exception = False
    assert w.person is not None
    r = _post(
        c,
        f"{API}/dispatches",
        {"person": w.person.pk, "requested_by": "person", "person_wish": "話し相手",
         "requested_on": "０００１－０１－０１"},
    )  # fmt: skip
    assert c.get("/supporters/dispatches/").status_code == 200
    assert r.status_code == 422


def test_review_ancient_withdrawal_date_is_refused() -> None:
    w = make_world()
    c = _client(w.officer)
    c.raise_request_exception = False
    with transaction.atomic():
        r = _post(c, f"{API}/supporters/{w.supporter.pk}/withdraw", {"on": "0001-01-01"})
    shown = [
        c.get(f"/supporters/{w.supporter.pk}/").status_code,
        c.get("/supporters/", {"status": "withdrawn"}).status_code,
        c.get(f"{API}/supporters/{w.supporter.pk}").status_code,
    ]
    assert shown == [200, 200, 200]
    assert r.status_code == 422


def test_review_ancient_training_and_roster_dates_are_refused() -> None:
    w = make_world()
    of, co = _client(w.officer), _client(w.coordinator)
    late = make_supporter(w, "三 番", consented=False, on_roster=False)
    writes = {
        "course": _status(lambda: _post(of, f"{API}/trainings", {
            "kind": "basic", "title": "古", "starts_on": "0001-01-01", "ends_on": "0001-01-02"})),
        "consent": _status(lambda: _post(of, f"{API}/supporters/{late.pk}/consent", {
            "signed_on": "0001-01-01", "explained": True})),
        "release": _status(lambda: _post(of, f"{API}/supporters/roster/releases", {
            "agency": w.city_office.pk, "dispatch_status": "runs", "given_on": "0001-01-01"})),
    }  # fmt: skip
    entry = RosterEntry.objects.filter(agency=w.city_office, supporter=late).first()
    if entry is not None:
        writes["confirm"] = _status(
            lambda: _post(
                co,
                f"{API}/supporters/roster/{entry.pk}/confirm",
                {"wishes_to_act": True, "on": "0001-01-01"},
            )
        )
    screens = {
        url: _status(lambda u=url, c=c: c.get(u))
        for url, c in (
            ("/supporters/courses/", of),
            ("/supporters/", of),
            (f"/supporters/{late.pk}/", of),
            ("/supporters/roster/releases/", of),
            ("/supporters/roster/", co),
        )
    }
    assert [u for u, code in screens.items() if code >= 500] == []
    assert {k: v for k, v in writes.items() if v != 422} == {}


def test_review_attendance_and_completion_screens_are_logged() -> None:
    w = make_world()
    c = _client(w.officer)
    session = w.course.sessions.first()
    enrolment = w.course.enrolments.first()
    assert session is not None and enrolment is not None
    for url in (
        f"/supporters/sessions/{session.pk}/attendance/",
        f"/supporters/enrolments/{enrolment.pk}/complete/",
    ):
        before = _personal_events()
        r = c.get(url)
        assert r.status_code == 200
        assert _personal_events() > before, url


def test_review_s2_consent_not_dated_before_completion() -> None:
    w = make_world()
    late = make_supporter(w, "四 番", consented=False, on_roster=False)
    completed = late.enrolments.get().completed_on
    assert completed is not None
    c = _client(w.officer)
    before = (completed - datetime.timedelta(days=5)).isoformat()
    r = _post(c, f"{API}/supporters/{late.pk}/consent", {"signed_on": before, "explained": True})
    assert r.status_code == 422


def test_review_s3_decline_stops_the_supporters_dispatches_there() -> None:
    w = make_world()
    d = make_dispatch(w)
    entry = RosterEntry.objects.get(agency=w.city_office, supporter=w.supporter)
    try:
        sv.confirm_entry(w.coordinator, entry, wishes_to_act=False)
    except ValidationError:
        return  # refused while a dispatch is active: also acceptable
    d.refresh_from_db()
    assert not d.is_active
    assert _client(w.supporter_user).get(f"/supporters/mine/{d.pk}/").status_code == 404


# --- the fixes, seen from the other side --------------------------------------------------------


def test_review_course_screen_counts_the_trainees_it_does_not_name() -> None:
    w = make_world()
    muni = User.objects.create_user(username="muni-count", password=PASSWORD, full_name="m")
    Membership.objects.create(user=muni, agency=w.city_office, role=Role.MUNICIPAL_OFFICER)
    r = _client(muni).get(f"/supporters/courses/{w.course.pk}/")
    if r.status_code == 200:
        text = r.content.decode()
        assert 'id="trainees-hidden"' in text
    r = _client(w.officer).get(f"/supporters/courses/{w.course.pk}/")
    assert "高知 一郎" in r.content.decode()
    assert 'id="trainees-hidden"' not in r.content.decode()


def test_review_found_case_decision_is_shown_to_the_office() -> None:
    w = make_world()
    found = sv.report_found_case(
        w.supporter_user, w.city_office, {"where": "高知市内", "description": "気になる家"}
    )
    sv.decide_found_case(w.coordinator, found, open_intake=False, note="MKDECISION 様子見")
    r = _client(w.coordinator).get(f"{API}/found-cases/{found.pk}")
    assert r.status_code == 200 and r.json()["decision_note"].startswith("MKDECISION")
    r = _client(w.supporter_user).get(f"{API}/found-cases/{found.pk}")
    assert r.status_code == 200
    assert r.json()["decision_note"] == "" and r.json()["case"] is None
    assert r.json()["state"] == "no_action"


def test_review_s5_household_page_without_grant_says_it_is_not_shared() -> None:
    w = make_world()
    d = make_dispatch(w)
    assert d.grant is not None
    # the planned end date passed while the dispatch still runs: the grant is no longer in force
    past = timezone.now() - datetime.timedelta(days=1)
    type(d.grant).objects.filter(pk=d.grant.pk).update(
        starts_at=past - datetime.timedelta(days=30), ends_at=past
    )
    c = _client(w.supporter_user)
    r = c.get("/supporters/mine/")
    assert r.status_code == 200 and f"household-not-shared-{d.pk}" in r.content.decode()
    r = c.get(f"/supporters/mine/{d.pk}/")
    assert r.status_code == 200 and 'id="household-not-shared"' in r.content.decode()
    assert c.get(f"/supporters/mine/{d.pk}/visits/new/").status_code == 200


def test_review_bad_api_input_gets_a_field_message() -> None:
    w = make_world()
    co, of = _client(w.coordinator), _client(w.officer)
    r = co.get(f"{API}/dispatches", {"offset": 10**9 + 1})
    assert r.status_code == 422
    r = of.get(f"{API}/supporters", {"q": "a\x00"})
    assert r.status_code == 422
    r = _post(co, f"{API}/persons", {"agency": w.city_office.pk, "family_name": "山\x00"})
    assert r.status_code == 422
    assert "NUL" in r.content.decode()
    r = _post(of, f"{API}/supporters/{w.supporter.pk}/withdraw", {"on": "1872-12-31"})
    assert r.status_code == 422
    d = make_dispatch(w)
    r = _post(
        _client(w.supporter_user),
        f"{API}/incidents",
        {"dispatch": d.pk, "occurred_at": "1872-12-31T23:00:00+09:00", "kind": "injury",
         "severity": "minor", "what_happened": "x"},
    )  # fmt: skip
    assert r.status_code == 422 and "occurred_at" in r.content.decode()
