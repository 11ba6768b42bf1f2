"""Statistics of referral work (紹介・つなぎの統計) of one agency or of a set of agencies (the
agencies of a municipality, of a prefecture, of the whole installation), for any period.

Every figure is counted in the database (GROUP BY / COUNT), never by loading the referrals: a
figure that needs days in Python (the median, business days) groups the rows by their pair of
dates first, so what comes back is bounded by the days of the period, not by the number of
referrals, and the number of queries does not grow with them. Each figure counts a thing in the
period by the day it happened: a referral by the day it was sent, an acceptance or a decline by
the day of the answer, a hand-over by the day of the first contact, an introduction by the day
it was given, a dismissed suggestion by the day it was set aside (and restored).

A set of agencies (`Scope`) is counted as one: "sent" are the referrals made by any agency of
the set, "received" those made to any of them (a referral between two agencies of the set counts
on both sides, once each). A municipality's agencies are those it set up (委託 included), by
`Agency.operator_municipality` — the same link by which the access module lets a municipality's
officers see an agency's figures — not by where the agency stands: a prefecture's center in the
city is the prefecture's. A prefecture's agencies are those of `Agency.prefecture`.

Only the agency's own members see its statistics on the referral screen (its caseworkers, its
manager and its auditor); the statistics of areas are read through `tsunagi.figures`, which
suppresses small cells for everyone else. They are aggregates: no person is named.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagi.access.policy import CASEWORKERS, Denied, agencies_with
from tsunagi.accounts.models import Role
from tsunagi.agencies.calendar import business_days_between
from tsunagi.agencies.models import Agency
from tsunagi.jurisdictions.models import Municipality, Prefecture
from tsunagi.web.wareki import DateFormatError, parse_date

from . import models
from .models import DeclineReason, Dismissal, Introduction, IntroductionTarget, Referral, State
from .selectors import limits_of

# Who may see an agency's statistics: its caseworkers and manager, and the agency's auditor.
READERS = (*CASEWORKERS, Role.AUDITOR)

SENT, RECEIVED = "sent", "received"
SIDES = (SENT, RECEIVED)
SIDE_LABELS = {
    SENT: gettext_lazy("Referrals we sent"),
    RECEIVED: gettext_lazy("Referrals we received"),
}

# The outcome of a sent referral, from its state now (drafts are never counted: not sent).
OPEN = "open"
OUTCOMES: tuple[tuple[str, Any], ...] = (
    (State.ACCEPTED, State.ACCEPTED.label),
    (State.DECLINED, State.DECLINED.label),
    (State.FIRST_CONTACT, State.FIRST_CONTACT.label),
    (State.CLOSED, State.CLOSED.label),
    (State.CANCELLED, State.CANCELLED.label),
    (OPEN, gettext_lazy("Still open")),
)
OUTCOME_OF_STATE = {
    State.SENT: OPEN,
    State.RECEIVED: OPEN,
    State.ACCEPTED: State.ACCEPTED,
    State.DECLINED: State.DECLINED,
    State.FIRST_CONTACT: State.FIRST_CONTACT,
    State.CLOSED: State.CLOSED,
    State.CANCELLED: State.CANCELLED,
}
OPEN_STATES = (State.SENT, State.RECEIVED, State.ACCEPTED)
NO_RULE = ""  # a referral made without a suggestion of the rules

# rule P1 counts persons, not referrals: each cell of the tables the statistics of areas
# suppress (by rule and outcome, declines, introductions, dismissals) carries how many distinct
# persons it was built from (5 referrals of one person are one person). TOTAL marks a total in
# the keys of `ReferralStats.persons`.
PERSON = "case__person"
TOTAL = None


# --- the period -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """From `since` to `until`, both days included."""

    since: date
    until: date

    def bounds(self) -> tuple[datetime, datetime]:
        """The local midnights that enclose the period: [since 0:00, the day after until 0:00)."""
        tz = timezone.get_current_timezone()
        start = datetime.combine(self.since, time.min, tzinfo=tz)
        end = datetime.combine(self.until + timedelta(days=1), time.min, tzinfo=tz)
        return start, end

    @property
    def fiscal_year(self) -> int | None:
        """The fiscal year (年度) when the period is exactly one, else None."""
        first = fiscal_year(self.since)
        return self.since.year if first == self else None


def fiscal_year(day: date) -> Period:
    """The fiscal year (年度, April to March) that `day` falls in."""
    start = day.year if day.month >= 4 else day.year - 1
    return Period(date(start, 4, 1), date(start + 1, 3, 31))


def parse_period(since: str, until: str, today: date | None = None) -> Period:
    """The period typed as text in either calendar (令和7年4月1日, R7.4.1, 2025-04-01).

    Empty: this fiscal year; only one end given: the rest of that end's fiscal year. Raises
    ValidationError with the field that is wrong."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    days: dict[str, date | None] = {}
    for name, text in (("since", since), ("until", until)):
        days[name] = None
        if (text or "").strip():
            try:
                days[name] = parse_date(text)
            except DateFormatError as exc:
                errors[name] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    start, end = days["since"], days["until"]
    if start is None and end is None:
        return fiscal_year(today)
    if start is None:
        assert end is not None
        start = fiscal_year(end).since
    if end is None:
        end = fiscal_year(start).until
    if end < start:
        raise ValidationError({"until": [_("The end of the period is before its start.")]})
    if (end - start).days > 366 * 10:
        raise ValidationError({"until": [_("Choose a period of ten years or less.")]})
    return Period(start, end)


