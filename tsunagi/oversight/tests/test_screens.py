"""Screens: the prefecture's progress (M5) with export, the municipality's own page with its
forms (M2-M4) keeping what was typed, the national counts, the compliance list (J6)."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.api.factories import make_agency, make_user
from tsunagi.accounts.models import Role, User
from tsunagi.agencies.models import AgencyKind
from tsunagi.oversight.models import LeadDepartment, NeedsSurvey

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(db: None) -> dict[str, User]:
    office = make_agency("高知県 地域福祉政策課", AgencyKind.PREFECTURAL_OFFICE, "39")
    city = make_agency("高知市 健康福祉部", AgencyKind.MUNICIPAL_OFFICE, "39", city="39201")
    center = make_agency("高知県ひきこもり地域支援センター", AgencyKind.HIKIKOMORI_CENTER, "39")
    return {
        "pref": make_user("pref", office, Role.PREFECTURAL_OFFICER),
        "city": make_user("city", city, Role.MUNICIPAL_OFFICER),
        "staff": make_user("staff", center, Role.STAFF),
        "operator": make_user("operator", None, Role.OPERATOR),
        "nobody": make_user("nobody"),
    }


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_m5_progress_page_shows_counts_tiles_and_who_has_not(cast: dict[str, User]) -> None:
    LeadDepartment.objects.create(
        municipality_id=_town("39201"), name="地域共生社会推進課", since="2023-04-01"
    )
    page = client_for(cast["pref"]).get("/oversight/?prefecture=39")
    text = page.content.decode()
    assert page.status_code == 200
    assert "1/34" in text and "0/34" in text
    assert "室戸市" in text and 'class="tiles"' in text
    sheet = client_for(cast["pref"]).get("/oversight/?prefecture=39&format=xlsx")
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.values)
    assert len(rows) == 35 and rows[1][0] == "39201" and rows[1][5] == "✓"


def test_m5_the_municipal_officer_is_sent_to_their_own_page(cast: dict[str, User]) -> None:
    answer = client_for(cast["city"]).get("/oversight/?prefecture=39")
    assert answer.status_code == 302 and answer["Location"].endswith("/municipalities/39201/")


def test_m5_others_are_refused(cast: dict[str, User]) -> None:
    assert client_for(cast["staff"]).get("/oversight/?prefecture=39").status_code == 404
    assert client_for(cast["nobody"]).get("/oversight/?prefecture=39").status_code == 403
    assert client_for(cast["city"]).get("/oversight/municipalities/39202/").status_code == 404


def test_m2_a_bad_survey_keeps_what_was_typed(cast: dict[str, User]) -> None:
    client = client_for(cast["city"])
    answer = client.post(
        "/oversight/municipalities/39201/",
        {
            "form": "survey",
            "survey-method": "residents",
            "survey-period_from": "令和6年7月1日",
            "survey-period_to": "令和6年6月1日",
            "survey-estimated_15_39": "１２０",
            "survey-needs_text": "居場所が足りない。",
        },
    )
    text = answer.content.decode()
    assert answer.status_code == 200
    assert "居場所が足りない。" in text, text[-3000:]
    assert "１２０" in text or "120" in text
    assert NeedsSurvey.objects.count() == 0
    good = client.post(
        "/oversight/municipalities/39201/",
        {
            "form": "survey",
            "survey-method": "residents",
            "survey-period_from": "R6.7.1",
            "survey-needs": ["place_to_be"],
        },
    )
    assert good.status_code == 302
    assert NeedsSurvey.objects.get().needs == ["place_to_be"]


def test_m4_and_m3_recorded_on_the_page(cast: dict[str, User]) -> None:
    client = client_for(cast["city"])
    client.post(
        "/oversight/municipalities/39201/",
        {"form": "lead", "lead-name": "地域共生社会推進課", "lead-since": "2024-04-01"},
    )
    missing = client.post(
        "/oversight/municipalities/39201/",
        {"form": "platform", "platform-name": "ネットワーク会議", "platform-set_up_on": "R6.4.1"},
    )
    assert missing.status_code == 200 and "ネットワーク会議" in missing.content.decode()
    made = client.post(
        "/oversight/municipalities/39201/",
        {
            "form": "platform",
            "platform-name": "ネットワーク会議",
            "platform-secretariat": "地域共生社会推進課",
            "platform-other_members": "NPO法人 例\n民生委員",
            "platform-set_up_on": "R6.4.1",
        },
    )
    assert made.status_code == 302
    page = client.get("/oversight/municipalities/39201/").content.decode()
    assert "地域共生社会推進課" in page and "NPO法人 例、民生委員" in page
    operator = client_for(cast["operator"])
    assert operator.get("/oversight/municipalities/39201/").status_code == 200
    assert operator.post("/oversight/municipalities/39201/", {"form": "lead"}).status_code == 403


def test_m5_national_counts_and_j6_list(cast: dict[str, User]) -> None:
    national = client_for(cast["operator"]).get("/oversight/national/")
    assert national.status_code == 200 and "高知県" in national.content.decode()
    j6 = client_for(cast["pref"]).get("/oversight/compliance/?prefecture=39")
    assert "J6" in j6.content.decode()


def _town(code: str) -> int:
    from tsunagi.jurisdictions.models import Municipality

    return Municipality.objects.get(code=code).pk
