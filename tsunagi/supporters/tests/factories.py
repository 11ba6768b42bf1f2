"""A small world for supporter tests (issue 7), built through the services.

- 高知県's office (地域福祉政策課) with a prefectural officer, who trains and registers supporters;
- two municipal offices of 高知県 (高知市 and 南国市), each with a dispatch coordinator;
- the 高知県 hikikomori center with a staff member (whose persons a coordinator never sees);
- supporters who completed the basic course, signed the consent to act, have their own login
  and are on both municipalities' rosters, confirmed;
- a person of 高知市's office (the household that asks for a supporter).

Use `make_world()` in a test with the database; `make_supporter`, `make_dispatch` add more.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from tsunagi.accounts.models import Membership, Role, User
from tsunagi.agencies.models import Agency, AgencyKind, OperatorLevel
from tsunagi.jurisdictions.models import Municipality, Prefecture
from tsunagi.people import services as people
from tsunagi.people.models import Person
from tsunagi.supporters import services as sv
from tsunagi.supporters.models import (
    CourseKind,
    Dispatch,
    DispatchState,
    Requester,
    RosterEntry,
    RosterReleaseKind,
    Supporter,
    TrainingCourse,
)

PASSWORD = "Kochi-supporter-2026"
KOCHI_CITY = "39201"  # 高知市
NANKOKU = "39204"  # 南国市

_counter = itertools.count(1)


@dataclass
class World:
    prefecture: Prefecture
    office: Agency  # the prefecture's office
    officer: User  # 都道府県職員 of that office
    city: Municipality  # 高知市
    other_city: Municipality  # 南国市
    city_office: Agency  # 高知市 健康福祉部 (municipal office)
    other_office: Agency  # 南国市 福祉事務所 (municipal office)
    coordinator: User  # 派遣調整担当 of city_office
    other_coordinator: User  # 派遣調整担当 of other_office
    center: Agency  # 高知県ひきこもり地域支援センター
    center_staff: User
    course: TrainingCourse  # the basic course everyone completed
    supporters: list[Supporter] = field(default_factory=list)
    person: Person | None = None  # a person of city_office

    @property
    def supporter(self) -> Supporter:
        return self.supporters[0]

    @property
    def supporter_user(self) -> User:
        user = self.supporters[0].user
        assert user is not None
        return user


def days(n: int) -> datetime.date:
    """Today plus n days (n < 0: in the past)."""
    return timezone.localdate() + datetime.timedelta(days=n)


def _user(username: str, agency: Agency | None, role: Role) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, full_name=username)
    Membership.objects.create(user=user, agency=agency, role=role)
    return user


def _municipal_office(name: str, prefecture: Prefecture, city: Municipality) -> Agency:
    office = Agency.objects.create(
        name=name, kind=AgencyKind.MUNICIPAL_OFFICE, prefecture=prefecture,
        operator_level=OperatorLevel.MUNICIPALITY, operator_municipality=city, municipality=city,
    )  # fmt: skip
    office.area.set([city])
    return office


def make_supporter(
    w: World,
    name: str,
    *,
    sex: str = "",
    peer: str = "",
    postal_code: str = "780-0850",
    municipality: Municipality | None = None,
    areas: list[Municipality] | None = None,
    availability: list[str] | None = None,
    languages: list[str] | None = None,
    trained: bool = True,
    consented: bool = True,
    account: bool = True,
    on_roster: bool = True,
) -> Supporter:
    """A supporter registered by the prefecture: trained (rule S1), consent signed (S2), with a
    login, on both municipal offices' rosters and confirmed (S3) — each step optional."""
    s = sv.register_trainee(
        w.officer,
        w.prefecture.pk,
        {
            "name": name,
            "name_kana": "サポーター",
            "sex": sex,
            "peer": peer,
            "postal_code": postal_code,
            "municipality": municipality or w.city,
            "availability": availability if availability is not None else ["weekday_morning"],
            "languages": languages or [],
        },
        areas=areas if areas is not None else [w.city],
    )
    if trained:
        enrolment = sv.enrol(w.officer, w.course, s)
        for session in w.course.sessions.all():
            sv.record_attendance(w.officer, session, [s])
        sv.complete(w.officer, enrolment, completed_on=w.course.ends_on)
    if trained and consented:
        sv.record_consent(w.officer, s, signed_on=days(-10), explained=True)
    if account:
        sv.give_account(w.officer, s, username=f"sup-{next(_counter)}", password=PASSWORD)
    if trained and consented and on_roster:
        for office, coordinator in (
            (w.city_office, w.coordinator),
            (w.other_office, w.other_coordinator),
        ):
            sv.give_roster(w.officer, office, dispatch_status=RosterReleaseKind.RUNS)
            entry = RosterEntry.objects.get(agency=office, supporter=s)
            sv.confirm_entry(coordinator, entry, wishes_to_act=True)
    s.refresh_from_db()
    w.supporters.append(s)
    return s


