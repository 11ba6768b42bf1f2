"""The referral statistics of one agency: hand counts over a small built situation equal the
figures (by rule and outcome, decline categories, days to acceptance, the hand-over gap of rule
R5, introductions, suggestions set aside); the period in either calendar; the screen with its
tables, charts and exports; the query count does not grow with the referrals; the outsider and
the user of no agency see nothing."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from tests.cast import Cast, make_cast
from tests.people import make_person, yamada_household
from tests.sharing import make_consent, make_referral, receiver
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Membership, Role
from tsunagi.agencies.models import Agency
from tsunagi.people import services as people
from tsunagi.people.models import Case
from tsunagi.referrals import services, stats
from tsunagi.referrals.models import (
    DeclineReason,
    Dismissal,
    Introduction,
    IntroductionTarget,
    Referral,
    ReminderSettings,
    State,
)

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
FY2024 = stats.Period(date(2024, 4, 1), date(2025, 3, 31))
TODAY = date(2025, 3, 20)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TOKYO)


@dataclass
class Built:
    sender: Agency
    receiver: Agency
    sender_user: Any
    receiver_user: Any
    case: Case
    closed_case: Case
    referrals: dict[str, Referral]


def build_situation(sender: Agency, sender_user: Any, to: Agency, to_user: Any) -> Built:
    """The sender's referrals of fiscal year 2024 (令和6年度), and one received from `to`:

    name        rule  sent        answer               state          first contact / end
    accepted    R2    05-02 10:00 accepted 05-08 00:30 accepted
    declined    R2    05-10       declined 05-13 area  declined
    contacted   R2    06-03       accepted 06-10       first_contact  06-20, ends 06-30 (gap 0)
    gap3        R2    06-03       accepted 06-05       first_contact  06-17, case closed 06-14
    cancelled   R7    07-01                            cancelled
    open        —     08-01                            sent           ends 20 days before TODAY
    recent      —     08-02                            received       ends 5 days before TODAY
    closed      R7    09-02       declined 09-03 cap.  closed
    next_year   R2    2025-04-02                       sent           (outside the period)
    draft       R2    not sent                         draft
    incoming    R3a   10-01 from `to`, declined by the sender's agency 10-02 (person's wish)
    """
    person = make_person(sender_user, sender, "統計", "太郎")
    case = people.open_case(sender_user, person, {"problems": ["hikikomori"]})
    closed_case = people.open_case(sender_user, person, {"problems": ["income"]})
    Case.objects.filter(pk=closed_case.pk).update(closed_on=date(2024, 6, 14))
    closed_case.refresh_from_db()
    other_person = make_person(to_user, to, "受信", "花子")
    other_case = people.open_case(to_user, other_person, {"problems": ["hikikomori"]})

    def referral(case: Case, state: str, rule: str = "", **fields: Any) -> Referral:
        from_agency = sender if case.agency_id == sender.pk else to
        return Referral.objects.create(
            agency=from_agency,
            person=case.person,
            case=case,
            to_agency=to if from_agency == sender else sender,
            rule=rule,
            purpose="統計のための紹介",
            wishes="相談したい",
            state=state,
            created_by=sender_user if from_agency == sender else to_user,
            **fields,
        )

    d = date
    made = {
        "accepted": referral(
            case, State.ACCEPTED, "R2",
            sent_at=at(d(2024, 5, 2)), decided_at=at(d(2024, 5, 8), 0, 30),
        ),
        "declined": referral(
            case, State.DECLINED, "R2", sent_at=at(d(2024, 5, 10)),
            decided_at=at(d(2024, 5, 13)), decline_category=DeclineReason.OUTSIDE_AREA,
            decline_reason="区域外",
        ),
        "contacted": referral(
            case, State.FIRST_CONTACT, "R2", sent_at=at(d(2024, 6, 3)),
            decided_at=at(d(2024, 6, 10)), first_contact_on=d(2024, 6, 20),
            support_ends_on=d(2024, 6, 30),
        ),
        "gap3": referral(
            closed_case, State.FIRST_CONTACT, "R2", sent_at=at(d(2024, 6, 3)),
            decided_at=at(d(2024, 6, 5)), first_contact_on=d(2024, 6, 17),
        ),
        "cancelled": referral(
            case, State.CANCELLED, "R7", sent_at=at(d(2024, 7, 1)),
            cancelled_at=at(d(2024, 7, 2)),
        ),
        "open": referral(
            case, State.SENT, "", sent_at=at(d(2024, 8, 1)),
            support_ends_on=TODAY - timedelta(days=20),
        ),
        "recent": referral(
            case, State.RECEIVED, "", sent_at=at(d(2024, 8, 2)),
            received_at=at(d(2024, 8, 2)), support_ends_on=TODAY - timedelta(days=5),
        ),
        "closed": referral(
            case, State.CLOSED, "R7", sent_at=at(d(2024, 9, 2)), decided_at=at(d(2024, 9, 3)),
            decline_category=DeclineReason.NO_CAPACITY, decline_reason="空きなし",
            closed_at=at(d(2024, 9, 4)),
        ),
        "next_year": referral(case, State.SENT, "R2", sent_at=at(d(2025, 4, 2))),
        "draft": referral(case, State.DRAFT, "R2"),
        "incoming": referral(
            other_case, State.DECLINED, "R3a", sent_at=at(d(2024, 10, 1)),
            decided_at=at(d(2024, 10, 2)),
            decline_category=DeclineReason.PERSON_DOES_NOT_WISH, decline_reason="本人が希望せず",
        ),
    }  # fmt: skip

    def introduction(kind: str, rule: str, given_on: date) -> None:
        Introduction.objects.create(
            agency=sender, person=person, case=case, given_on=given_on, target_kind=kind,
            to_name="地域の家族会", what_given="チラシ", rule=rule, created_by=sender_user,
        )  # fmt: skip

    introduction(IntroductionTarget.HIKIKOMORI_AGENCY, "R3a", d(2024, 4, 1))
    introduction(IntroductionTarget.HIKIKOMORI_AGENCY, "R3a", d(2025, 3, 31))
    introduction(IntroductionTarget.FAMILY_ASSOCIATION, "", d(2024, 11, 5))
    introduction(IntroductionTarget.PLACE, "R6", d(2025, 4, 1))  # next fiscal year

    def dismissal(rule: str, dismissed: datetime, restored: datetime | None = None) -> None:
        Dismissal.objects.create(
            agency=sender, case=case, rule=rule, code=rule.lower(), reason="本人が望まない",
            dismissed_by=sender_user, dismissed_at=dismissed, restored_at=restored,
            restored_by=sender_user if restored else None,
        )  # fmt: skip

    dismissal("R2", at(d(2024, 5, 1)))
    dismissal("R7", at(d(2024, 6, 1)), at(d(2024, 7, 1)))
    dismissal("R8", at(d(2024, 3, 31)), at(d(2024, 4, 2)))  # set aside the year before
    dismissal("R6", at(d(2024, 3, 1)))  # outside the period altogether
    return Built(sender, to, sender_user, to_user, case, closed_case, made)


@pytest.fixture
def cast() -> Cast:
    return make_cast()


@pytest.fixture
def built(cast: Cast) -> Built:
    return build_situation(cast.center, cast.users[Role.STAFF], cast.self_reliance, receiver(cast))


def figures(built: Built, period: stats.Period = FY2024) -> stats.ReferralStats:
    return stats.referral_stats(built.sender, period, today=TODAY)


def test_referrals_sent_by_rule_and_outcome_equal_the_hand_count(built: Built) -> None:
    sent = figures(built).sides[stats.SENT]
    zero = {key: 0 for key, _label in stats.OUTCOMES}
    assert sent.by_rule == {
        "R2": zero | {State.ACCEPTED: 1, State.DECLINED: 1, State.FIRST_CONTACT: 2},
        "R7": zero | {State.CANCELLED: 1, State.CLOSED: 1},
        "": zero | {stats.OPEN: 2},
    }
    assert list(sent.by_rule) == ["R2", "R7", ""]  # rules in order, "none" last
    assert sent.sent_total == 8  # not the draft, not the one sent next year


def test_referrals_received_are_counted_on_the_receiving_side(built: Built) -> None:
    received = figures(built).sides[stats.RECEIVED]
    assert received.by_rule == {"R3a": {key: 0 for key, _l in stats.OUTCOMES} | {"declined": 1}}
    theirs = stats.referral_stats(built.receiver, FY2024, today=TODAY)
    assert theirs.sides[stats.RECEIVED].sent_total == 8
    assert theirs.sides[stats.SENT].by_rule["R3a"][State.DECLINED] == 1


def test_declines_by_kind_of_reason_on_both_sides(built: Built) -> None:
    result = figures(built)
    # the closed one was declined first: its answer still counts on the day it was given
    assert result.sides[stats.SENT].declined == {"outside_area": 1, "no_capacity": 1}
    assert result.sides[stats.RECEIVED].declined == {"person_does_not_wish": 1}


def test_days_from_sending_to_acceptance_in_calendar_and_business_days(built: Built) -> None:
    acceptance = figures(built).sides[stats.SENT].acceptance
    # sent Thu 2 May, accepted just after midnight on 8 May (local time): 6 days, and only
    # 7 and 8 May are business days (3–6 May: holidays and a weekend); 3 June → 10 June: 7 and
    # 5; 3 June → 5 June: 2 and 2
    assert acceptance.days == stats.Summary(count=3, median=6, mean=5.0, max=7)
    assert acceptance.business_days == stats.Summary(count=3, median=2, mean=3.0, max=5)


def test_r5_gap_is_three_days_when_first_contact_is_three_days_after_the_case_closed(
    built: Built,
) -> None:
    gap3 = built.referrals["gap3"]
    assert gap3.case.closed_on == date(2024, 6, 14) and gap3.first_contact_on == date(2024, 6, 17)
    only = stats.referral_stats(built.sender, stats.Period(date(2024, 6, 17), date(2024, 6, 17)))
    assert only.sides[stats.SENT].handover.days == stats.Summary(1, 3, 3.0, 3)
    assert only.sides[stats.SENT].handover.no_gap == 0


def test_r5_overlap_of_the_two_supports_is_no_gap(built: Built) -> None:
    only = stats.referral_stats(built.sender, stats.Period(date(2024, 6, 20), date(2024, 6, 20)))
    handover = only.sides[stats.SENT].handover
    assert handover.days == stats.Summary(1, 0, 0.0, 0) and handover.no_gap == 1


def test_r5_gap_in_aggregate_and_open_hand_overs_waiting_too_long(built: Built) -> None:
    result = figures(built)
    handover = result.sides[stats.SENT].handover
    assert handover.days == stats.Summary(count=2, median=1.5, mean=1.5, max=3)
    assert handover.no_gap == 1
    # "open" ended 20 days ago (more than the default 14), "recent" 5 days ago
    assert result.handover_days == 14 and handover.waiting_too_long == 1
    # the receiving agency sees the same hand-overs as handed over to it
    theirs = stats.referral_stats(built.receiver, FY2024, today=TODAY)
    assert theirs.sides[stats.RECEIVED].handover.days.count == 2


def test_r5_waiting_too_long_follows_the_agencys_handover_days(built: Built) -> None:
    ReminderSettings.objects.create(agency=built.sender, handover_days=3)
    result = figures(built)
    assert result.handover_days == 3
    assert result.sides[stats.SENT].handover.waiting_too_long == 2


def test_introductions_by_target_kind_and_by_rule(built: Built) -> None:
    result = figures(built)
    assert result.introductions_by_kind == {"hikikomori_agency": 2, "family_association": 1}
    assert result.introductions_by_rule == {"R3a": 2, "": 1}


def test_suggestions_set_aside_and_shown_again_by_rule(built: Built) -> None:
    assert figures(built).dismissals == {"R2": (1, 0), "R7": (1, 1), "R8": (0, 1)}


def test_another_period_counts_only_what_happened_in_it(built: Built) -> None:
    may = stats.referral_stats(built.sender, stats.Period(date(2024, 5, 1), date(2024, 5, 31)))
    sent = may.sides[stats.SENT]
    assert sent.sent_total == 2 and sent.declined == {"outside_area": 1}
    assert may.introductions == {} and may.dismissals == {"R2": (1, 0)}


def test_tables_carry_the_same_numbers_with_japanese_headers(built: Built) -> None:
    found = {t.key: t for t in stats.tables(figures(built))}
    assert list(found) == list(stats.table_keys())
    by_rule = found["sent_by_rule"]
    assert by_rule.headers == [
        "ルール", "受け入れ", "お断り", "初回接触済み", "完了", "取り消し", "対応中", "合計",
    ]  # fmt: skip
    assert by_rule.rows[0] == ["R2", 1, 1, 2, 0, 0, 0, 4]
    assert by_rule.rows[-1] == ["合計", 1, 1, 2, 1, 1, 2, 8]
    assert found["handover"].rows[0][1:] == [2, 1.5, 1.5, 3, 1, 1]


# --- the period ---------------------------------------------------------------------------


def test_period_defaults_to_this_fiscal_year_april_to_march() -> None:
    assert stats.parse_period("", "", today=date(2025, 3, 31)) == FY2024
    assert stats.parse_period("", "", today=date(2025, 4, 1)).since == date(2025, 4, 1)


def test_period_in_either_calendar() -> None:
    assert stats.parse_period("令和6年4月1日", "R7.3.31") == FY2024
    assert stats.parse_period("2024-04-01", "") == FY2024
    assert stats.parse_period("", "２０２５年３月３１日") == FY2024


def test_bad_period_names_the_field_in_japanese() -> None:
    with pytest.raises(ValidationError) as caught:
        stats.parse_period("令和6年13月1日", "")
    assert "since" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        stats.parse_period("2025-04-01", "2024-04-01")
    assert caught.value.message_dict == {"until": ["期間の終わりが始まりより前です。"]}


# --- the number of queries ----------------------------------------------------------------


def test_the_number_of_queries_does_not_grow_with_the_referrals(
    built: Built, django_assert_max_num_queries: Any
) -> None:
    with CaptureQueriesContext(connection) as few:
        figures(built)
    for n in range(30):
        Referral.objects.create(
            agency=built.sender, person=built.case.person, case=built.case,
            to_agency=built.receiver, rule=f"R{n % 8}", purpose="p", state=State.FIRST_CONTACT,
            created_by=built.sender_user, sent_at=at(date(2024, 4, 1) + timedelta(days=n)),
            decided_at=at(date(2024, 4, 3) + timedelta(days=2 * n)),
            first_contact_on=date(2024, 5, 1) + timedelta(days=n), support_ends_on=date(2024, 5, 1),
        )  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        result = figures(built)
    assert result.sides[stats.SENT].sent_total == 38


def test_screen_query_count_does_not_grow_with_the_referrals(
    cast: Cast, built: Built, django_assert_max_num_queries: Any
) -> None:
    client = logged_in(cast.users[Role.STAFF])
    with CaptureQueriesContext(connection) as few:
        assert client.get("/referrals/stats/?since=R6.4.1&until=R7.3.31").status_code == 200
    for n in range(20):
        Referral.objects.create(
            agency=built.sender, person=built.case.person, case=built.case,
            to_agency=built.receiver, rule="R2", purpose="p", state=State.SENT,
            created_by=built.sender_user, sent_at=at(date(2024, 7, 1) + timedelta(days=n)),
        )  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/referrals/stats/?since=R6.4.1&until=R7.3.31").status_code == 200


# --- the screen ---------------------------------------------------------------------------


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_screen_shows_the_tables_and_charts_of_this_fiscal_year_by_default(
    cast: Cast, built: Built
) -> None:
    page = logged_in(cast.users[Role.MANAGER]).get("/referrals/stats/").content.decode()
    assert "紹介の統計" in page and cast.center.name in page
    assert "年度" in page and "4月1日" in page and "3月31日" in page
    assert "<script" not in page.split("<main", 1)[1].split("</main>")[0]  # no chart library
    assert "統計 太郎" not in page and "受信 花子" not in page  # aggregates only


def test_screen_shows_the_hand_counts_of_a_period_typed_in_wareki(cast: Cast, built: Built) -> None:
    page = (
        logged_in(cast.users[Role.STAFF])
        .get("/referrals/stats/", {"since": "令和6年4月1日", "until": "R7.3.31"})
        .content.decode()
    )
    assert "令和6年度" in page
    assert '<th scope="row">合計</th><td class="num">1</td><td class="num">1</td>' in page
    assert "ひきこもり支援機関" in page  # introductions by target kind
    assert '<svg class="stats-chart" role="img"' in page and "棒グラフ" in page


def test_screen_keeps_a_bad_period_and_says_what_is_wrong(cast: Cast, built: Built) -> None:
    response = logged_in(cast.users[Role.STAFF]).get(
        "/referrals/stats/", {"since": "令和6年4月", "until": "2024-03-01"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="令和6年4月"' in page and "field__error" in page
    assert "<svg" not in page


def test_screen_refuses_an_end_before_the_start_keeping_both(cast: Cast, built: Built) -> None:
    page = (
        logged_in(cast.users[Role.STAFF])
        .get("/referrals/stats/", {"since": "2025-04-01", "until": "2024-04-01"})
        .content.decode()
    )
    assert "期間の終わりが始まりより前です。" in page
    assert 'value="2025-04-01"' in page and 'value="2024-04-01"' in page


def test_excel_export_of_every_table_has_the_same_numbers(cast: Cast, built: Built) -> None:
    response = logged_in(cast.users[Role.AUDITOR]).get(
        "/referrals/stats/", {"since": "R6.4.1", "until": "R7.3.31", "format": "xlsx"}
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    # the open hand-overs waiting are counted today, as the screen does
    expected = stats.tables(stats.referral_stats(built.sender, FY2024))
    assert len(book.worksheets) == len(expected)
    for sheet, table in zip(book.worksheets, expected, strict=True):
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert rows[0] == [table.title] + [None] * (len(rows[0]) - 1)
        assert rows[1] == table.headers
        assert [[("" if v is None else v) for v in r] for r in rows[2:]] == table.rows
    assert AuditEvent.objects.filter(
        action="referral.stats_exported", agency_id=cast.center.pk
    ).exists()


def test_csv_export_of_one_table_with_japanese_headers(cast: Cast, built: Built) -> None:
    response = logged_in(cast.users[Role.STAFF]).get(
        "/referrals/stats/",
        {"since": "R6.4.1", "until": "R7.3.31", "format": "csv", "table": "sent_declined"},
    )
    text = response.content.decode("utf-8-sig").splitlines()
    assert text[0] == "お断りの理由の種類,お断り"
    assert text[-1] == "合計,2"


@pytest.mark.parametrize("who", ["outsider", "officer"])
def test_screen_of_another_agency_is_not_found_or_refused(
    cast: Cast, built: Built, who: str
) -> None:
    user = cast.outsider if who == "outsider" else cast.users[Role.MUNICIPAL_OFFICER]
    response = logged_in(user).get("/referrals/stats/", {"agency": cast.center.pk})
    assert response.status_code == (404 if who == "outsider" else 403)


def test_screen_refuses_the_user_of_no_agency(cast: Cast, built: Built) -> None:
    response = logged_in(cast.nobody).get("/referrals/stats/")
    assert response.status_code == 403 and cast.center.name not in response.content.decode()


def test_a_user_of_two_agencies_chooses_whose_statistics(cast: Cast, built: Built) -> None:
    staff = cast.users[Role.STAFF]
    Membership.objects.create(user=staff, agency=cast.self_reliance, role=Role.STAFF)
    client = logged_in(staff)
    page = client.get("/referrals/stats/").content.decode()
    assert '<select name="agency"' in page and cast.self_reliance.name in page
    page = client.get(
        "/referrals/stats/", {"agency": str(cast.self_reliance.pk), "since": "R6.4.1", "until": ""}
    ).content.decode()
    assert "当機関が受けた紹介" in page
    assert f'<option value="{cast.self_reliance.pk}" selected>' in page


def test_a_referral_declined_through_the_service_is_counted_today(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, son, case = yamada_household(staff, cast.center)
    consent = make_consent(staff, son, cast.self_reliance, case=case)
    referral = services.send_referral(
        staff, make_referral(staff, case, cast.self_reliance, consent)
    )
    services.decline_referral(
        receiver(cast), referral, reason="区域外です", category=DeclineReason.OUTSIDE_AREA
    )
    this_year = stats.fiscal_year(timezone.localdate())
    sent = stats.referral_stats(cast.center, this_year).sides[stats.SENT]
    assert sent.by_rule["R2"][State.DECLINED] == 1
    assert sent.declined == {"outside_area": 1}
    theirs = stats.referral_stats(cast.self_reliance, this_year).sides[stats.RECEIVED]
    assert theirs.declined == {"outside_area": 1}
