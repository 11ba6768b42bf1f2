"""The supporter's own view, made for a phone: their active dispatches only (rules S4/S5), visit
reports and guidance (S6), incidents (S8), found cases (S7), their own preferences.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from tsunagi.web.decorators import member_required


@member_required
def mine(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def mine_dispatch(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def visit_new(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def incident_new(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def found_new(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def me(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written
