"""Settings of the literature review, validated when they are made, and the constants behind them."""

from __future__ import annotations

from dataclasses import dataclass

from nlp_iom.corpus.search import CODE_THRESHOLD, MAX_TOP_K, MODES
from nlp_iom.errors import ConfigError

#: Relevance label "high": mean cosine similarity (e5-small, query vs passage) of a document's
#: best passages to the question is at least this. Measured on the project corpus: on-topic
#: documents score 0.86-0.90, neighbouring topics 0.81-0.85, unrelated questions below 0.80.
RELEVANCE_HIGH = 0.86
#: Relevance label "medium" from this similarity up; below it the label is "low".
RELEVANCE_MEDIUM = 0.82
#: How many of a document's best passages are averaged into its relevance score.
RELEVANCE_PASSAGES = 3
#: Passages most relevant to the question listed in the report.
TOP_PASSAGES = 10
#: Evidence passages listed per code ...
EVIDENCE_PER_CODE = 3
#: ... of which at most this many from one document (so one long document does not fill the list).
EVIDENCE_PER_DOCUMENT = 2
#: Sentences quoted as a document's main findings.
FINDINGS_PER_DOCUMENT = 2
#: Organisations and places listed.
TOP_ENTITIES = 15
#: Longest passage excerpt shown, in characters.
EXCERPT_CHARS = 700
#: Codebooks shown (heatmap columns, evidence sections), in this order.
CODEBOOKS = ("haas", "ingo")
#: Upper bound of the per-list counts (evidence, findings, entities).
MAX_LISTED = 100
#: Bounds of ``excerpt_chars``.
MIN_EXCERPT_CHARS = 80
MAX_EXCERPT_CHARS = 20000


@dataclass(frozen=True)
class ReviewSettings:
    """How :func:`nlp_iom.review.api.build_review` builds a review.

    Args:
        codebooks: Built-in codebook names whose codes make the heatmap columns and evidence lists.
        code_threshold: A passage has a code when its probability is at least this.
        top_passages: Passages most relevant to the question to list (1 to the search's maximum).
        search_mode: Search mode for those passages: ``"hybrid"``, ``"vector"`` or ``"bm25"``.
        evidence_per_code: Evidence passages per code.
        evidence_per_document: At most this many of them from one document.
        findings_per_document: Sentences quoted as main findings per document.
        top_entities: Organisations and places listed (each).
        confirmed_entities: List only entities a gazetteer or rule made or vouched for
            (:func:`nlp_iom.document.entity_confirmed`), leaving out the statistical models' guesses.
        relevance_high: Relevance score from which a document is labelled "high".
        relevance_medium: Relevance score from which a document is labelled "medium".
        excerpt_chars: Longest passage excerpt shown.
        cues: Path of a cue-phrase file (``None``: the built-in ``theories.yaml``).
        corrections: A batch output folder with a person's imported corrections (``nlp-iom corrections
            import``): the report then adds their agreement with the machine per code.

    Raises:
        ConfigError: A value out of range (the field is named).
    """

    codebooks: tuple[str, ...] = CODEBOOKS
    code_threshold: float = CODE_THRESHOLD
    top_passages: int = TOP_PASSAGES
    search_mode: str = "hybrid"
    evidence_per_code: int = EVIDENCE_PER_CODE
    evidence_per_document: int = EVIDENCE_PER_DOCUMENT
    findings_per_document: int = FINDINGS_PER_DOCUMENT
    top_entities: int = TOP_ENTITIES
    confirmed_entities: bool = False
    relevance_high: float = RELEVANCE_HIGH
    relevance_medium: float = RELEVANCE_MEDIUM
    excerpt_chars: int = EXCERPT_CHARS
    cues: str | None = None
    corrections: str | None = None

    def __post_init__(self) -> None:
        if not self.codebooks or not all(isinstance(c, str) and c for c in self.codebooks):
            raise ConfigError("codebooks", "name at least one codebook, e.g. ('haas', 'ingo')")
        if not 0.0 < self.code_threshold <= 1.0:
            raise ConfigError("code_threshold", f"must be in (0, 1], got {self.code_threshold!r}")
        if self.search_mode not in MODES:
            raise ConfigError("search_mode", f"must be one of {', '.join(MODES)}, got {self.search_mode!r}")
        if not 0.0 < self.relevance_medium <= self.relevance_high <= 1.0:
            raise ConfigError("relevance_medium", "need 0 < relevance_medium <= relevance_high <= 1, got "
                                                  f"{self.relevance_medium!r} and {self.relevance_high!r}")
        _check_count("top_passages", self.top_passages, MAX_TOP_K)
        for name in ("evidence_per_code", "evidence_per_document", "findings_per_document", "top_entities"):
            _check_count(name, getattr(self, name), MAX_LISTED)
        _check_count("excerpt_chars", self.excerpt_chars, MAX_EXCERPT_CHARS, low=MIN_EXCERPT_CHARS)

    def relevance_label(self, score: float | None) -> str:
        """``"high"``, ``"medium"`` or ``"low"`` for a relevance score; ``"n/a"`` when there is none."""
        if score is None:
            return "n/a"
        if score >= self.relevance_high:
            return "high"
        return "medium" if score >= self.relevance_medium else "low"


def _check_count(name: str, value: object, high: int, low: int = 1) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ConfigError(name, f"must be an integer from {low} to {high}, got {value!r}")
