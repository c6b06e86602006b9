"""Hybrid search over a corpus: vector similarity plus BM25, fused by reciprocal rank fusion.

Filters are applied before ranking, as a boolean mask over passages, so a filtered
search ranks only the passages that pass (it never returns fewer hits because better
passages were filtered out after ranking).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from nlp_iom.errors import ConfigError

if TYPE_CHECKING:
    from nlp_iom.corpus.store import Corpus

#: Longest query accepted, in characters (a query is a question, not a document).
MAX_QUERY_CHARS = 2000
#: Largest ``top_k`` accepted.
MAX_TOP_K = 1000
#: Reciprocal rank fusion constant (Cormack et al. 2009).
RRF_K = 60
#: Each ranker contributes this many times ``top_k`` candidates to the fusion ...
CANDIDATE_FACTOR = 5
#: ... and at least this many.
MIN_CANDIDATES = 50
#: A passage "has" a code when its probability is at least this.
CODE_THRESHOLD = 0.5
MODES = ("hybrid", "vector", "bm25")


@dataclass
class SearchFilters:
    """Restrictions applied before ranking; ``None`` means no restriction.

    Attributes:
        language: Passage language (``"id"``, ``"en"``) or a collection of them.
        kind: Document kind (``"thesis"``, ``"paper"``, ``"report"``...) or a collection.
        year: A year, or an inclusive ``(min, max)`` range (either end may be ``None``).
        code: A code id such as ``"haas:socialization"``; passages with probability
            of at least :data:`CODE_THRESHOLD` pass.
        entity: Entity text (or long form), matched case-insensitively, e.g. ``"IOM"``.
    """

    language: str | tuple[str, ...] | list[str] | None = None
    kind: str | tuple[str, ...] | list[str] | None = None
    year: int | tuple[int | None, int | None] | None = None
    code: str | None = None
    entity: str | None = None


@dataclass
class Hit:
    """One search result: a passage with the facts needed to cite it."""

    passage_id: int
    text: str
    score: float
    title: str | None
    authors: list[str]
    year: int | None
    pages: list[int]
    section: str
    section_path: list[str]
    language: str
    kind: str
    path: str | None
    doc_id: int
    codes: dict[str, float] = field(default_factory=dict)
    entities: list[dict[str, Any]] = field(default_factory=list)

    @property
    def page(self) -> int | None:
        """The first page of the passage, if known."""
        return self.pages[0] if self.pages else None


def check_query(query: str, top_k: int, mode: str) -> str:
    """Validate the search arguments and return the stripped query.

    Raises:
        ConfigError: Empty or over-long query, ``top_k`` out of range, unknown mode.
    """
    if not isinstance(query, str) or not query.strip():
        raise ConfigError("query", "the query is empty")
    query = query.strip()
    if len(query) > MAX_QUERY_CHARS:
        raise ConfigError("query", f"the query has {len(query)} characters; at most {MAX_QUERY_CHARS} are accepted")
    if not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
        raise ConfigError("top_k", f"must be an integer from 1 to {MAX_TOP_K}, got {top_k!r}")
    if mode not in MODES:
        raise ConfigError("mode", f"must be one of {', '.join(MODES)}, got {mode!r}")
    return query


def _as_set(value: str | tuple[str, ...] | list[str]) -> set[str]:
    return {value} if isinstance(value, str) else set(value)


def _year_ok(year: int | None, wanted: int | tuple[int | None, int | None]) -> bool:
    if year is None:
        return False
    if isinstance(wanted, int):
        return year == wanted
    low, high = wanted
    return (low is None or year >= low) and (high is None or year <= high)


def _mentions(entities: list[dict[str, Any]], wanted: str) -> bool:
    wanted = wanted.casefold()
    return any(
        str(e.get("text", "")).casefold() == wanted or str(e.get("long_form") or "").casefold() == wanted
        for e in entities
    )


def filter_mask(corpus: Corpus, filters: SearchFilters | None) -> np.ndarray:
    """Boolean mask over the corpus passages: ``True`` where a passage passes ``filters``."""
    passages = corpus.passage_rows
    mask = np.ones(len(passages), dtype=bool)
    if filters is None:
        return mask
    languages = _as_set(filters.language) if filters.language is not None else None
    kinds = _as_set(filters.kind) if filters.kind is not None else None
    for i, row in enumerate(passages):
        doc = corpus.documents[row.doc_id]
        ok = (
            (languages is None or row.language in languages)
            and (kinds is None or doc.kind in kinds)
            and (filters.year is None or _year_ok(doc.year, filters.year))
            and (filters.code is None or row.codes.get(filters.code, 0.0) >= CODE_THRESHOLD)
            and (filters.entity is None or _mentions(row.entities, filters.entity))
        )
        mask[i] = ok
    return mask


def _ranked(scores: np.ndarray, mask: np.ndarray, limit: int, positive_only: bool) -> list[int]:
    """Indices of the best ``limit`` passages that pass ``mask``, best first."""
    allowed = mask & (scores > 0) if positive_only else mask
    candidates = np.flatnonzero(allowed)
    if not candidates.size:
        return []
    order = np.argsort(-scores[candidates], kind="stable")[:limit]
    return [int(i) for i in candidates[order]]


def rrf(rankings: list[list[int]], k: int = RRF_K) -> dict[int, float]:
    """Reciprocal rank fusion: ``sum(1 / (k + rank))`` over rankings (rank from 1)."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, pid in enumerate(ranking, start=1):
            fused[pid] = fused.get(pid, 0.0) + 1.0 / (k + rank)
    return fused


def run_search(corpus: Corpus, query: str, top_k: int = 10, filters: SearchFilters | None = None,
               mode: str = "hybrid") -> list[Hit]:
    """Search ``corpus``; see :meth:`nlp_iom.corpus.store.Corpus.search`."""
    query = check_query(query, top_k, mode)
    if not corpus.passage_rows:
        return []
    mask = filter_mask(corpus, filters)
    limit = max(top_k * CANDIDATE_FACTOR, MIN_CANDIDATES)
    scored: dict[str, tuple[list[int], np.ndarray]] = {}
    if mode in ("hybrid", "vector"):
        qvec = corpus.embedder.encode_queries([query])[0].astype(np.float32)
        vscores = corpus.vectors @ qvec
        scored["vector"] = (_ranked(vscores, mask, limit, positive_only=False), vscores)
    if mode in ("hybrid", "bm25"):
        bscores = corpus.bm25.scores(query, mask)
        scored["bm25"] = (_ranked(bscores, mask, limit, positive_only=True), bscores)
    if mode == "hybrid":
        fused = rrf([ranking for ranking, _ in scored.values()])
        best = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:top_k]
    else:
        ranking, scores = scored[mode]
        best = [(pid, float(scores[pid])) for pid in ranking[:top_k]]
    return [corpus.hit(pid, score) for pid, score in best]
