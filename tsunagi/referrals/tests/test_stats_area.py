"""The referral statistics of a set of agencies (`stats.scope_of`): for a municipality (the
agencies it set up), a prefecture and the whole installation, every figure equals a hand count
over the referrals of the agencies in two municipalities, and equals the sum of the agencies' own
figures where a referral has one side in the set; the number of queries does not grow with the
agencies or the referrals."""

from __future__ import annotations

import statistics as pystats
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.cast import Cast, make_cast
from tests.people import make_person
from tsunagi.accounts.models import Role
from tsunagi.agencies.models import Agency, AgencyKind, OperatorLevel
from tsunagi.jurisdictions.models import Municipality, Prefecture
from tsunagi.people import services as people
from tsunagi.referrals import models as rm
from tsunagi.referrals import stats

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
FY2024 = stats.Period(date(2024, 4, 1), date(2025, 3, 31))
TODAY = date(2025, 3, 20)
STATES = (
    rm.State.SENT, rm.State.RECEIVED, rm.State.ACCEPTED, rm.State.DECLINED, rm.State.FIRST_CONTACT,
    rm.State.CLOSED, rm.State.CANCELLED, rm.State.DRAFT,
)  # fmt: skip


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TOKYO)


@dataclass
class Area:
    cast: Cast
    kochi_city: Municipality
    muroto: Municipality
    muroto_agency: Agency


@pytest.fixture
def area() -> Area:
    """高知市 set up two agencies (the cast's self-reliance agency and its office), 室戸市 one;
    the prefecture's center stands in 高知市 but is the prefecture's; one agency is in 東京都.
    Forty-odd referrals between them of every rule, state and answer, over two fiscal years."""
    cast = make_cast()
    kochi_city = Municipality.objects.get(code="39201")
    muroto = Municipality.objects.get(code="39202")
    muroto_agency = Agency.objects.create(
        name="室戸市自立相談支援機関", kind=AgencyKind.SELF_RELIANCE,
        prefecture=kochi_city.prefecture, operator_level=OperatorLevel.MUNICIPALITY,
        operator_municipality=muroto,
    )  # fmt: skip
    rm.ReminderSettings.objects.create(agency=muroto_agency, handover_days=3)
    user = cast.users[Role.STAFF]
    person = make_person(user, cast.center, "地域", "統計")
    case = people.open_case(user, person, {"problems": ["hikikomori"]})
    agencies = [cast.center, cast.self_reliance, cast.city_office, muroto_agency, cast.tokyo_agency]
    rules = ("R2", "R7", "", "R3b")
    categories = [c for c in rm.DeclineReason.values][:3]
    start = date(2024, 3, 20)
    for n in range(44):
        sender = agencies[n % 5]
        receiver = agencies[(n * 3 + 1) % 5]
        if receiver == sender:
            receiver = agencies[(n + 1) % 5]
        state = STATES[n % len(STATES)]
        sent = start + timedelta(days=9 * n)
        fields: dict[str, Any] = {}
        if state != rm.State.DRAFT:
            fields["sent_at"] = at(sent, 9 + n % 8)
        if state in (rm.State.ACCEPTED, rm.State.FIRST_CONTACT, rm.State.CLOSED, rm.State.DECLINED):
            fields["decided_at"] = at(sent + timedelta(days=n % 6), 14)
        if state == rm.State.DECLINED or (state == rm.State.CLOSED and n % 2):
            fields["decline_category"] = categories[n % 3]
        if state in (rm.State.FIRST_CONTACT, rm.State.ACCEPTED, rm.State.SENT):
            fields["support_ends_on"] = sent + timedelta(days=n % 7)
        if state == rm.State.FIRST_CONTACT:
            fields["first_contact_on"] = sent + timedelta(days=n % 11)
        rm.Referral.objects.create(
            agency=sender, to_agency=receiver, person=person, case=case, rule=rules[n % 4],
            purpose="統計", state=state, created_by=user, **fields,
        )  # fmt: skip
    for n in range(15):
        rm.Introduction.objects.create(
            agency=agencies[n % 5], person=person, case=case,
            given_on=date(2024, 4, 1) + timedelta(days=25 * n),
            target_kind=rm.IntroductionTarget.values[n % len(rm.IntroductionTarget.values)],
            to_name="家族会", what_given="チラシ", rule=("R3a", "")[n % 2], created_by=user,
        )  # fmt: skip
        rm.Dismissal.objects.create(
            agency=agencies[(n + 2) % 5], case=case, rule=("R2", "R7", "R3a")[n % 3], code="x",
            reason="本人が望まない", dismissed_by=user,
            dismissed_at=at(date(2024, 4, 2) + timedelta(days=23 * n)),
            restored_at=at(date(2024, 5, 2) + timedelta(days=23 * n)) if n % 4 == 0 else None,
        )  # fmt: skip
    return Area(cast, kochi_city, muroto, muroto_agency)


