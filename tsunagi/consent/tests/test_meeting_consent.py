"""A consent naming a support coordination meeting (rule P1): the person agrees that the meeting's
member agencies share their information; it names no one else, and only a coordination meeting
the agency takes part in can be named (an Article 9 meeting needs no consent, rule P5)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.cast import make_cast
from tests.people import yamada_household
from tests.sharing import make_consent
from tsunagi.accounts.models import Role
from tsunagi.consent import services
from tsunagi.consent.models import Consent
from tsunagi.meetings import services as meetings
from tsunagi.meetings.models import Meeting
from tsunagi.web.wareki import format_wareki

pytestmark = pytest.mark.django_db


@pytest.fixture
def story() -> tuple[Any, Any, Any, Any]:
    cast = make_cast()
    staff = cast.users[Role.STAFF]
    _household, _mother, son, case = yamada_household(staff, cast.center)
    return cast, staff, son, case


def _meeting(actor: Any, agency: Any, members: Any, kind: str = "coordination") -> Meeting:
    return meetings.create_meeting(
        actor,
        agency,
        {
            "kind": kind,
            "title": "支援調整会議",
            "held_on": timezone.localdate(),
            "purpose": "山田さんの支援方針",
        },
        members=members,
    )


def _values(meeting: Meeting) -> dict[str, object]:
    today = timezone.localdate()
    return {
        "given_by": "subject",
        "recipient_meeting": meeting.pk,
        "purpose": "支援調整会議での検討のため",
        "kinds": ["identity", "situation"],
        "given_on": today,
        "valid_until": today + datetime.timedelta(days=180),
        "method": "verbal",
    }


def test_p1_a_meeting_consent_names_the_members_only(story: Any) -> None:
    cast, staff, son, _case = story
    meeting = _meeting(staff, cast.center, [cast.self_reliance])
    consent = Consent(agency=cast.center, person=son, recipient_meeting=meeting)
    assert consent.names_agency(cast.self_reliance)
    assert consent.names_agency(cast.center)
    for outside in (cast.city_office, cast.tokyo_agency, cast.office):
        assert not consent.names_agency(outside)
    assert consent.recipient_label == f"{format_wareki(meeting.held_on)} {meeting.title}の構成機関"


def test_p1_a_consent_naming_only_the_meeting_is_recorded(story: Any) -> None:
    cast, staff, son, case = story
    meeting = _meeting(staff, cast.center, [cast.self_reliance])
    consent = make_consent(
        staff, son, None, ["identity", "situation"], case=case,  # type: ignore[arg-type]
        recipient_meeting=meeting,
    )  # fmt: skip
    assert consent.recipient_meeting == meeting and consent.recipient_agency is None
    item = meetings.add_agenda_item(staff, meeting, case, consent=consent)
    assert item.consent == consent
    assert consent.recipient_label != str(cast.self_reliance)


def test_p1_record_consent_refuses_a_meeting_the_agency_does_not_sit_on(story: Any) -> None:
    cast, staff, son, case = story
    from tests.sharing import receiver

    sr = receiver(cast)
    theirs = _meeting(sr, cast.self_reliance, [])  # the center is not a member
    with pytest.raises(ValidationError) as err:
        services.record_consent(staff, son, _values(theirs), case=case)
    assert "recipient_meeting" in err.value.message_dict
    assert not Consent.objects.exists()


def test_p5_record_consent_refuses_an_article_9_meeting(story: Any) -> None:
    """An Article 9 support meeting shares without consent (P5): no consent names it."""
    cast, staff, son, case = story
    article_9 = _meeting(staff, cast.center, [cast.self_reliance], kind="article_9")
    with pytest.raises(ValidationError) as err:
        services.record_consent(staff, son, _values(article_9), case=case)
    assert "recipient_meeting" in err.value.message_dict
    assert not Consent.objects.exists()


def test_p1_record_consent_refuses_an_unknown_meeting(story: Any) -> None:
    cast, staff, son, case = story
    values = _values(_meeting(staff, cast.center, [cast.self_reliance]))
    values["recipient_meeting"] = 999999
    with pytest.raises(ValidationError) as err:
        services.record_consent(staff, son, values, case=case)
    assert "recipient_meeting" in err.value.message_dict


def test_p1_a_consent_names_one_recipient_only(story: Any) -> None:
    """A meeting, an agency or a kind of agency: never two of them at once."""
    cast, staff, son, case = story
    meeting = _meeting(staff, cast.center, [cast.self_reliance])
    with pytest.raises(ValidationError) as err:
        make_consent(
            staff, son, cast.self_reliance, ["identity", "situation"], case=case,
            recipient_meeting=meeting,
        )  # fmt: skip
    assert "recipient_agency" in err.value.message_dict
    assert not Consent.objects.exists()
