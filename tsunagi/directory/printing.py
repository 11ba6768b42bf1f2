"""The A4 leaflet of a municipality (rule M1: the hikikomori consultation window is made known to
every household): the window with its phone in large type, the hours, the ways to get in touch,
that anyone may consult, then the places and groups open to the public (M6, R6) with what a
withdrawn person or their family needs to know (cost, going with staff the first time, being
there without talking, hours).

Public information only (no personal data), always in Japanese, large type, laid out by
`templates/public/leaflet.html` and made a PDF by the people app's WeasyPrint helper (Noto CJK,
no resource fetched). No QR code.
"""

from __future__ import annotations

from urllib.parse import quote

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tsunagi.jurisdictions.models import Municipality
from tsunagi.people.printing import _weasyprint as load_weasyprint
from tsunagi.people.printing import html_to_pdf
from tsunagi.web.wareki import format_wareki


def leaflet_html(municipality: Municipality) -> str:
    from .public_views import town_directory

    with translation.override("ja"):
        return render_to_string(
            "public/leaflet.html",
            {
                "d": town_directory(municipality),
                "made_on": format_wareki(timezone.localdate()),
            },
        )


def leaflet_pdf(municipality: Municipality) -> bytes:
    """The leaflet as PDF bytes (PrintUnavailable when WeasyPrint cannot be loaded)."""
    load_weasyprint()  # fail early, before anything is read
    return html_to_pdf(leaflet_html(municipality))


def leaflet_filename(municipality: Municipality) -> str:
    with translation.override("ja"):
        name = _("Hikikomori consultation guide") + f"_{municipality.name}.pdf"
    return f"inline; filename=\"leaflet-{municipality.code}.pdf\"; filename*=UTF-8''{quote(name)}"
