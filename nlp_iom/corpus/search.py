"""Hybrid search over a corpus: vector similarity plus BM25, fused by reciprocal rank fusion.

Filters are applied before ranking (a numpy mask in the embedded store, a payload filter
in Qdrant), so a filtered search ranks only the passages that pass: it never returns fewer
hits because better passages were filtered out after ranking.
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


def rrf(rankings: list[list[int]], k: int = RRF_K) -> dict[int, float]:
    """Reciprocal rank fusion: ``sum(1 / (k + rank))`` over rankings (rank from 1)."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, pid in enumerate(ranking, start=1):
            fused[pid] = fused.get(pid, 0.0) + 1.0 / (k + rank)
    return fused


def fuse(rankings: list[list[tuple[int, float]]], top_k: int) -> list[tuple[int, float]]:
    """The best ``top_k`` passages of several ``(passage id, score)`` rankings by :func:`rrf`."""
    fused = rrf([[pid for pid, _ in ranking] for ranking in rankings])
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:top_k]


def run_search(corpus: Corpus, query: str, top_k: int = 10, filters: SearchFilters | None = None,
               mode: str = "hybrid") -> list[Hit]:
    """Search ``corpus``; see :meth:`nlp_iom.corpus.store.Corpus.search`.

    Each backend ranks on its own (``dense_ranking``: cosine over the passages that pass the
    filters; ``keyword_ranking``: BM25 over them, positive scores only); the fusion is done
    here, the same for every backend.
    """
    from nlp_iom.corpus.bm25 import query_tokens

    query = check_query(query, top_k, mode)
    check_filters(filters)
    if not corpus.passage_count:
        return []
    limit = max(top_k * CANDIDATE_FACTOR, MIN_CANDIDATES)
    rankings: dict[str, list[tuple[int, float]]] = {}
    if mode in ("hybrid", "vector"):
        qvec = np.asarray(corpus.embedder.encode_queries([query])[0], dtype=np.float32)
        rankings["vector"] = corpus.dense_ranking(qvec, filters, limit)
    if mode == "bm25" or (mode == "hybrid" and not _other_language_only(query, filters)):
        rankings["bm25"] = corpus.keyword_ranking(query_tokens(query), filters, limit)
    best = fuse(list(rankings.values()), top_k) if len(rankings) > 1 else next(iter(rankings.values()))[:top_k]
    return corpus.hits(best)


def _other_language_only(query: str, filters: SearchFilters | None) -> bool:
    """Whether the language filter leaves only passages in another language than the query's.

    Then keywords can match only names and numbers shared across languages, and the hybrid
    search ranks by vector alone: on the parallel UD Indonesian-PUD sentences (300 queries,
    the translation as the one relevant passage, target-language filter) RRF with BM25 scored
    MRR 95.6 (id->en) / 93.9 (en->id) against 98.7 / 98.5 for the vector ranking alone.
    """
    if filters is None or filters.language is None:
        return False
    from nlp_iom.extract.language import detect_language

    language = detect_language(query)
    allowed = {filters.language} if isinstance(filters.language, str) else set(filters.language)
    return language in ("id", "en") and language not in allowed


def check_filters(filters: SearchFilters | None) -> None:
    """Validate the filter values' types.

    Raises:
        ConfigError: A filter of the wrong type (e.g. a year that is not an int or a pair).
    """
    if filters is None:
        return
    for name in ("language", "kind"):
        value = getattr(filters, name)
        if value is not None and not (isinstance(value, str) or all(isinstance(v, str) for v in value)):
            raise ConfigError(name, f"must be a string or a collection of strings, got {value!r}")
    year = filters.year
    if year is not None and not isinstance(year, int) and not (
            isinstance(year, (tuple, list)) and len(year) == 2 and all(y is None or isinstance(y, int) for y in year)):
        raise ConfigError("year", f"must be a year or a (min, max) pair, got {year!r}")
    for name in ("code", "entity"):
        value = getattr(filters, name)
        if value is not None and not isinstance(value, str):
            raise ConfigError(name, f"must be a string, got {value!r}")
