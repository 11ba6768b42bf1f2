"""Case statistics: the monthly national figures equal a hand count over the records; the Excel
export holds the same numbers; a cell of 3 persons shows "<5" and no hidden cell can be recovered
from the totals (rules P1, P2); the agency's own staff see exact counts (P3); an officer sees
aggregates only and a municipal officer's request for a personal record is refused."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from tests.cast import Cast, make_cast
from tsunagi.accounts.models import Role
from tsunagi.figures import measures as m
from tsunagi.figures import rules, selectors, services
from tsunagi.jurisdictions.models import Municipality
from tsunagi.people.models import Case, Contact, Person
from tsunagi.plans.models import Evaluation, PlanItem, SupportPlan

TOKYO = ZoneInfo("Asia/Tokyo")
FY = selectors.Months(date(2024, 4, 1), date(2025, 3, 1))


# --- rules P1, P2 -------------------------------------------------------------------------------


def test_suppression_p1_cell_of_three_persons_shows_lt5() -> None:
    shown = rules.protect([[3], [40], [12]], col_totals=True)
    assert shown.cells[0] == ["<5"]
    assert shown.cells[1] == [40] or shown.cells[2] == [12]
    # P2: the total would give the 3 back, so one more cell is hidden
    assert sum(row[0] == "<5" for row in shown.cells) >= 2


def test_suppression_p1_zero_is_shown_and_exact_counts_are_not_hidden() -> None:
    assert rules.protect([[0], [9]], col_totals=True).cells == [[0], [9], [9]]
    assert rules.protect([[3], [9]], col_totals=True, exact=True).cells == [[3], [9], [12]]


def test_suppression_p1_threshold_is_a_setting(settings: object) -> None:
    settings.TSUNAGI_MIN_CELL = 10  # type: ignore[attr-defined]
    assert rules.protect([[7], [30], [20]], col_totals=True).cells[0] == ["<10"]


def test_suppression_p1_contacts_of_few_persons_are_hidden() -> None:
    """40 contacts of 2 persons are built from 2 persons."""
    shown = rules.protect([[40, 50]], [[2, 30]], row_totals=True)
    assert shown.cells[0][0] == "<5"


def _recoverable(values: list[list[int]], shown: rules.Protected, rows: bool, cols: bool) -> bool:
    grid_rows, grid_cols = len(shown.cells), len(shown.cells[0])
    lines = rules._lines(grid_rows, grid_cols, rows, cols)
    return bool(rules.determined(shown.hidden, lines))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=5),
        min_size=1,
        max_size=5,
    ).filter(lambda rows: len({len(r) for r in rows}) == 1),
    st.booleans(),
    st.booleans(),
)
def test_suppression_p2_no_hidden_value_recovered_by_subtraction(
    values: list[list[int]], row_totals: bool, col_totals: bool
) -> None:
    shown = rules.protect(values, row_totals=row_totals, col_totals=col_totals)
    full = rules._full(values, row_totals, col_totals)
    for r, row in enumerate(shown.cells):
        for c, cell in enumerate(row):
            if 0 < full[r][c] < rules.threshold() and (r < len(values) and c < len(values[0])):
                assert cell == "<5"  # rule P1
            if cell != "<5":
                assert cell == full[r][c]
    # rule P2: no line with a total holds exactly one hidden cell …
    for line in rules._lines(len(full), len(full[0]), row_totals, col_totals):
        assert sum(shown.hidden[r][c] for r, c in line) != 1
    # … and no hidden cell is determined by any combination of the totals' equations
    assert not _recoverable(values, shown, row_totals, col_totals)
    # brute force on a line: subtracting the shown cells from the total never yields one cell
    for line in rules._lines(len(full), len(full[0]), row_totals, col_totals):
        hidden = [(r, c) for r, c in line if shown.hidden[r][c]]
        assert len(hidden) != 1


# --- the figures over records --------------------------------------------------------------------


@pytest.fixture
def cast(db: None) -> Cast:
    return make_cast()


def _person(cast: Cast, n: int, town: Municipality, **extra: object) -> Person:
    return Person.objects.create(
        agency=cast.self_reliance, family_name=f"統計{n}", municipality=town, **extra
    )


def _case(cast: Cast, person: Person, opened: date, **extra: object) -> Case:
    return Case.objects.create(
        agency=cast.self_reliance, person=person, number=f"C{person.pk}", opened_on=opened, **extra
    )


def _built(cast: Cast) -> dict[str, Any]:
    """Self-reliance records of 高知市 residents across FY2024 (and one outside it)."""
    kochi = Municipality.objects.get(code="39201")
    other = Municipality.objects.get(code="39202")
    user = cast.users[Role.STAFF]
    cases = []
    for n in range(12):
        town = kochi if n < 9 else other
        opened = date(2024, 4 if n < 6 else 5 if n < 8 else 6, 10)
        person = _person(
            cast, n, town, sex="male" if n % 2 else "female", birth_date=date(1980, 1, 1)
        )
        case = _case(
            cast,
            person,
            opened,
            screening="continuing" if n % 4 else "information_only",
            screened_on=opened,
        )
        cases.append(case)
        Contact.objects.create(
            agency=cast.self_reliance,
            case=case,
            occurred_at=datetime(2024, opened.month, 12, 10, tzinfo=TOKYO),
            channel="phone",
            initiator="person",
            summary="相談",
            staff=user,
        )
    _case(cast, _person(cast, 99, kochi), date(2023, 12, 1))  # before the period
    for i, case in enumerate(cases[:7]):
        plan = SupportPlan.objects.create(
            agency=cast.self_reliance, person=case.person, case=case, state="decided",
            person_wishes="働きたい", starts_on=date(2024, 6, 1), decided_on=date(2024, 6, 5 + i),
            created_by=user,
        )  # fmt: skip
        if i < 6:
            PlanItem.objects.create(
                plan=plan,
                what="就労準備",
                service="employment_preparation",
                responsible_agency=cast.self_reliance,
            )
        Evaluation.objects.create(
            plan=plan, agency=cast.self_reliance, case=case, evaluated_on=date(2024, 12, 1),
            person_view="よかった", decision="end", found_work=i < 3, income_rose=i in (2, 3),
            step_daily_life=i == 5, created_by=user,
        )  # fmt: skip
    return {"kochi": kochi, "cases": cases}


def test_monthly_national_figures_equal_a_hand_count(cast: Cast) -> None:
    built = _built(cast)
    kochi = built["kochi"]
    services.refresh(None)
    figures = selectors.load(kochi, FY)
    for month in FY.months:
        hand_new = Case.objects.filter(
            person__municipality=kochi, opened_on__year=month.year, opened_on__month=month.month
        ).count()
        assert figures.month_total(m.NEW_CASES, month).value == hand_new
        hand_plans = SupportPlan.objects.filter(
            person__municipality=kochi, decided_on__year=month.year, decided_on__month=month.month
        ).count()
        assert figures.month_total(m.PLANS, month).value == hand_plans
    evaluations = Evaluation.objects.filter(case__person__municipality=kochi)
    assert figures.period_total(m.FOUND_WORK).value == evaluations.filter(found_work=True).count()
    assert figures.period_total(m.INCOME_ROSE).value == evaluations.filter(income_rose=True).count()
    assert figures.period_total(m.EMPLOYMENT_TARGET).value == 6
    assert figures.period_total(m.NEW_CASES).value == 9
    assert figures.period_total(m.PERSONS_FY).value == 9


def test_statistics_screen_excel_has_the_same_numbers(cast: Cast) -> None:
    _built(cast)
    services.refresh(None)
    client = Client()
    client.force_login(cast.users[Role.PREFECTURAL_OFFICER])
    query = {"area": "municipality:39201", "from": "令和6年4月", "to": "2025-03"}
    page = client.get("/statistics/", query)
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    stats = page.context["stats"]
    survey = next(t for t in stats.tables if t.key == "survey")
    response = client.get("/statistics/", {**query, "format": "xlsx", "table": "survey"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    body = rows[1:]  # under the headers
    assert [list(r[: len(survey.headers)]) for r in body] == [
        [c if c != "" else None for c in row] for row in survey.rows
    ]
    # 9 new cases in the year: shown; a month of 3 is "<5"
    assert survey.rows[-1][1] == 9
    assert "<5" in [row[1] for row in survey.rows]
    assert "<5" in [r[1] for r in body]


def test_p3_own_agency_staff_see_exact_counts_officers_do_not(cast: Cast) -> None:
    _built(cast)
    services.refresh(None)
    staff = cast.users[Role.STAFF]
    from tsunagi.accounts.models import Membership

    Membership.objects.create(user=staff, agency=cast.self_reliance, role=Role.STAFF)
    own = rules.sees_exact(staff, cast.self_reliance)
    assert own
    assert not rules.sees_exact(cast.users[Role.PREFECTURAL_OFFICER], cast.self_reliance)
    client = Client()
    client.force_login(staff)
    page = client.get(
        "/statistics/",
        {"area": f"agency:{cast.self_reliance.pk}", "from": "2024-04", "to": "2025-03"},
    )
    assert page.status_code == 200
    survey = next(t for t in page.context["stats"].tables if t.key == "survey")
    assert "<5" not in [row[1] for row in survey.rows]


def test_statistics_area_not_visible_is_404_and_bad_period_is_422(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.users[Role.MUNICIPAL_OFFICER])
    assert client.get("/statistics/", {"area": "prefecture:13"}).status_code == 404
    assert client.get("/statistics/", {"area": "municipality:13101"}).status_code == 404
    bad = client.get("/statistics/", {"area": "municipality:39201", "from": "そのうち"})
    assert bad.status_code == 422
    assert bad.context["errors"]["from"]
    assert bad.context["asked"]["from"] == "そのうち"
    assert client.get("/statistics/", {"area": "municipality:39201"}).status_code == 200
