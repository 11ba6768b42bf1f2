"""Walkthrough A end to end in a real browser (scenarios.md A; rules R1, R2, R7, P1, P2).

The coordinator of the prefecture's adult hikikomori center registers 山田 太郎 (52) and his
mother 花子 (82) as one household in 高知市, records the mother's phone call about her son and
the assessment from her words (20 years withdrawn, economic need, card debt, her own care
needs). The case page's suggestions panel, loaded by htmx, proposes the self-reliance agency of
their city (R2, by the address), 地域包括支援センター for the mother and 多重債務相談 for the
debt (R7), each with its rule and its Japanese reason. The coordinator records an introduction
for the mother from the panel, sets one suggestion aside with a reason, and drafts the son's
referral from the R2 suggestion: a draft with "consent missing" and no send button (P1). The
son's wishes in his words (R1) and his consent for his situation but not his health are
recorded, attached, and the referral is sent. The self-reliance agency's staff find it in the
inbox, receive it, see his situation but not his health on the shared record, accept it and
record the first contact with the center accompanying him. Back at the center the referral
shows the first contact with its date, and the timeline shows who did each step.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import FilePayload, Page, expect

from tests.browser.referral_steps import NAMES, field, log_in, world_with_names
from tests.people import years_ago
from tests.referral_world import ReferralWorld
from tsunagi.people.models import Case
from tsunagi.referrals.models import Dismissal, Introduction, Referral, State
from tsunagi.web.wareki import format_wareki

CENTER = "高知県ひきこもり地域支援センター"
CITY_SR = "高知市生活支援相談センター"
COMMUNITY = "高知市地域包括支援センター"
DEBT = "高知県多重債務相談窓口"
HEALTH_NOTE = "不眠で通院歴あり"


@pytest.fixture
def world(transactional_db: None, jurisdictions: None) -> ReferralWorld:
    return world_with_names()


def register_household(page: Page, base: str) -> None:
    """Step 1a: the son (not met; no phone calls) at their address in 高知市, the household,
    and the mother registered into it."""
    page.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="相談記録"
    ).click()
    page.get_by_role("link", name="新規登録").click()
    field(page, "姓").fill("山田")
    field(page, "名").fill("太郎")
    field(page, "姓（ふりがな）").fill("やまだ")
    field(page, "名（ふりがな）").fill("たろう")
    field(page, "男性").check()
    field(page, "生年月日").fill(format_wareki(years_ago(52)))
    field(page, "郵便番号").fill("780-0850")
    field(page, "郵便番号").press("Tab")
    expect(field(page, "住所")).to_have_value(re.compile("丸ノ内"))
    field(page, "住所").fill("丸ノ内1-2-20")
    page.locator("input[name=avoided_contact][value=phone]").check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_contain_text("山田 太郎")

    page.get_by_role("link", name="世帯を登録").click()
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
    expect(page.locator("table")).to_contain_text("山田 花子")


def record_call_and_assessment(page: Page) -> Case:
    """Step 1b and 2: the mother's call opens the son's case; the assessment from her words."""
    page.get_by_role("link", name="山田 太郎").first.click()
    page.get_by_role("link", name="相談を記録").click()
    page.locator("input[name=channel][value=phone]").check()
    page.locator("input[name=initiator][value=family]").check()
    field(page, "相談者（世帯員）").select_option(label="山田 花子")
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

    page.get_by_role("link", name="新しいアセスメント").click()
    field(page, "情報の提供者").select_option("family")
    field(page, "就労").select_option("unemployed")
    field(page, "外出の程度").select_option("home_only")
    field(page, "ひきこもり始めた時期").fill(format_wareki(years_ago(20)))
    field(page, "家計").select_option("tight")
    field(page, "債務").check()
    field(page, "債務：特記事項").fill("母名義のカードローン")
    field(page, "世帯に介護の必要な人がいる（高齢の親など）").check()
    # special-care information: its label carries the 要配慮 mark
    page.get_by_label(re.compile("^こころの健康：特記事項")).fill(HEALTH_NOTE)
    page.get_by_role("button", name="アセスメントを記録").click()
    expect(page.locator("#assessment").locator("..")).to_contain_text("複合的な課題")
    return case


def test_walkthrough_a_8050_household_end_to_end_in_the_browser(
    page: Page, live_server: Any, world: ReferralWorld
) -> None:
    base = live_server.url
    today = format_wareki(timezone.localdate())

    # Steps 1 and 2: the household, the mother's call and the assessment from her words.
    log_in(page, base, "center-staff")
    register_household(page, base)
    case = record_call_and_assessment(page)
    son = case.person

    # Step 3: the case page's suggestions panel, loaded by htmx, with rule, reason and agency.
    page.goto(f"{base}/people/cases/{case.pk}/")
    panel = page.get_by_role("region", name="ルールによる提案")
    r2 = panel.locator("#suggestion-R2")
    expect(r2).to_contain_text("自立相談支援機関へのつなぎ")
    expect(r2).to_contain_text("債務や滞納がある")  # its reason, in Japanese
    expect(r2).to_contain_text("住所地を担当する自立相談支援機関につなぎましょう")
    expect(r2.get_by_text(CITY_SR, exact=True)).to_be_visible()  # J2: the city of the address
    expect(r2).to_contain_text("福祉事務所")  # why that agency (J2)
    care = panel.locator("#suggestion-R7-elderly-care")
    expect(care.locator(".badge").first).to_have_text("R7")
    expect(care).to_contain_text("山田 花子")  # for the mother
    expect(care.get_by_text(COMMUNITY, exact=True)).to_be_visible()
    debt = panel.locator("#suggestion-R7-debt")
    expect(debt.locator(".badge").first).to_have_text("R7")
    expect(debt).to_contain_text("債務")
    expect(debt.get_by_text(DEBT, exact=True)).to_be_visible()

    # Step 4: the mother is given the debt window's information, from the panel (no data passes).
    debt.get_by_role("link", name="紹介（情報提供）を記録").click()
    expect(page.get_by_text("R3a").first).to_be_visible()  # no personal data passes
    expect(field(page, "紹介した先の機関")).to_have_value(str(world.debt_window.pk))
    field(page, "家族").check()
    field(page, "伝えた内容").fill("多重債務相談窓口の電話番号と相談日の案内を母に渡した")
    page.get_by_role("button", name="記録する").click()
    introductions = page.get_by_role("region", name="情報提供（紹介）の記録")
    expect(introductions).to_contain_text(DEBT)
    expect(introductions).to_contain_text(today)
    intro = Introduction.objects.get()
    assert (intro.to_agency, intro.given_to, intro.rule) == (world.debt_window, "family", "R7")
    debt = page.get_by_role("region", name="ルールによる提案").locator("#suggestion-R7-debt")
    expect(debt).to_contain_text("対応済み")

    # One suggestion set aside with a reason: it moves to the dismissed ones.
    panel = page.get_by_role("region", name="ルールによる提案")
    care = panel.locator("#suggestion-R7-elderly-care")
    care.get_by_text("この提案を見送る").click()
    reason = "母は既に担当のケアマネジャーがいて、地域包括支援センターとつながっている"
    care.get_by_label("提案を見送る理由").fill(reason)
    care.get_by_role("button", name="見送り").click()
    panel = page.get_by_role("region", name="ルールによる提案")
    expect(panel.get_by_role("status")).to_have_text("提案を見送りました。")
    expect(panel.locator("#suggestion-R7-elderly-care")).to_have_count(0)
    panel.get_by_text("見送った提案（1件）").click()
    dismissed = panel.locator(".suggestions__dismissed")
    expect(dismissed).to_contain_text("R7")
    expect(dismissed).to_contain_text(reason)
    expect(dismissed).to_contain_text(NAMES["center-staff"])
    assert Dismissal.objects.get().code == "R7:elderly_care"

    # The son's referral, drafted from the R2 suggestion's link: prefilled, a draft, and with
    # consent missing (P1) there is nothing to send.
    panel.locator("#suggestion-R2").get_by_role("link", name="紹介を作成する").click()
    expect(page.locator("#referral-suggested")).to_contain_text("R2")
    expect(field(page, "提供先機関")).to_have_value(str(world.city_self_reliance.pk))
    field(page, "目的と受け手の機関へのお願い").fill(
        "家計と就労の相談をお願いします（母の年金のみ、カード債務あり）"
    )
    page.get_by_role("button", name="下書きを保存する").click()
    expect(page.locator("#referral-state")).to_have_text("下書き")
    expect(page.locator("#p1-finding")).to_contain_text("同意がありません")
    expect(page.get_by_role("button", name="紹介を送付する")).to_have_count(0)
    expect(page.locator("#r1-finding")).to_contain_text("R1")  # his wishes are not heard yet
    referral = Referral.objects.get()
    assert (referral.rule, referral.to_agency) == ("R2", world.city_self_reliance)

    # Step 5: at the home visit the son says what he wants, in his words (R1) ...
    wishes = "自分のペースで働き口を探したい。母にお金の心配をさせたくない。"
    page.get_by_role("link", name="紹介を変更する").click()
    field(page, "本人の意向（本人の言葉で）").fill(wishes)
    field(page, "意向を聞いた日").fill(today)
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#referral-wishes")).to_contain_text(wishes)
    expect(page.locator("#referral-wishes")).to_contain_text(today)
    expect(page.locator("#r1-finding")).to_have_count(0)
    expect(page.locator("#referral-state")).to_have_text("下書き")

    # ... and signs a consent for his identity and situation, not his health.
    page.locator("#p1-finding").get_by_role("link", name="同意を記録する").click()
    form = page.locator("main form[method=post]").last
    form.get_by_label("本人", exact=True).check()
    form.get_by_label(re.compile("^提供先機関")).select_option(str(world.city_self_reliance.pk))
    form.get_by_label(re.compile("^目的")).fill("家計と就労の相談支援のため")
    form.get_by_label("本人確認情報・連絡先").check()
    form.get_by_label("状況と本人の意向").check()
    until = timezone.localdate() + datetime.timedelta(days=365)
    form.get_by_label(re.compile("^有効期限")).fill(format_wareki(until))
    form.get_by_label("署名した同意書（スキャンを添付）").check()
    scan: FilePayload = {
        "name": "consent.pdf",
        "mimeType": "application/pdf",
        "buffer": b"%PDF-1.4 signed consent",
    }
    form.get_by_label("署名済み同意書のスキャン").set_input_files(files=[scan])
    form.get_by_role("button", name="同意を記録する").click()
    expect(page).to_have_url(re.compile(r"/consent/\d+/$"))

    page.goto(f"{base}/referrals/{referral.pk}/")
    page.get_by_role("combobox", name="同意").select_option(index=1)
    page.get_by_role("button", name="同意を添付する").click()
    expect(page.locator("#referral-state")).to_have_text("同意確認済み")
    expect(page.locator("#consent-kinds")).to_have_text("本人確認情報・連絡先、状況と本人の意向")
    page.get_by_role("button", name="紹介を送付する").click()
    expect(page.locator("#referral-state")).to_have_text("送付済み")

    # Step 6: the self-reliance agency finds it in its inbox and receives it.
    log_in(page, base, "sr-staff")
    inbox = page.get_by_role("region", name="回答を待っている紹介")
    expect(inbox).to_contain_text(CENTER)
    inbox.get_by_role("link", name="山田 太郎").click()
    expect(page.locator("#referral-wishes")).to_contain_text(wishes)
    page.get_by_role("button", name="受付").click()
    expect(page.locator("#referral-state")).to_have_text("受付済み")

    # The shared record: his situation (the debt), not his health.
    page.locator("#referral-person").get_by_role("link").click()
    expect(page).to_have_url(f"{base}/consent/persons/{son.pk}/shared/")
    shared = page.locator("main")
    expect(shared).to_contain_text("山田 太郎")
    expect(shared).to_contain_text("母名義のカードローン")
    expect(shared).not_to_contain_text(HEALTH_NOTE)
    expect(shared).not_to_contain_text("こころの健康")
    page.go_back()

    # Accepted, and the first contact with the center's coordinator going along (同行).
    field(page, "新しく登録する").check()
    page.get_by_role("button", name="紹介を引き受ける").click()
    expect(page.locator("#referral-state")).to_have_text("受け入れ")
    page.get_by_role("link", name="初回接触を記録").click()
    page.locator("input[name=channel][value=home_visit]").check()
    page.locator("input[name=initiator][value=staff]").check()
    field(page, "概要").fill("センターと同行して初回訪問")
    field(page, "初回面談への同行").check()
    field(page, "同行のメモ").fill("センターの土佐が同行")
    page.get_by_role("button", name="初回接触を記録").click()
    expect(page.locator("#referral-state")).to_have_text("初回接触済み")

    # Back at the center: the loop is closed, with the day of the first contact ...
    log_in(page, base, "center-staff")
    page.goto(f"{base}/people/cases/{case.pk}/")
    row = page.locator(f"#referral-{referral.pk}")
    expect(row).to_contain_text(CITY_SR)
    expect(row).to_contain_text("初回接触済み")
    expect(row).to_contain_text(today)
    row.get_by_role("link", name=CITY_SR).click()
    expect(page.locator("#first-contact-on")).to_have_text(today)
    expect(page.locator("#accompanied")).to_contain_text("センターの土佐が同行")

    # ... and the timeline says who did each step, for which agency.
    steps = page.locator("#referral-steps > li")
    expect(steps).to_have_count(6)
    center_by = f"{NAMES['center-staff']}（{CENTER}）"
    agency_by = f"{NAMES['sr-staff']}（{CITY_SR}）"
    for i, who in enumerate([center_by] * 3 + [agency_by] * 3):
        expect(steps.nth(i)).to_contain_text(who)
    expect(steps.nth(5)).to_contain_text(f"初回接触日 {today}")

    referral.refresh_from_db()
    assert referral.state == State.FIRST_CONTACT
    assert referral.accompanied is True
    assert referral.first_contact_on == timezone.localdate()
