"""Rule R5: a person moves on without a gap (切れ目なく). The gap in days between the end of the
referring agency's support and the next agency's first contact, per referral; and the list of
open hand-overs that have waited longer than the agency allows, on both sides.
"""

from __future__ import annotations

import datetime
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from tests.cast import make_cast
from tests.people import yamada_household
from tests.sharing import make_consent, receiver
from tsunagi.accounts.models import Role
from tsunagi.people.models import Case
from tsunagi.referrals import rules, selectors, services
from tsunagi.referrals.models import Referral, State

ENDED = date(2026, 6, 1)


def handover(
    state: str = State.SENT,
    ends: date | None = ENDED,
    first: date | None = None,
    closed: date | None = None,
) -> SimpleNamespace:
    return SimpleNamespace(
        state=state,
        support_ends_on=ends,
        first_contact_on=first,
        case=SimpleNamespace(closed_on=closed),
    )


# --- the gap of one referral ---------------------------------------------------------------------


def test_r5_gap_in_days_from_the_end_of_support_to_the_first_contact() -> None:
    g = rules.gap(handover(State.FIRST_CONTACT, first=date(2026, 6, 11)), date(2026, 7, 1))
    assert (g.ended_on, g.first_contact_on, g.days, g.waiting) == (
        ENDED,
        date(2026, 6, 11),
        10,
        None,
    )


def test_r5_an_overlap_is_no_gap() -> None:
    """The next agency met the person before the first one's support ended: 0, not negative."""
    g = rules.gap(handover(State.FIRST_CONTACT, first=date(2026, 5, 20)), date(2026, 7, 1))
    assert g.days == 0
    assert rules.gap(handover(State.CLOSED, first=ENDED), date(2026, 7, 1)).days == 0


def test_r5_the_day_the_case_closed_when_no_end_was_set() -> None:
    g = rules.gap(handover(ends=None, closed=date(2026, 5, 25), first=ENDED), date(2026, 7, 1))
    assert g.ended_on == date(2026, 5, 25) and g.days == 7
    assert rules.support_end(handover(ends=ENDED, closed=date(2026, 5, 25))) == ENDED
    # support not ended (the first agency goes on alongside): no gap to speak of
    open_ended = rules.gap(handover(ends=None, first=ENDED), date(2026, 7, 1))
    assert open_ended.ended_on is None and open_ended.days == 0


@pytest.mark.parametrize("state", [State.SENT, State.RECEIVED, State.ACCEPTED])
def test_r5_waiting_days_while_the_first_contact_is_awaited(state: str) -> None:
    g = rules.gap(handover(state), date(2026, 6, 20))
    assert g.days is None and g.waiting == 19
    assert rules.waits_too_long(g, 14)
    assert not rules.waits_too_long(g, 19)
    assert rules.waits_too_long(g, 18)


def test_r5_no_waiting_before_the_support_ends_or_when_nothing_is_open() -> None:
    assert rules.gap(handover(), date(2026, 5, 20)).waiting is None  # not ended yet
    assert rules.gap(handover(), ENDED).waiting == 0
    for state in (State.DRAFT, State.CONSENT_CONFIRMED, State.DECLINED, State.CANCELLED):
        g = rules.gap(handover(state), date(2026, 9, 1))
        assert g.waiting is None and not rules.waits_too_long(g, 0), state
    assert rules.gap(handover(ends=None), date(2026, 9, 1)).waiting is None


# --- hand-overs waiting too long, on both dashboards --------------------------------------------


@pytest.fixture
def story(db: None) -> dict[str, Any]:
    cast = make_cast()
    staff = cast.users[Role.STAFF]
    _household, _mother, son, case = yamada_household(staff, cast.center)
    consent = make_consent(staff, son, cast.self_reliance, case=case)
    return {"cast": cast, "staff": staff, "sr": receiver(cast), "case": case, "consent": consent}


def _send(story: dict[str, Any], ends: date | None) -> Referral:
    """A hand-over referral to the self-reliance agency, the center's support ending `ends`."""
    staff = story["staff"]
    referral = services.draft_referral(
        staff,
        story["case"],
        to_agency=story["cast"].self_reliance,
        purpose="就労に向けた支援への引き継ぎ",
        rule="R2",
        consent=story["consent"],
        wishes="仕事のことを相談したい",
        support_ends_on=ends,
    )
    return services.send_referral(staff, referral)


