"""Ruling lines of a PDF page, read from pdfium's path objects, and the ruled tables they frame.

A path's segments are transformed by the object's matrix into page points (origin top-left, like
:class:`~nlp_iom.extract.pdf.Word`). Straight horizontal and vertical runs become :class:`Rule` objects
(thin filled rectangles count as rules too). :func:`ruled_grids` groups horizontal rules that share
their horizontal extent into table bands; rows come from the rules when every text line has its own
rule (a full grid), else from the text lines (booktabs: rules above and below the header and at the
end); columns come from vertical rules where the band has them, else from the words' alignment.
This takes milliseconds a page, where a pdfminer parse of the same page takes about a tenth of a second.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

from nlp_iom.extract.pdf import PageWords, Word

#: A rule is at least this long (points) and, if drawn as a rectangle, at most this thick.
MIN_RULE_LENGTH = 15.0
MAX_RULE_THICKNESS = 2.5
#: Rules whose positions differ by less than this (points) are the same line.
SAME_LINE = 2.0
#: Pieces of one line this close (points) end to end are joined.
MAX_PIECE_GAP = 3.0
#: Consecutive horizontal rules further apart than this (points) belong to different tables.
MAX_ROW_GAP = 80.0
#: Share of the narrower of two rules that must overlap the other for them to frame one table.
MIN_OVERLAP = 0.8
#: Words whose tops are this close (points) share a line.
LINE_TOLERANCE = 3.0
#: The narrower of two rules of one table is at least this share of the wider.
MIN_WIDTH_RATIO = 0.6
#: A vertical rule spanning this share of a band separates two columns.
MIN_COLUMN_SPAN = 0.5


@dataclass(frozen=True)
class Rule:
    """A straight horizontal or vertical line in page points (top-left origin)."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def horizontal(self) -> bool:
        """Wider than tall."""
        return self.x1 - self.x0 >= self.bottom - self.top


def page_rules(page: object, height: float) -> list[Rule]:
    """Horizontal and vertical rules of a pypdfium2 page."""
    import pypdfium2.raw as raw

    handle = page.raw  # type: ignore[attr-defined]
    matrix = raw.FS_MATRIX()
    x, y = ctypes.c_float(), ctypes.c_float()
    rules: list[Rule] = []
    for i in range(raw.FPDFPage_CountObjects(handle)):
        obj = raw.FPDFPage_GetObject(handle, i)
        if raw.FPDFPageObj_GetType(obj) != raw.FPDF_PAGEOBJ_PATH or not raw.FPDFPageObj_GetMatrix(obj, matrix):
            continue
        points: list[tuple[float, float]] = []
        start: tuple[float, float] | None = None
        for s in range(raw.FPDFPath_CountSegments(obj)):
            segment = raw.FPDFPath_GetPathSegment(obj, s)
            raw.FPDFPathSegment_GetPoint(segment, x, y)
            px = matrix.a * x.value + matrix.c * y.value + matrix.e
            py = height - (matrix.b * x.value + matrix.d * y.value + matrix.f)
            kind = raw.FPDFPathSegment_GetType(segment)
            if kind == raw.FPDF_SEGMENT_MOVETO:
                points, start = [(px, py)], (px, py)
                continue
            if kind == raw.FPDF_SEGMENT_LINETO and points:
                rules += _straight(points[-1], (px, py))
            points.append((px, py))
            if raw.FPDFPathSegment_GetClose(segment) and start is not None:
                rules += _straight((px, py), start)
    return merge_collinear(_thin_boxes(rules))


def merge_collinear(rules: list[Rule]) -> list[Rule]:
    """Join pieces of one line (Word draws each cell's border apart) into one rule."""
    merged: list[Rule] = []
    for horizontal in (True, False):
        pieces = sorted((r for r in rules if r.horizontal == horizontal),
                        key=(lambda r: (round(r.top), r.x0)) if horizontal else (lambda r: (round(r.x0), r.top)))
        current: Rule | None = None
        for rule in pieces:
            if current is not None and horizontal and abs(rule.top - current.top) <= SAME_LINE \
                    and rule.x0 <= current.x1 + MAX_PIECE_GAP:
                current = Rule(current.x0, current.top, max(current.x1, rule.x1), current.bottom)
            elif current is not None and not horizontal and abs(rule.x0 - current.x0) <= SAME_LINE \
                    and rule.top <= current.bottom + MAX_PIECE_GAP:
                current = Rule(current.x0, current.top, current.x1, max(current.bottom, rule.bottom))
            else:
                if current is not None:
                    merged.append(current)
                current = rule
        if current is not None:
            merged.append(current)
    return merged


