"""The municipality's screens: its roster and the confirmation (S3), dispatch requests, matching,
the dispatch plan and consents (S4), the stop (S5), guidance (S6), found cases (S7) and
incidents (S8).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from tsunagi.web.decorators import member_required


@member_required
def roster(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def roster_confirm(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def dispatch_list(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def dispatch_new(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def dispatch_detail(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def dispatch_edit(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def dispatch_match(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def dispatch_plan(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def dispatch_consents(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def dispatch_step(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def dispatch_stop(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def dispatch_print(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def guidance_add(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def incident_list(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def incident_detail(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def incident_step(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def incident_close(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def found_list(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written


@member_required
def found_detail(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404  # placeholder until the screen is written
