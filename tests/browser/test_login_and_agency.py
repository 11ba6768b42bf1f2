"""In a real browser: log in, see the agencies of one's prefecture in Japanese, open one, and see
the J6 verdict of a center with one coordinator; the prefectural officer edits an agency."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tsunagi.accounts.models import Membership, Role, User
from tsunagi.agencies.models import Agency, AgencyKind, OpeningHours, OperatorLevel, StaffMember
from tsunagi.jurisdictions.models import Prefecture

PASSWORD = "browser-test-password-1"


@pytest.fixture
def kochi_world(transactional_db: None, jurisdictions: None) -> dict[str, Any]:
    kochi = Prefecture.objects.get(code="39")
    office = Agency.objects.create(
        name="高知県 地域福祉政策課",
        kind=AgencyKind.PREFECTURAL_OFFICE,
        operator_level=OperatorLevel.PREFECTURE,
        prefecture=kochi,
    )
    center = Agency.objects.create(
        name="高知県子どもひきこもり支援センター",
        kind=AgencyKind.HIKIKOMORI_CENTER,
        operator_level=OperatorLevel.PREFECTURE,
        prefecture=kochi,
        age_band="child",
        phone="088-000-0000",
    )
    StaffMember.objects.create(
        agency=center, name="土佐 花子", is_coordinator=True, qualifications=["social_worker"]
    )
    for day in range(5):
        OpeningHours.objects.create(agency=center, weekday=day, opens=time(9), closes=time(17))
    Agency.objects.create(
        name="東京都のセンター",
        kind=AgencyKind.HIKIKOMORI_CENTER,
        operator_level=OperatorLevel.PREFECTURE,
        prefecture=Prefecture.objects.get(code="13"),
    )
    staff = User.objects.create_user(
        username="kochi-staff", password=PASSWORD, full_name="高知 一郎"
    )
    Membership.objects.create(user=staff, agency=center, role=Role.STAFF)
    officer = User.objects.create_user(
        username="kochi-pref", password=PASSWORD, full_name="県 次郎"
    )
    Membership.objects.create(user=officer, agency=office, role=Role.PREFECTURAL_OFFICER)
    return {"center": center}


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    expect(page.locator("h1")).to_have_text("ログイン")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()


def test_staff_logs_in_and_opens_an_agency_in_japanese(
    page: Page, live_server: Any, kochi_world: dict[str, Any]
) -> None:
    log_in(page, live_server.url, "kochi-staff")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    page.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="機関一覧"
    ).click()
    # The list opens on the user's own prefecture: 高知県's center, not Tokyo's.
    results = page.locator("#results")
    expect(results).to_contain_text("高知県子どもひきこもり支援センター")
    expect(results).not_to_contain_text("東京都のセンター")
    page.get_by_role("link", name="高知県子どもひきこもり支援センター").click()
    expect(page.locator("h1")).to_have_text("高知県子どもひきこもり支援センター")
    expect(page.get_by_text("ひきこもり地域支援センター", exact=True)).to_be_visible()
    # rule J6: one coordinator only → not compliant, with the reason.
    expect(page.get_by_text("不適合", exact=True)).to_be_visible()
    expect(page.locator("#compliance").locator("..")).to_contain_text("J6")


def test_search_by_reading_narrows_the_list_without_reload(
    page: Page, live_server: Any, kochi_world: dict[str, Any]
) -> None:
    Agency.objects.filter(pk=kochi_world["center"].pk).update(
        name_kana="コウチケンコドモヒキコモリシエンセンター"
    )
    log_in(page, live_server.url, "kochi-staff")
    page.goto(f"{live_server.url}/agencies/")
    page.get_by_label("名称またはフリガナ").fill("こうちけんこども")
    expect(page.locator("#results")).to_contain_text("高知県子どもひきこもり支援センター")
    page.get_by_label("名称またはフリガナ").fill("存在しない機関")
    expect(page.locator("#results")).to_contain_text("該当する機関はありません")


def test_prefectural_officer_edits_and_bad_input_keeps_what_was_typed(
    page: Page, live_server: Any, kochi_world: dict[str, Any]
) -> None:
    center = kochi_world["center"]
    log_in(page, live_server.url, "kochi-pref")
    page.goto(f"{live_server.url}/agencies/{center.pk}/edit/")
    page.get_by_label("郵便番号").fill("12")
    page.get_by_label("住所", exact=True).fill("丸ノ内1丁目2-20")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("郵便番号は7桁の数字で入力してください")).to_be_visible()
    expect(page.get_by_label("住所", exact=True)).to_have_value("丸ノ内1丁目2-20")
    page.get_by_label("郵便番号").fill("７８０－０８５０")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("〒780-0850")).to_be_visible()
