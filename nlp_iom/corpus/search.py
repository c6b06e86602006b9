"""Hybrid search over a corpus: vector similarity plus BM25, fused by weighted reciprocal rank fusion.

The keyword side is weighted by whether it can match at all (:class:`FusionSettings`): each BM25 hit
counts in proportion to the share of the query's concepts it covers (:func:`nlp_iom.corpus.glossary.coverage`),
and by whether it is in the query's language. A hit that matches one common word of a long question
(or only a name, across languages) then barely moves the vector ranking, while a passage that holds the
query's terms still rises. The keyword query is widened across languages by the bilingual glossary
(:mod:`nlp_iom.corpus.glossary`). The weights were fitted on the dev queries of ``corpora/search_gold``
(``nlp-iom evaluate search``).

Filters are applied before ranking (a numpy mask in the embedded store, a payload filter
in Qdrant), so a filtered search ranks only the passages that pass: it never returns fewer
hits because better passages were filtered out after ranking.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from nlp_iom.errors import ConfigError

if TYPE_CHECKING:
    from nlp_iom.corpus.glossary import Glossary
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
#: Hits ranked before near-duplicates are collapsed, as a multiple of ``top_k``.
DUPLICATE_FACTOR = 2
#: A passage "has" a code when its probability is at least this.
CODE_THRESHOLD = 0.5
MODES = ("hybrid", "vector", "bm25")
FUSIONS = ("weighted", "rrf")


@dataclass(frozen=True)
class FusionSettings:
    """How the hybrid search fuses its vector and keyword rankings.

    Attributes:
        method: ``"weighted"`` (reciprocal rank fusion with the keyword side weighted per hit by
            query coverage and language) or ``"rrf"`` (plain reciprocal rank fusion).
        rrf_k: The rank constant of reciprocal rank fusion.
        keyword_weight: Weight of a keyword hit in the query's language that covers every concept.
        other_language_weight: The same for a passage in another language than the query's.
        coverage_power: A hit's weight grows with its concept coverage to this power (0: every hit
            past ``min_coverage`` counts fully; 1 is linear; higher favours hits that cover nearly everything).
        min_coverage: A keyword hit that covers less of the query's concepts than this adds nothing:
            where BM25 can match only a name or a stray word, the hybrid ranking is the vector one.
        expand: Widen the keyword query with the bilingual glossary.
        translate: The vector side embeds the query and its glossary gloss in the other language
            (:meth:`~nlp_iom.corpus.glossary.Glossary.translate`) and searches with their mean; this
            applies to the ``vector`` mode too.
        glossary: A glossary file of your own (``indonesian<TAB>english`` lines, see
            :mod:`nlp_iom.corpus.glossary`) used instead of the shipped one; ``None`` for the shipped one.
        feedback: Pseudo-relevance feedback (Rocchio) of the vector side: it searches again with the query
            vector plus this times the mean vector of the top :attr:`feedback_passages` of the first
            round (the fused ranking in the hybrid mode, which is then fused again; the vector ranking in
            the vector mode, so that where BM25 adds nothing the two modes agree); 0 turns it off.
        feedback_passages: How many of the first fusion's passages feed back.
    """

    method: str = "weighted"
    rrf_k: int = RRF_K
    keyword_weight: float = 0.75
    other_language_weight: float = 1.0
    coverage_power: float = 1.0
    min_coverage: float = 0.5
    expand: bool = True
    translate: bool = True
    glossary: str | None = None
    feedback: float = 0.5
    feedback_passages: int = 3

    def __post_init__(self) -> None:
        if self.method not in FUSIONS:
            raise ConfigError("fusion.method", f"must be one of {', '.join(FUSIONS)}, got {self.method!r}")
        if not isinstance(self.rrf_k, int) or isinstance(self.rrf_k, bool) or self.rrf_k < 1:
            raise ConfigError("fusion.rrf_k", f"must be a positive integer, got {self.rrf_k!r}")
        if isinstance(self.min_coverage, bool) or not isinstance(self.min_coverage, (int, float)) \
                or not 0 <= self.min_coverage <= 1:
            raise ConfigError("fusion.min_coverage", f"must be a number from 0 to 1, got {self.min_coverage!r}")
        if isinstance(self.feedback, bool) or not isinstance(self.feedback, (int, float)) or not 0 <= self.feedback <= 10:
            raise ConfigError("fusion.feedback", f"must be a number from 0 to 10, got {self.feedback!r}")
        if not isinstance(self.feedback_passages, int) or isinstance(self.feedback_passages, bool) \
                or not 1 <= self.feedback_passages <= 50:
            raise ConfigError("fusion.feedback_passages", f"must be an integer from 1 to 50, got {self.feedback_passages!r}")
        if self.glossary is not None and not isinstance(self.glossary, str):
            raise ConfigError("fusion.glossary", f"must be a file path (str), got {self.glossary!r}")
        for name in ("keyword_weight", "other_language_weight", "coverage_power"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
                raise ConfigError(f"fusion.{name}", f"must be a number from 0 to 100, got {value!r}")

    def load_glossary(self) -> Glossary:
        """The glossary these settings name (the shipped one by default), read once per file.

        Raises:
            ConfigError: The file cannot be read, or a line is malformed (named in the error).
        """
        from nlp_iom.corpus.glossary import default_glossary, glossary_file

        return default_glossary() if self.glossary is None else glossary_file(self.glossary)

    def to_dict(self) -> dict[str, object]:
        """The settings as a plain dict."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


