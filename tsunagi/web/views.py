from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from tsunagi.access.policy import positions

from .decorators import member_required, public


@public
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: 200 when the application and its database answer, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@member_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = (
        request.user.memberships.filter(is_active=True)  # type: ignore[union-attr]
        .select_related("agency", "agency__prefecture")
        .order_by("agency__name")
    )
    return render(
        request,
        "web/home.html",
        {"memberships": memberships, "positions": positions(request.user)},
    )
