"""Rebuilding the monthly figures (`models.MonthlyFigure`) from the records.

`refresh(since)` recomputes every month from the fiscal year (April) that holds `since` on — the
unique persons of a fiscal year need its first months — and replaces those rows in one
transaction. Nothing else writes the table. It is run by `tsunagi refresh_figures` (nightly, or
`--all`), and on read when the last refresh is older than `TSUNAGI_FIGURES_MAX_AGE_MINUTES`
(default 60), from the month before the current one (`refresh_if_stale`).

Every count is made in the database (GROUP BY agency, municipality, month, key); only the unique
persons of a fiscal year come back as one row per (agency, person, month with contacts).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case as When_
from django.db.models import CharField, Count, F, Max, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from tsunagi.people.models import Assessment, Case, Contact, Person
from tsunagi.plans.models import Evaluation, SupportPlan
from tsunagi.plans.rules import EMPLOYMENT_SERVICES
from tsunagi.supporters.models import Dispatch, VisitReport

from . import measures as m
from .models import AgencyMonthFigure, FigureRefresh, MonthlyFigure, MunicipalityMonthFigure

Row = dict[str, Any]


def fiscal_start(day: date) -> date:
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def as_month(value: Any) -> date:
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return date(value.year, value.month, 1)
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return date(value.year, value.month, 1)


def _grouped(
    queryset: QuerySet[Any],
    measure: str,
    *,
    day: str,
    person: str,
    agency: str = "agency_id",
    key: Any = None,
    count: Any = None,
) -> Iterator[MonthlyFigure]:
    """One figure per (agency, municipality, month, key) of the records in `queryset`: one
    row each (an empty key and none are the same key, grouped together by the database), which
    the reading relies on (`selectors.load`: an agency's persons of a cell are its row's)."""
    prefix = person.removesuffix("_id").removesuffix("person") or ""
    town = f"{prefix}person__municipality_id"
    pref = agency.removesuffix("_id") + "__prefecture_id"
    rows = (
        queryset.order_by()
        .annotate(
            _month=TruncMonth(day),
            _key=Coalesce(key, Value(""), output_field=CharField())
            if key is not None
            else Value(""),
        )
        .values(agency, pref, town, "_month", "_key")
        .annotate(_value=count or Count("pk"), _persons=Count(person, distinct=True))
    )
    for row in rows:
        yield MonthlyFigure(
            agency_id=row[agency],
            prefecture_id=row[pref],
            municipality_id=row[town],
            month=as_month(row["_month"]),
            measure=measure,
            key=row["_key"] or "",
            value=row["_value"],
            persons=row["_persons"],
        )


def _since(queryset: QuerySet[Any], field: str, start: date | None) -> QuerySet[Any]:
    if start is None:
        return queryset.filter(**{f"{field}__isnull": False})
    if field.endswith("_at"):
        tz = timezone.get_current_timezone()
        return queryset.filter(
            **{f"{field}__gte": datetime.combine(start, datetime.min.time(), tz)}
        )
    return queryset.filter(**{f"{field}__gte": start})


def _case_figures(start: date | None) -> Iterator[MonthlyFigure]:
    cases = Case.objects.all()
    yield from _grouped(
        _since(cases, "opened_on", start), m.NEW_CASES, day="opened_on", person="person_id"
    )
    yield from _grouped(
        _since(cases, "screened_on", start).exclude(screening=""),
        m.SCREENING,
        day="screened_on",
        person="person_id",
        key=F("screening"),
    )


def _plan_figures(start: date | None) -> Iterator[MonthlyFigure]:
    plans = _since(SupportPlan.objects.all(), "decided_on", start)
    first = When_(
        When(previous__isnull=True, then=Value("first")),
        default=Value("revised"),
        output_field=CharField(),
    )
    yield from _grouped(plans, m.PLANS, day="decided_on", person="person_id", key=first)
    employment = plans.filter(
        pk__in=SupportPlan.objects.filter(items__service__in=EMPLOYMENT_SERVICES).values("pk")
    )
    yield from _grouped(employment, m.EMPLOYMENT_TARGET, day="decided_on", person="person_id")
    evaluations = _since(Evaluation.objects.all(), "evaluated_on", start)
    for measure, condition in (
        (m.EVALUATED, Q()),
        (m.FOUND_WORK, Q(found_work=True)),
        (m.INCOME_ROSE, Q(income_rose=True)),
        (m.WORK_OR_INCOME, Q(found_work=True) | Q(income_rose=True)),
        (m.STEPPED_UP, Q(step_daily_life=True) | Q(step_social_life=True) | Q(step_work=True)),
    ):
        yield from _grouped(
            evaluations.filter(condition), measure, day="evaluated_on", person="case__person_id"
        )


def _contact_figures(start: date | None) -> Iterator[MonthlyFigure]:
    contacts = _since(Contact.objects.all(), "occurred_at", start)
    person = "case__person_id"
    yield from _grouped(contacts, m.CONTACTS, day="occurred_at", person=person)
    yield from _grouped(
        contacts, m.CONTACTS_CHANNEL, day="occurred_at", person=person, key=_field("channel")
    )
    yield from _grouped(
        contacts, m.CONTACTS_INITIATOR, day="occurred_at", person=person, key=_field("initiator")
    )
    yield from _grouped(
        contacts,
        m.PERSONS_MONTH,
        day="occurred_at",
        person=person,
        count=Count(person, distinct=True),
    )


def _field(name: str) -> F:
    return F(name)


def _fiscal_persons(start: date | None) -> Iterator[MonthlyFigure]:
    """Each person once a fiscal year per agency, in the month of their first contact of it."""
    rows = (
        _since(Contact.objects.all(), "occurred_at", start)
        .order_by()
        .annotate(_month=TruncMonth("occurred_at"))
        .values_list("agency_id", "agency__prefecture_id", "case__person_id", "_month")
        .distinct()
    )
    first: dict[tuple[int, int, date], tuple[date, int]] = {}
    for agency_id, prefecture_id, person_id, month in rows.iterator(chunk_size=5000):
        month = as_month(month)
        slot = (agency_id, person_id, fiscal_start(month))
        if slot not in first or month < first[slot][0]:
            first[slot] = (month, prefecture_id)
    person_ids = {person_id for _a, person_id, _f in first}
    people: dict[int, tuple[int | None, str, date | None, int | None]] = {}
    withdrawn: dict[int, date] = {}
    ids = sorted(person_ids)
    for chunk in (ids[i : i + 5000] for i in range(0, len(ids), 5000)):
        for row in Person.objects.filter(pk__in=chunk).values_list(
            "pk", "municipality_id", "sex", "birth_date", "estimated_age"
        ):
            people[row[0]] = (row[1], row[2], row[3], row[4])
        for person_id, withdrawn_on in (
            Assessment.objects.filter(case__person_id__in=chunk, withdrawn_since__isnull=False)
            .order_by("assessed_on", "pk")
            .values_list("case__person_id", "withdrawn_since")
        ):
            if withdrawn_on is not None:
                withdrawn[person_id] = withdrawn_on  # the latest assessment wins
    counts: dict[tuple[int, int, int | None, date, str, str], int] = defaultdict(int)
    for (agency_id, person_id, _fy), (month, prefecture_id) in first.items():
        town, sex, born, estimated = people.get(person_id, (None, "", None, None))
        age = _age(born, month) if born is not None else estimated
        began = withdrawn.get(person_id)
        months = (month.year - began.year) * 12 + month.month - began.month if began else None
        head = (agency_id, prefecture_id, town, month)
        counts[(*head, m.PERSONS_FY, "")] += 1
        counts[(*head, m.PERSONS_FY_SEX, sex or "")] += 1
        counts[(*head, m.PERSONS_FY_AGE, m.age_band(age))] += 1
        counts[(*head, m.PERSONS_FY_WITHDRAWAL, m.withdrawal_band(months))] += 1
    for (agency_id, prefecture_id, town, month, measure, key), n in counts.items():
        yield MonthlyFigure(
            agency_id=agency_id,
            prefecture_id=prefecture_id,
            municipality_id=town,
            month=month,
            measure=measure,
            key=key,
            value=n,
            persons=n,
        )


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _dispatch_figures(start: date | None) -> Iterator[MonthlyFigure]:
    yield from _grouped(
        _since(Dispatch.objects.all(), "requested_on", start),
        m.DISPATCHES,
        day="requested_on",
        person="person_id",
        key=_field("state"),
    )
    yield from _grouped(
        _since(VisitReport.objects.all(), "visited_on", start),
        m.VISITS,
        day="visited_on",
        person="dispatch__person_id",
        key=_field("met"),
    )


def compute(start: date | None) -> Iterable[MonthlyFigure]:
    yield from _case_figures(start)
    yield from _plan_figures(start)
    yield from _contact_figures(start)
    yield from _fiscal_persons(start)
    yield from _dispatch_figures(start)


# The key of the PostgreSQL advisory lock that serialises the refreshes ("tsunagi figures").
LOCK_KEY = 0x7453_6669_6775


def _lock() -> None:
    """Within the refresh's transaction: wait for any other refresh to finish, so that two
    concurrent refreshes never both delete the old rows and both write the new ones (doubling
    the figures). PostgreSQL: a transaction-level advisory lock, released at commit or
    rollback. SQLite (the demo) has no advisory locks: there the first write (the DELETE) takes
    the database's write lock, which SQLite holds to the end of the transaction, so a second
    refresh waits (or fails with "database is locked" after the timeout) and never interleaves;
    nothing more is needed."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def refresh(since: date | None = None) -> int:
    """Rebuild the figures from the fiscal year holding `since` (everything when None); returns
    the number of rows written. One refresh at a time (`_lock`)."""
    start = fiscal_start(since) if since is not None else None
    with transaction.atomic():
        _lock()
        _rebuild(start)
        written = _write(start)
    return written


