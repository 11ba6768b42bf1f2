"""Walkthrough A, steps 1–2, in a real browser: the coordinator registers 山田 太郎 (52) and his
mother 花子 (82) as one household, records the mother's phone call (which opens the case with the
intake checklist), fills the assessment from what the mother says, and sees on the case page the
compound problems of the household, the R2 proposal and the 8050 household."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from tests.people import years_ago
from tsunagi.accounts.models import Membership, Role, User
from tsunagi.agencies.models import Agency, AgencyKind, OperatorLevel
from tsunagi.jurisdictions.models import Municipality, Prefecture
from tsunagi.people.models import Case, Person
from tsunagi.web.wareki import format_wareki

PASSWORD = "browser-test-password-1"


@pytest.fixture
def adult_center(transactional_db: None, jurisdictions: None) -> Agency:
    kochi = Prefecture.objects.get(code="39")
    center = Agency.objects.create(
        name="高知県ひきこもり地域支援センター",
        kind=AgencyKind.HIKIKOMORI_CENTER,
        operator_level=OperatorLevel.PREFECTURE,
        prefecture=kochi,
        municipality=Municipality.objects.get(code="39201"),
    )
    staff = User.objects.create_user(
        username="coordinator", password=PASSWORD, full_name="土佐 花子"
    )
    Membership.objects.create(user=staff, agency=center, role=Role.STAFF)
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


def test_walkthrough_a_steps_1_and_2_in_the_browser(
    page: Page, live_server: Any, adult_center: Agency
) -> None:
    base = live_server.url
    log_in(page, base)
    page.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="相談記録"
    ).click()
    page.get_by_role("link", name="新規登録").click()

    # The son, who has not been met: no phone calls, please.
    field(page, "姓").fill("山田")
    field(page, "名").fill("太郎")
    field(page, "姓（ふりがな）").fill("ﾔﾏﾀﾞ")
    field(page, "名（ふりがな）").fill("たろう")
    field(page, "男性").check()
    field(page, "生年月日").fill(format_wareki(years_ago(52)))
    field(page, "郵便番号").fill("７８００８５０")
    field(page, "郵便番号").press("Tab")
    # The postal code fills the municipality and the address.
    municipality = str(Municipality.objects.get(code="39201").pk)
    expect(field(page, "市区町村")).to_have_value(municipality)
    expect(field(page, "住所")).to_have_value(re.compile("丸ノ内"))
    field(page, "住所").fill("丸ノ内1丁目")
    page.locator("input[name=avoided_contact][value=phone]").check()
    page.get_by_role("button", name="保存").click()

    expect(page.locator("h1")).to_contain_text("山田 太郎")
    expect(page.get_by_text("電話は避ける")).to_be_visible()
    expect(page.get_by_text("52歳")).to_be_visible()

    # The household, and the mother registered into it on the spot.
    page.get_by_role("link", name="世帯を登録").click()
    expect(field(page, "世帯名")).to_have_value("山田 世帯")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_have_text("山田 世帯")
    page.get_by_role("link", name="世帯員を追加").click()
    new = page.locator("section", has=page.get_by_role("heading", name="新しい人を登録して加える"))
    field(new, "続柄").select_option(label="親")
    field(new, "姓").fill("山田")
    field(new, "名").fill("花子")
    field(new, "女性").check()
    field(new, "生年月日").fill(format_wareki(years_ago(82)))
    field(new, "電話番号").fill("088-000-1234")
    new.get_by_role("button", name="登録して世帯に加える").click()
    members = page.locator("table")
    expect(members).to_contain_text("山田 花子")
    expect(members).to_contain_text("82歳")
    expect(members).to_contain_text("山田 太郎")

    # Step 1: the mother's call about her son opens the case.
    page.get_by_role("link", name="山田 太郎").first.click()
    page.get_by_role("link", name="相談を記録").click()
    expect(page.get_by_text("この相談の記録でケースを開始します")).to_be_visible()
    expect(field(page, "日付")).to_have_value(format_wareki(timezone.localdate()))
    page.locator("input[name=channel][value=phone]").check()
    page.locator("input[name=initiator][value=family]").check()
    field(page, "相談者（世帯員）").select_option(label="山田 花子")
    field(page, "所要時間（分）").fill("30")
    field(page, "概要").fill("母から息子について電話相談")
    field(page, "備考").fill(
        "20年ほど夜しか外に出ない。年金だけでは家賃が苦しく、母名義のカードの借金がある。"
    )
    for problem in ("hikikomori", "income", "debt", "care"):
        page.locator(f"input[name=intake-problems][value={problem}]").check()
    field(page, "主な相談内容").select_option("hikikomori")
    page.get_by_role("button", name="記録してケースを開始").click()

    case = Case.objects.get(person__given_name="太郎")
    expect(page.locator("h1")).to_contain_text(case.number)
    expect(page.get_by_text("母から息子について電話相談")).to_be_visible()
    expect(page.locator("#timeline").locator("..")).to_contain_text("山田 花子")

    # Step 2: the assessment, filled from what the mother says.
    page.get_by_role("link", name="新しいアセスメント").click()
    field(page, "情報の提供者").select_option("family")
    field(page, "就労").select_option("unemployed")
    field(page, "外出の程度").select_option("home_only")
    field(page, "ひきこもり始めた時期").fill(format_wareki(years_ago(20)))
    field(page, "家計").select_option("tight")
    field(page, "債務").check()
    field(page, "世帯に介護の必要な人がいる（高齢の親など）").check()
    page.locator("input[name=connections][value=family]").check()
    page.get_by_role("button", name="アセスメントを記録").click()

    indicators = page.locator("#assessment").locator("..")
    expect(indicators).to_contain_text("複合的な課題")
    expect(indicators).to_contain_text("経済的困窮")
    expect(indicators).to_contain_text("自立相談支援機関へのつなぎ")
    expect(indicators).to_contain_text("8050世帯")
    expect(indicators).to_contain_text("R2")
    assert Person.objects.filter(agency=adult_center).count() == 2
