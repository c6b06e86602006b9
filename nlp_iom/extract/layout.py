"""Layout analysis: word boxes -> lines -> blocks in reading order.

The same analysis runs on the output of every PDF reader. It finds a column
gutter per page, reads two-column pages column by column (full-width lines such
as titles act as separators), removes running headers, footers and page
numbers, and cuts each column into blocks at vertical gaps and font changes.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from statistics import median

from nlp_iom.errors import ConfigError
from nlp_iom.extract.blocks import Block
from nlp_iom.extract.pdf import PageWords, Word, is_rtl

PAGE_NUMBER = re.compile(
    r"^(?:page|halaman|hal\.?)?\s*[-–—(\[]?\s*(?:\d{1,4}|[ivxlcdm]{1,7})\s*[-–—)\]]?"
    r"(?:\s*(?:of|dari|/)\s*\d{1,4})?$",
    re.IGNORECASE,
)
DIGITS = re.compile(r"\d+")
#: Publication stamps printed once in a page margin (first-page footers of proceedings and journals).
PUBLICATION_STAMP = re.compile(
    r"^(?:proceedings\s+of\b|©|\(c\)|copyright\b|doi\s*:|https?://doi\.org|e?-?issn\b|p-issn\b|received\b.*accepted\b)"
    r"|association\s+for\s+computational\s+linguistics",
    re.IGNORECASE,
)
SENTENCE_END = tuple(".!?:;\"'”’)")


@dataclass(frozen=True)
class LayoutSettings:
    """Tunable thresholds of the layout analysis (all lengths in points or page fractions).

    Attributes:
        margin_band: Fraction of the page height at top and bottom searched for running headers and footers.
        repeat_share: Share of pages on which a header/footer text must recur to be removed.
        min_gutter: Narrowest empty vertical strip accepted as a column gutter.
        gutter_band: The gutter must lie within this central fraction of the page width.
        max_gutter_crossing: Largest share of text rows allowed to cross the gutter.
        min_column_share: Each column must hold at least this share of the page's words.
        min_column_width: Each column must span at least this fraction of the page width (rules out tables).
        line_overlap: Vertical overlap (fraction of the smaller height) that puts two words on one line.
        paragraph_gap: A gap between lines larger than this many times the median line gap starts a block.
        size_jump: A font size change (points) that starts a block.
    """

    margin_band: float = 0.09
    repeat_share: float = 0.4
    min_gutter: float = 7.0
    gutter_band: tuple[float, float] = (0.3, 0.7)
    max_gutter_crossing: float = 0.3
    min_column_share: float = 0.2
    min_column_width: float = 0.28
    line_overlap: float = 0.5
    paragraph_gap: float = 1.6
    size_jump: float = 0.9

    def __post_init__(self) -> None:
        for name in (
            "margin_band",
            "repeat_share",
            "max_gutter_crossing",
            "min_column_share",
            "min_column_width",
            "line_overlap",
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ConfigError(name, f"must be between 0 and 1, got {value!r}")
        low, high = self.gutter_band
        if not 0.0 < low < high < 1.0:
            raise ConfigError("gutter_band", f"must satisfy 0 < low < high < 1, got {self.gutter_band!r}")
        if self.min_gutter <= 0 or self.paragraph_gap <= 1.0 or self.size_jump <= 0:
            raise ConfigError("min_gutter/paragraph_gap/size_jump", "must be positive (paragraph_gap > 1)")


@dataclass
class Line:
    """Words sharing a baseline within one column."""

    words: list[Word]
    column: int = 0
    x0: float = field(init=False)
    x1: float = field(init=False)
    top: float = field(init=False)
    bottom: float = field(init=False)

    def __post_init__(self) -> None:
        self.words.sort(key=lambda w: w.x0)
        self.x0 = min(w.x0 for w in self.words)
        self.x1 = max(w.x1 for w in self.words)
        self.top = min(w.top for w in self.words)
        self.bottom = max(w.bottom for w in self.words)

    @property
    def text(self) -> str:
        """The words in reading order: left to right, or right to left on a line mostly in Arabic or Hebrew."""
        if right_to_left(self.words):
            return " ".join(w.text for w in reversed(self.words))
        return " ".join(w.text for w in self.words)

    @property
    def size(self) -> float:
        return Counter(w.size for w in self.words).most_common(1)[0][0]

    @property
    def bold(self) -> bool:
        chars = sum(len(w.text) for w in self.words)
        return sum(len(w.text) for w in self.words if w.bold) >= 0.8 * chars


def right_to_left(words: list[Word]) -> bool:
    """Whether most letters of ``words`` belong to a right-to-left script."""
    letters = [ch for w in words for ch in w.text if ch.isalpha()]
    return bool(letters) and sum(map(is_rtl, letters)) > len(letters) / 2


def group_lines(words: list[Word], settings: LayoutSettings) -> list[Line]:
    """Group words into lines by vertical overlap, top to bottom."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        placed = False
        for line in reversed(lines[-3:]):
            ref = line[0]
            overlap = min(ref.bottom, word.bottom) - max(ref.top, word.top)
            if overlap >= settings.line_overlap * min(ref.bottom - ref.top, word.bottom - word.top):
                line.append(word)
                placed = True
                break
        if not placed:
            lines.append([word])
    return [Line(ws) for ws in lines]


