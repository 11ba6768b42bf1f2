"""Walkthrough F, a hikikomori supporter's dispatch, through the HTTP API (scenarios.md; rules
S1-S8).

高知県 runs a supporter training course; 12 people finish it; 9 sign the consent to act (S2) and
3 do not. The roster of 9 goes to the two municipalities that run dispatch (高知市 and 南国市);
高知市 re-confirms 7 (S3). A family asks for a supporter for their son (S4); the coordinator
matches a peer supporter living nearby, ranked first with reasons, writes the purpose and the
plan of activities and records both consents. The supporter records four visits from their
phone with their own token (S6). After the fourth the son asks to stop: the coordinator stops
the dispatch at once (S5); the supporter's list is empty and the household's records answer
404. One visit had a minor accident: it is reported, acknowledged, followed up and closed (S8).
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from tests.api.factories import JAPANESE, ApiClient, issue_token
from tests.cast import PASSWORD, Cast, make_cast
from tsunagi.accounts.models import Membership, Role, User
from tsunagi.agencies.models import Agency, AgencyKind, OperatorLevel
from tsunagi.jurisdictions.models import Municipality
from tsunagi.people import services as people

pytestmark = pytest.mark.django_db

SUPPORTER_PASSWORD = "Tosa-supporter-2026"

# name, kana, sex, peer, postal code, home (municipality code), slots
TRAINEES = [
    ("高知 一郎", "コウチ イチロウ", "male", "lived_experience", "780-0850", "39201",
     ["weekday_morning", "weekday_afternoon"]),
    ("土佐 花子", "トサ ハナコ", "female", "family", "781-8010", "39201", ["weekday_morning"]),
    ("南国 健", "ナンコク ケン", "male", "", "783-0001", "39204", ["weekday_morning"]),
    ("香美 さくら", "カミ サクラ", "female", "", "781-5400", "39212", ["weekend_morning"]),
    ("四万十 学", "シマント マナブ", "male", "", "787-0000", "39210", ["weekday_evening"]),
    ("安芸 真理", "アキ マリ", "female", "", "784-0000", "39203", ["weekday_afternoon"]),
    ("須崎 誠", "スサキ マコト", "male", "", "785-0000", "39206", ["weekend_afternoon"]),
    ("室戸 由美", "ムロト ユミ", "female", "", "781-7100", "39202", ["weekday_morning"]),
    ("宿毛 大地", "スクモ ダイチ", "male", "", "788-0000", "39208", ["weekday_morning"]),
    # these three finish the course but do not sign the consent to act
    ("土佐清水 舞", "トサシミズ マイ", "female", "", "787-0300", "39209", ["weekday_morning"]),
    ("香南 翔", "コウナン ショウ", "male", "lived_experience", "780-0851", "39211",
     ["weekday_morning"]),
    ("いの 陽子", "イノ ヨウコ", "female", "", "781-2100", "39386", ["weekday_morning"]),
]  # fmt: skip
SIGNED = 9
CONFIRMED_BY_CITY = 7


def days(n: int) -> str:
    return str(timezone.localdate() + datetime.timedelta(days=n))


def client_for(user: Any, password: str = PASSWORD) -> ApiClient:
    response = issue_token(user.username, password)
    assert response.status_code == 200, response.content
    return ApiClient(response.json()["token"])


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    return response.json()


def gone(response: Any) -> None:
    assert response.status_code == 404, response.content.decode()
    assert JAPANESE.search(response.json()["detail"])


def second_municipality(cast: Cast) -> tuple[Agency, User]:
    """南国市's office, which also runs supporter dispatch, and its coordinator."""
    nankoku = Municipality.objects.get(code="39204")
    office = Agency.objects.create(
        name="南国市 福祉事務所", kind=AgencyKind.MUNICIPAL_OFFICE, prefecture=nankoku.prefecture,
        operator_level=OperatorLevel.MUNICIPALITY, operator_municipality=nankoku,
    )  # fmt: skip
    user = User.objects.create_user(
        username="coordinator-nankoku", password=PASSWORD, full_name="南国 調整"
    )
    Membership.objects.create(user=user, agency=office, role=Role.DISPATCH_COORDINATOR)
    return office, user


