"""The menu shows each role what it may use (the access module decides), and a supporter only
their own view."""

from __future__ import annotations

import pytest

from tests.cast import make_cast
from tsunagi.accounts.models import Role
from tsunagi.web.navigation import menu_for

pytestmark = pytest.mark.django_db


def urls(user: object) -> set[str]:
    return {item.url for item in menu_for(user, "/")}


def test_a_supporter_sees_only_their_own_view() -> None:
    cast = make_cast()
    assert urls(cast.users[Role.SUPPORTER]) == {"/", "/supporters/mine/", "/supporters/me/"}


def test_the_operator_reaches_the_national_progress_and_no_municipality() -> None:
    cast = make_cast()
    operator = urls(cast.users[Role.OPERATOR])
    assert "/oversight/national/" in operator and "/oversight/" not in operator
    assert "/oversight/national/" not in urls(cast.users[Role.PREFECTURAL_OFFICER])
    assert "/oversight/" in urls(cast.users[Role.PREFECTURAL_OFFICER])


def test_casework_rows_only_for_caseworkers() -> None:
    cast = make_cast()
    assert "/people/" in urls(cast.users[Role.STAFF])
    for role in (Role.MUNICIPAL_OFFICER, Role.PREFECTURAL_OFFICER, Role.OPERATOR, Role.AUDITOR):
        assert "/people/" not in urls(cast.users[role]), role