def find_gutter(page: PageWords, lines: list[Line], settings: LayoutSettings) -> float | None:
    """Return the x position of a two-column gutter, or None for a single-column page."""
    body = [w for line in lines for w in line.words]
    if len(lines) < 6 or len(body) < 40:
        return None
    low, high = (int(page.width * f) for f in settings.gutter_band)
    best: tuple[int, float] | None = None
    run_start: int | None = None
    limit = settings.max_gutter_crossing * len(lines)
    crossing = [0] * (high - low + 1)
    for line in lines:
        for a, b in zip(line.words, line.words[1:] + [None]):
            # a line crosses x if x falls inside a word, or inside a narrow inter-word gap
            right = b.x0 if b is not None and b.x0 - a.x1 < settings.min_gutter else a.x1
            for x in range(max(low, int(a.x0)), min(high, int(right)) + 1):
                crossing[x - low] += 1
    for i, count in enumerate(crossing + [limit + 1]):
        if count <= limit:
            run_start = i if run_start is None else run_start
            continue
        if run_start is not None:
            width = i - run_start
            if width >= settings.min_gutter and (best is None or width > best[0]):
                best = (width, low + run_start + width / 2)
            run_start = None
    if best is None:
        return None
    gutter = best[1]
    left = sum(1 for w in body if w.x1 <= gutter)
    right = sum(1 for w in body if w.x0 >= gutter)
    if min(left, right) < settings.min_column_share * len(body):
        return None
    left_words = [w for w in body if w.x1 <= gutter]
    right_words = [w for w in body if w.x0 >= gutter]
    for words in (left_words, right_words):
        if max(w.x1 for w in words) - min(w.x0 for w in words) < settings.min_column_width * page.width:
            return None
    return gutter


def split_at_gutter(lines: list[Line], gutter: float) -> list[Line]:
    """Cut lines that straddle the gutter through a gap into a left and a right line."""
    result: list[Line] = []
    for line in lines:
        left = [w for w in line.words if w.x1 <= gutter]
        right = [w for w in line.words if w.x0 >= gutter]
        if left and right and len(left) + len(right) == len(line.words):
            result += [Line(left, column=1), Line(right, column=2)]
        elif len(left) == len(line.words):
            result.append(Line(line.words, column=1))
        elif len(right) == len(line.words):
            result.append(Line(line.words, column=2))
        else:
            result.append(Line(line.words, column=0))
    return result


def reading_order(lines: list[Line]) -> list[Line]:
    """Order lines: full-width lines split the page into bands; each band is read left column first."""
    ordered: list[Line] = []
    band: list[Line] = []
    for line in sorted(lines, key=lambda ln: ln.top):
        if line.column == 0:
            ordered += sorted(band, key=lambda ln: (ln.column, ln.top))
            band = []
            ordered.append(line)
        else:
            band.append(line)
    ordered += sorted(band, key=lambda ln: (ln.column, ln.top))
    return ordered


def furniture_keys(pages: list[list[Line]], heights: list[float], settings: LayoutSettings) -> set[str]:
    """Texts (digits masked) that recur in the top or bottom band of many pages."""
    counts: Counter[str] = Counter()
    for lines, height in zip(pages, heights):
        keys = {_furniture_key(ln) for ln in lines if _in_margin(ln, height, settings)}
        counts.update(keys)
    needed = max(2, settings.repeat_share * len(pages))
    return {key for key, n in counts.items() if n >= needed and len(pages) >= 3}


