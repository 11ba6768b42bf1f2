"""Steps of walkthrough F (rules S1-S8) shared by its browser tests: the prefecture's course and
roster made through the services, logging in, the phone viewport and the check that nothing on
a page is wider than the phone's screen."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, ViewportSize, expect

from tsunagi.accounts.models import Membership, Role, User
from tsunagi.agencies.models import Agency, AgencyKind, OperatorLevel
from tsunagi.jurisdictions.models import Municipality, Prefecture
from tsunagi.people import services as people
from tsunagi.supporters import services as sv
from tsunagi.supporters.models import (
    CourseKind,
    Dispatch,
    PeerBackground,
    Requester,
    RosterEntry,
    RosterReleaseKind,
    Supporter,
)

PASSWORD = "walkthrough-f-password-1"
SUPPORTER_PASSWORD = "Kochi-supporter-2026"
PHONE: ViewportSize = {"width": 375, "height": 812}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}

# Twelve trainees: (name, kana, sex, peer, postal code, home municipality code)
TRAINEES = [
    ("坂本 大地", "サカモト ダイチ", "male", PeerBackground.LIVED_EXPERIENCE, "780-0850", "39201"),
    ("土佐 花子", "トサ ハナコ", "female", "", "780-0870", "39201"),
    ("中村 恵", "ナカムラ メグミ", "female", PeerBackground.FAMILY, "783-0001", "39204"),
    ("山内 一豊", "ヤマウチ カズトヨ", "male", "", "780-8010", "39201"),
    ("岡田 優", "オカダ ユウ", "male", "", "783-0004", "39204"),
    ("吉田 茂", "ヨシダ シゲル", "male", "", "780-0901", "39201"),
    ("西森 里美", "ニシモリ サトミ", "female", "", "781-0101", "39201"),
    ("浜口 健", "ハマグチ ケン", "male", PeerBackground.LIVED_EXPERIENCE, "783-0010", "39204"),
    ("竹内 綾", "タケウチ アヤ", "female", "", "780-0051", "39201"),
    # these three finish the course but do not sign the consent to act (S2)
    ("北川 進", "キタガワ ススム", "male", "", "780-0062", "39201"),
    ("東 陽子", "ヒガシ ヨウコ", "female", "", "783-0020", "39204"),
    ("南 弘", "ミナミ ヒロシ", "male", "", "780-0870", "39201"),
]


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def _user(username: str, full_name: str, agency: Agency, role: Role) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, full_name=full_name)
    Membership.objects.create(user=user, agency=agency, role=role)
    return user


@dataclass
class WorldF:
    prefectural: User
    kochi_office: Agency
    nankoku_office: Agency
    coordinator: User
    supporters: list[Supporter]
    peer: Supporter
    peer_user: User
    son: Any
    dispatch: Dispatch
    extra: dict[str, Any] = field(default_factory=dict)


def walkthrough_f_world() -> WorldF:
    """S1-S3 done by the prefecture and the municipality through the services: 12 finished the
    course, 9 signed the consent to act, the roster of 9 went to 高知市 and 南国市, 高知市
    confirmed 7 again. A family asked 高知市 for a supporter for their son (S4)."""
    kochi = Prefecture.objects.get(code="39")
    kochi_city = Municipality.objects.get(code="39201")
    nankoku = Municipality.objects.get(code="39204")
    office = Agency.objects.create(
        name="高知県 地域福祉政策課", kind=AgencyKind.PREFECTURAL_OFFICE, prefecture=kochi,
        operator_level=OperatorLevel.PREFECTURE, operator_prefecture=kochi,
    )  # fmt: skip
    kochi_office = Agency.objects.create(
        name="高知市 健康福祉部", kind=AgencyKind.MUNICIPAL_OFFICE, prefecture=kochi,
        operator_level=OperatorLevel.MUNICIPALITY, operator_municipality=kochi_city,
        phone="088-823-9999",
    )  # fmt: skip
    nankoku_office = Agency.objects.create(
        name="南国市 福祉事務所", kind=AgencyKind.MUNICIPAL_OFFICE, prefecture=kochi,
        operator_level=OperatorLevel.MUNICIPALITY, operator_municipality=nankoku,
    )  # fmt: skip
    prefectural = _user("pref-officer", "高知 県子", office, Role.PREFECTURAL_OFFICER)
    coordinator = _user("kochi-coordinator", "桂 浜子", kochi_office, Role.DISPATCH_COORDINATOR)
    _user("nankoku-coordinator", "南国 一", nankoku_office, Role.DISPATCH_COORDINATOR)

    # S1: the course, attended in full by twelve
    course = sv.create_course(
        prefectural,
        office,
        {"kind": CourseKind.BASIC, "title": "ひきこもりサポーター養成研修",
         "starts_on": days_ago(90), "ends_on": days_ago(76), "place": "高知県立ふくし交流プラザ"},
        sessions=[{"held_on": days_ago(90), "topic": "ひきこもりの理解"},
                  {"held_on": days_ago(83), "topic": "家族への支援"},
                  {"held_on": days_ago(76), "topic": "訪問の実際と守秘義務"}],
    )  # fmt: skip
    municipalities = {"39201": kochi_city, "39204": nankoku}
    supporters = []
    for name, kana, sex, background, postal, home in TRAINEES:
        s = sv.register_trainee(
            prefectural,
            kochi.pk,
            {"name": name, "name_kana": kana, "sex": sex, "peer": background, "postal_code": postal,
             "municipality": municipalities[home],
             "availability": ["weekday_afternoon", "weekend_afternoon"], "languages": ["ja"]},
            areas=[municipalities[home], kochi_city] if home != "39201" else [kochi_city],
        )  # fmt: skip
        sv.enrol(prefectural, course, s)
        supporters.append(s)
    for session in course.sessions.all():
        sv.record_attendance(prefectural, session, supporters)
    for s in supporters:
        sv.complete(prefectural, s.enrolments.get(), completed_on=days_ago(76))
    # S2: nine sign the consent to act after the explanation; three do not
    for s in supporters[:9]:
        sv.record_consent(prefectural, s, signed_on=days_ago(70), explained=True)
    peer = supporters[0]
    peer_user = sv.give_account(prefectural, peer, username="sakamoto", password=SUPPORTER_PASSWORD)
    # S3: the roster of nine to the two municipalities that run dispatch; 高知市 confirms 7
    for target in (kochi_office, nankoku_office):
        sv.give_roster(
            prefectural, target, dispatch_status=RosterReleaseKind.RUNS, given_on=days_ago(60)
        )
    for entry in RosterEntry.objects.filter(agency=kochi_office, supporter__in=supporters[:7]):
        sv.confirm_entry(coordinator, entry, wishes_to_act=True, on=days_ago(50))

    # S4: the family's request for their son
    son = people.create_person(
        coordinator,
        kochi_office,
        {"family_name": "山田", "given_name": "太郎", "family_name_kana": "ヤマダ",
         "given_name_kana": "タロウ", "sex": "male", "postal_code": "780-0850",
         "municipality": kochi_city, "address": "丸ノ内1丁目2-3", "phone": "088-822-0000"},
    )  # fmt: skip
    dispatch = sv.request_dispatch(
        coordinator,
        son,
        {"requested_by": Requester.FAMILY, "requester_name": "山田 花子",
         "person_wish": "同じような経験をした人となら、少し話してみたい",
         "wants_peer": True, "wanted_slots": ["weekday_afternoon"], "requested_on": days_ago(45)},
    )  # fmt: skip
    return WorldF(
        prefectural, kochi_office, nankoku_office, coordinator, supporters, peer, peer_user,
        son, dispatch,
    )  # fmt: skip


def log_in(page: Page, base: str, username: str, password: str = PASSWORD) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("navigation", name="メインメニュー")).to_be_visible()


def as_phone(page: Page) -> None:
    page.set_viewport_size(PHONE)


def as_desktop(page: Page) -> None:
    page.set_viewport_size(DESKTOP)


WIDER_THAN_SCREEN = """() => {
  const limit = window.innerWidth + 0.5;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right < 0) continue;
    if (r.right > limit) {
      wide.push(el.tagName + (el.id ? '#' + el.id : '') + ' ' + Math.round(r.right));
    }
  }
  const scroll = document.documentElement.scrollWidth;
  return {wide: wide.slice(0, 10), scroll: scroll, inner: window.innerWidth};
}"""


def assert_fits_phone(page: Page) -> None:
    """Nothing on the page is wider than the phone's screen: no horizontal scrolling."""
    found = page.evaluate(WIDER_THAN_SCREEN)
    assert found["inner"] == PHONE["width"]
    assert found["scroll"] <= PHONE["width"], found
    assert not found["wide"], found
