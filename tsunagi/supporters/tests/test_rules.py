"""The supporters' rules S1-S8, called with plain facts (no database)."""

from __future__ import annotations

import dataclasses
import datetime
from unittest.mock import ANY

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tsunagi.supporters import rules
from tsunagi.supporters.models import DispatchState, Requester
from tsunagi.supporters.rules import Candidate, DispatchFacts, Need

D = datetime.date
KOCHI, NANKOKU, MUROTO = 1, 2, 3
TODAY = D(2026, 3, 10)


def codes(findings: list[rules.Finding]) -> list[str]:
    return [f.code for f in findings]


# --- S1: completion -------------------------------------------------------------------------


def test_s1_every_session_attended_completes() -> None:
    assert rules.completion_findings(3, 3) == []


def test_s1_a_missed_session_is_a_finding_with_the_counts() -> None:
    (f,) = rules.completion_findings(3, 2)
    assert (f.code, f.rule) == ("sessions_missed", "S1")
    assert "2" in f.reason and "3" in f.reason


def test_s1_a_course_without_sessions_cannot_be_completed() -> None:
    (f,) = rules.completion_findings(0, 0)
    assert (f.code, f.rule) == ("no_sessions", "S1")


# --- S2: registration -----------------------------------------------------------------------


def test_s2_trained_and_consent_signed_after_explanation_registers() -> None:
    assert (
        rules.registration_findings(completed_basic=True, consent_signed_on=TODAY, explained=True)
        == []
    )


def test_s2_untrained_without_consent_has_both_findings() -> None:
    found = rules.registration_findings(
        completed_basic=False, consent_signed_on=None, explained=False
    )
    assert codes(found) == ["training", "consent"]
    assert {f.rule for f in found} == {"S2"}


def test_s2_consent_without_the_explanation_is_not_enough() -> None:
    found = rules.registration_findings(
        completed_basic=True, consent_signed_on=TODAY, explained=False
    )
    assert codes(found) == ["explained"]


# --- S4: ranking ----------------------------------------------------------------------------


def cand(pk: int, name: str = "", **values: object) -> Candidate:
    base: dict[str, object] = {
        "supporter_id": pk,
        "name": name or f"サポーター{pk:02d}",
        "areas": frozenset({KOCHI}),
        "home_municipality_id": KOCHI,
    }
    base.update(values)
    return Candidate(**base)  # type: ignore[arg-type]


def scores(need: Need, *cs: Candidate) -> dict[int, int]:
    return {r.candidate.supporter_id: r.score for r in rules.rank(need, cs)}


def reasons_of(need: Need, c: Candidate) -> list[tuple[int, str]]:
    (r,) = rules.rank(need, [c])
    return r.reasons


def test_s4_covering_the_household_area_ranks_first() -> None:
    need = Need(municipality_id=KOCHI)
    ranked = rules.rank(need, [cand(1, areas=frozenset({NANKOKU})), cand(2)])
    assert [r.candidate.supporter_id for r in ranked] == [2, 1]
    assert ranked[0].reasons[0][0] == 30
    assert ranked[1].reasons[0][0] == -40


def test_s4_postal_code_distance_tiers() -> None:
    need = Need(municipality_id=KOCHI, postal_code="780-0850")
    same = cand(1, postal_code="7800850")
    area = cand(2, postal_code="780-0901")
    town = cand(3, postal_code="781-0000")
    elsewhere = cand(4, postal_code="783-0004", home_municipality_id=NANKOKU)
    s = scores(need, same, area, town, elsewhere)
    assert s[1] - s[4] == 20
    assert s[2] - s[4] == 15
    assert s[3] - s[4] == 10
    assert [r.candidate.supporter_id for r in rules.rank(need, [elsewhere, town, area, same])] == [
        1,
        2,
        3,
        4,
    ]


def test_s4_postal_codes_accept_hyphens() -> None:
    need = Need(municipality_id=KOCHI, postal_code="780-0850")
    assert (20, ANY) in reasons_of(need, cand(1, postal_code="7800850"))


def test_s4_postal_codes_accept_full_width() -> None:
    need = Need(municipality_id=KOCHI, postal_code="７８０－０８５０")
    assert (20, ANY) in reasons_of(need, cand(1, postal_code="780-0850"))


def test_s4_no_distance_points_without_postal_codes_in_another_town() -> None:
    need = Need(municipality_id=KOCHI)
    assert [p for p, _ in reasons_of(need, cand(1, home_municipality_id=NANKOKU))] == [30]


