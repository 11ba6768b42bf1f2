"""Printed plan and evaluation sheet (being written)."""

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


plan_print = evaluation_print = _todo
