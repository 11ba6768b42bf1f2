"""Demo of the referral issue (つなぎ, issue 5): suggestions, introductions, reminders, the letter.

Written through the services as the demo users, after the casebook and walkthrough A's referral
(`sharing.py`), so every row has its audit events, as real use would:

- at the adult center (demo-staff), the 森田 household in 高知市 (an 8050 household with debt
  and a son in the crisis pathway): its panel shows R8 (suicide-prevention window), R2 resolved
  to 高知市's self-reliance agency (J2), R7 地域包括支援センター for the father and 多重債務相談
  for the debt, and R6 set aside with its reason (a dismissed suggestion);
- walkthrough G: a woman in いの町 (a town without a welfare office) at the adult center: R2
  resolves to the prefecture's self-reliance agency for the town;
- walkthrough B: a 17-year-old at the child center (demo-child-staff) who turns 18 in 60 days:
  J5 proposes the hand-over to the adult center;
- walkthrough C: the 35-year-old at 高知市's self-reliance agency (demo-sr-staff) gets
  introductions (R3a) to the hikikomori center and to the family association; no data passes;
- a referral by letter to Hello Work (no account): sent, its receipt recorded by the sender from
  a phone call; its 紹介状 is printable;
- an R2 referral sent 4 business days ago and not received: a reminder on both agencies'
  dashboards;
- a hand-over (R5) to the self-reliance agency accepted but without first contact 21 days after
  the center's support ended: waiting too long, on both sides.

Dates are relative to today, names fixed and addresses drawn from `random.Random(seed)`, so the
same seed gives the same data. Built once (the 森田 household is the marker); `reset_sharing`
removes the referral rows and `reset_people` the persons, as for the rest of the demo.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from tsunagi.access.models import Grant
from tsunagi.accounts.models import User
from tsunagi.agencies.calendar import subtract_business_days
from tsunagi.agencies.models import Agency
from tsunagi.jurisdictions.models import Municipality
from tsunagi.people import services as people
from tsunagi.people.choices import (
    Channel,
    Connection,
    Employment,
    Finance,
    GoingOut,
    Housing,
    Informant,
    Initiator,
    Level,
    Problem,
    Relationship,
)
from tsunagi.people.models import Case, Household, Person
from tsunagi.referrals.models import Introduction, Referral, ReferralEvent

from .cast import ADULT_CENTER, CHILD_CENTER, KOCHI_CITY, KOCHI_CITY_SELF_RELIANCE
from .kochi import INO
from .specs import DEMO_SOURCE_PREFIX, Place, phone, random_address

STAFF = "demo-staff"
SR_STAFF = "demo-sr-staff"
CHILD_STAFF = "demo-child-staff"
HELLO_WORK = "39.linked.hello-work"
FAMILY_ASSOCIATION = "39.linked.family"
MORITA_HOUSEHOLD = "森田 世帯"  # the marker: built once
STORY_C = "失業して家賃が払えない"  # the casebook's walkthrough C person (problem notes)
STORY_HELLO_WORK = "寮を出され"  # the casebook's 22-year-old looking for work
NOT_RECEIVED_BUSINESS_DAYS = 4
HANDOVER_ENDED_DAYS = 21
TURNS_18_IN_DAYS = 60


def _agency(key: str) -> Agency | None:
    return Agency.objects.filter(source=f"{DEMO_SOURCE_PREFIX}{key}").first()


def _scan() -> Any:
    from .sharing import _scan as scan

    return scan()


def _birth(today: datetime.date, years: int, days: int = 100) -> datetime.date:
    day = today - datetime.timedelta(days=days)
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return (day - datetime.timedelta(days=1)).replace(year=day.year - years)


def _story_case(agency: Agency, notes: str) -> Case | None:
    return (
        Case.objects.filter(agency=agency, problem_notes__startswith=notes)
        .select_related("person")
        .order_by("pk")
        .first()
    )


@dataclass
class Demo:
    rng: random.Random
    places: dict[str, list[Place]]
    today: datetime.date
    now: datetime.datetime
    users: dict[str, User]
    center: Agency
    child_center: Agency
    sr: Agency
    municipalities: dict[str, Municipality]

    def home(self, code: str) -> dict[str, Any]:
        postal, address = random_address(self.rng, "高知県", self.places.get(code, []))
        return {
            "municipality": self.municipalities[code],
            "postal_code": postal,
            "address": address,
        }

    def at(self, days_ago: int, hour: int = 10) -> datetime.datetime:
        day = self.now - datetime.timedelta(days=days_ago)
        return day.replace(hour=hour, minute=0, second=0, microsecond=0)

    def person(
        self,
        actor: User,
        agency: Agency,
        name: tuple[str, str, str, str],
        sex: str,
        birth: datetime.date,
        home: dict[str, Any],
        **extra: Any,
    ) -> Person:
        family, given, family_kana, given_kana = name
        data = {
            "family_name": family,
            "given_name": given,
            "family_name_kana": family_kana,
            "given_name_kana": given_kana,
            "sex": sex,
            "birth_date": birth,
            **home,
            **extra,
        }
        return people.create_person(actor, agency, data, allow_duplicate=True)

    def intake(
        self,
        actor: User,
        person: Person,
        days_ago: int,
        summary: str,
        case_data: dict[str, Any],
        **contact: Any,
    ) -> Case:
        data = {
            "occurred_at": self.at(days_ago),
            "channel": Channel.PHONE,
            "initiator": Initiator.PERSON,
            "duration_minutes": 30,
            "summary": summary,
            **contact,
        }
        return people.record_contact(actor, data, person=person, case_data=case_data).case

    def consent(self, actor: User, case: Case, to: Agency, purpose: str, days_ago: int) -> Any:
        from tsunagi.consent import services as consents

        return consents.record_consent(
            actor,
            case.person,
            {
                "given_by": "subject",
                "recipient_agency": to,
                "purpose": purpose,
                "kinds": ["identity", "situation"],
                "given_on": self.today - datetime.timedelta(days=days_ago),
                "valid_until": self.today + datetime.timedelta(days=365),
                "method": "signed_paper",
            },
            case=case,
            scan=_scan(),
        )


def backdate(referral: Referral, **moments: datetime.datetime) -> None:
    """Move a referral's steps (their timeline rows, and the grant) into the past, as if they had
    been taken then: the services stamp `now`. The draft and the consent confirmation move to
    just before the first of them."""
    before = min(moments.values()) - datetime.timedelta(minutes=30)
    Referral.objects.filter(pk=referral.pk).update(
        created_at=before, consent_confirmed_at=before, **moments
    )
    steps = {"sent_at": "sent", "received_at": "received", "decided_at": "accepted"}
    for name, moment in moments.items():
        ReferralEvent.objects.filter(referral=referral, step=steps[name]).update(at=moment)
    ReferralEvent.objects.filter(
        referral=referral, step__in=["drafted", "consent_confirmed"]
    ).update(at=before)
    if referral.grant_id and "sent_at" in moments:
        Grant.objects.filter(pk=referral.grant_id).update(starts_at=moments["sent_at"])


def build_referrals(seed: int, places: dict[str, list[Place]]) -> Counter[str]:
    """Create the referral issue's demo once; what was created."""
    from tsunagi.referrals import services as referrals

    created: Counter[str] = Counter()
    center, child_center = _agency(ADULT_CENTER), _agency(CHILD_CENTER)
    sr, hello_work = _agency(KOCHI_CITY_SELF_RELIANCE), _agency(HELLO_WORK)
    users = {
        u.username: u for u in User.objects.filter(username__in=[STAFF, SR_STAFF, CHILD_STAFF])
    }
    if center is None or child_center is None or sr is None or len(users) < 3:
        return created
    if Household.objects.filter(agency=center, name=MORITA_HOUSEHOLD).exists():
        return created  # already built
    today = timezone.localdate()
    demo = Demo(
        rng=random.Random(f"{seed}:referrals"),
        places=places,
        today=today,
        now=timezone.now(),
        users=users,
        center=center,
        child_center=child_center,
        sr=sr,
        municipalities={m.code: m for m in Municipality.objects.filter(code__in=[KOCHI_CITY, INO])},
    )
    staff, sr_staff = users[STAFF], users[SR_STAFF]

    # --- the adult center's panel: R8, R2 (J2: 高知市), R7 elderly care and debt; R6 set aside
    home = demo.home(KOCHI_CITY)
    son = demo.person(staff, center, ("森田", "浩二", "モリタ", "コウジ"), "male",
                      _birth(today, 47), home, avoided_contact=["home_visit"])  # fmt: skip
    father = demo.person(staff, center, ("森田", "茂", "モリタ", "シゲル"), "male",
                         _birth(today, 80), home, phone=phone(demo.rng, "088"))  # fmt: skip
    people.create_household(
        staff, center, MORITA_HOUSEHOLD, [(son, Relationship.SELF), (father, Relationship.PARENT)]
    )
    morita = demo.intake(
        staff,
        son,
        12,
        "父から息子について電話相談",
        {
            "problems": [Problem.HIKIKOMORI, Problem.INCOME, Problem.DEBT, Problem.CARE],
            "main_problem": Problem.HIKIKOMORI,
            "problem_notes": "息子が会社を辞めてから10年ほど家にこもっている。"
            "借金の督促が来ている。自分（父）も足腰が弱ってきた。",
        },
        initiator=Initiator.FAMILY,
        initiator_person=father,
    )
    people.record_assessment(
        staff,
        morita,
        {
            "assessed_on": today - datetime.timedelta(days=5),
            "informant": Informant.PERSON,
            "employment": Employment.UNEMPLOYED,
            "finance": Finance.SHORT,
            "income_sources": "父の年金",
            "debt": True,
            "debt_notes": "消費者金融2社から督促",
            "housing": Housing.RENTED,
            "household_member_needs_care": True,
            "care_notes": "父は足腰が弱り、買い物や通院が難しくなっている",
            "depression": True,
            "mental_health": Level.CONCERN,
            "going_out": GoingOut.HOME_ONLY,
            "connections": [Connection.FAMILY],
            "wishes": "借金のことを誰かに相談したい。父のことも心配",
        },
    )
    referrals.dismiss_suggestion(
        staff,
        morita,
        "R6",
        reason="本人は今は外出先を増やしたくないと話している。借金と父の介護の相談を先に進め、"
        "3か月後に再検討する。",
    )
    created["dismissed suggestions"] += 1

    # --- walkthrough G: いの町 has no welfare office: the prefecture's agency (J2)
    ino = demo.person(staff, center, ("岡田", "恵美", "オカダ", "エミ"), "female",
                      _birth(today, 50), demo.home(INO))  # fmt: skip
    g_case = demo.intake(
        staff,
        ino,
        20,
        "本人から電話相談",
        {
            "problems": [Problem.HIKIKOMORI, Problem.INCOME, Problem.FAMILY],
            "main_problem": Problem.HIKIKOMORI,
            "problem_notes": "母が亡くなってから家を出られない。貯金が減り、光熱費を滞納している。",
        },
    )
    people.record_assessment(
        staff,
        g_case,
        {
            "informant": Informant.PERSON,
            "employment": Employment.UNEMPLOYED,
            "finance": Finance.TIGHT,
            "arrears": True,
            "family_conflict": True,
            "going_out": GoingOut.NEIGHBOURHOOD,
            "wishes": "町の外の相談先でもいいので、お金のことを聞いてほしい",
        },
    )

    # --- walkthrough B: turning 18 at the child center (J4, J5)
    child_staff = users[CHILD_STAFF]
    birth = _birth(today + datetime.timedelta(days=TURNS_18_IN_DAYS), 18, days=0)
    teen = demo.person(child_staff, child_center, ("川島", "悠真", "カワシマ", "ユウマ"), "male",
                       birth, demo.home(KOCHI_CITY))  # fmt: skip
    b_case = demo.intake(
        child_staff,
        teen,
        300,
        "母から息子について来所相談",
        {
            "problems": [Problem.HIKIKOMORI, Problem.FAMILY],
            "main_problem": Problem.HIKIKOMORI,
            "problem_notes": "中学2年から不登校。高校は通信制に在籍しているが"
            "レポートが出せていない。",
        },
        channel=Channel.OFFICE_VISIT,
        initiator=Initiator.FAMILY,
        initiator_name="母",
    )
    people.record_assessment(
        child_staff,
        b_case,
        {
            "informant": Informant.PERSON,
            "employment": Employment.STUDENT,
            "going_out": GoingOut.HOBBY_ONLY,
            "connections": [Connection.FAMILY, Connection.INFORMATION],
            "wishes": "18歳になっても、今の相談の人と話せるなら続けたい",
        },
    )

    # --- walkthrough C at the self-reliance agency: introductions (R3a), no data passes
    c_case = _story_case(sr, STORY_C)
    family = _agency(FAMILY_ASSOCIATION)
    if c_case is not None:
        given = today - datetime.timedelta(days=3)
        referrals.record_introduction(
            sr_staff,
            c_case,
            {
                "given_on": given,
                "target_kind": "hikikomori_agency",
                "to_agency": center,
                "given_to": "person",
                "what_given": "センターのリーフレット、電話番号と開所時間。"
                "メールでも相談できること。",
                "rule": "R3a",
            },
        )
        referrals.record_introduction(
            sr_staff,
            c_case,
            {
                "given_on": given,
                "target_kind": "family_association",
                "to_agency": family,
                "to_name": "" if family else "こうちひきこもり家族会 つくしの会",
                "given_to": "person",
                "what_given": "家族会の定例会（毎月第2金曜）の案内チラシ",
                "rule": "R3a",
            },
        )
        created["introductions"] += 2

    # --- a referral by letter to Hello Work (no account): the sender records its answers
    hw_case = _story_case(sr, STORY_HELLO_WORK)
    if hw_case is not None and hello_work is not None:
        consent = demo.consent(
            sr_staff, hw_case, hello_work, "就職活動の支援（職業相談・職業紹介）のため", 2
        )
        letter = referrals.draft_referral(
            sr_staff,
            hw_case,
            to_agency=hello_work,
            purpose="一時生活支援事業を利用中です。住み込み以外の求人を中心に職業相談をお願いします。",
            rule="R7",
            consent=consent,
            wishes="寮のない仕事を探したい。早く自分の部屋を借りたい。",
            wishes_heard_on=today - datetime.timedelta(days=2),
        )
        letter = referrals.send_referral(sr_staff, letter)
        referrals.receive_referral(sr_staff, letter, answered_via="phone")
        created["referrals"] += 1

    # --- an R2 referral sent 4 business days ago and not received: reminders on both sides
    sent_day = subtract_business_days(today, NOT_RECEIVED_BUSINESS_DAYS)
    mobile = f"090-{demo.rng.randint(1000, 9999)}-{demo.rng.randint(0, 9999):04d}"
    nishioka = demo.person(staff, center, ("西岡", "誠", "ニシオカ", "マコト"), "male",
                           _birth(today, 41), demo.home(KOCHI_CITY), mobile=mobile)  # fmt: skip
    waiting = demo.intake(
        staff,
        nishioka,
        (today - sent_day).days + 20,
        "本人から電話相談",
        {
            "problems": [Problem.HIKIKOMORI, Problem.INCOME, Problem.RENT_ARREARS],
            "main_problem": Problem.HIKIKOMORI,
            "problem_notes": "派遣切りのあと3年ほど家にこもりがち。家賃を2か月滞納している。",
        },
    )
    consent = demo.consent(
        staff, waiting, sr, "家計と住まいの相談のため", (today - sent_day).days + 1
    )
    not_received = referrals.draft_referral(
        staff,
        waiting,
        to_agency=sr,
        purpose="家賃の滞納について、住居確保給付金と家計改善支援の相談をお願いします。",
        rule="R2",
        consent=consent,
        wishes="家を追い出されたくない。お金のことを一緒に考えてほしい。",
        wishes_heard_on=sent_day - datetime.timedelta(days=1),
    )
    not_received = referrals.send_referral(staff, not_received)
    backdate(not_received, sent_at=timezone.make_aware(
        datetime.datetime.combine(sent_day, datetime.time(10, 30))))  # fmt: skip
    created["referrals"] += 1

    # --- a hand-over (R5) accepted, no first contact 21 days after the center's support ended
    takeuchi = demo.person(staff, center, ("竹内", "翔", "タケウチ", "ショウ"), "male",
                           _birth(today, 26), demo.home(KOCHI_CITY))  # fmt: skip
    handover_case = demo.intake(
        staff,
        takeuchi,
        400,
        "本人からメールで相談",
        {
            "problems": [Problem.HIKIKOMORI, Problem.JOB_SEARCH],
            "main_problem": Problem.HIKIKOMORI,
            "problem_notes": "大学卒業後、家から出られない時期が続いた。最近は居場所に通えている。",
        },
        channel=Channel.ONLINE,
    )
    ended = today - datetime.timedelta(days=HANDOVER_ENDED_DAYS)
    consent = demo.consent(
        staff, handover_case, sr, "就労に向けた支援（就労準備支援）への引継ぎのため", 30
    )
    handover = referrals.draft_referral(
        staff,
        handover_case,
        to_agency=sr,
        purpose="居場所に週2回通えるようになりました。就労準備支援事業への引継ぎをお願いします。",
        rule="R5",
        consent=consent,
        wishes="そろそろ働く準備を始めたい。知らない人との面談は、最初は坂本さんと一緒がいい。",
        wishes_heard_on=today - datetime.timedelta(days=30),
        support_ends_on=ended,
    )
    handover = referrals.send_referral(staff, handover)
    handover = referrals.receive_referral(sr_staff, handover)
    handover = referrals.accept_referral(sr_staff, handover)
    backdate(
        handover,
        sent_at=demo.at(28),
        received_at=demo.at(27, hour=14),
        decided_at=demo.at(25, hour=11),
    )
    created["referrals"] += 1
    return created