def _listed(user: Any, today: date) -> list[tuple[int, str, int | None]]:
    return [
        (w.referral.pk, w.side, w.gap.waiting if w.gap else None)
        for w in selectors.handovers_waiting(user, today)
    ]


def test_r5_handovers_waiting_lists_only_those_beyond_the_limit(story: dict[str, Any]) -> None:
    today = timezone.localdate()
    late = _send(story, today - timedelta(days=20))
    on_limit = _send(story, today - timedelta(days=14))  # the default allows 14 days
    _send(story, today + timedelta(days=10))  # support has not ended yet
    _send(story, None)  # no end set and the case is open
    assert _listed(story["staff"], today) == [(late.pk, rules.SENDER, 20)]
    assert _listed(story["sr"], today) == [(late.pk, rules.RECEIVER, 20)]
    # a day later the second one is beyond the limit too
    tomorrow = today + timedelta(days=1)
    assert [pk for pk, _side, _w in _listed(story["staff"], tomorrow)] == [late.pk, on_limit.pk]


def test_r5_the_closed_case_counts_as_the_end_of_support(story: dict[str, Any]) -> None:
    today = timezone.localdate()
    referral = _send(story, None)
    Case.objects.filter(pk=story["case"].pk).update(closed_on=today - timedelta(days=30))
    [waiting] = selectors.handovers_waiting(story["staff"], today)
    assert waiting.referral.pk == referral.pk and waiting.gap is not None
    assert waiting.gap.waiting == 30 and waiting.gap.ended_on == today - timedelta(days=30)


def test_r5_the_first_contact_takes_it_off_the_list_with_its_gap(story: dict[str, Any]) -> None:
    today = timezone.localdate()
    sr = story["sr"]
    referral = _send(story, today - timedelta(days=20))
    referral = services.accept_referral(sr, services.receive_referral(sr, referral))
    assert [w.referral.pk for w in selectors.handovers_waiting(sr, today)] == [referral.pk]
    referral, _contact = services.record_first_contact(
        sr, referral, {"channel": "office_visit", "initiator": "person", "summary": "初回面談"}
    )
    assert selectors.handovers_waiting(sr, today) == []
    assert selectors.handovers_waiting(story["staff"], today) == []
    assert rules.gap(referral, today).days == 20


def test_r5_a_declined_or_cancelled_handover_is_not_waiting(story: dict[str, Any]) -> None:
    today = timezone.localdate()
    sr = story["sr"]
    declined = _send(story, today - timedelta(days=30))
    services.decline_referral(sr, declined, reason="対象地域外のため", category="outside_area")
    cancelled = _send(story, today - timedelta(days=30))
    services.cancel_referral(story["staff"], cancelled, reason="本人が取りやめを希望")
    assert selectors.handovers_waiting(story["staff"], today) == []
    assert selectors.handovers_waiting(sr, today) == []


def test_r5_each_agency_allows_its_own_number_of_days(story: dict[str, Any]) -> None:
    today = timezone.localdate()
    cast = story["cast"]
    referral = _send(story, today - timedelta(days=10))
    assert selectors.handovers_waiting(story["staff"], today) == []
    services.save_reminder_settings(cast.users[Role.MANAGER], cast.center, {"handover_days": 7})
    assert _listed(story["staff"], today) == [(referral.pk, rules.SENDER, 10)]
    assert selectors.handovers_waiting(story["sr"], today) == []  # the receiver keeps 14


def test_r5_others_see_no_handover(story: dict[str, Any]) -> None:
    today = timezone.localdate()
    _send(story, today - timedelta(days=30))
    cast = story["cast"]
    for user in (cast.outsider, cast.nobody, cast.users[Role.AUDITOR], cast.users[Role.OPERATOR]):
        assert selectors.handovers_waiting(user, today) == [], user


def test_r5_waiting_is_counted_in_calendar_days_not_business_days(story: dict[str, Any]) -> None:
    """The hand-over limit is in days (a person waits on holidays too), unlike reminders."""
    referral = _send(story, date(2026, 12, 25))
    Referral.objects.filter(pk=referral.pk).update(
        sent_at=timezone.make_aware(datetime.datetime(2026, 12, 25, 10))
    )
    [waiting] = selectors.handovers_waiting(story["staff"], date(2027, 1, 9))
    assert waiting.gap is not None and waiting.gap.waiting == 15
