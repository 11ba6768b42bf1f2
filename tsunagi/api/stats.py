"""Case statistics of an area (`GET /api/v1/stats/national-survey`, `/hikikomori`,
`/dispatches`, `/referrals-area`): thin over `tsunagi.figures` — the area and the months are
parsed, the pre-aggregated figures summed (the referrals counted from the referrals themselves),
the privacy rules applied (rules P1–P3), and the tables answered as JSON, CSV or Excel with
Japanese headers. (`/api/v1/stats/referrals` is the referral statistics of one agency for its own
members, exact and by day, `api/referral_stats.py`.) Aggregates only: no person is named.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from tsunagi.figures import rules, selectors
from tsunagi.figures.tables import Statistics
from tsunagi.figures.views import export, statistics_for

from .schemas import Error, ValidationErrorOut

router = Router(tags=["statistics"])

Cell = int | float | str


class TableOut(Schema):
    key: str
    title: str
    headers: list[str]
    rows: list[list[Cell]]


class StatsOut(Schema):
    area: str
    area_label: str
    from_month: str
    to_month: str
    exact: bool
    suppressed_below: int
    population: int | None
    tables: list[TableOut]


RESPONSES = {200: StatsOut, 401: Error, 403: Error, 404: Error, 422: ValidationErrorOut}

COMMON = (
    " `area`: `agency:ID`, `municipality:CODE` (5 digits, or the 6-digit local-government code), "
    "`prefecture:CODE` (2 digits) or "
    "`national` (the operator only); default the first area the caller may see. An area the "
    "caller may not see answers 404; a malformed area or month 422 with the field. `from`/`to`: "
    "months (2025-04, 2025/4, 令和7年4月, R7.4) making a fixed period: one month, or whole "
    "quarters from April (April–June, July–September, October–December, January–March) in a "
    "row, such as a fiscal year (April–March); other periods 422. Default this fiscal year, at "
    "most ten years. A cell of a period is hidden when the same cell of one of its months is. "
    "A cell built from fewer than `suppressed_below` persons (TSUNAGI_MIN_CELL, 5) is "
    '"<5", and so is one more cell where a total would give it back; the agency\'s own members '
    "see exact counts of their agency (`exact`). `format=csv` or `format=xlsx`: a download of the "
    "tables (`table=` one of them), logged as an export."
)


def _answer(
    request: HttpRequest, section: str, area: str, from_: str, to: str, format: str, table: str
) -> Any:
    errors: dict[str, list[str]] = {}
    try:
        selectors.refuse_nul(format=format, table=table)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        format, table = "json", ""
    if format not in ("", "json", "csv", "xlsx"):
        errors["format"] = [_("Choose json, csv or xlsx.")]
    found: Statistics | None = None
    try:
        found = statistics_for(request.user, area, from_, to, sections=(section,))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if found is not None:
        tables = [t for t in found.tables if t.section == section]
        if table and table not in {t.key for t in tables}:
            errors["table"] = [_("There is no such table.")]
    if errors or found is None:
        raise ValidationError(errors)
    if table:
        tables = [t for t in tables if t.key == table]
    if format in ("csv", "xlsx"):
        return export(request, found, tables, format)
    return {
        "area": selectors.area_key(found.area),
        "area_label": selectors.area_label(found.area),
        "from_month": found.months.first.strftime("%Y-%m"),
        "to_month": found.months.last.strftime("%Y-%m"),
        "exact": found.exact,
        "suppressed_below": rules.threshold(),
        "population": found.population,
        "tables": [
            {"key": t.key, "title": t.title, "headers": [str(h) for h in t.headers], "rows": t.rows}
            for t in tables
        ],
    }


def _endpoint(section: str) -> Callable[..., Any]:
    """The view of one section: the same query parameters for every section."""

    def endpoint(
        request: HttpRequest,
        area: str = "",
        from_: str = Query("", alias="from"),
        to: str = "",
        format: str = "json",
        table: str = "",
    ) -> Any:
        return _answer(request, section, area, from_, to, format, table)

    return endpoint


# path, section (tsunagi.figures.tables.SECTIONS), name, summary, description
ENDPOINTS = (
    (
        "/national-survey",
        "survey",
        "national_survey",
        "The national support-status survey's monthly figures (支援状況調査) of an area",
        "新規相談受付件数, プラン作成件数, 就労支援対象者数, 就労者数, 増収者数 by month, per "
        "100,000 population per month, the work-or-income rate, the step-up rate and screening "
        "outcomes.",
    ),
    (
        "/hikikomori",
        "hikikomori",
        "hikikomori",
        "The hikikomori agencies' figures of an area",
        "Contacts and unique persons by month; contacts by channel and by who consulted; unique "
        "persons (each once a fiscal year per agency) by sex, age band and duration of "
        "withdrawal.",
    ),
    (
        "/dispatches",
        "supporters",
        "dispatches",
        "Supporter dispatches and visits of an area",
        "Dispatches by the month requested (by state now) and visits by whom they met.",
    ),
    (
        "/referrals-area",
        "referrals",
        "referrals_area",
        "Referral statistics of an area (紹介の統計): an agency, a municipality, a prefecture",
        "Referrals by rule and outcome (`sent`: made by the area's agencies, `received`: made to "
        "them; a referral between two of them counts on both sides), declines by kind of reason, "
        "days from sending to acceptance, the hand-over gap (rule R5; open hand-overs waiting "
        "longer than their agency allows), introductions (rule R3a) and suggestions set aside, "
        "for the months asked. The agencies of a municipality are those it set up "
        "(`operator_municipality`, commissioned ones included); of a prefecture, those of the "
        "prefecture; `national`, every agency.",
    ),
)

for _path, _section, _name, _summary, _description in ENDPOINTS:
    router.get(
        _path,
        response=RESPONSES,
        summary=_summary,
        description=_description + COMMON,
        operation_id=f"tsunagi_api_stats_{_name}",
    )(_endpoint(_section))