# --- whose statistics -------------------------------------------------------------------------


def readable_agencies(user: Any) -> list[Agency]:
    """The agencies whose statistics the user may read (their own, access.md)."""
    ids = agencies_with(user, *READERS)
    return list(Agency.objects.filter(pk__in=ids).order_by("name", "pk"))


def agency_for(user: Any, agency_id: int | None) -> Agency:
    """The agency whose statistics are asked for. A user who belongs to no agency (an officer,
    the operator, someone without a role) is refused; another agency's statistics are "not
    found" (access.md: a refused lookup answers as a missing one)."""
    ids = agencies_with(user, *READERS)
    if not ids:
        raise Denied("referral statistics")
    if agency_id is None:
        agency_id = min(ids)
    if agency_id not in ids:
        raise Http404
    return Agency.objects.get(pk=agency_id)


# --- figures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """Median, mean and maximum of a number of days (None when nothing was counted)."""

    count: int = 0
    median: float | None = None
    mean: float | None = None
    max: int | None = None


def summarise(histogram: Mapping[int, int]) -> Summary:
    """The summary of days given as {days: how many}."""
    count = sum(histogram.values())
    if count == 0:
        return Summary()
    values = sorted(histogram.items())

    def nth(k: int) -> int:  # the k-th smallest value, 0-based
        seen = 0
        for value, n in values:
            seen += n
            if k < seen:
                return value
        return values[-1][0]

    middle = (nth((count - 1) // 2) + nth(count // 2)) / 2
    mean = sum(value * n for value, n in values) / count
    return Summary(count, middle, round(mean, 1), values[-1][0])


@dataclass(frozen=True)
class Acceptance:
    """Days from sending to acceptance, in calendar days and in business days (開庁日)."""

    days: Summary
    business_days: Summary


@dataclass(frozen=True)
class Handover:
    """Rule R5 in aggregate: the gap between the end of the referring agency's support and the
    next agency's first contact."""

    days: Summary
    no_gap: int  # first contact on or before the end of support
    waiting_too_long: int  # open hand-overs waiting beyond the agency's handover_days, today


@dataclass
class Side:
    by_rule: dict[str, dict[str, int]] = field(default_factory=dict)  # rule → outcome → n
    declined: dict[str, int] = field(default_factory=dict)  # DeclineReason → n
    acceptance: Acceptance = field(default_factory=lambda: Acceptance(Summary(), Summary()))
    handover: Handover = field(default_factory=lambda: Handover(Summary(), 0, 0))

    @property
    def outcome_totals(self) -> dict[str, int]:
        totals = {key: 0 for key, _label in OUTCOMES}
        for counts in self.by_rule.values():
            for key, n in counts.items():
                totals[key] += n
        return totals

    @property
    def sent_total(self) -> int:
        return sum(self.outcome_totals.values())


@dataclass(frozen=True)
class Scope:
    """The agencies whose referral work is counted together: one agency (`agency`), or those
    `Agency.objects.filter(agencies)` selects (`agencies` None: every agency, national)."""

    label: str
    agency: Agency | None = None
    agencies: Q | None = None

    def ids(self) -> Any:
        """The agencies' ids as a subquery (None: all of them)."""
        if self.agency is not None:
            return Agency.objects.filter(pk=self.agency.pk).values("pk")
        if self.agencies is None:
            return None
        return Agency.objects.filter(self.agencies).order_by().values("pk")

    def holds(self, column: str) -> Q:
        """The rows whose `column` (an agency id) is one of the scope's agencies."""
        if self.agency is not None:
            return Q(**{column: self.agency.pk})
        ids = self.ids()
        return Q(**{f"{column}__isnull": False}) if ids is None else Q(**{f"{column}__in": ids})


def scope_of(area: Agency | Municipality | Prefecture | None) -> Scope:
    """The agencies of an area: the agency itself; the agencies a municipality set up
    (`operator_municipality`, see the module's note); the agencies of a prefecture; every
    agency (None, national)."""
    if isinstance(area, Agency):
        return Scope(label=area.name, agency=area)
    if isinstance(area, Municipality):
        return Scope(label=area.name, agencies=Q(operator_municipality_id=area.pk))
    if isinstance(area, Prefecture):
        return Scope(label=area.name, agencies=Q(prefecture_id=area.pk))
    return Scope(label=str(_("All areas (national)")))


@dataclass
class ReferralStats:
    agency: Agency | None  # the agency, when the statistics are one agency's
    period: Period
    today: date
    handover_days: int | None  # the agency's limit (None for a set: each agency's own)
    sides: dict[str, Side]
    introductions: dict[tuple[str, str], int]  # (target kind, rule) → n
    dismissals: dict[str, tuple[int, int]]  # rule → (dismissed, restored) in the period
    scope: Scope | None = None
    # table key → (row key, column key) → distinct persons (TOTAL for a total's key; rule P1)
    persons: dict[str, dict[tuple[Any, Any], int]] = field(default_factory=dict)

    @property
    def introductions_by_kind(self) -> dict[str, int]:
        found: dict[str, int] = defaultdict(int)
        for (kind, _rule), n in self.introductions.items():
            found[kind] += n
        return {kind: found[kind] for kind in IntroductionTarget.values if found.get(kind)}

    @property
    def introductions_by_rule(self) -> dict[str, int]:
        found: dict[str, int] = defaultdict(int)
        for (_kind, rule), n in self.introductions.items():
            found[rule] += n
        return dict(sorted(found.items(), key=lambda item: rule_order(item[0])))


def rule_order(rule: str) -> tuple[int, str]:
    """Rules in their ID order, the referrals made without a rule last."""
    return (1, "") if rule == NO_RULE else (0, rule)


def _sides_q(scope: Scope) -> dict[str, Q]:
    """Which referrals count on each side: made by one of the agencies, made to one of them."""
    return {SENT: scope.holds("agency_id"), RECEIVED: scope.holds("to_agency_id")}


def _referrals_of(scope: Scope) -> Any:
    """The referrals of either side (typed Any: annotations are not fields)."""
    q = _sides_q(scope)
    return Referral.objects.filter(q[SENT] | q[RECEIVED]).order_by()


def _per_side(scope: Scope) -> dict[str, Count]:
    """A count for each side, so that one query answers both (a referral between two agencies
    of the set counts on both)."""
    return {name: Count("id", filter=q) for name, q in _sides_q(scope).items()}


def _persons_per_side(scope: Scope) -> dict[str, Count]:
    """rule P1: the distinct persons of each side, counted in the same query as the referrals."""
    return {
        f"{name}_persons": Count(PERSON, filter=q, distinct=True)
        for name, q in _sides_q(scope).items()
    }


def _side_persons(
    scope: Scope, rows: Any, fields: tuple[str, ...], persons: Persons, table: str
) -> None:
    """rule P1: the distinct persons of each side for the groups of `fields` of the referrals
    `rows` (one query; no fields: the whole, the grand total), as `persons[f"{side}_{table}"]`
    keyed (row key, column key) with TOTAL where a field is not grouped: `fields` are
    ("rule",) for a row's total, ("outcome",) for a column's."""
    per_side = _persons_per_side(scope)
    found = rows.values(*fields).annotate(**per_side) if fields else [rows.aggregate(**per_side)]
    for row in found:
        key = _persons_key(fields, row)
        for name in SIDES:
            persons.setdefault(f"{name}_{table}", {})[key] = row[f"{name}_persons"]


def _persons_key(fields: tuple[str, ...], row: Mapping[str, Any]) -> tuple[Any, Any]:
    if not fields:
        return (TOTAL, TOTAL)
    if fields == ("outcome",):
        return (TOTAL, row["outcome"])
    return (row["rule"] or NO_RULE, TOTAL)  # ("rule",)


Persons = dict[str, dict[tuple[Any, Any], int]]


def _outcome() -> Case:
    """The outcome of a referral from its state (OUTCOME_OF_STATE in SQL; drafts: "")."""
    return Case(
        When(state__in=(State.SENT, State.RECEIVED), then=Value(OPEN)),
        When(state__in=[s for s, o in OUTCOME_OF_STATE.items() if o != OPEN], then=F("state")),
        default=Value(""),
        output_field=CharField(),
    )


def _by_rule(
    scope: Scope, start: datetime, end: datetime, sides: dict[str, Side], persons: Persons
) -> None:
    sent = (
        _referrals_of(scope)
        .filter(sent_at__gte=start, sent_at__lt=end, state__in=list(OUTCOME_OF_STATE))
        .annotate(outcome=_outcome())
    )
    rows = sent.values("rule", "outcome").annotate(**_per_side(scope), **_persons_per_side(scope))
    for row in rows:
        outcome = row["outcome"]
        if not outcome:
            continue
        for name in SIDES:
            if not row[name]:
                continue
            rule = row["rule"] or NO_RULE
            counts = sides[name].by_rule.setdefault(rule, {key: 0 for key, _label in OUTCOMES})
            counts[outcome] += row[name]
            persons.setdefault(f"{name}_by_rule", {})[(rule, outcome)] = row[f"{name}_persons"]
    # rule P1: the totals' persons (a person may be in several cells of a line): one query each
    for fields in (("rule",), ("outcome",), ()):
        _side_persons(scope, sent, fields, persons, "by_rule")
    for side in sides.values():
        side.by_rule = dict(sorted(side.by_rule.items(), key=lambda item: rule_order(item[0])))


def _declined(
    scope: Scope, start: datetime, end: datetime, sides: dict[str, Side], persons: Persons
) -> None:
    declined = (
        _referrals_of(scope)
        .filter(decided_at__gte=start, decided_at__lt=end)
        .exclude(decline_category="")
    )
    rows = declined.values("decline_category").annotate(
        **_per_side(scope), **_persons_per_side(scope)
    )
    found: dict[str, dict[str, int]] = {SENT: {}, RECEIVED: {}}
    for row in rows:
        for name in SIDES:
            if row[name]:
                found[name][row["decline_category"]] = row[name]
                persons.setdefault(f"{name}_declined", {})[(row["decline_category"], TOTAL)] = row[
                    f"{name}_persons"
                ]
    _side_persons(scope, declined, (), persons, "declined")  # rule P1: the total's persons
    for name, side in sides.items():
        side.declined = {c: found[name][c] for c in DeclineReason.values if found[name].get(c)} | {
            c: n for c, n in found[name].items() if c not in DeclineReason.values
        }


def _acceptance(scope: Scope, start: datetime, end: datetime, sides: dict[str, Side]) -> None:
    """Accepted in the period: answered without a decline."""
    rows = (
        _referrals_of(scope)
        .filter(decided_at__gte=start, decided_at__lt=end, sent_at__isnull=False)
        .filter(decline_category="")
        .annotate(sent_day=TruncDate("sent_at"), accepted_day=TruncDate("decided_at"))
        .values("sent_day", "accepted_day")
        .annotate(**_per_side(scope))
    )
    days: dict[str, dict[int, int]] = {SENT: defaultdict(int), RECEIVED: defaultdict(int)}
    business: dict[str, dict[int, int]] = {SENT: defaultdict(int), RECEIVED: defaultdict(int)}
    for row in rows:
        sent_day, accepted_day = _as_date(row["sent_day"]), _as_date(row["accepted_day"])
        for name in SIDES:
            if row[name]:
                days[name][max(0, (accepted_day - sent_day).days)] += row[name]
                business[name][business_days_between(sent_day, accepted_day)] += row[name]
    for name, side in sides.items():
        side.acceptance = Acceptance(summarise(days[name]), summarise(business[name]))


def _support_end() -> Coalesce:
    """rule R5: the day set for the hand-over, else the day the referring agency's case closed
    (as `rules.support_end`)."""
    return Coalesce("support_ends_on", "case__closed_on")


def _limit_of(column: str) -> Coalesce:
    """rule R5: the hand-over limit of the agency in `column` (its setting, else the default)."""
    setting = models.ReminderSettings.objects.filter(agency_id=OuterRef(column)).values(
        "handover_days"
    )
    return Coalesce(
        Subquery(setting[:1], output_field=IntegerField()),
        Value(models.ReminderSettings.DEFAULTS["handover_days"]),
        output_field=IntegerField(),
    )


def _handover(scope: Scope, period: Period, today: date, sides: dict[str, Side]) -> None:
    """Rule R5 in aggregate: the gap of each hand-over completed in the period (by the day of
    the first contact), and the open hand-overs waiting longer than the agency on that side
    allows today (one agency: its own limit on both sides, as before)."""
    rows = (
        _referrals_of(scope)
        .annotate(ended_on=_support_end())
        .filter(
            first_contact_on__gte=period.since,
            first_contact_on__lte=period.until,
            ended_on__isnull=False,
        )
        .values("first_contact_on", "ended_on")
        .annotate(**_per_side(scope))
    )
    gaps: dict[str, dict[int, int]] = {SENT: defaultdict(int), RECEIVED: defaultdict(int)}
    for row in rows:
        # rule R5: a first contact on or before the end of support is no gap (0)
        gap = max(0, (_as_date(row["first_contact_on"]) - _as_date(row["ended_on"])).days)
        for name in SIDES:
            if row[name]:
                gaps[name][gap] += row[name]
    # As `rules.waits_too_long`: waiting more than the limit in days since the end of support.
    # Grouped by the day and the two agencies' limits: bounded by the days, not the referrals.
    waiting_rows = (
        _referrals_of(scope)
        .annotate(
            ended_on=_support_end(),
            sent_limit=_limit_of("agency_id"),
            received_limit=_limit_of("to_agency_id"),
        )
        .filter(state__in=OPEN_STATES, ended_on__lt=today)
        .values("ended_on", "sent_limit", "received_limit")
        .annotate(**_per_side(scope))
    )
    waiting = {SENT: 0, RECEIVED: 0}
    for row in waiting_rows:
        ended = _as_date(row["ended_on"])
        for name in SIDES:
            limit = row["sent_limit" if name == SENT else "received_limit"]
            if row[name] and ended <= today - timedelta(days=limit + 1):
                waiting[name] += row[name]
    for name, side in sides.items():
        side.handover = Handover(summarise(gaps[name]), gaps[name].get(0, 0), waiting[name])


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):  # a backend that hands a computed date back as text
        return date.fromisoformat(value[:10])
    return value


def _introductions(scope: Scope, period: Period, persons: Persons) -> dict[tuple[str, str], int]:
    """Rule R3a: introductions the agencies gave in the period. Only the giving agency counts
    them (an introduction is its case record; no data passes to the agency introduced)."""
    given = Introduction.objects.filter(
        scope.holds("agency_id"), given_on__gte=period.since, given_on__lte=period.until
    ).order_by()
    rows = given.values("target_kind", "rule").annotate(n=Count("id"))
    # rule P1: the distinct persons of each row of the two tables and of their total
    who = Count(PERSON, distinct=True)
    by_kind = given.values("target_kind").annotate(p=who)
    persons["introductions_by_kind"] = {(r["target_kind"], TOTAL): r["p"] for r in by_kind}
    by_rule = given.values("rule").annotate(p=who)
    persons["introductions_by_rule"] = {(r["rule"] or NO_RULE, TOTAL): r["p"] for r in by_rule}
    total = given.aggregate(p=who)["p"]
    for key in ("introductions_by_kind", "introductions_by_rule"):
        persons[key][(TOTAL, TOTAL)] = total
    return {(row["target_kind"], row["rule"] or NO_RULE): row["n"] for row in rows}


def _dismissals(
    scope: Scope, start: datetime, end: datetime, persons: Persons
) -> dict[str, tuple[int, int]]:
    dismissed = Q(dismissed_at__gte=start, dismissed_at__lt=end)
    restored = Q(restored_at__gte=start, restored_at__lt=end)
    both = (
        Dismissal.objects.filter(scope.holds("agency_id")).filter(dismissed | restored).order_by()
    )
    # rule P1: the distinct persons of each cell, and of the total row (one more query)
    who = {
        "dismissed_persons": Count(PERSON, filter=dismissed, distinct=True),
        "restored_persons": Count(PERSON, filter=restored, distinct=True),
    }
    rows = both.values("rule").annotate(
        dismissed=Count("id", filter=dismissed), restored=Count("id", filter=restored), **who
    )
    found = {row["rule"]: (row["dismissed"], row["restored"]) for row in rows}
    cells = persons.setdefault("dismissals", {})
    for row in rows:
        cells[(row["rule"], 0)] = row["dismissed_persons"]
        cells[(row["rule"], 1)] = row["restored_persons"]
    total = both.aggregate(**who)
    cells[(TOTAL, 0)] = total["dismissed_persons"]
    cells[(TOTAL, 1)] = total["restored_persons"]
    return dict(sorted(found.items(), key=lambda item: rule_order(item[0])))


def referral_stats(
    agency: Agency | Scope, period: Period, today: date | None = None
) -> ReferralStats:
    """Every figure of the referral work of an agency, or of a set of agencies (`scope_of`), in
    the period (a fixed number of queries, whatever the number of referrals or agencies)."""
    today = today or timezone.localdate()
    scope = agency if isinstance(agency, Scope) else scope_of(agency)
    start, end = period.bounds()
    sides = {SENT: Side(), RECEIVED: Side()}
    persons: Persons = {}
    _by_rule(scope, start, end, sides, persons)
    _declined(scope, start, end, sides, persons)
    _acceptance(scope, start, end, sides)
    _handover(scope, period, today, sides)
    limit = limits_of(scope.agency.pk)["handover_days"] if scope.agency is not None else None
    return ReferralStats(
        agency=scope.agency,
        period=period,
        today=today,
        handover_days=limit,
        sides=sides,
        introductions=_introductions(scope, period, persons),
        dismissals=_dismissals(scope, start, end, persons),
        scope=scope,
        persons=persons,
    )


def area_stats(
    area: Agency | Municipality | Prefecture | None, period: Period, today: date | None = None
) -> ReferralStats:
    """The referral statistics of an area (an agency, a municipality, a prefecture, national)."""
    return referral_stats(scope_of(area), period, today)


# --- tables with Japanese headers (screen, CSV and Excel show the same) ------------------------


@dataclass(frozen=True)
class Table:
    """One table of the statistics, as shown on the screen and exported."""

    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]
    chart: list[tuple[str, int]] = field(default_factory=list)  # label, value for the bars
    # rule P1: how many distinct persons each number cell (totals included) was built from, the
    # rows without their label; None when the numbers are themselves counts of persons or when
    # the table is not suppressed as a grid. Never shown: suppression reads it.
    persons: list[list[int]] | None = field(default=None, kw_only=True)


