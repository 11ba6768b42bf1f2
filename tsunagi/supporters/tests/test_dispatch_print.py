"""The dispatch plan (派遣計画書, rule S4) as an A4 PDF: the plan, the supporter, the household's
name and address, both consent lines; only the dispatching office prints it (logged)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import User
from tsunagi.supporters import printing
from tsunagi.supporters.models import DispatchState
from tsunagi.supporters.tests.factories import PASSWORD, make_dispatch, make_world

pytestmark = pytest.mark.django_db


def login(user: User) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def test_s4_dispatch_plan_sheet_has_plan_supporter_household_and_consents() -> None:
    w = make_world()
    d = make_dispatch(w)
    html = printing.dispatch_plan_html(d, w.coordinator)
    for text in ("派遣計画書", "外出のきっかけづくり", "週1回訪問", "話し相手", "高知 一郎",
                 "山田 太郎", "ご本人（ご家族）", "サポーター", "署名", "令和"):  # fmt: skip
        assert text in html, text
    assert "高知市" in html  # the household's address (municipality)


def test_s4_dispatch_plan_pdf_printed_and_logged() -> None:
    pytest.importorskip("weasyprint")
    w = make_world()
    d = make_dispatch(w)
    r = login(w.coordinator).get(reverse("supporters:dispatch_print", args=[d.pk]))
    if r.status_code == 503:
        pytest.skip("WeasyPrint cannot run here")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="dispatch.printed", actor=w.coordinator).exists()


def test_s4_no_plan_no_sheet() -> None:
    w = make_world()
    d = make_dispatch(w, state=DispatchState.REQUESTED)
    r = login(w.coordinator).get(reverse("supporters:dispatch_print", args=[d.pk]))
    assert r.status_code == 409
    assert not AuditEvent.objects.filter(action="dispatch.printed").exists()


def test_dispatch_plan_print_other_roles_404() -> None:
    w = make_world()
    d = make_dispatch(w)
    for user in (w.other_coordinator, w.supporter_user, w.officer):
        r = login(user).get(reverse("supporters:dispatch_print", args=[d.pk]))
        assert r.status_code == 404
