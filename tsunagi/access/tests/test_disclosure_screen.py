"""Rule P3: the disclosure page of a person lists every agency and user who saw or changed the
record, when and on what ground; the owning agency's staff open it, nobody else."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.cast import make_cast
from tests.people import yamada_household
from tests.sharing import make_consent, receiver
from tsunagi.access.models import AuditEvent
from tsunagi.access.services import share_under_consent
from tsunagi.accounts.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def story() -> dict[str, Any]:
    cast = make_cast()
    staff = cast.users[Role.STAFF]
    _household, _mother, son, case = yamada_household(staff, cast.center)
    consent = make_consent(staff, son, cast.self_reliance, case=case)
    grant = share_under_consent(staff, consent, receiving_agency=cast.self_reliance, case=case)
    sr = receiver(cast)
    client = Client()
    client.force_login(sr)
    assert client.get(f"/consent/persons/{son.pk}/shared/").status_code == 200
    return {"cast": cast, "staff": staff, "son": son, "grant": grant, "sr": sr}


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_p3_disclosure_page_names_the_receiving_agency_and_the_ground(story: dict) -> None:
    son, grant = story["son"], story["grant"]
    response = login(story["staff"]).get(f"/audit/disclosure/{son.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert story["cast"].self_reliance.name in page
    assert "sr_staff" in page and f"同意 #{grant.pk}" in page and "自機関" in page


def test_p3_disclosure_csv_export(story: dict) -> None:
    son = story["son"]
    response = login(story["cast"].users[Role.MANAGER]).get(
        f"/audit/disclosure/{son.pk}/", {"format": "csv"}
    )
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "sr_staff" in text and story["cast"].self_reliance.name in text
    assert AuditEvent.objects.filter(action="disclosure.exported").exists()


def test_p3_disclosure_is_refused_outside_the_owning_agency(story: dict) -> None:
    url = f"/audit/disclosure/{story['son'].pk}/"
    assert login(story["sr"]).get(url).status_code == 404
    assert login(story["cast"].outsider).get(url).status_code == 404
    assert login(story["cast"].nobody).get(url).status_code in (403, 404)


def test_access_log_shows_the_users_agency_and_filters_by_person_and_ground(story: dict) -> None:
    son, grant = story["son"], story["grant"]
    client = login(story["cast"].users[Role.MANAGER])
    response = client.get("/audit/", {"person": son.pk, "ground": "consent"})
    assert response.status_code == 200
    events = list(response.context["page"].object_list)
    assert events and all(e.subject_id == son.pk and e.grant == grant.code for e in events)
    page = response.content.decode()
    assert f"同意 #{grant.pk}" in page and story["cast"].self_reliance.name in page
    own = client.get("/audit/", {"ground": "own_agency"}).context["page"].object_list
    assert all(e.grant == "own_agency" for e in own)
