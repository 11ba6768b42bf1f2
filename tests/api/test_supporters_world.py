"""The supporters API tests' world (no tests here): the conftest `world` (高知県's office with
its prefectural officer, 高知市's office with a dispatch coordinator), a second municipal office
(南国市) with its own coordinator, a basic course already held, and supporters in each state.

- `a` 高知 一郎: peer supporter living in 高知市 (780-0850), trained, consent signed, on 高知市's
  roster and confirmed again, with his own login `sup-ichiro` (password `PASSWORD`);
- `b` 土佐 二郎: trained, never signed the consent to act (S2): on no roster;
- `c` 南国 三子: trained, consent signed, on 高知市's roster but not confirmed again (S3);
- `son` 山田 太郎: a person of 高知市's office whose family asks for a supporter.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from tests.api.factories import PASSWORD, World, make_agency, make_user
from tsunagi.accounts.models import Role, User
from tsunagi.agencies.models import Agency, AgencyKind
from tsunagi.jurisdictions.models import Municipality
from tsunagi.people import services as people
from tsunagi.people.models import Person
from tsunagi.supporters import services as sv
from tsunagi.supporters.models import (
    CourseKind,
    Dispatch,
    Requester,
    RosterReleaseKind,
    Supporter,
    TrainingCourse,
)

TODAY = timezone.localdate


def days(n: int) -> datetime.date:
    return TODAY() + datetime.timedelta(days=n)


@dataclass
class SupWorld:
    w: World
    po: User  # 高知県's prefectural officer
    dc: User  # 高知市's dispatch coordinator
    town_office: Agency  # 南国市's office
    dc2: User  # 南国市's dispatch coordinator
    course: TrainingCourse
    a: Supporter
    b: Supporter
    c: Supporter
    sup_user: User  # a's own login
    son: Person
    kochi_city: Municipality


def make_course(po: User, office: Agency) -> TrainingCourse:
    return sv.create_course(
        po,
        office,
        {"kind": CourseKind.BASIC, "title": "ひきこもりサポーター養成研修", "starts_on": days(-40),
         "ends_on": days(-30), "place": "高知県立ふくし交流プラザ"},
        sessions=[{"held_on": days(-40), "topic": "ひきこもりの理解"},
                  {"held_on": days(-30), "topic": "訪問の基本"}],
    )  # fmt: skip


def trained(po: User, course: TrainingCourse, data: dict[str, Any], **kw: Any) -> Supporter:
    """A trainee who attended every session and completed the course."""
    kochi = Municipality.objects.get(code="39201")
    s = sv.register_trainee(
        po, course.prefecture_id, {"municipality": kochi, **data}, areas=kw.get("areas", [kochi])
    )
    enrolment = sv.enrol(po, course, s)
    for session in course.sessions.all():
        present = set(session.attendances.values_list("supporter_id", flat=True)) | {s.pk}
        sv.record_attendance(po, session, Supporter.objects.filter(pk__in=present))
    sv.complete(po, enrolment, completed_on=days(-30))
    return Supporter.objects.get(pk=s.pk)


def make_sup_world(w: World) -> SupWorld:
    po, dc = w.prefectural_officer, w.dispatch_coordinator
    kochi_city = Municipality.objects.get(code="39201")
    town_office = make_agency("南国市 福祉事務所", AgencyKind.MUNICIPAL_OFFICE, "39", city="39204")
    dc2 = make_user("coordinator-nankoku", town_office, Role.DISPATCH_COORDINATOR)
    course = make_course(po, w.kochi_office)
    a = trained(po, course, {"name": "高知 一郎", "name_kana": "コウチ イチロウ", "sex": "male",
                             "peer": "lived_experience", "postal_code": "780-0850",
                             "availability": ["weekday_morning"]})  # fmt: skip
    b = trained(po, course, {"name": "土佐 二郎", "name_kana": "トサ ジロウ", "sex": "male"})
    c = trained(po, course, {"name": "南国 三子", "name_kana": "ナンコク ミツコ", "sex": "female",
                             "postal_code": "783-0001"})  # fmt: skip
    for s in (a, c):
        sv.record_consent(po, s, signed_on=days(-20), explained=True)
    sup_user = sv.give_account(po, a, username="sup-ichiro", password=PASSWORD)
    release = sv.give_roster(po, w.city_office, dispatch_status=RosterReleaseKind.RUNS)
    sv.confirm_entry(dc, release.entries.get(supporter=a), wishes_to_act=True)
    son = people.create_person(
        dc, w.city_office,
        {"family_name": "山田", "given_name": "太郎", "family_name_kana": "ヤマダ",
         "given_name_kana": "タロウ", "postal_code": "780-0850", "municipality": kochi_city,
         "address": "高知市本町1-2-3", "phone": "088-000-1234"},
    )  # fmt: skip
    return SupWorld(
        w, po, dc, town_office, dc2, course,
        Supporter.objects.get(pk=a.pk), b, Supporter.objects.get(pk=c.pk),
        sup_user, son, kochi_city,
    )  # fmt: skip


def requested(sw: SupWorld) -> Dispatch:
    return sv.request_dispatch(
        sw.dc,
        sw.son,
        {"requested_by": Requester.FAMILY, "requester_name": "山田 花子",
         "person_wish": "同世代の話し相手がほしい", "wants_peer": True,
         "wanted_slots": ["weekday_morning"]},
    )  # fmt: skip


def active(sw: SupWorld) -> Dispatch:
    """A's dispatch to the son, started (the dispatch grant made)."""
    d = requested(sw)
    d = sv.match(sw.dc, d, sw.a)
    d = sv.write_plan(
        sw.dc, d, {"purpose": "外出のきっかけづくり", "activity_plan": "週1回、自宅を訪問",
                   "activities": "趣味の話、散歩"},
    )  # fmt: skip
    d = sv.record_consents(sw.dc, d, person_consent_on=TODAY(), supporter_consent_on=TODAY())
    return sv.start(sw.dc, d)