def _straight(a: tuple[float, float], b: tuple[float, float]) -> list[Rule]:
    (ax, ay), (bx, by) = a, b
    if abs(ay - by) <= SAME_LINE and abs(ax - bx) >= MIN_RULE_LENGTH:
        return [Rule(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))]
    if abs(ax - bx) <= SAME_LINE and abs(ay - by) >= MIN_RULE_LENGTH / 2:
        return [Rule(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))]
    return []


def _thin_boxes(rules: list[Rule]) -> list[Rule]:
    """A thin filled rectangle gives two long sides a hair apart: keep one of them."""
    kept: list[Rule] = []
    for rule in sorted(rules, key=lambda r: (r.horizontal, r.top, r.x0)):
        twin = next((k for k in kept[-4:] if k.horizontal == rule.horizontal
                     and abs(k.top - rule.top) <= MAX_RULE_THICKNESS and abs(k.x0 - rule.x0) <= SAME_LINE
                     and abs(k.x1 - rule.x1) <= SAME_LINE and abs(k.bottom - rule.bottom) <= MAX_RULE_THICKNESS), None)
        if twin is None:
            kept.append(rule)
    return kept


def _overlap(a: Rule, b: Rule) -> float:
    shared = min(a.x1, b.x1) - max(a.x0, b.x0)
    return shared / max(min(a.x1 - a.x0, b.x1 - b.x0), 1.0)


def _similar_width(a: Rule, b: Rule) -> bool:
    """Rules of one table are about as wide: a page-wide line is not a rule of a column's table."""
    wa, wb = a.x1 - a.x0, b.x1 - b.x0
    return min(wa, wb) >= MIN_WIDTH_RATIO * max(wa, wb)


def bands(rules: list[Rule]) -> list[list[Rule]]:
    """Horizontal rules grouped into table bands: similar extent, no gap over :data:`MAX_ROW_GAP`."""
    found: list[list[Rule]] = []
    for rule in sorted((r for r in rules if r.horizontal), key=lambda r: r.top):
        band = next((b for b in found if rule.top - b[-1].top <= MAX_ROW_GAP and _overlap(b[0], rule) >= MIN_OVERLAP
                     and _similar_width(b[0], rule)), None)
        if band is None:
            found.append([rule])
        elif rule.top - band[-1].top > SAME_LINE:
            band.append(rule)
    return [b for b in found if len(b) >= 2]


def ruled_grids(page: PageWords, rules: list[Rule]) -> list[tuple[list[float], list[list[Word]], list[float]]]:
    """Tables framed by rules: ``(bbox, rows of words, column separators)`` per band with text.

    Rows are the spaces between rules where every text line has a rule under it, else the text lines;
    the column separators are the vertical rules that cross the band (empty for rules-across tables).
    """
    grids = []
    for band in bands(rules):
        x0, x1 = min(r.x0 for r in band), max(r.x1 for r in band)
        top, bottom = band[0].top, band[-1].top
        words = [w for w in page.words if x0 - 1 <= (w.x0 + w.x1) / 2 <= x1 + 1 and top < (w.top + w.bottom) / 2 < bottom]
        if not words:
            continue
        lines = word_lines(words)
        edges = [r.top for r in band]
        if len(edges) - 1 >= len(lines):  # a rule under every line: rows are the spaces between rules
            rows = [[w for w in words if a < (w.top + w.bottom) / 2 < b] for a, b in zip(edges, edges[1:])]
            rows = [r for r in rows if r]
        else:
            rows = lines
        verticals = sorted({round((r.x0 + r.x1) / 2, 1) for r in rules if not r.horizontal
                            and r.bottom - r.top >= (bottom - top) * MIN_COLUMN_SPAN
                            and x0 + SAME_LINE < (r.x0 + r.x1) / 2 < x1 - SAME_LINE
                            and r.top <= top + SAME_LINE * 4 and r.bottom >= bottom - SAME_LINE * 4})
        grids.append(([x0, top, x1, bottom], rows, verticals))
    return grids


def word_lines(words: list[Word], tolerance: float = LINE_TOLERANCE) -> list[list[Word]]:
    """Words in lines, top to bottom: a word joins the line whose first word's top is within
    ``tolerance`` points of its own; each line left to right."""
    rows: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        if rows and abs(rows[-1][0].top - word.top) <= tolerance:
            rows[-1].append(word)
        else:
            rows.append([word])
    return [sorted(row, key=lambda w: w.x0) for row in rows]


def by_columns(words: list[Word], verticals: list[float]) -> list[str | None]:
    """Words of one row placed in the columns that the vertical rules separate."""
    cells: list[list[Word]] = [[] for _ in range(len(verticals) + 1)]
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        centre = (word.x0 + word.x1) / 2
        cells[sum(v < centre for v in verticals)].append(word)
    return [" ".join(w.text for w in c) if c else None for c in cells]