def test_s4_slots_in_common_count_up_to_fifteen() -> None:
    need = Need(
        municipality_id=None,
        slots=frozenset({"weekday_morning", "weekday_afternoon", "weekend_morning", "x"}),
    )
    one = cand(1, slots=frozenset({"weekday_morning"}))
    all_ = cand(2, slots=frozenset({"weekday_morning", "weekday_afternoon", "weekend_morning"}))
    all_plus = cand(3, slots=need.slots)
    none = cand(4, slots=frozenset({"weekend_evening"}))
    s = scores(need, one, all_, all_plus, none)
    assert (s[1], s[2], s[3], s[4]) == (5, 15, 15, -15)


def test_s4_no_slot_asked_no_slot_reason() -> None:
    assert reasons_of(Need(municipality_id=None), cand(1, slots=frozenset({"x"}))) == []


def test_s4_sex_asked_for() -> None:
    need = Need(municipality_id=KOCHI, wants_sex="female")
    s = scores(need, cand(1, sex="female"), cand(2, sex="male"), cand(3, sex=""))
    assert s[1] - s[2] == 70
    assert s[2] == s[3]


def test_s4_sex_not_asked_makes_no_difference() -> None:
    need = Need(municipality_id=KOCHI)
    s = scores(need, cand(1, sex="female"), cand(2, sex="male"))
    assert s[1] == s[2]


def test_s4_peer_asked_for_and_peer_as_a_plus() -> None:
    asked = Need(municipality_id=None, wants_peer=True)
    assert scores(asked, cand(1, peer="family"), cand(2)) == {1: 20, 2: -10}
    not_asked = Need(municipality_id=None)
    assert scores(not_asked, cand(1, peer="lived_experience"), cand(2)) == {1: 5, 2: 0}


def test_s4_languages_needed() -> None:
    need = Need(municipality_id=None, languages=frozenset({"en", "ja"}))
    s = scores(
        need,
        cand(1, languages=frozenset({"en", "ja", "zh"})),
        cand(2, languages=frozenset({"en"})),
    )
    assert s == {1: 10, 2: -30}


def test_s4_past_dispatches_and_knowing_the_household() -> None:
    need = Need(municipality_id=None)
    s = scores(
        need,
        cand(1, past_dispatches=1),
        cand(2, past_dispatches=9),
        cand(3, visited_household_before=True, past_dispatches=1),
    )
    assert s == {1: 2, 2: 10, 3: 12}


def test_s4_load_of_active_dispatches_lowers_the_rank() -> None:
    need = Need(municipality_id=KOCHI)
    s = scores(need, cand(1), cand(2, active_dispatches=1), cand(3, active_dispatches=3))
    assert (s[1] - s[2], s[1] - s[3]) == (8, 24)


def test_s4_explanations_carry_the_rule_and_sum_to_the_score() -> None:
    need = Need(
        municipality_id=KOCHI,
        postal_code="780-0850",
        wants_sex="male",
        wants_peer=True,
        slots=frozenset({"weekday_morning"}),
        languages=frozenset({"en"}),
    )
    c = cand(
        1,
        sex="male",
        peer="lived_experience",
        postal_code="780-0850",
        slots=frozenset({"weekday_morning"}),
        languages=frozenset({"en"}),
        past_dispatches=2,
        active_dispatches=1,
    )
    (r,) = rules.rank(need, [c])
    assert all(e["rule"] == "S4" for e in r.explanation)
    assert all(isinstance(e["reason"], str) and e["reason"] for e in r.explanation)
    assert sum(int(e["points"]) for e in r.explanation) == r.score  # type: ignore[call-overload]
    assert len(r.explanation) == 8  # area, distance, slots, sex, peer, language, past, load


def test_s4_ties_are_broken_by_name_then_id() -> None:
    need = Need(municipality_id=KOCHI)
    ranked = rules.rank(need, [cand(3, "い"), cand(2, "あ"), cand(1, "い")])
    assert [r.candidate.supporter_id for r in ranked] == [2, 1, 3]


def test_s4_ranking_is_deterministic_whatever_the_input_order() -> None:
    need = Need(municipality_id=KOCHI, wants_sex="female", slots=frozenset({"weekday_morning"}))
    cs = [
        cand(i, sex=("female" if i % 2 else "male"), slots=frozenset({"weekday_morning"}))
        for i in range(1, 7)
    ]
    first = [r.candidate.supporter_id for r in rules.rank(need, cs)]
    assert first == [r.candidate.supporter_id for r in rules.rank(need, list(reversed(cs)))]


