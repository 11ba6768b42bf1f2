"""The rules help page: every row of the rule table with its ID, what it proposes, when it
applies and how its agency is found (J2, J3, J4, R6, R7); reminders in business days and R5.
Any member of an agency may read it; `nobody` gets the 403 page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils.text import slugify

from tests.cast import Cast, make_cast
from tsunagi.accounts.models import Role
from tsunagi.referrals.suggestions import RULES

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cast() -> Cast:
    return make_cast()


def test_r2_r3a_j4_every_rule_of_the_table_is_on_the_help_page(cast: Cast) -> None:
    response = client_for(cast.users[Role.STAFF]).get("/referrals/rules/")
    page = response.content.decode()
    assert response.status_code == 200
    for rule in RULES:
        assert f'id="rule-{slugify(rule.code)}"' in page, rule.code
        assert f'<span class="badge">{rule.id}</span>' in page
    assert page.count('<tr id="rule-') == len(RULES)
    # how the agencies are found, in Japanese: J2 (the welfare-office municipality, the
    # prefecture for a town without one), J3 (pairing), J4 (age band)
    assert "福祉事務所" in page and "J2" in page and "J3" in page and "J4" in page


def test_r5_reminders_in_business_days_and_the_hand_over_gap_are_explained(cast: Cast) -> None:
    page = client_for(cast.users[Role.STAFF]).get("/referrals/rules/").content.decode()
    assert 'id="reminders"' in page and 'id="r5"' in page
    assert "12月29日" in page and "1月3日" in page  # the year-end closure
    assert "/referrals/waiting/" in page


def test_the_rules_page_is_linked_from_the_panel_and_open_to_every_member(cast: Cast) -> None:
    for user in (cast.outsider, cast.users[Role.PREFECTURAL_OFFICER], cast.users[Role.MANAGER]):
        assert client_for(user).get("/referrals/rules/").status_code == 200, user
    assert client_for(cast.nobody).get("/referrals/rules/").status_code == 403
    assert Client().get("/referrals/rules/").status_code == 302  # to the login page
