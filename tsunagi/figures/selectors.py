"""Reading the statistics: which areas a user may see, the period in months, the figures of an
area summed from the monthly rows, and the tables (with Japanese headers) after suppression.

An area is an Agency (its own records), a Municipality (the records of persons living there,
whatever agency holds them), a Prefecture (the agencies of the prefecture), or None (the whole
installation, the operator only). `can(user, VIEW, STATISTICS, area)` decides; an area the user
may not see answers 404.
"""

from __future__ import annotations

import gc
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max, Q, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from tsunagi.access.policy import (
    DISPATCHERS,
    Action,
    Kind,
    agencies_with,
    can,
    is_operator,
    prefectures_with,
)
from tsunagi.accounts.models import Membership, Role
from tsunagi.agencies.models import Agency
from tsunagi.jurisdictions.codes import is_valid_lg_code
from tsunagi.jurisdictions.models import Municipality, Prefecture
from tsunagi.web.wareki import DateFormatError, parse_date

from . import measures as m
from .models import AgencyMonthFigure, MonthlyFigure, MunicipalityMonthFigure

Area = Agency | Municipality | Prefecture | None
NATIONAL = "national"


# --- the period in months ---------------------------------------------------------------------


@dataclass(frozen=True)
class Months:
    first: date  # the first day of the first month
    last: date  # the first day of the last month

    @property
    def months(self) -> list[date]:
        found, day = [], self.first
        while day <= self.last:
            found.append(day)
            day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        return found

    @property
    def until(self) -> date:
        nxt = date(self.last.year + (self.last.month == 12), self.last.month % 12 + 1, 1)
        return date.fromordinal(nxt.toordinal() - 1)


_MONTH = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")


def parse_month(text: str) -> date:
    """A month typed as 2025-04, 2025/4, 2025年4月, 令和7年4月 or R7.4."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    found = _MONTH.match(text)
    if found:
        year, month = int(found.group(1)), int(found.group(2))
    else:
        try:
            day = parse_date(text + ("1日" if text.endswith("月") else ".1"))
        except DateFormatError:
            day = None
        if day is None:
            raise ValueError(text)
        year, month = day.year, day.month
    if not 1 <= month <= 12 or not 1900 <= year <= 2200:
        raise ValueError(text)
    return date(year, month, 1)


def parse_months(first: str, last: str, today: date) -> Months:
    """The period from two months; empty: this fiscal year (April to March). Raises
    ValidationError with the field that is wrong (Japanese messages)."""
    refuse_nul(**{"from": first or "", "to": last or ""})
    errors: dict[str, list[str]] = {}
    found: dict[str, date | None] = {}
    for name, text in (("from", first), ("to", last)):
        found[name] = None
        if (text or "").strip():
            try:
                found[name] = parse_month(text)
            except ValueError:
                errors[name] = [
                    _("Enter a month such as 2025-04 or 令和7年4月."),
                ]
    if errors:
        raise ValidationError(errors)
    start, end = found["from"], found["to"]
    fiscal = date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    if start is None and end is None:
        start, end = fiscal, date(fiscal.year + 1, 3, 1)
    elif start is None:
        assert end is not None
        start = date(end.year if end.month >= 4 else end.year - 1, 4, 1)
    elif end is None:
        end = date(start.year + 1 if start.month >= 4 else start.year, 3, 1)
    if end < start:
        raise ValidationError({"to": [_("The end of the period is before its start.")]})
    if (end.year - start.year) * 12 + end.month - start.month >= 120:
        raise ValidationError({"to": [_("Choose a period of ten years or less.")]})
    fixed_period(start, end)
    return Months(start, end)


QUARTER_STARTS = (4, 7, 10, 1)
QUARTER_ENDS = (6, 9, 12, 3)


def fixed_period(start: date, end: date) -> None:
    """rule P2 across periods: only fixed periods may be asked for — one month, or whole
    quarters of the fiscal year (April–June, July–September, October–December, January–March)
    in a row, a fiscal year (April–March) or several being such a run. Two overlapping periods
    of any months would give a hidden month back by their difference (April–May minus April);
    with fixed periods the difference is itself a fixed period, suppressed on its own, and a
    period's cell is hidden when a cell of one of its months is (tables.py)."""
    if start == end:
        return
    errors: dict[str, list[str]] = {}
    message = _(
        "Choose a fixed period: one month (for example 令和7年4月), a quarter (April–June,"
        " July–September, October–December or January–March), a fiscal year (April to March),"
        " or whole quarters or fiscal years in a row."
    )
    if start.month not in QUARTER_STARTS:
        errors["from"] = [message]
    if end.month not in QUARTER_ENDS:
        errors["to"] = [message]
    if errors:
        raise ValidationError(errors)


