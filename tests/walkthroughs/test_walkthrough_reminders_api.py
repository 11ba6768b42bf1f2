"""Reminders of a referral waiting too long, through the HTTP API (the referral issue; R5's
closed loop).

The adult center sends a referral to 高知市's self-reliance agency on Friday 31 October 2025; no
one marks it received. Monday 3 November is a national holiday (文化の日), when the offices are
closed. With the default limit of 2 business days, the referral is not yet overdue on Tuesday
4 November (1 business day: the holiday does not count, though two weekdays have passed), and
shows on Wednesday 5 November in GET /api/v1/referrals/reminders of both agencies — each side
counting on its own settings, which only the agency's manager changes.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from tests.api.factories import JAPANESE, ApiClient
from tests.people import years_ago
from tests.referral_world import (
    ReferralWorld,
    answer,
    client_for,
    japanese,
    make_referral_world,
    manager_of,
    on_day,
    record_consent,
    register,
)
from tsunagi.agencies.calendar import business_days_between, closure_reason

pytestmark = pytest.mark.django_db

FRIDAY = datetime.date(2025, 10, 31)
HOLIDAY = datetime.date(2025, 11, 3)  # 文化の日, a Monday
TUESDAY = datetime.date(2025, 11, 4)
WEDNESDAY = datetime.date(2025, 11, 5)
THURSDAY = datetime.date(2025, 11, 6)


def send_referral(center: ApiClient, world: ReferralWorld, family: str, kana: str) -> int:
    """A referral of a new person of the center to 高知市's self-reliance agency, sent."""
    person, case_id = register(
        center,
        {
            "family_name": family, "given_name": "一郎", "family_name_kana": kana,
            "sex": "male", "birth_date": years_ago(30).isoformat(),
            "municipality_code": "39201",
        },
        summary="家計の相談",
        problems=["income", "hikikomori"],
    )  # fmt: skip
    consent = record_consent(center, person["id"], world.city_self_reliance, case=case_id)
    referral = answer(center.post("/referrals", {
        "case": case_id, "to_agency": world.city_self_reliance.pk, "rule": "R2",
        "purpose": "家計の相談をお願いします", "wishes": "家計のことを相談したい",
        "consent": consent["id"],
    }), 201)  # fmt: skip
    sent = answer(center.post(f"/referrals/{referral['id']}/send"))
    assert sent["state"] == "sent"
    rid: int = sent["id"]
    return rid


def reminders(client: ApiClient) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = answer(client.get("/referrals/reminders"))
    return found


def test_walkthrough_reminders_a_referral_not_received_after_n_business_days() -> None:
    assert FRIDAY.weekday() == 4 and closure_reason(HOLIDAY) == "文化の日"

    with on_day(FRIDAY):
        world = make_referral_world()
        sr_manager = manager_of(world.city_self_reliance, "sr-manager")
        center = client_for(world.center_staff)
        waiting = send_referral(center, world, "川村", "かわむら")
        received = send_referral(center, world, "森", "もり")
        answer(client_for(world.sr_staff).post(f"/referrals/{received}/receive"))
        assert reminders(center) == []

    # Tuesday: two weekdays have passed, but Monday was a holiday: 1 business day, no reminder.
    with on_day(TUESDAY):
        assert business_days_between(FRIDAY, TUESDAY) == 1
        center, agency = client_for(world.center_staff), client_for(world.sr_staff)
        assert reminders(center) == [] and reminders(agency) == []
        assert answer(center.get(f"/referrals/{waiting}"))["reminder"] is None
        settings = answer(center.get("/referrals/settings"))
        assert settings["days_to_receive"] == 2 and settings["may_change"] is False

    # Wednesday: 2 business days. Both agencies see the referral that nobody received.
    with on_day(WEDNESDAY):
        center, agency = client_for(world.center_staff), client_for(world.sr_staff)
        [sender] = reminders(center)
        [receiver] = reminders(agency)
        assert sender["referral"]["id"] == receiver["referral"]["id"] == waiting
        assert (sender["side"], receiver["side"]) == ("sender", "receiver")
        for row in (sender, receiver):
            reminder = row["reminder"]
            assert reminder["code"] == "not_received" and japanese(reminder["label"])
            assert (reminder["waited"], reminder["limit"], row["limit"]) == (2, 2, 2)
            assert reminder["since"] == FRIDAY.isoformat()
            assert reminder["shown_from"] == WEDNESDAY.isoformat()
            assert row["referral"]["state"] == "sent"
        assert sender["referral"]["to_agency"]["name"] == "高知市生活支援相談センター"
        assert receiver["referral"]["from_agency"]["name"] == "高知県ひきこもり地域支援センター"
        assert receiver["referral"]["person_name"] == "川村 一郎"
        detail = answer(agency.get(f"/referrals/{waiting}"))
        assert detail["reminder"]["code"] == "not_received"

        # Each agency counts on its own settings; only its manager changes them.
        refused = agency.put("/referrals/settings", {"days_to_receive": 3})
        assert refused.status_code == 403 and JAPANESE.search(refused.json()["detail"])
        manager = client_for(sr_manager)
        bad = manager.put("/referrals/settings", {"days_to_receive": 0})
        assert bad.status_code == 422
        [error] = bad.json()["errors"]
        assert error["field"] == "days_to_receive" and japanese(error["message"])
        changed = answer(manager.put("/referrals/settings", {"days_to_receive": 3}))
        assert changed["days_to_receive"] == 3 and changed["may_change"] is True
        assert reminders(agency) == []  # 2 of its 3 business days
        assert [r["referral"]["id"] for r in reminders(center)] == [waiting]

    with on_day(THURSDAY):
        agency = client_for(world.sr_staff)
        [row] = reminders(agency)
        assert row["referral"]["id"] == waiting
        assert (row["reminder"]["waited"], row["reminder"]["limit"]) == (3, 3)
        # Once received, "not received" is over.
        answer(agency.post(f"/referrals/{waiting}/receive"))
        assert reminders(agency) == []
        assert reminders(client_for(world.center_staff)) == []