def make_person(w: World, family: str = "山田", given: str = "太郎", **data: Any) -> Person:
    values = {
        "family_name": family,
        "given_name": given,
        "postal_code": "780-0850",
        "municipality": w.city,
        **data,
    }
    return people.create_person(w.coordinator, w.city_office, values, allow_duplicate=True)


def make_dispatch(
    w: World,
    supporter: Supporter | None = None,
    *,
    person: Person | None = None,
    state: str = DispatchState.ACTIVE,
    **request: Any,
) -> Dispatch:
    """A dispatch of 高知市's office for `person` (default: the world's person), taken as far as
    `state` (requested, matched, active, stopped, ended)."""
    person = person or w.person
    assert person is not None
    data = {
        "requested_by": Requester.FAMILY,
        "requester_name": "山田 花子",
        "person_wish": "話し相手がほしい",
        "wanted_slots": ["weekday_morning"],
        **request,
    }
    d = sv.request_dispatch(w.coordinator, person, data)
    if state == DispatchState.REQUESTED:
        return d
    d = sv.match(w.coordinator, d, supporter or w.supporter)
    if state == DispatchState.MATCHED:
        return d
    d = sv.write_plan(
        w.coordinator,
        d,
        {"purpose": "外出のきっかけづくり", "activity_plan": "週1回訪問", "activities": "話し相手"},
    )
    d = sv.record_consents(
        w.coordinator, d, person_consent_on=days(0), supporter_consent_on=days(0)
    )
    d = sv.start(w.coordinator, d)
    if state == DispatchState.STOPPED:
        d = sv.stop(w.coordinator, d, requested_by="person", reason="本人が希望")
    elif state == DispatchState.ENDED:
        d = sv.end(w.coordinator, d, summary="目標を達成")
    return d


def make_world(*, supporters: bool = True) -> World:
    kochi = Prefecture.objects.get(code="39")
    city = Municipality.objects.get(code=KOCHI_CITY)
    other_city = Municipality.objects.get(code=NANKOKU)
    office = Agency.objects.create(
        name="高知県 地域福祉政策課", kind=AgencyKind.PREFECTURAL_OFFICE, prefecture=kochi,
        operator_level=OperatorLevel.PREFECTURE, operator_prefecture=kochi,
    )  # fmt: skip
    center = Agency.objects.create(
        name="高知県ひきこもり地域支援センター", kind=AgencyKind.HIKIKOMORI_CENTER,
        prefecture=kochi, operator_level=OperatorLevel.PREFECTURE, operator_prefecture=kochi,
        municipality=city,
    )  # fmt: skip
    center.area.set(Municipality.objects.filter(prefecture=kochi))
    city_office = _municipal_office("高知市 健康福祉部", kochi, city)
    other_office = _municipal_office("南国市 福祉事務所", kochi, other_city)
    n = next(_counter)
    officer = _user(f"pref-officer-{n}", office, Role.PREFECTURAL_OFFICER)
    coordinator = _user(f"coordinator-{n}", city_office, Role.DISPATCH_COORDINATOR)
    other_coordinator = _user(f"coordinator-b-{n}", other_office, Role.DISPATCH_COORDINATOR)
    center_staff = _user(f"center-staff-{n}", center, Role.STAFF)
    course = sv.create_course(
        officer,
        office,
        {"kind": CourseKind.BASIC, "title": "ひきこもりサポーター養成研修",
         "starts_on": days(-30), "ends_on": days(-20)},
        sessions=[{"held_on": days(-30), "topic": "ひきこもりの理解"},
                  {"held_on": days(-20), "topic": "訪問支援の方法"}],
    )  # fmt: skip
    w = World(
        prefecture=kochi, office=office, officer=officer, city=city, other_city=other_city,
        city_office=city_office, other_office=other_office, coordinator=coordinator,
        other_coordinator=other_coordinator, center=center, center_staff=center_staff,
        course=course,
    )  # fmt: skip
    if supporters:
        make_supporter(
            w, "高知 一郎", sex="male", peer="lived_experience", postal_code="780-0850",
            areas=[city], availability=["weekday_morning"],
        )  # fmt: skip
        make_supporter(
            w, "南国 花子", sex="female", postal_code="783-0004", municipality=other_city,
            areas=[city, other_city], availability=["weekday_afternoon"], languages=["en"],
        )  # fmt: skip
    w.person = make_person(w)
    return w
