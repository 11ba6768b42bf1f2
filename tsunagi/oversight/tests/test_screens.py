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
from tsunagi.oversight.models import LeadDepartment, MunicipalPlatform, NeedsSurvey

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
    # the operator sees national counts only, never a municipality's records
    operator = client_for(cast["operator"])
    assert operator.get("/oversight/municipalities/39201/").status_code == 404
    assert operator.post("/oversight/municipalities/39201/", {"form": "lead"}).status_code == 404


def test_m5_the_prefecture_sees_a_municipality_read_only(cast: dict[str, User]) -> None:
    LeadDepartment.objects.create(
        municipality_id=_town("39201"), name="地域共生社会推進課", since="2023-04-01"
    )
    client = client_for(cast["pref"])
    page = client.get("/oversight/municipalities/39201/")
    text = page.content.decode()
    assert page.status_code == 200 and "地域共生社会推進課" in text
    assert 'value="lead"' not in text and 'value="survey"' not in text
    refused = {
        which: client.post(
            "/oversight/municipalities/39201/",
            {"form": which, "lead-name": "県が決めた課", "survey-method": "residents"},
        ).status_code
        for which in ("lead", "survey")
    }
    assert refused == {"lead": 403, "survey": 403}
    assert LeadDepartment.objects.get().name == "地域共生社会推進課"


def test_m3_the_prefecture_records_a_joint_platform_on_the_page(cast: dict[str, User]) -> None:
    client = client_for(cast["pref"])
    page = client.get("/oversight/municipalities/39202/").content.decode()
    assert 'value="platform"' in page  # no platform yet: the prefecture may set one up jointly
    made = client.post(
        "/oversight/municipalities/39202/",
        {
            "form": "platform",
            "platform-name": "室戸市ひきこもり支援ネットワーク",
            "platform-secretariat": "県 地域福祉政策課",
            "platform-set_up_on": "R6.4.1",
        },
    )
    assert made.status_code == 302
    platform = MunicipalPlatform.objects.get(municipality__code="39202")
    assert platform.joint_with_prefecture  # the box is fixed for the prefecture
    changed = client.post(
        "/oversight/municipalities/39202/",
        {
            "form": "platform",
            "platform-version": "1",
            "platform-name": "室戸市ひきこもり支援ネットワーク",
            "platform-secretariat": "県 地域福祉政策課",
            "platform-holds_meetings": "on",
            "platform-set_up_on": "R6.4.1",
        },
    )
    assert changed.status_code == 302
    current = MunicipalPlatform.objects.get(municipality__code="39202", valid_until__isnull=True)
    assert current.version == 2 and current.holds_meetings and current.joint_with_prefecture


def test_m3_the_prefecture_cannot_change_a_towns_own_platform_on_the_page(
    cast: dict[str, User],
) -> None:
    city = client_for(cast["city"])
    own = {
        "form": "platform",
        "platform-name": "高知市ネットワーク会議",
        "platform-secretariat": "地域共生社会推進課",
        "platform-set_up_on": "R6.4.1",
    }
    assert city.post("/oversight/municipalities/39201/", own).status_code == 302
    pref = client_for(cast["pref"])
    page = pref.get("/oversight/municipalities/39201/").content.decode()
    assert "高知市ネットワーク会議" in page and 'value="platform"' not in page
    changed = {**own, "platform-version": "1", "platform-name": "県が変えた名前"}
    assert pref.post("/oversight/municipalities/39201/", changed).status_code == 403
    assert MunicipalPlatform.objects.get().name == "高知市ネットワーク会議"


def test_nul_in_the_prefecture_code_is_400_with_a_japanese_message(
    cast: dict[str, User],
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(cast["pref"])
    for path in ("/oversight/?prefecture=%00", "/oversight/compliance/?prefecture=3%009"):
        answer = client.get(path)
        assert answer.status_code == 400, path
        assert "都道府県コード" in answer.content.decode()


def test_nul_in_a_survey_text_on_the_page_keeps_what_was_typed(cast: dict[str, User]) -> None:
    answer = client_for(cast["city"]).post(
        "/oversight/municipalities/39201/",
        {
            "form": "survey",
            "survey-method": "other",
            "survey-method_detail": "聞き取り\x00",
            "survey-period_from": "R6.4.1",
            "survey-needs_text": "居場所が足りない。\x00",
        },
    )
    assert answer.status_code == 200
    assert "居場所が足りない。" in answer.content.decode()
    assert NeedsSurvey.objects.count() == 0


def test_m5_national_counts_and_j6_list(cast: dict[str, User]) -> None:
    operator = client_for(cast["operator"])
    assert operator.get("/oversight/")["Location"].endswith("/oversight/national/")
    national = operator.get("/oversight/national/")
    text = national.content.decode()
    assert national.status_code == 200 and "高知県" in text
    assert "?prefecture=39" not in text  # counts only: no way into a prefecture's towns
    assert operator.get("/oversight/?prefecture=39").status_code == 404
    own = client_for(cast["pref"]).get("/oversight/national/").content.decode()
    assert "?prefecture=39" in own and "東京都" not in own
    j6 = client_for(cast["pref"]).get("/oversight/compliance/?prefecture=39")
    assert "J6" in j6.content.decode()


def _town(code: str) -> int:
    from tsunagi.jurisdictions.models import Municipality

    return Municipality.objects.get(code=code).pk
