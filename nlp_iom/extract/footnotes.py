"""Footnotes: taken out of the body text, kept as ``doc.footnotes`` and linked to their markers.

A footnote is a block in the lower part of a page, in a smaller font than the body, whose lines start
with a marker ("1", "12", "*"); lines in the same small font that follow it continue it. Footnotes
never become passages. Each is linked to the passage on its page whose text carries its number as a
marker ("trafficking.12"), and a footnote that cites a source (an author and a year, as law and IR
writing do) gets that citation parsed like a reference entry.
"""

from __future__ import annotations

import re

from nlp_iom.document import Document, Footnote
from nlp_iom.extract.blocks import Block
from nlp_iom.extract.references import parse_reference

#: Font size of a footnote relative to the body.
MAX_SIZE_RATIO = 0.92
#: Share of the page height above which footnotes do not stand.
MIN_TOP_SHARE = 0.55
_MARKER = re.compile(r"^\s*(?P<number>\d{1,3}|[*†‡])\s*(?P<text>\S.*)$")
#: A footnote that cites: a year, and a capitalised name or "Ibid."/"Op. cit." style pointer before it.
_CITES = re.compile(r"(?:\b[A-Z][\w'’-]+.{0,160}?\b(?:19|20)\d{2}[a-z]?\b)")
_IBID = re.compile(r"^(?:ibid|ibidem|op\.?\s*cit|loc\.?\s*cit)\b", re.I)
#: A footnote has words: chart axes and table residue in small print at a page's foot have not.
_WORD = re.compile(r"[^\W\d_]{2,}")
MIN_WORDS = 2
#: Longest author name of a cited source (longer: a sentence, not a citation).
MAX_AUTHOR_CHARS = 60


def split_footnotes(blocks: list[Block], page_heights: dict[int, float]) -> tuple[list[Block], list[Footnote]]:
    """Separate footnote blocks from the rest.

    Args:
        blocks: Blocks in reading order (PDF input: with ``bbox`` and ``size_ratio``).
        page_heights: Page number -> height (points).

    Returns:
        The blocks without footnotes, and the footnotes in reading order.
    """
    kept: list[Block] = []
    notes: list[Footnote] = []
    for block in blocks:
        height = page_heights.get(block.page or 0)
        if (block.bbox is None or height is None or block.size_ratio > MAX_SIZE_RATIO
                or block.bbox[1] < height * MIN_TOP_SHARE or block.kind != "paragraph"):
            kept.append(block)
            continue
        lines = block.lines or [block.text]
        first = _MARKER.match(lines[0])
        continues = notes and notes[-1].page == block.page
        if first is None and not continues:
            kept.append(block)
            continue
        for line in lines:
            marker = _MARKER.match(line)
            if marker and len(_WORD.findall(marker.group("text"))) < MIN_WORDS and not (notes and notes[-1].page == block.page):
                kept.append(block)
                break
            if marker and (not notes or notes[-1].page != block.page or _next_number(notes[-1].number, marker.group("number"))):
                notes.append(Footnote(number=marker.group("number"), text=marker.group("text").strip(), page=block.page))
            elif notes and notes[-1].page == block.page:
                notes[-1].text = _join(notes[-1].text, line.strip())
            else:
                kept.append(block)
                break
    return kept, notes


def _next_number(previous: str, candidate: str) -> bool:
    """A new footnote starts where the marker follows the previous one (or is a symbol)."""
    if not (previous.isdigit() and candidate.isdigit()):
        return True
    return int(candidate) == int(previous) + 1 or int(candidate) > int(previous)


def _join(text: str, more: str) -> str:
    return text[:-1] + more if text.endswith("-") and more[:1].islower() else f"{text} {more}"


def link_footnotes(doc: Document) -> None:
    """Link each footnote to the passage of its page that carries its marker; parse cited sources."""
    for index, note in enumerate(doc.footnotes):
        if note.number.isdigit():
            # "trafficking.12" (a superscript joined to the word) or "trafficking. 12 The" (a word of its own)
            marker = re.compile(rf"(?:(?<=[^\s\d(\[])|(?<=[.,;:”\"’)]\s)){note.number}(?=[\s,.;:)]|$)")
            for passage in doc.passages:
                if note.page in passage.pages and marker.search(passage.text):
                    note.passage_id = passage.id
                    break
        if _CITES.search(note.text) and not _IBID.match(note.text):
            reference = parse_reference(note.text, index)
            if (reference.year is not None and reference.authors and reference.title
                    and all(len(a) <= MAX_AUTHOR_CHARS for a in reference.authors)):
                reference.page = note.page
                note.reference = reference
