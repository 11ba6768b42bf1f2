"""The case statistics' calls for `make bench` (issue 9, item 7): a prefecture's (高知県) figures
for a fiscal year, page and API, over a pre-aggregate filled as if the prefecture held ten times
the demo's persons (10,000 → 100,000; 100,000 → 1,000,000 persons) with ten contacts each.

Honest about what is timed: the statistics never read the source tables on a request — they sum
`figures_monthlyfigure` — so the bench fills that table with PostgreSQL `generate_series`, one row
per (agency of the prefecture, municipality of the prefecture, month, measure, key) and its
roll-ups per agency and per municipality (as `services.roll_up` writes them), the values
adding up to the persons and contacts above, and times the real query path (area check, one
GROUP BY over the rows, suppression, tables, SVG / JSON). The rebuild from the records
(`tsunagi refresh_figures`) is a nightly job and is not timed here. The row count grows with the
number of agencies (the demo's --scale) and months, never with persons or contacts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection
from django.utils import timezone

from tsunagi.bench.harness import register

PREFECTURAL = "demo-prefectural"
KOCHI = "39"
MARKER = date(1900, 1, 1)  # a FigureRefresh with this `since` marks the synthetic fill

KEYS: tuple[tuple[str, str, int], ...] = (
    # measure, key, share of the contacts (per 100) / of the persons
    ("new_cases", "", 10),
    ("screening", "continuing", 6),
    ("screening", "information_only", 3),
    ("screening", "handed_over", 1),
    ("plans", "first", 5),
    ("plans", "revised", 2),
    ("employment_target", "", 3),
    ("evaluated", "", 3),
    ("found_work", "", 1),
    ("income_rose", "", 1),
    ("work_or_income", "", 2),
    ("stepped_up", "", 2),
    ("contacts", "", 100),
    ("contacts_channel", "phone", 40),
    ("contacts_channel", "office_visit", 30),
    ("contacts_channel", "home_visit", 20),
    ("contacts_channel", "email", 10),
    ("contacts_initiator", "person", 50),
    ("contacts_initiator", "family", 40),
    ("contacts_initiator", "agency", 10),
    ("persons_month", "", 30),
    ("persons_fy", "", 10),
    ("persons_fy_sex", "male", 6),
    ("persons_fy_sex", "female", 4),
    ("persons_fy_age", "20-29", 3),
    ("persons_fy_age", "30-39", 3),
    ("persons_fy_age", "40-49", 4),
    ("persons_fy_withdrawal", "1-3y", 5),
    ("persons_fy_withdrawal", "5-10y", 5),
    ("dispatches", "active", 1),
    ("visits", "person", 2),
)


def last_fiscal_year() -> tuple[date, date]:
    today = timezone.localdate()
    start = date(today.year - 1 if today.month >= 4 else today.year - 2, 4, 1)
    return start, date(start.year + 1, 3, 1)


def fill() -> str:
    """Fill the pre-aggregate for the size being timed (once per size); returns the area."""
    from tsunagi.figures.models import (
        AgencyMonthFigure,
        FigureRefresh,
        MonthlyFigure,
        MunicipalityMonthFigure,
    )
    from tsunagi.jurisdictions.models import Prefecture
    from tsunagi.people.models import Person

    persons = max(1, Person.objects.count()) * 10
    contacts = persons * 10
    if FigureRefresh.objects.filter(since=MARKER, rows=persons).exists():
        return f"prefecture:{KOCHI}"
    prefecture = Prefecture.objects.get(code=KOCHI)
    MonthlyFigure.objects.all().delete()
    AgencyMonthFigure.objects.all().delete()
    MunicipalityMonthFigure.objects.all().delete()
    first, last = last_fiscal_year()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM agencies_agency WHERE prefecture_id = %s", [prefecture.pk]
        )
        agencies = max(1, cursor.fetchone()[0])
        cursor.execute(
            "SELECT count(*) FROM jurisdictions_municipality WHERE prefecture_id = %s",
            [prefecture.pk],
        )
        towns = max(1, cursor.fetchone()[0])
        cells = agencies * towns * 12
        values = ", ".join(["(%s, %s, %s)"] * len(KEYS))
        params: list[Any] = []
        for measure, key, share in KEYS:
            total = contacts if measure.startswith("contacts") else persons
            params += [measure, key, max(1, total * share // 100 // cells)]
        cursor.execute(
            f"""
            INSERT INTO figures_monthlyfigure
                (prefecture_id, agency_id, municipality_id, month, measure, key, value, persons)
            SELECT a.prefecture_id, a.id, t.id, m.month::date, k.measure, k.key, k.value,
                   LEAST(k.value, 2147483647)
            FROM agencies_agency a
            CROSS JOIN jurisdictions_municipality t
            CROSS JOIN generate_series(%s::date, %s::date, interval '1 month') AS m(month)
            CROSS JOIN (VALUES {values}) AS k(measure, key, value)
            WHERE a.prefecture_id = %s AND t.prefecture_id = %s
            """,
            [first, last, *params, prefecture.pk, prefecture.pk],
        )
        cursor.execute(
            """
            INSERT INTO figures_agencymonthfigure
                (prefecture_id, agency_id, month, measure, key, value, persons)
            SELECT prefecture_id, agency_id, month, measure, key, sum(value), sum(persons)
            FROM figures_monthlyfigure GROUP BY prefecture_id, agency_id, month, measure, key
            """
        )
        cursor.execute(
            """
            INSERT INTO figures_municipalitymonthfigure
                (prefecture_id, municipality_id, month, measure, key, value, persons)
            SELECT t.prefecture_id, f.municipality_id, f.month, f.measure, f.key, sum(f.value),
                   max(f.persons)
            FROM figures_monthlyfigure f
            JOIN jurisdictions_municipality t ON t.id = f.municipality_id
            GROUP BY t.prefecture_id, f.municipality_id, f.month, f.measure, f.key
            """
        )
        cursor.execute("ANALYZE figures_monthlyfigure")
        cursor.execute("ANALYZE figures_agencymonthfigure")
        cursor.execute("ANALYZE figures_municipalitymonthfigure")
    FigureRefresh.objects.filter(since=MARKER).delete()
    FigureRefresh.objects.create(since=MARKER, rows=persons)
    return f"prefecture:{KOCHI}"


def _period() -> str:
    first, last = last_fiscal_year()
    return f"from={first:%Y-%m}&to={last:%Y-%m}"


def page() -> str:
    return f"/statistics/?area={fill()}&{_period()}"


def api_survey() -> str:
    return f"/api/v1/stats/national-survey?area={fill()}&{_period()}"


def api_hikikomori() -> str:
    return f"/api/v1/stats/hikikomori?area={fill()}&{_period()}"


register("figures.prefecture_year", page, user=PREFECTURAL)
register("api.stats.national_survey", api_survey, user=PREFECTURAL)
register("api.stats.hikikomori", api_hikikomori, user=PREFECTURAL)
