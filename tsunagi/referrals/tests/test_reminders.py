"""Reminders in business days (issue item 4): a referral not received, not answered or without a
first contact after the agency's number of business days shows on both agencies' dashboards —
never on a holiday, a weekend or over the year-end closure.

First the rule (`rules.reminder`) on plain objects, then the dashboards (`selectors.reminders`)
with referrals made through the services and their timestamps set to the days of the story.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone, translation

from tests.cast import make_cast
from tests.people import yamada_household
from tests.sharing import make_consent, make_referral, receiver
from tsunagi.access.models import AuditEvent
from tsunagi.access.policy import Denied
from tsunagi.accounts.models import Role
from tsunagi.referrals import rules, selectors, services
from tsunagi.referrals.models import Referral, ReminderSettings, State

FRIDAY = date(2026, 11, 20)
HOLIDAY = date(2026, 11, 23)  # 勤労感謝の日, a Monday
TUESDAY = date(2026, 11, 24)
LAST_DAY = date(2026, 12, 28)  # the last working day before 年末年始
FIRST_DAY = date(2027, 1, 4)
pytestmark = pytest.mark.django_db

ONE = {"days_to_receive": 1, "days_to_answer": 1, "days_to_first_contact": 1, "handover_days": 14}


@pytest.fixture(autouse=True)
def japanese() -> Iterator[None]:
    with translation.override("ja"):
        yield


def at(day: date, hour: int = 10) -> datetime.datetime:
    """A moment of `day` in the office's time zone (Asia/Tokyo)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def waiting(state: str, since: date | datetime.datetime | None) -> SimpleNamespace:
    field = {
        str(State.SENT): "sent_at",
        str(State.RECEIVED): "received_at",
        str(State.ACCEPTED): "decided_at",
    }.get(state, "sent_at")
    values: dict[str, Any] = {"sent_at": None, "received_at": None, "decided_at": None}
    values[field] = since
    return SimpleNamespace(state=state, **values)


# --- the rule ------------------------------------------------------------------------------------


def test_reminder_not_on_the_monday_holiday_but_on_tuesday() -> None:
    sent = waiting(State.SENT, at(FRIDAY, 16))
    for day in (FRIDAY, date(2026, 11, 21), date(2026, 11, 22), HOLIDAY):
        assert rules.reminder(sent, day, ONE) is None, day
    shown = rules.reminder(sent, TUESDAY, ONE)
    assert shown is not None
    assert shown.code == "not_received" and shown.label == "まだ受付されていません"
    assert (shown.since, shown.waited, shown.limit, shown.shown_from) == (FRIDAY, 1, 1, TUESDAY)


def test_reminder_not_over_the_year_end_closure() -> None:
    sent = waiting(State.SENT, at(LAST_DAY))
    day = LAST_DAY
    while day < FIRST_DAY:
        assert rules.reminder(sent, day, ONE) is None, day
        day += datetime.timedelta(days=1)
    shown = rules.reminder(sent, FIRST_DAY, ONE)
    assert shown is not None and shown.shown_from == FIRST_DAY


def test_reminder_counts_the_office_day_of_a_late_evening_send() -> None:
    # 23:30 in Tokyo on Friday is still Friday for the office (14:30 UTC)
    late = datetime.datetime(2026, 11, 20, 14, 30, tzinfo=datetime.UTC)
    shown = rules.reminder(waiting(State.SENT, late), TUESDAY, ONE)
    assert shown is not None and shown.since == FRIDAY


@pytest.mark.parametrize(
    ("state", "key", "code"),
    [
        (State.SENT, "days_to_receive", "not_received"),
        (State.RECEIVED, "days_to_answer", "not_answered"),
        (State.ACCEPTED, "days_to_first_contact", "no_first_contact"),
    ],
)
def test_reminder_each_state_waits_its_own_limit(state: str, key: str, code: str) -> None:
    limits = {**ReminderSettings.DEFAULTS, key: 3}
    start = date(2026, 6, 1)  # Monday
    referral = waiting(state, at(start))
    assert rules.reminder(referral, date(2026, 6, 3), limits) is None  # 2 business days
    shown = rules.reminder(referral, date(2026, 6, 4), limits)
    assert shown is not None and shown.code == code and shown.limit == 3
    later = rules.reminder(referral, date(2026, 6, 8), limits)  # the weekend does not count
    assert later is not None and later.waited == 5


