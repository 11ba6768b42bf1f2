"""The printed referral letter (being written)."""

from django.http import Http404, HttpRequest, HttpResponse


def referral_letter(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404
