"""Screens of the suggestions panel, introductions and the rules help page (being written)."""

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


panel = dismiss = restore = introduction_new = introduction_list = introduction_detail = _todo
rules_help = _todo
