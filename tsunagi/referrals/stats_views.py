"""The referral statistics screen (紹介の統計): one agency's referrals by rule and outcome, declines
by kind of reason, days to acceptance, the hand-over gap (rule R5), introductions and suggestions
set aside, for a period typed in either calendar (this fiscal year by default), with bar charts
drawn on the server and every table as CSV or Excel with Japanese headers (`tsunagi.web.charts`).

Aggregates only: no person is named. Only the agency's own members see it (`stats.agency_for`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagi.agencies.models import Agency
from tsunagi.web import charts
from tsunagi.web.decorators import member_required
from tsunagi.web.export import FORMATS
from tsunagi.web.forms import TsunagiForm
from tsunagi.web.wareki import era_year, format_wareki

from . import stats

EXPORT_ACTION = "referral.stats_exported"


class PeriodForm(TsunagiForm):
    """The agency (when the user belongs to several) and the period, typed in either calendar;
    what was typed is kept when it cannot be read."""

    agency = forms.TypedChoiceField(label=gettext_lazy("agency"), coerce=int, required=False)
    since = forms.CharField(
        label=gettext_lazy("from"),
        required=False,
        max_length=30,
        help_text=gettext_lazy("For example 令和7年4月1日, R7.4.1 or 2025-04-01."),
    )
    until = forms.CharField(label=gettext_lazy("until"), required=False, max_length=30)

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(a.pk, a.name) for a in agencies]
        if len(agencies) < 2:
            field.widget = forms.HiddenInput()
        self.period: stats.Period | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            self.period = stats.parse_period(data.get("since", ""), data.get("until", ""))
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                self.add_error(name, messages)
        return data


@member_required
def referral_stats(request: HttpRequest) -> HttpResponse:
    agencies = stats.readable_agencies(request.user)
    asked = request.GET.get("agency", "")
    agency = stats.agency_for(request.user, int(asked) if asked.isdigit() else None)
    typed = "since" in request.GET or "until" in request.GET
    if typed:
        data = request.GET.copy()
        data["agency"] = str(agency.pk)  # the agency shown, also when none was asked for
        form = PeriodForm(data, agencies=agencies)
        period = form.period if form.is_valid() else None
    else:
        period = stats.fiscal_year(timezone.localdate())
        form = PeriodForm(
            initial={
                "agency": agency.pk,
                "since": format_wareki(period.since),
                "until": format_wareki(period.until),
            },
            agencies=agencies,
        )
    context: dict[str, Any] = {
        "form": form,
        "agency": agency,
        "period": period,
        "fiscal_label": _fiscal_label(period),
        "tables": [],
    }
    if period is None:
        return render(request, "referrals/stats.html", context)
    figures = stats.referral_stats(agency, period)
    found = stats.tables(figures)
    fmt = request.GET.get("format", "")
    if fmt in FORMATS:
        wanted = request.GET.get("table", "")
        chosen = [t for t in found if t.key == wanted] if wanted else found
        if chosen:
            return export_tables(request, chosen, fmt=fmt, period=period, agency=agency)
    query: dict[str, str] = {
        "agency": str(agency.pk),
        "since": period.since.isoformat(),
        "until": period.until.isoformat(),
    }
    this_year = stats.fiscal_year(timezone.localdate())
    context.update(
        {
            "tables": [charts.shown_table(t) for t in found],
            "export_query": urlencode(query),
            "stats": figures,
            "this_year": _link(query, this_year),
            "last_year": _link(query, stats.fiscal_year(date(this_year.since.year - 1, 4, 1))),
        }
    )
    return render(request, "referrals/stats.html", context)


def _fiscal_label(period: stats.Period | None) -> str:
    """令和7年度 when the period is one fiscal year (年度), else ""."""
    if period is None or period.fiscal_year is None:
        return ""
    era, year = era_year(period.since)
    return _("%(era)s %(year)s fiscal year") % {
        "era": era.name,
        "year": "元" if year == 1 else year,
    }


def _link(query: dict[str, str], period: stats.Period) -> str:
    return urlencode(
        {**query, "since": period.since.isoformat(), "until": period.until.isoformat()}
    )


# --- export ---------------------------------------------------------------------------------


def export_tables(
    request: HttpRequest,
    tables: list[stats.Table],
    *,
    fmt: str,
    period: stats.Period,
    agency: Agency,
) -> HttpResponse:
    """A download of the statistics. One table: the CSV/Excel of every list (`web.export`). All
    tables: an Excel book with a sheet per table, or one CSV with the tables one after another
    under their titles. Logged as an export of the agency's statistics."""
    label = _("referral-statistics")
    filename = f"{label}_{period.since.isoformat()}_{period.until.isoformat()}"
    return charts.download(
        request,
        tables,
        fmt=fmt,
        filename=filename,
        audit_action=EXPORT_ACTION,
        agency=agency,
        detail={"rows": sum(len(t.rows) for t in tables)},
    )
