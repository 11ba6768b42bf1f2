"""A tiny site for the harness test: a page, a login-only page, a token-only API, a crash."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from tsunagi.accounts.models import ApiToken


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def whoami(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    return HttpResponse(request.user.get_username())


def api_whoami(request: HttpRequest) -> HttpResponse:
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    token = ApiToken.find(raw) if scheme == "Bearer" else None
    if token is None:
        return HttpResponse(status=401)
    return HttpResponse(token.user.get_username())


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


urlpatterns = [
    path("ok", ok),
    path("whoami", whoami),
    path("api/whoami", api_whoami),
    path("boom", boom),
]
