"""The privacy of aggregates (access.md: "Aggregates never show a figure built from fewer than a
small number of people"), and who sees exact counts.

rule P1 (primary suppression): a cell built from at least one and fewer than
`TSUNAGI_MIN_CELL` persons (default 5) shows "<5" instead of its number. A zero is shown: it
names nobody.
rule P2 (secondary suppression): no hidden cell may be recovered by subtraction from the totals
shown. Every line that has a total (a row with its total column, a column with its total row)
holds either no hidden cell or at least two; then, as a last check, exact linear algebra over the
totals' equations tells whether any hidden cell is still determined, and hides one more cell next
to it until none is.
rule P3 (exact counts): the members of an agency (its staff, manager, auditor, dispatch staff)
see exact counts of their own agency only; everyone else — officers of a municipality or a
prefecture, the operator, another agency — sees the suppressed figures. Officers never see
records of persons (aggregates only): the statistics name no one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.conf import settings

from tsunagi.access.policy import DISPATCHERS, agencies_with
from tsunagi.accounts.models import Role
from tsunagi.agencies.models import Agency

Cell = int | str


def threshold() -> int:
    """The smallest number of persons a shown figure may be built from (a setting)."""
    return max(1, int(getattr(settings, "TSUNAGI_MIN_CELL", 5)))


def hidden_text() -> str:
    return f"<{threshold()}"


def sees_exact(user: Any, area: Any) -> bool:
    """rule P3: exact counts for the members of the agency looking at their own agency."""
    if not isinstance(area, Agency):
        return False
    members = agencies_with(user, Role.STAFF, Role.MANAGER, Role.AUDITOR, *DISPATCHERS)
    return area.pk in members


@dataclass
class Protected:
    """A table after suppression: `cells` with totals (last row/column when asked for), each an
    int or the text "<5"; `hidden` marks the suppressed ones."""

    cells: list[list[Cell]]
    hidden: list[list[bool]]


def _full(values: Sequence[Sequence[int]], row_totals: bool, col_totals: bool) -> list[list[int]]:
    grid = [list(row) for row in values]
    if row_totals:
        for row in grid:
            row.append(sum(row))
    if col_totals and grid:
        grid.append([sum(col) for col in zip(*grid, strict=True)])
    return grid


def _people(
    values: Sequence[Sequence[int]],
    persons: Sequence[Sequence[int]] | None,
    row_totals: bool,
    col_totals: bool,
) -> list[list[int]]:
    """How many persons at least each cell, totals included, was built from. Without `persons`
    the values are counts of persons, and so are their totals; `persons` with the totals (the
    shape of the table with them) are taken as they are; else a total was built from at least
    as many persons as its largest part."""
    if persons is None:
        return _full(values, row_totals, col_totals)
    rows = len(values) + (1 if col_totals else 0)
    cols = (len(values[0]) if values else 0) + (1 if row_totals else 0)
    if len(persons) == rows and all(len(row) == cols for row in persons):
        return [list(row) for row in persons]
    grid = [list(row) for row in persons]
    if row_totals:
        for row in grid:
            row.append(max(row, default=0))
    if col_totals and grid:
        grid.append([max(col) for col in zip(*grid, strict=True)])
    return grid


def _lines(rows: int, cols: int, row_totals: bool, col_totals: bool) -> list[list[tuple[int, int]]]:
    """Each line with a total: its cells, the total last."""
    lines = []
    if row_totals:
        lines += [[(r, c) for c in range(cols)] for r in range(rows)]
    if col_totals:
        lines += [[(r, c) for r in range(rows)] for c in range(cols)]
    return lines


Key = tuple[int, int]


def _basis(equations: list[dict[Key, int]]) -> list[tuple[Key, dict[Key, Fraction]]]:
    """An echelon basis of the equations: each row with its pivot, zero at earlier pivots."""
    basis: list[tuple[Key, dict[Key, Fraction]]] = []
    for eq in equations:
        row = _reduce({k: Fraction(v) for k, v in eq.items() if v}, basis)
        if row:
            pivot = min(row)
            scale = row[pivot]
            basis.append((pivot, {k: v / scale for k, v in row.items()}))
    return basis


def _reduce(
    vector: dict[Key, Fraction], basis: list[tuple[Key, dict[Key, Fraction]]]
) -> dict[Key, Fraction]:
    for pivot, row in basis:
        factor = vector.get(pivot)
        if factor:
            for k, v in row.items():
                vector[k] = vector.get(k, Fraction(0)) - factor * v
            vector = {k: v for k, v in vector.items() if v}
    return vector


def determined(
    hidden: list[list[bool]], lines: list[list[tuple[int, int]]]
) -> list[tuple[int, int]]:
    """The hidden cells a reader could compute from what is shown (rule P2's check): those whose
    unit vector lies in the span of the totals' equations over the hidden cells."""
    equations: list[dict[tuple[int, int], int]] = []
    for line in lines:
        eq = {cell: (1 if i < len(line) - 1 else -1) for i, cell in enumerate(line)}
        eq = {cell: v for cell, v in eq.items() if hidden[cell[0]][cell[1]]}
        if eq:
            equations.append(eq)
    basis = _basis(equations)
    found = []
    for r, row in enumerate(hidden):
        for c, is_hidden in enumerate(row):
            if is_hidden and not _reduce({(r, c): Fraction(1)}, basis):
                found.append((r, c))
    return found


def protect(
    values: Sequence[Sequence[int]],
    persons: Sequence[Sequence[int]] | None = None,
    *,
    row_totals: bool = False,
    col_totals: bool = False,
    exact: bool = False,
    force: Sequence[Sequence[bool]] | None = None,
) -> Protected:
    """rules P1 and P2 over a table of counts (`values`, without totals; `persons`, how many
    distinct persons at least each cell was built from — with or without the totals' — the
    counts themselves when omitted: 5 referrals of one person are 1 person, hidden).
    Totals are added as the last column (`row_totals`) and the last row (`col_totals`).
    `force` (the shape of the table with its totals) marks cells hidden whatever their count:
    those another table would give back (rule P2 across periods and areas, tables.py); the
    secondary suppression then runs with them."""
    grid = _full(values, row_totals, col_totals)
    if not grid or not grid[0]:
        return Protected(cells=[list(r) for r in grid], hidden=[[False] * len(r) for r in grid])
    rows, cols = len(grid), len(grid[0])
    lines = _lines(rows, cols, row_totals, col_totals)
    hidden = [[False] * cols for _ in range(rows)]
    if not exact:
        people = _people(values, persons, row_totals, col_totals)
        limit = threshold()
        some = False
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                if value > 0 and people[r][c] < limit:  # rule P1
                    hidden[r][c] = some = True
                if force is not None and r < len(force) and c < len(force[r]) and force[r][c]:
                    hidden[r][c] = some = True  # rule P2 across periods and areas
        if some:  # nothing hidden: nothing to recover
            _secondary(grid, hidden, lines, crossing=row_totals and col_totals)
    text = hidden_text()
    cells: list[list[Cell]] = [
        [text if hidden[r][c] else grid[r][c] for c in range(cols)] for r in range(rows)
    ]
    return Protected(cells=cells, hidden=hidden)


def _secondary(
    grid: list[list[int]],
    hidden: list[list[bool]],
    lines: list[list[tuple[int, int]]],
    crossing: bool = True,
) -> None:
    """rule P2: hide more cells until no hidden cell can be recovered from the totals.
    `crossing`: the lines cross (rows with totals and columns with totals). When they do not
    (totals one way only), no two lines share a cell, so a combination of their equations
    holds the cells of every line it takes, and it is one cell only when a line has one hidden
    cell: once every line holds none or two or more, nothing is determined, and the exact check
    (`determined`) would find nothing."""
    while True:
        changed = True
        while changed:
            changed = False
            for line in lines:
                shut = [cell for cell in line if hidden[cell[0]][cell[1]]]
                if len(shut) == 1:
                    _hide_smallest(grid, hidden, line)
                    changed = True
        if not lines or not crossing:
            return
        found = determined(hidden, lines)
        if not found:
            return
        r, c = found[0]
        near = [cell for line in lines if (r, c) in line for cell in line]
        if not _hide_smallest(grid, hidden, near):
            everything = [(i, j) for i in range(len(grid)) for j in range(len(grid[0]))]
            if not _hide_smallest(grid, hidden, everything):
                return


def _hide_smallest(
    grid: list[list[int]], hidden: list[list[bool]], cells: list[tuple[int, int]]
) -> bool:
    """Hide the smallest shown cell among `cells`, a non-zero one first; False when none is left."""
    open_cells = [cell for cell in cells if not hidden[cell[0]][cell[1]]]
    if not open_cells:
        return False
    r, c = min(
        open_cells, key=lambda cell: (grid[cell[0]][cell[1]] == 0, grid[cell[0]][cell[1]], cell)
    )
    hidden[r][c] = True
    return True
