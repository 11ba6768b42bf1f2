"""The referral statistics screen (being written)."""

from django.http import Http404, HttpRequest, HttpResponse


def referral_stats(request: HttpRequest) -> HttpResponse:
    raise Http404
