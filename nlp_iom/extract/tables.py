"""Tables as objects: cells, page, box and caption, from ruling lines or aligned words.

Only pages that print a table caption ("Tabel 2.1 ...", "Table 3 ...") are searched. Ruled tables
are framed by the page's ruling lines, read from pdfium's path objects (:mod:`nlp_iom.extract.rules`):
full grids, or rules across only (booktabs) with columns from the words' alignment. Where a caption
has no ruled table beside it, the lines under or over it whose words fall into aligned columns are
the table. A grid of fewer
than :attr:`TableSettings.min_rows` rows or :attr:`TableSettings.min_cols` columns is not a table. The words inside a table are taken off the page
before the layout analysis, so table cells no longer break into the passages around them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from nlp_iom.document import Table
from nlp_iom.errors import ConfigError
from nlp_iom.extract.pdf import PageWords
from nlp_iom.extract.rules import LINE_TOLERANCE, by_columns, page_rules, ruled_grids, word_lines

#: A caption line: "Tabel 2.1 Hasil ...", "Table 3: ...", "TABEL IV".
CAPTION = re.compile(r"^(?:tabel|table)\s+(?:\d+(?:[.\-]\d+)*|[IVXLC]+)\b.{0,200}$", re.I)
#: How far (points) above or below a table its caption may stand.
CAPTION_GAP = 60.0
#: A line of this many words after a caption is prose: the unruled table above it has ended.
PROSE_WORDS = 10
#: How far inside a table's box its caption may start (the words' alignment can take it in).
CAPTION_INSIDE = 15.0
#: A gap wider than this many font sizes between two words of a line separates two cells.
CELL_GAP = 1.2
#: Cell starts closer than this (points) belong to one column.
COLUMN_TOLERANCE = 12.0


@dataclass(frozen=True)
class TableSettings:
    """How tables are found.

    Attributes:
        enabled: Look for tables at all.
        min_rows: Fewest rows (header included) of a table.
        min_cols: Fewest columns of a table.
        text_strategy: Where a captioned page has no ruled table, align cells on the words themselves.
    """

    enabled: bool = True
    min_rows: int = 2
    min_cols: int = 2
    text_strategy: bool = True

    def __post_init__(self) -> None:
        if self.min_rows < 1 or self.min_cols < 1:
            raise ConfigError("tables", f"min_rows and min_cols must be at least 1, got {self.min_rows}, {self.min_cols}")


def page_lines(page: PageWords) -> list[tuple[float, str]]:
    """``(top, text)`` of each line of a page, words joined left to right."""
    return [(min(w.top for w in line), " ".join(w.text for w in line)) for line in word_lines(page.words)]


def caption_pages(pages: list[PageWords]) -> dict[int, list[tuple[float, str]]]:
    """Index -> :func:`page_lines` of each page that prints a table caption."""
    found = {}
    for index, page in enumerate(pages):
        lines = page_lines(page)
        if any(CAPTION.match(text) for _, text in lines):
            found[index] = lines
    return found


def find_tables(path: Path, pages: list[PageWords], settings: TableSettings, password: str | None = None) -> list[Table]:
    """Find the tables of the captioned pages and take their words off those pages (in place).

    Ruled tables come from the page's ruling lines (:mod:`nlp_iom.extract.rules`); where a captioned
    page has none next to its caption, the lines under or over the caption whose words fall into
    aligned columns are the table.
    """
    todo = caption_pages(pages) if settings.enabled else {}
    if not todo:
        return []
    import pypdfium2 as pdfium

    tables: list[Table] = []
    document = pdfium.PdfDocument(str(path), password=password)
    try:
        for index, lines in todo.items():
            page = pages[index]
            found = []
            grids = sorted(ruled_grids(page, page_rules(document[index], page.height)),
                           key=lambda g: -(g[0][2] - g[0][0]) * (g[0][3] - g[0][1]))
            for bbox, word_rows, verticals in grids:
                if any(_inside(bbox, other) for other, _, _ in found):
                    continue  # a box drawn inside a table already found
                caption = _caption(lines, bbox[1], bbox[3])
                if caption is None and not verticals:
                    continue  # rules across without a caption: a box or a rule elsewhere on the page
                if verticals:
                    rows = [by_columns(r, verticals) for r in word_rows]
                else:  # rules across only (booktabs): columns from the words' alignment
                    rows = _align([_split_cells(sorted(r, key=lambda w: w.x0)) for r in word_rows])
                found.append((bbox, rows, caption))
            if not found and settings.text_strategy:
                found = [(bbox, rows, caption) for caption, bbox, rows in _aligned_tables(page, lines, settings)]
            for bbox, rows, caption in found:
                rows = [r for r in rows if any(c for c in r) and " ".join(c for c in r if c) != caption]
                if len(rows) < settings.min_rows or max((len(r) for r in rows), default=0) < settings.min_cols:
                    continue
                x0, top, x1, bottom = bbox
                tables.append(Table(page=page.number, bbox=[round(v, 1) for v in bbox], caption=caption, rows=rows))
                page.words = [w for w in page.words
                              if not (x0 - 1 <= (w.x0 + w.x1) / 2 <= x1 + 1 and top - 1 <= (w.top + w.bottom) / 2 <= bottom + 1)]
    finally:
        document.close()
    return tables


def _inside(inner: list[float], outer: list[float]) -> bool:
    """Whether box ``inner`` lies within box ``outer`` (1 point of slack)."""
    return (inner[0] >= outer[0] - 1 and inner[1] >= outer[1] - 1
            and inner[2] <= outer[2] + 1 and inner[3] <= outer[3] + 1)


def _align(cells: list[list[tuple[float, float, str]]]) -> list[list[str | None]]:
    """Rows of cells placed in columns by where the cells start."""
    starts = sorted(x for row in cells for x, _, _ in row)
    columns: list[float] = []
    for x in starts:
        if not columns or x - columns[-1] > COLUMN_TOLERANCE:
            columns.append(x)
    grid: list[list[str | None]] = []
    for row in cells:
        out: list[str | None] = [None] * len(columns)
        for x, _, text in row:
            j = max((i for i, c in enumerate(columns) if c <= x + COLUMN_TOLERANCE), default=0)
            out[j] = text if out[j] is None else f"{out[j]} {text}"
        grid.append(out)
    return grid


def _aligned_tables(page: PageWords, lines: list[tuple[float, str]],
                    settings: TableSettings) -> list[tuple[str, list[float], list[list[str | None]]]]:
    """Unruled tables under or over each caption: lines whose words fall into aligned columns."""
    found = []
    for caption, (upper, lower) in _caption_spans(lines, page.height):
        words = [w for w in page.words if upper <= (w.top + w.bottom) / 2 <= lower]
        cells = [_split_cells(line) for line in word_lines(words)]
        if sum(len(c) >= 2 for c in cells) < settings.min_rows:
            continue
        grid = _align(cells)
        if len(grid[0]) < settings.min_cols:
            continue
        found.append((caption, [min(w.x0 for w in words), min(w.top for w in words), max(w.x1 for w in words),
                                max(w.bottom for w in words)], grid))
    return found


def _split_cells(words: list) -> list[tuple[float, float, str]]:
    """Cells of one line: words closer than a gap of :data:`CELL_GAP` font sizes join."""
    cells: list[list] = []
    for word in words:
        if cells and word.x0 - cells[-1][-1].x1 <= CELL_GAP * max(word.size, 1.0):
            cells[-1].append(word)
        else:
            cells.append([word])
    return [(c[0].x0, c[-1].x1, " ".join(w.text for w in c)) for c in cells]


def _caption_spans(lines: list[tuple[float, str]], height: float) -> list[tuple[str, tuple[float, float]]]:
    """For each caption line, the vertical spans below and above it, up to prose or another caption."""
    stops = [t for t, line in lines if len(line.split()) >= PROSE_WORDS or CAPTION.match(line)]
    spans = []
    for top, text in lines:
        if not CAPTION.match(text):
            continue
        end = next((t for t in stops if t > top + LINE_TOLERANCE), height)
        start = max((t for t in stops if t < top - LINE_TOLERANCE), default=0.0)
        for upper, lower in ((top + LINE_TOLERANCE * 3, end - 1), (start + LINE_TOLERANCE * 3, top - 1)):
            if lower - upper > LINE_TOLERANCE * 4:
                spans.append((text, (upper, lower)))
    return spans


def _caption(lines: list[tuple[float, str]], top: float, bottom: float) -> str | None:
    """The caption line nearest above the table, else nearest below, within :data:`CAPTION_GAP`."""
    above = [(abs(top - t), text) for t, text in lines if -CAPTION_INSIDE <= top - t <= CAPTION_GAP and CAPTION.match(text)]
    below = [(t - bottom, text) for t, text in lines if 0 <= t - bottom <= CAPTION_GAP and CAPTION.match(text)]
    for group in (above, below):
        if group:
            return min(group)[1]
    return None


def table_csv(table: Table) -> str:
    """One table as CSV text (header row first, as printed)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in table.rows:
        writer.writerow(["" if c is None else c for c in row])
    return buffer.getvalue()