DEFAULT_FUSION = FusionSettings()


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
    #: Other documents holding the same passage (near-duplicates collapsed into this hit), each with
    #: ``passage_id``, ``doc_id``, ``title``, ``authors``, ``year``, ``pages``, ``path`` and ``kind``.
    also_in: list[dict[str, Any]] = field(default_factory=list)

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


def fuse_weighted(dense: list[tuple[int, float]], keyword: list[tuple[int, float]], top_k: int,
                  coverage: dict[int, float], same_language: dict[int, bool],
                  settings: FusionSettings = DEFAULT_FUSION) -> list[tuple[int, float]]:
    """Weighted reciprocal rank fusion of a vector and a keyword ranking (see :class:`FusionSettings`).

    Args:
        dense: ``(passage id, cosine)``, best first.
        keyword: ``(passage id, BM25)``, best first.
        top_k: How many to return.
        coverage: Share of the query's concepts each keyword hit covers (0 to 1).
        same_language: Whether each keyword hit is in the query's language.
        settings: The weights.

    Returns:
        The best ``top_k`` ``(passage id, fused score)``; ties broken by passage id.
    """
    if settings.method == "rrf":
        return fuse([dense, keyword], top_k)
    k = settings.rrf_k
    fused: dict[int, float] = {pid: 1.0 / (k + rank) for rank, (pid, _) in enumerate(dense, start=1)}
    for rank, (pid, _) in enumerate(keyword, start=1):
        covered = coverage.get(pid, 0.0)
        if covered < settings.min_coverage or covered <= 0:
            continue
        weight = settings.keyword_weight if same_language.get(pid, True) else settings.other_language_weight
        weight *= covered ** settings.coverage_power
        if weight:
            fused[pid] = fused.get(pid, 0.0) + weight / (k + rank)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:top_k]


def keyword_query(query: str, settings: FusionSettings = DEFAULT_FUSION) -> list[str]:
    """The stems the keyword ranking searches for: the query's, plus its glossary translations."""
    from nlp_iom.corpus.bm25 import query_tokens

    tokens = query_tokens(query)
    if settings.expand:
        tokens = list(dict.fromkeys(tokens + settings.load_glossary().expand(query)))
    return tokens


def query_vector(corpus: Corpus, query: str, settings: FusionSettings = DEFAULT_FUSION) -> np.ndarray:
    """The vector the dense ranking searches with: the query's, or its mean with the glossary gloss's."""
    texts = [query]
    if settings.translate:
        gloss = settings.load_glossary().translate(query)
        if gloss and gloss != " ".join(query.lower().split()):
            texts.append(gloss)
    vectors = np.asarray(corpus.embedder.encode_queries(texts), dtype=np.float32)
    mean = vectors.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm else mean


def hit_weights(corpus: Corpus, query: str, keyword: list[tuple[int, float]],
                settings: FusionSettings = DEFAULT_FUSION) -> tuple[dict[int, float], dict[int, bool]]:
    """Concept coverage and same-language flag of each keyword hit (what :func:`fuse_weighted` weighs by)."""
    from nlp_iom.corpus.bm25 import tokenize
    from nlp_iom.corpus.glossary import coverage, query_concepts
    from nlp_iom.extract.language import detect_language

    if not keyword:
        return {}, {}
    concepts = query_concepts(query, settings.load_glossary())
    language = detect_language(query)
    rows = corpus.passages([pid for pid, _ in keyword])
    covered = {pid: coverage(concepts, set(tokenize(row.text, row.language))) for pid, row in rows.items()}
    same = {pid: language not in ("id", "en") or row.language == language for pid, row in rows.items()}
    return covered, same


