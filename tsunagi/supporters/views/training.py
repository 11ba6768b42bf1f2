"""The prefecture's screens: training courses, the supporters' records and consent (S1, S2), and
the roster given to municipalities (S3).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from tsunagi.web.decorators import member_required


@member_required
def courses(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def course_new(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def course_detail(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def course_edit(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def session_add(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def enrol(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def attendance(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def complete(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def supporter_list(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def supporter_new(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def supporter_detail(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def supporter_edit(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def supporter_consent(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def consent_form(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def supporter_withdraw(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def supporter_account(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def roster_give(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def releases(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written
