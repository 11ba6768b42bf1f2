"""Tables of statistics on the screen and in downloads, shared by the referral statistics
(`tsunagi.referrals.stats_views`) and the case statistics (`tsunagi.figures.views`).

`shown_table` gives a table's cells and the geometry of its bar chart, drawn on the server by
the template `web/_bar_chart.html` (SVG, readable when printed); `workbook` and `stacked_csv`
write several tables at once (Excel: a sheet per table; CSV: the tables one after another under
their titles); `download` answers one table or several as a download, logged (one table alone
goes through `tsunagi.web.export.export_response`, like every list).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Sequence
from typing import Any, Protocol
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from tsunagi.access import audit

from .export import cell, export_response

BAR_HEIGHT = 22
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class StatsTable(Protocol):
    """What a table of statistics has (`tsunagi.referrals.stats.Table` and its kin)."""

    @property
    def key(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def headers(self) -> list[str]: ...
    @property
    def rows(self) -> list[list[Any]]: ...
    @property
    def chart(self) -> list[tuple[str, int]]: ...


def shown_table(
    table: StatsTable, hidden: Collection[str] = (), hidden_text: str = ""
) -> dict[str, Any]:
    """A table for the screen with its bars: each bar's length is its share of the largest
    value; a bar whose label is in `hidden` is drawn empty with `hidden_text` as its value."""
    top = max((value for _label, value in table.chart), default=0)
    bars = [
        {
            "label": label,
            "value": hidden_text if label in hidden else value,
            "percent": round(value * 100 / top, 1) if top else 0,
            "y": index * BAR_HEIGHT,
        }
        for index, (label, value) in enumerate(table.chart)
    ]
    return {
        "key": table.key,
        "title": table.title,
        "headers": table.headers,
        "rows": [
            [{"value": value, "number": isinstance(value, (int, float))} for value in row]
            for row in table.rows
        ],
        "bars": bars if top else [],
        "chart_height": len(bars) * BAR_HEIGHT,
    }


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_title(title: str, taken: set[str]) -> str:
    """An Excel sheet name (31 characters at most, none of []:*?/\\), unique in the book."""
    base = _SHEET_FORBIDDEN.sub(" ", title).strip()[:31] or "sheet"
    name, n = base, 2
    while name in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def workbook(tables: Sequence[StatsTable]) -> bytes:
    """An Excel book with a sheet per table: its title, the headers in bold, the rows."""
    book = Workbook()
    first = book.active
    if first is not None:
        book.remove(first)
    taken: set[str] = set()
    for table in tables:
        sheet = book.create_sheet(sheet_title(table.title, taken))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True)
        sheet.append([str(h) for h in table.headers])
        for header in sheet[2]:
            header.font = Font(bold=True)
        for row in table.rows:
            sheet.append([cell(v) for v in row])
        sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def stacked_csv(tables: Sequence[StatsTable]) -> bytes:
    """One CSV (UTF-8 with BOM, so Excel reads Japanese): each table under its title, a blank
    line between them."""
    text = io.StringIO()
    writer = csv.writer(text)
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow([table.title])
        writer.writerow([str(h) for h in table.headers])
        writer.writerows([cell(v) for v in row] for row in table.rows)
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def tables_download(tables: Sequence[StatsTable], fmt: str, filename: str) -> HttpResponse:
    """Several tables as one download: `xlsx` a book, anything else one CSV. (The caller logs
    the export.)"""
    if fmt == "xlsx":
        content, content_type = workbook(tables), XLSX
    else:
        fmt = "csv"
        content, content_type = stacked_csv(tables), "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    name = quote(f"{filename}.{fmt}")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


def download(
    request: HttpRequest,
    tables: Sequence[StatsTable],
    *,
    fmt: str,
    filename: str,
    audit_action: str,
    agency: Any = None,
    detail: dict[str, Any] | None = None,
) -> HttpResponse:
    """A download of statistics, logged as `audit_action` (for `agency` when given). One table:
    the CSV/Excel of every list, named after its key; several: `tables_download`."""
    if len(tables) == 1:
        return export_response(
            request,
            fmt=fmt,
            filename=f"{filename}_{tables[0].key}",
            headers=tables[0].headers,
            rows=tables[0].rows,
            audit_action=audit_action,
            agency=agency,
        )
    fmt = fmt if fmt == "xlsx" else "csv"
    audit.record(
        audit_action,
        request=request,
        agency_id=agency.pk if agency is not None else None,
        detail={"tables": len(tables), "format": fmt, **(detail or {})},
    )
    return tables_download(tables, fmt, filename)