def in_period(moment: datetime | None) -> bool:
    if moment is None:
        return False
    start, end = FY2024.bounds()
    return start <= moment < end


def hand_count(ids: set[int]) -> dict[Any, Any]:
    """The figures of the agencies `ids`, counted one referral at a time in Python."""
    found: dict[Any, Any] = {}
    limits = {s.agency_id: s.handover_days for s in rm.ReminderSettings.objects.all()}
    for side, column in ((stats.SENT, "agency_id"), (stats.RECEIVED, "to_agency_id")):
        mine: list[Any] = [r for r in rm.Referral.objects.all() if getattr(r, column) in ids]
        found[side, "by_rule"] = Counter(
            (r.rule, stats.OUTCOME_OF_STATE[r.state])
            for r in mine
            if in_period(r.sent_at) and r.state in stats.OUTCOME_OF_STATE
        )
        found[side, "declined"] = Counter(
            r.decline_category for r in mine if in_period(r.decided_at) and r.decline_category
        )
        accepted = [
            (r.decided_at.astimezone(TOKYO).date() - r.sent_at.astimezone(TOKYO).date()).days
            for r in mine
            if in_period(r.decided_at) and r.sent_at and not r.decline_category
        ]
        found[side, "accepted"] = (len(accepted), pystats.median(accepted) if accepted else None)
        gaps = [
            max(0, (r.first_contact_on - r.support_ends_on).days)
            for r in mine
            if r.first_contact_on and FY2024.since <= r.first_contact_on <= FY2024.until
        ]
        found[side, "gaps"] = (len(gaps), sum(g == 0 for g in gaps))
        found[side, "waiting"] = sum(
            1
            for r in mine
            if r.state in stats.OPEN_STATES
            and r.support_ends_on
            and r.support_ends_on <= TODAY - timedelta(days=limits.get(getattr(r, column), 14) + 1)
        )
    found["introductions"] = Counter(
        (i.target_kind, i.rule)
        for i in rm.Introduction.objects.filter(agency_id__in=ids)
        if FY2024.since <= i.given_on <= FY2024.until
    )
    dismissals = rm.Dismissal.objects.filter(agency_id__in=ids)
    found["dismissed"] = Counter(d.rule for d in dismissals if in_period(d.dismissed_at))
    found["restored"] = Counter(d.rule for d in dismissals if in_period(d.restored_at))
    return found


def counted(figures: stats.ReferralStats) -> dict[Any, Any]:
    """The same shape read from the statistics."""
    found: dict[Any, Any] = {}
    for side in stats.SIDES:
        s = figures.sides[side]
        found[side, "by_rule"] = Counter(
            {(rule, k): n for rule, counts in s.by_rule.items() for k, n in counts.items() if n}
        )
        found[side, "declined"] = Counter(s.declined)
        found[side, "accepted"] = (s.acceptance.days.count, s.acceptance.days.median)
        found[side, "gaps"] = (s.handover.days.count, s.handover.no_gap)
        found[side, "waiting"] = s.handover.waiting_too_long
    found["introductions"] = Counter(figures.introductions)
    found["dismissed"] = Counter({r: d for r, (d, _s) in figures.dismissals.items() if d})
    found["restored"] = Counter({r: s for r, (_d, s) in figures.dismissals.items() if s})
    return found


