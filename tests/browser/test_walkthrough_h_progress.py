"""Walkthrough H in a real browser (rules M1-M5): the prefectural officer of 高知県 opens the
municipal progress from the menu and sees 34/34 windows, 7/34 surveys and 10/34 platforms, the
tile grid and the list of who has not; opens a municipality without a platform, read-only but
for a platform set up jointly with the prefecture; the municipal
officer of 高知市 lands on their own page, records a survey with a mistake, finds what they typed
kept with the reason next to the field, and saves it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tsunagi.accounts.models import Membership, Role, User
from tsunagi.agencies.models import Agency, AgencyKind, OperatorLevel
from tsunagi.demo.directory import build_directory
from tsunagi.demo.oversight import build_oversight
from tsunagi.jurisdictions.models import Municipality, Prefecture
from tsunagi.oversight.models import NeedsSurvey

PASSWORD = "browser-test-password-1"


@pytest.fixture
def kochi(transactional_db: None, jurisdictions: None) -> dict[str, Any]:
    pref = Prefecture.objects.get(code="39")
    office = Agency.objects.create(
        name="高知県 地域福祉政策課",
        kind=AgencyKind.PREFECTURAL_OFFICE,
        operator_level=OperatorLevel.PREFECTURE,
        prefecture=pref,
    )
    city = Agency.objects.create(
        name="高知市 健康福祉部",
        kind=AgencyKind.MUNICIPAL_OFFICE,
        operator_level=OperatorLevel.MUNICIPALITY,
        operator_municipality=Municipality.objects.get(code="39201"),
        prefecture=pref,
    )
    for username, agency, role in (
        ("kochi-pref", office, Role.PREFECTURAL_OFFICER),
        ("kochi-city", city, Role.MUNICIPAL_OFFICER),
    ):
        user = User.objects.create_user(username=username, password=PASSWORD)
        Membership.objects.create(user=user, agency=agency, role=role)
    build_directory(1)
    build_oversight(1)
    towns = list(Municipality.objects.filter(prefecture=pref).order_by("code"))
    return {"towns": towns}


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()


def test_walkthrough_h_the_prefecture_sees_34_7_10(
    page: Page, live_server: Any, kochi: dict[str, Any]
) -> None:
    log_in(page, live_server.url, "kochi-pref")
    page.goto(f"{live_server.url}/oversight/")
    counts = page.locator(".counts li")
    expect(counts).to_have_count(4)
    expect(counts.nth(0)).to_contain_text("34/34")
    expect(counts.nth(1)).to_contain_text("7/34")
    expect(counts.nth(2)).to_contain_text("10/34")
    expect(counts.nth(3)).to_contain_text("34/34")
    expect(page.locator(".tiles li")).to_have_count(34)
    lists = page.locator(".missing-list")
    expect(lists).to_have_count(2)  # surveys and platforms; every town has a window and a lead
    expect(lists.nth(0).locator("a")).to_have_count(27)
    expect(lists.nth(1).locator("a")).to_have_count(24)
    no_platform = kochi["towns"][3]
    lists.nth(1).get_by_role("link", name=no_platform.name, exact=True).click()
    expect(page.locator("h1")).to_contain_text(no_platform.name)
    expect(page.get_by_text("M3", exact=False).first).to_be_visible()
    # the prefecture follows the town read-only: no lead department or survey form, only the
    # platform set up jointly with the prefecture (M3), its joint box fixed
    expect(page.locator("input[name=form][value=lead]")).to_have_count(0)
    expect(page.locator("input[name=form][value=survey]")).to_have_count(0)
    page.locator("details", has=page.locator("input[value=platform]")).locator("summary").click()
    expect(page.locator("#id_platform-joint_with_prefecture")).to_be_checked()
    expect(page.locator("#id_platform-joint_with_prefecture")).to_be_disabled()


def test_walkthrough_h_the_city_records_a_survey(
    page: Page, live_server: Any, kochi: dict[str, Any]
) -> None:
    log_in(page, live_server.url, "kochi-city")
    page.goto(f"{live_server.url}/oversight/?prefecture=39")
    expect(page).to_have_url(f"{live_server.url}/oversight/municipalities/39201/")
    page.locator("details", has=page.locator("input[value=survey]")).locator("summary").click()
    page.locator("#id_survey-method").select_option("residents")
    page.locator("#id_survey-period_from").fill("令和7年4月1日")
    page.locator("#id_survey-period_to").fill("令和7年3月1日")
    page.locator("#id_survey-needs_text").fill("居場所がほしいという声が多い。")
    page.locator("form", has=page.locator("input[value=survey]")).get_by_role("button").click()
    expect(page.locator("#id_survey-needs_text")).to_have_value("居場所がほしいという声が多い。")
    expect(page.locator("#id_survey-period_from")).to_have_value("令和7年4月1日")
    page.locator("#id_survey-period_to").fill("令和7年9月30日")
    page.locator("form", has=page.locator("input[value=survey]")).get_by_role("button").click()
    expect(page.locator("#surveys + .table-wrap")).to_contain_text("居場所がほしいという声が多い。")
    assert NeedsSurvey.objects.filter(municipality__code="39201").count() == 2
