"""Screens of the support plan (being written)."""

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


case_plans = plan_new = plan_detail = plan_edit = plan_step = plan_evaluate = reviews = _todo
