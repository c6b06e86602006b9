"""Tables as objects: cells, page, box and caption, found by pdfplumber's table finder.

Only pages that print a table caption ("Tabel 2.1 ...", "Table 3 ...") or that the settings name are
searched, so a text PDF pays for pdfplumber on a few pages only. Ruled tables are found from their
lines; where a captioned page has none, the words' own alignment is used (pdfplumber's ``text``
strategy), and a grid of fewer than :attr:`TableSettings.min_rows` rows or
:attr:`TableSettings.min_cols` columns is not a table. The words inside a table are taken off the page
before the layout analysis, so table cells no longer break into the passages around them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from nlp_iom.document import Table
from nlp_iom.errors import ConfigError
from nlp_iom.extract.pdf import PageWords

#: A caption line: "Tabel 2.1 Hasil ...", "Table 3: ...", "TABEL IV".
CAPTION = re.compile(r"^(?:tabel|table)\s+(?:\d+(?:[.\-]\d+)*|[IVXLC]+)\b.{0,200}$", re.I)
#: How far (points) above or below a table its caption may stand.
CAPTION_GAP = 60.0
#: A line of this many words after a caption is prose: the unruled table above it has ended.
PROSE_WORDS = 10
#: How far inside a table's box its caption may start (the words' alignment can take it in).
CAPTION_INSIDE = 15.0
#: Words whose vertical centres are this close (points) share a line.
LINE_TOLERANCE = 3.0
#: Strategies tried in turn on a captioned page: ruled grids, then rules across only (booktabs), then
#: the words' own alignment. The last two are kept only next to a caption.
STRATEGIES: tuple[dict[str, str], ...] = (
    {"vertical_strategy": "lines", "horizontal_strategy": "lines"},
    {"vertical_strategy": "text", "horizontal_strategy": "lines"},
    {"vertical_strategy": "text", "horizontal_strategy": "text"},
)
#: A table taller than this share of the page is the page's text read as a grid, not a table.
MAX_HEIGHT_SHARE = 0.75


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
    rows: list[list] = []
    for word in sorted(page.words, key=lambda w: (w.top, w.x0)):
        if rows and abs(rows[-1][0] - word.top) <= LINE_TOLERANCE:
            rows[-1][1].append(word)
        else:
            rows.append([word.top, [word]])
    return [(top, " ".join(w.text for w in sorted(words, key=lambda w: w.x0))) for top, words in rows]


def caption_pages(pages: list[PageWords]) -> list[int]:
    """Indexes of pages that print a table caption."""
    return [i for i, page in enumerate(pages) if any(CAPTION.match(text) for _, text in page_lines(page))]


def find_tables(path: Path, pages: list[PageWords], settings: TableSettings, password: str | None = None) -> list[Table]:
    """Find the tables of the captioned pages and take their words off those pages (in place)."""
    todo = caption_pages(pages) if settings.enabled else []
    if not todo:
        return []
    import pdfplumber

    tables: list[Table] = []
    with pdfplumber.open(str(path), password=password or "") as pdf:
        for index in todo:
            page = pages[index]
            plumber_page = pdf.pages[index]
            lines = page_lines(page)
            accepted: list[tuple[object, list[list[str | None]], str | None]] = []
            for strategy_index, strategy in enumerate(STRATEGIES if settings.text_strategy else STRATEGIES[:1]):
                regions = [(None, plumber_page)] if strategy_index == 0 else _caption_regions(plumber_page, lines)
                for hint, region in regions:
                    for candidate in region.find_tables(strategy):
                        rows = [[_cell(c) for c in row] for row in candidate.extract()]
                        x0, top, x1, bottom = (float(v) for v in candidate.bbox)
                        caption = hint or _caption(lines, top, bottom)
                        rows = [r for r in rows if any(c for c in r) and " ".join(c for c in r if c) != caption]
                        if (len(rows) < settings.min_rows or max((len(r) for r in rows), default=0) < settings.min_cols
                                or bottom - top > page.height * MAX_HEIGHT_SHARE or caption is None and strategy_index):
                            continue
                        accepted.append((candidate, rows, caption))
                if accepted:
                    break
            for candidate, rows, caption in accepted:
                x0, top, x1, bottom = (float(v) for v in candidate.bbox)  # type: ignore[attr-defined]
                tables.append(Table(page=page.number, bbox=[round(x0, 1), round(top, 1), round(x1, 1), round(bottom, 1)],
                                    caption=caption, rows=rows))
                page.words = [w for w in page.words
                              if not (x0 - 1 <= (w.x0 + w.x1) / 2 <= x1 + 1 and top - 1 <= (w.top + w.bottom) / 2 <= bottom + 1)]
    return tables


def _caption_regions(plumber_page: object, lines: list[tuple[float, str]]) -> list[tuple[str, object]]:
    """For each caption line, the page area below it down to the next line of prose or caption, and
    the area above it up to the previous one (captions stand above tables in theses, below in papers)."""
    height = float(plumber_page.height)  # type: ignore[attr-defined]
    width = float(plumber_page.width)  # type: ignore[attr-defined]
    regions = []
    for i, (top, text) in enumerate(lines):
        if not CAPTION.match(text):
            continue
        stops = [t for t, line in lines if len(line.split()) >= PROSE_WORDS or CAPTION.match(line)]
        end = next((t for t in stops if t > top + LINE_TOLERANCE), height)
        start = max((t for t in stops if t < top - LINE_TOLERANCE), default=0.0)
        for upper, lower in ((top + LINE_TOLERANCE * 3, end - 1), (start + LINE_TOLERANCE * 3, top - 1)):
            if lower - upper > LINE_TOLERANCE * 4:
                regions.append((text, plumber_page.crop((0, upper, width, lower))))  # type: ignore[attr-defined]
    return regions


def _cell(value: object) -> str | None:
    return " ".join(str(value).split()) if value is not None else None


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