SLOTS = st.frozensets(st.sampled_from(["weekday_morning", "weekday_evening", "weekend_morning"]))
LANGS = st.frozensets(st.sampled_from(["ja", "en", "zh"]), max_size=2)
POSTAL = st.sampled_from(["", "780-0850", "780-0901", "783-0004", "7810000"])
candidates_st = st.builds(
    Candidate,
    supporter_id=st.integers(1, 10_000),
    name=st.sampled_from(["高知", "土佐", "南国", "室戸"]),
    sex=st.sampled_from(["", "female", "male"]),
    peer=st.sampled_from(["", "lived_experience", "family"]),
    home_municipality_id=st.sampled_from([None, KOCHI, NANKOKU]),
    postal_code=POSTAL,
    areas=st.frozensets(st.sampled_from([KOCHI, NANKOKU, MUROTO])),
    slots=SLOTS,
    languages=LANGS,
    visited_household_before=st.booleans(),
    past_dispatches=st.integers(0, 20),
    active_dispatches=st.integers(0, 4),
)
needs_st = st.builds(
    Need,
    municipality_id=st.sampled_from([None, KOCHI, NANKOKU]),
    postal_code=POSTAL,
    wants_sex=st.sampled_from(["", "female", "male"]),
    wants_peer=st.booleans(),
    slots=SLOTS,
    languages=LANGS,
)


@settings(max_examples=200, deadline=None)
@given(need=needs_st, cs=st.lists(candidates_st, max_size=8, unique_by=lambda c: c.supporter_id))
def test_s4_rank_is_a_permutation_sorted_by_score(need: Need, cs: list[Candidate]) -> None:
    ranked = rules.rank(need, cs)
    assert sorted(r.candidate.supporter_id for r in ranked) == sorted(c.supporter_id for c in cs)
    assert [r.score for r in ranked] == sorted((r.score for r in ranked), reverse=True)
    for r in ranked:
        assert r.score == sum(p for p, _ in r.reasons)
        assert all(e["rule"] == "S4" for e in r.explanation)


@settings(max_examples=200, deadline=None)
@given(
    need=needs_st,
    c=candidates_st,
    wanted=st.sampled_from(["female", "male"]),
    other=st.sampled_from(["female", "male", ""]),
)
def test_s4_the_sex_asked_for_never_ranks_below_an_otherwise_identical_other(
    need: Need, c: Candidate, wanted: str, other: str
) -> None:
    need = dataclasses.replace(need, wants_sex=wanted)
    if other == wanted:
        other = ""
    asked = dataclasses.replace(c, supporter_id=1, sex=need.wants_sex)
    not_asked = dataclasses.replace(c, supporter_id=2, sex=other)
    ranked = rules.rank(need, [not_asked, asked])
    assert ranked[0].candidate.supporter_id == 1
    assert ranked[0].score > ranked[1].score


@settings(max_examples=100, deadline=None)
@given(need=needs_st, c=candidates_st)
def test_s4_covering_the_area_never_ranks_below_not_covering(need: Need, c: Candidate) -> None:
    need = dataclasses.replace(need, municipality_id=KOCHI)
    covers = dataclasses.replace(c, supporter_id=1, areas=c.areas | {KOCHI})
    not_covers = dataclasses.replace(c, supporter_id=2, areas=c.areas - {KOCHI})
    s = scores(need, covers, not_covers)
    assert s[1] - s[2] == 70


# --- S4 / S3: request and start ---------------------------------------------------------------


def test_s4_a_request_is_asked_by_the_person_or_the_family_with_their_wish() -> None:
    assert rules.request_findings(Requester.PERSON, "話し相手がほしい") == []
    assert rules.request_findings(Requester.FAMILY, "外出したい") == []
    found = rules.request_findings("municipality", "  ")
    assert codes(found) == ["requester", "wish"]
    assert {f.rule for f in found} == {"S4"}


READY = DispatchFacts(
    state=DispatchState.MATCHED,
    requested_by=Requester.FAMILY,
    person_wish="話し相手",
    supporter_chosen=True,
    supporter_registered=True,
    supporter_confirmed=True,
    purpose="外出のきっかけ",
    activity_plan="週1回",
    activities="話し相手",
    person_consent_on=TODAY,
    supporter_consent_on=TODAY,
)


def test_s4_start_with_everything_in_place_has_no_finding() -> None:
    assert rules.start_findings(READY) == []


@pytest.mark.parametrize(
    ("change", "code", "rule"),
    [
        ({"supporter_chosen": False}, "supporter", "S4"),
        ({"purpose": " "}, "purpose", "S4"),
        ({"activity_plan": ""}, "activity_plan", "S4"),
        ({"activities": ""}, "activities", "S4"),
        ({"person_consent_on": None}, "person_consent", "S4"),
        ({"supporter_consent_on": None}, "supporter_consent", "S4"),
        ({"person_wish": ""}, "wish", "S4"),
        ({"requested_by": ""}, "requester", "S4"),
    ],
)
def test_s4_start_names_what_is_missing(change: dict[str, object], code: str, rule: str) -> None:
    found = rules.start_findings(dataclasses.replace(READY, **change))  # type: ignore[arg-type]
    assert [(f.code, f.rule) for f in found] == [(code, rule)]