# --- areas ------------------------------------------------------------------------------------


def area_key(area: Area) -> str:
    if area is None:
        return NATIONAL
    if isinstance(area, Agency):
        return f"agency:{area.pk}"
    if isinstance(area, Municipality):
        return f"municipality:{area.code}"
    return f"prefecture:{area.code}"


def area_label(area: Area) -> str:
    if area is None:
        return _("All areas (national)")
    if isinstance(area, Municipality):
        return f"{area.prefecture.name} {area.name}"
    return area.name


def refuse_nul(**fields: str) -> None:
    """A NUL character (\\x00) in any parameter of the statistics: 422 with the field, never a
    500 (PostgreSQL cannot compare text holding it)."""
    errors = {
        name: [_("Remove the control character (NUL) from the text.")]
        for name, value in fields.items()
        if isinstance(value, str) and "\x00" in value
    }
    if errors:
        raise ValidationError(errors)


def find_area(user: Any, text: str) -> Area:
    """The area named by `agency:12`, `municipality:39201` (the 5-digit code, or the 6-digit
    local-government code with its check digit; never a primary key), `prefecture:39` (code) or
    `national`. Malformed: ValidationError (422); not visible or missing: Http404."""
    refuse_nul(area=text or "")
    text = unicodedata.normalize("NFKC", text or "").strip()
    area: Area
    if text in ("", NATIONAL):
        if text == "" and not is_operator(user):
            areas = visible_areas(user)
            if not areas:
                raise Http404
            return areas[0]
        area = None
    else:
        kind, _sep, ident = text.partition(":")
        malformed = kind not in ("agency", "municipality", "prefecture") or not (
            ident.isascii() and ident.isdigit()
        )
        if kind == "municipality" and len(ident) not in (5, 6):
            malformed = True  # a code, never a primary key
        if (kind == "prefecture" and len(ident) > 2) or (kind == "agency" and len(ident) > 18):
            malformed = True  # no such code; an id beyond the database's integers
        if malformed:
            raise ValidationError(
                {
                    "area": [
                        _(
                            "Name the area as agency:ID, municipality:CODE (5 or 6 digits),"
                            " prefecture:CODE or national."
                        )
                    ]
                }
            )
        try:
            if kind == "agency":
                area = Agency.objects.select_related("prefecture").get(pk=int(ident))
            elif kind == "municipality":
                if len(ident) == 6 and not is_valid_lg_code(ident):
                    raise Municipality.DoesNotExist
                area = Municipality.objects.select_related("prefecture").get(code=ident[:5])
            else:
                area = Prefecture.objects.get(code=ident.zfill(2))
        except (Agency.DoesNotExist, Municipality.DoesNotExist, Prefecture.DoesNotExist):
            raise Http404 from None
    if area is None and not is_operator(user):
        raise Http404  # the whole installation's figures are the operator's (national view)
    if not can(user, Action.VIEW, Kind.STATISTICS, area):
        raise Http404
    return area


def visible_areas(user: Any, limit: int = 300) -> list[Area]:
    """The areas the user may choose: national (operator), their prefectures, municipalities
    and agencies. (The access module answers only for a given area; this lists candidates from
    the user's memberships and keeps those it allows.)"""
    found: list[Area] = []
    if is_operator(user):
        found.append(None)
        found += list(Prefecture.objects.order_by("code"))
        return [a for a in found if a is None or can(user, Action.VIEW, Kind.STATISTICS, a)]
    prefs = prefectures_with(user, Role.PREFECTURAL_OFFICER)
    found += list(Prefecture.objects.filter(pk__in=prefs).order_by("code"))
    towns = set(
        Membership.objects.filter(
            user=user, role__in=(Role.MUNICIPAL_OFFICER, Role.DISPATCH_COORDINATOR)
        )
        .exclude(agency__operator_municipality__isnull=True)
        .values_list("agency__operator_municipality_id", flat=True)
    )
    found += list(
        Municipality.objects.filter(Q(pk__in=towns) | Q(prefecture_id__in=prefs))
        .select_related("prefecture")
        .order_by("code")[:limit]
    )
    members = agencies_with(user, Role.STAFF, Role.MANAGER, Role.AUDITOR, *DISPATCHERS)
    found += list(
        Agency.objects.filter(Q(pk__in=members) | Q(prefecture_id__in=prefs))
        .exclude(kind__in=("prefectural_office", "municipal_office"))
        .order_by("prefecture__code", "name")[:limit]
    )
    return [a for a in found if can(user, Action.VIEW, Kind.STATISTICS, a)]


