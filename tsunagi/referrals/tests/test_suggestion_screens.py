"""The suggestions panel on the case page: the R2 suggestion of walkthrough A names the
self-reliance agency of the son's city (J2) with the way to draft the referral; setting a
suggestion aside needs a reason (the typed text and the error stay beside the field), is listed
apart and can be shown again. Another agency's staff get 404, `nobody` the 403 page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.cast import Cast, make_cast
from tests.people import yamada_household, years_ago
from tests.sharing import receiver
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role
from tsunagi.jurisdictions.models import Municipality
from tsunagi.people import services as people_services
from tsunagi.people.choices import Employment, Finance, GoingOut
from tsunagi.people.models import Case
from tsunagi.referrals.models import Dismissal

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def story() -> tuple[Cast, Any, Case]:
    """Walkthrough A: the son of 高知市 withdrawn at home, the household short of money, in
    debt, the mother needing care (economic need and compound problems, rule R2)."""
    cast = make_cast()
    staff = cast.users[Role.STAFF]
    _household, _mother, son, case = yamada_household(staff, cast.center)
    son.municipality = Municipality.objects.get(code="39201")
    son.save(update_fields=["municipality"])
    people_services.record_assessment(
        staff,
        case,
        {
            "informant": "family",
            "employment": Employment.UNEMPLOYED,
            "going_out": GoingOut.HOME_ONLY,
            "withdrawn_since": years_ago(20),
            "finance": Finance.TIGHT,
            "debt": True,
            "household_member_needs_care": True,
            "connections": ["family"],
        },
    )
    return cast, staff, Case.objects.get(pk=case.pk)


def panel_url(case: Case) -> str:
    return f"/referrals/cases/{case.pk}/suggestions/"


def test_r2_suggestion_on_the_case_page_names_the_self_reliance_agency_of_the_city(
    story: Any,
) -> None:
    cast, staff, case = story
    client = client_for(staff)
    page = client.get(f"/people/cases/{case.pk}/").content.decode()
    # the case page loads the panel with htmx, with a plain link for a browser without it
    assert f'hx-get="{panel_url(case)}"' in page and f'href="{panel_url(case)}"' in page
    response = client.get(panel_url(case), headers=HTMX)
    fragment = response.content.decode()
    assert response.status_code == 200 and "<html" not in fragment
    assert 'id="suggestion-R2"' in fragment and ">R2</span>" in fragment
    assert "高知市自立相談支援機関" in fragment
    assert "福祉事務所を設置している市区町村のため" in fragment  # J2's reason, in Japanese
    assert f"/referrals/cases/{case.pk}/new/?rule=R2&amp;to={cast.self_reliance.pk}" in fragment
    assert "紹介を作成" in fragment and "ルール" in fragment
    assert f"/referrals/cases/{case.pk}/suggestions/dismiss/" in fragment
    listed = AuditEvent.objects.get(action="suggestion.listed")
    assert listed.actor == staff and listed.subject_id == case.person_id
    assert "R2" in listed.detail["codes"]


def test_r2_panel_as_a_page_of_its_own_without_htmx(story: Any) -> None:
    _cast, staff, case = story
    response = client_for(staff).get(panel_url(case))
    page = response.content.decode()
    assert response.status_code == 200 and "<html" in page
    assert "高知市自立相談支援機関" in page and "/referrals/rules/" in page
    assert AuditEvent.objects.filter(action="case.viewed", record_id=str(case.pk)).exists()


def test_r2_dismiss_with_an_empty_reason_keeps_the_form_with_the_error(story: Any) -> None:
    _cast, staff, case = story
    client = client_for(staff)
    url = f"/referrals/cases/{case.pk}/suggestions/dismiss/"
    response = client.post(url, {"code": "R2", "reason": "  "}, headers=HTMX)
    fragment = response.content.decode()
    assert response.status_code == 200  # htmx swaps only a successful answer
    assert "field__error" in fragment and 'id="id_reason_R2_error"' in fragment
    assert '<details class="suggestion__dismiss" open>' in fragment
    assert not Dismissal.objects.exists()
    # without htmx: the page of the panel with the error, 400
    response = client.post(url, {"code": "R2", "reason": ""})
    assert response.status_code == 400 and "field__error" in response.content.decode()
    assert not Dismissal.objects.exists()


def test_r2_dismiss_an_unknown_suggestion_says_so(story: Any) -> None:
    _cast, staff, case = story
    url = f"/referrals/cases/{case.pk}/suggestions/dismiss/"
    response = client_for(staff).post(url, {"code": "R99", "reason": "テスト"}, headers=HTMX)
    assert response.status_code == 200 and "notice--error" in response.content.decode()
    assert not Dismissal.objects.exists()


def test_r2_dismiss_then_restore(story: Any) -> None:
    _cast, staff, case = story
    client = client_for(staff)
    url = f"/referrals/cases/{case.pk}/suggestions/dismiss/"
    response = client.post(url, {"code": "R2", "reason": "本人が今は希望していない"}, headers=HTMX)
    fragment = response.content.decode()
    dismissal = Dismissal.objects.get()
    assert dismissal.rule == "R2" and dismissal.dismissed_by == staff
    assert 'id="suggestion-R2"' not in fragment  # no longer among the active ones
    assert f'id="dismissal-{dismissal.pk}"' in fragment and "本人が今は希望していない" in fragment
    assert '<details class="suggestions__dismissed">' in fragment
    assert f"/referrals/dismissals/{dismissal.pk}/restore/" in fragment
    # without htmx: back to the case page with a message
    response = client.post(f"/referrals/dismissals/{dismissal.pk}/restore/")
    assert response.status_code == 302
    assert response["Location"] == f"/people/cases/{case.pk}/#suggestions"
    dismissal.refresh_from_db()
    assert dismissal.restored_at is not None and dismissal.restored_by == staff
    fragment = client.get(panel_url(case), headers=HTMX).content.decode()
    assert 'id="suggestion-R2"' in fragment and "suggestions__dismissed" not in fragment
    # restoring twice says it is already shown, no 500
    response = client.post(f"/referrals/dismissals/{dismissal.pk}/restore/", headers=HTMX)
    assert response.status_code == 200 and "notice--error" in response.content.decode()


def test_r2_dismiss_without_htmx_goes_back_to_the_case(story: Any) -> None:
    _cast, staff, case = story
    response = client_for(staff).post(
        f"/referrals/cases/{case.pk}/suggestions/dismiss/", {"code": "R2", "reason": "重複"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/people/cases/{case.pk}/#suggestions"
    assert Dismissal.objects.get().reason == "重複"


def test_other_agencies_get_404_and_nobody_the_403_page(story: Any) -> None:
    cast, staff, case = story
    client_for(staff).post(
        f"/referrals/cases/{case.pk}/suggestions/dismiss/", {"code": "R2", "reason": "重複"}
    )
    dismissal = Dismissal.objects.get()
    sr = receiver(cast)
    for user in (cast.outsider, sr, cast.users[Role.OPERATOR], cast.users[Role.MUNICIPAL_OFFICER]):
        client = client_for(user)
        assert client.get(panel_url(case), headers=HTMX).status_code == 404, user
        response = client.post(
            f"/referrals/cases/{case.pk}/suggestions/dismiss/", {"code": "R2", "reason": "x"}
        )
        assert response.status_code == 404, user
        assert client.post(f"/referrals/dismissals/{dismissal.pk}/restore/").status_code == 404
    nobody = client_for(cast.nobody)
    assert nobody.get(panel_url(case)).status_code == 403
    assert nobody.post(f"/referrals/dismissals/{dismissal.pk}/restore/").status_code == 403
    dismissal.refresh_from_db()
    assert dismissal.restored_at is None and Dismissal.objects.count() == 1
    assert not AuditEvent.objects.filter(action="suggestion.listed").exclude(actor=staff).exists()


def test_dismiss_is_post_only(story: Any) -> None:
    _cast, staff, case = story
    client = client_for(staff)
    assert client.get(f"/referrals/cases/{case.pk}/suggestions/dismiss/").status_code == 405


def test_a_restricted_case_hides_its_suggestions_from_unassigned_colleagues(story: Any) -> None:
    cast, staff, case = story
    manager = cast.users[Role.MANAGER]
    people_services.set_restriction(manager, case, True, [manager])
    assert client_for(staff).get(panel_url(case), headers=HTMX).status_code == 404
    response = client_for(staff).post(
        f"/referrals/cases/{case.pk}/suggestions/dismiss/", {"code": "R2", "reason": "x"}
    )
    assert response.status_code == 404 and not Dismissal.objects.exists()
    fragment = client_for(manager).get(panel_url(case), headers=HTMX).content.decode()
    assert 'id="suggestion-R2"' in fragment
