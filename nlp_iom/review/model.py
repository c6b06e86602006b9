"""The data of a literature review, and how documents and passages are cited in it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nlp_iom.review.settings import ReviewSettings

#: Words that mark an author as an institution, cited by its whole name (not a surname).
INSTITUTION_WORDS = frozenset({
    "badan", "commission", "committee", "department", "dinas", "gubernur", "government", "institute",
    "kementerian", "komisi", "lembaga", "ministry", "office", "organisation", "organization", "pemerintah",
    "united", "universitas", "university",
})
#: Longest author or title text used in a short citation label.
LABEL_CHARS = 40
#: Title words used as the label of a document without authors.
TITLE_LABEL_WORDS = 5
NO_YEAR = "n.d."


@dataclass
class DocRef:
    """A document as the review cites it."""

    doc_id: int
    label: str
    authors: list[str]
    year: int | None
    title: str
    language: str
    kind: str
    passages: int


@dataclass
class Quote:
    """A passage (or an excerpt of one) quoted with its citation."""

    doc_id: int
    passage_id: int | None
    text: str
    citation: str
    score: float
    pages: list[int] = field(default_factory=list)
    section: str = ""
    entities: list[dict[str, Any]] = field(default_factory=list)
    codes: dict[str, float] = field(default_factory=dict)


@dataclass
class Finding:
    """A sentence quoted as a main finding, and where it was taken from (abstract, conclusion, passage)."""

    text: str
    source: str
    score: float


@dataclass
class TableRow:
    """One row of the literature table."""

    doc: DocRef
    theories: list[str]
    code_profile: list[tuple[str, float]]
    methods: list[str]
    method_scope: str
    findings: list[Finding]
    relevance: float | None
    relevance_label: str


@dataclass
class CodeColumn:
    """One code as a heatmap column: ``key`` is ``"codebook:code"``."""

    key: str
    label: str
    group: str


@dataclass
class EntityCount:
    """An organisation or place, merged over its acronym and long forms."""

    name: str
    acronym: str
    label: str
    subtypes: list[str]
    mentions: int
    documents: int


@dataclass
class Review:
    """Everything a report shows; build it with :func:`nlp_iom.review.api.build_review`."""

    question: str
    settings: ReviewSettings
    corpus: str
    created: str
    documents: list[DocRef]
    table: list[TableRow]
    columns: list[CodeColumn]
    matrix: np.ndarray
    evidence: dict[str, list[Quote]]
    organisations: list[EntityCount]
    places: list[EntityCount]
    hits: list[Quote]
    has_codes: bool
    notes: list[str] = field(default_factory=list)
    #: Person–machine agreement per code (``nlp_iom.corrections.agreement``), when corrections were given.
    agreement: list[dict[str, Any]] = field(default_factory=list)
    agreement_note: str = ""


def _clip(text: str, limit: int = LABEL_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def surname(name: str) -> str:
    """The part of an author name used in a citation: an institution whole, else the family name."""
    name = " ".join(name.split())
    if "," in name:
        return _clip(name.split(",", 1)[0])
    words = name.split()
    if not words:
        return ""
    if any(w.casefold() in INSTITUTION_WORDS for w in words):
        return _clip(name)
    return words[-1]


def short_authors(authors: list[str], title: str | None) -> str:
    """``"A"``, ``"A & B"``, ``"A et al."`` from the authors, or the title's first words without them."""
    names = [surname(a) for a in authors if a.strip()]
    names = [n for n in names if n]
    if not names:
        words = (title or "Untitled").split()
        short = " ".join(words[:TITLE_LABEL_WORDS]) + (" …" if len(words) > TITLE_LABEL_WORDS else "")
        return _clip(short)
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} & {names[1]}"
    return f"{names[0]} et al."


def doc_labels(rows: list[tuple[int, list[str], int | None, str | None]]) -> dict[int, str]:
    """``"Author (year)"`` per document id, with ``a``, ``b``... after the year where two would be equal.

    Args:
        rows: ``(doc_id, authors, year, title)`` in display order.
    """
    bases = {doc_id: (short_authors(authors, title), str(year) if year else NO_YEAR)
             for doc_id, authors, year, title in rows}
    counts = Counter(bases.values())
    seen: Counter[tuple[str, str]] = Counter()
    labels: dict[int, str] = {}
    for doc_id, _, _, _ in rows:
        base = bases[doc_id]
        suffix = ""
        if counts[base] > 1:
            suffix = chr(ord("a") + seen[base]) if seen[base] < 26 else str(seen[base] + 1)
            seen[base] += 1
        labels[doc_id] = f"{base[0]} ({base[1]}{suffix})"
    return labels


def locator(pages: list[int], section: str) -> str:
    """``"p. 5"``, ``"pp. 5–6"``, else ``"§ Section"`` (no page known), else ``""``."""
    if pages:
        low, high = min(pages), max(pages)
        return f"p. {low}" if low == high else f"pp. {low}–{high}"
    return f"§ {_clip(section, 2 * LABEL_CHARS)}" if section else ""


def cite(doc: DocRef, pages: list[int], section: str) -> str:
    """A citation such as ``"Nugrahaningsih et al. (2020), p. 5"``."""
    where = locator(pages, section)
    return f"{doc.label}, {where}" if where else doc.label


def excerpt(text: str, entities: list[dict[str, Any]], limit: int) -> tuple[str, list[dict[str, Any]]]:
    """The passage text cut at a word end before ``limit`` characters, with the entities inside the cut.

    Offsets stay valid because the text is cut, never re-spaced.
    """
    if len(text) <= limit:
        return text, [e for e in entities if _valid_span(e, len(text))]
    cut = text.rfind(" ", 0, limit)
    cut = cut if cut > limit // 2 else limit
    clipped = text[:cut].rstrip() + " …"
    return clipped, [e for e in entities if _valid_span(e, cut)]


def _valid_span(entity: dict[str, Any], length: int) -> bool:
    start, end = entity.get("start"), entity.get("end")
    return isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= length