def may_see_some(user: Any) -> bool:
    """Whether the user may see the statistics of any area (the menu and the index)."""
    return can(user, Action.VIEW, Kind.STATISTICS)


def population(area: Area) -> int | None:
    """The population the per-100,000 figures divide by (None when unknown)."""
    towns = Municipality.objects.filter(abolished_on__isnull=True)
    if isinstance(area, Municipality):
        return area.population
    if isinstance(area, Prefecture):
        towns = towns.filter(prefecture=area)
    elif isinstance(area, Agency):
        towns = towns.filter(pk__in=area.area.values("pk"))
    total = towns.aggregate(n=Sum("population"))["n"]
    return int(total) if total else None


# --- the figures ------------------------------------------------------------------------------


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while the figures are summed and suppressed: they
    make tens of thousands of small dicts and lists (no cycles), and each full collection on
    the way walks every object of the process (it was most of the time of a prefecture's
    year). Reference counting still frees them; the collector runs again after."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@dataclass
class Figure:
    value: int = 0
    persons: int = 0  # at least this many distinct persons


class Figures:
    """The summed figures of an area: by (measure, key, month), with a lower bound of persons.
    The totals by month and by key are summed once, on first use, and so are the months one by
    one (dict lookups afterwards: the tables ask for them cell by cell)."""

    def __init__(self, cells: dict[tuple[str, str, date], Figure], months: Months) -> None:
        self.cells = cells
        self.period = months
        # (measure, month) and (measure, key or None for every key): [value, persons]
        self._totals: dict[Any, list[int]] | None = None
        self._names: dict[str, list[str]] = {}
        self._only: dict[date, Figures] | None = None

    def _index(self) -> dict[Any, list[int]]:
        if self._totals is None:
            totals: dict[Any, list[int]] = {}
            names: dict[str, set[str]] = defaultdict(set)
            get = totals.get
            for (name, key, day), fig in self.cells.items():
                value, persons = fig.value, fig.persons
                for at in ((name, day), (name, key), (name, None)):
                    found = get(at)
                    if found is None:
                        totals[at] = [value, persons]
                    else:
                        found[0] += value
                        if persons > found[1]:
                            found[1] = persons  # at least the largest part's persons
                names[name].add(key)
            self._totals = totals
            self._names = {name: sorted(found) for name, found in names.items()}
        return self._totals

    def _total(self, at: Any) -> Figure:
        found = self._index().get(at)
        return Figure(found[0], found[1]) if found else Figure()

    def get(self, measure: str, key: str, month: date) -> Figure:
        return self.cells.get((measure, key, month), Figure())

    def month_total(self, measure: str, month: date) -> Figure:
        return self._total((measure, month))

    def only(self, month: date) -> Figures:
        """The figures of one month of the period (its own table, rule P2 across periods); the
        same object each time it is asked for."""
        if self._only is None:
            totals = self._index()
            split: dict[date, dict[tuple[str, str, date], Figure]] = defaultdict(dict)
            for cell, fig in self.cells.items():
                split[cell[2]][cell] = fig
            self._only = {}
            for day, cells in split.items():
                # a month's totals: its cells by key, and the month's totals of the period
                own: dict[Any, list[int]] = {}
                names: dict[str, list[str]] = defaultdict(list)
                for (name, key, _day), fig in cells.items():
                    own[(name, key)] = [fig.value, fig.persons]
                    names[name].append(key)
                    if (name, day) not in own:
                        own[(name, day)] = list(totals[(name, day)])
                        own[(name, None)] = list(totals[(name, day)])
                part = Figures(cells, Months(day, day))
                part._totals = own
                part._names = {name: sorted(found) for name, found in names.items()}
                self._only[day] = part
        if month not in self._only:
            self._only[month] = Figures({}, Months(month, month))
        return self._only[month]

    def keys(self, measure: str) -> list[str]:
        self._index()
        return list(self._names.get(measure, ()))

    def period_total(self, measure: str, key: str | None = None) -> Figure:
        return self._total((measure, key))


