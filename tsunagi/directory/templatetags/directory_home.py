"""The directory's panel of the home page: the entries the user keeps that have not been
verified for a year (issue 8: such entries are flagged)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("directory/_home_panel.html", takes_context=True)
def directory_home(context: Any) -> dict[str, Any]:
    from ..views import stale_for_home

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return {"show": False}
    stale, total = stale_for_home(user)
    return {"show": total > 0, "stale": stale, "total": total}
