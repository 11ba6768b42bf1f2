"""The case statistics screen (/statistics/): choose an area you may see and a period of months
(shown in the Japanese era), read the tables with their charts (SVG drawn on the server by the
shared `web/_bar_chart.html`), print them, or download every table as CSV or Excel
(`tsunagi.web.charts`). Aggregates only, suppressed by rules.py for everyone outside the agency
itself. The referral tables are shown for every area: the agency's, or those of the agencies of
the municipality, the prefecture or the whole installation (`referrals.stats.scope_of`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from tsunagi.access import audit
from tsunagi.web import charts
from tsunagi.web.decorators import member_required
from tsunagi.web.export import FORMATS

from . import rules, selectors, services
from .tables import SECTIONS, FigureTable, Statistics, build, month_label

EXPORT_ACTION = "figures.exported"
VIEW_ACTION = "figures.viewed"


def statistics_for(
    user: Any, area_text: str, first: str, last: str, sections: Sequence[str] | None = None
) -> Statistics:
    """The statistics the user asked for (every section, or those named): 404 for an area they
    may not see, ValidationError for a malformed area or period. The referral tables are
    counted from the referrals themselves, the others from the pre-aggregated figures."""
    area = selectors.find_area(user, area_text)
    months = selectors.parse_months(first, last, timezone.localdate())
    exact = rules.sees_exact(user, area)
    parts: list[list[selectors.Figures]] = []
    if sections is not None and set(sections) <= {"referrals"}:
        figures = selectors.Figures({}, months)
    else:
        services.refresh_if_stale()
        with selectors.gc_paused():
            figures = selectors.load(area, months)
            if not exact:
                parts = selectors.components(area, months)
    with selectors.gc_paused():
        return build(figures, area, exact, sections=sections, parts=parts)


@member_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    areas = selectors.visible_areas(user)
    context: dict[str, Any] = {
        "areas": [(selectors.area_key(a), selectors.area_label(a)) for a in areas],
        "asked": {k: request.GET.get(k, "") for k in ("area", "from", "to")},
        "errors": {},
        "sections": [],
    }
    if not areas:
        return render(request, "figures/index.html", context, status=200)
    try:
        found = statistics_for(
            user,
            request.GET.get("area", ""),
            request.GET.get("from", ""),
            request.GET.get("to", ""),
        )
    except ValidationError as exc:
        context["errors"] = exc.message_dict
        return render(request, "figures/index.html", context, status=422)
    fmt = request.GET.get("format", "")
    if fmt in FORMATS:
        wanted = request.GET.get("table", "")
        chosen = [t for t in found.tables if t.key == wanted] if wanted else found.tables
        if chosen:
            return export(request, found, chosen, fmt)
    query = {
        "area": selectors.area_key(found.area),
        "from": found.months.first.strftime("%Y-%m"),
        "to": found.months.last.strftime("%Y-%m"),
    }
    audit.record(
        VIEW_ACTION,
        request=request,
        agency_id=getattr(found.area, "pk", None) if _is_agency(found) else None,
        detail={"area": query["area"], "from": query["from"], "to": query["to"]},
    )
    last = services.last_refresh()
    context.update(
        {
            "stats": found,
            "area_key": query["area"],
            "area_label": selectors.area_label(found.area),
            "period_label": f"{month_label(found.months.first)}〜{month_label(found.months.last)}",
            "asked": {"area": query["area"], "from": query["from"], "to": query["to"]},
            "export_query": urlencode(query),
            "refreshed_at": last.finished_at if last else None,
            "threshold": rules.threshold(),
            "referral_scope": _referral_scope(found),
            "sections": [
                {
                    "key": key,
                    "title": _(title),
                    "tables": [_drawn(t) for t in found.tables if t.section == key],
                }
                for key, title in SECTIONS
            ],
        }
    )
    return render(request, "figures/index.html", context)


def _is_agency(found: Statistics) -> bool:
    from tsunagi.agencies.models import Agency

    return isinstance(found.area, Agency)


def _referral_scope(found: Statistics) -> str:
    """Which agencies the referral tables count, said under the section's title."""
    from tsunagi.jurisdictions.models import Municipality, Prefecture

    if isinstance(found.area, Municipality):
        return _(
            "The referral work of the agencies this municipality set up (commissioned ones"
            " included); a referral between two of them counts on both sides."
        )
    if isinstance(found.area, Prefecture):
        return _(
            "The referral work of every agency of this prefecture; a referral between two of"
            " them counts on both sides."
        )
    if found.area is None:
        return _("The referral work of every agency; a referral counts on both sides.")
    return ""


def _drawn(table: FigureTable) -> dict[str, Any]:
    """A table with its bars (`web.charts.shown_table`), "<5" written on a suppressed bar
    (drawn empty)."""
    shown = charts.shown_table(table, table.hidden_bars, rules.hidden_text())
    shown["trend"] = table.trend
    return shown


def export(
    request: HttpRequest, found: Statistics, tables: list[FigureTable], fmt: str
) -> HttpResponse:
    """One table: the CSV/Excel of every list; all: an Excel book with a sheet per table or one
    CSV with the tables under their titles (`web.charts`). Logged."""
    label = _("statistics")
    name = f"{label}_{found.months.first:%Y-%m}_{found.months.last:%Y-%m}"
    agency = found.area if _is_agency(found) else None
    return charts.download(
        request,
        tables,
        fmt=fmt,
        filename=name,
        audit_action=EXPORT_ACTION,
        agency=agency,
        detail={"area": selectors.area_key(found.area)},
    )
