"""Reminders in business days and hand-overs waiting too long (rule R5) on both agencies' home
pages and on the waiting page: a referral sent on a Friday before Golden Week shows its reminder
after two business days, and not on Shōwa Day (29 April) in between; each row names the person
as the viewer may see them (the read logged), the other agency, what is awaited, since when, and
the business days waited."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tsunagi.access.models import AuditEvent
from tsunagi.referrals import selectors
from tsunagi.referrals.dashboard_views import waiting_rows
from tsunagi.referrals.models import Referral, ReminderSettings
from tsunagi.referrals.tests.test_screens import client_for, sent, story  # noqa: F401

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
FRIDAY = datetime.datetime(2025, 4, 25, 10, 0, tzinfo=TOKYO)  # before Golden Week
SHOWA_DAY = datetime.date(2025, 4, 29)  # a Tuesday, a national holiday
AFTER = datetime.date(2025, 4, 30)


def sent_on(story: Any, at: datetime.datetime) -> Referral:  # noqa: F811
    referral = sent(story)
    Referral.objects.filter(pk=referral.pk).update(sent_at=at)
    referral.refresh_from_db()
    return referral


def on_day(monkeypatch: pytest.MonkeyPatch, day: datetime.date) -> None:
    """Today is `day` for the screens (freezegun is not installed); dates of other moments are
    converted as usual."""
    real = timezone.localdate

    def localdate(value: Any = None, tz: Any = None) -> datetime.date:
        return real(value, tz) if value is not None else day

    monkeypatch.setattr(timezone, "localdate", localdate)


def test_reminder_after_two_business_days_and_not_over_a_holiday(story: Any) -> None:  # noqa: F811
    _cast, staff, _mother, _son, _case, sr = story
    referral = sent_on(story, FRIDAY)
    # Monday 28 April is one business day; Tuesday 29 April is Shōwa Day
    for user in (staff, sr):
        assert selectors.reminders(user, today=SHOWA_DAY) == []
    for user, side in ((staff, "sender"), (sr, "receiver")):
        found = selectors.reminders(user, today=AFTER)
        assert [(w.referral.pk, w.side) for w in found] == [(referral.pk, side)]
        assert found[0].reminder is not None and found[0].reminder.waited == 2
    # without the holiday: sent a week earlier, the reminder shows on the Tuesday
    Referral.objects.filter(pk=referral.pk).update(sent_at=FRIDAY - datetime.timedelta(days=7))
    assert selectors.reminders(staff, today=datetime.date(2025, 4, 22))


def test_reminder_settings_change_when_reminders_show(story: Any) -> None:  # noqa: F811
    cast, staff, _mother, _son, _case, sr = story
    sent_on(story, FRIDAY)
    assert selectors.reminders(staff, today=datetime.date(2025, 4, 28)) == []
    ReminderSettings.objects.create(agency=cast.center, days_to_receive=1)
    assert selectors.reminders(staff, today=datetime.date(2025, 4, 28))
    # the receiving agency counts on its own settings (the defaults)
    assert selectors.reminders(sr, today=datetime.date(2025, 4, 28)) == []


def test_home_shows_the_reminder_to_both_sides_not_on_the_holiday(
    story: Any,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _cast, staff, _mother, _son, _case, sr = story
    referral = sent_on(story, FRIDAY)
    on_day(monkeypatch, SHOWA_DAY)
    for user in (staff, sr):
        assert 'id="referral-reminders"' not in client_for(user).get("/").content.decode()
    on_day(monkeypatch, AFTER)
    for user, other in (
        (staff, "高知市自立相談支援機関"),
        (sr, "高知県ひきこもり地域支援センター"),
    ):
        page = client_for(user).get("/").content.decode()
        assert 'id="referral-reminders"' in page
        row = page.split(f'id="home-reminder-{referral.pk}"')[1].split("</tr>")[0]
        assert "山田 太郎" in row and other in row and "まだ受付されていません" in row
        assert "令和7年4月25日" in row and "<td>2</td>" in row
    assert referral.grant is not None
    assert AuditEvent.objects.filter(
        actor=sr, subject_id=referral.person_id, grant=referral.grant.code
    ).exists()


def test_r5_handover_waiting_too_long_on_both_dashboards(story: Any) -> None:  # noqa: F811
    cast, staff, _mother, _son, _case, sr = story
    referral = sent(story)
    today = timezone.localdate()
    Referral.objects.filter(pk=referral.pk).update(
        support_ends_on=today - datetime.timedelta(days=10)
    )
    for user in (staff, sr):
        assert waiting_rows(user, None)["handovers"] == []
        assert "handover-" not in client_for(user).get("/referrals/waiting/").content.decode()
    Referral.objects.filter(pk=referral.pk).update(
        support_ends_on=today - datetime.timedelta(days=20)
    )
    for user in (staff, sr):
        rows = waiting_rows(user, None)["handovers"]
        assert [r["referral"].pk for r in rows] == [referral.pk]
        assert rows[0]["days"] == 20 and 10 <= rows[0]["business_days"] <= 15
        page = client_for(user).get("/referrals/waiting/").content.decode()
        row = page.split(f'id="handover-{referral.pk}"')[1].split("</tr>")[0]
        assert "山田 太郎" in row and "引き継ぎ後の初回接触" in row and "暦日20日" in row
        home = client_for(user).get("/").content.decode()
        assert f'id="home-handover-{referral.pk}"' in home
    page = client_for(cast.outsider).get("/referrals/waiting/").content.decode()
    assert "山田" not in page
    assert "山田" not in client_for(cast.outsider).get("/").content.decode()


def test_waiting_page_lists_reminders_and_nobody_sees_it(story: Any) -> None:  # noqa: F811
    cast, staff, _mother, son, _case, _sr = story
    referral = sent_on(story, timezone.now() - datetime.timedelta(days=30))
    page = client_for(staff).get("/referrals/waiting/").content.decode()
    assert f'id="reminder-{referral.pk}"' in page and "まだ受付されていません" in page
    assert AuditEvent.objects.filter(actor=staff, subject_id=son.pk).exists()
    assert client_for(cast.nobody).get("/referrals/waiting/").status_code == 403
    outsider = client_for(cast.outsider).get("/referrals/waiting/").content.decode()
    assert f'id="reminder-{referral.pk}"' not in outsider