def _rebuild(start: date | None) -> None:
    """Delete the rows from `start` on (inside the refresh's transaction)."""
    old = MonthlyFigure.objects.all()
    if start is not None:
        old = old.filter(month__gte=start)
    old.delete()
    for table in (AgencyMonthFigure, MunicipalityMonthFigure):
        rolled = table.objects.all()
        if start is not None:
            rolled = rolled.filter(month__gte=start)
        rolled.delete()


def _write(start: date | None) -> int:
    """Compute and write the rows from `start` on, the agencies' roll-up and the refresh's
    record; the number of rows written."""
    written = 0
    batch: list[MonthlyFigure] = []
    for figure in compute(start):
        batch.append(figure)
        if len(batch) >= 5000:
            MonthlyFigure.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    MonthlyFigure.objects.bulk_create(batch)
    written += len(batch)
    roll_up(start)
    FigureRefresh.objects.create(since=start, rows=written)
    return written


def roll_up(start: date | None) -> None:
    """The agencies' monthly figures, summed over the municipalities; and the municipalities',
    summed over the agencies (the persons: the largest agency's, as `selectors.load` reads)."""
    rows = (
        MonthlyFigure.objects.all()
        if start is None
        else MonthlyFigure.objects.filter(month__gte=start)
    )
    grouped = (
        rows.order_by()
        .values("prefecture_id", "agency_id", "month", "measure", "key")
        .annotate(v=Sum("value"), p=Sum("persons"))
    )
    AgencyMonthFigure.objects.bulk_create(
        (
            AgencyMonthFigure(
                prefecture_id=row["prefecture_id"],
                agency_id=row["agency_id"],
                month=row["month"],
                measure=row["measure"],
                key=row["key"],
                value=row["v"],
                persons=row["p"],
            )
            for row in grouped.iterator(chunk_size=5000)
        ),
        batch_size=5000,
    )
    towns = (
        rows.filter(municipality__isnull=False)
        .order_by()
        .values("municipality__prefecture_id", "municipality_id", "month", "measure", "key")
        .annotate(v=Sum("value"), p=Max("persons"))
    )
    MunicipalityMonthFigure.objects.bulk_create(
        (
            MunicipalityMonthFigure(
                prefecture_id=row["municipality__prefecture_id"],
                municipality_id=row["municipality_id"],
                month=row["month"],
                measure=row["measure"],
                key=row["key"],
                value=row["v"],
                persons=row["p"],
            )
            for row in towns.iterator(chunk_size=5000)
        ),
        batch_size=5000,
    )


def last_refresh() -> FigureRefresh | None:
    return FigureRefresh.objects.order_by("-finished_at", "-pk").first()


def refresh_if_stale(now: datetime | None = None) -> FigureRefresh | None:
    """On read: rebuild everything the first time, and the current fiscal year when the last
    refresh is older than the setting allows (a month before today's keeps a late entry)."""
    now = now or timezone.now()
    age = timedelta(minutes=int(getattr(settings, "TSUNAGI_FIGURES_MAX_AGE_MINUTES", 60)))
    if not _stale(last_refresh(), now, age):
        return last_refresh()
    with transaction.atomic():
        _lock()
        # again inside the lock: a refresh that ran while this one waited has done the work
        last = last_refresh()
        if _stale(last, now, age):
            today = timezone.localdate(now)
            start = (
                None
                if last is None
                else fiscal_start(date(today.year, today.month, 1) - timedelta(days=1))
            )
            _rebuild(start)
            _write(start)
    return last_refresh()


def _stale(last: FigureRefresh | None, now: datetime, age: timedelta) -> bool:
    return last is None or now - last.finished_at > age