@pytest.mark.parametrize(
    "state",
    [State.DRAFT, State.CONSENT_CONFIRMED, State.DECLINED, State.FIRST_CONTACT, State.CLOSED],
)
def test_reminder_none_in_a_state_that_waits_for_nobody(state: str) -> None:
    referral = SimpleNamespace(
        state=state, sent_at=at(FRIDAY), received_at=at(FRIDAY), decided_at=at(FRIDAY)
    )
    assert rules.reminder(referral, date(2027, 3, 1), ONE) is None


def test_reminder_none_without_the_day_it_waits_from() -> None:
    assert rules.reminder(waiting(State.SENT, None), TUESDAY, ONE) is None


# --- both dashboards ---------------------------------------------------------------------------


@pytest.fixture
def story() -> dict[str, Any]:
    """The son's referral sent by the center to the self-reliance agency, both agencies with
    reminders after one business day."""
    cast = make_cast()
    staff = cast.users[Role.STAFF]
    _household, _mother, son, case = yamada_household(staff, cast.center)
    consent = make_consent(staff, son, cast.self_reliance, case=case)
    referral = services.send_referral(
        staff, make_referral(staff, case, cast.self_reliance, consent)
    )
    sr = receiver(cast)
    sr_manager = receiver(cast, "sr_manager", Role.MANAGER)
    services.save_reminder_settings(cast.users[Role.MANAGER], cast.center, ONE)
    services.save_reminder_settings(sr_manager, cast.self_reliance, ONE)
    return {"cast": cast, "staff": staff, "sr": sr, "sr_manager": sr_manager, "referral": referral}


def _set(referral: Referral, **moments: datetime.datetime) -> None:
    Referral.objects.filter(pk=referral.pk).update(**moments)


def _codes(user: Any, day: date) -> list[tuple[str, str]]:
    return [(w.side, w.reminder.code) for w in selectors.reminders(user, day) if w.reminder]


def test_reminder_both_sides_see_it_on_tuesday_and_not_on_the_holiday(
    story: dict[str, Any],
) -> None:
    _set(story["referral"], sent_at=at(FRIDAY, 15))
    for user in (story["staff"], story["sr"]):
        assert selectors.reminders(user, HOLIDAY) == []
    assert _codes(story["staff"], TUESDAY) == [(rules.SENDER, "not_received")]
    assert _codes(story["sr"], TUESDAY) == [(rules.RECEIVER, "not_received")]
    [seen] = selectors.reminders(story["sr"], TUESDAY)
    assert seen.referral.pk == story["referral"].pk and seen.reminder is not None
    assert seen.reminder.shown_from == TUESDAY


def test_reminder_year_end_closure_on_the_dashboards(story: dict[str, Any]) -> None:
    _set(story["referral"], sent_at=at(LAST_DAY, 17))
    for day in (date(2026, 12, 29), date(2026, 12, 31), date(2027, 1, 3)):
        assert selectors.reminders(story["staff"], day) == []
    assert _codes(story["staff"], FIRST_DAY) == [(rules.SENDER, "not_received")]


def test_reminder_received_then_accepted_each_with_its_limit(story: dict[str, Any]) -> None:
    sr, staff = story["sr"], story["staff"]
    referral = services.receive_referral(sr, story["referral"])
    _set(referral, sent_at=at(FRIDAY), received_at=at(FRIDAY, 11))
    assert selectors.reminders(staff, HOLIDAY) == []
    assert _codes(staff, TUESDAY) == [(rules.SENDER, "not_answered")]
    assert _codes(sr, TUESDAY) == [(rules.RECEIVER, "not_answered")]


