"""Printable A4 forms of a case (PDF): 相談受付・申込票 and インテーク・アセスメントシート."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from tsunagi.web.decorators import member_required


@member_required
def intake_form(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


@member_required
def assessment_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError
