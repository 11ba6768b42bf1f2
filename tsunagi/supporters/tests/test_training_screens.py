"""The prefecture's training screens (rule S1): courses listed and filtered, created with their
sessions, changed; trainees enrolled (found by name or kana, or registered on the spot); the roll
of each session; completion, refused with the S1 finding when a session was missed unless a
note excuses it. A dispatch coordinator reads courses but cannot create or change them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tsunagi.access.models import AuditEvent
from tsunagi.supporters import services as sv
from tsunagi.supporters.models import (
    Attendance,
    CourseKind,
    Enrolment,
    Supporter,
    TrainingCourse,
)

from .factories import PASSWORD, World, days, make_supporter, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> World:
    return make_world()


def login(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def course_post(**extra: str) -> dict[str, str]:
    data = {
        "kind": "basic",
        "title": "令和8年度 ひきこもりサポーター養成研修",
        "starts_on": "R8.5.1",
        "ends_on": "2026-05-20",
        "place": "高知県立ふくし交流プラザ",
        "capacity": "20",
        "commissioned_to": "",
        "description": "",
        "s-TOTAL_FORMS": "3",
        "s-INITIAL_FORMS": "0",
        "s-MIN_NUM_FORMS": "0",
        "s-MAX_NUM_FORMS": "20",
        "s-0-held_on": "令和8年5月1日",
        "s-0-topic": "ひきこもりの理解",
        "s-0-format": "lecture",
        "s-1-held_on": "2026-05-20",
        "s-1-topic": "訪問支援の方法",
        "s-1-format": "practice",
        "s-2-format": "lecture",  # an empty row as the browser sends it
    }
    data.update(extra)
    return data


def test_s1_course_list_filters_by_year_and_kind(w: World) -> None:
    follow_up = sv.create_course(
        w.officer,
        w.office,
        {"kind": CourseKind.FOLLOW_UP, "title": "継続研修（事例検討）",
         "starts_on": days(-5), "ends_on": days(-5)},
    )  # fmt: skip
    client = login(w.officer)
    page = client.get(reverse("supporters:courses")).content.decode()
    assert "ひきこもりサポーター養成研修" in page and "継続研修（事例検討）" in page
    page = client.get(reverse("supporters:courses"), {"kind": "follow_up"}).content.decode()
    assert "継続研修（事例検討）" in page and "ひきこもりサポーター養成研修" not in page
    page = client.get(reverse("supporters:courses"), {"year": "1999"}).content.decode()
    assert f'id="course-{follow_up.pk}"' not in page
    # a bad year is ignored, never a 500
    assert client.get(reverse("supporters:courses"), {"year": "abc"}).status_code == 200


def test_s1_new_course_with_sessions_in_either_calendar(w: World) -> None:
    response = login(w.officer).post(reverse("supporters:course_new"), course_post())
    course = TrainingCourse.objects.get(title="令和8年度 ひきこもりサポーター養成研修")
    assert response.status_code == 302
    assert response["Location"] == reverse("supporters:course", args=[course.pk])
    assert course.sessions.count() == 2
    assert course.organiser == w.office
    assert AuditEvent.objects.filter(action="training.created").exists()


def test_s1_new_course_errors_keep_what_was_typed(w: World) -> None:
    client = login(w.officer)
    response = client.post(
        reverse("supporters:course_new"), course_post(ends_on="R8.4.1", title="夏の研修")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "夏の研修" in page  # kept
    assert "field__error" in page
    # a session outside the course's dates: the error is beside that session
    response = client.post(
        reverse("supporters:course_new"), course_post(**{"s-1-held_on": "2026-07-01"})
    )
    assert response.status_code == 200
    assert "ひきこもりの理解" in response.content.decode()
    assert not TrainingCourse.objects.filter(title__startswith="令和8年度").exists()
    # a session date that is not a date
    response = client.post(reverse("supporters:course_new"), course_post(**{"s-0-held_on": "x"}))
    assert response.status_code == 200 and "field__error" in response.content.decode()


def test_s1_edit_course_and_add_session(w: World) -> None:
    client = login(w.officer)
    url = reverse("supporters:course_edit", args=[w.course.pk])
    page = client.get(url).content.decode()
    assert "ひきこもりサポーター養成研修" in page
    data = {
        "kind": "basic",
        "title": "養成研修（改）",
        "starts_on": str(w.course.starts_on),
        "ends_on": str(w.course.ends_on),
        "version": str(w.course.version),
    }
    assert client.post(url, data).status_code == 302
    w.course.refresh_from_db()
    assert w.course.title == "養成研修(改)"
    # the same version again: someone else changed it
    response = client.post(url, {**data, "title": "古い版"})
    assert response.status_code == 200 and "古い版" in response.content.decode()
    add = reverse("supporters:session_add", args=[w.course.pk])
    assert client.post(add, {"held_on": str(days(-25)), "topic": "ピアの語り",
                             "format": "lecture"}).status_code == 302  # fmt: skip
    assert w.course.sessions.count() == 3
    response = client.post(add, {"held_on": str(days(10)), "topic": "範囲外", "format": "lecture"})
    assert response.status_code == 200 and "範囲外" in response.content.decode()
    assert w.course.sessions.count() == 3


def test_s1_enrol_by_search_and_inline(w: World) -> None:
    trainee = make_supporter(w, "土佐 次郎", trained=False, consented=False, account=False)
    Supporter.objects.filter(pk=trainee.pk).update(name_kana="トサ ジロウ")
    course = sv.create_course(
        w.officer, w.office,
        {"kind": CourseKind.BASIC, "title": "秋の養成研修",
         "starts_on": days(-3), "ends_on": days(3)},
        sessions=[{"held_on": days(-3), "topic": "理解"}],
    )  # fmt: skip
    client = login(w.officer)
    url = reverse("supporters:enrol", args=[course.pk])
    page = client.get(url, {"q": "ﾄｻ"}).content.decode()  # half-width kana is normalised
    assert "土佐 次郎" in page
    assert client.post(url, {"supporter": trainee.pk, "q": "トサ"}).status_code == 302
    assert Enrolment.objects.filter(course=course, supporter=trainee).exists()
    # a new trainee registered inline
    response = client.post(
        url, {"action": "new", "name": "香美 三郎", "name_kana": "カミ サブロウ"}
    )
    assert response.status_code == 302
    assert Enrolment.objects.filter(course=course, supporter__name="香美 三郎").exists()
    # bad input: no name — kept, error shown
    response = client.post(url, {"action": "new", "name": "", "name_kana": "ナナシ"})
    assert response.status_code == 200
    assert "ナナシ" in response.content.decode()
    # a supporter the user cannot see: 404
    assert client.post(url, {"supporter": "999999"}).status_code == 404


def test_s1_attendance_roll_and_completion_finding(w: World) -> None:
    course = sv.create_course(
        w.officer, w.office,
        {"kind": CourseKind.BASIC, "title": "冬の養成研修",
         "starts_on": days(-9), "ends_on": days(-1)},
        sessions=[{"held_on": days(-9), "topic": "一"}, {"held_on": days(-5), "topic": "二"},
                  {"held_on": days(-1), "topic": "三"}],
    )  # fmt: skip
    s = make_supporter(w, "安芸 四郎", trained=False, consented=False, account=False)
    enrolment = sv.enrol(w.officer, course, s)
    client = login(w.officer)
    first, second, third = course.sessions.all()
    for session in (first, second):
        url = reverse("supporters:attendance", args=[session.pk])
        assert 'name="present"' in client.get(url).content.decode()
        assert client.post(url, {"present": [s.pk]}).status_code == 302
    assert Attendance.objects.filter(supporter=s).count() == 2
    # someone not enrolled: refused, nothing lost
    other = w.supporters[1]
    response = client.post(
        reverse("supporters:attendance", args=[third.pk]), {"present": [other.pk]}
    )
    assert response.status_code == 400
    assert (
        client.post(
            reverse("supporters:attendance", args=[third.pk]), {"present": ["x"]}
        ).status_code
        == 400
    )
    detail = client.get(reverse("supporters:course", args=[course.pk])).content.decode()
    assert "S1" in detail and "安芸 四郎" in detail
    url = reverse("supporters:complete", args=[enrolment.pk])
    page = client.get(url).content.decode()
    assert "S1" in page  # the finding: sessions missed
    response = client.post(url, {"completed_on": str(days(-1)), "excuse": ""})
    assert response.status_code == 200 and "S1" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.completed_on is None
    response = client.post(
        url, {"completed_on": "令和元年5月1日", "excuse": "録画で補講"}
    )  # before the course: refused
    assert response.status_code == 200
    response = client.post(url, {"completed_on": str(days(-1)), "excuse": "第3回は録画で補講"})
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.completed_on == days(-1) and enrolment.note == "第3回は録画で補講"


def test_s1_coordinator_reads_courses_but_cannot_create_or_change(w: World) -> None:
    client = login(w.coordinator)
    assert client.get(reverse("supporters:courses")).status_code == 200
    assert client.get(reverse("supporters:course", args=[w.course.pk])).status_code == 200
    assert client.get(reverse("supporters:course_new")).status_code == 403
    assert client.post(reverse("supporters:course_new"), course_post()).status_code == 403
    assert client.get(reverse("supporters:course_edit", args=[w.course.pk])).status_code == 403
    assert client.get(reverse("supporters:enrol", args=[w.course.pk])).status_code == 403
    session = w.course.sessions.all()[0]
    assert client.post(reverse("supporters:attendance", args=[session.pk])).status_code == 403
    enrolment = w.course.enrolments.all()[0]
    assert client.post(reverse("supporters:complete", args=[enrolment.pk])).status_code == 403


def test_s1_supporter_and_strangers_see_no_course(w: World) -> None:
    client = login(w.supporter_user)
    assert client.get(reverse("supporters:courses")).status_code == 404
    assert client.get(reverse("supporters:course", args=[w.course.pk])).status_code == 404
    assert (
        login(w.center_staff).get(reverse("supporters:course", args=[w.course.pk])).status_code
        == 404
    )
    assert login(w.officer).get(reverse("supporters:course", args=[999999])).status_code == 404
    assert login(w.officer).get(reverse("supporters:attendance", args=[999999])).status_code == 404
