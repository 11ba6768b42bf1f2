"""The demo's hikikomori supporters in 高知県 (issue 7, rules S1-S8), built through the services.

- 高知県 (its office, `demo-prefectural`) ran a basic course of three sessions last spring; all
  12 trainees completed it (one missed session excused), peer supporters among them (S1);
- 9 signed the consent to act after the explanation, 3 did not (S2);
- the roster went to 高知市's office, which runs dispatch, and to いの町's office, which plans it;
  高知市 (`demo-coordinator`) confirmed 7 again (S3);
- a follow-up course this autumn for some of them;
- 高知市: an active dispatch for `demo-supporter` (中平 翔太) with 3 visits and the
  coordinator's advice (S4, S6); a stopped dispatch (S5); an incident being followed up (S8);
  a found case waiting for a decision (S7).

Deterministic: the same seed gives the same availability and areas; dates are counted from
today (last spring = April-May of this year from July on, of last year before). Idempotent: when
the demo supporters exist nothing is made again. `reset_supporters` removes exactly what this
made (supporters with source `demo:supporters:...` and the records of the demo offices).
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from typing import Any

from django.utils import timezone

from tsunagi.accounts.models import User
from tsunagi.agencies.models import Agency
from tsunagi.jurisdictions.models import Municipality

from .cast import DEMO_PASSWORD, KOCHI_CITY, KOCHI_CITY_OFFICE, PREFECTURAL_OFFICE
from .kochi import INO
from .specs import DEMO_SOURCE_PREFIX

PREFIX = "demo:supporters:"
INO_OFFICE = f"39.office.{INO}"
NANKOKU = "39204"
KONAN = "39211"
# (name, kana, sex, peer, home municipality code, postal code)
TRAINEES = (
    ("中平 翔太", "ナカヒラ ショウタ", "male", "lived_experience", KOCHI_CITY, "780-0850"),
    ("岡林 恵子", "オカバヤシ ケイコ", "female", "family", KOCHI_CITY, "780-0870"),
    ("浜田 健一", "ハマダ ケンイチ", "male", "", KOCHI_CITY, "780-0901"),
    ("西村 あゆみ", "ニシムラ アユミ", "female", "", NANKOKU, "783-0004"),
    ("山本 大輔", "ヤマモト ダイスケ", "male", "lived_experience", KOCHI_CITY, "780-8040"),
    ("小松 陽子", "コマツ ヨウコ", "female", "", KONAN, "781-5211"),
    ("竹内 誠", "タケウチ マコト", "male", "", KOCHI_CITY, "781-8010"),
    ("筒井 美香", "ツツイ ミカ", "female", "family", INO, "781-2110"),
    ("北村 直人", "キタムラ ナオト", "", "", KOCHI_CITY, "780-0052"),
    # did not sign the consent (S2): trained, not on the roster
    ("森田 彩", "モリタ アヤ", "female", "", KOCHI_CITY, "780-0861"),
    ("吉村 修", "ヨシムラ オサム", "male", "", NANKOKU, "783-0005"),
    ("野村 千尋", "ノムラ チヒロ", "female", "", KOCHI_CITY, "780-0822"),
)
CONSENTED = 9
CONFIRMED = 7  # by 高知市
SLOTS = (
    "weekday_morning",
    "weekday_afternoon",
    "weekday_evening",
    "weekend_morning",
    "weekend_afternoon",
)


def _spring(today: datetime.date) -> int:
    return today.year if today.month >= 7 else today.year - 1


def _agency(key: str) -> Agency | None:
    return Agency.objects.filter(source=f"{DEMO_SOURCE_PREFIX}{key}").first()


def build_supporters(seed: int) -> Counter[str]:
    """Create the demo's supporters programme once; what was created."""
    from tsunagi.people import services as people
    from tsunagi.supporters import services as sv
    from tsunagi.supporters.models import (
        CourseKind,
        IncidentKind,
        Requester,
        RosterEntry,
        RosterReleaseKind,
        Severity,
        Supporter,
    )

    created: Counter[str] = Counter()
    office = _agency(PREFECTURAL_OFFICE)
    city_office = _agency(KOCHI_CITY_OFFICE)
    ino_office = _agency(INO_OFFICE)
    users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    officer = users.get("demo-prefectural")
    coordinator = users.get("demo-coordinator")
    supporter_user = users.get("demo-supporter")
    if None in (office, city_office, officer, coordinator, supporter_user):
        return created
    if Supporter.objects.filter(source__startswith=PREFIX).exists():
        return created
    assert office is not None and city_office is not None
    rng = random.Random(seed)
    today = timezone.localdate()
    year = _spring(today)
    towns = {m.code: m for m in Municipality.objects.filter(prefecture_id=office.prefecture_id)}

    # --- S1: the basic course of last spring, three sessions, and a follow-up course
    s1, s2, s3 = (
        datetime.date(year, 4, 12),
        datetime.date(year, 4, 26),
        datetime.date(year, 5, 17),
    )
    course = sv.create_course(
        officer,
        office,
        {
            "kind": CourseKind.BASIC,
            "title": f"{year}年度 ひきこもりサポーター養成研修",
            "description": (
                "ひきこもりの理解、家族支援、訪問時の心構えと守秘義務を学ぶ全3回の研修。"
            ),
            "place": "高知県立ふくし交流プラザ",
            "starts_on": s1,
            "ends_on": s3,
            "capacity": 20,
            "commissioned_to": "高知県ひきこもり家族会連合会",
        },
        sessions=[
            {"held_on": s1, "topic": "ひきこもりの理解と当事者の声", "format": "lecture"},
            {"held_on": s2, "topic": "家族への支援と地域資源", "format": "group_work"},
            {"held_on": s3, "topic": "訪問の心構え・守秘義務・ロールプレイ", "format": "practice"},
        ],
    )
    created["training courses"] += 1
    sessions = list(course.sessions.all())
    supporters: list[Any] = []
    for n, (name, kana, sex, peer, home, postal) in enumerate(TRAINEES):
        codes = [home, KOCHI_CITY] + ([INO] if n % 3 == 0 else [])
        areas = [towns[c] for c in dict.fromkeys(codes) if c in towns]
        s = sv.register_trainee(
            officer,
            office.prefecture_id,
            {
                "name": name,
                "name_kana": kana,
                "sex": sex,
                "peer": peer,
                "postal_code": postal,
                "municipality": towns.get(home),
                "birth_year": 1960 + rng.randint(0, 35),
                "phone": f"090-{4100 + n:04d}-{rng.randint(1000, 9999):04d}",
                "availability": sorted(rng.sample(SLOTS, 2)),
                "languages": ["ja", "en"] if n == 3 else ["ja"],
                "preferences": "土日の午後が動きやすいです。" if n % 4 == 1 else "",
            },
            areas=areas,
        )
        Supporter.objects.filter(pk=s.pk).update(source=f"{PREFIX}{n + 1}")
        enrolment = sv.enrol(officer, course, s)
        supporters.append((s, enrolment))
    created["supporters"] += len(supporters)
    everyone = [s for s, _ in supporters]
    sv.record_attendance(officer, sessions[0], everyone)
    sv.record_attendance(officer, sessions[1], [s for s in everyone if s is not everyone[8]])
    sv.record_attendance(officer, sessions[2], everyone)
    for n, (_s, enrolment) in enumerate(supporters):
        sv.complete(
            officer,
            enrolment,
            completed_on=s3,
            excuse="第2回は録画視聴とレポートで補講" if n == 8 else "",
        )
    # --- S2: nine signed the consent after the explanation
    for n, (s, _) in enumerate(supporters[:CONSENTED]):
        sv.record_consent(officer, s, signed_on=s3 + datetime.timedelta(days=7 + n), explained=True)
    lead = everyone[0]
    Supporter.objects.filter(pk=lead.pk).update(user=supporter_user)
    sv.give_account(officer, everyone[1], username="demo-supporter-2", password=DEMO_PASSWORD)
    created["supporter accounts"] += 2
    # follow-up training this autumn (or 60 days ago), for six of them
    follow_day = min(today - datetime.timedelta(days=60), datetime.date(year, 10, 18))
    follow_day = max(follow_day, s3 + datetime.timedelta(days=30))
    follow = sv.create_course(
        officer,
        office,
        {
            "kind": CourseKind.FOLLOW_UP,
            "title": f"{year}年度 ひきこもりサポーター継続研修（事例検討）",
            "place": "高知県立ふくし交流プラザ",
            "starts_on": follow_day,
            "ends_on": follow_day,
        },
        sessions=[{"held_on": follow_day, "topic": "訪問事例の振り返り", "format": "group_work"}],
    )
    created["training courses"] += 1
    follow_ups = [sv.enrol(officer, follow, s) for s in everyone[:6]]
    sv.record_attendance(officer, follow.sessions.get(), everyone[:6])
    for e in follow_ups:
        sv.complete(officer, e, completed_on=follow_day)
    # --- S3: the roster to 高知市 (runs dispatch) and いの町 (plans it); 高知市 confirms 7
    given = s3 + datetime.timedelta(days=30)
    sv.give_roster(officer, city_office, dispatch_status=RosterReleaseKind.RUNS, given_on=given)
    created["roster hand-overs"] += 1
    if ino_office is not None:
        sv.give_roster(officer, ino_office, dispatch_status=RosterReleaseKind.PLANS, given_on=given)
        created["roster hand-overs"] += 1
    entries = RosterEntry.objects.filter(agency=city_office, supporter__in=everyone[:CONFIRMED])
    for entry in entries:
        sv.confirm_entry(
            coordinator, entry, wishes_to_act=True, on=given + datetime.timedelta(days=14)
        )
        created["roster confirmations"] += 1

    # --- S4-S8: dispatches of 高知市
    def person(family: str, given_name: str, kana: str, postal: str) -> Any:
        return people.create_person(
            coordinator,
            city_office,
            {
                "family_name": family,
                "given_name": given_name,
                "family_name_kana": kana.split()[0],
                "given_name_kana": kana.split()[1],
                "postal_code": postal,
                "municipality": towns.get(KOCHI_CITY),
            },
            allow_duplicate=True,
        )

    started = today - datetime.timedelta(days=42)
    son = person("吉川", "悠斗", "ヨシカワ ユウト", "780-0850")
    active = sv.request_dispatch(
        coordinator,
        son,
        {
            "requested_on": started - datetime.timedelta(days=14),
            "requested_by": Requester.FAMILY,
            "requester_name": "吉川 和子（母）",
            "person_wish": "同じような経験のある人となら、家で少し話してもいい。",
            "wants_peer": True,
            "wanted_slots": ["weekday_afternoon"],
        },
    )
    active = sv.match(coordinator, active, lead)
    active = sv.write_plan(
        coordinator,
        active,
        {
            "purpose": "家族以外の人と安心して話せる時間をつくる",
            "activity_plan": "週1回、平日午後に自宅を訪問（1回60分程度）。3か月後に振り返り。",
            "activities": "話し相手、趣味（ゲーム・音楽）の話、外出の希望があれば近所の散歩",
            "starts_on": started,
        },
    )
    active = sv.record_consents(
        coordinator,
        active,
        person_consent_on=started - datetime.timedelta(days=3),
        person_consent_by=Requester.PERSON,
        supporter_consent_on=started - datetime.timedelta(days=3),
    )
    active = sv.start(coordinator, active)
    created["dispatches"] += 1
    visits = []
    notes = (
        ("family_only", "本人は部屋から出てこなかった。母と30分話し、手紙を置いてきた。", ""),
        ("person", "本人が居間に出てきた。好きなゲームの話を15分ほどできた。", ""),
        ("person", "一緒に近所のコンビニまで歩いた。帰り道で段差につまずき膝を擦りむいた。",
         "本人がけがをした（軽傷）。"),
    )  # fmt: skip
    for n, (met, what, concerns) in enumerate(notes):
        day = started + datetime.timedelta(days=7 + n * 14)
        visits.append(
            sv.record_visit(
                supporter_user,
                active,
                {
                    "visited_on": day,
                    "started_at": datetime.time(14, 0),
                    "duration_minutes": 60,
                    "place": "outside" if n == 2 else "home",
                    "met": met,
                    "what_happened": what,
                    "concerns": concerns,
                    "next_visit_on": day + datetime.timedelta(days=14),
                },
            )
        )
    created["visit reports"] += len(visits)
    sv.give_guidance(
        coordinator,
        active,
        text="焦らず本人のペースで。外出は本人から希望が出たときだけにしましょう。",
        report=visits[1],
    )
    created["guidance"] += 1
    # S8: an incident on the third visit, acknowledged and being followed up
    occurred = timezone.make_aware(
        datetime.datetime.combine(visits[2].visited_on, datetime.time(14, 40))
    )
    incident = sv.report_incident(
        supporter_user,
        active,
        {
            "occurred_at": occurred,
            "kind": IncidentKind.INJURY,
            "severity": Severity.MINOR,
            "what_happened": "散歩中に本人が段差につまずき、右膝を擦りむいた。",
            "immediate_action": "持参の救急セットで手当てし、帰宅後に母へ説明した。",
            "visit": visits[2],
        },
    )
    sv.acknowledge_incident(coordinator, incident)
    sv.add_incident_step(
        coordinator, incident, what="母に電話で様子を確認。通院は不要とのこと。",
        taken_on=visits[2].visited_on,
    )  # fmt: skip
    created["incidents"] += 1
    # S5: a dispatch stopped at the family's request
    daughter = person("松岡", "真央", "マツオカ マオ", "780-0870")
    stopped = sv.request_dispatch(
        coordinator,
        daughter,
        {
            "requested_on": today - datetime.timedelta(days=90),
            "requested_by": Requester.PERSON,
            "requester_name": "松岡 真央",
            "person_wish": "女性の方に来てほしい。",
            "wants_sex": "female",
            "wanted_slots": ["weekend_afternoon"],
        },
    )
    stopped = sv.match(coordinator, stopped, everyone[1])
    stopped = sv.write_plan(
        coordinator,
        stopped,
        {
            "purpose": "生活リズムを整えるきっかけづくり",
            "activity_plan": "隔週土曜の午後に訪問",
            "activities": "話し相手、手芸",
            "starts_on": today - datetime.timedelta(days=80),
        },
    )
    stopped = sv.record_consents(
        coordinator,
        stopped,
        person_consent_on=today - datetime.timedelta(days=82),
        supporter_consent_on=today - datetime.timedelta(days=82),
    )
    stopped = sv.start(coordinator, stopped)
    sv.stop(
        coordinator,
        stopped,
        requested_by="person",
        reason="本人から、しばらく一人で過ごしたいと申し出があった。",
    )
    created["dispatches"] += 1
    # S7: a found case waiting for 高知市's decision
    sv.report_found_case(
        supporter_user,
        city_office,
        {
            "where": "高知市 朝倉地区（訪問先の近所）",
            "description": (
                "近所の方から、40代の息子さんが何年も家から出ていないと聞いた。"
                "高齢の母親と二人暮らし。"
            ),
            "estimated_age": 45,
            "urgent": False,
        },
    )
    created["found cases"] += 1
    return created