def _furniture_key(line: Line) -> str:
    return DIGITS.sub("#", line.text.lower()).strip()


def _in_margin(line: Line, height: float, settings: LayoutSettings) -> bool:
    return line.bottom <= settings.margin_band * height or line.top >= (1 - settings.margin_band) * height


def lines_to_blocks(lines: list[Line], page: int, body_size: float, settings: LayoutSettings) -> list[Block]:
    """Cut ordered lines into blocks at column changes, large gaps, font changes and short last lines."""
    if not lines:
        return []
    gaps = [b.top - a.bottom for a, b in zip(lines, lines[1:]) if a.column == b.column and 0 <= b.top - a.bottom]
    typical_gap = median(gaps) if gaps else 2.0
    widths = Counter(round(ln.x1) for ln in lines)
    blocks: list[list[Line]] = [[lines[0]]]
    for prev, line in zip(lines, lines[1:]):
        gap = line.top - prev.bottom
        new = (
            line.column != prev.column
            or gap < -2
            or gap > max(settings.paragraph_gap * typical_gap, typical_gap + 0.4 * prev.size)
            or abs(line.size - prev.size) >= settings.size_jump
            or line.bold != prev.bold
            or (prev.text.rstrip().endswith(SENTENCE_END) and _short(prev, blocks[-1], widths))
        )
        if new:
            blocks.append([line])
        else:
            blocks[-1].append(line)
    return [_block(group, page, body_size) for group in blocks]


def _short(line: Line, block: list[Line], widths: Counter[int]) -> bool:
    """A line that ends well before the column's right edge (the last line of a paragraph)."""
    right = max((ln.x1 for ln in block), default=line.x1)
    common_right = max((x for x, n in widths.items() if n >= 3), default=right)
    return line.x1 < min(right, common_right) - 0.15 * max(1.0, common_right - line.x0)


def _block(lines: list[Line], page: int, body_size: float) -> Block:
    text_lines = [ln.text for ln in lines]
    size = Counter(ln.size for ln in lines).most_common(1)[0][0]
    return Block(
        text=join_lines(text_lines),
        page=page,
        bold=all(ln.bold for ln in lines),
        size_ratio=round(size / body_size, 3) if body_size else 1.0,
        bbox=(min(ln.x0 for ln in lines), min(ln.top for ln in lines), max(ln.x1 for ln in lines), max(ln.bottom for ln in lines)),
        lines=text_lines,
    )


def join_lines(lines: list[str]) -> str:
    """Join the lines of one block, mending words hyphenated at line ends."""
    from nlp_iom.extract.normalize import dehyphenate_join

    text = ""
    for line in lines:
        text = dehyphenate_join(text, line) if text else line
    return text


def analyse(pages: list[PageWords], settings: LayoutSettings | None = None) -> list[Block]:
    """Turn the words of all pages into blocks in reading order, without page furniture.

    Args:
        pages: Output of a PDF reader.
        settings: Thresholds; defaults to :class:`LayoutSettings`.

    Returns:
        Blocks with page numbers, font-size ratios and boldness, ready for structure analysis.
    """
    settings = settings or LayoutSettings()
    sizes = Counter(w.size for page in pages for w in page.words for _ in w.text)
    body_size = sizes.most_common(1)[0][0] if sizes else 10.0
    page_lines: list[list[Line]] = []
    for page in pages:
        lines = group_lines(page.words, settings)
        gutter = find_gutter(page, lines, settings)
        lines = split_at_gutter(lines, gutter) if gutter is not None else lines
        page_lines.append(reading_order(lines))
    furniture = furniture_keys(page_lines, [p.height for p in pages], settings)
    blocks: list[Block] = []
    for page, lines in zip(pages, page_lines):
        kept = [
            ln
            for ln in lines
            if not (
                _in_margin(ln, page.height, settings)
                and (
                    _furniture_key(ln) in furniture
                    or PAGE_NUMBER.match(ln.text.strip())
                    or PUBLICATION_STAMP.search(ln.text)
                )
            )
        ]
        blocks += lines_to_blocks(kept, page.number, body_size, settings)
    return blocks
