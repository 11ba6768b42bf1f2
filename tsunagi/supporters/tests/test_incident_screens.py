"""Incidents on the coordinator's screens (rule S8): shown at once on the home page until seen,
listed unseen first, acknowledged, followed up, closed only with a step and a summary."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Membership, Role, User
from tsunagi.supporters import services as sv
from tsunagi.supporters.models import Incident, IncidentState
from tsunagi.supporters.tests.factories import PASSWORD, World, make_dispatch, make_world

pytestmark = pytest.mark.django_db


def login(user: User) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def incident(w: World, severity: str = "minor") -> Incident:
    d = make_dispatch(w)
    return sv.report_incident(
        w.supporter_user,
        d,
        {"occurred_at": timezone.now(), "kind": "injury", "severity": severity,
         "what_happened": "玄関で転倒した", "immediate_action": "家族に連絡"},
    )  # fmt: skip


def test_s8_unseen_incident_on_top_of_the_home_page_until_acknowledged() -> None:
    w = make_world()
    inc = incident(w, "serious")
    c = login(w.coordinator)
    body = c.get(reverse("web:home")).content.decode()
    assert "home-incidents-unseen-panel" in body
    assert reverse("supporters:incident", args=[inc.pk]) in body
    r = c.get(reverse("supporters:incident", args=[inc.pk]))
    assert r.status_code == 200 and "not-seen" in r.content.decode()
    assert AuditEvent.objects.filter(action="incident.viewed", actor=w.coordinator).exists()
    r = c.post(reverse("supporters:incident", args=[inc.pk]), {"action": "acknowledge"})
    assert r.status_code == 302
    inc.refresh_from_db()
    assert inc.acknowledged_at is not None
    body = c.get(reverse("web:home")).content.decode()
    assert "home-incidents-unseen-panel" not in body


def test_s8_list_unseen_first_and_filter() -> None:
    w = make_world()
    first = incident(w)
    sv.acknowledge_incident(w.coordinator, first)
    second = incident(w)
    c = login(w.coordinator)
    body = c.get(reverse("supporters:incidents")).content.decode()
    assert body.index(f"incident-{second.pk}") < body.index(f"incident-{first.pk}")
    body = c.get(reverse("supporters:incidents"), {"state": "closed"}).content.decode()
    assert f"incident-{first.pk}" not in body
    body = c.get(reverse("supporters:incidents"), {"state": "bogus", "page": "9"}).content.decode()
    assert f"incident-{first.pk}" in body


def test_s8_close_needs_a_step_and_a_summary() -> None:
    w = make_world()
    inc = incident(w)
    c = login(w.coordinator)
    body = c.get(reverse("supporters:incident", args=[inc.pk])).content.decode()
    assert "closing-findings" in body and "S8" in body
    r = c.post(
        reverse("supporters:incident_close", args=[inc.pk]),
        {"summary": "保険で対応", "version": inc.version},
    )
    assert r.status_code == 400
    assert "S8" in r.content.decode() and "保険で対応" in r.content.decode()
    r = c.post(reverse("supporters:incident_step", args=[inc.pk]), {"what": ""})
    assert r.status_code == 400
    r = c.post(reverse("supporters:incident_step", args=[inc.pk]), {"what": "", "taken_on": "x"})
    assert r.status_code == 400
    r = c.post(
        reverse("supporters:incident_step", args=[inc.pk]),
        {"what": "保険会社へ連絡", "taken_on": timezone.localdate().isoformat()},
    )
    assert r.status_code == 302
    inc.refresh_from_db()
    assert inc.state == IncidentState.FOLLOWING_UP and inc.acknowledged_at is not None
    r = c.post(
        reverse("supporters:incident_close", args=[inc.pk]),
        {"summary": "", "version": inc.version},
    )
    assert r.status_code == 400
    r = c.post(
        reverse("supporters:incident_close", args=[inc.pk]),
        {"summary": "保険で対応し解決", "version": inc.version},
    )
    assert r.status_code == 302
    inc.refresh_from_db()
    assert inc.state == IncidentState.CLOSED
    body = c.get(reverse("supporters:incident", args=[inc.pk])).content.decode()
    assert "保険で対応し解決" in body and "closing-findings" not in body


def test_incident_screens_other_roles_404() -> None:
    w = make_world()
    inc = incident(w)
    officer = User.objects.create_user(username="muni", password=PASSWORD, full_name="市職員")
    Membership.objects.create(user=officer, agency=w.city_office, role=Role.MUNICIPAL_OFFICER)
    urls = [
        reverse("supporters:incident", args=[inc.pk]),
    ]
    for user in (w.other_coordinator, w.supporter_user, officer):
        c = login(user)
        for url in urls:
            assert c.get(url).status_code == 404, (user, url)
        for name, data in (
            ("supporters:incident_step", {"what": "x"}),
            ("supporters:incident_close", {"summary": "x"}),
        ):
            assert c.post(reverse(name, args=[inc.pk]), data).status_code == 404
    # the other municipality's coordinator runs their own (empty) list
    body = login(w.other_coordinator).get(reverse("supporters:incidents")).content.decode()
    assert f"incident-{inc.pk}" not in body
    for user in (w.supporter_user, officer):
        assert login(user).get(reverse("supporters:incidents")).status_code == 404
    inc.refresh_from_db()
    assert inc.state == IncidentState.REPORTED
