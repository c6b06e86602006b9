"""Gathering the review's evidence from a corpus: code shares, evidence passages, search hits, relevance.

Everything here reads the corpus through its public API (``documents``, ``passage_rows``,
``search``, ``embedder``). The corpus stores body passages only, so every stored passage counts
as a body passage.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from nlp_iom.coding.codebook import load_codebook
from nlp_iom.corpus.search import MAX_TOP_K, FusionSettings
from nlp_iom.review.model import CodeColumn, DocRef, Quote, cite, excerpt
from nlp_iom.review.settings import ReviewSettings

#: Column-group titles of the built-in codebooks; another codebook's group is titled "<name> <group>".
GROUP_TITLES = {("haas", "input"): "Haas input", ("haas", "output"): "Haas output", ("ingo", "role"): "INGO role"}


def code_columns(codebooks: tuple[str, ...]) -> list[CodeColumn]:
    """The heatmap columns: each codebook's codes in codebook order (Haas input, Haas output, INGO).

    Raises:
        CodebookError: A codebook cannot be loaded.
    """
    columns: list[CodeColumn] = []
    for spec in codebooks:
        book = load_codebook(spec)
        for code in book.codes:
            group = GROUP_TITLES.get((book.name, code.group), f"{book.name} {code.group}".strip())
            columns.append(CodeColumn(key=f"{book.name}:{code.id}", label=code.label.get("en", code.id),
                                      group=group))
    return columns


def passages_by_doc(corpus: Any) -> dict[int, list[Any]]:
    """The corpus passages grouped by document id (every document present, maybe with none)."""
    grouped: dict[int, list[Any]] = {doc_id: [] for doc_id in corpus.documents}
    for row in corpus.passage_rows:
        grouped.setdefault(row.doc_id, []).append(row)
    return grouped


def has_any_code(corpus: Any, columns: list[CodeColumn]) -> bool:
    """Whether any stored passage carries a code of the review's codebooks (at any probability)."""
    prefixes = tuple({c.key.split(":", 1)[0] + ":" for c in columns})
    return any(key.startswith(prefixes) for row in corpus.passage_rows for key in row.codes)


def code_matrix(docs: list[DocRef], by_doc: dict[int, list[Any]], columns: list[CodeColumn],
                threshold: float) -> np.ndarray:
    """Share of each document's passages with each code at probability >= ``threshold``.

    Returns:
        A ``len(docs) x len(columns)`` float array; a row of NaN for a document without passages.
    """
    matrix = np.full((len(docs), len(columns)), np.nan, dtype=float)
    for i, doc in enumerate(docs):
        rows = by_doc.get(doc.doc_id, [])
        if not rows:
            continue
        for j, column in enumerate(columns):
            matrix[i, j] = sum(1 for r in rows if r.codes.get(column.key, 0.0) >= threshold) / len(rows)
    return matrix


def quote_passage(row: Any, doc: DocRef, score: float, settings: ReviewSettings) -> Quote:
    """A stored passage as a :class:`Quote` with its citation (page, or section without a page)."""
    section = row.section_path[-1] if row.section_path else ""
    text, entities = excerpt(row.text, list(row.entities), settings.excerpt_chars)
    return Quote(doc_id=doc.doc_id, passage_id=row.id, text=text, citation=cite(doc, list(row.pages), section),
                 score=float(score), pages=list(row.pages), section=section, entities=entities,
                 codes=dict(row.codes))


def code_evidence(corpus: Any, docs: dict[int, DocRef], columns: list[CodeColumn],
                  settings: ReviewSettings) -> dict[str, list[Quote]]:
    """The strongest passages per code: highest probability first, at most ``evidence_per_document`` per document."""
    evidence: dict[str, list[Quote]] = {}
    for column in columns:
        coded = [r for r in corpus.passage_rows if r.codes.get(column.key, 0.0) >= settings.code_threshold]
        coded.sort(key=lambda r: (-r.codes[column.key], r.id))
        taken: dict[int, int] = defaultdict(int)
        quotes: list[Quote] = []
        for row in coded:
            if taken[row.doc_id] >= settings.evidence_per_document:
                continue
            taken[row.doc_id] += 1
            quotes.append(quote_passage(row, docs[row.doc_id], row.codes[column.key], settings))
            if len(quotes) >= settings.evidence_per_code:
                break
        evidence[column.key] = quotes
    return evidence


def question_hits(corpus: Any, question: str, docs: dict[int, DocRef], settings: ReviewSettings) -> list[Quote]:
    """The passages most relevant to the question, by the corpus search in ``settings.search_mode``.

    Raises:
        ConfigError: The question is empty or over-long (the search's own check).
    """
    hits = corpus.search(question, top_k=settings.top_passages, mode=settings.search_mode)
    rows = corpus.passage_rows
    return [quote_passage(rows[h.passage_id], docs[h.doc_id], h.score, settings) for h in hits]


def passage_similarities(corpus: Any, question: str) -> dict[int, list[tuple[int, float]]]:
    """Cosine similarity of the question to passages, by vector search, grouped per document (best first).

    Only the best :data:`~nlp_iom.corpus.search.MAX_TOP_K` passages of the corpus are scored; a
    document with none among them gets no entry.
    """
    if not corpus.passage_rows:
        return {}
    top_k = min(MAX_TOP_K, len(corpus.passage_rows))
    grouped: dict[int, list[tuple[int, float]]] = defaultdict(list)
    plain = FusionSettings(translate=False, feedback=0.0)  # the question's own cosine, no gloss or feedback
    for hit in corpus.search(question, top_k=top_k, mode="vector", fusion=plain, collapse=False):
        grouped[hit.doc_id].append((hit.passage_id, float(hit.score)))
    return dict(grouped)


def relevance_scores(similarities: dict[int, list[tuple[int, float]]], docs: list[DocRef], top: int,
                     fallback: dict[int, float] | None = None) -> dict[int, float | None]:
    """Mean similarity of each document's ``top`` best passages to the question.

    Args:
        similarities: From :func:`passage_similarities`.
        docs: The documents.
        top: How many passages to average.
        fallback: Scores for documents without scored passages (e.g. abstract similarity).

    Returns:
        A score per document id, ``None`` where neither passages nor a fallback score exist.
    """
    scores: dict[int, float | None] = {}
    for doc in docs:
        best = [score for _, score in similarities.get(doc.doc_id, [])[:top]]
        if best:
            scores[doc.doc_id] = round(float(np.mean(best)), 4)
        else:
            scores[doc.doc_id] = (fallback or {}).get(doc.doc_id)
    return scores