def test_r5_reminder_of_a_first_contact_not_made(story: dict[str, Any]) -> None:
    """Rule R5 (no gap): an accepted referral without first contact is reminded to both."""
    sr, staff = story["sr"], story["staff"]
    referral = services.receive_referral(sr, story["referral"])
    referral = services.accept_referral(sr, referral)
    _set(referral, decided_at=at(FRIDAY, 12))
    assert _codes(sr, HOLIDAY) == []
    assert _codes(sr, TUESDAY) == [(rules.RECEIVER, "no_first_contact")]
    assert _codes(staff, TUESDAY) == [(rules.SENDER, "no_first_contact")]
    services.record_first_contact(
        sr, referral, {"channel": "office_visit", "initiator": "person", "summary": "初回面談"}
    )
    assert _codes(sr, TUESDAY + datetime.timedelta(days=30)) == []


def test_reminder_each_agency_counts_on_its_own_settings(story: dict[str, Any]) -> None:
    """The center waits 3 business days before it is reminded; the receiver keeps 1."""
    services.save_reminder_settings(
        story["cast"].users[Role.MANAGER], story["cast"].center, {"days_to_receive": 3}
    )
    _set(story["referral"], sent_at=at(FRIDAY))
    assert _codes(story["sr"], TUESDAY) == [(rules.RECEIVER, "not_received")]
    assert _codes(story["staff"], TUESDAY) == []
    assert _codes(story["staff"], date(2026, 11, 26)) == [(rules.SENDER, "not_received")]


def test_reminder_defaults_without_settings(story: dict[str, Any]) -> None:
    ReminderSettings.objects.filter(agency=story["cast"].self_reliance).delete()
    assert selectors.limits_of(story["cast"].self_reliance.pk) == ReminderSettings.DEFAULTS
    _set(story["referral"], sent_at=at(FRIDAY))
    # the default is 2 business days to receive: Tuesday is the first, Wednesday the second
    assert _codes(story["sr"], TUESDAY) == []
    assert _codes(story["sr"], date(2026, 11, 25)) == [(rules.RECEIVER, "not_received")]


def test_p1_reminder_gone_once_the_referral_is_cancelled_and_never_for_others(
    story: dict[str, Any],
) -> None:
    cast = story["cast"]
    _set(story["referral"], sent_at=at(FRIDAY))
    for user in (cast.outsider, cast.nobody, cast.users[Role.AUDITOR], cast.users[Role.OPERATOR]):
        assert selectors.reminders(user, TUESDAY) == [], user
    services.cancel_referral(story["staff"], story["referral"], reason="本人が取りやめを希望")
    assert selectors.reminders(story["staff"], TUESDAY) == []
    assert selectors.reminders(story["sr"], TUESDAY) == []


# --- the settings --------------------------------------------------------------------------------


def test_reminder_settings_bad_input_in_japanese(story: dict[str, Any]) -> None:
    manager, center = story["cast"].users[Role.MANAGER], story["cast"].center
    with pytest.raises(ValidationError) as err:
        services.save_reminder_settings(
            manager,
            center,
            {"days_to_receive": 0, "days_to_answer": "五", "days_to_first_contact": 61},
        )
    errors = err.value.message_dict
    assert set(errors) == {"days_to_receive", "days_to_answer", "days_to_first_contact"}
    assert "1" in errors["days_to_receive"][0] and "365" in errors["days_to_receive"][0]
    assert "60" in errors["days_to_first_contact"][0]
    assert all(not any(c.isascii() and c.isalpha() for c in m[0]) for m in errors.values())
    assert selectors.limits_of(center.pk)["days_to_receive"] == 1  # nothing saved


def test_reminder_settings_belong_to_the_manager_and_are_logged(story: dict[str, Any]) -> None:
    cast = story["cast"]
    with pytest.raises(Denied):
        services.save_reminder_settings(story["staff"], cast.center, {"days_to_receive": 4})
    with pytest.raises((Denied, Http404)):
        services.save_reminder_settings(story["sr_manager"], cast.center, {"days_to_receive": 4})
    services.save_reminder_settings(
        cast.users[Role.MANAGER], cast.center, {"days_to_receive": 4, "handover_days": 90}
    )
    assert selectors.limits_of(cast.center.pk)["days_to_receive"] == 4
    event = AuditEvent.objects.filter(action="referral.reminders_set", agency=cast.center).latest(
        "at"
    )
    assert event.detail["days_to_receive"] == 4 and event.detail["handover_days"] == 90