def run_training(pref: ApiClient, cast: Cast) -> list[dict[str, Any]]:
    """S1: the course, 12 trainees registered, enrolled, present at every session, completed."""
    course = ok(
        pref.post(
            "/trainings",
            {"kind": "basic", "title": "令和8年度 ひきこもりサポーター養成研修",
             "commissioned_to": "NPO法人 こうち家族会", "place": "高知県立ふくし交流プラザ",
             "starts_on": days(-90), "ends_on": days(-60), "capacity": 20,
             "sessions": [{"held_on": days(-90), "topic": "ひきこもりの理解"},
                          {"held_on": days(-75), "topic": "家族の思い", "format": "group_work"},
                          {"held_on": days(-60), "topic": "訪問の基本", "format": "practice"}]},
        ),
        201,
    )  # fmt: skip
    trainees = []
    for name, kana, sex, peer, postal, home, slots in TRAINEES:
        town = Municipality.objects.get(code=home)
        trainees.append(
            ok(
                pref.post(
                    "/supporters",
                    {"name": name, "name_kana": kana, "sex": sex, "peer": peer,
                     "postal_code": postal, "municipality": town.pk, "areas": [town.pk],
                     "availability": slots},
                ),
                201,
            )
        )  # fmt: skip
    enrolments = [
        ok(pref.post(f"/trainings/{course['id']}/enrolments", {"supporter": t["id"]}), 201)
        for t in trainees
    ]
    ids = [t["id"] for t in trainees]
    for session in course["sessions"]:
        roll = f"/trainings/{course['id']}/sessions/{session['id']}/attendance"
        assert ok(pref.put(roll, {"present": ids}))["present"] == sorted(ids)
    for e in enrolments:
        done = f"/trainings/{course['id']}/enrolments/{e['id']}/complete"
        assert ok(pref.post(done, {"completed_on": days(-60)}))["completed_on"] == days(-60)
    listed = ok(pref.get(f"/trainings/{course['id']}"))
    assert len(listed["enrolments"]) == 12
    assert all(e["completed_on"] for e in listed["enrolments"])
    return trainees