def ids_of(**filters: Any) -> set[int]:
    return set(Agency.objects.filter(**filters).values_list("pk", flat=True))


def test_area_figures_equal_a_hand_count_over_agencies_in_two_municipalities(area: Area) -> None:
    for place, ids in (
        (area.kochi_city, ids_of(operator_municipality=area.kochi_city)),
        (area.muroto, {area.muroto_agency.pk}),
        (area.kochi_city.prefecture, ids_of(prefecture=area.kochi_city.prefecture)),
        (None, ids_of()),
    ):
        figures = stats.area_stats(place, FY2024, today=TODAY)
        assert counted(figures) == hand_count(ids), place
    two = ids_of(operator_municipality=area.kochi_city)
    assert two == {area.cast.self_reliance.pk, area.cast.city_office.pk}
    assert area.cast.center.pk not in two  # the prefecture's center, though it stands in 高知市
    assert sum(counted(stats.area_stats(None, FY2024, today=TODAY))["sent", "by_rule"].values())


def test_municipality_sent_figures_are_the_sum_of_its_agencies(area: Area) -> None:
    whole = stats.area_stats(area.kochi_city, FY2024, today=TODAY)
    parts = [
        stats.referral_stats(a, FY2024, today=TODAY)
        for a in (area.cast.self_reliance, area.cast.city_office)
    ]
    for side in stats.SIDES:
        summed: Counter[tuple[str, str]] = Counter()
        for part in parts:
            summed += counted(part)[side, "by_rule"]
        # a referral between the two agencies is in both parts and counts once on each side
        assert counted(whole)[side, "by_rule"] == summed
    assert whole.agency is None and whole.handover_days is None
    titles = {t.key: t.headers for t in stats.tables(whole)}
    assert "本日時点で各機関の上限日数を超えて待っている引き継ぎ" in titles["handover"]


def test_r5_waiting_too_long_uses_the_limit_of_the_agency_on_that_side(area: Area) -> None:
    muroto = stats.area_stats(area.muroto, FY2024, today=TODAY)
    assert (
        muroto.sides[stats.SENT].handover.waiting_too_long
        == hand_count({area.muroto_agency.pk})[stats.SENT, "waiting"]
    )


def test_area_query_count_does_not_grow_with_agencies_or_referrals(
    area: Area, django_assert_max_num_queries: Any
) -> None:
    prefecture = Prefecture.objects.get(code="39")
    with CaptureQueriesContext(connection) as few:
        stats.area_stats(prefecture, FY2024, today=TODAY)
    user = area.cast.users[Role.STAFF]
    case = rm.Referral.objects.first().case  # type: ignore[union-attr]
    for n in range(12):
        more = Agency.objects.create(
            name=f"追加{n}", kind=AgencyKind.SELF_RELIANCE, prefecture=prefecture,
            operator_level=OperatorLevel.MUNICIPALITY, operator_municipality=area.muroto,
        )  # fmt: skip
        rm.ReminderSettings.objects.create(agency=more, handover_days=n + 1)
        rm.Referral.objects.create(
            agency=more, to_agency=area.cast.center, person=case.person, case=case, rule="R2",
            purpose="p", state=rm.State.SENT, created_by=user, sent_at=at(date(2024, 6, 1 + n)),
            support_ends_on=date(2024, 6, 1 + n),
        )  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        again = stats.area_stats(prefecture, FY2024, today=TODAY)
    assert counted(again) == hand_count(ids_of(prefecture=prefecture))
