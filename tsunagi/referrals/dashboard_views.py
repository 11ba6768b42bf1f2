"""Screens of reminders, hand-overs waiting and reminder settings (being written)."""

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


waiting = reminder_settings = _todo
