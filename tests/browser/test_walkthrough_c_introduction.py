"""Walkthrough C in a real browser: an introduction without a plan (scenarios.md C; rule R3a).

A 35-year-old man comes to 高知市's self-reliance agency about his rent after losing his job; he
has barely left his room for two years and does not want a plan now, so his case has none. The
case page's suggestions panel proposes R3a: introduce the hikikomori agency or a group. The staff
member records, from the panel, the introduction to the hikikomori station of his town, and then
one to the local family association by its name. Both appear on the case and in the agency's
list of introductions. No personal data leaves the agency: the station's staff have nothing in
their referrals inbox, and his person page answers 404 to them. The agency's referral statistics
count the two introductions.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.referral_steps import NAMES, field, log_in, world_with_names
from tests.people import years_ago
from tests.referral_world import ReferralWorld
from tsunagi.access.models import Grant
from tsunagi.people.models import Case
from tsunagi.referrals.models import Introduction, Referral
from tsunagi.web.wareki import format_wareki

STATION = "高知市ひきこもり支援ステーション"
FAMILY_ASSOCIATION = "高知県ひきこもり家族会"


@pytest.fixture
def world(transactional_db: None, jurisdictions: None) -> ReferralWorld:
    return world_with_names()


def register_and_assess(page: Page) -> Case:
    """The man comes to the window: registered, his visit opens the case, and the assessment
    (no work, rent short, in his room for two years) is recorded. No plan is made."""
    page.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="相談記録"
    ).click()
    page.get_by_role("link", name="新規登録").click()
    field(page, "姓").fill("高橋")
    field(page, "名").fill("健")
    field(page, "姓（ふりがな）").fill("たかはし")
    field(page, "名（ふりがな）").fill("けん")
    field(page, "男性").check()
    field(page, "生年月日").fill(format_wareki(years_ago(35)))
    field(page, "郵便番号").fill("780-0850")
    field(page, "郵便番号").press("Tab")
    expect(field(page, "住所")).to_have_value(re.compile("丸ノ内"))
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_contain_text("高橋 健")
    expect(page.get_by_text("35歳")).to_be_visible()

    page.get_by_role("link", name="相談を記録").click()
    page.locator("input[name=channel][value=office_visit]").check()
    page.locator("input[name=initiator][value=person]").check()
    field(page, "概要").fill("失業して家賃が払えない。部屋からほとんど出ていない。")
    for problem in ("income", "rent_arrears"):
        page.locator(f"input[name=intake-problems][value={problem}]").check()
    field(page, "主な相談内容").select_option("income")
    page.get_by_role("button", name="記録してケースを開始").click()
    case = Case.objects.get(person__family_name="高橋")
    expect(page.locator("h1")).to_contain_text(case.number)

    page.get_by_role("link", name="新しいアセスメント").click()
    field(page, "情報の提供者").select_option("person")
    field(page, "就労").select_option("unemployed")
    field(page, "家計").select_option("short")
    field(page, "外出の程度").select_option("room_only")
    field(page, "ひきこもり始めた時期").fill(format_wareki(years_ago(2)))
    page.get_by_label(re.compile("^本人の意向")).fill(
        "今は家賃のことだけ相談したい。プランはまだ考えられない。"
    )
    page.get_by_role("button", name="アセスメントを記録").click()
    expect(page.locator("#assessment")).to_be_visible()
    return case


def test_walkthrough_c_introduction_without_a_plan_in_the_browser(
    page: Page, live_server: Any, world: ReferralWorld
) -> None:
    base = live_server.url
    today = format_wareki(timezone.localdate())

    log_in(page, base, "sr-staff")
    case = register_and_assess(page)
    person = case.person

    # R3a: in a hikikomori state and no plan: introduce the hikikomori agency or a group.
    page.goto(f"{base}/people/cases/{case.pk}/")
    panel = page.get_by_role("region", name="ルールによる提案")
    r3a = panel.locator("#suggestion-R3a")
    expect(r3a.locator(".badge").first).to_have_text("R3a")
    expect(r3a).to_contain_text("ひきこもり支援機関や団体を紹介する")
    expect(r3a.get_by_text(STATION, exact=True)).to_be_visible()
    expect(panel.locator("#suggestion-R3b")).to_have_count(0)  # he has no plan

    # The introduction to his town's station, from the panel's link.
    station_item = r3a.locator("li", has=page.get_by_text(STATION, exact=True))
    station_item.get_by_role("link", name="紹介（情報提供）を記録").click()
    expect(page.get_by_text("情報提供（紹介）では個人情報を渡しません。")).to_be_visible()
    expect(field(page, "紹介した先の機関")).to_have_value(str(world.city_station.pk))
    expect(field(page, "紹介先の種類")).to_have_value("hikikomori_agency")
    expect(field(page, "本人")).to_be_checked()
    field(page, "伝えた内容").fill("ステーションのチラシ、電話番号と開所時間（平日9時〜17時）")
    page.get_by_role("button", name="記録する").click()
    expect(page.get_by_role("status").first).to_contain_text(STATION)

    # The family association is not in the registry: an introduction by its name.
    panel = page.get_by_role("region", name="ルールによる提案")
    panel.locator("#suggestion-R3a").get_by_role(
        "link", name="名簿にない団体・場所の紹介を記録"
    ).click()
    field(page, "紹介先の種類").select_option(label="家族会")
    field(page, "紹介した先の機関").select_option("")
    field(page, "団体・場所の名称").fill(FAMILY_ASSOCIATION)
    field(page, "伝えた内容").fill("家族会の月例会の案内")
    page.get_by_role("button", name="記録する").click()

    # Both are on the case, and the panel shows the suggestion taken.
    introductions = page.get_by_role("region", name="情報提供（紹介）の記録")
    expect(introductions.get_by_role("listitem")).to_have_count(2)
    items = introductions.get_by_role("listitem")
    expect(items.filter(has_text=STATION)).to_contain_text("ひきこもり支援機関、本人")
    expect(items.filter(has_text=FAMILY_ASSOCIATION)).to_contain_text("家族会、本人")
    expect(introductions).to_contain_text(today)
    panel = page.get_by_role("region", name="ルールによる提案")
    expect(panel.locator("#suggestion-R3a")).to_contain_text("対応済み")

    # ... and in the agency's list of introductions, with who recorded them.
    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="紹介").click()
    page.get_by_role("navigation", name="紹介のページ").get_by_role(
        "link", name="情報提供（紹介）"
    ).click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    for target in (STATION, FAMILY_ASSOCIATION):
        row = rows.filter(has_text=target)
        expect(row).to_contain_text("高橋 健")
        expect(row).to_contain_text("R3a")
        expect(row).to_contain_text(NAMES["sr-staff"])
        expect(row).to_contain_text(today)
    assert set(Introduction.objects.values_list("rule", flat=True)) == {"R3a"}

    # The referral statistics of the agency count the two introductions (not as referrals).
    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="紹介").click()
    page.get_by_role("navigation", name="紹介のページ").get_by_role("link", name="統計").click()
    expect(page.locator(".lead")).to_contain_text("高知市生活支援相談センター")
    by_kind = page.get_by_role("region", name="情報提供（紹介）の件数（紹介先の種類別）")
    for label, count in (("ひきこもり支援機関", "1"), ("家族会", "1"), ("合計", "2")):
        row = by_kind.get_by_role("row", name=re.compile(f"^{label} "))
        expect(row.get_by_role("cell")).to_have_text([count])
    by_rule = page.get_by_role("region", name="情報提供（紹介）の件数（ルール別）")
    for label, count in (("R3a", "2"), ("合計", "2")):
        row = by_rule.get_by_role("row", name=re.compile(f"^{label} "))
        expect(row.get_by_role("cell")).to_have_text([count])

    # No personal data left the agency: nothing reaches the station, nothing opens for it.
    assert not Grant.objects.filter(person=person).exists()
    assert not Referral.objects.exists()
    log_in(page, base, "station-staff")
    expect(page.get_by_role("region", name="回答を待っている紹介")).to_have_count(0)
    page.goto(f"{base}/referrals/?tab=received")
    expect(page.get_by_text("紹介はありません。")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("高橋")
    answer = page.goto(f"{base}/people/{person.pk}/")
    assert answer is not None and answer.status == 404
    answer = page.goto(f"{base}/people/cases/{case.pk}/")
    assert answer is not None and answer.status == 404
    intro = Introduction.objects.get(to_agency=world.city_station)
    answer = page.goto(f"{base}/referrals/introductions/{intro.pk}/")
    assert answer is not None and answer.status == 404
    page.goto(f"{base}/referrals/introductions/")
    expect(page.locator("main")).not_to_contain_text("高橋")
