"""Every screen goes through here: login, an active membership, and the access module.

`member_required` marks the view so that `tests/test_every_view_asks_access.py` can check that
no URL bypasses it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

from tsunagi.access.policy import Denied, positions


def member_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not positions(request.user):
            return render(
                request,
                "web/error.html",
                {
                    "title": _("No role assigned"),
                    "message": _(
                        "Your account has no role in any agency yet. "
                        "Ask your agency's manager or the operator to assign one."
                    ),
                },
                status=403,
            )
        try:
            return view(request, *args, **kwargs)
        except Denied:
            return render(
                request,
                "web/error.html",
                {
                    "title": _("Not permitted"),
                    "message": _("Your role does not allow this action."),
                },
                status=403,
            )

    wrapper.access_checked = True  # type: ignore[attr-defined]
    return wrapper


def public(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Marks a view that deliberately needs no login (login page, health check)."""
    view.access_checked = True  # type: ignore[attr-defined]
    view.is_public = True  # type: ignore[attr-defined]
    return view
