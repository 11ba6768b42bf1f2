"""Introduction screens (紹介, rule R3a): the form prefilled from a suggestion, with the notice
that no personal data passes; errors beside the fields with what was typed kept; the case's
introductions on the case page; the agency's list by period and one introduction. Every read
is logged; another agency gets 404 and `nobody` the 403 page."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.cast import Cast, make_cast
from tests.people import yamada_household
from tests.sharing import receiver
from tsunagi.access.models import AuditEvent, Grant
from tsunagi.accounts.models import Role
from tsunagi.agencies.models import Agency, AgencyKind
from tsunagi.people.models import Case
from tsunagi.referrals import services
from tsunagi.referrals.models import Introduction

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def story() -> tuple[Cast, Any, Case]:
    cast = make_cast()
    staff = cast.users[Role.STAFF]
    _household, _mother, _son, case = yamada_household(staff, cast.center)
    return cast, staff, case


def new_url(case: Case) -> str:
    return f"/referrals/cases/{case.pk}/introductions/new/"


def introduce(staff: Any, case: Case, to: Agency | None = None, **data: Any) -> Introduction:
    values = {
        "target_kind": "self_reliance" if to else "family_association",
        "to_agency": to,
        "to_name": "" if to else "高知県ひきこもり家族会",
        "what_given": "リーフレットと電話番号",
        **data,
    }
    return services.record_introduction(staff, case, values)


def test_r3a_form_prefilled_from_a_suggestion_says_no_personal_data_passes(story: Any) -> None:
    cast, staff, case = story
    url = f"{new_url(case)}?rule=R3a&to={cast.self_reliance.pk}&kind=self_reliance"
    response = client_for(staff).get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "R3a" in page and 'value="R3a"' in page
    assert f'<option value="{cast.self_reliance.pk}" selected>' in page
    assert '<option value="self_reliance" selected>' in page
    assert "個人情報" in page and "同意" in page  # no personal data passes, no consent needed
    # agencies of the registry grouped by kind; not the own agency, not another prefecture's
    assert "<optgroup" in page and cast.tokyo_agency.name not in page
    assert f'<option value="{cast.center.pk}"' not in page
    assert f'<option value="{cast.office.pk}"' not in page  # a government office
    today = timezone.localdate()
    assert f"令和{today.year - 2018}年" in page  # today, in wareki, by default


def test_r3a_record_an_introduction_back_to_the_case_with_a_message(story: Any) -> None:
    cast, staff, case = story
    client = client_for(staff)
    response = client.post(
        new_url(case) + "?rule=R3a",
        {
            "target_kind": "self_reliance",
            "to_agency": cast.self_reliance.pk,
            "given_to": "family",
            "what_given": "パンフレットと窓口の電話番号",
            "given_on": "R7.4.1",
            "rule": "R3a",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/people/cases/{case.pk}/#introductions"
    intro = Introduction.objects.get()
    assert intro.to_agency == cast.self_reliance and intro.given_on == datetime.date(2025, 4, 1)
    assert intro.rule == "R3a" and intro.given_to == "family" and intro.created_by == staff
    assert not Grant.objects.exists()  # rule R3a: nothing passes
    page = client.get(response["Location"]).content.decode()
    assert 'id="introductions"' in page and "高知市自立相談支援機関" in page
    assert f"/referrals/introductions/{intro.pk}/" in page
    assert "令和7年4月1日" in page
    assert AuditEvent.objects.filter(action="introduction.listed", record_id=str(intro.pk))


def test_r3a_errors_beside_the_fields_and_what_was_typed_is_kept(story: Any) -> None:
    _cast, staff, case = story
    client = client_for(staff)
    response = client.post(
        new_url(case),
        {"target_kind": "", "to_name": "", "what_given": "居場所の案内", "given_on": "令和99年"},
    )
    page = response.content.decode()
    assert response.status_code == 400 and not Introduction.objects.exists()
    assert 'id="id_target_kind_error"' in page and 'id="id_given_on_error"' in page
    assert "居場所の案内" in page and "令和99年" in page
    # neither an agency nor a name: the service's error beside the name
    response = client.post(
        new_url(case),
        {"target_kind": "peer_group", "given_to": "person", "what_given": "日時と場所"},
    )
    page = response.content.decode()
    assert response.status_code == 400 and 'id="id_to_name_error"' in page
    assert "日時と場所" in page and not Introduction.objects.exists()
    # a day in the future, and an agency not offered
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        new_url(case),
        {
            "target_kind": "other",
            "to_agency": "999999",
            "given_to": "person",
            "what_given": "案内",
            "given_on": tomorrow.isoformat(),
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_to_agency_error"' in page and 'id="id_given_on_error"' in page


def test_r3a_a_group_outside_the_registry_by_its_name(story: Any) -> None:
    _cast, staff, case = story
    response = client_for(staff).post(
        new_url(case),
        {
            "target_kind": "family_association",
            "to_name": "高知県ひきこもり家族会",
            "given_to": "family",
            "what_given": "例会の日程",
            "given_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    assert Introduction.objects.get().target_label == "高知県ひきこもり家族会"


def test_r3a_agency_list_by_period_and_one_introduction(story: Any) -> None:
    cast, staff, case = story
    old = introduce(staff, case, given_on=datetime.date(2025, 4, 1))
    new = introduce(staff, case, cast.self_reliance, given_on=datetime.date(2025, 6, 10))
    client = client_for(staff)
    page = client.get("/referrals/introductions/").content.decode()
    assert "高知県ひきこもり家族会" in page and "高知市自立相談支援機関" in page
    assert "山田 太郎" in page and "令和7年6月10日" in page
    listed = set(
        AuditEvent.objects.filter(action="introduction.listed").values_list("record_id", flat=True)
    )
    assert listed == {str(old.pk), str(new.pk)}
    page = client.get("/referrals/introductions/?since=R7.6.1&until=2025-06-30").content.decode()
    assert f"/referrals/introductions/{new.pk}/" in page
    assert f"/referrals/introductions/{old.pk}/" not in page
    response = client.get("/referrals/introductions/?since=R7.6.1&until=R7.5.1")
    assert response.status_code == 400 and 'id="id_until_error"' in response.content.decode()
    response = client.get(f"/referrals/introductions/{new.pk}/")
    page = response.content.decode()
    assert response.status_code == 200 and "リーフレットと電話番号" in page
    assert "令和7年6月10日" in page and "R3a" in page
    viewed = AuditEvent.objects.get(action="introduction.viewed")
    assert viewed.actor == staff and viewed.subject_id == case.person_id


def test_other_agencies_get_404_and_nobody_the_403_page(story: Any) -> None:
    cast, staff, case = story
    intro = introduce(staff, case, cast.self_reliance)
    for user in (cast.outsider, receiver(cast), cast.users[Role.MUNICIPAL_OFFICER]):
        client = client_for(user)
        assert client.get(new_url(case)).status_code == 404, user
        assert client.post(new_url(case), {"what_given": "x"}).status_code == 404, user
        assert client.get(f"/referrals/introductions/{intro.pk}/").status_code == 404, user
        page = client.get("/referrals/introductions/")
        assert page.status_code in (200, 404) and "山田" not in page.content.decode()
    nobody = client_for(cast.nobody)
    for url in (
        new_url(case),
        "/referrals/introductions/",
        f"/referrals/introductions/{intro.pk}/",
    ):
        assert nobody.get(url).status_code == 403
    assert Introduction.objects.count() == 1
    assert not AuditEvent.objects.filter(action__startswith="introduction.").exclude(actor=staff)


def test_an_introduction_of_another_kind_of_agency_from_the_r7_suggestion(story: Any) -> None:
    cast, staff, case = story
    debt = Agency.objects.create(
        name="高知県多重債務相談窓口",
        kind=AgencyKind.DEBT_CONSULTATION,
        prefecture=cast.center.prefecture,
    )
    url = f"{new_url(case)}?rule=R7&to={debt.pk}&kind=linked_system"
    page = client_for(staff).get(url).content.decode()
    assert f'<option value="{debt.pk}" selected>' in page
    assert '<option value="linked_system" selected>' in page
