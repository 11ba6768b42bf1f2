"""Rules M1-M5 as pure functions: what counts as done on a date, and the prefecture's counts."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from tsunagi.agencies.rules import center_compliance
from tsunagi.oversight import rules

DAY = date(2025, 6, 30)


def town(pk: int) -> SimpleNamespace:
    return SimpleNamespace(pk=pk, name=f"町{pk}")


def test_m1_a_window_in_the_directory_counts() -> None:
    assert rules.window_done(1, {1, 2})
    assert not rules.window_done(3, {1, 2})


def test_m2_a_survey_counts_once_its_period_has_begun() -> None:
    ended = SimpleNamespace(period_from=date(2024, 4, 1), period_to=date(2024, 9, 30))
    running = SimpleNamespace(period_from=date(2025, 6, 1), period_to=None)
    planned = SimpleNamespace(period_from=date(2025, 7, 1), period_to=date(2025, 9, 30))
    assert rules.survey_done([ended], DAY)
    assert rules.survey_done([running], DAY)
    assert not rules.survey_done([planned], DAY)
    assert not rules.survey_done([], DAY)


def test_m3_a_platform_counts_from_its_set_up_date() -> None:
    platform = SimpleNamespace(set_up_on=date(2025, 4, 1))
    assert rules.platform_done([platform], DAY)
    assert not rules.platform_done([platform], date(2025, 3, 31))


def test_m4_the_lead_department_counts_while_in_charge() -> None:
    old = SimpleNamespace(since=date(2023, 4, 1), until=date(2025, 4, 1))
    new = SimpleNamespace(since=date(2025, 4, 1), until=None)
    assert rules.lead_done([old, new], DAY)
    assert rules.lead_done([old], date(2024, 1, 1))
    assert not rules.lead_done([old], DAY)
    assert not rules.lead_done([new], date(2022, 1, 1))


def test_m5_counts_and_the_list_of_who_has_not() -> None:
    towns = [town(i) for i in range(1, 35)]
    statuses = [
        rules.status_of(
            t,
            windows={x.pk for x in towns},
            surveys=[SimpleNamespace(period_from=date(2024, 1, 1))] if t.pk <= 7 else [],
            platforms=[SimpleNamespace(set_up_on=date(2024, 1, 1))] if t.pk <= 10 else [],
            leads=[SimpleNamespace(since=date(2023, 1, 1), until=None)],
            as_of=DAY,
        )
        for t in towns
    ]
    progress = rules.progress(statuses)
    assert progress.label("window") == "34/34"
    assert progress.label("survey") == "7/34"
    assert progress.label("platform") == "10/34"
    assert progress.label("lead") == "34/34"
    assert [t.pk for t in progress.missing["survey"]] == list(range(8, 35))
    assert progress.missing["window"] == []
    assert statuses[20].missing[0].startswith("M2")


def test_m5_history_points_are_quarter_ends_and_today() -> None:
    points = rules.quarter_ends(date(2023, 6, 1), date(2024, 2, 10))
    assert points == [date(2023, 6, 30), date(2023, 9, 30), date(2023, 12, 31), date(2024, 2, 10)]
    assert rules.quarter_ends(date(2024, 12, 1), date(2024, 12, 31)) == [date(2024, 12, 31)]


def test_m5_missing_reasons_name_their_rule() -> None:
    for step in rules.STEPS:
        assert rules.missing_reason(step).startswith(rules.RULE_OF[step])


def test_j6_compliance_is_the_agencies_rule_reused() -> None:
    staff = [SimpleNamespace(is_active=True, is_coordinator=True, qualifications=[])]
    hours = [SimpleNamespace(weekday=d, hours=8.0) for d in range(4)]
    result = center_compliance(staff, hours)
    assert not result.compliant
    assert all(r.startswith("J6") for r in result.reasons)
    assert len(result.reasons) == 5
