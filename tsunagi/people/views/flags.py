"""Resolving a flag with a note (rule R8)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tsunagi.access.policy import (
    Action,
    Kind,
    get_visible,
    require,
)
from tsunagi.web.decorators import member_required

from .. import services
from ..forms import (
    FlagResolveForm,
)
from ..models import Flag
from .common import _apply_errors, _case_context, _safe_next


@member_required
def flag_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """Resolve a flag with a note; it stays on every screen of the case until then. rule R8"""
    flag = get_visible(
        request.user, Kind.FLAG, Flag.objects.select_related("case", "case__person"), pk=pk
    )
    require(request.user, Action.CHANGE, Kind.FLAG, flag)
    case_url = reverse("people:case", args=[flag.case_id])
    form = FlagResolveForm(request.POST or None, initial={"next": request.GET.get("next")})
    if request.method == "POST" and form.is_valid():
        try:
            services.resolve_flag(
                request.user, flag, form.cleaned_data["resolution"], request=request
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("The flag “%(flag)s” was resolved.") % {"flag": flag.get_kind_display()},
            )
            return redirect(_safe_next(request, form.cleaned_data.get("next"), case_url))
    context = _case_context(request, flag.case)
    context["flags"] = [f for f in context["flags"] if f.pk != flag.pk]
    return render(request, "people/flag_resolve.html", {**context, "flag": flag, "form": form})
