"""`/api/v1/referrals/reminders`, `/handovers` and `/settings`: a referral waiting longer than an
agency allows shows on both sides' dashboards, counted in business days (not over a holiday);
hand-overs waiting too long for the first contact (rule R5); each agency's limits, set by its
manager only; and the users who must see nothing."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from tests.api.factories import JAPANESE, ApiClient, assert_error, field_errors, issue_token
from tests.cast import PASSWORD, make_cast
from tests.people import yamada_household
from tests.sharing import make_consent, make_referral, receiver
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Membership, Role
from tsunagi.referrals import services
from tsunagi.referrals.models import Referral, ReminderSettings

pytestmark = pytest.mark.django_db

REAL_LOCALDATE = timezone.localdate


def client_for(user: Any) -> ApiClient:
    response = issue_token(user.username, PASSWORD)
    assert response.status_code == 200, response.content
    return ApiClient(response.json()["token"])


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    return response.json()


@pytest.fixture
def story() -> dict[str, Any]:
    cast = make_cast()
    staff = cast.users[Role.STAFF]
    _household, _mother, son, case = yamada_household(staff, cast.center)
    sr = receiver(cast)
    consent = make_consent(staff, son, cast.self_reliance, case=case)
    referral = services.send_referral(
        staff, make_referral(staff, case, cast.self_reliance, consent)
    )
    return {
        "cast": cast,
        "staff": staff,
        "son": son,
        "case": case,
        "sr": sr,
        "referral": referral,
        "center": client_for(staff),
        "receiver": client_for(sr),
        "manager": client_for(cast.users[Role.MANAGER]),
    }


@pytest.fixture
def today_is(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime.date], None]:
    """Pretend the office calendar shows `day` (the clock itself keeps running)."""

    def set_day(day: datetime.date) -> None:
        def localdate(value: Any = None, tz: Any = None) -> datetime.date:
            return REAL_LOCALDATE(value, tz) if value is not None else day

        monkeypatch.setattr(timezone, "localdate", localdate)

    return set_day


def sent_on(referral: Referral, day: datetime.date) -> None:
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    Referral.objects.filter(pk=referral.pk).update(sent_at=at)


def test_a_reminder_waits_in_business_days_not_over_golden_week(story, today_is):
    # Sent on Friday 2 May 2025; 3-6 May are a weekend and national holidays (振替休日 on 6 May).
    sent_on(story["referral"], datetime.date(2025, 5, 2))

    for day in (datetime.date(2025, 5, 6), datetime.date(2025, 5, 7)):
        today_is(day)
        assert ok(story["center"].get("/referrals/reminders")) == [], day

    today_is(datetime.date(2025, 5, 8))
    [mine] = ok(story["center"].get("/referrals/reminders"))
    assert mine["side"] == "sender" and mine["referral"]["id"] == story["referral"].pk
    reminder = mine["reminder"]
    assert (reminder["code"], reminder["waited"], reminder["limit"]) == ("not_received", 2, 2)
    assert reminder["since"] == "2025-05-02" and reminder["shown_from"] == "2025-05-08"
    assert JAPANESE.search(reminder["label"]) and mine["limit"] == 2 and mine["gap"] is None
    [theirs] = ok(story["receiver"].get("/referrals/reminders"))
    assert theirs["side"] == "receiver" and theirs["referral"]["person_name"] == "山田 太郎"


def test_each_agency_counts_on_its_own_settings(story, today_is):
    sent_on(story["referral"], datetime.date(2025, 5, 2))
    ReminderSettings.objects.create(agency=story["cast"].self_reliance, days_to_receive=5)
    today_is(datetime.date(2025, 5, 8))

    assert len(ok(story["center"].get("/referrals/reminders"))) == 1
    assert ok(story["receiver"].get("/referrals/reminders")) == []


def test_the_detail_shows_the_reminder_with_the_viewers_limits(story, today_is):
    sent_on(story["referral"], datetime.date(2025, 5, 2))
    today_is(datetime.date(2025, 5, 9))

    seen = ok(story["center"].get(f"/referrals/{story['referral'].pk}"))

    assert seen["reminder"]["waited"] == 3 and seen["reminder"]["code"] == "not_received"


def test_p3_the_referrals_on_the_dashboard_are_logged(story, today_is):
    sent_on(story["referral"], datetime.date(2025, 5, 2))
    today_is(datetime.date(2025, 5, 8))

    ok(story["receiver"].get("/referrals/reminders"))

    listed = AuditEvent.objects.get(action="referral.listed", actor=story["sr"])
    assert listed.record_id == str(story["referral"].pk) and listed.grant.startswith("consent:")
    assert listed.actor_agency_id == story["cast"].self_reliance.pk


def test_r5_a_hand_over_waiting_too_long_is_listed_on_both_sides(story):
    today = timezone.localdate()
    Referral.objects.filter(pk=story["referral"].pk).update(
        support_ends_on=today - datetime.timedelta(days=20)
    )

    [mine] = ok(story["center"].get("/referrals/handovers"))

    assert mine["side"] == "sender" and mine["reminder"] is None and mine["limit"] == 14
    assert mine["gap"]["waiting"] == 20 and mine["gap"]["days"] is None
    assert mine["gap"]["ended_on"] == (today - datetime.timedelta(days=20)).isoformat()
    [theirs] = ok(story["receiver"].get("/referrals/handovers"))
    assert theirs["side"] == "receiver"
    ReminderSettings.objects.create(agency=story["cast"].center, handover_days=30)
    assert ok(story["center"].get("/referrals/handovers")) == []


def test_r5_no_hand_over_is_listed_within_the_limit(story):
    Referral.objects.filter(pk=story["referral"].pk).update(
        support_ends_on=timezone.localdate() - datetime.timedelta(days=14)
    )

    assert ok(story["center"].get("/referrals/handovers")) == []


def test_r5_the_gap_is_measured_to_the_first_contact(story):
    rid = story["referral"].pk
    Referral.objects.filter(pk=rid).update(
        support_ends_on=timezone.localdate() - datetime.timedelta(days=5)
    )
    ok(story["receiver"].post(f"/referrals/{rid}/accept", {}))
    ok(story["receiver"].post(f"/referrals/{rid}/first-contact", {
        "channel": "office_visit", "initiator": "person", "summary": "初回面談",
    }))  # fmt: skip

    gap = ok(story["center"].get(f"/referrals/{rid}"))["gap"]

    assert (gap["days"], gap["waiting"]) == (5, None)
    assert ok(story["center"].get("/referrals/handovers")) == []


def test_bad_limits_on_the_dashboards(story):
    for path in ("/referrals/reminders", "/referrals/handovers"):
        assert field_errors(story["center"].get(path, limit=0), "limit")
        assert field_errors(story["center"].get(path, limit="many"), "limit")


# --- settings -------------------------------------------------------------------------------


def test_staff_read_their_agencys_limits_and_only_the_manager_changes_them(story):
    center = story["cast"].center

    seen = ok(story["center"].get("/referrals/settings"))

    assert seen["agency"] == {"id": center.pk, "name": center.name}
    assert seen["days_to_receive"] == 2 and seen["handover_days"] == 14
    assert seen["defaults"] == ReminderSettings.DEFAULTS and seen["may_change"] is False
    assert_error(story["center"].put("/referrals/settings", {"days_to_receive": 3}), 403)
    assert not ReminderSettings.objects.exists()

    changed = ok(story["manager"].put("/referrals/settings", {
        "days_to_receive": 3, "handover_days": 30,
    }))  # fmt: skip

    assert changed["may_change"] is True
    assert (changed["days_to_receive"], changed["days_to_answer"]) == (3, 5)
    assert changed["handover_days"] == 30
    assert ok(story["center"].get("/referrals/settings"))["days_to_receive"] == 3
    event = AuditEvent.objects.get(action="referral.reminders_set")
    assert event.agency_id == center.pk and event.detail["days_to_receive"] == 3


def test_bad_settings_answer_field_errors_in_japanese(story):
    manager = story["manager"]

    for body, field in (
        ({"days_to_receive": 0}, "days_to_receive"),
        ({"days_to_answer": 61}, "days_to_answer"),
        ({"handover_days": 366}, "handover_days"),
        ({"days_to_first_contact": "abc"}, "days_to_first_contact"),
    ):
        [message, *_rest] = field_errors(manager.put("/referrals/settings", body), field)
        assert JAPANESE.search(message), (body, message)
    assert ok(manager.get("/referrals/settings"))["days_to_receive"] == 2


def test_a_user_of_several_agencies_chooses_the_agency(story):
    cast = story["cast"]
    Membership.objects.create(user=story["sr"], agency=cast.center, role=Role.STAFF)

    assert JAPANESE.search(field_errors(story["receiver"].get("/referrals/settings"), "agency")[0])
    chosen = ok(story["receiver"].get("/referrals/settings", agency=cast.self_reliance.pk))
    assert chosen["agency"]["id"] == cast.self_reliance.pk
    assert_error(story["receiver"].get("/referrals/settings", agency=cast.tokyo_agency.pk), 404)
    assert field_errors(story["receiver"].get("/referrals/settings", agency="x"), "agency")


@pytest.mark.parametrize("who", ["nobody", "outsider", "auditor"])
def test_the_users_who_must_see_nothing(story, today_is, who):
    cast = story["cast"]
    user = cast.users[Role.AUDITOR] if who == "auditor" else getattr(cast, who)
    client = client_for(user)
    sent_on(story["referral"], datetime.date(2025, 5, 2))
    Referral.objects.filter(pk=story["referral"].pk).update(
        support_ends_on=datetime.date(2025, 4, 1)
    )
    today_is(datetime.date(2025, 5, 30))

    assert ok(client.get("/referrals/reminders")) == []
    assert ok(client.get("/referrals/handovers")) == []
    assert_error(client.get("/referrals/settings", agency=cast.center.pk), 404)
    assert_error(client.put(f"/referrals/settings?agency={cast.center.pk}", {
        "days_to_receive": 9,
    }), 404)  # fmt: skip
    assert not ReminderSettings.objects.filter(agency=cast.center).exists()
    assert not AuditEvent.objects.filter(action="referral.listed", actor=user).exists()
    if who == "nobody":
        assert_error(client.get("/referrals/settings"), 404)


def test_no_token_is_401(story):
    for path in ("/referrals/reminders", "/referrals/handovers", "/referrals/settings"):
        assert_error(ApiClient().get(path), 401)
