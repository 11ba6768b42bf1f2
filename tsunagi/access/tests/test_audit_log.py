"""The audit log is append-only: the model refuses, and so does the database (both vendors)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from tsunagi.access import audit
from tsunagi.access.models import AuditEvent, AuditLogIsAppendOnly
from tsunagi.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_model_refuses_change_and_delete() -> None:
    event = audit.record("agency.changed", detail={"x": 1})
    event.action = "something.else"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()


@pytest.mark.smoke
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE access_auditevent SET action = 'forged' WHERE id = %s",
        "DELETE FROM access_auditevent WHERE id = %s",
    ],
)
def test_database_refuses_update_and_delete(sql: str) -> None:
    event = audit.record("login.failed", username="someone")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "login.failed"


def test_queryset_bulk_changes_are_refused_too() -> None:
    audit.record("login.failed", username="someone")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().update(action="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(action="login.failed").exists()


def test_login_success_and_failure_are_logged(client: Client) -> None:
    User.objects.create_user(username="taro", password="correct-horse-battery")
    client.post("/accounts/login/", {"username": "taro", "password": "wrong"})
    client.post("/accounts/login/", {"username": "ｔａｒｏ", "password": "correct-horse-battery"})
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "actor_username"))
    assert actions == [("login.failed", "taro"), ("login.succeeded", "taro")]
