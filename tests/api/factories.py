"""Small factories and helpers for the API tests: agencies, users, a JSON client with a token.

Every user made here has the password `PASSWORD`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import time
from typing import Any

from django.test import Client

from tsunagi.accounts.models import Membership, Role, User
from tsunagi.agencies.models import Agency, AgencyKind, OpeningHours, OperatorLevel, StaffMember
from tsunagi.jurisdictions.models import Municipality, Prefecture

PASSWORD = "kochi-tosa-2025-api"
API = "/api/v1"
JAPANESE = re.compile(r"[ぁ-んァ-ン一-龥]")


# --- the client -----------------------------------------------------------------------------


class ApiClient:
    """A Django test client that sends JSON and, when it has one, `Authorization: Bearer ...`."""

    def __init__(self, token: str | None = None) -> None:
        self.client = Client()
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(API + path, params, headers=self._headers())

    def _send(self, method: str, path: str, body: Any) -> Any:
        send = getattr(self.client, method)
        return send(
            API + path,
            data=json.dumps(body) if body is not None else "",
            content_type="application/json",
            headers=self._headers(),
        )

    def post(self, path: str, body: Any = None) -> Any:
        return self._send("post", path, body)

    def patch(self, path: str, body: Any = None) -> Any:
        return self._send("patch", path, body)

    def put(self, path: str, body: Any = None) -> Any:
        return self._send("put", path, body)

    def delete(self, path: str) -> Any:
        return self._send("delete", path, None)


def issue_token(username: str, password: str = PASSWORD) -> Any:
    """The raw response of `POST /api/v1/auth/token`."""
    return ApiClient().post("/auth/token", {"username": username, "password": password})


def token_for(user: User) -> str:
    response = issue_token(user.username)
    assert response.status_code == 200, response.content
    token: str = response.json()["token"]
    return token


def assert_error(response: Any, status: int) -> dict[str, Any]:
    """An API error: the status, a JSON body and a `detail` in Japanese (the default language)."""
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert isinstance(body.get("detail"), str), body
    assert JAPANESE.search(body["detail"]), f"not Japanese: {body['detail']!r}"
    return body


def field_errors(response: Any, field: str) -> list[str]:
    """The messages a 422 answer gives for one field (asserting there is at least one)."""
    body = assert_error(response, 422)
    messages = [e["message"] for e in body["errors"] if e["field"] == field]
    assert messages, body["errors"]
    return messages


# --- factories ------------------------------------------------------------------------------


def prefecture(code: str) -> Prefecture:
    return Prefecture.objects.get(code=code)


def municipality(code: str) -> Municipality:
    return Municipality.objects.get(code=code)


def make_agency(
    name: str,
    kind: AgencyKind,
    pref: str,
    *,
    name_kana: str = "",
    city: str | None = None,
    area: list[str] | None = None,
) -> Agency:
    """An agency set up by its prefecture, or by the municipality `city` when given."""
    agency = Agency.objects.create(
        name=name,
        name_kana=name_kana,
        kind=kind,
        prefecture=prefecture(pref),
        operator_level=OperatorLevel.MUNICIPALITY if city else OperatorLevel.PREFECTURE,
        operator_prefecture=None if city else prefecture(pref),
        operator_municipality=municipality(city) if city else None,
    )
    if area:
        agency.area.set(Municipality.objects.filter(code__in=area))
    return agency


def make_user(username: str, agency: Agency | None = None, role: Role | None = None) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, full_name=f"{username} 太郎"
    )
    if role is not None:
        Membership.objects.create(user=user, agency=agency, role=role)
    return user


def add_staff(
    agency: Agency, name: str, *, coordinator: bool = True, qualifications: list[str] | None = None
) -> StaffMember:
    return StaffMember.objects.create(
        agency=agency, name=name, is_coordinator=coordinator, qualifications=qualifications or []
    )


def weekday_hours(agency: Agency, opens: time = time(9), closes: time = time(17)) -> None:
    """Open Monday to Friday."""
    OpeningHours.objects.bulk_create(
        OpeningHours(agency=agency, weekday=day, opens=opens, closes=closes) for day in range(5)
    )


@dataclass
class World:
    kochi_office: Agency  # 高知県 地域福祉政策課 (prefectural office)
    center: Agency  # 高知県ひきこもり地域支援センター
    city_office: Agency  # 高知市 健康福祉部 (municipal office)
    city_self_reliance: Agency  # 高知市生活支援相談センター (J2: the city's own)
    pref_self_reliance: Agency  # 高知県 for the towns and villages (J2)
    tokyo_office: Agency
    tokyo_self_reliance: Agency  # 千代田区
    staff: User
    manager: User
    dispatch_coordinator: User
    supporter: User
    municipal_officer: User
    prefectural_officer: User
    auditor: User
    operator: User
    nobody: User
    other_staff: User
    tokyo_officer: User

    def by_role(self, role: Role) -> User:
        user: User = getattr(self, str(role))
        return user
