"""Walkthrough E in a real browser: three weeks after the referral was accepted, the son
withdraws his consent. The center records the withdrawal on screen (with the confirmation of
what it will do); the self-reliance agency's next load of the shared record is refused; its own
copy of the case shows the P4 flag; the access log keeps the last read before the withdrawal."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.people import yamada_household
from tests.sharing import make_consent, make_referral
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Membership, Role, User
from tsunagi.agencies.models import Agency, AgencyKind, OperatorLevel
from tsunagi.consent.models import Consent
from tsunagi.jurisdictions.models import Municipality, Prefecture
from tsunagi.referrals import services as referrals

PASSWORD = "browser-test-password-1"


@pytest.fixture
def story(transactional_db: None, jurisdictions: None) -> dict[str, Any]:
    """Walkthrough A done through the services: consent, referral sent, received, accepted."""
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
    consent = make_consent(coordinator, son, self_reliance, ["identity", "situation"], case=case)
    referral = referrals.send_referral(
        coordinator, make_referral(coordinator, case, self_reliance, consent)
    )
    referral = referrals.accept_referral(sr, referrals.receive_referral(sr, referral))
    return {"son": son, "consent": consent, "referral": referral, "agency": self_reliance}


def log_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("navigation", name="メインメニュー")).to_be_visible()


def test_walkthrough_e_withdrawal_takes_effect_at_once(
    page: Page, live_server: Any, story: dict[str, Any]
) -> None:
    base, son, consent = live_server.url, story["son"], story["consent"]
    received_case = story["referral"].received_case
    shared_url = f"{base}/consent/persons/{son.pk}/shared/"

    # The self-reliance agency reads what it was given, through the consent.
    log_in(page, base, "sr_staff")
    page.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="情報共有"
    ).click()
    page.get_by_role("link", name="山田 太郎").click()
    expect(page).to_have_url(shared_url)
    expect(page.locator("#shared-ground")).to_contain_text(f"同意 #{consent.pk}")

    # The son withdraws: the center records it on screen, after seeing what it will do.
    log_in(page, base, "coordinator")
    page.goto(f"{base}/consent/persons/{son.pk}/")
    page.locator(f"a[href='/consent/{consent.pk}/']").first.click()
    page.get_by_role("link", name="同意の撤回を記録").click()
    expect(page.locator("#what-it-does")).to_contain_text(story["agency"].name)
    page.get_by_label("撤回の申し出の内容").fill("本人から電話で撤回の申し出")
    page.get_by_role("button", name="同意を撤回する").click()
    expect(page.locator("#withdrawn")).to_contain_text("撤回されました")
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is not None

    # The receiver's next load of the shared record is refused; its copy shows the P4 flag.
    log_in(page, base, "sr_staff")
    response = page.goto(shared_url)
    assert response is not None and response.status == 404
    page.goto(f"{base}/consent/{consent.pk}/")
    expect(page.locator("#withdrawn")).to_be_visible()
    page.goto(f"{base}/people/cases/{received_case.pk}/")
    flags = page.locator("section.flags")
    expect(flags).to_contain_text("P4")

    # The access log keeps the last read before the withdrawal.
    withdrawn = AuditEvent.objects.get(action="consent.withdrawn")
    last = (
        AuditEvent.objects.filter(subject_id=son.pk, action="person.viewed")
        .exclude(grant="own_agency")
        .latest("at")
    )
    assert last.at <= withdrawn.at
