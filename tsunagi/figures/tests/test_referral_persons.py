"""Rule P1 counts persons, not referrals: the referral tables of the statistics carry how many
distinct persons each cell (totals included) was built from, counted in the database; 5
referrals of one person show "<5" to the prefectural officer and no total gives them back,
5 referrals of 5 persons show 5; the agency's own staff still see exact counts (P3)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from tests.cast import Cast, make_cast
from tests.people import make_person
from tsunagi.accounts.models import Role
from tsunagi.figures import rules
from tsunagi.people import services as people
from tsunagi.referrals import stats
from tsunagi.referrals.models import Referral, State

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
FY = {"from": "2024-04", "to": "2025-03"}


def send(cast: Cast, persons: int, n: int = 5) -> None:
    """`n` R2 referrals, accepted, from the prefecture's center, of `persons` persons."""
    user = cast.users[Role.STAFF]
    cases = []
    for i in range(persons):
        person = make_person(user, cast.center, "人数", f"確認{i}")
        cases.append((person, people.open_case(user, person, {"problems": ["hikikomori"]})))
    for i in range(n):
        person, case = cases[i % persons]
        Referral.objects.create(
            agency=cast.center, to_agency=cast.self_reliance, person=person, case=case,
            rule="R2", purpose="統計", state=State.ACCEPTED, created_by=user,
            sent_at=datetime(2024, 6, 1 + i, 10, tzinfo=TOKYO),
            decided_at=datetime(2024, 6, 3 + i, 10, tzinfo=TOKYO),
        )  # fmt: skip


def sent_by_rule(user: Any, area: str) -> Any:
    client = Client()
    client.force_login(user)
    response = client.get("/statistics/", {"area": area, **FY})
    assert response.status_code == 200
    return next(t for t in response.context["stats"].tables if t.key == "sent_by_rule")


def test_p1_five_referrals_of_one_person_are_lt5_for_the_prefectural_officer() -> None:
    cast = make_cast()
    send(cast, persons=1)
    table = sent_by_rule(cast.users[Role.PREFECTURAL_OFFICER], "prefecture:39")
    accepted = [str(h) for h in table.headers].index(str(State.ACCEPTED.label))
    r2 = next(row for row in table.rows if row[0] == "R2")
    total = table.rows[-1]
    assert r2[accepted] == "<5" and r2[-1] == "<5"
    assert total[accepted] == "<5" and total[-1] == "<5"  # no total gives the 5 back
    assert 5 not in [c for row in table.rows for c in row[1:]]
    assert str(State.ACCEPTED.label) in table.hidden_bars  # nor the bars
    assert table.persons is None  # the persons are never handed on


def test_p1_five_referrals_of_five_persons_show_5() -> None:
    cast = make_cast()
    send(cast, persons=5)
    table = sent_by_rule(cast.users[Role.PREFECTURAL_OFFICER], "prefecture:39")
    accepted = [str(h) for h in table.headers].index(str(State.ACCEPTED.label))
    r2 = next(row for row in table.rows if row[0] == "R2")
    assert r2[accepted] == 5 and r2[-1] == 5
    assert table.rows[-1][accepted] == 5 and table.rows[-1][-1] == 5


def test_p3_own_staff_see_exact_counts_of_one_person() -> None:
    cast = make_cast()
    send(cast, persons=1)
    table = sent_by_rule(cast.users[Role.STAFF], f"agency:{cast.center.pk}")
    r2 = next(row for row in table.rows if row[0] == "R2")
    assert r2[-1] == 5


def test_p1_persons_counted_in_the_database_for_each_cell_and_total() -> None:
    cast = make_cast()
    send(cast, persons=2, n=6)
    found = stats.area_stats(
        cast.center, stats.Period(datetime(2024, 4, 1).date(), datetime(2025, 3, 31).date())
    )
    table = next(t for t in stats.tables(found) if t.key == "sent_by_rule")
    assert table.persons is not None
    accepted = [k for k, _l in stats.OUTCOMES].index(State.ACCEPTED)
    assert table.rows[0][1 + accepted] == 6
    assert table.persons[0][accepted] == 2  # R2, accepted: 6 referrals of 2 persons
    assert table.persons[0][-1] == 2 and table.persons[-1][-1] == 2


def test_p1_protect_takes_persons_with_their_totals() -> None:
    # one line of two cells: 6 referrals of 3 persons and 6 of 4; 7 persons in all
    shown = rules.protect([[6, 6]], [[3, 4, 7]], row_totals=True)
    assert shown.cells == [["<5", "<5", 12]]
    # the persons without the totals: a total has at least its largest part's persons
    shown = rules.protect([[6, 6]], [[3, 4]], row_totals=True)
    assert shown.cells == [["<5", "<5", "<5"]]
