"""Assessments: the form in the sheet's sections with special-care fields marked, prefilled
from the latest, the history, and one assessment shown with its indicators."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.cast import Cast, make_cast
from tests.people import yamada_household, years_ago
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role
from tsunagi.people import services
from tsunagi.people.models import Assessment, Flag
from tsunagi.web.wareki import format_wareki

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> Cast:
    return make_cast()


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def from_the_mother(**extra: Any) -> dict[str, Any]:
    return {
        "assessed_on": format_wareki(timezone.localdate()), "informant": "family",
        "employment": "unemployed", "going_out": "home_only",
        "withdrawn_since": format_wareki(years_ago(20)), "finance": "tight", "debt": "on",
        "debt_notes": "母名義のカード", "household_member_needs_care": "on",
        "monthly_income": "１２００００", "connections": ["family"],
        "wishes": "（母）息子には元気でいてほしい", **extra,
    }  # fmt: skip


def test_form_in_sections_with_special_care_marked(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, _son, case = yamada_household(staff, cast.center)
    page = client_for(staff).get(f"/people/cases/{case.pk}/assessments/new/").content.decode()
    for section in ("就労", "心身の健康", "地域とのつながり・孤立", "家計・債務・住まい",
                    "ひきこもりの状態", "本人の意向", "緊急の事項（R8）"):  # fmt: skip
        assert f"<legend>{section}</legend>" in page, section
    mental = re.search(r'field--special-care[^"]*">\s*<label class="field__label" '
                       r'for="id_mental_health_notes"', page)  # fmt: skip
    assert mental is not None
    assert not re.search(r'field--special-care[^"]*">\s*<label[^>]*for="id_housing_notes"', page)
    assert "令和" in page  # today's date in the Japanese era


def test_record_the_assessment_of_walkthrough_a(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, _son, case = yamada_household(staff, cast.center)
    client = client_for(staff)
    response = client.post(f"/people/cases/{case.pk}/assessments/new/", from_the_mother())
    assert response.status_code == 302, response.context["form"].errors
    a = Assessment.objects.get(case=case)
    assert a.monthly_income == 120000 and a.debt and a.withdrawn_since == years_ago(20)
    page = client.get(f"/people/cases/{case.pk}/").content.decode()
    assert "8050" in page and "R2" in page


def test_new_assessment_is_prefilled_but_not_with_todays_urgencies(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, _son, case = yamada_household(staff, cast.center)
    services.record_assessment(staff, case, {
        "employment": "unemployed", "debt_notes": "母名義のカード", "no_food": True,
        "suicide_attempt": True, "assessed_on": years_ago(1),
    })  # fmt: skip
    page = client_for(staff).get(f"/people/cases/{case.pk}/assessments/new/").content.decode()
    assert "母名義のカード" in page
    assert re.search(r'name="suicide_attempt"[^>]*checked', page)
    assert not re.search(r'name="no_food"[^>]*checked', page)
    assert "引き継いでいません" in page


@pytest.mark.parametrize(
    ("bad", "field", "message"),
    [
        ({"assessed_on": "2099-01-01"}, "assessed_on", "未来"),
        ({"withdrawn_since": "令和99年1月1日"}, "withdrawn_since", ""),
        ({"withdrawn_since": "昭和64年2月1日"}, "withdrawn_since", "平成"),
        ({"monthly_income": "たくさん"}, "monthly_income", "整数"),
        ({"employment": "astronaut"}, "employment", "astronaut"),
    ],
)
def test_bad_input_is_explained_and_kept(
    cast: Cast, bad: dict[str, Any], field: str, message: str
) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, _son, case = yamada_household(staff, cast.center)
    response = client_for(staff).post(
        f"/people/cases/{case.pk}/assessments/new/", from_the_mother(**bad)
    )
    assert response.status_code == 200
    page = response.content.decode()
    error = re.search(rf'id="id_{field}_error">(.*?)</p>', page)
    assert error is not None and message in error.group(1)
    assert "母名義のカード" in page and "息子には元気でいてほしい" in page
    assert not Assessment.objects.exists()


def test_urgent_matters_in_an_assessment_raise_flags(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, _son, case = yamada_household(staff, cast.center)
    client_for(staff).post(
        f"/people/cases/{case.pk}/assessments/new/", from_the_mother(no_shelter="on")
    )
    assert Flag.objects.filter(case=case, kind="urgent_need", resolved_at__isnull=True).exists()


def test_history_and_one_assessment(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, _son, case = yamada_household(staff, cast.center)
    old = services.record_assessment(staff, case, {"assessed_on": years_ago(1), "debt": True})
    new = services.record_assessment(staff, case, {
        "employment": "unemployed", "mental_health": "serious",
        "mental_health_notes": "通院中", "connections": ["family", "services"],
    })  # fmt: skip
    client = client_for(staff)
    history = client.get(f"/people/cases/{case.pk}/assessments/").content.decode()
    assert history.index(f"/people/assessments/{new.pk}/") < history.index(
        f"/people/assessments/{old.pk}/"
    )
    page = client.get(f"/people/assessments/{new.pk}/").content.decode()
    assert "通院中" in page and "要配慮" in page
    assert "4種類を失っている" in page
    assert AuditEvent.objects.filter(action="assessment.viewed", record_id=str(new.pk))


def test_outsider_gets_404(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, _son, case = yamada_household(staff, cast.center)
    a = services.record_assessment(staff, case, {"debt": True})
    client = client_for(cast.outsider)
    assert client.get(f"/people/cases/{case.pk}/assessments/new/").status_code == 404
    assert client.get(f"/people/cases/{case.pk}/assessments/").status_code == 404
    assert client.get(f"/people/assessments/{a.pk}/").status_code == 404
    assert (
        client.post(f"/people/cases/{case.pk}/assessments/new/", from_the_mother()).status_code
        == 404
    )
    assert Assessment.objects.count() == 1


@pytest.mark.parametrize("who", ["nobody", "operator", "municipal_officer"])
def test_those_without_personal_records_are_refused(cast: Cast, who: str) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, _son, case = yamada_household(staff, cast.center)
    a = services.record_assessment(staff, case, {"debt": True})
    user = cast.nobody if who == "nobody" else cast.users[Role(who)]
    client = client_for(user)
    assert client.get(f"/people/assessments/{a.pk}/").status_code in (403, 404)
    assert client.get(f"/people/cases/{case.pk}/assessments/").status_code in (403, 404)
    response = client.post(f"/people/cases/{case.pk}/assessments/new/", from_the_mother())
    assert response.status_code in (403, 404)
    assert Assessment.objects.count() == 1


def test_isolation_not_asked_is_saved_as_not_known(cast: Cast) -> None:
    """Unticking "isolation was asked about" stores no connections at all, shown as 未確認."""
    from tsunagi.people.forms import AssessmentForm

    form = AssessmentForm(data={"assessed_on": "令和7年4月1日", "informant": "family"})
    assert form.is_valid(), form.errors
    assert form.assessment_data()["connections"] is None
    asked = AssessmentForm(
        data={"assessed_on": "R7.4.1", "informant": "family", "isolation_asked": "on"}
    )
    assert asked.is_valid(), asked.errors
    assert asked.assessment_data()["connections"] == []
