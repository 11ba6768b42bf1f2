"""Printed minutes (being written)."""

from django.http import Http404, HttpRequest, HttpResponse


def minutes_print(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404