# --- where to look ----------------------------------------------------------------------------


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def referrals_summary() -> list[str]:
    """Where to look in the referral demo, for the command's output."""
    lines: list[str] = []
    center = f"{DEMO_SOURCE_PREFIX}{ADULT_CENTER}"

    def case_of(**lookup: Any) -> Case | None:
        return Case.objects.filter(**lookup).order_by("pk").first()

    morita = case_of(agency__source=center, person__membership__household__name=MORITA_HOUSEHOLD,
                     person__given_name="浩二")  # fmt: skip
    if morita is not None:
        lines.append(
            f"suggestions R8, R2 (高知市's self-reliance agency), R7 地域包括・多重債務, R6 set "
            f"aside: case {morita.number} /people/cases/{morita.pk}/ (log in as {STAFF})"
        )
    ino = case_of(agency__source=center, person__family_name="岡田", person__given_name="恵美")
    if ino is not None:
        lines.append(
            f"walkthrough G: いの町 has no welfare office, R2 names the prefecture's agency: "
            f"/people/cases/{ino.pk}/"
        )
    teen = case_of(agency__source=f"{DEMO_SOURCE_PREFIX}{CHILD_CENTER}", person__family_name="川島")
    if teen is not None:
        lines.append(
            f"walkthrough B: turns 18 in {TURNS_18_IN_DAYS} days, J5 hand-over to the adult "
            f"center: /people/cases/{teen.pk}/ (log in as {CHILD_STAFF})"
        )
    intro = Introduction.objects.filter(
        agency__source=f"{DEMO_SOURCE_PREFIX}{KOCHI_CITY_SELF_RELIANCE}", rule="R3a"
    ).first()
    if intro is not None:
        lines.append(
            f"walkthrough C: introductions (R3a) at the self-reliance agency: "
            f"{_url('referrals:introductions')} and /people/cases/{intro.case_id}/ "
            f"(log in as {SR_STAFF})"
        )
    letter = Referral.objects.filter(
        by_letter=True, to_agency__source=f"{DEMO_SOURCE_PREFIX}{HELLO_WORK}"
    ).first()
    if letter is not None:
        lines.append(
            f"a referral by letter to ハローワーク高知 (no account): "
            f"{_url('referrals:detail', letter.pk)}, 紹介状 {_url('referrals:letter', letter.pk)} "
            f"(log in as {SR_STAFF})"
        )
    waiting = Referral.objects.filter(Q(agency__source=center), state="sent", rule="R2").first()
    if waiting is not None:
        lines.append(
            f"reminders: a referral not received for {NOT_RECEIVED_BUSINESS_DAYS} business days "
            f"and a hand-over waiting {HANDOVER_ENDED_DAYS} days (R5) on both dashboards: "
            f"{_url('referrals:waiting')} (as {STAFF} or {SR_STAFF})"
        )
    return lines