def rule_label(rule: str) -> str:
    return rule if rule != NO_RULE else _("No rule")


def _number(value: float | None) -> float | int | str:
    if value is None:
        return ""
    return int(value) if float(value).is_integer() else value


def _summary_cells(summary: Summary) -> list[Any]:
    return [summary.count, _number(summary.median), _number(summary.mean), _number(summary.max)]


def _matrix(
    stats: ReferralStats, key: str, rows: Iterable[Any], cols: Iterable[Any]
) -> list[list[int]]:
    """rule P1: the persons of a table's number cells, totals included (0 when none counted)."""
    cells = stats.persons.get(key, {})
    columns = list(cols)
    return [[cells.get((r, c), 0) for c in columns] for r in rows]


def tables(stats: ReferralStats) -> list[Table]:
    """The statistics as tables, in the order of the screen."""
    found: list[Table] = []
    outcome_headers = [str(label) for _key, label in OUTCOMES]
    for name in SIDES:
        side = stats.sides[name]
        totals = side.outcome_totals
        found.append(
            Table(
                key=f"{name}_by_rule",
                title=f"{SIDE_LABELS[name]}: " + _("by rule and outcome"),
                headers=[_("Rule"), *outcome_headers, _("Total")],
                rows=[
                    [rule_label(rule), *(counts[k] for k, _l in OUTCOMES), sum(counts.values())]
                    for rule, counts in side.by_rule.items()
                ]
                + [[_("Total"), *(totals[k] for k, _l in OUTCOMES), sum(totals.values())]],
                chart=[(str(label), totals[key]) for key, label in OUTCOMES],
                persons=_matrix(
                    stats,
                    f"{name}_by_rule",
                    [*side.by_rule, TOTAL],
                    [*(k for k, _l in OUTCOMES), TOTAL],
                ),
            )
        )
    for name in SIDES:
        side = stats.sides[name]
        found.append(
            Table(
                key=f"{name}_declined",
                title=f"{SIDE_LABELS[name]}: " + _("declined, by kind of reason"),
                headers=[_("Kind of reason"), _("Declined")],
                rows=[[_category_label(c), n] for c, n in side.declined.items()]
                + [[_("Total"), sum(side.declined.values())]],
                chart=[(_category_label(c), n) for c, n in side.declined.items()],
                persons=_matrix(stats, f"{name}_declined", [*side.declined, TOTAL], [TOTAL]),
            )
        )
    summary_headers = [_("Count"), _("Median"), _("Mean"), _("Maximum")]
    found.append(
        Table(
            key="acceptance",
            title=_("Days from sending to acceptance"),
            headers=[_("Side"), _("Days counted as"), *summary_headers],
            rows=[
                row
                for name in SIDES
                for row in (
                    [
                        str(SIDE_LABELS[name]),
                        _("Calendar days"),
                        *_summary_cells(stats.sides[name].acceptance.days),
                    ],
                    [
                        str(SIDE_LABELS[name]),
                        _("Business days"),
                        *_summary_cells(stats.sides[name].acceptance.business_days),
                    ],
                )
            ],
        )
    )
    found.append(
        Table(
            key="handover",
            title=_("Hand-over gap (rule R5)"),
            headers=[
                _("Side"),
                _("Hand-overs with first contact"),
                _("Median days"),
                _("Mean days"),
                _("Maximum days"),
                _("No gap (0 days)"),
                _waiting_header(stats.handover_days),
            ],
            rows=[
                [
                    str(SIDE_LABELS[name]),
                    *_summary_cells(stats.sides[name].handover.days),
                    stats.sides[name].handover.no_gap,
                    stats.sides[name].handover.waiting_too_long,
                ]
                for name in SIDES
            ],
        )
    )
    by_kind = stats.introductions_by_kind
    found.append(
        Table(
            key="introductions_by_kind",
            title=_("Introductions, by what the person was introduced to"),
            headers=[_("Introduced to"), _("Introductions")],
            rows=[[str(IntroductionTarget(k).label), n] for k, n in by_kind.items()]
            + [[_("Total"), sum(by_kind.values())]],
            chart=[(str(IntroductionTarget(k).label), n) for k, n in by_kind.items()],
            persons=_matrix(stats, "introductions_by_kind", [*by_kind, TOTAL], [TOTAL]),
        )
    )
    by_rule = stats.introductions_by_rule
    found.append(
        Table(
            key="introductions_by_rule",
            title=_("Introductions, by rule"),
            headers=[_("Rule"), _("Introductions")],
            rows=[[rule_label(r), n] for r, n in by_rule.items()]
            + [[_("Total"), sum(by_rule.values())]],
            persons=_matrix(stats, "introductions_by_rule", [*by_rule, TOTAL], [TOTAL]),
        )
    )
    found.append(
        Table(
            key="dismissals",
            title=_("Suggestions set aside, by rule"),
            headers=[_("Rule"), _("Set aside"), _("Shown again")],
            rows=[[rule_label(r), d, s] for r, (d, s) in stats.dismissals.items()]
            + [
                [
                    _("Total"),
                    sum(d for d, _s in stats.dismissals.values()),
                    sum(s for _d, s in stats.dismissals.values()),
                ]
            ],
            chart=[(rule_label(r), d) for r, (d, _s) in stats.dismissals.items()],
            persons=_matrix(stats, "dismissals", [*stats.dismissals, TOTAL], [0, 1]),
        )
    )
    return found


def _waiting_header(days: int | None) -> str:
    if days is None:  # a set of agencies: each agency's own limit (rule R5)
        return _("Open, waiting longer than their agency allows today")
    return _("Open, waiting more than %(days)s days today") % {"days": days}


def _category_label(category: str) -> str:
    return str(DeclineReason(category).label) if category in DeclineReason.values else category


def table_keys() -> Iterable[str]:
    return (
        *(f"{s}_by_rule" for s in SIDES),
        *(f"{s}_declined" for s in SIDES),
        "acceptance",
        "handover",
        "introductions_by_kind",
        "introductions_by_rule",
        "dismissals",
    )
