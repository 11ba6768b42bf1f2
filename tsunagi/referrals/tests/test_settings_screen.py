"""The agency's reminder settings: its manager sets the business days (and the calendar days of
a hand-over, rule R5); its staff see the values only; bad input is refused in Japanese beside the
field with what was typed kept; nobody and another agency's staff get nothing of the center's."""

from __future__ import annotations

import pytest

from tests.cast import Cast, make_cast
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role
from tsunagi.referrals.models import ReminderSettings
from tsunagi.referrals.tests.test_screens import client_for

pytestmark = pytest.mark.django_db

URL = "/referrals/settings/"
GOOD = {"days_to_receive": "3", "days_to_answer": "7", "days_to_first_contact": "12",
        "handover_days": "30"}  # fmt: skip


@pytest.fixture
def cast() -> Cast:
    return make_cast()


def test_the_manager_sees_the_defaults_and_saves_new_limits(cast: Cast) -> None:
    manager = cast.users[Role.MANAGER]
    client = client_for(manager)
    page = client.get(URL).content.decode()
    assert cast.center.name in page and 'name="days_to_receive"' in page and 'value="2"' in page
    response = client.post(URL, {**GOOD, "agency": cast.center.pk})
    assert response.status_code == 302
    row = ReminderSettings.objects.get(agency=cast.center)
    assert (row.days_to_receive, row.days_to_answer) == (3, 7)
    assert (row.days_to_first_contact, row.handover_days) == (12, 30)
    assert AuditEvent.objects.filter(action="referral.reminders_set", actor=manager).exists()
    assert 'value="30"' in client.get(URL).content.decode()


def test_bad_input_is_refused_in_japanese_and_kept(cast: Cast) -> None:
    client = client_for(cast.users[Role.MANAGER])
    bad = {**GOOD, "days_to_receive": "あいう", "days_to_answer": "0", "handover_days": ""}
    response = client.post(URL, bad)
    page = response.content.decode()
    assert response.status_code == 400 and 'value="あいう"' in page and 'value="0"' in page
    assert page.count("1から365までの整数を入力してください") == 3
    # business days are at most 60 (the service's limit), calendar days of a hand-over are not
    response = client.post(URL, {**GOOD, "days_to_first_contact": "61", "handover_days": "90"})
    page = response.content.decode()
    assert response.status_code == 400 and "開庁日で60日以内にしてください" in page
    assert 'value="61"' in page and 'value="90"' in page
    assert not ReminderSettings.objects.exists()


def test_staff_see_the_values_and_may_not_change_them(cast: Cast) -> None:
    ReminderSettings.objects.create(agency=cast.center, days_to_answer=8)
    client = client_for(cast.users[Role.STAFF])
    page = client.get(URL).content.decode()
    assert 'id="value-days_to_answer">8<' in page and 'name="days_to_answer"' not in page
    assert client.post(URL, GOOD).status_code == 403
    assert ReminderSettings.objects.get().days_to_answer == 8


def test_nobody_and_other_agencies_get_nothing_of_the_center(cast: Cast) -> None:
    assert client_for(cast.nobody).get(URL).status_code == 403
    outsider = client_for(cast.outsider)
    page = outsider.get(URL).content.decode()
    assert cast.tokyo_agency.name in page and cast.center.name not in page
    assert outsider.get(f"{URL}?agency={cast.center.pk}").status_code == 404
    response = outsider.post(URL, {**GOOD, "agency": cast.center.pk})
    assert response.status_code == 404
    assert not ReminderSettings.objects.exists()
    # a municipal officer works for no agency's referrals
    assert client_for(cast.users[Role.MUNICIPAL_OFFICER]).get(URL).status_code in (403, 404)
