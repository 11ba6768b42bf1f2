"""Walkthrough A, steps 1–2, through the HTTP API (scenarios.md; rules R2, P3).

Ms. 山田 花子 (82, pension only) telephones the prefecture's adult hikikomori center about her son
山田 太郎 (52), who has not left the house in 20 years except at night. The pension barely
covers the rent, and there is card debt in her name.

1. The coordinator records the contact: channel phone, caller the mother, the subject the son.
   The household is created with both members. The son has not been met.
2. The assessment, filled from what the mother says, shows a hikikomori state for 20 years,
   economic need, debt and care needs of the mother: compound problems at household level, and
   the system proposes the self-reliance agency (R2) with its reason.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.factories import JAPANESE, ApiClient, issue_token
from tests.cast import PASSWORD, make_cast
from tests.people import years_ago
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role
from tsunagi.web.wareki import format_wareki

pytestmark = pytest.mark.django_db


def client_for(username: str) -> ApiClient:
    response = issue_token(username, PASSWORD)
    assert response.status_code == 200, response.content
    return ApiClient(response.json()["token"])


def created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.content.decode()
    body: dict[str, Any] = response.json()
    return body


def test_walkthrough_a_intake_of_an_8050_household_through_the_api() -> None:
    cast = make_cast()
    coordinator = client_for(cast.users[Role.STAFF].username)

    # Step 1: the mother calls. The coordinator registers her and her son as she tells it.
    mother = created(coordinator.post("/persons", {
        "family_name": "山田", "given_name": "花子",
        "family_name_kana": "やまだ", "given_name_kana": "はなこ", "sex": "female",
        "birth_date": format_wareki(years_ago(82)), "phone": "０８８－０００－１２３４",
        "postal_code": "780-0850", "address": "丸ノ内1-2-20",
    }))  # fmt: skip
    son = created(coordinator.post("/persons", {
        "family_name": "山田", "given_name": "太郎",
        "family_name_kana": "ﾔﾏﾀﾞ", "given_name_kana": "ﾀﾛｳ", "sex": "male",
        "birth_date": format_wareki(years_ago(52), short=True),
        "avoided_contact": ["phone", "home_visit"],
        "contact_notes": "本人には会えていない。電話は避ける。",
    }))  # fmt: skip
    assert (mother["age"], son["age"]) in ((82, 52), (81, 51))  # before or after 1 April
    assert son["full_name_kana"] == "ヤマダ タロウ"

    household = created(coordinator.post("/households", {
        "name": "山田 世帯",
        "members": [{"person": son["id"], "relationship": "self"},
                    {"person": mother["id"], "relationship": "parent", "is_main_carer": True}],
    }))  # fmt: skip
    assert [m["name"] for m in household["members"]] == ["山田 太郎", "山田 花子"]

    contact = created(coordinator.post("/contacts", {
        "person": son["id"], "channel": "phone", "initiator": "family",
        "initiator_person": mother["id"], "duration_minutes": 40,
        "summary": "母から息子について電話相談",
        "notes": "息子は20年ほど家から出ない（夜中に出ることはある）。年金で家賃がやっと。"
                 "母名義のカードの借金がある。",
        "problems": ["hikikomori", "income", "debt", "care"], "main_problem": "hikikomori",
    }))  # fmt: skip
    assert contact["case_opened"] is True
    assert contact["person_id"] == son["id"]  # the subject is the son ...
    assert contact["initiator_person_name"] == "山田 花子"  # ... the caller his mother
    case_id = contact["case_id"]

    # Step 2: the assessment from the mother's words.
    assessment = created(coordinator.post("/assessments", {
        "case": case_id, "informant": "family",
        "employment": "unemployed",
        "going_out": "neighbourhood", "withdrawn_since": format_wareki(years_ago(20)),
        "hikikomori_notes": "夜中にだけ近くへ出る",
        "finance": "tight", "income_sources": "母の年金", "housing": "rented",
        "debt": True, "debt_notes": "母名義のカードローン",
        "household_member_needs_care": True, "care_notes": "母の足腰が弱ってきた",
        "connections": ["family"],
        "wishes": "（母の言葉）息子のことが心配。お金のことも相談したい。",
    }))  # fmt: skip
    assert {"hikikomori", "finance", "debt", "care"} <= {a["code"] for a in assessment["areas"]}

    # What the coordinator sees on the case: the household's indicators with rule and reason.
    case = coordinator.get(f"/cases/{case_id}").json()
    findings = {f["code"]: f for f in case["indicators"]["findings"]}
    assert {"economic_need", "compound_problems", "8050", "r2_referral"} <= set(findings)
    for code in ("economic_need", "compound_problems", "8050", "r2_referral"):
        assert findings[code]["rule"] == "R2"
        assert JAPANESE.search(findings[code]["reason"]), findings[code]
    assert "山田 花子" in findings["8050"]["reason"] and "山田 太郎" in findings["8050"]["reason"]
    assert case["household"] == {"id": household["id"], "name": "山田 世帯"}
    assert case["latest_assessment"]["withdrawn_years"] == 20
    assert case["open_flags"] == []

    # The household view shows everyone and every problem, counted for the household (R2).
    view = coordinator.get(f"/households/{household['id']}").json()
    son_row, mother_row = view["members"]
    assert [c["id"] for c in son_row["open_cases"]] == [case_id]
    assert mother_row["open_cases"] == [] and mother_row["age"] in (81, 82)
    assert view["indicators"] == case["indicators"]
    assert len(view["indicators"]["areas"]) >= 4

    # The coordinator finds the family again in any script; the reads are in the access log.
    for q in ("やまだ", "ヤマダ", "ﾔﾏﾀﾞ"):
        names = {p["full_name"] for p in coordinator.get("/persons", q=q).json()["items"]}
        assert names == {"山田 花子", "山田 太郎"}, q
    reads = AuditEvent.objects.filter(actor=cast.users[Role.STAFF], action__endswith=".viewed")
    assert {(e.action, e.record_id) for e in reads} == {
        ("case.viewed", str(case_id)), ("household.viewed", str(household["id"])),
    }  # fmt: skip
    assert AuditEvent.objects.filter(action="person.listed").count() == 3

    # Nobody outside the center learns any of it.
    outsider = client_for(cast.outsider.username)
    assert outsider.get(f"/cases/{case_id}").status_code == 404
    assert outsider.get(f"/households/{household['id']}").status_code == 404
    assert outsider.get("/persons", q="やまだ").json()["count"] == 0
