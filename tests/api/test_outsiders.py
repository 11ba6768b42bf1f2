"""The user with no membership sees nothing but their own account; a supporter sees no registry.

Every endpoint is tried. Records answer 404 (the same as a record that does not exist, so an
outsider cannot probe what exists); lists answer with nothing in them.
"""

from __future__ import annotations

from typing import Any

import pytest

from tsunagi.access.models import AuditEvent
from tsunagi.agencies.models import Agency, Pairing

from .factories import add_staff, assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def ids(world) -> dict[str, Any]:
    pairing = Pairing.objects.create(
        prefecture=world.center.prefecture,
        hikikomori_agency=world.center,
        self_reliance_agency=world.city_self_reliance,
    )
    staff = add_staff(world.center, "山田 花子")
    return {"agency": world.center.pk, "pairing": pairing.pk, "staff": staff.pk,
            "user": world.staff.pk}  # fmt: skip


STATION = {
    "name": "外部からの登録", "kind": "hikikomori_station", "operator_level": "prefecture",
    "prefecture_code": "39",
}  # fmt: skip
HOURS = [{"weekday": 0, "opens": "09:00", "closes": "17:00"}]

# (method, path, body): every record endpoint but /users/me.
RECORDS = [
    ("get", "/prefectures/39", None),
    ("get", "/municipalities/39201", None),
    ("patch", "/municipalities/39386", {"has_welfare_office": True}),
    ("get", "/municipalities/39201/self-reliance-agency", None),
    ("get", "/postal-codes/7800850", None),
    ("get", "/agencies/{agency}", None),
    ("post", "/agencies", STATION),
    ("patch", "/agencies/{agency}", {"phone": "1"}),
    ("put", "/agencies/{agency}/hours", HOURS),
    ("get", "/agencies/{agency}/compliance", None),
    ("get", "/agencies/{agency}/staff", None),
    ("post", "/agencies/{agency}/staff", {"name": "侵入者"}),
    ("put", "/agencies/{agency}/staff/{staff}", {"name": "侵入者"}),
    ("post", "/pairings", {"hikikomori_agency_id": 0, "self_reliance_agency_id": 0}),
    ("delete", "/pairings/{pairing}", None),
    ("get", "/users/{user}", None),
    ("post", "/users", {"username": "x", "full_name": "x", "password": "long-enough-pw-1",
                        "role": "operator"}),
]  # fmt: skip
LISTS = ["/users", "/municipalities", "/agencies", "/pairings"]


def _call(client: Any, method: str, path: str, body: Any, ids: dict[str, Any]) -> Any:
    path = path.format(**ids)
    if body is not None and "hikikomori_agency_id" in body:
        body = {"hikikomori_agency_id": ids["agency"], "self_reliance_agency_id": ids["agency"]}
    if method in ("get", "delete"):
        return getattr(client, method)(path)
    return getattr(client, method)(path, body)


@pytest.mark.parametrize(("method", "path", "body"), RECORDS)
def test_the_user_with_no_membership_finds_no_record(world, api, ids, method, path, body):
    before = AuditEvent.objects.exclude(action="token.issued").count()

    response = _call(api(world.nobody), method, path, body, ids)

    assert_error(response, 404)
    assert AuditEvent.objects.exclude(action="token.issued").count() == before


@pytest.mark.parametrize("path", LISTS)
def test_the_user_with_no_membership_lists_nothing(world, api, ids, path):
    page = api(world.nobody).get(path).json()

    assert (page["count"], page["items"]) == (0, [])


def test_the_user_with_no_membership_sees_no_prefecture(world, api):
    assert api(world.nobody).get("/prefectures").json() == []


def test_the_user_with_no_membership_changes_nothing(world, api, ids):
    client = api(world.nobody)
    for method, path, body in RECORDS:
        if method != "get":
            _call(client, method, path, body, ids)

    world.center.refresh_from_db()
    assert world.center.version == 1
    assert not Agency.objects.filter(name="外部からの登録").exists()
    assert Pairing.objects.count() == 1


@pytest.mark.parametrize(
    "path",
    ["/agencies/{agency}", "/agencies/{agency}/staff", "/agencies/{agency}/compliance",
     "/municipalities/39201/self-reliance-agency"],
)  # fmt: skip
def test_a_supporter_does_not_see_the_registry(world, api, ids, path):
    assert_error(api(world.supporter).get(path.format(**ids)), 404)


def test_a_supporter_lists_no_agency_and_no_pairing(world, api, ids):
    client = api(world.supporter)

    assert client.get("/agencies").json()["count"] == 0
    assert client.get("/pairings").json()["count"] == 0


def test_a_supporter_may_still_look_up_an_address(world, api):
    response = api(world.supporter).get("/postal-codes/7800850")

    assert response.status_code == 200
    assert response.json()["city"] == "高知市"