def reset_supporters() -> Counter[str]:
    """Delete the demo's supporters programme: the demo offices' dispatch work (with the
    dispatch grants), rosters and courses, and the demo supporters."""
    from tsunagi.access.models import Grant
    from tsunagi.supporters.models import (
        Dispatch,
        FoundCase,
        Guidance,
        Incident,
        RosterEntry,
        RosterRelease,
        Supporter,
        TrainingCourse,
        VisitReport,
    )

    removed: Counter[str] = Counter()
    agencies = Agency.objects.filter(source__startswith=DEMO_SOURCE_PREFIX)
    supporters = Supporter.objects.filter(source__startswith=PREFIX)
    dispatches = Dispatch.objects.filter(agency__in=agencies)
    grants = list(dispatches.exclude(grant=None).values_list("grant_id", flat=True))
    for label, qs in (
        ("incidents", Incident.objects.filter(dispatch__in=dispatches)),
        ("guidance", Guidance.objects.filter(dispatch__in=dispatches)),
        ("visit reports", VisitReport.objects.filter(dispatch__in=dispatches)),
        ("dispatches", dispatches),
        ("found cases", FoundCase.objects.filter(agency__in=agencies)),
        ("roster entries", RosterEntry.objects.filter(agency__in=agencies)),
        ("roster hand-overs", RosterRelease.objects.filter(agency__in=agencies)),
        ("training courses", TrainingCourse.objects.filter(organiser__in=agencies)),
        ("supporters", supporters),
    ):
        count = qs.count()
        if count:
            qs.delete()
            removed[label] += count
    if grants:
        Grant.objects.filter(pk__in=grants).delete()
    return removed


def supporters_counts() -> dict[str, int]:
    from tsunagi.supporters.models import Dispatch, RosterEntry, Supporter, TrainingCourse

    agencies = Agency.objects.filter(source__startswith=DEMO_SOURCE_PREFIX)
    return {
        "training courses": TrainingCourse.objects.filter(organiser__in=agencies).count(),
        "supporters": Supporter.objects.filter(source__startswith=PREFIX).count(),
        "roster entries": RosterEntry.objects.filter(agency__in=agencies).count(),
        "dispatches": Dispatch.objects.filter(agency__in=agencies).count(),
    }
