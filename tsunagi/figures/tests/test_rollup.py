"""The municipalities' roll-up (`MunicipalityMonthFigure`): after a refresh, whole or from a
fiscal year on, each row equals the `MonthlyFigure` rows of its municipality, month, measure and
key summed over the agencies (values summed, the largest agency's persons kept), whatever the
agencies' prefecture; and what a municipality's and a prefecture's statistics read from it is
what they read from the monthly rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from django.db.models import Max, Q, Sum

from tests.cast import Cast, make_cast
from tsunagi.accounts.models import Role
from tsunagi.figures import selectors, services
from tsunagi.figures.models import MonthlyFigure, MunicipalityMonthFigure
from tsunagi.figures.tests.test_figures import FY, TOKYO, _built
from tsunagi.jurisdictions.models import Municipality, Prefecture
from tsunagi.people.models import Case, Contact, Person


@pytest.fixture
def cast(db: None) -> Cast:
    return make_cast()


def _by_hand() -> dict[tuple[Any, ...], tuple[int, int]]:
    grouped = (
        MonthlyFigure.objects.filter(municipality__isnull=False)
        .order_by()
        .values_list("municipality__prefecture_id", "municipality_id", "month", "measure", "key")
        .annotate(v=Sum("value"), p=Max("persons"))
    )
    return {tuple(row[:5]): (int(row[5]), int(row[6])) for row in grouped}


def _rolled() -> dict[tuple[Any, ...], tuple[int, int]]:
    rows = MunicipalityMonthFigure.objects.values_list(
        "prefecture_id", "municipality_id", "month", "measure", "key", "value", "persons"
    )
    found: dict[tuple[Any, ...], tuple[int, int]] = {}
    for row in rows:
        assert tuple(row[:5]) not in found  # one row per (town, month, measure, key)
        found[tuple(row[:5])] = (int(row[5]), int(row[6]))
    return found


def _other_agencies(cast: Cast, town: Municipality) -> None:
    """Persons of 高知市 known to the centre and to an agency of another prefecture (Tokyo)."""
    for n, agency in enumerate((cast.center, cast.center, cast.tokyo_agency)):
        person = Person.objects.create(agency=agency, family_name=f"集計{n}", municipality=town)
        case = Case.objects.create(
            agency=agency, person=person, number=f"R{person.pk}", opened_on=date(2024, 4, 20)
        )
        Contact.objects.create(
            agency=agency,
            case=case,
            occurred_at=datetime(2024, 4, 21, 10, tzinfo=TOKYO),
            channel="phone",
            initiator="family",
            summary="相談",
            staff=cast.users[Role.STAFF],
        )


def _old_split(rows: Any) -> dict[int, dict[Any, tuple[int, int]]]:
    """What the prefecture's municipalities were summed from before the roll-up."""
    found: dict[int, dict[Any, tuple[int, int]]] = {}
    for part, figures in selectors._split(rows, "municipality_id", FY).items():
        found[part] = {cell: (f.value, f.persons) for cell, f in figures.cells.items()}
    return found


def test_municipality_rollup_equals_the_monthly_rows_after_a_refresh(cast: Cast) -> None:
    built = _built(cast)
    kochi: Municipality = built["kochi"]
    _other_agencies(cast, kochi)
    services.refresh(None)
    assert MonthlyFigure.objects.exclude(agency=cast.self_reliance).exists()
    assert MonthlyFigure.objects.filter(~Q(prefecture_id=kochi.prefecture_id)).exists()
    hand = _by_hand()
    assert hand and _rolled() == hand
    # two agencies' rows of one cell: the values summed, the largest persons kept
    assert any(
        MonthlyFigure.objects.filter(
            municipality=kochi, month=key[2], measure=key[3], key=key[4]
        ).count()
        > 1
        for key in hand
    )

    # a refresh from a fiscal year on keeps it equal
    Contact.objects.create(
        agency=cast.center,
        case=Case.objects.filter(agency=cast.center).order_by("pk")[0],
        occurred_at=datetime(2024, 5, 2, 10, tzinfo=TOKYO),
        channel="email",
        initiator="person",
        summary="追加",
        staff=cast.users[Role.STAFF],
    )
    services.refresh(date(2024, 6, 1))
    assert _rolled() == _by_hand() != hand

    # what the statistics read is what the monthly rows give
    figures = selectors.load(kochi, FY)
    old = (
        MonthlyFigure.objects.filter(municipality=kochi, month__gte=FY.first, month__lte=FY.last)
        .order_by()
        .values_list("measure", "key", "month")
        .annotate(v=Sum("value"), p=Max("persons"))
    )
    assert {cell: (f.value, f.persons) for cell, f in figures.cells.items()} == {
        (mm, k, d): (int(v), int(p)) for mm, k, d, v, p in old
    }
    kochi_pref = Prefecture.objects.get(pk=kochi.prefecture_id)
    towns, _agencies = selectors.components(kochi_pref, FY)
    new = sorted(
        sorted((cell, f.value, f.persons) for cell, f in part.cells.items()) for part in towns
    )
    old_parts = _old_split(MonthlyFigure.objects.filter(municipality__prefecture=kochi_pref))
    elsewhere = selectors._split(
        MonthlyFigure.objects.filter(prefecture=kochi_pref).filter(
            Q(municipality__isnull=True) | ~Q(municipality__prefecture=kochi_pref)
        ),
        "prefecture_id",
        FY,
        one_row_per_agency=False,
    )
    expected = sorted(
        [sorted((cell, v, p) for cell, (v, p) in part.items()) for part in old_parts.values()]
        + [
            sorted((cell, f.value, f.persons) for cell, f in part.cells.items())
            for part in elsewhere.values()
        ]
    )
    assert new == expected
