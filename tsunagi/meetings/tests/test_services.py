"""Support meetings (rule P5): an Article 9 support meeting gives grants to its other members
for the agenda cases; a support coordination meeting shares nothing without consent (P1)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from tests.cast import _user, make_cast
from tests.people import make_person, yamada_household
from tests.sharing import SITUATION_ONLY, make_consent, receiver
from tsunagi.access.models import AuditEvent, Grant, GrantKind, LegalGround
from tsunagi.access.policy import Denied, Kind, sight
from tsunagi.access.selectors import pending_notices
from tsunagi.accounts.models import Role
from tsunagi.agencies.services import EditConflict
from tsunagi.consent.services import withdraw_consent
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


def _meeting_consent(cast, staff, son, case, meeting, kinds=None):
    """The son's consent naming the coordination meeting (P1)."""
    return make_consent(
        staff, son, None, kinds or SITUATION_ONLY, case=case,  # type: ignore[arg-type]
        recipient_meeting=meeting, purpose="支援調整会議での支援方針の検討のため",
    )  # fmt: skip


def test_p1_a_coordination_meeting_refuses_a_case_without_consent(story):
    cast, staff, son, case = story
    meeting = _meeting(cast, staff, kind="coordination")
    with pytest.raises(ValidationError) as err:
        services.add_agenda_item(staff, meeting, case)
    assert "P1" in err.value.message_dict["consent"][0]
    assert not meeting.agenda.exists() and not Grant.objects.exists()
    assert sight(receiver(cast), Kind.PERSON, son) is None


def test_p1_a_consent_naming_the_meeting_shares_the_consented_kinds_with_the_others(story):
    cast, staff, son, case = story
    meeting = _meeting(
        cast, staff, kind="coordination", members=[cast.self_reliance, cast.city_office]
    )
    consent = _meeting_consent(cast, staff, son, case, meeting)
    item = services.add_agenda_item(staff, meeting, case, consent=consent)
    assert item.consent == consent and item.kinds == SITUATION_ONLY
    grants = Grant.objects.filter(person=son)
    assert {g.receiving_agency for g in grants} == {cast.self_reliance, cast.city_office}
    for grant in grants:
        assert grant.kind == GrantKind.CONSENT and grant.consent == consent
        assert grant.kinds == SITUATION_ONLY and grant.case == case
        assert grant.purpose == meeting.purpose
    seen = sight(receiver(cast), Kind.PERSON, son)
    assert seen is not None and seen.kinds == frozenset(SITUATION_ONLY)
    assert sight(cast.outsider, Kind.PERSON, son) is None
    # not without consent: nothing for the manager to be told (P5 is for Article 9)
    assert not pending_notices(cast.users[Role.MANAGER])


def test_p1_a_consent_naming_another_meeting_is_refused(story):
    cast, staff, son, case = story
    meeting = _meeting(cast, staff, kind="coordination")
    other = _meeting(cast, staff, kind="coordination", members=[cast.self_reliance])
    elsewhere = _meeting_consent(cast, staff, son, case, other)
    with pytest.raises(ValidationError):
        services.add_agenda_item(staff, meeting, case, consent=elsewhere)


def test_p1_fewer_kinds_than_the_consent_names_and_never_more(story):
    cast, staff, son, case = story
    meeting = _meeting(cast, staff, kind="coordination")
    consent = _meeting_consent(cast, staff, son, case, meeting, ["identity", "situation", "plan"])
    with pytest.raises(ValidationError) as err:
        services.add_agenda_item(staff, meeting, case, consent=consent, kinds=["special_care"])
    assert "kinds" in err.value.message_dict and not Grant.objects.exists()
    services.add_agenda_item(staff, meeting, case, consent=consent, kinds=["identity"])
    assert Grant.objects.get(person=son).kinds == ["identity"]


def test_p1_p4_a_consent_that_does_not_stand_or_name_the_members_is_refused(story):
    cast, staff, son, case = story
    meeting = _meeting(cast, staff, kind="coordination")
    # naming an agency, not the meeting, and not every other member
    other = _meeting(
        cast, staff, kind="coordination", members=[cast.self_reliance, cast.city_office]
    )
    only_sr = make_consent(staff, son, cast.self_reliance, SITUATION_ONLY, case=case)
    with pytest.raises(ValidationError) as err:
        services.add_agenda_item(staff, other, case, consent=only_sr)
    assert "consent" in err.value.message_dict
    # withdrawn (P4)
    withdrawn = _meeting_consent(cast, staff, son, case, meeting)
    withdraw_consent(staff, withdrawn, note="本人から撤回")
    withdrawn.refresh_from_db()  # as a screen or the API reads it
    with pytest.raises(ValidationError):
        services.add_agenda_item(staff, meeting, case, consent=withdrawn)
    # another person's consent
    stranger = make_person(staff, cast.center, "川村", "一郎")
    theirs = _meeting_consent(cast, staff, stranger, None, meeting)
    with pytest.raises(ValidationError):
        services.add_agenda_item(staff, meeting, case, consent=theirs)
    assert not Grant.objects.exists() and not meeting.agenda.exists()
    # a consent naming every other member agency is enough
    services.add_agenda_item(staff, meeting, case, consent=only_sr)
    assert Grant.objects.get(person=son).receiving_agency == cast.self_reliance


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


