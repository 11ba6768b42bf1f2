"""The case statistics screen (/statistics/): choose an area you may see and a period of months
(shown in the Japanese era), read the tables with their charts (SVG drawn on the server, the
referral statistics' bars), print them, or download every table as CSV or Excel. Aggregates only,
suppressed by rules.py for everyone outside the agency itself."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from tsunagi.access import audit
from tsunagi.referrals.stats_views import _shown, _stacked_csv, _workbook
from tsunagi.web.decorators import member_required
from tsunagi.web.export import FORMATS, export_response

from . import rules, selectors, services
from .tables import SECTIONS, FigureTable, Statistics, build, month_label

EXPORT_ACTION = "figures.exported"
VIEW_ACTION = "figures.viewed"


def statistics_for(user: Any, area_text: str, first: str, last: str) -> Statistics:
    """The statistics the user asked for: 404 for an area they may not see, ValidationError
    for a malformed area or period."""
    area = selectors.find_area(user, area_text)
    months = selectors.parse_months(first, last, timezone.localdate())
    services.refresh_if_stale()
    figures = selectors.load(area, months)
    return build(figures, area, rules.sees_exact(user, area))


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


def _drawn(table: FigureTable) -> dict[str, Any]:
    """The referral statistics' bars (`referrals.stats_views._shown`), with "<5" written on a
    suppressed bar (drawn empty)."""
    shown = _shown(table)
    for bar in shown["bars"]:
        if bar["label"] in table.hidden_bars:
            bar["value"] = rules.hidden_text()
    shown["trend"] = table.trend
    return shown


def export(
    request: HttpRequest, found: Statistics, tables: list[FigureTable], fmt: str
) -> HttpResponse:
    """One table: the CSV/Excel of every list; all: an Excel book with a sheet per table or one
    CSV with the tables under their titles (the referral statistics' writers). Logged."""
    name = f"{_('statistics')}_{found.months.first:%Y-%m}_{found.months.last:%Y-%m}"
    agency = found.area if _is_agency(found) else None
    if len(tables) == 1:
        return export_response(
            request,
            fmt=fmt,
            filename=f"{name}_{tables[0].key}",
            headers=tables[0].headers,
            rows=tables[0].rows,
            audit_action=EXPORT_ACTION,
            agency=agency,
        )
    if fmt == "xlsx":
        content = _workbook(list(tables))
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content, content_type = _stacked_csv(list(tables)), "text/csv; charset=utf-8"
    audit.record(
        EXPORT_ACTION,
        request=request,
        agency_id=agency.pk if agency is not None else None,
        detail={"tables": len(tables), "format": fmt, "area": selectors.area_key(found.area)},
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'{name}.{fmt}')}"
    return response