def run_search(corpus: Corpus, query: str, top_k: int = 10, filters: SearchFilters | None = None,
               mode: str = "hybrid", fusion: FusionSettings = DEFAULT_FUSION, collapse: bool = True) -> list[Hit]:
    """Search ``corpus``; see :meth:`nlp_iom.corpus.store.Corpus.search`.

    Each backend ranks on its own (``dense_ranking``: cosine over the passages that pass the
    filters; ``keyword_ranking``: BM25 over them, positive scores only); the fusion and the
    collapsing of near-duplicates (:mod:`nlp_iom.corpus.duplicates`) are done here, the same for
    every backend.
    """
    query = check_query(query, top_k, mode)
    check_filters(filters)
    if not corpus.passage_count:
        return []
    wanted = top_k * DUPLICATE_FACTOR if collapse else top_k
    ranked = rank_passages(corpus, query, wanted, filters, mode, fusion)
    hits = corpus.hits(ranked)
    if not collapse:
        return hits
    from nlp_iom.corpus.duplicates import collapse as collapse_hits

    return collapse_hits(hits, top_k)


def rank_passages(corpus: Corpus, query: str, top: int, filters: SearchFilters | None = None, mode: str = "hybrid",
                  fusion: FusionSettings = DEFAULT_FUSION) -> list[tuple[int, float]]:
    """The best ``top`` ``(passage id, score)`` of one mode, before near-duplicates are collapsed."""
    limit = max(top * CANDIDATE_FACTOR, MIN_CANDIDATES)
    dense: list[tuple[int, float]] = []
    qvec = np.zeros(0, np.float32)
    if mode in ("hybrid", "vector"):
        qvec = query_vector(corpus, query, fusion)
        dense = corpus.dense_ranking(qvec, filters, limit)
        if mode == "vector" or _other_language_only(query, filters):
            return vector_round(corpus, qvec, dense, top, fusion, filters, limit)
    keyword = corpus.keyword_ranking(keyword_query(query, fusion), filters, limit)
    if mode == "bm25":
        return keyword[:top]
    covered, same = hit_weights(corpus, query, keyword, fusion) if fusion.method == "weighted" else ({}, {})
    return hybrid_round(corpus, qvec, dense, keyword, covered, same, top, fusion, filters, limit)


def vector_round(corpus: Corpus, qvec: np.ndarray, dense: list[tuple[int, float]], top: int,
                 fusion: FusionSettings = DEFAULT_FUSION, filters: SearchFilters | None = None,
                 limit: int = MIN_CANDIDATES) -> list[tuple[int, float]]:
    """The vector mode's top ``top``: ``dense``, searched again from its own top passages when ``fusion.feedback``."""
    if fusion.feedback and dense:
        dense = corpus.dense_ranking(feedback_vector(corpus, qvec, dense, fusion), filters, limit)
    return dense[:top]


def hybrid_round(corpus: Corpus, qvec: np.ndarray, dense: list[tuple[int, float]], keyword: list[tuple[int, float]],
                 covered: dict[int, float], same: dict[int, bool], top: int, fusion: FusionSettings = DEFAULT_FUSION,
                 filters: SearchFilters | None = None, limit: int = MIN_CANDIDATES) -> list[tuple[int, float]]:
    """The hybrid mode's top ``top``: the weighted fusion, and with ``fusion.feedback`` a second vector search
    from the fused top passages, fused again."""
    fused = fuse_weighted(dense, keyword, max(top, fusion.feedback_passages), covered, same, fusion)
    if fusion.feedback and fused:
        dense = corpus.dense_ranking(feedback_vector(corpus, qvec, fused, fusion), filters, limit)
        fused = fuse_weighted(dense, keyword, top, covered, same, fusion)
    return fused[:top]


def feedback_vector(corpus: Corpus, qvec: np.ndarray, fused: list[tuple[int, float]],
                    settings: FusionSettings = DEFAULT_FUSION) -> np.ndarray:
    """Rocchio: the query vector plus ``settings.feedback`` times the mean of the top fused passages' vectors.

    On the search gold's dev queries the first fused passage is relevant 19 times in 20 (MRR 0.96), so the
    top few make a good second query; fitted there: 0.5 and 3 passages (``nlp-iom evaluate search --fit``).
    """
    ids = [pid for pid, _ in fused[:settings.feedback_passages]]
    moved = qvec + settings.feedback * corpus.passage_vectors(ids).mean(axis=0)
    norm = float(np.linalg.norm(moved))
    return (moved / norm if norm else moved).astype(np.float32)


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
