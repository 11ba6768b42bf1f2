"""Every API error is JSON with a `detail` in the user's language, whatever goes wrong."""

from __future__ import annotations

import pytest
from django.test import Client

from .factories import API, assert_error, field_errors

pytestmark = pytest.mark.django_db


def test_an_unknown_api_path_is_a_json_404(world, api):
    assert_error(api(world.staff).get("/no-such-thing"), 404)
    assert_error(api(None).get("/no-such-thing"), 404)


def test_a_body_that_is_not_json_is_refused_in_japanese(world, api):
    client = api(world.prefectural_officer)

    response = client.client.post(
        API + "/agencies", data="{name: ", content_type="application/json",
        headers=client._headers(),
    )  # fmt: skip

    assert_error(response, 400)


def test_a_method_the_path_does_not_have_is_a_json_405(world, api):
    response = api(world.staff).delete("/agencies")

    assert_error(response, 405)
    assert "GET" in response["Allow"]


def test_a_path_parameter_of_the_wrong_type_is_a_field_error(world, api):
    assert field_errors(api(world.staff).get("/agencies/abc"), "agency_id")


def test_an_unknown_choice_in_a_query_is_a_field_error(world, api):
    assert field_errors(api(world.staff).get("/municipalities", kind="castle"), "kind")


def test_the_session_of_the_screens_needs_the_csrf_token_to_change_anything(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.manager)

    read = browser.get(f"{API}/agencies/{world.center.pk}")
    write = browser.patch(
        f"{API}/agencies/{world.center.pk}", data={"phone": "1"}, content_type="application/json"
    )

    assert read.status_code == 200
    assert_error(write, 403)
    world.center.refresh_from_db()
    assert world.center.phone == ""
