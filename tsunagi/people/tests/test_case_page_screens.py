"""The case page: header, open flags, timeline newest first and paginated, household, the latest
assessment with its indicators (R2, 8050, isolation) and history, print links."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.cast import Cast, make_cast
from tests.people import yamada_household, years_ago
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role
from tsunagi.people import services
from tsunagi.people.choices import Employment, Finance, GoingOut

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> Cast:
    return make_cast()


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def assess_son(staff: Any, case: Any, **extra: Any) -> Any:
    return services.record_assessment(staff, case, {
        "informant": "family", "employment": Employment.UNEMPLOYED,
        "going_out": GoingOut.HOME_ONLY, "withdrawn_since": years_ago(20),
        "finance": Finance.TIGHT, "debt": True, "household_member_needs_care": True,
        "connections": ["family"], "wishes": "今は誰にも会いたくない（母の話）", **extra,
    })  # fmt: skip


def test_case_page_of_walkthrough_a(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, _son, case = yamada_household(staff, cast.center)
    assess_son(staff, case)
    page = client_for(staff).get(f"/people/cases/{case.pk}/").content.decode()
    assert case.number in page and "山田 太郎" in page
    assert "スクリーニング" in page or "未実施" in page
    assert "電話は避ける" in page
    assert "R2" in page and "8050" in page and "複合" in page
    assert "5種類を失っている" in page  # isolation: only the family left
    assert "今は誰にも会いたくない" in page
    assert "母から息子について電話相談" in page and "山田 花子" in page  # timeline, caller
    assert f"/people/cases/{case.pk}/print/intake/" in page
    assert f"/people/cases/{case.pk}/print/assessment/" in page


def test_timeline_is_newest_first_and_paginated(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, _son, case = yamada_household(staff, cast.center)
    start = timezone.now() - datetime.timedelta(days=60)
    for n in range(25):
        services.record_contact(staff, {
            "channel": "home_visit", "initiator": "staff", "summary": f"訪問{n:02d}回目",
            "occurred_at": start + datetime.timedelta(days=n),
        }, case=case)  # fmt: skip
    client = client_for(staff)
    page = client.get(f"/people/cases/{case.pk}/").content.decode()
    assert page.index("母から息子について電話相談") < page.index("訪問24回目")  # today's call first
    assert page.index("訪問24回目") < page.index("訪問06回目")
    assert "訪問05回目" not in page and 'rel="next"' in page
    second = client.get(f"/people/cases/{case.pk}/", {"page": 2}).content.decode()
    assert "訪問05回目" in second and "訪問00回目" in second


def test_assessment_history_on_the_case_page(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, _son, case = yamada_household(staff, cast.center)
    first = assess_son(staff, case, assessed_on=years_ago(1))
    second = assess_son(staff, case, connections=["family", "services"])
    page = client_for(staff).get(f"/people/cases/{case.pk}/").content.decode()
    assert (
        f"/people/assessments/{first.pk}/" in page and f"/people/assessments/{second.pk}/" in page
    )
    assert "4種類を失っている" in page  # the latest one counts


def test_open_flags_banner_with_rule_and_reason(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, _son, case = yamada_household(staff, cast.center)
    services.record_contact(staff, {"channel": "phone", "initiator": "person", "summary": "電話",
                                    "urgent": ["no_food"]}, case=case)  # fmt: skip
    page = client_for(staff).get(f"/people/cases/{case.pk}/").content.decode()
    assert "未対応の警告 1件" in page and "R8" in page
    assert "生活保護" in page or "一時生活支援" in page
    assert 'name="resolution"' in page


def test_case_page_read_is_logged(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, _son, case = yamada_household(staff, cast.center)
    client_for(staff).get(f"/people/cases/{case.pk}/")
    assert AuditEvent.objects.filter(action="case.viewed", record_id=str(case.pk), actor=staff)


def test_case_without_household_or_assessment(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    from tests.people import make_person

    person = make_person(staff, cast.center, "鈴木", "一郎")
    contact = services.record_contact(
        staff, {"channel": "office_visit", "initiator": "person", "summary": "来所"}, person=person
    )
    page = client_for(staff).get(f"/people/cases/{contact.case_id}/").content.decode()
    assert "アセスメントはまだありません" in page and "まだ世帯が登録されていません" in page


def test_manager_sees_the_restriction_link_staff_does_not(cast: Cast) -> None:
    _household, _mother, _son, case = yamada_household(cast.users[Role.STAFF], cast.center)
    url = f"/people/cases/{case.pk}/"
    assert "restriction" not in client_for(cast.users[Role.STAFF]).get(url).content.decode()
    assert "restriction" in client_for(cast.users[Role.MANAGER]).get(url).content.decode()


def test_outsider_gets_404(cast: Cast) -> None:
    _household, _mother, _son, case = yamada_household(cast.users[Role.STAFF], cast.center)
    assert client_for(cast.outsider).get(f"/people/cases/{case.pk}/").status_code == 404
    assert not AuditEvent.objects.filter(action="case.viewed").exists()


@pytest.mark.parametrize("who", ["nobody", "operator", "municipal_officer", "auditor"])
def test_those_without_personal_records_are_refused(cast: Cast, who: str) -> None:
    _household, _mother, _son, case = yamada_household(cast.users[Role.STAFF], cast.center)
    user = cast.nobody if who == "nobody" else cast.users[Role(who)]
    response = client_for(user).get(f"/people/cases/{case.pk}/")
    assert response.status_code in (403, 404) and "山田" not in response.content.decode()