def test_walkthrough_f_supporter_dispatch_from_training_to_stop() -> None:
    cast = make_cast()
    pref = client_for(cast.users[Role.PREFECTURAL_OFFICER])
    coordinator_user = cast.users[Role.DISPATCH_COORDINATOR]
    city = client_for(coordinator_user)
    nankoku_office, nankoku_user = second_municipality(cast)
    nankoku = client_for(nankoku_user)

    # S1: the prefecture's course; 12 people finish it
    trainees = run_training(pref, cast)
    assert ok(pref.get("/supporters", status="completed"))["count"] == 12

    # S2: 9 sign the consent to act, after the explanation; 3 do not
    for t in trainees[:SIGNED]:
        body = ok(pref.post(f"/supporters/{t['id']}/consent",
                            {"signed_on": days(-55), "explained": True}))  # fmt: skip
        assert body["status"] == "registered"
    assert ok(pref.get("/supporters", status="registered"))["count"] == SIGNED
    assert ok(pref.get("/supporters", status="completed"))["count"] == 12 - SIGNED

    # S3: the roster of 9 goes to the two municipalities that run dispatch
    for office in (cast.city_office, nankoku_office):
        release = ok(pref.post("/supporters/roster/releases",
                               {"agency": office.pk, "dispatch_status": "runs",
                                "given_on": days(-50)}), 201)  # fmt: skip
        assert sorted(release["supporters"]) == sorted(t["id"] for t in trainees[:SIGNED])
    roster = ok(city.get("/supporters/roster"))
    assert roster["count"] == SIGNED and not any(e["matchable"] for e in roster["items"])
    assert ok(nankoku.get("/supporters/roster"))["count"] == SIGNED

    # 高知市 re-confirms 7 of them (the other two no longer wish to act there)
    by_supporter = {e["supporter"]["id"]: e for e in roster["items"]}
    for i, t in enumerate(trainees[:SIGNED]):
        entry = by_supporter[t["id"]]
        body = ok(city.post(f"/supporters/roster/{entry['id']}/confirm",
                            {"wishes_to_act": i < CONFIRMED_BY_CITY, "on": days(-45)}))  # fmt: skip
        assert body["matchable"] is (i < CONFIRMED_BY_CITY)
    assert ok(city.get("/supporters/roster"))["count"] == CONFIRMED_BY_CITY
    # 南国市 has confirmed no one yet
    assert ok(nankoku.get("/supporters/roster", to_confirm=True))["count"] == SIGNED

    # the peer supporter gets their own login for the phone view
    ichiro = trainees[0]
    ok(pref.post(f"/supporters/{ichiro['id']}/account",
                 {"username": "sup-ichiro", "password": SUPPORTER_PASSWORD}), 201)  # fmt: skip
    supporter = client_for(User.objects.get(username="sup-ichiro"), SUPPORTER_PASSWORD)

    # S4: a family asks for a supporter for their son
    kochi_city = Municipality.objects.get(code="39201")
    son = people.create_person(
        coordinator_user, cast.city_office,
        {"family_name": "山田", "given_name": "太郎", "family_name_kana": "ヤマダ",
         "given_name_kana": "タロウ", "postal_code": "780-0850", "municipality": kochi_city,
         "address": "高知市丸ノ内1-2-3", "phone": "088-823-0000"},
    )  # fmt: skip
    d = ok(city.post("/dispatches",
                     {"person": son.pk, "requested_on": days(-40), "requested_by": "family",
                      "requester_name": "山田 花子",
                      "person_wish": "同じ経験のある人となら話してみたい",
                      "wants_peer": True, "wanted_slots": ["weekday_morning"]}), 201)  # fmt: skip
    dispatch = f"/dispatches/{d['id']}"

    # the candidates: the 7 confirmed, the peer supporter living nearby first, with reasons
    ranked = ok(city.get(f"{dispatch}/candidates"))
    assert ranked["count"] == CONFIRMED_BY_CITY
    first = ranked["items"][0]
    assert first["supporter"]["id"] == ichiro["id"] and first["rank"] == 1
    reasons = " ".join(r["reason"] for r in first["reasons"])
    assert all(r["rule"] == "S4" for r in first["reasons"]) and JAPANESE.search(reasons)
    assert first["score"] > ranked["items"][1]["score"]
    # S3: the ones who did not sign, or were not re-confirmed, cannot be matched
    for t in (trainees[SIGNED], trainees[CONFIRMED_BY_CITY]):
        r = city.post(f"{dispatch}/match", {"supporter": t["id"]})
        assert r.status_code == 422 and r.json()["errors"][0]["message"].startswith("S3")

    body = ok(city.post(f"{dispatch}/match", {"supporter": ichiro["id"]}))
    assert body["state"] == "matched" and body["office"]["match_reasons"] == first["reasons"]
    body = ok(city.put(f"{dispatch}/plan",
                       {"purpose": "同じ経験を持つ人との対話を通じて、外出のきっかけをつくる",
                        "activity_plan": "3か月、週1回、平日午前に自宅を訪問する",
                        "activities": "趣味（ゲーム・音楽）の話、近所の散歩",
                        "starts_on": days(-30), "ends_on": days(60)}))  # fmt: skip
    assert {f["field"] for f in body["office"]["start_findings"]} == {
        "person_consent", "supporter_consent"
    }  # fmt: skip
    body = ok(city.post(f"{dispatch}/consents",
                        {"person_consent_on": days(-31), "person_consent_by": "person",
                         "person_consent_method": "signed",
                         "supporter_consent_on": days(-31)}))  # fmt: skip
    assert body["office"]["start_findings"] == []
    body = ok(city.post(f"{dispatch}/start", {"version": body["version"]}))
    assert body["state"] == "active" and body["starts_on"] == days(-30)

    # the supporter's phone: the active dispatch, the household's name, address and contact only
    mine = ok(supporter.get("/dispatches"))
    assert [x["id"] for x in mine["items"]] == [d["id"]]
    seen = ok(supporter.get(dispatch))
    assert seen["household"]["name"] == "山田 太郎"
    assert seen["household"]["address"] == "高知市丸ノ内1-2-3"
    assert seen["household"]["phone"] == "088-823-0000"
    assert seen["office"] is None and "同じ経験のある人となら" not in str(seen)

    # S6: four visits; the coordinator's guidance after the first
    visits = []
    for n, (day, met, what) in enumerate(
        [(-28, "family_only", "母親と玄関で話した。本人は部屋から出てこなかった"),
         (-21, "person", "本人と10分ほどゲームの話をした"),
         (-14, "person", "近所を一緒に散歩した。帰り道に段差でつまずいた"),
         (-7, "person", "好きな音楽の話。次回は少し遠くまで歩く約束")],
    ):  # fmt: skip
        visits.append(
            ok(supporter.post("/visit-reports",
                              {"dispatch": d["id"], "visited_on": days(day),
                               "duration_minutes": 30 + 15 * n, "place": "home", "met": met,
                               "what_happened": what, "next_visit_on": days(day + 7)}), 201)
        )  # fmt: skip
        if n == 0:
            ok(city.post(f"{dispatch}/guidance",
                         {"text": "焦らず、家族との信頼づくりから始めてください",
                          "report": visits[0]["id"]}), 201)  # fmt: skip
    # S8: the third visit had a minor accident; the report reaches the coordinator at once
    accident = ok(supporter.post("/incidents",
                                 {"dispatch": d["id"], "visit": visits[2]["id"],
                                  "occurred_at": f"{days(-14)}T10:40:00", "kind": "injury",
                                  "severity": "minor",
                                  "what_happened": "散歩中に本人が段差でつまずき、膝を擦りむいた",
                                  "immediate_action": "持参の救急セットで手当てし、母親に報告"}),
                  201)  # fmt: skip
    assert [i["id"] for i in ok(city.get("/incidents", open=True))["items"]] == [accident["id"]]
    assert len(ok(city.get("/visit-reports", dispatch=d["id"]))["items"]) == 4
    assert [g["text"] for g in ok(supporter.get(dispatch))["guidance"]] == [
        "焦らず、家族との信頼づくりから始めてください"
    ]

    # S5: after the fourth visit the son asks to stop; the coordinator stops at once
    stopped = ok(city.post(f"{dispatch}/stop",
                           {"requested_by": "person", "reason": "本人から、しばらく一人で"
                            "過ごしたいとの申し出"}))  # fmt: skip
    assert stopped["state"] == "stopped"
    assert ok(supporter.get("/dispatches"))["items"] == []
    gone(supporter.get(dispatch))
    gone(supporter.get(f"/persons/{son.pk}"))
    for v in visits:
        gone(supporter.get(f"/visit-reports/{v['id']}"))
    gone(supporter.get(f"/incidents/{accident['id']}"))
    gone(supporter.post("/visit-reports",
                        {"dispatch": d["id"], "visited_on": days(0), "duration_minutes": 30,
                         "place": "home", "met": "person", "what_happened": "x"}))  # fmt: skip
    # another municipality's coordinator never saw any of it
    gone(nankoku.get(dispatch))
    gone(nankoku.get(f"/incidents/{accident['id']}"))

    # S8: the incident is acknowledged, followed up and closed
    assert ok(city.post(f"/incidents/{accident['id']}/acknowledge"))["acknowledged_at"]
    step = ok(city.post(f"/incidents/{accident['id']}/steps",
                        {"what": "母親に電話で様子を確認。受診の必要なし", "taken_on": days(-13)}),
              201)  # fmt: skip
    assert step["state"] == "following_up"
    closed = ok(city.post(f"/incidents/{accident['id']}/close",
                          {"summary": "軽い擦り傷で治癒。散歩の経路を見直すよう助言した",
                           "version": step["version"]}))  # fmt: skip
    assert closed["state"] == "closed"
    assert ok(city.get("/incidents", open=True))["items"] == []
