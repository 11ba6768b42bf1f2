"""No screen and no API operation bypasses the access module.

Every URL's view is wrapped by `member_required` (login, an active membership, and the access
module's refusals turned into 403/404) or explicitly marked `public`. Every API operation has
authentication except the token endpoint; ninja's own docs pages are the only other exception.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# Public on purpose: the login page, the health check, logout, and Django's language switch.
PUBLIC_OK = {"accounts:login", "accounts:logout", "healthz", "set_language"}
PUBLIC_OK |= {"public:search", "public:prefecture", "public:municipality", "public:leaflet"}


def _walk(patterns: list, prefix: str = "") -> list[tuple[str, URLPattern]]:  # type: ignore[type-arg]
    found = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            found += _walk(p.url_patterns, ns)
        else:
            found.append((f"{prefix}{p.name}", p))
    return found


def test_every_screen_is_access_checked() -> None:
    unchecked = []
    for name, pattern in _walk(get_resolver().url_patterns):
        if name.startswith("api"):
            continue
        view = pattern.callback
        if getattr(view, "is_public", False):
            assert name in PUBLIC_OK, f"{name} is public but not in the allowed list"
            continue
        if name in PUBLIC_OK:
            continue
        if not getattr(view, "access_checked", False):
            unchecked.append(name)
    assert unchecked == []


@pytest.mark.django_db
def test_every_api_operation_requires_authentication(client: Client) -> None:
    """Call every operation of the OpenAPI document without credentials: all answer 401."""
    schema = client.get("/api/v1/openapi.json").json()
    open_operations = []
    for path, operations in schema["paths"].items():
        url = re.sub(r"\{[^}]+\}", "1", path)
        for method in operations:
            response = client.generic(
                method.upper(), url, data="{}", content_type="application/json"
            )
            if response.status_code != 401:
                open_operations.append(f"{method.upper()} {path} → {response.status_code}")
    assert open_operations == ["POST /api/v1/auth/token → 422"]
