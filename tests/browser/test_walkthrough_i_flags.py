"""Walkthrough I in a real browser: a man says on the phone that he has not eaten for two days and
does not want to live. The coordinator records the call with its urgent matters; the case page
and the contact form show the R8 flags (suicide-prevention window, 一時生活支援 and 生活保護) until
each is resolved with a note."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.people import make_person, years_ago
from tsunagi.accounts.models import Membership, Role, User
from tsunagi.agencies.models import Agency, AgencyKind, OperatorLevel
from tsunagi.jurisdictions.models import Prefecture
from tsunagi.people.models import Case, Flag

PASSWORD = "browser-test-password-1"


@pytest.fixture
def center(transactional_db: None, jurisdictions: None) -> Agency:
    center = Agency.objects.create(
        name="高知市自立相談支援機関",
        kind=AgencyKind.SELF_RELIANCE,
        operator_level=OperatorLevel.PREFECTURE,
        prefecture=Prefecture.objects.get(code="39"),
    )
    staff = User.objects.create_user(
        username="coordinator", password=PASSWORD, full_name="土佐 次郎"
    )
    Membership.objects.create(user=staff, agency=center, role=Role.STAFF)
    make_person(staff, center, "四万十", "一郎", family_name_kana="シマント",
                given_name_kana="イチロウ", birth_date=years_ago(38))  # fmt: skip
    return center


def field(where: Page | Locator, label: str) -> Locator:
    """The input labelled exactly `label` (a required field's label ends in 必須)."""
    return where.get_by_label(re.compile(rf"^\s*{re.escape(label)}(\s*必須)?\s*$"))


def log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("ユーザー名").fill("coordinator")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("navigation", name="メインメニュー")).to_be_visible()


def test_walkthrough_i_urgent_call_flags_until_resolved(
    page: Page, live_server: Any, center: Agency
) -> None:
    log_in(page, live_server.url)
    page.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="相談記録"
    ).click()
    field(page, "氏名・フリガナ・電話番号").fill("しまんと")
    expect(page.locator("#results")).to_contain_text("四万十 一郎")
    page.get_by_role("link", name="四万十 一郎").click()

    # The call, with what was heard: no food for two days, does not want to live.
    page.get_by_role("link", name="相談を記録").click()
    page.locator("input[name=channel][value=phone]").check()
    page.locator("input[name=initiator][value=person]").check()
    field(page, "概要").fill("二日食べていない、死にたいと話す")
    field(page, "今日食べるものがない").check()
    field(page, "死にたいと話している").check()
    page.locator("input[name=intake-problems][value=no_food]").check()
    field(page, "主な相談内容").select_option("no_food")
    page.get_by_role("button", name="記録してケースを開始").click()

    case = Case.objects.get(person__given_name="一郎")
    expect(page.locator("h1")).to_contain_text(case.number)
    banner = page.locator("section.flags")
    expect(banner).to_contain_text("未対応の警告 2件")
    expect(banner).to_contain_text("R8")
    expect(banner).to_contain_text("自殺")
    expect(banner).to_contain_text("生活保護")
    expect(banner).to_contain_text("一時生活支援")

    # The same flags on the contact form of the case.
    page.get_by_role("link", name="相談を記録").click()
    expect(page.locator("h1")).to_contain_text("相談を記録")
    banner = page.locator("section.flags")
    expect(banner).to_contain_text("未対応の警告 2件")

    # Resolving needs a note: without one nothing happens.
    suicide = Flag.objects.get(case=case, kind="suicide_risk")
    item = page.locator(f"#flag-{suicide.pk}")
    item.get_by_role("button", name="対応済みにする").click()
    expect(banner).to_contain_text("未対応の警告 2件")
    assert Flag.objects.get(pk=suicide.pk).is_open

    item.get_by_label("対応内容").fill("本人の了解を得て、自殺対策の相談窓口に電話でつないだ")
    item.get_by_role("button", name="対応済みにする").click()
    expect(page.get_by_text("警告「自殺のリスク」を対応済みにしました。")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("相談を記録")  # back where the coordinator was
    expect(page.locator("section.flags")).to_contain_text("未対応の警告 1件")
    expect(page.locator(f"#flag-{suicide.pk}")).to_have_count(0)

    # The urgent need stays on the case page until it too is resolved.
    page.get_by_role("link", name="キャンセル").click()
    urgent = Flag.objects.get(case=case, kind="urgent_need")
    expect(page.locator(f"#flag-{urgent.pk}")).to_be_visible()
    page.locator(f"#flag-{urgent.pk}").get_by_label("対応内容").fill(
        "フードバンクの食料を渡し、生活保護の申請に同行する予定"
    )
    page.locator(f"#flag-{urgent.pk}").get_by_role("button", name="対応済みにする").click()
    expect(page.locator("section.flags")).to_have_count(0)
    resolved = Flag.objects.get(pk=urgent.pk)
    assert resolved.resolved_by is not None and "フードバンク" in resolved.resolution
