"""Statistics of an agency's referrals, introductions and suggestions set aside
(`GET /api/v1/stats/referrals`).

Thin: parse the agency and the period, call `tsunagi.referrals.stats`, answer JSON, CSV or
Excel. Aggregates only (no person is named); only the agency's own members (caseworkers, the
manager, the auditor) may read them: a user of no agency gets 403, another agency's figures 404.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from tsunagi.referrals import stats
from tsunagi.referrals.models import DeclineReason, IntroductionTarget
from tsunagi.referrals.stats_views import export_tables

from .schemas import Error, ValidationErrorOut

router = Router(tags=["statistics"])


class AgencyRef(Schema):
    id: int
    name: str


class PeriodOut(Schema):
    since: date
    until: date


class SummaryOut(Schema):
    count: int
    median: float | None
    mean: float | None
    max: int | None


class RuleOutcomes(Schema):
    rule: str  # "" for a referral made without a rule
    rule_label: str
    outcomes: dict[str, int]
    total: int


class CategoryCount(Schema):
    category: str
    label: str
    count: int


class AcceptanceOut(Schema):
    days: SummaryOut
    business_days: SummaryOut


class HandoverOut(Schema):
    days: SummaryOut
    no_gap: int
    waiting_too_long: int


class SideOut(Schema):
    by_rule: list[RuleOutcomes]
    outcome_totals: dict[str, int]
    total: int
    declined: list[CategoryCount]
    acceptance: AcceptanceOut
    handover: HandoverOut


class KindCount(Schema):
    target_kind: str
    label: str
    count: int


class RuleCount(Schema):
    rule: str
    rule_label: str
    count: int


class IntroductionsOut(Schema):
    by_target_kind: list[KindCount]
    by_rule: list[RuleCount]
    total: int


class DismissalCount(Schema):
    rule: str
    dismissed: int
    restored: int


class ReferralStatsOut(Schema):
    agency: AgencyRef
    period: PeriodOut
    today: date
    handover_days: int
    outcomes: dict[str, str]
    sent: SideOut
    received: SideOut
    introductions: IntroductionsOut
    dismissals: list[DismissalCount]


def _summary(s: stats.Summary) -> dict[str, Any]:
    return {"count": s.count, "median": s.median, "mean": s.mean, "max": s.max}


def _side(side: stats.Side) -> dict[str, Any]:
    return {
        "by_rule": [
            {
                "rule": rule,
                "rule_label": stats.rule_label(rule),
                "outcomes": counts,
                "total": sum(counts.values()),
            }
            for rule, counts in side.by_rule.items()
        ],
        "outcome_totals": side.outcome_totals,
        "total": side.sent_total,
        "declined": [
            {
                "category": c,
                "label": str(DeclineReason(c).label) if c in DeclineReason.values else c,
                "count": n,
            }
            for c, n in side.declined.items()
        ],
        "acceptance": {
            "days": _summary(side.acceptance.days),
            "business_days": _summary(side.acceptance.business_days),
        },
        "handover": {
            "days": _summary(side.handover.days),
            "no_gap": side.handover.no_gap,
            "waiting_too_long": side.handover.waiting_too_long,
        },
    }


def stats_out(figures: stats.ReferralStats) -> dict[str, Any]:
    by_kind = figures.introductions_by_kind
    agency = figures.agency
    assert agency is not None  # one agency's statistics
    return {
        "agency": {"id": agency.pk, "name": agency.name},
        "period": {"since": figures.period.since, "until": figures.period.until},
        "today": figures.today,
        "handover_days": figures.handover_days,
        "outcomes": {key: str(label) for key, label in stats.OUTCOMES},
        "sent": _side(figures.sides[stats.SENT]),
        "received": _side(figures.sides[stats.RECEIVED]),
        "introductions": {
            "by_target_kind": [
                {"target_kind": k, "label": str(IntroductionTarget(k).label), "count": n}
                for k, n in by_kind.items()
            ],
            "by_rule": [
                {"rule": r, "rule_label": stats.rule_label(r), "count": n}
                for r, n in figures.introductions_by_rule.items()
            ],
            "total": sum(by_kind.values()),
        },
        "dismissals": [
            {"rule": r, "dismissed": d, "restored": s} for r, (d, s) in figures.dismissals.items()
        ],
    }


@router.get(
    "/referrals",
    response={200: ReferralStatsOut, 401: Error, 403: Error, 404: Error, 422: ValidationErrorOut},
    summary="Referral statistics of one agency (紹介の統計) for a period",
    description=(
        "Aggregates only, for the agency's own members (staff, manager, auditor). `agency`: the "
        "agency's id (default: the caller's own; another agency answers 404, a caller of no "
        "agency 403). `since`/`until`: dates in either calendar (令和7年4月1日, R7.4.1, "
        "2025-04-01); default this fiscal year (April–March); a missing end is the end of the "
        "other end's fiscal year. Each thing counts on the day it happened: referrals by the day "
        "sent (by rule and outcome, `sent` as referring agency and `received` as receiving "
        "agency), declines and acceptances by the day of the answer, hand-overs (rule R5) by "
        "the day of the first contact, introductions by the day given, suggestions set aside "
        "and shown again by their day. `format=csv` or `format=xlsx` answers a download of "
        "every table with Japanese headers (`table=` one of them: "
        + ", ".join(f"`{k}`" for k in stats.table_keys())
        + "), logged as an export."
    ),
)
def referral_statistics(
    request: HttpRequest,
    agency: int | None = None,
    since: str = "",
    until: str = "",
    format: str = "json",
    table: str = "",
) -> Any:
    chosen_agency = stats.agency_for(request.user, agency)
    errors: dict[str, list[str]] = {}
    if format not in ("", "json", "csv", "xlsx"):
        errors["format"] = [_("Choose json, csv or xlsx.")]
    if table and table not in stats.table_keys():
        errors["table"] = [_("There is no such table.")]
    try:
        period = stats.parse_period(since, until)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    figures = stats.referral_stats(chosen_agency, period)
    if format in ("csv", "xlsx"):
        found = stats.tables(figures)
        chosen = [t for t in found if t.key == table] if table else found
        return export_tables(request, chosen, fmt=format, period=period, agency=chosen_agency)
    return stats_out(figures)
