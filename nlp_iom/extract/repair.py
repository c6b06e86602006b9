"""Block repairs before the section tree is built: running headers, split and merged headings.

The layout analysis removes page furniture it can see on the page geometry; these repairs catch what
reaches the structure stage all the same, by mechanism rather than per template:

- :func:`drop_running_headers`: a short line that stands first or last on three or more pages (the
  first page aside, whose lines are the title page's), with
  the same words once page numbers at either end are ignored ("PRESIDEN REPUBLIK INDONESIA",
  "1058 D. A. DICKEY AND W. A. FULLER", "Bab 3. Analisis"), is furniture, never a heading or a title.
- :func:`merge_chapter_labels`: "BAB I" on its own line followed by "PENDAHULUAN" becomes one heading.
- :func:`split_merged_headings`: "II. TINJAUAN PUSTAKA 2.1 Landasan Teori", a chapter heading sharing
  its line with the first sub-heading, becomes two headings.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace

from nlp_iom.extract.blocks import Block
from nlp_iom.extract.headings import CHAPTER, ROMAN

#: Pages a line must repeat on (first or last block there) to count as a running header or footer.
MIN_REPEATS = 3
#: Longest running header or footer, in words.
MAX_FURNITURE_WORDS = 16
#: Blocks at each end of a page that can be furniture.
PAGE_EDGE = 2
#: Page numbers at either end of a running line: "12", "- 12 -", "xii", "Page 12", "Halaman 12".
_EDGE_NUMBER = re.compile(
    rf"^(?:(?:page|halaman|hal\.?)\s*)?[-–\s]*(?:\d{{1,4}}|{ROMAN.lower()})[-–\s]*(?:\s|$)|(?:\s|^)[-–\s]*(?:(?:page|halaman|hal\.?)\s*)?(?:\d{{1,4}}|{ROMAN.lower()})[-–\s]*$",
    re.I,
)
_LABEL_ONLY = re.compile(rf"^(?:BAB|CHAPTER|Bab|Chapter)\s+(?:{ROMAN}|\d{{1,2}})\.?$")
#: A chapter heading in capitals followed, on the same line, by a numbered sub-heading "2.1 Landasan".
_MERGED = re.compile(
    rf"^(?P<head>(?:(?:BAB|CHAPTER)\s+(?:{ROMAN}|\d{{1,2}})\.?\s+|(?:{ROMAN}|\d{{1,2}})\.\s+)?"
    r"[A-Z][A-Z&,/\- ]{3,80}?)\s+(?P<sub>\d{1,2}\.\d{1,2}\.?\s*[A-Z][^\n]{1,120})$"
)
MAX_LABEL_TITLE_WORDS = 12


def furniture_key(text: str) -> str:
    """The words of a line without page numbers at either end, lower-cased."""
    key = " ".join(text.split()).lower()
    for _ in range(2):
        key = _EDGE_NUMBER.sub(" ", key).strip(" .-–|")
    return key


def drop_running_headers(blocks: list[Block]) -> list[Block]:
    """Remove short lines that repeat at the top or bottom of :data:`MIN_REPEATS` or more pages."""
    by_page: dict[int, list[int]] = defaultdict(list)
    for index, block in enumerate(blocks):
        if block.page is not None:
            by_page[block.page].append(index)
    edges: dict[str, set[int]] = defaultdict(set)
    candidates: dict[int, str] = {}
    first_page = min(by_page, default=None)
    for page, indexes in by_page.items():
        if page == first_page:
            continue  # the title page keeps its lines: a thesis repeats its title on the next pages
        for index in indexes[:PAGE_EDGE] + indexes[-PAGE_EDGE:]:
            text = blocks[index].text
            if len(text.split()) > MAX_FURNITURE_WORDS:
                continue
            key = furniture_key(text)
            if len(key) < 3 or not any(c.isalpha() for c in key):
                continue
            edges[key].add(page)
            candidates[index] = key
    furniture = {key for key, pages in edges.items() if len(pages) >= MIN_REPEATS}
    return [b for i, b in enumerate(blocks) if candidates.get(i) not in furniture]


def merge_chapter_labels(blocks: list[Block]) -> list[Block]:
    """Join a bare chapter label ("BAB I") with the short title block that follows it on the same page."""
    out: list[Block] = []
    skip = False
    for block, following in zip(blocks, blocks[1:] + [None]):
        if skip:
            skip = False
            continue
        text = block.text.strip()
        if (following is not None and _LABEL_ONLY.match(text) and following.page == block.page
                and following.kind == "paragraph" and 0 < len(following.text.split()) <= MAX_LABEL_TITLE_WORDS
                and not following.text.rstrip().endswith((".", ",", ";")) and not CHAPTER.match(following.text)):
            out.append(replace(block, text=f"{text} {following.text.strip()}", lines=[*block.lines, *following.lines],
                               bold=block.bold or following.bold, size_ratio=max(block.size_ratio, following.size_ratio)))
            skip = True
            continue
        out.append(block)
    return out


def split_merged_headings(blocks: list[Block]) -> list[Block]:
    """Split "HASIL DAN PEMBAHASAN 3.1 Perancangan" into the chapter heading and its sub-heading."""
    out: list[Block] = []
    for block in blocks:
        match = _MERGED.match(" ".join(block.text.split())) if block.kind == "paragraph" else None
        if match and len(block.text.split()) <= 24:
            head, sub = match.group("head").strip(), match.group("sub").strip()
            out.append(replace(block, text=head, lines=[head]))
            out.append(replace(block, text=sub, lines=[sub]))
            continue
        out.append(block)
    return out


def repair_blocks(blocks: list[Block]) -> list[Block]:
    """All repairs, in order: running headers out, chapter labels joined, merged headings split."""
    return split_merged_headings(merge_chapter_labels(drop_running_headers(blocks)))
