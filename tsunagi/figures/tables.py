"""The statistics as tables with Japanese headers, after the privacy rules (rules.py): the same
tables are shown, charted and exported (CSV, Excel, API), so a hidden cell is hidden everywhere.

Sections: the national support-status survey (monthly, and rates for the period), screening
outcomes, the hikikomori agencies' figures (contacts and persons by month, by channel, by who
consulted, by sex, age band and duration of withdrawal), supporter dispatches and visits, and
the referral statistics of the area's agencies from `tsunagi.referrals.stats` (one agency; the
agencies a municipality set up; the agencies of a prefecture; every agency, national) with
suppression on top (rules P1–P3).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from tsunagi.agencies.models import Agency
from tsunagi.people.choices import Channel, Initiator, Screening, Sex
from tsunagi.referrals import stats as referral_stats
from tsunagi.referrals.stats import Table
from tsunagi.supporters.models import DispatchState, MetWhom
from tsunagi.web.wareki import era_year

from . import measures as m
from . import rules
from .selectors import HIKIKOMORI_COLUMNS, SURVEY_COLUMNS, Area, Figures, Months, population


@dataclass(frozen=True)
class FigureTable(Table):
    """A table of figures; `hidden_bars` are the chart's labels whose value is suppressed, and
    `trend` marks a monthly table (its chart is the months)."""

    hidden_bars: tuple[str, ...] = ()
    trend: bool = False
    section: str = ""


@dataclass
class Statistics:
    area: Area
    months: Months
    exact: bool
    tables: list[FigureTable] = field(default_factory=list)
    population: int | None = None


@functools.lru_cache(maxsize=1024)
def month_label(day: date) -> str:
    era, year = era_year(day)
    return f"{era.name}{'元' if year == 1 else year}年{day.month}月"


def _chart(
    labels: Sequence[str], cells: Sequence[Any]
) -> tuple[list[tuple[str, int]], tuple[str, ...]]:
    chart = [
        (label, cell if isinstance(cell, int) else 0)
        for label, cell in zip(labels, cells, strict=True)
    ]
    hidden = tuple(
        label for label, cell in zip(labels, cells, strict=True) if not isinstance(cell, int)
    )
    return chart, hidden


def _grid(
    figures: Figures, spec: _Spec, exact: bool, forced: Forced = None
) -> tuple[list[str], rules.Protected]:
    """A table's row labels (its total row last) and its cells after suppression: months down
    and measures across (`spec.monthly`), or one row per key of the measure (the choices in
    their order, then any other key found); each column a line of its own, with its total."""
    if spec.monthly:
        months = figures.period.months
        totals = [[figures.month_total(c, mo) for c in spec.measures] for mo in months]
        names = [month_label(mo) for mo in months]
    else:
        measure = spec.measures[0]
        labels = dict(spec.choices)
        keys = [k for k, _label in spec.choices]
        keys += [k for k in figures.keys(measure) if k not in labels]
        totals = [[figures.period_total(measure, k)] for k in keys]
        names = [labels.get(k, k or spec.unknown) for k in keys]
    names.append(spec.total)
    shown = rules.protect(
        [[t.value for t in row] for row in totals],
        [[t.persons for t in row] for row in totals],
        col_totals=True,
        exact=exact,
        force=_mask(forced, spec.key, names, len(spec.measures)),
    )
    return names, shown


def _monthly(figures: Figures, spec: _Spec, exact: bool, forced: Forced = None) -> FigureTable:
    """Months down, measures across, a total row (the period's)."""
    names, shown = _grid(figures, spec, exact, forced)
    rows = [[name, *cells] for name, cells in zip(names, shown.cells, strict=True)]
    chart, hidden = _chart(names[:-1], [row[0] for row in shown.cells[:-1]])
    return FigureTable(
        key=spec.key,
        title=spec.title,
        headers=list(spec.heads),
        rows=rows,
        chart=chart,
        hidden_bars=hidden,
        trend=True,
        section=spec.section,
    )


# rule P2 across periods and areas: the cells (row label, column) of each table (by key) to
# hide whatever their count, because other tables the same reader may ask for would give them
# back by a difference.
Forced = dict[str, set[tuple[str, int]]] | None


def _mask(forced: Forced, key: str, names: Sequence[str], width: int) -> list[list[bool]] | None:
    if not forced or key not in forced:
        return None
    cells = forced[key]
    return [[(str(name), c) in cells for c in range(width)] for name in names]


def _hidden_cells(table: Table) -> set[tuple[str, int]]:
    """The suppressed cells of a table of counts, as (row label, column)."""
    text = rules.hidden_text()
    return {
        (str(row[0]), c) for row in table.rows for c, cell in enumerate(row[1:]) if cell == text
    }


def _breakdown(figures: Figures, spec: _Spec, exact: bool, forced: Forced = None) -> FigureTable:
    """One row per key (in the order of the choices, then any other key found), a total row."""
    names, shown = _grid(figures, spec, exact, forced)
    rows = [[name, cells[0]] for name, cells in zip(names, shown.cells, strict=True)]
    chart, hidden = _chart(names[:-1], [row[1] for row in rows[:-1]])
    return FigureTable(
        key=spec.key,
        title=spec.title,
        headers=list(spec.heads),
        rows=rows,
        chart=chart,
        hidden_bars=hidden,
        section=spec.section,
    )


def _rates(
    figures: Figures, people: int | None, exact: bool, section: str, survey: FigureTable
) -> FigureTable:
    """Per 100,000 population per month, the work-or-income rate and the step-up rate: each
    shown only when the counts it is made of are shown in the survey table's total row (a rate
    would give a hidden count back)."""
    months = len(figures.period.months)
    counted = {c: figures.period_total(c) for c in SURVEY_COLUMNS}
    total_row = survey.rows[-1][1:]
    visible = {
        c: exact or total_row[i] != rules.hidden_text() for i, c in enumerate(SURVEY_COLUMNS)
    }
    rows: list[list[Any]] = []
    for c in (m.NEW_CASES, m.PLANS, m.EMPLOYMENT_TARGET, m.FOUND_WORK, m.INCOME_ROSE):
        if not visible[c]:
            value: Any = rules.hidden_text()
        elif not people:
            value = "—"
        else:
            value = round(counted[c].value * 100_000 / people / months, 2)
        rows.append(
            [_("%(measure)s per 100,000 population per month") % {"measure": m.LABELS[c]}, value]
        )

    def rate(top: str, bottom: str) -> Any:
        if not (visible[top] and visible[bottom]):
            return rules.hidden_text()
        if not counted[bottom].value:
            return "—"
        return round(counted[top].value * 100 / counted[bottom].value, 1)

    rows.append(
        [
            _("Work-or-income rate (%) (found work or income rose / employment support)"),
            rate(m.WORK_OR_INCOME, m.EMPLOYMENT_TARGET),
        ]
    )
    rows.append(
        [
            _("Step-up rate (%) (evaluated with a step up / evaluated)"),
            rate(m.STEPPED_UP, m.EVALUATED),
        ]
    )
    return FigureTable(
        key="survey_rates",
        title=_("Rates for the period"),
        headers=[_("Figure"), _("Value")],
        rows=rows,
        section=section,
    )


def _protect_referrals(table: Table) -> FigureTable:
    """Suppression on top of referral statistics (for readers outside the agency): tables of
    counts with totals through rules.protect (P1, P2); a row of days (count, median, mean,
    maximum) is blanked when its count is under the threshold, and a count standing alone after
    it (no gap, waiting too long) is hidden by itself. The chart is drawn from the cells shown,
    so a hidden cell is hidden in the bars too."""
    body = table.rows
    has_total_row = bool(body) and str(body[-1][0]) == _("Total")
    has_total_col = str(table.headers[-1]) == _("Total")
    inner = body[:-1] if has_total_row else body
    numeric = all(all(isinstance(v, int) for v in row[1:]) for row in inner)
    rows: list[list[Any]]
    if inner and numeric and (has_total_row or len(table.headers) == 2):
        values = [list(row[1 : len(row) - (1 if has_total_col else 0)]) for row in inner]
        # rule P1 on persons: each cell's distinct persons (totals included) when the table
        # carries them (5 referrals of one person are one person)
        shown = rules.protect(
            values, table.persons, row_totals=has_total_col, col_totals=has_total_row
        )
        rows = [[row[0], *cells] for row, cells in zip(body, shown.cells, strict=False)]
    else:
        rows = [_protect_days(row) for row in body]
    chart, hidden = _chart_after(table, rows)
    return FigureTable(
        table.key,
        table.title,
        table.headers,
        rows,
        chart,
        hidden_bars=hidden,
        section="referrals",
    )


def _small(value: Any) -> bool:
    return isinstance(value, int) and 0 < value < rules.threshold()


def _protect_days(row: list[Any]) -> list[Any]:
    """rule P1 over a row [labels…, count, median, mean, maximum, counts…]."""
    first = next((i for i, v in enumerate(row) if isinstance(v, int)), len(row))
    summary = range(first, first + 4)
    hide_summary = first < len(row) and _small(row[first])
    return [
        rules.hidden_text()
        if (i in summary and hide_summary and v != "") or (i >= first + 4 and _small(v))
        else v
        for i, v in enumerate(row)
    ]


def _chart_after(
    table: Table, rows: list[list[Any]]
) -> tuple[list[tuple[str, int]], tuple[str, ...]]:
    """The table's chart read again from the cells shown: a bar is a row's cell (the first
    column holding its value) or, labelled by a header, the total row's cell."""
    cells: list[Any] = []
    for label, value in table.chart:
        cell: Any = None
        for original, shown in zip(table.rows, rows, strict=True):
            if str(original[0]) == str(label) and value in original[1:]:
                cell = shown[original.index(value, 1)]
                break
        if cell is None and rows and str(label) in [str(h) for h in table.headers]:
            cell = rows[-1][[str(h) for h in table.headers].index(str(label))]
        cells.append(cell if cell is not None else rules.hidden_text())
    return _chart([str(label) for label, _value in table.chart], cells)


def _referral_tables(
    area: Area, months: Months, exact: bool, today: date | None
) -> list[FigureTable]:
    """The referral statistics of the area's agencies, suppressed unless `exact` (rule P3)."""
    period = referral_stats.Period(months.first, months.until)
    found = referral_stats.tables(referral_stats.area_stats(area, period, today))
    if not exact:
        return [_protect_referrals(table) for table in found]
    return [
        FigureTable(t.key, t.title, t.headers, t.rows, t.chart, section="referrals") for t in found
    ]


def build(
    figures: Figures,
    area: Area,
    exact: bool,
    today: date | None = None,
    sections: Sequence[str] | None = None,
    parts: Sequence[Sequence[Figures]] = (),
) -> Statistics:
    """The tables of the statistics of `area` for the period of `figures`: every section, or
    those named in `sections` (keys of SECTIONS). `parts`: the splits of the area into other
    areas the reader may see (`selectors.components`, rule P2 across areas)."""
    people = population(area)
    found = Statistics(area=area, months=figures.period, exact=exact, population=people)
    if sections is None or set(sections) - {"referrals"}:
        counted = _safe_counted(figures, people, exact, parts)
        found.tables = [t for t in counted if sections is None or t.section in sections]
    if sections is None or "referrals" in sections:
        found.tables += _referral_tables(area, figures.period, exact, today)
    return found


def _safe_counted(
    figures: Figures, people: int | None, exact: bool, parts: Sequence[Sequence[Figures]] = ()
) -> list[FigureTable]:
    """The tables of the pre-aggregated figures with rule P2 across periods and areas on top
    (readers outside the agency; the agency's own members see exact counts, rule P3):

    - across periods (only fixed periods may be asked for: a month or whole quarters from
      April in a row, selectors.fixed_period): a quarter's cell is the sum of its three months'
      same cells, each shown or hidden in its month's own table; it is hidden when exactly one
      of them is hidden (the quarter minus the two others would give it back) and shown when
      none or at least two are (two hidden months give back only their sum, as a line of a
      table holding two hidden cells). A longer period's cell (several quarters, a fiscal year)
      is hidden when one of its quarters' cells is: a shown one is the sum of shown quarters,
      which tells nothing more.
    - across areas (a prefecture, `selectors.components`): the prefecture's figures are the sum
      of its municipalities' (plus its agencies' persons living elsewhere) and the sum of its
      agencies'; a prefecture's cell is hidden when, in one of these splits, exactly one part
      hides the same cell in its own table (two hidden parts give back only their sum).

    Each area's table of each month (and of the period) is suppressed once and its hidden cells
    kept (`_hidden`): a part's months serve both the prefecture's months and the part's own
    period."""
    if exact:
        return _counted(figures, people, exact)
    return _counted(figures, people, exact, _forced(figures, parts, {}))


Hidden = dict[str, set[tuple[str, int]]]
Memo = dict[int, tuple[Figures, Hidden]]


def _forced(
    figures: Figures, parts: Sequence[Sequence[Figures]], memo: Memo
) -> dict[str, set[tuple[str, int]]]:
    """The cells of `figures`' tables to hide because of its months and its parts (rule P2
    across periods and areas, `_safe_counted`)."""
    forced: dict[str, set[tuple[str, int]]] = defaultdict(set)
    months = figures.period.months
    if len(months) > 1:
        quarters: dict[date, dict[tuple[str, tuple[str, int]], int]] = defaultdict(
            lambda: defaultdict(int)
        )
        for month in months:
            own = [[part.only(month) for part in split] for split in parts]
            quarter = date(month.year, (month.month - 1) // 3 * 3 + 1, 1)
            counts = quarters[quarter]
            for key, cells in _hidden(figures.only(month), own, memo).items():
                for cell in cells:
                    counts[(key, cell)] += 1
        for counts in quarters.values():
            for (key, cell), hidden_months in counts.items():
                if hidden_months == 1:
                    forced[key].add(cell)
    for split in parts:
        hidden_in: dict[tuple[str, tuple[str, int]], int] = defaultdict(int)
        for part in split:
            for key, cells in _hidden(part, (), memo).items():
                for cell in cells:
                    hidden_in[(key, cell)] += 1
        for (key, cell), count in hidden_in.items():
            if count == 1:
                forced[key].add(cell)
    return forced


def _hidden(figures: Figures, parts: Sequence[Sequence[Figures]], memo: Memo) -> Hidden:
    """The suppressed cells (row label, column) of each table of `figures` (read with its
    months and `parts`), by table key, as `_hidden_cells` reads them from the tables shown;
    worked out once per Figures (`memo`). The rates are left out: they are never forced (a rate
    is shown only when its counts are)."""
    found = memo.get(id(figures))
    if found is None:
        forced = _forced(figures, parts, memo)
        cells: Hidden = {}
        for spec in _specs(translation.get_language()):
            names, shown = _grid(figures, spec, False, forced)
            cells[spec.key] = {
                (names[r], c)
                for r, row in enumerate(shown.hidden)
                for c, shut in enumerate(row)
                if shut
            }
        found = (figures, cells)
        memo[id(figures)] = found  # the Figures kept with it: its id is not reused
    return found[1]


@dataclass(frozen=True)
class _Spec:
    """A table of the pre-aggregated figures: months by measures (`monthly`), or one measure by
    its keys (a breakdown, `choices` first in their order), with its texts translated."""

    key: str
    title: str
    section: str
    measures: tuple[str, ...]
    heads: tuple[str, ...]
    total: str
    unknown: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    monthly: bool = False


@functools.lru_cache(maxsize=16)
def _specs(language: str | None) -> tuple[_Spec, ...]:
    """The tables in their order, with the texts of the active `language` (each table's texts
    translated once, not once per area and month)."""
    total, unknown = _("Total"), _("Unknown")
    survey, hik, sup = "survey", "hikikomori", "supporters"

    def monthly(key: str, title: str, section: str, columns: Sequence[str]) -> _Spec:
        heads = (_("Month"), *(str(m.LABELS[c]) for c in columns))
        return _Spec(key, title, section, tuple(columns), heads, total, monthly=True)

    def breakdown(
        key: str,
        title: str,
        section: str,
        measure: str,
        choices: Sequence[tuple[str, Any]],
        head: str,
        count_head: str,
    ) -> _Spec:
        labels = tuple((k, str(label)) for k, label in choices)
        return _Spec(key, title, section, (measure,), (head, count_head), total, unknown, labels)

    return (
        monthly("survey", _("National support-status survey, by month"), survey, SURVEY_COLUMNS),
        breakdown(
            "screening",
            _("Screening outcomes"),
            survey,
            m.SCREENING,
            [c for c in Screening.choices if c[0]],
            _("Outcome"),
            _("Cases"),
        ),
        breakdown(
            "plans_kind",
            _("Plans made, first or revised"),
            survey,
            m.PLANS,
            [("first", _("First plan")), ("revised", _("Re-plan"))],
            _("Plan"),
            _("Plans"),
        ),
        monthly("contacts", _("Contacts and persons, by month"), hik, HIKIKOMORI_COLUMNS),
        breakdown(
            "by_channel",
            _("Contacts, by channel"),
            hik,
            m.CONTACTS_CHANNEL,
            Channel.choices,
            _("Channel"),
            _("Contacts"),
        ),
        breakdown(
            "by_initiator",
            _("Contacts, by who consulted"),
            hik,
            m.CONTACTS_INITIATOR,
            Initiator.choices,
            _("Contact made by"),
            _("Contacts"),
        ),
        breakdown(
            "by_sex",
            _("Unique persons, by sex"),
            hik,
            m.PERSONS_FY_SEX,
            Sex.choices,
            _("Sex"),
            _("Persons"),
        ),
        breakdown(
            "by_age",
            _("Unique persons, by age band"),
            hik,
            m.PERSONS_FY_AGE,
            m.AGE_BANDS,
            _("Age band"),
            _("Persons"),
        ),
        breakdown(
            "by_withdrawal",
            _("Unique persons, by duration of withdrawal"),
            hik,
            m.PERSONS_FY_WITHDRAWAL,
            m.WITHDRAWAL_BANDS,
            _("Withdrawn for"),
            _("Persons"),
        ),
        breakdown(
            "dispatches",
            _("Supporter dispatches requested, by state now"),
            sup,
            m.DISPATCHES,
            DispatchState.choices,
            _("State"),
            _("Dispatches"),
        ),
        breakdown(
            "visits",
            _("Supporters' visits, by whom they met"),
            sup,
            m.VISITS,
            MetWhom.choices,
            _("Who was met"),
            _("Visits"),
        ),
    )


def _counted(
    figures: Figures,
    people: int | None,
    exact: bool,
    forced: Forced = None,
    rates: bool = True,
) -> list[FigureTable]:
    """The tables of the pre-aggregated figures (every section but the referrals); the survey's
    rates after the survey table unless `rates` is False."""
    tables: list[FigureTable] = []
    for spec in _specs(translation.get_language()):
        if spec.monthly:
            table = _monthly(figures, spec, exact, forced)
        else:
            table = _breakdown(figures, spec, exact, forced)
        tables.append(table)
        if spec.key == "survey" and rates:
            tables.append(_rates(figures, people, exact, spec.section, table))
    return tables


SECTIONS = (
    ("survey", "National support-status survey (支援状況調査)"),
    ("hikikomori", "Hikikomori support"),
    ("supporters", "Supporters"),
    ("referrals", "Referrals"),
)


def is_agency(area: Area) -> bool:
    return isinstance(area, Agency)
