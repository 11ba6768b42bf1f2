"""The supporters' services with the database: the whole chain and every refusal (S1-S8)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from tsunagi.access.models import AuditEvent
from tsunagi.access.policy import Action, Denied, Kind, can, scope, sight
from tsunagi.agencies.services import EditConflict
from tsunagi.people.choices import Initiator
from tsunagi.people.models import Contact, Person
from tsunagi.supporters import selectors as sel
from tsunagi.supporters import services as sv
from tsunagi.supporters.models import (
    Dispatch,
    DispatchState,
    FoundCaseState,
    IncidentState,
    Requester,
    RosterEntry,
    Supporter,
    VisitReport,
)
from tsunagi.supporters.selectors import SupporterStatus

from .factories import World, days, make_dispatch, make_person, make_supporter, make_world

pytestmark = pytest.mark.django_db
REFUSED = (Denied, Http404)  # refused, or not even visible


@pytest.fixture
def w() -> World:
    return make_world()


def field_errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


VISIT = {
    "visited_on": None,
    "duration_minutes": 60,
    "place": "home",
    "met": "person",
    "what_happened": "玄関先で10分ほど話した",
}


def visit(**values: Any) -> dict[str, Any]:
    return {**VISIT, "visited_on": timezone.localdate(), **values}


# --- the whole chain ------------------------------------------------------------------------


def test_s4_whole_chain_from_training_to_closing_an_incident(w: World) -> None:
    s, sup = w.supporter, w.supporter_user
    assert sel.status_of(s) == SupporterStatus.REGISTERED
    assert sv.is_registered(s)
    d = sv.request_dispatch(
        w.coordinator,
        w.person,  # type: ignore[arg-type]
        {
            "requested_by": Requester.FAMILY,
            "requester_name": "山田 花子",
            "person_wish": "同年代の話し相手がほしい",
            "wants_peer": True,
            "wants_sex": "male",
            "wanted_slots": ["weekday_morning"],
        },
    )
    assert d.state == DispatchState.REQUESTED and d.case is not None and d.number
    ranked = sel.ranked_candidates(d)
    assert ranked[0].candidate.supporter_id == s.pk
    d = sv.match(w.coordinator, d, s)
    assert d.state == DispatchState.MATCHED
    assert d.match_reasons and all(r["rule"] == "S4" for r in d.match_reasons)
    d = sv.write_plan(
        w.coordinator, d, {"purpose": "外出", "activity_plan": "週1回", "activities": "話し相手"}
    )
    d = sv.record_consents(
        w.coordinator, d, person_consent_on=days(0), supporter_consent_on=days(0)
    )
    assert sight(sup, Kind.PERSON, w.person) is None
    d = sv.start(w.coordinator, d)
    assert d.state == DispatchState.ACTIVE and d.grant is not None
    assert list(sel.my_dispatches(sup)) == [d]
    seen = sight(sup, Kind.PERSON, w.person)
    assert seen is not None and seen.ground == f"dispatch:{d.grant_id}"
    v = sv.record_visit(sup, d, visit())
    g = sv.give_guidance(w.coordinator, d, text="無理に外へ誘わないこと", report=v)
    assert can(sup, Action.VIEW, Kind.DISPATCH, g.dispatch)
    assert list(d.guidance.all()) == [g]
    sv.mark_guidance_seen(sup, g)
    g.refresh_from_db()
    assert g.seen_at is not None
    inc = sv.report_incident(
        sup,
        d,
        {"occurred_at": timezone.now(), "kind": "injury", "severity": "minor",
         "what_happened": "玄関で転んだ", "visit": v},
    )  # fmt: skip
    assert list(sel.incidents_waiting(w.coordinator)) == [inc]
    assert list(sel.incidents_waiting(w.other_coordinator)) == []
    sv.acknowledge_incident(w.coordinator, inc)
    sv.add_incident_step(w.coordinator, inc, what="本人と家族に連絡し状況を確認")
    inc = sv.close_incident(w.coordinator, inc, summary="軽傷、通院なし")
    assert inc.state == IncidentState.CLOSED
    d = sv.end(w.coordinator, d, summary="定期的に外出できるようになった")
    assert d.state == DispatchState.ENDED
    assert sight(sup, Kind.PERSON, w.person) is None
    assert list(sel.my_dispatches(sup)) == []


# --- S1 / S2: training and registration -----------------------------------------------------


def test_s1_completion_refused_while_a_session_was_missed(w: World) -> None:
    s = make_supporter(w, "未修了 次郎", trained=False, account=False)
    enrolment = sv.enrol(w.officer, w.course, s)
    sv.record_attendance(w.officer, w.course.sessions.order_by("held_on")[0], [s])
    with pytest.raises(ValidationError) as exc:
        sv.complete(w.officer, enrolment, completed_on=w.course.ends_on)
    assert field_errors(exc)["completed_on"][0].startswith("S1: ")
    # a missed session made up elsewhere is excused with a note
    done = sv.complete(w.officer, enrolment, completed_on=w.course.ends_on, excuse="別日程で補講")
    assert done.completed_on == w.course.ends_on and done.note == "別日程で補講"


def test_s1_only_the_prefecture_completes_a_course(w: World) -> None:
    s = make_supporter(w, "未修了 三郎", trained=False, account=False)
    enrolment = sv.enrol(w.officer, w.course, s)
    with pytest.raises(REFUSED):
        sv.complete(w.center_staff, enrolment)


def test_s2_consent_refused_before_completion(w: World) -> None:
    s = make_supporter(w, "研修中 四郎", trained=False, account=False)
    with pytest.raises(ValidationError) as exc:
        sv.record_consent(w.officer, s, signed_on=days(-1), explained=True)
    assert field_errors(exc)["signed_on"][0].startswith("S2: ")
    assert sel.status_of(s) == SupporterStatus.TRAINING


def test_s2_consent_needs_the_explanation_and_a_past_date(w: World) -> None:
    s = make_supporter(w, "修了 五郎", consented=False, account=False)
    assert sel.status_of(s) == SupporterStatus.COMPLETED
    with pytest.raises(ValidationError) as exc:
        sv.record_consent(w.officer, s, signed_on=days(-1), explained=False)
    assert field_errors(exc)["explained"][0].startswith("S2: ")
    with pytest.raises(ValidationError) as exc:
        sv.record_consent(w.officer, s, signed_on=days(1), explained=True)
    assert "signed_on" in field_errors(exc)
    with pytest.raises(ValidationError) as exc:
        sv.record_consent(w.officer, s, signed_on=None, explained=True)
    assert "signed_on" in field_errors(exc)
    with pytest.raises(REFUSED):
        sv.record_consent(w.coordinator, s, signed_on=days(-1), explained=True)
    sv.record_consent(w.officer, s, signed_on=days(-1), explained=True)
    assert sel.status_of(Supporter.objects.get(pk=s.pk)) == SupporterStatus.REGISTERED


def test_s2_only_registered_supporters_go_on_a_roster(w: World) -> None:
    untrained = make_supporter(w, "研修中 六郎", trained=False, account=False)
    unsigned = make_supporter(w, "修了 七郎", consented=False, account=False)
    release = sv.give_roster(w.officer, w.city_office, dispatch_status="runs")
    on_roster = set(
        RosterEntry.objects.filter(agency=w.city_office).values_list("supporter", flat=True)
    )
    assert untrained.pk not in on_roster and unsigned.pk not in on_roster
    assert release.entries.count() == 0  # everyone registered already had an entry


def test_s2_registration_bad_input_is_refused_by_field(w: World) -> None:
    with pytest.raises(ValidationError) as exc:
        sv.register_trainee(
            w.officer,
            w.prefecture.pk,
            {"name": "", "postal_code": "78-1", "birth_year": 1800, "availability": ["never"]},
        )
    assert {"name", "postal_code", "birth_year", "availability"} <= set(field_errors(exc))


def test_s2_full_width_postal_code_is_accepted(w: World) -> None:
    s = sv.register_trainee(
        w.officer, w.prefecture.pk, {"name": "全角 八郎", "postal_code": "７８０－０８５０"}
    )
    assert s.postal_code == "780-0850"


def test_s2_a_supporter_changes_only_their_own_preferences(w: World) -> None:
    s = sv.update_supporter(
        w.supporter_user, w.supporter, {"name": "別名", "phone": "090-0000-0000"}
    )
    assert s.name == "高知 一郎" and s.phone == "090-0000-0000"
    with pytest.raises(REFUSED):
        sv.update_supporter(w.supporter_user, w.supporters[1], {"phone": "1"})


# --- S3: the roster and matching ------------------------------------------------------------


def test_s3_the_roster_goes_only_to_a_municipal_office_of_the_prefecture(w: World) -> None:
    with pytest.raises(ValidationError) as exc:
        sv.give_roster(w.officer, w.center, dispatch_status="runs")
    assert "agency" in field_errors(exc)
    with pytest.raises(ValidationError) as exc:
        sv.give_roster(w.officer, w.city_office, dispatch_status="maybe")
    assert "dispatch_status" in field_errors(exc)
    with pytest.raises(REFUSED):
        sv.give_roster(w.coordinator, w.city_office, dispatch_status="runs")


def test_s3_the_other_office_cannot_confirm_an_entry(w: World) -> None:
    entry = RosterEntry.objects.get(agency=w.city_office, supporter=w.supporter)
    with pytest.raises(REFUSED):
        sv.confirm_entry(w.other_coordinator, entry, wishes_to_act=True)


def _unconfirmed(w: World) -> Supporter:
    s = make_supporter(w, "未確認 九郎", on_roster=False)
    sv.give_roster(w.officer, w.city_office, dispatch_status="runs")
    return s


@pytest.mark.parametrize("how", ["unconfirmed", "declined", "withdrawn", "not_on_roster"])
def test_s3_matching_refused_for_a_supporter_not_confirmed_here(w: World, how: str) -> None:
    if how == "unconfirmed":
        s = _unconfirmed(w)
    elif how == "declined":
        s = w.supporters[1]
        entry = RosterEntry.objects.get(agency=w.city_office, supporter=s)
        sv.confirm_entry(w.coordinator, entry, wishes_to_act=False, note="活動休止")
    elif how == "withdrawn":
        s = sv.withdraw(w.officer, w.supporters[1], reason="転居")
    else:
        s = make_supporter(w, "名簿外 十郎", on_roster=False)
    d = make_dispatch(w, state=DispatchState.REQUESTED)
    assert s.pk not in {c.supporter_id for c in sel.candidates(d)}
    with pytest.raises(ValidationError) as exc:
        sv.match(w.coordinator, d, s)
    assert field_errors(exc)["supporter"][0].startswith("S3: ")


def test_s3_matching_refused_for_an_unconsented_supporter(w: World) -> None:
    s = make_supporter(w, "同意なし 十一郎", consented=False)
    # put them on the roster by hand as if given before the rule (the roster never does it)
    release = sv.give_roster(w.officer, w.city_office, dispatch_status="runs")
    RosterEntry.objects.create(
        supporter=s, agency=w.city_office, release=release, confirmed_on=days(0)
    )
    d = make_dispatch(w, state=DispatchState.REQUESTED)
    assert s.pk not in {c.supporter_id for c in sel.candidates(d)}
    with pytest.raises(ValidationError) as exc:
        sv.match(w.coordinator, d, s)
    assert field_errors(exc)["supporter"][0].startswith("S3: ")


def test_s3_a_decline_stops_the_matched_dispatch_so_it_never_starts(w: World) -> None:
    d = make_dispatch(w, state=DispatchState.MATCHED)
    d = sv.write_plan(w.coordinator, d, {"purpose": "a", "activity_plan": "b", "activities": "c"})
    d = sv.record_consents(
        w.coordinator, d, person_consent_on=days(0), supporter_consent_on=days(0)
    )
    entry = RosterEntry.objects.get(agency=w.city_office, supporter=w.supporter)
    sv.confirm_entry(w.coordinator, entry, wishes_to_act=False)
    d.refresh_from_db()
    assert d.state == DispatchState.STOPPED and d.stop_requested_by == "supporter"
    with pytest.raises(ValidationError) as exc:
        sv.start(w.coordinator, d)
    assert "state" in field_errors(exc)


# --- S4: request, plan, consents, start -----------------------------------------------------


def test_s4_request_refused_without_who_asked_or_the_wish(w: World) -> None:
    with pytest.raises(ValidationError) as exc:
        sv.request_dispatch(
            w.coordinator,
            w.person,  # type: ignore[arg-type]
            {"requested_by": "municipality", "person_wish": " ", "wanted_slots": ["x"]},
        )
    errors = field_errors(exc)
    assert errors["requested_by"][0].startswith("S4: ")
    assert errors["person_wish"][0].startswith("S4: ")
    assert "wanted_slots" in errors
    with pytest.raises(ValidationError) as exc:
        sv.request_dispatch(
            w.coordinator,
            w.person,  # type: ignore[arg-type]
            {"requested_by": Requester.FAMILY, "person_wish": "話したい",
             "requested_on": days(1)},
        )  # fmt: skip
    assert {"requester_name", "requested_on"} <= set(field_errors(exc))


def test_s4_only_the_persons_office_requests(w: World) -> None:
    with pytest.raises(REFUSED):
        sv.request_dispatch(
            w.other_coordinator,
            w.person,  # type: ignore[arg-type]
            {"requested_by": "person", "person_wish": "話したい"},
        )


def test_s4_start_refused_without_plan_and_consents(w: World) -> None:
    d = make_dispatch(w, state=DispatchState.MATCHED)
    with pytest.raises(ValidationError) as exc:
        sv.start(w.coordinator, d)
    messages = field_errors(exc)["__all__"]
    assert len(messages) == 5  # purpose, plan, activities, the two consents
    assert all(m.startswith("S4: ") for m in messages)
    with pytest.raises(ValidationError) as exc:
        sv.record_consents(w.coordinator, d, person_consent_on=days(0))
    assert field_errors(exc)["__all__"][0].startswith("S4: ")
    d = sv.write_plan(w.coordinator, d, {"purpose": "a", "activity_plan": "b", "activities": "c"})
    d = sv.record_consents(w.coordinator, d, person_consent_on=days(0))
    with pytest.raises(ValidationError) as exc:
        sv.start(w.coordinator, d)
    assert len(field_errors(exc)["__all__"]) == 1  # the supporter's consent


def test_s4_start_refused_before_a_match(w: World) -> None:
    d = make_dispatch(w, state=DispatchState.REQUESTED)
    with pytest.raises(ValidationError) as exc:
        sv.start(w.coordinator, d)
    assert "state" in field_errors(exc)


def test_s4_changing_the_plan_clears_the_consents(w: World) -> None:
    d = make_dispatch(w, state=DispatchState.MATCHED)
    d = sv.write_plan(w.coordinator, d, {"purpose": "a", "activity_plan": "b", "activities": "c"})
    d = sv.record_consents(
        w.coordinator, d, person_consent_on=days(0), supporter_consent_on=days(0)
    )
    d = sv.write_plan(w.coordinator, d, {"starts_on": days(1)})
    assert d.person_consent_on is not None  # dates alone keep the consents
    d = sv.write_plan(w.coordinator, d, {"activities": "話し相手と散歩"})
    assert d.person_consent_on is None and d.supporter_consent_on is None
    with pytest.raises(ValidationError):
        sv.start(w.coordinator, d)


def test_s4_matching_another_supporter_clears_the_supporters_consent(w: World) -> None:
    d = make_dispatch(w, state=DispatchState.MATCHED)
    d = sv.write_plan(w.coordinator, d, {"purpose": "a", "activity_plan": "b", "activities": "c"})
    d = sv.record_consents(
        w.coordinator, d, person_consent_on=days(0), supporter_consent_on=days(0)
    )
    d = sv.match(w.coordinator, d, w.supporters[1])
    assert d.supporter_consent_on is None and d.person_consent_on is not None


def test_s4_plan_and_consent_dates_are_checked(w: World) -> None:
    d = make_dispatch(w, state=DispatchState.MATCHED)
    with pytest.raises(ValidationError) as exc:
        sv.write_plan(w.coordinator, d, {"starts_on": days(5), "ends_on": days(1)})
    assert "ends_on" in field_errors(exc)
    d = sv.write_plan(w.coordinator, d, {"purpose": "a", "activity_plan": "b", "activities": "c"})
    with pytest.raises(ValidationError) as exc:
        sv.record_consents(w.coordinator, d, person_consent_on=days(1), person_consent_method="fax")
    assert {"person_consent_on", "person_consent_method"} <= set(field_errors(exc))


def test_s4_the_plan_is_frozen_once_active(w: World) -> None:
    d = make_dispatch(w)
    with pytest.raises(ValidationError) as exc:
        sv.write_plan(w.coordinator, d, {"purpose": "別の目的"})
    assert "state" in field_errors(exc)
    with pytest.raises(ValidationError):
        sv.update_request(w.coordinator, d, {"person_wish": "x"})


def test_s4_stale_version_is_refused(w: World) -> None:
    d = make_dispatch(w, state=DispatchState.MATCHED)
    with pytest.raises(EditConflict):
        sv.write_plan(w.coordinator, d, {"purpose": "a"}, version=d.version - 1)


def test_s4_ranking_prefers_the_area_and_the_sex_asked_for(w: World) -> None:
    d = make_dispatch(w, state=DispatchState.REQUESTED, wants_sex="female")
    ranked = sel.ranked_supporters(d)
    assert [r.supporter.pk for r in ranked] == [w.supporters[1].pk, w.supporter.pk]
    assert all(e["rule"] == "S4" for r in ranked for e in r.ranked.explanation)


# --- S5: stopping ---------------------------------------------------------------------------


def test_s5_stop_ends_the_dispatch_grant_at_once(w: World) -> None:
    d = make_dispatch(w)
    sup = w.supporter_user
    v = sv.record_visit(sup, d, visit())
    assert sight(sup, Kind.PERSON, w.person) is not None
    d = sv.stop(w.coordinator, d, requested_by="family", reason="家族から中止の申し出")
    assert d.state == DispatchState.STOPPED and d.stop_reason == "家族から中止の申し出"
    assert sight(sup, Kind.PERSON, w.person) is None
    assert not can(sup, Action.VIEW, Kind.PERSON, w.person)
    assert not can(sup, Action.VIEW, Kind.DISPATCH, d)
    assert not can(sup, Action.VIEW, Kind.VISIT_REPORT, VisitReport.objects.get(pk=v.pk))
    assert not scope(sup, Kind.VISIT_REPORT, VisitReport.objects.all()).exists()
    assert list(sel.my_dispatches(sup)) == []
    assert not scope(sup, Kind.PERSON, Person.objects.all()).exists()
    d.grant.refresh_from_db()  # type: ignore[union-attr]
    assert d.grant.ended_at is not None  # type: ignore[union-attr]
    with pytest.raises(REFUSED):  # 404: the supporter no longer sees it
        sv.record_visit(sup, d, visit())
    # the coordinator is told why
    with pytest.raises(ValidationError) as exc:
        sv.record_visit(w.coordinator, d, visit())
    assert field_errors(exc)["dispatch"][0].startswith("S5: ")


def test_s5_stop_is_never_refused_for_a_stale_version(w: World) -> None:
    d = make_dispatch(w)
    stale = Dispatch.objects.get(pk=d.pk)
    sv.give_guidance(w.coordinator, d, text="a")
    Dispatch.objects.filter(pk=d.pk).update(version=d.version + 3)
    stopped = sv.stop(w.coordinator, stale, requested_by="person", reason="本人希望")
    assert stopped.state == DispatchState.STOPPED


def test_s5_stop_needs_who_asked_and_a_reason(w: World) -> None:
    d = make_dispatch(w)
    with pytest.raises(ValidationError) as exc:
        sv.stop(w.coordinator, d, requested_by="neighbour", reason=" ")
    assert {"requested_by", "reason"} <= set(field_errors(exc))
    assert Dispatch.objects.get(pk=d.pk).state == DispatchState.ACTIVE


def test_s5_nothing_follows_a_stop(w: World) -> None:
    d = make_dispatch(w, state=DispatchState.STOPPED)
    for step in (
        lambda: sv.start(w.coordinator, d),
        lambda: sv.end(w.coordinator, d, summary="x"),
        lambda: sv.stop(w.coordinator, d, requested_by="person", reason="x"),
        lambda: sv.cancel(w.coordinator, d, reason="x"),
    ):
        with pytest.raises(ValidationError) as exc:
            step()
        assert "state" in field_errors(exc)


def test_s5_the_supporter_cannot_stop_or_steer_the_dispatch(w: World) -> None:
    d = make_dispatch(w)
    with pytest.raises(REFUSED):
        sv.stop(w.supporter_user, d, requested_by="supporter", reason="x")
    with pytest.raises(REFUSED):
        sv.give_guidance(w.supporter_user, d, text="x")
    with pytest.raises(REFUSED):
        sv.record_visit(w.supporters[1].user, d, visit())


def test_s5_withdrawal_stops_dispatches_and_leaves_every_roster_at_once(w: World) -> None:
    d = make_dispatch(w)
    matched = make_dispatch(w, person=make_person(w, "佐藤", "次郎"), state=DispatchState.MATCHED)
    s, sup = w.supporter, w.supporter_user
    for coordinator, office in (
        (w.coordinator, w.city_office),
        (w.other_coordinator, w.other_office),
    ):
        assert s.pk in set(sel.roster(coordinator, office.pk).values_list("supporter", flat=True))
        assert can(coordinator, Action.VIEW, Kind.SUPPORTER, s)
    sv.withdraw(w.officer, s, reason="体調不良のため")
    for coordinator, office in (
        (w.coordinator, w.city_office),
        (w.other_coordinator, w.other_office),
    ):
        assert s.pk not in set(
            sel.roster(coordinator, office.pk).values_list("supporter", flat=True)
        )
        assert not sel.supporters(coordinator).filter(pk=s.pk).exists()
        assert not can(coordinator, Action.VIEW, Kind.SUPPORTER, Supporter.objects.get(pk=s.pk))
        entry = RosterEntry.objects.get(agency=office, supporter=s)
        assert not can(coordinator, Action.VIEW, Kind.ROSTER, entry)
    assert Dispatch.objects.get(pk=d.pk).state == DispatchState.STOPPED
    assert Dispatch.objects.get(pk=matched.pk).state == DispatchState.STOPPED
    assert sight(sup, Kind.PERSON, w.person) is None
    assert sel.status_of(Supporter.objects.get(pk=s.pk)) == SupporterStatus.WITHDRAWN
    # the prefecture still keeps the record
    assert sel.supporters(w.officer).filter(pk=s.pk).exists()
    with pytest.raises(ValidationError) as exc:
        sv.withdraw(w.officer, s)
    assert "withdrawn_on" in field_errors(exc)


def test_s5_a_coordinator_cannot_withdraw_a_supporter(w: World) -> None:
    with pytest.raises(REFUSED):
        sv.withdraw(w.coordinator, w.supporter)


# --- S6: visits and guidance ----------------------------------------------------------------


def test_s6_visit_bad_input_is_refused_by_field(w: World) -> None:
    d = make_dispatch(w)
    with pytest.raises(ValidationError) as exc:
        sv.record_visit(
            w.supporter_user,
            d,
            visit(visited_on=days(1), duration_minutes=0, place="moon", met="", what_happened=""),
        )
    assert {"visited_on", "duration_minutes", "place", "met", "what_happened"} <= set(
        field_errors(exc)
    )
    with pytest.raises(ValidationError) as exc:
        sv.record_visit(w.supporter_user, d, visit(visited_on=days(-1)))  # it started today
    assert "visited_on" in field_errors(exc)
    with pytest.raises(ValidationError) as exc:
        sv.record_visit(w.supporter_user, d, visit(next_visit_on=days(-1)))
    assert "next_visit_on" in field_errors(exc)


def test_s6_guidance_is_visible_to_the_supporter(w: World) -> None:
    d = make_dispatch(w)
    v = sv.record_visit(w.supporter_user, d, visit())
    g = sv.give_guidance(
        w.coordinator, d, text="次回は家族にも声をかけて", report=v, follow_up_training=True
    )
    mine = sel.my_dispatches(w.supporter_user).get(pk=d.pk)
    assert list(mine.guidance.all()) == [g]
    assert can(w.supporter_user, Action.VIEW, Kind.DISPATCH, g.dispatch)
    sv.mark_guidance_seen(w.coordinator, g)  # the coordinator's look does not count
    g.refresh_from_db()
    assert g.seen_at is None
    sv.mark_guidance_seen(w.supporter_user, g)
    g.refresh_from_db()
    assert g.seen_at is not None


def test_s6_guidance_needs_text_and_a_report_of_the_same_dispatch(w: World) -> None:
    d = make_dispatch(w)
    other = make_dispatch(w, w.supporters[1], person=make_person(w, "佐藤", "花"))
    v = sv.record_visit(w.supporters[1].user, other, visit())
    with pytest.raises(ValidationError) as exc:
        sv.give_guidance(w.coordinator, d, text=" ")
    assert "text" in field_errors(exc)
    with pytest.raises(ValidationError) as exc:
        sv.give_guidance(w.coordinator, d, text="a", report=v)
    assert "report" in field_errors(exc)


# --- S7: found cases ------------------------------------------------------------------------


def test_s7_found_case_opens_an_intake(w: World) -> None:
    fc = sv.report_found_case(
        w.supporter_user,
        w.city_office,
        {"where": "高知市朝倉の団地", "description": "昼間も雨戸が閉まったまま",
         "estimated_age": 40, "urgent": False},
    )  # fmt: skip
    assert fc.supporter == w.supporter
    assert list(sel.found_cases_waiting(w.coordinator)) == [fc]
    assert list(sel.found_cases_waiting(w.other_coordinator)) == []
    assert can(w.supporter_user, Action.VIEW, Kind.FOUND_CASE, fc)
    with pytest.raises(ValidationError) as exc:
        sv.decide_found_case(w.coordinator, fc, open_intake=True)
    assert "person" in field_errors(exc)
    outsider = Person.objects.create(agency=w.center, family_name="他", given_name="機関")
    with pytest.raises(ValidationError) as exc:
        sv.decide_found_case(w.coordinator, fc, open_intake=True, person=outsider)
    assert "person" in field_errors(exc)
    person = make_person(w, "朝倉", "一")
    fc = sv.decide_found_case(w.coordinator, fc, open_intake=True, person=person)
    assert fc.state == FoundCaseState.INTAKE_OPENED and fc.case is not None
    contact = Contact.objects.get(case=fc.case)
    assert contact.initiator == Initiator.SUPPORTER
    assert fc.case.person_id == person.pk and fc.case.agency_id == w.city_office.pk
    with pytest.raises(ValidationError) as exc:
        sv.decide_found_case(w.coordinator, fc, open_intake=False, note="x")
    assert "state" in field_errors(exc)
    assert events("found_case.decided")


def test_s7_found_case_no_action_needs_a_reason(w: World) -> None:
    fc = sv.report_found_case(
        w.supporter_user, w.city_office, {"where": "高知市", "description": "気になる家"}
    )
    with pytest.raises(ValidationError) as exc:
        sv.decide_found_case(w.coordinator, fc, open_intake=False, note=" ")
    assert "note" in field_errors(exc)
    fc = sv.decide_found_case(w.coordinator, fc, open_intake=False, note="民生委員が既に把握")
    assert fc.state == FoundCaseState.NO_ACTION and fc.case is None


def test_s7_found_case_bad_input_and_who_may_report(w: World) -> None:
    with pytest.raises(ValidationError) as exc:
        sv.report_found_case(
            w.supporter_user, w.city_office, {"where": "", "description": "", "estimated_age": 200}
        )
    assert {"where", "description", "estimated_age"} <= set(field_errors(exc))
    # a municipality that did not confirm the supporter does not take their reports
    entry = RosterEntry.objects.get(agency=w.other_office, supporter=w.supporter)
    sv.confirm_entry(w.other_coordinator, entry, wishes_to_act=False)
    with pytest.raises(REFUSED):
        sv.report_found_case(w.supporter_user, w.other_office, {"where": "a", "description": "b"})
    with pytest.raises(REFUSED):
        sv.decide_found_case(
            w.other_coordinator,
            sv.report_found_case(
                w.supporter_user, w.city_office, {"where": "a", "description": "b"}
            ),
            open_intake=False,
            note="x",
        )


# --- S8: incidents --------------------------------------------------------------------------


def test_s8_incident_steps_and_closure(w: World) -> None:
    d = make_dispatch(w)
    inc = sv.report_incident(
        w.supporter_user,
        d,
        {"occurred_at": timezone.now(), "kind": "property", "severity": "serious",
         "what_happened": "花瓶を割ってしまった"},
    )  # fmt: skip
    assert inc.state == IncidentState.REPORTED
    with pytest.raises(ValidationError) as exc:
        sv.close_incident(w.coordinator, inc, summary="")
    errors = field_errors(exc)
    assert errors["steps"][0].startswith("S8: ") and errors["summary"][0].startswith("S8: ")
    with pytest.raises(ValidationError) as exc:
        sv.add_incident_step(w.coordinator, inc, what=" ")
    assert "what" in field_errors(exc)
    with pytest.raises(ValidationError) as exc:
        sv.add_incident_step(w.coordinator, inc, what="a", taken_on=days(1))
    assert "taken_on" in field_errors(exc)
    sv.add_incident_step(w.coordinator, inc, what="保険会社に連絡")
    inc.refresh_from_db()
    assert inc.state == IncidentState.FOLLOWING_UP and inc.acknowledged_at is not None
    with pytest.raises(ValidationError) as exc:
        sv.close_incident(w.coordinator, inc, summary=" ")
    assert list(field_errors(exc)) == ["summary"]
    with pytest.raises(REFUSED):
        sv.close_incident(w.supporter_user, inc, summary="x")
    with pytest.raises(REFUSED):
        sv.close_incident(w.other_coordinator, inc, summary="x")
    inc = sv.close_incident(w.coordinator, inc, summary="保険で弁償し家族も了承")
    assert inc.state == IncidentState.CLOSED
    assert list(sel.incidents_waiting(w.coordinator)) == []
    with pytest.raises(ValidationError):
        sv.add_incident_step(w.coordinator, inc, what="追加")
    with pytest.raises(ValidationError):
        sv.close_incident(w.coordinator, inc, summary="again")


def test_s8_incident_bad_input(w: World) -> None:
    d = make_dispatch(w)
    other = make_dispatch(w, w.supporters[1], person=make_person(w, "佐藤", "花"))
    v = sv.record_visit(w.supporters[1].user, other, visit())
    with pytest.raises(ValidationError) as exc:
        sv.report_incident(
            w.supporter_user,
            d,
            {"occurred_at": timezone.now() + datetime.timedelta(hours=1), "kind": "x",
             "severity": "x", "what_happened": "", "visit": v},
        )  # fmt: skip
    assert {"occurred_at", "kind", "severity", "what_happened", "visit"} <= set(field_errors(exc))


def test_s8_no_incident_report_on_a_stopped_dispatch_by_the_supporter(w: World) -> None:
    d = make_dispatch(w, state=DispatchState.STOPPED)
    with pytest.raises(REFUSED):
        sv.report_incident(
            w.supporter_user,
            d,
            {"occurred_at": timezone.now(), "kind": "injury", "severity": "minor",
             "what_happened": "x"},
        )  # fmt: skip


# --- the access log -------------------------------------------------------------------------


def test_access_log_holds_each_change_with_its_ground(w: World) -> None:
    d = make_dispatch(w)
    sup = w.supporter_user
    v = sv.record_visit(sup, d, visit())
    inc = sv.report_incident(
        sup, d, {"occurred_at": timezone.now(), "kind": "injury", "severity": "minor",
                 "what_happened": "x"},
    )  # fmt: skip
    sv.log_dispatch_work("visit.viewed", sup, v, d)
    ground = f"dispatch:{d.grant_id}"
    for action, obj in (
        ("visit.recorded", v),
        ("incident.reported", inc),
        ("visit.viewed", v),
    ):
        (e,) = [x for x in events(action) if x.record_id == str(obj.pk)]
        assert e.actor_id == sup.pk and e.grant == ground and e.personal
        assert e.subject_id == w.person.pk  # type: ignore[union-attr]
        assert e.agency_id == w.city_office.pk
    for action in ("dispatch.requested", "dispatch.matched", "dispatch.planned",
                   "dispatch.consents", "dispatch.started"):  # fmt: skip
        (e,) = [x for x in events(action) if x.record_id == str(d.pk)]
        assert e.actor_id == w.coordinator.pk and e.grant == "own_agency" and e.personal
    sv.stop(w.coordinator, d, requested_by="person", reason="本人希望")
    (e,) = events("dispatch.stopped")
    assert e.grant == "own_agency" and e.detail == {"requested_by": "person"}
    assert events("grant.ended")
    for action in ("supporter.created", "supporter.completed", "supporter.consent",
                   "supporter.account", "roster.given", "roster.confirmed"):  # fmt: skip
        assert events(action), action
        assert all(x.personal for x in events(action))


def test_access_log_the_supporters_read_of_the_person(w: World) -> None:
    from tsunagi.people.services import log_shared_read

    make_dispatch(w)
    seen = sight(w.supporter_user, Kind.PERSON, w.person)
    assert seen is not None
    log_shared_read(w.supporter_user, Kind.PERSON, w.person, seen)
    e = AuditEvent.objects.filter(action="person.viewed").latest("pk")
    assert e.grant.startswith("dispatch:") and e.actor_id == w.supporter_user.pk
