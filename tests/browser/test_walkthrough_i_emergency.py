"""Walkthrough I, the sharing part, in a real browser: the coordinator shares the urgent case
with the welfare office without consent, under the life-protection ground and with a reason
(P5); the welfare office opens what it was given; the center's manager logs in, sees the notice
and marks it as seen; the access log shows the read on the emergency ground."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.people import make_person, years_ago
from tsunagi.access.models import Grant
from tsunagi.accounts.models import Membership, Role, User
from tsunagi.agencies.models import Agency, AgencyKind, OperatorLevel
from tsunagi.jurisdictions.models import Prefecture
from tsunagi.people import services as people

PASSWORD = "browser-test-password-1"
REASON = "二日食べておらず死にたいと話す。今日の保護の相談のため"


@pytest.fixture
def story(transactional_db: None, jurisdictions: None) -> dict[str, Any]:
    kochi = Prefecture.objects.get(code="39")
    center = Agency.objects.create(
        name="高知県ひきこもり地域支援センター", kind=AgencyKind.HIKIKOMORI_CENTER,
        operator_level=OperatorLevel.PREFECTURE, prefecture=kochi,
    )  # fmt: skip
    welfare = Agency.objects.create(
        name="高知市福祉事務所", kind=AgencyKind.WELFARE_OFFICE,
        operator_level=OperatorLevel.PREFECTURE, prefecture=kochi,
    )  # fmt: skip
    users = {}
    for username, agency, role, name in (
        ("coordinator", center, Role.STAFF, "土佐 次郎"),
        ("manager", center, Role.MANAGER, "高知 一子"),
        ("welfare", welfare, Role.STAFF, "福祉 三郎"),
    ):
        users[username] = User.objects.create_user(username, password=PASSWORD, full_name=name)
        Membership.objects.create(user=users[username], agency=agency, role=role)
    person = make_person(users["coordinator"], center, "四万十", "一郎",
                         family_name_kana="シマント", given_name_kana="イチロウ",
                         birth_date=years_ago(38))  # fmt: skip
    contact = people.record_contact(
        users["coordinator"],
        {"channel": "phone", "initiator": "person", "summary": "二日食べていない、死にたいと話す",
         "urgent": ["no_food", "suicidal"]},
        person=person,
        case_data={"problems": ["no_food"], "main_problem": "no_food"},
    )  # fmt: skip
    return {"person": person, "case": contact.case, "welfare": welfare}


def log_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("navigation", name="メインメニュー")).to_be_visible()


def test_walkthrough_i_emergency_sharing_told_to_the_manager(
    page: Page, live_server: Any, story: dict[str, Any]
) -> None:
    base, case, person = live_server.url, story["case"], story["person"]

    # The coordinator shares in an emergency from the case page, with ground and reason.
    log_in(page, base, "coordinator")
    page.goto(f"{base}/people/cases/{case.pk}/")
    page.locator("#consent-panel").locator("..").get_by_role(
        "link", name="緊急時の情報共有"
    ).click()
    expect(page.locator("#emergency-warning")).to_contain_text("P5")
    form = page.locator("main form[method=post]").last
    form.locator("select[name=receiving_agency]").select_option(str(story["welfare"].pk))
    form.locator("select[name=legal_ground]").select_option("life_body_property")
    form.locator("textarea[name=reason]").fill(REASON)
    form.locator("input[name=hours]").fill("6")
    form.get_by_role("button", name="この根拠で今すぐ共有する").click()
    grant = Grant.objects.get(kind="emergency")
    expect(page.locator("main")).to_contain_text(REASON)
    assert grant.legal_ground == "life_body_property" and grant.reason == REASON
    assert grant.case_id == case.pk

    # The welfare office opens what it was given, on the emergency ground.
    log_in(page, base, "welfare")
    page.goto(f"{base}/consent/grants/")
    page.get_by_role("link", name="四万十 一郎").click()
    expect(page).to_have_url(f"{base}/consent/persons/{person.pk}/shared/")
    expect(page.locator("#shared-ground")).to_contain_text(f"緊急 #{grant.pk}")

    # The manager sees the notice on the home page and marks it as seen.
    log_in(page, base, "manager")
    notice = page.locator(f"#notice-{grant.pk}")
    expect(notice).to_contain_text(REASON)
    expect(notice).to_contain_text("四万十 一郎")
    notice.get_by_role("button", name="確認しました").click()
    expect(page.locator(f"#notice-{grant.pk}")).to_have_count(0)
    grant.refresh_from_db()
    assert grant.acknowledged_at is not None

    # The access log shows the read by the welfare office on the emergency ground.
    page.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="監査ログ"
    ).click()
    page.locator("select[name=ground]").select_option("emergency")
    page.locator("form.search").get_by_role("button").click()
    table = page.locator("table.table")
    expect(table).to_contain_text(f"緊急 #{grant.pk}")
    expect(table).to_contain_text("高知市福祉事務所")
