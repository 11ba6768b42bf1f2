"""The meeting parts of other screens: the open follow-up tasks on the home page."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from tsunagi.plans.selectors import open_tasks

register = template.Library()


@register.inclusion_tag("meetings/_home_tasks_body.html", takes_context=True)
def meeting_home_tasks(context: Any) -> dict[str, Any]:
    """Follow-up tasks decided at meetings, for the user's agencies, not yet done; each with a
    done button that brings the user back home."""
    request = context.get("request")
    user = request.user if request is not None else context.get("user")
    if user is None or not user.is_authenticated:
        return {"tasks": []}
    return {
        "tasks": list(open_tasks(user)),
        "today": timezone.localdate(),
        "csrf_token": context.get("csrf_token"),
    }
