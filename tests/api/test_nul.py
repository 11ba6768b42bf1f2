"""A NUL character anywhere in the API's input answers 422 with the field, never a 500."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_nul_in_a_json_body_names_the_field(world, api) -> None:
    response = api(world.staff).post("/persons", {"family_name": "山田", "notes": "a\x00b"})
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "notes" and "NUL" in error["message"]


def test_a_nul_in_a_nested_value_and_in_a_query(world, api) -> None:
    client = api(world.staff)
    nested = client.post("/persons", {"family_name": "山田", "preferred_contact": ["x\x00"]})
    assert nested.status_code == 422
    assert nested.json()["errors"][0]["field"] == "preferred_contact.0"
    query = client.get("/persons?q=%00")
    assert query.status_code == 422 and query.json()["errors"][0]["field"] == "q"
