"""Printed forms of the supporters capability, as A4 PDFs (WeasyPrint, Noto CJK, nothing
fetched): the supporter's consent to act (同意書, rule S2).

The consent form states, in Japanese, what the supporter agrees to: to act as a hikikomori
supporter, and that their name, contact details, the areas they can cover, when they can visit
and their training are given to the municipalities of the prefecture that dispatch supporters
(rule S2, S3). It carries the supporter's name, the date and a signature line. Only the
prefecture that keeps the supporter's record prints it; each print is logged as
`supporter.printed`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tsunagi.access.policy import Action, Denied, Kind, Role, prefectures_with, require
from tsunagi.people.printing import Printed, html_to_pdf, staff_name, wareki
from tsunagi.people.printing import _weasyprint as load_weasyprint

from .models import Supporter

# Rule S2: the sentence of the consent that the explanation covers (also shown on the screen).
CONSENT_STATEMENT = (
    "私は、ひきこもりサポーターとして活動することに同意します。"
    "活動にあたり、私の氏名、連絡先、活動できる地域、活動できる日時、研修の受講歴が、"
    "ひきこもりサポーター派遣事業を実施する（または実施を予定する）県内の市町村に提供されることについて"
    "説明を受け、これに同意します。"
)
CONSENT_POINTS = (
    "活動の中で知り得た訪問先の方やご家族の情報は、活動中も活動をやめた後も、他に漏らしません。",
    "派遣は、ご本人またはご家族の希望により市町村が調整し、市町村の指示と助言を受けて活動します。",
    "いつでも活動をやめることができます。やめた場合、すべての市町村の名簿から直ちに外れます。",
)


def printable(user: Any, supporter: Supporter) -> Supporter:
    """The prefecture that keeps the record prints (404 for those who do not see the supporter,
    403 for those who only see it, e.g. a municipality's coordinator)."""
    if supporter.prefecture_id not in prefectures_with(user, Role.PREFECTURAL_OFFICER):
        require(user, Action.VIEW, Kind.SUPPORTER, supporter)
        raise Denied("print consent form")
    return supporter


def consent_context(supporter: Supporter, user: Any = None) -> dict[str, Any]:
    now = timezone.localtime()
    return {
        "supporter": supporter,
        "prefecture": supporter.prefecture,
        "statement": CONSENT_STATEMENT,
        "points": CONSENT_POINTS,
        "signed_on": wareki(supporter.consent_signed_on),
        "printed": _("Printed %(date)s %(time)s by %(name)s")
        % {"date": wareki(now.date()), "time": now.strftime("%H:%M"), "name": staff_name(user)}
        if user is not None
        else wareki(now.date()),
    }


def consent_html(supporter: Supporter, user: Any = None) -> str:
    with translation.override("ja"):
        return render_to_string(
            "supporters/supporter/print/consent.html", consent_context(supporter, user)
        )


def print_consent_form(
    user: Any, supporter: Supporter, request: HttpRequest | None = None
) -> Printed:
    """同意書 as a PDF, after the access check; logged as `supporter.printed` (rule S2)."""
    from .services import log_supporter

    printable(user, supporter)
    load_weasyprint()  # fail early (PrintUnavailable), before anything is logged
    pdf = html_to_pdf(consent_html(supporter, user))
    log_supporter("supporter.printed", user, supporter, request, sheet="consent")
    return Printed(pdf, f"同意書_{supporter.pk}.pdf", f"consent-{supporter.pk}.pdf")


def consent_form_pdf(
    supporter: Supporter, user: Any = None, request: HttpRequest | None = None
) -> bytes:
    """The consent form's PDF bytes. With `user`, checked and logged (the API and the screen
    pass the user); without, only rendered (tests, the demo)."""
    if user is not None:
        return print_consent_form(user, supporter, request).pdf
    return html_to_pdf(consent_html(supporter))


# --- 派遣計画書 (rule S4) -----------------------------------------------------------------------


def dispatch_plan_context(dispatch: Any, user: Any = None) -> dict[str, Any]:
    """The dispatch plan's fields for the A4 sheet: the household, the plan, the supporter and
    both consent lines (blank lines to sign when not recorded yet)."""
    from tsunagi.people.printing import address_text

    from .models import PeerBackground

    d = dispatch
    now = timezone.localtime()
    supporter = d.supporter
    with translation.override("ja"):
        return {
            "d": d,
            "office": d.agency,
            "household": d.person.full_name,
            "address": address_text(d.person),
            "requested_on": wareki(d.requested_on),
            "requested_by": str(d.get_requested_by_display()),
            "starts_on": wareki(d.starts_on),
            "ends_on": wareki(d.ends_on),
            "supporter_name": supporter.name if supporter else "",
            "peer": str(dict(PeerBackground.choices).get(supporter.peer, ""))
            if supporter and supporter.peer
            else "",
            "person_consent_on": wareki(d.person_consent_on),
            "person_consent_by": str(d.get_person_consent_by_display())
            if d.person_consent_by
            else "",
            "person_consent_method": str(d.get_person_consent_method_display())
            if d.person_consent_method
            else "",
            "supporter_consent_on": wareki(d.supporter_consent_on),
            "printed": _("Printed %(date)s %(time)s by %(name)s")
            % {"date": wareki(now.date()), "time": now.strftime("%H:%M"), "name": staff_name(user)}
            if user is not None
            else wareki(now.date()),
        }


def dispatch_plan_html(dispatch: Any, user: Any = None) -> str:
    with translation.override("ja"):
        return render_to_string(
            "supporters/dispatch/print/plan.html", dispatch_plan_context(dispatch, user)
        )


def dispatch_plan_pdf(dispatch: Any, user: Any = None) -> bytes:
    """The dispatch plan (派遣計画書, rule S4) as A4 PDF bytes. The caller checks access and logs
    `dispatch.printed`; a request without a plan is refused (ValidationError, S4)."""
    from django.core.exceptions import ValidationError

    if not (dispatch.purpose or dispatch.activity_plan or dispatch.activities):
        raise ValidationError(
            {
                "purpose": [
                    "S4: " + _("Write the purpose, the activity plan and the activities first.")
                ]
            }
        )
    load_weasyprint()
    return html_to_pdf(dispatch_plan_html(dispatch, user))