@pytest.mark.parametrize(
    "change", [{"supporter_registered": False}, {"supporter_confirmed": False}]
)
def test_s3_start_with_an_unconfirmed_or_unregistered_supporter(change: dict[str, bool]) -> None:
    found = rules.start_findings(dataclasses.replace(READY, **change))  # type: ignore[arg-type]
    assert [(f.code, f.rule) for f in found] == [("confirmed", "S3")]


def test_s4_start_with_nothing_lists_every_missing_piece() -> None:
    found = rules.start_findings(DispatchFacts(state=DispatchState.REQUESTED))
    assert codes(found) == [
        "requester",
        "wish",
        "supporter",
        "purpose",
        "activity_plan",
        "activities",
        "person_consent",
        "supporter_consent",
    ]


# --- S4 / S5: steps -------------------------------------------------------------------------

ALLOWED = {
    "match": {"requested", "matched"},
    "start": {"matched"},
    "stop": {"active", "matched"},
    "end": {"active"},
    "cancel": {"requested", "matched"},
}


@pytest.mark.parametrize("step", sorted(ALLOWED))
@pytest.mark.parametrize("state", DispatchState.values)
def test_s5_step_allowed(step: str, state: str) -> None:
    assert rules.step_allowed(step, state) is (state in ALLOWED[step])


def test_s5_nothing_follows_a_stop_end_or_cancel() -> None:
    for state in (DispatchState.STOPPED, DispatchState.ENDED, DispatchState.CANCELLED):
        assert not any(rules.step_allowed(step, state) for step in rules.STEPS)


# --- S5 / S6: visits ------------------------------------------------------------------------


def visit(**values: object) -> dict[str, str]:
    base: dict[str, object] = {
        "state": DispatchState.ACTIVE,
        "visited_on": TODAY,
        "today": TODAY,
        "starts_on": D(2026, 3, 1),
        "duration_minutes": 60,
    }
    base.update(values)
    return rules.visit_findings(**base)  # type: ignore[arg-type]


def test_s6_a_visit_on_an_active_dispatch_is_fine() -> None:
    assert visit() == {}
    assert visit(visited_on=D(2026, 3, 1), duration_minutes=1) == {}
    assert visit(duration_minutes=720, starts_on=None) == {}


def test_s5_no_visit_on_a_stopped_dispatch() -> None:
    errors = visit(state=DispatchState.STOPPED)
    assert set(errors) == {"dispatch"}
    assert errors["dispatch"] != visit(state=DispatchState.ENDED)["dispatch"]


@pytest.mark.parametrize(
    "state", [DispatchState.REQUESTED, DispatchState.MATCHED, DispatchState.ENDED, "cancelled"]
)
def test_s5_no_visit_unless_active(state: str) -> None:
    assert set(visit(state=state)) == {"dispatch"}


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"visited_on": None}, "visited_on"),
        ({"visited_on": D(2026, 3, 11)}, "visited_on"),
        ({"visited_on": D(2026, 2, 28)}, "visited_on"),
        ({"duration_minutes": None}, "duration_minutes"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 721}, "duration_minutes"),
        ({"duration_minutes": -5}, "duration_minutes"),
    ],
)
def test_s6_visit_dates_and_duration(values: dict[str, object], field: str) -> None:
    assert set(visit(**values)) == {field}


@settings(max_examples=100, deadline=None)
@given(
    offset=st.integers(-400, 400),
    minutes=st.one_of(st.none(), st.integers(-10, 1000)),
    state=st.sampled_from(DispatchState.values),
)
def test_s6_visit_findings_property(offset: int, minutes: int | None, state: str) -> None:
    day = TODAY + datetime.timedelta(days=offset)
    errors = visit(visited_on=day, duration_minutes=minutes, state=state)
    ok_day = D(2026, 3, 1) <= day <= TODAY
    ok_minutes = minutes is not None and 1 <= minutes <= 720
    assert ("visited_on" in errors) is not ok_day
    assert ("duration_minutes" in errors) is not ok_minutes
    assert ("dispatch" in errors) is (state != DispatchState.ACTIVE)


# --- S8: closing an incident ----------------------------------------------------------------


def test_s8_close_after_a_step_with_a_summary() -> None:
    assert rules.closure_findings(1, "保険会社へ連絡し解決") == []


def test_s8_closing_needs_a_step_and_a_summary() -> None:
    found = rules.closure_findings(0, "  ")
    assert codes(found) == ["steps", "summary"]
    assert {f.rule for f in found} == {"S8"}
    assert codes(rules.closure_findings(2, "")) == ["summary"]
    assert codes(rules.closure_findings(0, "解決")) == ["steps"]