def area_filter(area: Area) -> Q:
    if area is None:
        return Q()
    if isinstance(area, Agency):
        return Q(agency_id=area.pk)
    if isinstance(area, Municipality):
        return Q(municipality_id=area.pk)
    return Q(prefecture_id=area.pk)


def _summed(grouped: Any) -> dict[tuple[str, str, date], Figure]:
    return {
        (measure, key, month): Figure(int(value), int(persons))
        for measure, key, month, value, persons in grouped
    }


def load(area: Area, months: Months, measures: tuple[str, ...] | None = None) -> Figures:
    """One query: the rows of the area and period summed per (measure, key, month); the persons
    of a cell are at least the largest agency's (a person may be known to two). Each agency has
    one row per (municipality, month, measure, key) in `MonthlyFigure` and one per (month,
    measure, key) in `AgencyMonthFigure` (services.py writes them so), so the largest agency's
    persons are the largest row's: PostgreSQL sums, the rows never come to Python. A
    municipality reads its roll-up over the agencies (`MunicipalityMonthFigure`: one row per
    month, measure and key, the agencies' values summed and their largest persons kept)."""
    table: Any = MunicipalityMonthFigure if isinstance(area, Municipality) else AgencyMonthFigure
    rows = table.objects.filter(area_filter(area), month__gte=months.first, month__lte=months.last)
    if measures is not None:
        rows = rows.filter(measure__in=measures)
    grouped = (
        rows.order_by()
        .values_list("measure", "key", "month")
        .annotate(v=Sum("value"), p=Max("persons"))
    )
    return Figures(_summed(grouped), months)


def _split(
    rows: Any, by: str, months: Months, one_row_per_agency: bool = True
) -> dict[int, Figures]:
    """`rows` (monthly figures of the period) summed per `by` (a municipality or an agency)
    as `load` sums an area's. `one_row_per_agency`: each agency has one row per (`by`, month,
    measure, key) among `rows` (a municipality's, an agency's); else an agency's rows of a cell
    are summed first (several municipalities: persons living elsewhere)."""
    rows = rows.filter(month__gte=months.first, month__lte=months.last).order_by()
    cells: dict[int, dict[tuple[str, str, date], Figure]] = defaultdict(dict)
    if one_row_per_agency:
        for part, measure, key, month, value, persons in rows.values_list(
            by, "measure", "key", "month"
        ).annotate(v=Sum("value"), p=Max("persons")):
            cells[part][(measure, key, month)] = Figure(int(value), int(persons))
    else:
        for part, measure, key, month, _agency, value, persons in rows.values_list(
            by, "measure", "key", "month", "agency_id"
        ).annotate(v=Sum("value"), p=Sum("persons")):
            fig = cells[part].setdefault((measure, key, month), Figure())
            fig.value += int(value)
            fig.persons = max(fig.persons, int(persons))
    return {part: Figures(found, months) for part, found in cells.items()}


def components(area: Area, months: Months) -> list[list[Figures]]:
    """The other areas whose figures the reader of a prefecture's add up to it (rule P2 across
    areas): its municipalities (the persons living there, any agency) plus the persons of its
    agencies living elsewhere or nowhere known; and its agencies. Each list is one way of
    splitting the prefecture; empty for other areas."""
    if not isinstance(area, Prefecture):
        return []
    towns = _split(  # the roll-up over the agencies: one row per (town, month, measure, key)
        MunicipalityMonthFigure.objects.filter(prefecture=area), "municipality_id", months
    )
    elsewhere = _split(
        MonthlyFigure.objects.filter(prefecture=area).filter(
            Q(municipality__isnull=True) | ~Q(municipality__prefecture=area)
        ),
        "prefecture_id",
        months,
        one_row_per_agency=False,
    )
    agencies = _split(AgencyMonthFigure.objects.filter(prefecture=area), "agency_id", months)
    return [[*towns.values(), *elsewhere.values()], list(agencies.values())]


SURVEY_COLUMNS = (
    m.NEW_CASES,
    m.PLANS,
    m.EMPLOYMENT_TARGET,
    m.FOUND_WORK,
    m.INCOME_ROSE,
    m.WORK_OR_INCOME,
    m.EVALUATED,
    m.STEPPED_UP,
)
HIKIKOMORI_COLUMNS = (m.CONTACTS, m.PERSONS_MONTH, m.PERSONS_FY)
