"""Walkthrough D in a real browser: a plan with both agencies (scenarios.md D; rules R1, R3b,
R4, P1; issue 6 "Done means").

Ms. 岡林 美咲 (28) has a case at 高知市's self-reliance agency (高知市生活支援相談センター) with an
assessment showing a hikikomori state (three years hardly leaving her room); her case, the
assessment and another person of the agency are set up through the services. In the browser:

1. The agency's staff write her plan from the case page's plan panel: her wishes in her words,
   her mother's different wishes, the aim, the period with the review date today, two goals
   and three items. Choosing a service proposes the responsible agency by the default split
   of R4 (就労準備支援 → the self-reliance agency; 居場所 and 訪問 → the city's hikikomori
   station), also against an agency chosen first. Saved without her wishes, the plan is
   refused with the Japanese R1 message and everything typed is kept; with them it is a draft
   whose page names the R3b finding (invite the station).
2. From the plan the support coordination meeting is convened with the station as a member;
   the agenda form links to her consent naming the meeting (P1); with it her case goes on the
   agenda.
3. The station's staff see her on the agenda and read her plan, read-only, and get 404 for
   another person of the self-reliance agency.
4. Back at the self-reliance agency: the minutes, the approval at the meeting, the support
   decision (高知市); the plan, due for review today, is on the home page's reviews panel.

The station opens her shared plan from the meeting page (the plan page shows the granted fields).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import FilePayload, Page, expect

from tests.browser.referral_steps import NAMES, field, log_in, world_with_names
from tests.people import make_person, years_ago
from tests.referral_world import KOCHI_CITY, ReferralWorld
from tests.sharing import make_consent
from tsunagi.jurisdictions.models import Municipality
from tsunagi.meetings import services as meetings
from tsunagi.meetings.models import AgendaDecision, AgendaItem, Meeting, MeetingKind
from tsunagi.people import services as people
from tsunagi.people.models import Case
from tsunagi.plans import services as plans
from tsunagi.plans.models import PlanState, SupportPlan
from tsunagi.web.wareki import format_wareki

CITY_SR = "高知市生活支援相談センター"
STATION = "高知市ひきこもり支援ステーション"
HER_WISHES = (
    "人と話すのはまだ怖いけれど、いつかは少しずつ働けるようになりたい。まずは週に一度外に出たい。"
)
FAMILY_WISHES = "母は、早く就職して自立してほしいと望んでいる。"
AIM = "本人のペースを大切に、居場所から社会参加、就労準備へと段階的に進める。"
MEETING = "岡林さんの支援調整会議"
MINUTES = "本人の意向を確認。就労準備支援はセンター、居場所と訪問はステーションが担当。"
R1_MESSAGE = "本人の意向を本人の言葉で記入してください（R1）。"


@dataclass
class Story:
    world: ReferralWorld
    case: Case  # hers, at the self-reliance agency
    other_case: Case  # another person of the agency
    other_plan: SupportPlan


@pytest.fixture
def story(transactional_db: None, jurisdictions: None) -> Story:
    """Her case with the assessment of a hikikomori state, and another person of the agency
    with a plan of his own: all through the services."""
    world = world_with_names()
    sr, agency = world.sr_staff, world.city_self_reliance
    city = Municipality.objects.get(code=KOCHI_CITY)
    her = make_person(
        sr, agency, "岡林", "美咲", family_name_kana="おかばやし", given_name_kana="みさき",
        sex="female", birth_date=years_ago(28), municipality=city, address="はりまや町2-3-4",
    )  # fmt: skip
    contact = people.record_contact(
        sr,
        {
            "channel": "phone",
            "initiator": "family",
            "summary": "母から、娘が3年ほど自室からほとんど出ず、収入もないと相談。本人とも面談。",
        },
        person=her,
        case_data={
            "problems": ["hikikomori", "income", "job_search"],
            "main_problem": "hikikomori",
        },
    )
    people.record_assessment(
        sr,
        contact.case,
        {
            "informant": "person",
            "employment": "unemployed",
            "finance": "tight",
            "going_out": "room_only",
            "withdrawn_since": years_ago(3),
            "hikikomori_notes": "前職を辞めてから3年、ほとんど自室で過ごしている",
            "family_notes": "母は早期の就職を望んでおり、本人は負担に感じている",
            "wishes": HER_WISHES,
        },
    )
    him = make_person(sr, agency, "西森", "誠", sex="male", birth_date=years_ago(44),
                      municipality=city)  # fmt: skip
    other_case = people.record_contact(
        sr,
        {"channel": "office_visit", "initiator": "person", "summary": "家賃の滞納について相談"},
        person=him,
        case_data={"problems": ["rent_arrears"], "main_problem": "rent_arrears"},
    ).case
    today = timezone.localdate()
    other_plan = plans.create_plan(
        sr,
        other_case,
        {
            "mode": "goals",
            "person_wishes": "家賃の心配をなくしたい。",
            "starts_on": today,
            "ends_on": today + datetime.timedelta(days=180),
        },
        goals=[{"term": "short", "text": "滞納を解消する"}],
        items=[
            {"what": "家計改善支援", "service": "household_budget", "responsible_agency": agency}
        ],
    )
    return Story(world, contact.case, other_case, other_plan)


def write_plan_without_her_wishes(page: Page, s: Story) -> None:
    """Step 1: the plan screen from the case page's plan panel, everything but her wishes;
    choosing a service proposes the responsible agency (R4)."""
    today = timezone.localdate()
    sr, station = str(s.world.city_self_reliance.pk), str(s.world.city_station.pk)
    panel = page.get_by_role("region", name="支援プラン")
    expect(panel).to_contain_text("支援プランはまだありません")
    panel.get_by_role("link", name="支援プランを作成する").click()
    expect(page.locator("h1")).to_contain_text("支援プランを作成する")

    field(page, "家族の意向（本人と異なる場合）").fill(FAMILY_WISHES)
    field(page, "総合的な支援方針").fill(AIM)
    expect(field(page, "目標と期間を定める")).to_be_checked()
    field(page, "プラン期間（終了）").fill(format_wareki(today + datetime.timedelta(days=180)))
    field(page, "見直し（モニタリング）予定日").fill(format_wareki(today))

    page.get_by_label("区分 1", exact=True).select_option(label="短期目標")
    page.get_by_label("目標 1", exact=True).fill("週に1回、居場所に通う")
    page.get_by_label("区分 2", exact=True).select_option(label="長期目標")
    page.get_by_label("目標 2", exact=True).fill("短時間の就労体験に参加する")

    # The default split of R4 is stated above the items, for the agencies taking part.
    items = page.locator("#plan-items")
    expect(items).to_contain_text("原則の役割分担（R4）")
    expect(items).to_contain_text(f"就労準備支援など） → {CITY_SR}")
    expect(items).to_contain_text(f"相談・居場所・訪問・家族会等 → {STATION}")

    # 就労準備支援: choosing the service fills in the self-reliance agency (R4).
    page.get_by_label("支援内容 1", exact=True).fill("就労準備支援事業（生活習慣の改善、就労体験）")
    page.get_by_label("利用する事業・サービス 1", exact=True).select_option(label="就労準備支援")
    expect(page.get_by_label("担当機関 1", exact=True)).to_have_value(sr)
    page.get_by_label("頻度・時期 1", exact=True).fill("月2回")
    page.get_by_label("対応する目標 1", exact=True).select_option(value="1")

    # 居場所: the station.
    page.get_by_label("支援内容 2", exact=True).fill("居場所の利用（ステーションのフリースペース）")
    page.get_by_label("利用する事業・サービス 2", exact=True).select_option(label="居場所")
    expect(page.get_by_label("担当機関 2", exact=True)).to_have_value(station)
    page.get_by_label("頻度・時期 2", exact=True).fill("週1回")
    page.get_by_label("対応する目標 2", exact=True).select_option(value="0")

    # 訪問 with the self-reliance agency chosen first: the proposal names the station, with
    # its rule and reason, and the staff follow it.
    page.get_by_label("支援内容 3", exact=True).fill("自宅への訪問による見守りと傾聴")
    page.get_by_label("担当機関 3", exact=True).select_option(sr)
    page.get_by_label("利用する事業・サービス 3", exact=True).select_option(label="訪問")
    proposal = page.locator("#item-row-2 .r4-proposal")
    expect(proposal).to_contain_text("R4")
    expect(proposal).to_contain_text(f"提案：{STATION}")
    expect(proposal).to_contain_text(
        "「訪問」は見守り・傾聴の支援のため、原則としてひきこもり支援機関"
    )
    expect(page.get_by_label("担当機関 3", exact=True)).to_have_value(sr)  # nothing overridden
    page.get_by_label("担当機関 3", exact=True).select_option(station)
    page.get_by_label("頻度・時期 3", exact=True).fill("隔週")
    page.get_by_label("対応する目標 3", exact=True).select_option(value="0")

    page.get_by_role("button", name="下書きを保存する").click()


def test_walkthrough_d_plan_and_meeting_in_the_browser(
    page: Page, live_server: Any, story: Story
) -> None:
    s, base = story, live_server.url
    world = s.world
    today = timezone.localdate()
    sr, station = str(world.city_self_reliance.pk), str(world.city_station.pk)

    # Step 1: the plan, first without her wishes (R1): refused in Japanese, nothing lost.
    log_in(page, base, "sr-staff")
    page.goto(f"{base}/people/cases/{s.case.pk}/")
    write_plan_without_her_wishes(page, s)
    expect(page.get_by_role("alert").first).to_contain_text("入力内容に誤りがあります")
    expect(page.locator("#id_person_wishes_error")).to_contain_text(R1_MESSAGE)
    expect(field(page, "家族の意向（本人と異なる場合）")).to_have_value(FAMILY_WISHES)
    expect(field(page, "総合的な支援方針")).to_have_value(AIM)
    expect(page.get_by_label("目標 2", exact=True)).to_have_value("短時間の就労体験に参加する")
    expect(page.get_by_label("担当機関 1", exact=True)).to_have_value(sr)
    expect(page.get_by_label("担当機関 3", exact=True)).to_have_value(station)
    expect(page.get_by_label("利用する事業・サービス 2", exact=True)).to_have_value("place")
    expect(page.get_by_label("頻度・時期 3", exact=True)).to_have_value("隔週")
    assert not SupportPlan.objects.filter(case=s.case).exists()

    field(page, "本人の意向（本人の言葉で）").fill(HER_WISHES)
    page.get_by_role("button", name="下書きを保存する").click()
    expect(page.locator(".messages")).to_contain_text("プランを案として保存しました。")
    plan = SupportPlan.objects.get(case=s.case)
    expect(page).to_have_url(f"{base}/plans/{plan.pk}/")
    expect(page.locator("#plan-state-badge")).to_have_text("下書き")
    expect(page.locator("#plan-person-wishes")).to_have_text(HER_WISHES)
    expect(page.locator("#plan-review-on")).to_have_text(format_wareki(today))
    expect(page.get_by_role("link", name="案を変更する")).to_be_visible()  # the owner's draft
    split = {i.service: i.responsible_agency_id for i in plan.items.all()}
    assert split == {
        "employment_preparation": world.city_self_reliance.pk,
        "place": world.city_station.pk,
        "home_visit": world.city_station.pk,
    }
    items = page.get_by_role("region", name="担当機関別の支援内容")
    expect(items.get_by_role("heading", name=re.compile(STATION))).to_be_visible()
    expect(items.locator(f"#agency-{station} + div")).to_contain_text("居場所")
    expect(items.locator(f"#agency-{station} + div")).to_contain_text("訪問")
    expect(items.locator(f"#agency-{sr} + div")).to_contain_text("就労準備支援")

    # The R3b finding: invite the station to the meeting that decides the plan (the default
    # split of R4 leaves nothing else to point out).
    findings = items.locator(".plan-finding")
    expect(findings).to_have_count(1)
    r3b = page.locator("#finding-r3b_invite")
    expect(r3b.locator(".badge")).to_have_text("R3b")
    expect(r3b).to_contain_text("ひきこもり支援機関を会議に招く")
    expect(r3b).to_contain_text(f"{STATION}がこのプランで本人を支援します")

    # Step 2: the support coordination meeting from the plan, the station proposed (R3b).
    r3b.get_by_role("link", name="これらの機関を招いて支援調整会議を設定する").click()
    expect(page).to_have_url(f"{base}/meetings/new/?plan={plan.pk}")
    expect(page.locator("#plan-proposal")).to_contain_text("R3b")
    expect(page.get_by_label("支援調整会議", exact=True)).to_be_checked()
    expect(page.get_by_label(STATION, exact=True)).to_be_checked()
    field(page, "件名").fill(MEETING)
    field(page, "日付").fill(format_wareki(today))
    field(page, "開始時刻").fill("14:00")
    field(page, "場所").fill(f"{CITY_SR} 相談室")
    page.get_by_label(f"{NAMES['sr-staff']}（{CITY_SR}）").check()
    page.get_by_label(f"{NAMES['station-staff']}（{STATION}）").check()
    page.get_by_role("main").get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("会議を設定しました。")
    meeting = Meeting.objects.get()
    assert meeting.kind == MeetingKind.COORDINATION
    assert set(meeting.members.all()) == {world.city_self_reliance, world.city_station}
    members = page.locator("#members")
    expect(members).to_contain_text(STATION)

    # Her case is proposed for the agenda; without her consent to the meeting, the form links
    # to recording one naming the meeting (P1).
    agenda_add = page.get_by_role("region", name="事例を議題にする")
    expect(page.get_by_label(re.compile("^ケース"))).to_have_value(str(s.case.pk))
    missing = page.locator("#consent-missing")
    expect(missing).to_contain_text("この会議への有効な同意がありません（P1）")
    missing.get_by_role("link", name="この会議を提供先とする本人の同意を記録する").click()
    form = page.locator("main form[method=post]").last
    expect(form.get_by_label(re.compile("^または支援調整会議の構成機関"))).to_have_value(
        str(meeting.pk)
    )
    expect(form.get_by_label("本人", exact=True)).to_be_checked()
    form.get_by_label("本人確認情報・連絡先").check()
    form.get_by_label("状況と本人の意向").check()
    form.get_by_label("支援計画と経過").check()
    until = today + datetime.timedelta(days=365)
    form.get_by_label(re.compile("^有効期限")).fill(format_wareki(until))
    form.get_by_label("署名した同意書（スキャンを添付）").check()
    scan: FilePayload = {
        "name": "consent.pdf",
        "mimeType": "application/pdf",
        "buffer": b"%PDF-1.4 signed consent",
    }
    form.get_by_label("署名済み同意書のスキャン").set_input_files(files=[scan])
    form.get_by_role("button", name="同意を記録する").click()

    # Back on the meeting page with her case and that consent chosen: on the agenda.
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting.pk}/\?"))
    expect(page.get_by_label(re.compile("^ケース"))).to_have_value(str(s.case.pk))
    consent = s.case.person.consents.get()
    assert consent.recipient_meeting_id == meeting.pk
    expect(page.get_by_label(re.compile("^この会議についての本人の同意"))).to_have_value(
        str(consent.pk)
    )
    agenda_add.get_by_role("button", name="議題にする").click()
    expect(page.locator(".messages")).to_contain_text("事例を議題にしました。")
    item = AgendaItem.objects.get(meeting=meeting)
    row = page.locator(f"#item-{item.pk}")
    expect(row).to_contain_text("岡林 美咲")
    expect(row).to_contain_text(f"同意 #{consent.pk}")

    # Step 3: the station sees her on the meeting's agenda ...
    log_in(page, base, "station-staff")
    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="会議").click()
    page.get_by_role("link", name=MEETING).click()
    row = page.locator(f"#item-{item.pk}")
    expect(row.locator("h3")).to_have_text(f"{s.case.number} 岡林 美咲")
    expect(row).to_contain_text(CITY_SR)
    expect(row).to_contain_text("支援計画と経過")

    # ... reads her plan, read-only, as shared by the self-reliance agency (typing its address:
    # the meeting page links it too, see the test below) ...
    page.goto(f"{base}/plans/{plan.pk}/")
    expect(page.locator("#shared-notice")).to_contain_text(f"{CITY_SR}から")
    expect(page.get_by_role("main")).to_contain_text(HER_WISHES)
    expect(page.get_by_role("main")).to_contain_text("自宅への訪問による見守りと傾聴")
    expect(page.get_by_role("main").get_by_role("button")).to_have_count(0)
    expect(page.get_by_role("link", name="案を変更する")).to_have_count(0)
    assert page.request.get(f"{base}/plans/{plan.pk}/edit/").status == 404

    # ... and nothing else of the agency: another person, his case and his plan answer 404.
    other = s.other_case
    for path in (
        f"/people/{other.person_id}/",
        f"/people/cases/{other.pk}/",
        f"/plans/{s.other_plan.pk}/",
        f"/people/cases/{s.case.pk}/",  # her case itself: only what she consented to
    ):
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 404, path

    # Step 4: back at the self-reliance agency, the minutes and the decision of the meeting ...
    log_in(page, base, "sr-staff")
    page.goto(f"{base}/meetings/{meeting.pk}/")
    page.locator(f"#item-{item.pk}").get_by_role("link", name="議事録・決定事項を記録").click()
    field(page, "議事録").fill(MINUTES)
    field(page, "決定事項").select_option(label="プラン承認")
    field(page, "決定事項の補足").fill("3か月後にモニタリング")
    page.get_by_role("button", name="議事録を保存する").click()
    expect(page.locator(".messages")).to_contain_text("議事録を保存しました。")
    row = page.locator(f"#item-{item.pk}")
    expect(row.locator(".minutes")).to_contain_text(MINUTES)
    expect(row).to_contain_text("プラン承認")

    # ... the plan approved at the meeting, from the plan page ...
    row.get_by_role("link", name=re.compile("岡林 美咲")).click()
    page.get_by_role("region", name="支援プラン").get_by_role(
        "link", name=re.compile("支援プラン")
    ).first.click()
    expect(page).to_have_url(f"{base}/plans/{plan.pk}/")
    approval = page.get_by_role("region", name="支援調整会議と支援決定")
    approval.get_by_label(re.compile("^承認した支援調整会議")).select_option(str(item.pk))
    approval.get_by_role("button", name="承認を記録する").click()
    expect(page.locator(".messages")).to_contain_text("支援調整会議でプランが承認されたこと")
    expect(page.locator("#plan-state-badge")).to_have_text("会議で承認")
    expect(page.locator("#finding-r3b_invite")).to_have_count(0)  # the station was there

    # ... the municipality's support decision ...
    approval = page.get_by_role("region", name="支援調整会議と支援決定")
    expect(field(approval, "支援決定日")).to_have_value(format_wareki(today))
    field(approval, "支援決定を行った自治体").fill("高知市")
    approval.get_by_role("button", name="支援決定を記録する").click()
    expect(page.locator(".messages")).to_contain_text("支援決定を記録しました。")
    expect(page.locator("#plan-state-badge")).to_have_text("支援決定済み")
    approval = page.get_by_role("region", name="支援調整会議と支援決定")
    expect(approval).to_contain_text(MEETING)
    expect(approval).to_contain_text("高知市")

    # ... and, due for review today, the plan is on the home page's reviews panel.
    page.goto(f"{base}/")
    reviews = page.get_by_role("region", name="プランの見直し（モニタリング）時期")
    due = reviews.locator(f"#review-{plan.pk}")
    expect(due).to_contain_text("岡林 美咲")
    expect(due).to_contain_text(format_wareki(today))
    expect(due).to_contain_text("支援決定済み")

    plan.refresh_from_db()
    item.refresh_from_db()
    assert plan.state == PlanState.DECIDED and plan.approved_item == item
    assert (plan.decided_by, plan.decided_on, plan.review_on) == ("高知市", today, today)
    assert item.decision == AgendaDecision.PLAN_APPROVED and item.minutes == MINUTES


def test_walkthrough_d_the_station_opens_her_plan_from_the_meeting_page(
    page: Page, live_server: Any, story: Story
) -> None:
    s, base, world = story, live_server.url, story.world
    sr, today = world.sr_staff, timezone.localdate()
    plan = plans.create_plan(
        sr,
        s.case,
        {"mode": "goals", "person_wishes": HER_WISHES, "starts_on": today,
         "ends_on": today + datetime.timedelta(days=180), "review_on": today},
        goals=[{"term": "short", "text": "週に1回、居場所に通う"}],
        items=[{"what": "居場所の利用", "service": "place",
                "responsible_agency": world.city_station, "goal": 0}],
    )  # fmt: skip
    meeting = meetings.create_meeting(
        sr,
        world.city_self_reliance,
        {"kind": MeetingKind.COORDINATION, "title": MEETING, "held_on": today,
         "purpose": "支援プランの検討と役割分担"},
        members=[world.city_station],
    )  # fmt: skip
    consent = make_consent(
        sr, s.case.person, None,  # type: ignore[arg-type]
        ["identity", "situation", "plan"], case=s.case, recipient_meeting=meeting,
        purpose="支援調整会議で支援プランを検討するため",
    )  # fmt: skip
    item = meetings.add_agenda_item(sr, meeting, s.case, consent=consent)
    plans.approve_plan(sr, plan, item)

    log_in(page, base, "station-staff")
    page.goto(f"{base}/meetings/{meeting.pk}/")
    row = page.locator(f"#item-{item.pk}")
    expect(row).to_contain_text("支援プラン（第1版）")
    row.get_by_role("link", name="支援プラン（第1版）").click(timeout=3_000)
    expect(page.locator("#shared-notice")).to_contain_text(f"{CITY_SR}から")
