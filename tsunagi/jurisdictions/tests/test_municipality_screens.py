"""Municipality screens: the list of a prefecture, the detail with J2, the officer's edit."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.cast import Cast, make_cast
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role
from tsunagi.jurisdictions.models import Municipality

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> Cast:
    return make_cast()


def login(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_list_of_tokyo_shows_62_with_codes(cast: Cast) -> None:
    response = login(cast.users[Role.STAFF]).get("/jurisdictions/", {"prefecture": "13"})
    assert len(response.context["municipalities"]) == 62
    page = response.content.decode()
    assert "131016" in page and "千代田区" in page and "特別区" in page


def test_j2_detail_names_the_responsible_self_reliance_agency(cast: Cast) -> None:
    page = login(cast.users[Role.STAFF]).get("/jurisdictions/39201/").content.decode()
    assert "高知市自立相談支援機関" in page and "J2" in page


def test_j2_prefectural_officer_sets_the_welfare_office_flag(cast: Cast) -> None:
    town = Municipality.objects.filter(prefecture__code="39", kind="town").first()
    assert town is not None
    client = login(cast.users[Role.PREFECTURAL_OFFICER])
    response = client.post(f"/jurisdictions/{town.code}/",
                           {"has_welfare_office": "on", "population": "１２３４"})  # fmt: skip
    assert response.status_code == 302
    town.refresh_from_db()
    assert town.has_welfare_office and town.population == 1234
    assert AuditEvent.objects.filter(action="municipality.changed", record_id=str(town.pk)).exists()


def test_staff_sees_no_edit_form_and_cannot_post(cast: Cast) -> None:
    client = login(cast.users[Role.STAFF])
    page = client.get("/jurisdictions/39201/").content.decode()
    assert 'name="has_welfare_office"' not in page
    assert client.post("/jurisdictions/39201/", {"has_welfare_office": ""}).status_code == 403
    assert Municipality.objects.get(code="39201").has_welfare_office


def test_nobody_sees_nothing(cast: Cast) -> None:
    client = login(cast.nobody)
    assert client.get("/jurisdictions/").status_code in (403, 404)
    assert client.get("/jurisdictions/39201/").status_code in (403, 404)


def test_csv_export(cast: Cast) -> None:
    response = login(cast.users[Role.STAFF]).get(
        "/jurisdictions/", {"prefecture": "39", "format": "csv"}
    )
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 35  # header + 34 municipalities of 高知県
