"""Walkthrough A, steps 4–6, in a real browser: the coordinator drafts the son's referral to the
self-reliance agency and sees "consent missing" with no send button (P1); the son's consent
(identity and situation, not special-care information) is recorded on the consent screen,
attached, and the referral sent; the self-reliance agency's staff find it in their inbox, open
the shared record (the situation, not the health problem), accept it and record the first
contact; the coordinator sees the referral closed-loop: first contact made, on its date."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.people import yamada_household
from tsunagi.accounts.models import Membership, Role, User
from tsunagi.agencies.models import Agency, AgencyKind, OperatorLevel
from tsunagi.jurisdictions.models import Municipality, Prefecture
from tsunagi.people.models import Case
from tsunagi.referrals.models import Referral, State
from tsunagi.web.wareki import format_wareki

PASSWORD = "browser-test-password-1"


@pytest.fixture
def story(transactional_db: None, jurisdictions: None) -> dict[str, Any]:
    kochi = Prefecture.objects.get(code="39")
    kochi_city = Municipality.objects.get(code="39201")
    center = Agency.objects.create(
        name="高知県ひきこもり地域支援センター", kind=AgencyKind.HIKIKOMORI_CENTER,
        operator_level=OperatorLevel.PREFECTURE, prefecture=kochi, municipality=kochi_city,
    )  # fmt: skip
    self_reliance = Agency.objects.create(
        name="高知市自立相談支援機関", kind=AgencyKind.SELF_RELIANCE, prefecture=kochi,
        operator_level=OperatorLevel.MUNICIPALITY, operator_municipality=kochi_city,
    )  # fmt: skip
    coordinator = User.objects.create_user("coordinator", password=PASSWORD, full_name="土佐 花子")
    Membership.objects.create(user=coordinator, agency=center, role=Role.STAFF)
    sr = User.objects.create_user("sr_staff", password=PASSWORD, full_name="高知 次郎")
    Membership.objects.create(user=sr, agency=self_reliance, role=Role.STAFF)
    _household, _mother, son, case = yamada_household(coordinator, center)
    # what the mother said includes his health: special-care information, not to be shared
    Case.objects.filter(pk=case.pk).update(problems=[*case.problems, "health"])
    return {"case": case, "son": son, "self_reliance": self_reliance}


def log_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("navigation", name="メインメニュー")).to_be_visible()


def test_walkthrough_a_steps_4_to_6_in_the_browser(
    page: Page, live_server: Any, story: dict[str, Any]
) -> None:
    base, case, son = live_server.url, story["case"], story["son"]
    self_reliance = story["self_reliance"]

    # Step 4: the referral of the son stays a draft, "consent missing", nothing to send.
    log_in(page, base, "coordinator")
    page.goto(f"{base}/people/cases/{case.pk}/")
    page.get_by_role("link", name="紹介を作成する").click()
    page.locator("select[name=to_agency]").select_option(str(self_reliance.pk))
    page.locator("textarea[name=purpose]").fill("家計と就労の相談をお願いします")
    page.locator("textarea[name=wishes]").fill("自分のペースで働き口を探したい")
    page.get_by_role("button", name="下書きを保存する").click()
    expect(page.locator("#referral-state")).to_have_text("下書き")
    expect(page.locator("#p1-finding")).to_contain_text("同意がありません")
    expect(page.get_by_role("button", name="紹介を送付する")).to_have_count(0)
    referral = Referral.objects.get()

    # Step 5: the son's consent, for his situation and wishes but not his health.
    page.locator("#p1-finding").get_by_role("link", name="同意を記録する").click()
    form = page.locator("main form[method=post]").last
    form.locator("input[name=given_by][value=subject]").check()
    form.locator("select[name=recipient_agency]").select_option(str(self_reliance.pk))
    form.locator("input[name=purpose]").fill("生活困窮の相談支援のため")
    form.locator("input[name=kinds][value=identity]").check()
    form.locator("input[name=kinds][value=situation]").check()
    until = timezone.localdate() + datetime.timedelta(days=365)
    form.locator("input[name=valid_until]").fill(format_wareki(until))
    form.locator("input[name=method][value=signed_paper]").check()
    form.locator("input[name=scan]").set_input_files(
        files=[{"name": "consent.pdf", "mimeType": "application/pdf",
                "buffer": b"%PDF-1.4 signed consent"}]
    )  # fmt: skip
    form.locator("button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/consent/\d+/$"))

    page.goto(f"{base}/referrals/{referral.pk}/")
    page.locator("select[name=consent]").select_option(index=1)
    page.get_by_role("button", name="同意を添付する").click()
    expect(page.locator("#referral-state")).to_have_text("同意確認済み")
    expect(page.locator("#consent-kinds")).to_have_text("本人確認情報・連絡先、状況と本人の意向")
    page.get_by_role("button", name="紹介を送付する").click()
    expect(page.locator("#referral-state")).to_have_text("送付済み")

    # Step 6: the self-reliance agency finds it in its inbox and sees exactly those kinds.
    log_in(page, base, "sr_staff")
    inbox = page.locator("#referral-inbox").locator("..")
    expect(inbox).to_contain_text("山田 太郎")
    inbox.get_by_role("link", name="山田 太郎").click()
    expect(page.locator("#referral-person")).to_contain_text("山田 太郎")
    expect(page.get_by_role("button", name="紹介をお断りする")).to_be_visible()
    expect(page.get_by_role("button", name="紹介を取り消す")).to_have_count(0)
    page.locator("#referral-person").get_by_role("link").click()
    expect(page).to_have_url(f"{base}/consent/persons/{son.pk}/shared/")
    shared = page.locator("main")
    expect(shared).to_contain_text("債務")  # his situation
    expect(shared).not_to_contain_text("病気や健康、障害のこと")  # not his health
    page.go_back()

    page.locator("input[name=accept-person][value=new]").check()
    page.get_by_role("button", name="紹介を引き受ける").click()
    expect(page.locator("#referral-state")).to_have_text("受け入れ")
    page.get_by_role("link", name=re.compile("^初回接触を記録")).click()
    page.locator("input[name=channel][value=office_visit]").check()
    page.locator("input[name=initiator][value=person]").check()
    page.locator("input[name=summary]").fill("本人が来所し初回面談")
    page.get_by_role("button", name=re.compile("^初回接触を記録")).click()
    expect(page.locator("#referral-state")).to_have_text("初回接触済み")

    # The center sees the loop closed: first contact made, on its date.
    log_in(page, base, "coordinator")
    page.goto(f"{base}/people/cases/{case.pk}/")
    row = page.locator(f"#referral-{referral.pk}")
    expect(row).to_contain_text("初回接触済み")
    expect(row).to_contain_text(format_wareki(timezone.localdate()))
    referral.refresh_from_db()
    assert referral.state == State.FIRST_CONTACT
    assert referral.received_case is not None
    assert referral.received_case.agency == self_reliance
