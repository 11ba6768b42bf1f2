"""Walkthrough F in a real browser (rules S1-S8). The prefecture's course: 12 finish, 9 sign the
consent to act, the roster of 9 goes to 高知市 and 南国市, 高知市 confirms 7 again (through the
services). At desktop width the coordinator matches the nearby peer supporter from the ranking,
writes the plan, records both consents and starts. On a phone (375 px) the supporter records
four visits and a minor accident; the coordinator stops the dispatch at the son's request and
the supporter's view is empty at once (its address answers 404); the incident is followed to
closure. Every phone page fits the screen: no element wider than 375 px."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.supporter_steps import (
    SUPPORTER_PASSWORD,
    WorldF,
    as_desktop,
    as_phone,
    assert_fits_phone,
    days_ago,
    log_in,
    walkthrough_f_world,
)
from tsunagi.supporters import selectors
from tsunagi.supporters.models import (
    Dispatch,
    DispatchState,
    Incident,
    IncidentState,
    RosterEntry,
    VisitReport,
)


@pytest.fixture
def world(transactional_db: None, jurisdictions: None) -> WorldF:
    return walkthrough_f_world()


def _choose(page: Page, name: str, value: str) -> None:
    """A choice field drawn as radio buttons or as a select."""
    radio = page.locator(f"input[name='{name}'][value='{value}']")
    if radio.count():
        radio.check()
    else:
        page.locator(f"select[name='{name}']").select_option(value)


def _counts_s1_to_s3(world: WorldF) -> None:
    registered = selectors.supporters(world.prefectural).filter(
        selectors.status_q(selectors.SupporterStatus.REGISTERED)
    )
    completed = selectors.supporters(world.prefectural).filter(
        selectors.status_q(selectors.SupporterStatus.COMPLETED)
    )
    assert registered.count() == 9 and completed.count() == 3
    assert selectors.roster(world.coordinator, world.kochi_office.pk).count() == 9
    assert RosterEntry.objects.current().filter(agency=world.nankoku_office).count() == 9
    assert RosterEntry.objects.matchable().filter(agency=world.kochi_office).count() == 7


def _coordinator_matches_plans_and_starts(page: Page, base: str, world: WorldF) -> None:
    as_desktop(page)
    log_in(page, base, "kochi-coordinator")
    d = world.dispatch
    page.goto(f"{base}/supporters/dispatches/{d.pk}/match/")
    ranking = page.locator("#ranking > li")
    # S3: only the 7 confirmed again are ranked; S4: the peer living nearby comes first
    expect(ranking).to_have_count(7)
    first = ranking.first
    expect(first).to_have_id(f"candidate-{world.peer.pk}")
    expect(first).to_contain_text(world.peer.name)
    first.get_by_role("button").click()
    expect(page).to_have_url(f"{base}/supporters/dispatches/{d.pk}/")
    d.refresh_from_db()
    assert d.supporter_id == world.peer.pk and d.match_reasons

    page.goto(f"{base}/supporters/dispatches/{d.pk}/plan/")
    page.locator("[name=purpose]").fill("同じ経験をもつ人との対話を通じて、外出のきっかけをつくる")
    page.locator("[name=activity_plan]").fill("週1回、平日の午後に自宅を訪問（1回60分程度）")
    page.locator("[name=activities]").fill("話し相手、趣味の話、近所の散歩への同行")
    page.locator("[name=starts_on]").fill(days_ago(35).isoformat())
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(f"{base}/supporters/dispatches/{d.pk}/")

    page.goto(f"{base}/supporters/dispatches/{d.pk}/consents/")
    page.locator("[name=person_consent_on]").fill(days_ago(36).isoformat())
    _choose(page, "person_consent_by", "person")
    _choose(page, "person_consent_method", "signed")
    page.locator("[name=supporter_consent_on]").fill(days_ago(36).isoformat())
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(f"{base}/supporters/dispatches/{d.pk}/")
    page.locator("#start-button").click()
    expect(page.locator("#start-button")).to_have_count(0)
    d.refresh_from_db()
    assert d.state == DispatchState.ACTIVE and d.grant_id is not None


VISITS = [
    # (days ago, start, minutes, met, what happened, concerns)
    (28, "14:00", "45", "family_only", "本人は部屋から出てこなかった。母親と玄関で話した。", ""),
    (21, "１４：３０", "６０", "person", "本人と初めて会えた。ゲームの話を少しした。", ""),
    (
        14,
        "15:00",
        "60分",
        "person",
        "一緒に近所を5分ほど散歩した。",
        "夜眠れていないと話していた。",
    ),
    (7, "14:00", "９０", "person", "散歩の距離がのびた。次は図書館に行きたいと言った。", ""),
]


def _supporter_reports_four_visits_and_an_accident(page: Page, base: str, world: WorldF) -> None:
    as_phone(page)
    log_in(page, base, "sakamoto", SUPPORTER_PASSWORD)
    assert_fits_phone(page)
    # one tap from the home page to their dispatches
    page.locator("#home-supporter-panel a").click()
    expect(page).to_have_url(f"{base}/supporters/mine/")
    assert_fits_phone(page)
    card = page.locator("#mine article")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("山田 太郎")
    expect(card).to_contain_text("丸ノ内1丁目2-3")
    d = world.dispatch
    for i, (ago, start, minutes, met, what, concerns) in enumerate(VISITS):
        page.goto(f"{base}/supporters/mine/")
        page.locator("#mine article").get_by_role("link", name="訪問を報告する").click()
        expect(page).to_have_url(f"{base}/supporters/mine/{d.pk}/visits/new/")
        assert_fits_phone(page)
        if i == 1:
            # a mistake first: no text, a future date; what was typed stays
            page.locator("[name=visited_on]").fill("2099-01-01")
            page.locator("[name=duration_minutes]").fill(minutes)
            page.locator("input[name=place][value=home]").check()
            page.locator("input[name=met][value=person]").check()
            page.locator("form#visit-form button[type=submit]").click()
            expect(page.locator(".field__error").first).to_be_visible()
            expect(page.locator("[name=duration_minutes]")).to_have_value(minutes)  # kept as typed
            assert_fits_phone(page)
        page.locator("[name=visited_on]").fill(days_ago(ago).isoformat())
        page.locator("[name=started_at]").fill(start)
        page.locator("[name=duration_minutes]").fill(minutes)
        page.locator("input[name=place][value=home]").check()
        page.locator(f"input[name=met][value={met}]").check()
        page.locator("[name=what_happened]").fill(what)
        page.locator("[name=concerns]").fill(concerns)
        page.locator("form#visit-form button[type=submit]").click()
        expect(page).to_have_url(f"{base}/supporters/mine/{d.pk}/")
        expect(page.locator("#visits")).to_contain_text(what.splitlines()[0][:10])
        assert_fits_phone(page)
        if i == 1:
            # a minor accident on the second visit: reported from the phone at once
            page.get_by_role("link", name="事故・トラブルを報告する").click()
            assert_fits_phone(page)
            page.locator("[name=occurred_on]").fill(days_ago(ago).isoformat())
            page.locator("[name=occurred_time]").fill("１５：１０")
            page.locator("select[name=kind]").select_option("injury")
            page.locator("input[name=severity][value=minor]").check()
            page.locator("[name=what_happened]").fill(
                "帰り際、玄関の段差でつまずき、右膝を擦りむいた。"
            )
            page.locator("[name=immediate_action]").fill("持参した救急セットで消毒した。")
            page.locator("select[name=visit]").select_option(index=1)
            page.locator("form#incident-form button[type=submit]").click()
            expect(page).to_have_url(f"{base}/supporters/mine/{d.pk}/")
            expect(page.locator("#incidents")).to_be_visible()
    visits = VisitReport.objects.filter(dispatch=d)
    assert visits.count() == 4
    assert sorted(v.duration_minutes for v in visits) == [45, 60, 60, 90]
    incident = Incident.objects.get(dispatch=d)
    assert incident.visit is not None and incident.visit.duration_minutes == 60
    # S8: the coordinator is told at once (waiting on their home page, unseen first)
    assert list(selectors.incidents_waiting(world.coordinator)) == [incident]


def test_walkthrough_f_supporter_from_training_to_stop(
    page: Page, live_server: Any, world: WorldF
) -> None:
    base = live_server.url
    _counts_s1_to_s3(world)
    _coordinator_matches_plans_and_starts(page, base, world)
    _supporter_reports_four_visits_and_an_accident(page, base, world)
    d = world.dispatch
    incident = Incident.objects.get(dispatch=d)

    # The coordinator sees the report on the home page, marks it seen and records a step.
    as_desktop(page)
    log_in(page, base, "kochi-coordinator")
    page.locator("#home-incidents-unseen-panel a").first.click()
    expect(page).to_have_url(f"{base}/supporters/incidents/{incident.pk}/")
    page.locator("#acknowledge").click()
    expect(page.locator("#not-seen")).to_have_count(0)
    page.locator("[name=what]").fill("保険会社にボランティア保険の適用を連絡した。")
    page.locator(f"form[action='/supporters/incidents/{incident.pk}/steps/'] button").click()
    expect(page.locator("#incident-steps")).to_contain_text("ボランティア保険")

    # After the fourth visit the son asks to stop: one action (S5).
    page.goto(f"{base}/supporters/dispatches/{d.pk}/")
    _choose(page, "requested_by", "person")
    page.locator("[name=reason]").fill("本人から「しばらく一人で過ごしたい」と申し出があった。")
    page.locator("#stop-button").click()
    expect(page.locator("#stopped")).to_be_visible()
    d.refresh_from_db()
    assert d.state == DispatchState.STOPPED

    # The supporter's view no longer shows the household; its addresses answer 404.
    as_phone(page)
    log_in(page, base, "sakamoto", SUPPORTER_PASSWORD)
    page.goto(f"{base}/supporters/mine/")
    expect(page.locator("#mine-empty")).to_be_visible()
    expect(page.locator("#mine")).not_to_contain_text("山田")
    assert_fits_phone(page)
    for path in (f"/supporters/mine/{d.pk}/", f"/supporters/mine/{d.pk}/visits/new/"):
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 404
        expect(page.locator("#visit-form")).to_have_count(0)
    assert VisitReport.objects.filter(dispatch=d).count() == 4

    # The incident is followed to closure (S8).
    as_desktop(page)
    log_in(page, base, "kochi-coordinator")
    page.goto(f"{base}/supporters/incidents/{incident.pk}/")
    page.locator("[name=summary]").fill("保険で治療費が支払われ、本人にも支援者にも影響なし。")
    page.locator(f"form[action='/supporters/incidents/{incident.pk}/close/'] button").click()
    expect(page.locator("#closure-summary")).to_contain_text("保険で治療費")
    incident.refresh_from_db()
    assert incident.state == IncidentState.CLOSED
    assert Dispatch.objects.get(pk=d.pk).stop_reason.startswith("本人から")
