"""Review of issue 9 (municipal structures, M1-M5): problems found by a second reader, each as a
failing test marked xfail(strict=True) until it is fixed (then drop the mark)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client

from tests.cast import Cast, make_cast
from tsunagi.access.policy import Denied
from tsunagi.accounts.models import Role
from tsunagi.jurisdictions.models import Municipality
from tsunagi.oversight import services
from tsunagi.oversight.models import LeadDepartment, SurveyMethod


@pytest.fixture
def cast(db: None) -> Cast:
    return make_cast()


def test_review_m4_prefectural_officer_cannot_name_a_towns_lead_department(cast: Cast) -> None:
    officer = cast.users[Role.PREFECTURAL_OFFICER]
    kochi_city = Municipality.objects.get(code="39201")
    with pytest.raises(Denied):
        services.set_lead_department(officer, kochi_city, name="県が決めた課")
    assert not LeadDepartment.objects.filter(municipality=kochi_city).exists()


def test_review_operator_sees_no_municipalitys_survey_details(cast: Cast) -> None:
    kochi_city = Municipality.objects.get(code="39201")
    services.record_survey(
        cast.users[Role.MUNICIPAL_OFFICER],
        kochi_city,
        method=SurveyMethod.OTHER,
        method_detail="民生委員への聞き取り",
        period_from=date(2024, 4, 1),
        estimated_65_plus=2,
        needs_text="○○地区の80代の母と50代の息子の世帯",
    )
    client = Client()
    client.force_login(cast.users[Role.OPERATOR])
    answer = client.get("/api/v1/municipal-structures/39201/surveys")
    assert answer.status_code == 404


def test_review_nul_byte_in_the_prefecture_is_4xx_not_500(cast: Cast) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(cast.users[Role.PREFECTURAL_OFFICER])
    statuses = {
        path: client.get(path).status_code
        for path in (
            "/oversight/?prefecture=%00",
            "/api/v1/municipal-structures/progress?prefecture=%00",
            "/api/v1/municipal-structures/compliance?prefecture=%00",
        )
    }
    assert {k: v for k, v in statuses.items() if v >= 500} == {}


def test_review_nul_byte_in_a_structure_text_is_422_not_500(cast: Cast) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(cast.users[Role.MUNICIPAL_OFFICER])
    survey = {"method": "other", "method_detail": "聞き取り", "period_from": "2024-04-01"}
    statuses = {
        "needs_text": client.post(
            "/api/v1/municipal-structures/39201/surveys",
            json.dumps({**survey, "needs_text": "ひきこもり\x00"}),
            content_type="application/json",
        ).status_code,
        "lead name": client.put(
            "/api/v1/municipal-structures/39201/lead-department",
            json.dumps({"name": "福祉課\x00"}),
            content_type="application/json",
        ).status_code,
    }
    assert statuses == {"needs_text": 422, "lead name": 422}


def test_review_m5_national_counts_only_current_municipalities(cast: Cast) -> None:
    from tsunagi.oversight import selectors

    kochi = Municipality.objects.get(code="39201")
    old = Municipality.objects.create(
        code="39999",
        lg_code="399990",
        prefecture=kochi.prefecture,
        name="旧十和村",
        kind=kochi.kind,
        abolished_on=date(2006, 3, 20),
    )
    LeadDepartment.objects.create(municipality=old, name="旧村の福祉課", since=date(2005, 4, 1))
    officer = cast.users[Role.PREFECTURAL_OFFICER]
    national = dict(selectors.national_progress(officer))
    row = next(p for pref, p in national.items() if pref.code == "39")
    prefecture = selectors.prefecture_progress(officer, kochi.prefecture).progress
    assert row.done["lead"] == prefecture.done["lead"] == 0
