"""Review of issue 9 (case statistics): problems found by a second reader, each as a failing
test marked xfail(strict=True) until it is fixed (then drop the mark)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client

from tests.cast import Cast, make_cast
from tsunagi.accounts.models import Role
from tsunagi.figures import rules, services, tables
from tsunagi.figures.views import statistics_for
from tsunagi.jurisdictions.models import Municipality

from .test_figures import _built


@pytest.fixture
def cast(db: None) -> Cast:
    return make_cast()


def _table(found: Any, key: str) -> tables.FigureTable:
    return next(t for t in found.tables if t.key == key)


def _total(found: Any, key: str = "contacts", column: int = 1) -> Any:
    """The total row's cell of a table (the contacts table's first column: contacts)."""
    return _table(found, key).rows[-1][column]


# --- rule P2 across tables, areas and periods -------------------------------------------------


def test_review_p2_prefecture_minus_its_municipalities_gives_no_hidden_town(cast: Cast) -> None:
    _built(cast)  # 9 persons of 高知市, 3 of 室戸市 (39202)
    services.refresh(None)
    officer = cast.users[Role.PREFECTURAL_OFFICER]
    prefecture = statistics_for(officer, "prefecture:39", "2024-04", "2025-03")
    shown_sum, hidden = 0, []
    for town in Municipality.objects.filter(prefecture__code="39", abolished_on__isnull=True):
        total = _total(statistics_for(officer, f"municipality:{town.code}", "2024-04", "2025-03"))
        if isinstance(total, int):
            shown_sum += total
        else:
            hidden.append(town.code)
    assert hidden == ["39202"]  # the town of 3 is hidden on its own page
    pref_total = _total(prefecture)
    derived = pref_total - shown_sum if isinstance(pref_total, int) else None
    assert derived != 3, "the 3 contacts of 室戸市 are the prefecture's total minus the others"


def test_review_p2_two_periods_do_not_give_a_hidden_month_back(cast: Cast) -> None:
    """Fixed: only fixed periods (a month, whole quarters from April) may be asked for, and a
    quarter's cell is hidden when exactly one of its months' cells is."""
    _built(cast)  # 高知市: 6 contacts in April, 2 in May, 1 in June
    services.refresh(None)
    officer = cast.users[Role.MUNICIPAL_OFFICER]
    with pytest.raises(ValidationError) as refused:
        statistics_for(officer, "municipality:39201", "2024-04", "2024-05")
    assert "to" in refused.value.message_dict
    quarter = statistics_for(officer, "municipality:39201", "2024-04", "2024-06")
    months = {
        mo: _total(statistics_for(officer, "municipality:39201", mo, mo))
        for mo in ("2024-04", "2024-05", "2024-06")
    }
    assert _table(quarter, "contacts").rows[1][1] == rules.hidden_text()
    assert months["2024-05"] == rules.hidden_text() == months["2024-06"]
    shown = [v for v in months.values() if isinstance(v, int)]
    t = _total(quarter)
    # the quarter minus the shown months is May and June together (3), never one of them
    assert not (isinstance(t, int) and t - sum(shown) in (1, 2))


def test_review_p2_api_periods_do_not_give_a_hidden_month_back(cast: Cast) -> None:
    _built(cast)
    services.refresh(None)
    client = Client()
    client.force_login(cast.users[Role.MUNICIPAL_OFFICER])

    def total(first: str, last: str) -> Any:
        answer = client.get(
            "/api/v1/stats/hikikomori",
            {"area": "municipality:39201", "from": first, "to": last, "table": "contacts"},
        )
        assert answer.status_code == 200
        return answer.json()["tables"][0]["rows"][-1][1]

    refused = client.get(
        "/api/v1/stats/hikikomori",
        {"area": "municipality:39201", "from": "2024-04", "to": "2024-05", "table": "contacts"},
    )
    assert refused.status_code == 422
    assert "四半期" in str(refused.json())
    t3, t1 = total("2024-04", "2024-06"), total("2024-04", "2024-04")
    assert not (isinstance(t3, int) and isinstance(t1, int) and t3 - t1 in (1, 2))


def test_review_p2_agency_minus_municipality_gives_no_small_cell(cast: Cast) -> None:
    """Fixed by the access policy: a municipality's officers see the municipality as a whole,
    not the figures of the agency it runs (404)."""
    _built(cast)  # 高知市's agency: 9 persons of 高知市, 3 of 室戸市, one contact each
    services.refresh(None)
    officer = cast.users[Role.MUNICIPAL_OFFICER]
    with pytest.raises(Http404):
        statistics_for(officer, f"agency:{cast.self_reliance.pk}", "2024-04", "2025-03")
    town = statistics_for(officer, "municipality:39201", "2024-04", "2025-03")
    assert isinstance(_total(town), int)


# --- review fixes: the area, bad input, concurrent refreshes ----------------------------------


def test_review_find_area_takes_a_municipality_code_never_a_primary_key(cast: Cast) -> None:
    officer = cast.users[Role.PREFECTURAL_OFFICER]
    kochi = Municipality.objects.get(code="39201")
    assert statistics_for(officer, "municipality:39201", "2024-04", "2024-04").area == kochi
    assert statistics_for(officer, "municipality:392014", "2024-04", "2024-04").area == kochi
    with pytest.raises(Http404):  # a 6-digit code with a wrong check digit names nothing
        statistics_for(officer, "municipality:392015", "2024-04", "2024-04")
    for text in (f"municipality:{kochi.pk}", "municipality:3920", "prefecture:039"):
        if text == "municipality:39201":
            continue  # (a primary key that happens to be a code)
        with pytest.raises(ValidationError) as refused:
            statistics_for(officer, text, "2024-04", "2024-04")
        assert "area" in refused.value.message_dict


def test_review_p2_periods_fixed_quarters_and_fiscal_years_only(cast: Cast) -> None:
    officer = cast.users[Role.MUNICIPAL_OFFICER]
    for first, last in (
        ("2024-04", "2024-04"),
        ("令和6年4月", "令和6年6月"),
        ("2024-07", "2025-03"),
        ("2024-04", "2026-03"),
        ("2025-01", "2025-03"),
    ):
        assert statistics_for(officer, "municipality:39201", first, last)
    for first, last, field in (
        ("2024-04", "2024-05", "to"),
        ("2024-05", "2024-06", "from"),
        ("2024-05", "", "from"),
    ):
        with pytest.raises(ValidationError) as refused:
            statistics_for(officer, "municipality:39201", first, last)
        assert field in refused.value.message_dict


def test_review_nul_in_any_statistics_parameter_is_a_422(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.users[Role.MUNICIPAL_OFFICER])
    good = {"area": "municipality:39201", "from": "2024-04", "to": "2024-04"}
    for name in ("area", "from", "to", "format", "table"):
        asked = {**good, name: (good.get(name) or "csv") + "\x00"}
        answer = client.get("/api/v1/stats/hikikomori", asked)
        assert answer.status_code == 422, name
        assert "NUL" in str(answer.json())
        page = client.get("/statistics/", asked)
        assert page.status_code in (200, 422), name
    page = client.get("/statistics/", {**good, "area": "municipality:39201\x00"})
    assert page.status_code == 422


def test_review_refresh_takes_a_lock_and_refresh_if_stale_checks_again(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection

    from tsunagi.figures.models import FigureRefresh, MonthlyFigure

    _built(cast)
    seen: list[str] = []
    real = services._lock

    def spy() -> None:
        seen.append(connection.vendor)
        real()

    monkeypatch.setattr(services, "_lock", spy)
    services.refresh(None)
    rows = MonthlyFigure.objects.count()
    assert seen and rows
    # stale; another refresh finishes while this one waits for the lock: nothing is done again
    FigureRefresh.objects.update(finished_at=services.timezone.now() - timedelta(days=1))
    calls: list[object] = []

    def other_refresh_meanwhile() -> None:
        real()
        FigureRefresh.objects.create(since=None, rows=rows)

    monkeypatch.setattr(services, "_lock", other_refresh_meanwhile)

    def write(start: object) -> int:
        calls.append(start)
        return 0

    monkeypatch.setattr(services, "_write", write)
    services.refresh_if_stale()
    assert calls == [] and MonthlyFigure.objects.count() == rows
    if connection.vendor == "postgresql":  # the advisory lock is this transaction's
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
            assert cursor.fetchone()[0] >= 1
