"""The consent form's third kind of recipient (rule P1): the members of a support coordination
meeting the agency sits at (upcoming or of the last 90 days), prefilled from the meeting page;
one recipient only; errors in Japanese, typed values kept."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.cast import make_cast
from tests.people import yamada_household
from tsunagi.accounts.models import Role
from tsunagi.consent.models import Consent
from tsunagi.meetings.models import Meeting

pytestmark = pytest.mark.django_db


class Story:
    def __init__(self) -> None:
        self.cast = make_cast()
        self.staff = self.cast.users[Role.STAFF]
        _household, _mother, self.son, self.case = yamada_household(self.staff, self.cast.center)

    def meeting(self, kind: str = "coordination", days: int = 7, by: Any = None) -> Meeting:
        agency = by or self.cast.center
        meeting = Meeting.objects.create(
            agency=agency, kind=kind, title=f"{kind}{days}-{agency.pk}", purpose="役割分担の確認",
            held_on=timezone.localdate() + datetime.timedelta(days=days), created_by=self.staff,
        )  # fmt: skip
        meeting.members.add(agency)
        return meeting

    def url(self, **query: Any) -> str:
        q = "&".join(f"{k}={v}" for k, v in {"case": self.case.pk, **query}.items())
        return f"/consent/persons/{self.son.pk}/new/?{q}"

    def data(self, **changes: Any) -> dict[str, Any]:
        return {
            "given_by": "subject", "purpose": "支援調整会議での検討のため",
            "kinds": ["identity", "situation"], "given_on": "R7.4.1",
            "valid_until": "令和9年3月31日", "method": "verbal", "witness": "",
            "case": self.case.pk, **changes,
        }  # fmt: skip


@pytest.fixture
def story() -> Story:
    return Story()


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_p1_the_form_offers_the_coordination_meetings_the_agency_sits_at(story: Story) -> None:
    upcoming = story.meeting()
    recent = story.meeting(days=-30)
    old = story.meeting(days=-120)
    article_9 = story.meeting("article_9")
    elsewhere = story.meeting(by=story.cast.self_reliance)  # the center is not a member
    form = login(story.staff).get(story.url()).context["form"]
    offered = set(form.fields["recipient_meeting"].queryset)
    assert offered == {upcoming, recent}
    assert old not in offered and article_9 not in offered and elsewhere not in offered
    elsewhere.members.add(story.cast.center)
    form = login(story.staff).get(story.url()).context["form"]
    assert elsewhere in set(form.fields["recipient_meeting"].queryset)


def test_p1_prefilled_from_the_meeting_page(story: Story) -> None:
    meeting = story.meeting()
    response = login(story.staff).get(story.url(meeting=meeting.pk))
    form = response.context["form"]
    assert form["recipient_meeting"].value() == meeting.pk
    assert form["purpose"].value() == "役割分担の確認"
    assert f'<option value="{meeting.pk}" selected>' in response.content.decode()
    # a meeting the agency does not sit at is not preselected (nor named)
    other = story.meeting(by=story.cast.self_reliance)
    response = login(story.staff).get(story.url(meeting=other.pk))
    assert response.context["form"]["recipient_meeting"].value() is None
    assert other.title not in response.content.decode()


def test_p1_one_recipient_only_and_typed_values_kept(story: Story) -> None:
    meeting = story.meeting()
    data = story.data(recipient_agency=story.cast.self_reliance.pk, recipient_meeting=meeting.pk)
    response = login(story.staff).post(story.url(), data)
    page = response.content.decode()
    assert response.status_code == 200 and "いずれか1つを指定してください" in page
    assert "支援調整会議での検討のため" in page and not Consent.objects.exists()


def test_p1_a_meeting_not_offered_is_refused_in_japanese(story: Story) -> None:
    article_9 = story.meeting("article_9")
    response = login(story.staff).post(story.url(), story.data(recipient_meeting=article_9.pk))
    assert response.status_code == 200 and "recipient_meeting" in response.context["form"].errors
    assert "正しく選択してください" in response.content.decode()
    assert not Consent.objects.exists()


def test_p1_consent_naming_the_meeting_recorded_and_back_to_the_meeting(story: Story) -> None:
    meeting = story.meeting()
    meeting.members.add(story.cast.self_reliance)
    data = story.data(recipient_meeting=meeting.pk, witness=story.cast.users[Role.MANAGER].pk)
    response = login(story.staff).post(story.url(meeting=meeting.pk), data)
    consent = Consent.objects.get()
    assert consent.recipient_meeting == meeting and consent.recipient_agency is None
    assert response["Location"] == (
        f"/meetings/{meeting.pk}/?consent={consent.pk}&case={story.case.pk}#agenda-add"
    )
    assert consent.names_agency(story.cast.self_reliance)
