"""The HTTP API under /api/v1/ (django-ninja). Thin: parse, call one service or selector, answer.

Errors always come back as JSON with a message in the user's language (Japanese by default):
401 without credentials, 403 when the role does not allow the action, 404 when the record does
not exist *or* may not be seen, 409 on an edit conflict, 422 with field-level errors.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from tsunagi.access.policy import Denied
from tsunagi.agencies.services import EditConflict

from .errors import field_errors_from_django, field_errors_from_pydantic
from .security import BearerToken, SessionAuth


class TsunagiAPI(NinjaAPI):
    """NinjaAPI whose "method not allowed" answer is JSON in the user's language like the rest."""

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for url in urls:
            if isinstance(url, URLPattern):
                url.callback = _json_405(url.callback)
        return urls


def _json_405(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code != 405 or response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return response
        answer = api.create_response(
            request, {"detail": _("This method is not allowed here.")}, status=405
        )
        answer["Allow"] = response.get("Allow", "")
        return answer

    return wrapper


api = TsunagiAPI(
    title="tsunagi API",
    version="1",
    description=(
        "Case coordination for hikikomori support and self-reliance consultation agencies. "
        "Authenticate with `POST /api/v1/auth/token` and send `Authorization: Bearer <token>`. "
        "Every request goes through the access module; records you may not see answer 404."
    ),
    auth=[BearerToken(), SessionAuth()],
    urls_namespace="api",
)


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": _("The input has errors."), "errors": field_errors_from_pydantic(exc.errors)},
        status=422,
    )


@api.exception_handler(DjangoValidationError)
def _invalid_django(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": _("The input has errors."), "errors": field_errors_from_django(exc)},
        status=422,
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(Denied)
def _denied(request: HttpRequest, exc: Denied) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("Your role does not allow this action.")}, status=403
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Any) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("Authentication is required (log in or send a token).")}, status=401
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # django-ninja raises these itself (a body it cannot parse, a failed CSRF check on the
    # session) with English text; answer in the user's language like every other error.
    if exc.status_code == 400:
        detail = _("The request body is not valid JSON.")
    elif exc.status_code == 403:
        detail = _("CSRF verification failed. Request aborted.")
    else:  # nothing in tsunagi's configuration raises others (no throttling)
        detail = str(exc)
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(EditConflict)
def _conflict(request: HttpRequest, exc: EditConflict) -> HttpResponse:
    return api.create_response(
        request,
        {
            "detail": _("Someone else changed this record since you read it. Nothing was saved."),
            "current_version": getattr(exc.current, "version", None),
        },
        status=409,
    )


from . import accounts, agencies, jurisdictions, people  # noqa: E402

api.add_router("/auth", accounts.auth_router)
api.add_router("/users", accounts.users_router)
api.add_router("", jurisdictions.router)
api.add_router("/agencies", agencies.router)
api.add_router("/pairings", agencies.pairings_router)
api.add_router("", people.router)

from . import meetings, referrals  # noqa: E402

api.add_router("/referrals", referrals.router)
api.add_router("/meetings", meetings.router)

from . import referral_stats, suggestions  # noqa: E402

api.add_router("", suggestions.router)
api.add_router("/stats", referral_stats.router)

from . import plans  # noqa: E402

api.add_router("/plans", plans.router)

from . import sharing  # noqa: E402

api.add_router("", sharing.router)

from . import supporters  # noqa: E402

api.add_router("", supporters.router)

from . import directory, hsds  # noqa: E402

api.add_router("/directory", directory.router)
api.add_router("/hsds", hsds.router)

from . import oversight, stats  # noqa: E402

api.add_router("/municipal-structures", oversight.router)
api.add_router("/stats", stats.router)

# Added last, so it only answers paths no router above knows: a JSON 404, not an HTML page.
_unknown = Router()


@_unknown.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:path}", auth=None, include_in_schema=False
)
def unknown_path(request: HttpRequest, path: str) -> Any:
    raise Http404


api.add_router("", _unknown)