# --- attendees, minutes, tasks -----------------------------------------------------------------


def _coordination_with_case(cast, staff, son, case, members=None):
    meeting = _meeting(cast, staff, kind="coordination", members=members)
    consent = _meeting_consent(cast, staff, son, case, meeting)
    return meeting, services.add_agenda_item(staff, meeting, case, consent=consent)


def test_attendees_work_in_a_member_agency(story):
    cast, staff, *_ = story
    sr = receiver(cast)
    meeting = services.create_meeting(
        staff,
        cast.center,
        {"kind": "coordination", "title": "会議", "held_on": timezone.localdate(), "purpose": "x"},
        members=[cast.self_reliance],
        attendees=[staff, sr],
    )
    assert set(meeting.attendees.all()) == {staff, sr}
    with pytest.raises(ValidationError) as err:
        services.set_attendees(staff, meeting, attendees=[cast.outsider])
    assert "attendees" in err.value.message_dict
    assert set(meeting.attendees.all()) == {staff, sr}
    services.set_attendees(staff, meeting, attendees=[sr], other_attendees="  民生委員 1名  ")
    meeting.refresh_from_db()
    assert list(meeting.attendees.all()) == [sr] and meeting.other_attendees == "民生委員 1名"
    assert AuditEvent.objects.filter(action="meeting.changed").count() == 1
    with pytest.raises(ValidationError):
        services.create_meeting(
            staff, cast.center,
            {"kind": "article_9", "title": "会議", "held_on": timezone.localdate(), "purpose": "x"},
            attendees=[sr],  # the self-reliance agency is not a member of this one
        )  # fmt: skip


def test_p1_members_change_but_an_agency_on_the_agenda_stays_and_none_joins_after_consent(
    story,
):
    cast, staff, _son, _case = story
    sr = receiver(cast)
    meeting = _meeting(cast, staff, kind="coordination", members=[cast.self_reliance])
    sr_person = make_person(sr, cast.self_reliance, "川村", "花子")
    sr_case = people.open_case(sr, sr_person, {})
    consent = make_consent(
        sr, sr_person, None, SITUATION_ONLY, case=sr_case,  # type: ignore[arg-type]
        recipient_meeting=meeting,
    )  # fmt: skip
    services.add_agenda_item(sr, meeting, sr_case, consent=consent)
    with pytest.raises(ValidationError) as err:
        services.set_attendees(staff, meeting, members=[cast.city_office])
    assert "members" in err.value.message_dict
    # rule P1: the person consented to the members as they were, so none can be added
    with pytest.raises(ValidationError) as err:
        services.set_attendees(staff, meeting, members=[cast.self_reliance, cast.city_office])
    assert "P1" in err.value.message_dict["members"][0]
    assert set(meeting.members.all()) == {cast.center, cast.self_reliance}
    # only the convening agency changes them; a member gets Denied, an outsider 404
    with pytest.raises(Denied):
        services.set_attendees(sr, meeting, members=[cast.self_reliance])
    with pytest.raises(Http404):
        services.set_attendees(cast.outsider, meeting, attendees=[])


def test_minutes_and_decision_per_agenda_case(story):
    cast, staff, son, case = story
    _m, item = _coordination_with_case(cast, staff, son, case)
    written = services.record_minutes(
        staff, item, minutes="  本人の意向を確認。居場所から始める。 ", decision="continue",
        decision_notes="3か月後に見直し", version=1,
    )  # fmt: skip
    assert written.minutes == "本人の意向を確認。居場所から始める。"
    assert written.decision == "continue" and written.minutes_by == staff
    assert written.minutes_at is not None and written.version == 2
    event = AuditEvent.objects.get(action="agenda.minutes")
    assert event.personal and event.subject_id == son.pk and event.detail["item"] == item.pk


