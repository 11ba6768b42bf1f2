"""The referral tables of the case statistics for every area: a cell of 3 referrals in a
prefecture shows "<5" to the prefectural officer, in the table, its export and its bars, and no
total gives it back (rules P1, P2); the agency's own staff see exact counts of their agency (P3);
a municipality's tables count the agencies it set up; an area not visible is 404."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.cast import Cast, make_cast
from tests.people import make_person
from tsunagi.accounts.models import Role
from tsunagi.figures import rules
from tsunagi.people import services as people
from tsunagi.referrals.models import Referral, State

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
FY = {"from": "2024-04", "to": "2025-03"}


@pytest.fixture
def cast() -> Cast:
    """The prefecture's center sent, in fiscal year 2024: R2 12 accepted and 8 first contacts,
    R7 6 accepted and 3 declined; 高知市's self-reliance agency sent 7 R2 referrals."""
    cast = make_cast()
    user = cast.users[Role.STAFF]

    def send(sender: Any, to: Any, rule: str, state: str, n: int) -> None:
        for i in range(n):  # a person each: rule P1 counts persons
            person = make_person(user, cast.center, "地域", f"統計{rule}{state}{i}")
            case = people.open_case(user, person, {"problems": ["hikikomori"]})
            Referral.objects.create(
                agency=sender, to_agency=to, person=person, case=case, rule=rule, purpose="統計",
                state=state, created_by=user,
                sent_at=datetime(2024, 5 + i % 6, 1 + i, 10, tzinfo=TOKYO),
                decided_at=datetime(2024, 5 + i % 6, 3 + i, 10, tzinfo=TOKYO),
                decline_category="outside_area" if state == State.DECLINED else "",
            )  # fmt: skip

    send(cast.center, cast.self_reliance, "R2", State.ACCEPTED, 12)
    send(cast.center, cast.self_reliance, "R2", State.FIRST_CONTACT, 8)
    send(cast.center, cast.self_reliance, "R7", State.ACCEPTED, 6)
    send(cast.center, cast.self_reliance, "R7", State.DECLINED, 3)
    send(cast.self_reliance, cast.center, "R2", State.ACCEPTED, 7)
    return cast


def page(user: Any, area: str, **extra: str) -> Any:
    client = Client()
    client.force_login(user)
    return client.get("/statistics/", {"area": area, **FY, **extra})


def table(response: Any, key: str) -> Any:
    return next(t for t in response.context["stats"].tables if t.key == key)


def recoverable(rows: list[list[Any]], row_totals: bool, col_totals: bool) -> list[Any]:
    hidden = [[cell == rules.hidden_text() for cell in row[1:]] for row in rows]
    lines = rules._lines(len(hidden), len(hidden[0]), row_totals, col_totals)
    return rules.determined(hidden, lines)


def test_p1_p2_cell_of_3_referrals_in_a_prefecture_is_lt5_for_the_prefectural_officer(
    cast: Cast,
) -> None:
    response = page(cast.users[Role.PREFECTURAL_OFFICER], "prefecture:39")
    assert response.status_code == 200
    sent = table(response, "sent_by_rule")
    headers = [str(h) for h in sent.headers]
    declined = headers.index("お断り")
    r7 = next(row for row in sent.rows if row[0] == "R7")
    assert r7[declined] == "<5"
    total = sent.rows[-1]
    assert total[0] == "合計"
    assert total[declined] == "<5"  # the column's total is 3 too
    # rule P2: neither the row's total nor any other total gives the 3 back
    assert sum(cell == "<5" for cell in r7[1:]) >= 2
    assert recoverable(sent.rows, row_totals=True, col_totals=True) == []
    assert "3" not in [str(c) for row in sent.rows for c in row[1:]]
    # the bars are drawn from the cells shown: no bar carries the hidden 3
    bars = {label: value for label, value in sent.chart}
    assert bars["お断り"] == 0 and "お断り" in sent.hidden_bars
    drawn = next(
        t for s in response.context["sections"] for t in s["tables"] if t["key"] == "sent_by_rule"
    )
    assert [b["value"] for b in drawn["bars"] if b["label"] == "お断り"] == ["<5"]
    # the declines by kind of reason: one kind of 3, and its total
    assert table(response, "sent_declined").rows == [["対象地域外", "<5"], ["合計", "<5"]]
    # the export has the same hidden cells
    book = load_workbook(
        io.BytesIO(
            page(
                cast.users[Role.PREFECTURAL_OFFICER],
                "prefecture:39",
                format="xlsx",
                table="sent_by_rule",
            ).content
        )
    )
    rows = [list(r) for r in book.active.iter_rows(values_only=True)]
    assert [r[declined] for r in rows[1:]] == [row[declined] for row in sent.rows]


def test_p3_own_agency_staff_see_exact_referral_counts(cast: Cast) -> None:
    response = page(cast.users[Role.STAFF], f"agency:{cast.center.pk}")
    assert response.status_code == 200
    assert response.context["stats"].exact
    sent = table(response, "sent_by_rule")
    r7 = next(row for row in sent.rows if row[0] == "R7")
    assert r7[1:3] == [6, 3] and r7[-1] == 9
    assert sent.rows[-1][-1] == 29
    # the prefectural officer looking at the same agency sees it suppressed
    outside = table(
        page(cast.users[Role.PREFECTURAL_OFFICER], f"agency:{cast.center.pk}"), "sent_by_rule"
    )
    assert next(row for row in outside.rows if row[0] == "R7")[2] == "<5"


def test_municipality_counts_the_agencies_it_set_up(cast: Cast) -> None:
    response = page(cast.users[Role.MUNICIPAL_OFFICER], "municipality:39201")
    assert response.status_code == 200
    sent = table(response, "sent_by_rule")
    assert sent.rows[-1][-1] == 7  # the city's agency's 7, not the prefecture's center's 29
    received = table(response, "received_by_rule")
    assert received.rows[-1][-1] == 29
    assert "この市区町村が設置した機関" in response.content.decode()
    assert 'aria-label="棒グラフ: ' in response.content.decode()


def test_referral_tables_not_visible_are_404_and_bad_period_is_422(cast: Cast) -> None:
    officer = cast.users[Role.MUNICIPAL_OFFICER]
    assert page(officer, "prefecture:39").status_code == 404
    assert page(cast.outsider, "prefecture:39").status_code == 404
    assert page(cast.users[Role.PREFECTURAL_OFFICER], "national").status_code == 404
    bad = page(officer, "municipality:39201", to="2024-13")
    assert bad.status_code == 422 and bad.context["errors"]["to"]
    assert page(officer, "town:1").status_code == 422


def test_operator_sees_national_referral_tables_suppressed(cast: Cast) -> None:
    response = page(cast.users[Role.OPERATOR], "national")
    assert response.status_code == 200
    sent = table(response, "sent_by_rule")
    assert next(row for row in sent.rows if row[0] == "R7")[2] == "<5"
    assert (
        table(response, "handover").headers[-1]
        == "本日時点で各機関の上限日数を超えて待っている引き継ぎ"
    )
