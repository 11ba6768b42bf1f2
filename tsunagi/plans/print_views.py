"""The support plan (プラン兼事業等利用申込書) and its evaluation sheet (評価シート) as PDFs,
shown inline in the browser to be printed and signed.

Only the owning agency's caseworkers who see the case print them; anyone else, an agency that
sees the plan through a grant included, gets 404 (the same answer as for a plan that does not
exist). A draft or a replaced plan without an evaluation has no evaluation sheet: the page says
why (409). Each print is logged as `plan.printed`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from tsunagi.access.policy import Kind, get_visible
from tsunagi.people.printing import Printed
from tsunagi.web.decorators import member_required
from tsunagi.web.pdf import pdf_page

from . import printing
from .models import SupportPlan


def _plan(request: HttpRequest, pk: int) -> SupportPlan:
    return get_visible(
        request.user,
        Kind.PLAN,
        SupportPlan.objects.select_related(
            "agency",
            "person__municipality",
            "case",
            "previous",
            "approved_item__meeting",
            "created_by",
        ),
        pk=pk,
    )


def _answer(
    request: HttpRequest,
    pk: int,
    make: Callable[[Any, SupportPlan, HttpRequest], Printed],
    title: str,
) -> HttpResponse:
    plan = _plan(request, pk)
    return pdf_page(request, lambda: make(request.user, plan, request), title)


@member_required
def plan_print(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, printing.print_plan, _("The support plan cannot be printed"))


@member_required
def evaluation_print(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(
        request, pk, printing.print_evaluation, _("The evaluation sheet cannot be printed")
    )
