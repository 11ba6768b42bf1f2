"""Support meetings (rule P5): an Article 9 support meeting gives grants to its other members
for the agenda cases; a support coordination meeting shares nothing without consent (P1)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from tests.cast import make_cast
from tests.people import make_person, yamada_household
from tests.sharing import receiver
from tsunagi.access.models import Grant, GrantKind, LegalGround
from tsunagi.access.policy import Kind, sight
from tsunagi.access.selectors import pending_notices
from tsunagi.accounts.models import Role
from tsunagi.meetings import services
from tsunagi.people import services as people

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    cast = make_cast()
    staff = cast.users[Role.STAFF]
    _household, _mother, son, case = yamada_household(staff, cast.center)
    return cast, staff, son, case


def _meeting(cast, staff, kind="article_9", members=None):
    return services.create_meeting(
        staff,
        cast.center,
        {
            "kind": kind,
            "title": "支援会議",
            "held_on": timezone.localdate(),
            "purpose": "山田さんの支援方針",
        },
        members=[cast.self_reliance] if members is None else members,
    )


def test_p5_article_9_gives_grants_to_the_other_members_only(story):
    cast, staff, son, case = story
    meeting = _meeting(cast, staff, members=[cast.self_reliance, cast.city_office])
    services.add_agenda_item(staff, meeting, case)
    grants = Grant.objects.filter(meeting=meeting)
    assert {g.receiving_agency for g in grants} == {cast.self_reliance, cast.city_office}
    for grant in grants:
        assert grant.kind == GrantKind.MEETING and grant.legal_ground == LegalGround.ARTICLE_9
        assert grant.case == case and grant.purpose == meeting.purpose
        assert "special_care" not in grant.kinds  # not by default
    sr = receiver(cast)
    seen = sight(sr, Kind.CASE, case)
    assert seen is not None and seen.ground.startswith("meeting:")
    assert sight(cast.outsider, Kind.PERSON, son) is None
    # rule P5: the owning agency's manager is told
    assert set(pending_notices(cast.users[Role.MANAGER])) == set(grants)


def test_p1_a_coordination_meeting_gives_no_grant(story):
    cast, staff, son, case = story
    meeting = _meeting(cast, staff, kind="coordination")
    item = services.add_agenda_item(staff, meeting, case)
    assert item.pk and not Grant.objects.exists()
    assert sight(receiver(cast), Kind.PERSON, son) is None


def test_p5_only_a_members_own_case(story):
    cast, staff, _son, case = story
    # the outsider's agency is not a member, so its case cannot be put on the agenda
    outsider = cast.outsider
    tokyo_person = make_person(outsider, cast.tokyo_agency, "東", "一郎")
    tokyo_case = people.open_case(outsider, tokyo_person, {})
    meeting = _meeting(cast, staff)
    with pytest.raises(Http404):  # the center's staff cannot see another agency's case
        services.add_agenda_item(staff, meeting, tokyo_case)
    with pytest.raises(Http404):  # the outsider cannot see the meeting
        services.add_agenda_item(outsider, meeting, tokyo_case)
    # a member's staff may put only their own agency's case
    sr = receiver(cast)
    sr_person = make_person(sr, cast.self_reliance, "川村", "花子")
    sr_case = people.open_case(sr, sr_person, {})
    services.add_agenda_item(sr, meeting, sr_case)
    grant = Grant.objects.get(case=sr_case)
    assert grant.receiving_agency == cast.center and grant.agency == cast.self_reliance
    with pytest.raises(Http404):  # the member cannot put the center's case on the agenda
        services.add_agenda_item(sr, meeting, case)


def test_p5_a_non_member_agencys_case_is_refused(story):
    cast, staff, *_ = story
    meeting = services.create_meeting(
        staff,
        cast.center,
        {"kind": "article_9", "title": "会議", "held_on": timezone.localdate(), "purpose": "x"},
    )
    sr = receiver(cast)
    sr_person = make_person(sr, cast.self_reliance, "川村", "花子")
    sr_case = people.open_case(sr, sr_person, {})
    with pytest.raises(Http404):  # not a member: the meeting is not theirs to see
        services.add_agenda_item(sr, meeting, sr_case)


def test_a_case_is_on_the_agenda_once(story):
    cast, staff, _son, case = story
    meeting = _meeting(cast, staff)
    services.add_agenda_item(staff, meeting, case)
    with pytest.raises(ValidationError) as err:
        services.add_agenda_item(staff, meeting, case)
    assert "case" in err.value.message_dict
    assert Grant.objects.filter(meeting=meeting).count() == 1


def test_meeting_needs_kind_title_purpose_and_date(story):
    cast, staff, *_ = story
    with pytest.raises(ValidationError) as err:
        services.create_meeting(staff, cast.center, {"kind": "lunch"})
    assert {"kind", "title", "purpose", "held_on"} <= set(err.value.message_dict)
