"""CSV and Excel export of any list the user can see (Japanese headers; exports are logged)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from tsunagi.access import audit
from tsunagi.access.policy import positions

FORMATS = ("csv", "xlsx")


# Text a spreadsheet would take for a formula (an imported name like "=HYPERLINK(...)").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """A value as a spreadsheet cell: numbers stay numbers, text never becomes a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "○" if value else ""
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def export_response(
    request: HttpRequest,
    *,
    fmt: str,
    filename: str,
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    audit_action: str,
    agency: Any = None,
) -> HttpResponse:
    """A download of `rows` as CSV (UTF-8 with BOM, so Excel reads Japanese) or .xlsx."""
    header_row = [str(h) for h in headers]
    body = [[cell(v) for v in row] for row in rows]
    if fmt == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = filename[:31]
        sheet.append(header_row)
        for header in sheet[1]:
            header.font = Font(bold=True)
        for row in body:
            sheet.append(row)
        sheet.freeze_panes = "A2"
        buffer = io.BytesIO()
        workbook.save(buffer)
        content: bytes = buffer.getvalue()
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        fmt = "csv"
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(header_row)
        writer.writerows(body)
        content = ("\ufeff" + text.getvalue()).encode("utf-8")
        content_type = "text/csv; charset=utf-8"
    if agency is None:
        # Logged for the exporter's own agency (when there is one), so its manager sees it.
        agency_ids = {p.agency_id for p in positions(request.user) if p.agency_id is not None}
        agency_id = next(iter(agency_ids)) if len(agency_ids) == 1 else None
    else:
        agency_id = agency.pk
    audit.record(
        audit_action,
        request=request,
        agency_id=agency_id,
        detail={"rows": len(body), "format": fmt},
    )
    response = HttpResponse(content, content_type=content_type)
    name = f"{filename}.{fmt}"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