def test_minutes_never_overwrite_another_save(story):
    cast, staff, son, case = story
    _m, item = _coordination_with_case(cast, staff, son, case)
    manager = cast.users[Role.MANAGER]
    services.record_minutes(manager, item, minutes="主任の記録", version=1)
    with pytest.raises(EditConflict) as conflict:
        services.record_minutes(staff, item, minutes="職員の記録", version=1)
    assert conflict.value.current.minutes == "主任の記録"
    item.refresh_from_db()
    assert item.minutes == "主任の記録" and item.version == 2


def test_minutes_need_text_and_a_known_decision(story):
    cast, staff, son, case = story
    _m, item = _coordination_with_case(cast, staff, son, case)
    with pytest.raises(ValidationError) as err:
        services.record_minutes(staff, item, minutes=" ", decision="adjourned")
    assert set(err.value.message_dict) == {"minutes", "decision"}
    item.refresh_from_db()
    assert item.minutes == "" and item.version == 1


def test_minutes_by_the_convener_or_the_cases_agency_only(story):
    cast, staff, son, case = story
    sr = receiver(cast)
    # the self-reliance agency convenes; the center's case is on the agenda
    meeting = services.create_meeting(
        sr, cast.self_reliance,
        {"kind": "coordination", "title": "会議", "held_on": timezone.localdate(), "purpose": "x"},
        members=[cast.center, cast.city_office],
    )  # fmt: skip
    consent = _meeting_consent(cast, staff, son, case, meeting)
    item = services.add_agenda_item(staff, meeting, case, consent=consent)
    services.record_minutes(sr, item, minutes="議長の記録")  # the convener
    services.record_minutes(staff, item, minutes="センターの追記")  # the case's agency
    city = _user("city_staff", cast.city_office, Role.STAFF)
    with pytest.raises(Denied):  # a member that neither convenes nor owns the case
        services.record_minutes(city, item, minutes="市の記録")
    with pytest.raises(Http404):
        services.record_minutes(cast.outsider, item, minutes="外部")
    item.refresh_from_db()
    assert item.minutes == "センターの追記"


def test_follow_up_tasks_for_member_agencies(story):
    cast, staff, son, case = story
    meeting, item = _coordination_with_case(cast, staff, son, case)
    sr = receiver(cast)
    due = timezone.localdate() + datetime.timedelta(days=14)
    task = services.add_task(
        staff, meeting, {"what": " 家計の相談日を調整 ", "agency": cast.self_reliance,
                         "assignee": sr, "due_on": due, "item": item},
    )  # fmt: skip
    assert task.what == "家計の相談日を調整" and task.agency == cast.self_reliance
    assert task.item == item and task.due_on == due and task.done_at is None
    assert AuditEvent.objects.filter(action="meeting.task_added", record_id=task.pk).exists()
    with pytest.raises(ValidationError) as err:
        services.add_task(staff, meeting, {"what": "", "agency": cast.tokyo_agency})
    assert set(err.value.message_dict) == {"what", "agency"}
    with pytest.raises(Denied):  # a member adds no task; the convener does
        services.add_task(sr, meeting, {"what": "x", "agency": cast.self_reliance})
    # the responsible agency marks it done, once
    done = services.complete_task(sr, task)
    assert done.done_at is not None and done.done_by == sr
    assert AuditEvent.objects.filter(action="meeting.task_done", record_id=task.pk).exists()
    with pytest.raises(ValidationError):
        services.complete_task(staff, task)


def test_a_task_is_done_by_its_agency_or_the_convener_only(story):
    cast, staff, _son, _case = story
    meeting = _meeting(
        cast, staff, kind="coordination", members=[cast.self_reliance, cast.city_office]
    )
    city = _user("city_staff", cast.city_office, Role.STAFF)
    task = services.add_task(
        staff, meeting, {"what": "訪問日程の調整", "agency": cast.self_reliance}
    )
    with pytest.raises(Denied):
        services.complete_task(city, task)
    with pytest.raises(Http404):
        services.complete_task(cast.outsider, task)
    services.complete_task(staff, task)  # the convener
    task.refresh_from_db()
    assert task.done_by == staff


def test_a_task_belongs_to_a_case_on_this_meetings_agenda(story):
    cast, staff, son, case = story
    _first, item = _coordination_with_case(cast, staff, son, case)
    second = _meeting(cast, staff, kind="coordination")
    with pytest.raises(ValidationError) as err:
        services.add_task(staff, second, {"what": "x", "agency": cast.center, "item": item})
    assert set(err.value.message_dict) == {"item"}


def test_members_join_a_meeting_nobody_has_consented_to_yet(story):
    cast, staff, _son, _case = story
    meeting = _meeting(cast, staff, kind="coordination", members=[cast.self_reliance])
    services.set_attendees(staff, meeting, members=[cast.self_reliance, cast.city_office])
    assert set(meeting.members.all()) == {cast.center, cast.self_reliance, cast.city_office}
