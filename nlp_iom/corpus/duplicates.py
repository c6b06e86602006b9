"""Near-duplicate hits: the same passage in two documents is returned once, with both sources listed.

A thesis quotes a report's paragraph; a preprint and its journal version share most of their text.
Two hits are near-duplicates when one holds nearly all of the other's word 5-grams (containment of the
shorter in the longer at least :data:`CONTAINMENT`), so a quotation with a sentence of its own around it
still collapses into the source. Passages shorter than :data:`MIN_WORDS` words are never merged (a
heading or a formula line recurs without being the same passage). The best-ranked hit stays; the others
become its :attr:`~nlp_iom.corpus.search.Hit.also_in` entries.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nlp_iom.corpus.search import Hit

#: Shingle size in words.
SHINGLE = 5
#: Share of the shorter passage's shingles found in the longer one.
CONTAINMENT = 0.8
#: Passages with fewer words are never merged.
MIN_WORDS = 20
_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, size: int = SHINGLE) -> frozenset[tuple[str, ...]]:
    """The set of lower-case word ``size``-grams of ``text`` (empty below :data:`MIN_WORDS` words)."""
    tokens = _WORD.findall(text.lower())
    if len(tokens) < MIN_WORDS:
        return frozenset()
    return frozenset(tuple(tokens[i:i + size]) for i in range(len(tokens) - size + 1))


def containment(a: frozenset[tuple[str, ...]], b: frozenset[tuple[str, ...]]) -> float:
    """Share of the smaller shingle set found in the other (0 when either is empty)."""
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return len(small & large) / len(small)


def source_of(hit: Hit) -> dict[str, object]:
    """What a collapsed duplicate keeps: where else the passage is, to cite it from there too."""
    return {"passage_id": hit.passage_id, "doc_id": hit.doc_id, "title": hit.title, "authors": list(hit.authors),
            "year": hit.year, "pages": list(hit.pages), "path": hit.path, "kind": hit.kind}


def collapse(hits: list[Hit], top_k: int, threshold: float = CONTAINMENT) -> list[Hit]:
    """Merge near-duplicate hits (best rank first) and return at most ``top_k``.

    Only hits of different documents are merged: repeated text within one document (a running
    header, a repeated table) is the document's own business.
    """
    kept: list[tuple[Hit, frozenset[tuple[str, ...]]]] = []
    for hit in hits:
        grams = shingles(hit.text)
        twin = next((k for k, g in kept if k.doc_id != hit.doc_id and containment(grams, g) >= threshold), None)
        if twin is not None:
            twin.also_in.append(source_of(hit))
            continue
        if len(kept) < top_k:
            kept.append((hit, grams))
    return [hit for hit, _ in kept]
