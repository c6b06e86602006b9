"""``build_review(question, corpus)`` gathers a literature review; ``write_review(review, out_dir)`` writes it.

The output folder gets three files with fixed names: ``report.md``, ``report.html`` (self-contained)
and ``heatmap.png``. Nothing is written anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from nlp_iom.corpus.search import check_query
from nlp_iom.corpus.store import DB_NAME, Corpus
from nlp_iom.errors import ConfigError, require
from nlp_iom.review.cues import load_cues
from nlp_iom.review.entities import ORG_LABELS, PLACE_LABELS, corpus_mentions, count_entities
from nlp_iom.review.evidence import (
    code_columns,
    code_evidence,
    code_matrix,
    has_any_code,
    passage_similarities,
    passages_by_doc,
    question_hits,
    relevance_scores,
)
from nlp_iom.review.findings import candidate_sources, candidates, pick_findings
from nlp_iom.review.html import render_html
from nlp_iom.review.markdown import render_markdown
from nlp_iom.review.model import DocRef, Review, doc_labels
from nlp_iom.review.narrative import NO_CODES
from nlp_iom.review.settings import RELEVANCE_PASSAGES, ReviewSettings
from nlp_iom.review.table import build_table, document_info

REPORT_MD = "report.md"
REPORT_HTML = "report.html"
HEATMAP_PNG = "heatmap.png"
#: Sort key year of an undated document (after every dated one).
UNDATED = 10**6


@dataclass
class ReviewFiles:
    """The files :func:`write_review` wrote."""

    folder: Path
    markdown: Path
    html: Path
    heatmap: Path


def _open(corpus: Corpus | str | Path) -> tuple[Corpus, bool]:
    """The corpus, and whether it was opened here (and must be closed here)."""
    if isinstance(corpus, Corpus):
        return corpus, False
    folder = Path(corpus)
    if not (folder / DB_NAME).is_file():
        raise ConfigError("corpus", f"{folder} is not a corpus folder (no {DB_NAME}); build one with "
                                    "`nlp-iom corpus add` first")
    return Corpus.open(folder), True


def _documents(corpus: Corpus, by_doc: dict[int, list[Any]]) -> list[DocRef]:
    """The documents in table order (year, then first author/title), with their "Author (year)" labels."""
    rows = sorted(corpus.documents.values(),
                  key=lambda d: (d.year or UNDATED, (d.authors[0] if d.authors else d.title or "").casefold(), d.id))
    labels = doc_labels([(d.id, list(d.authors), d.year, d.title) for d in rows])
    return [DocRef(doc_id=d.id, label=labels[d.id], authors=list(d.authors), year=d.year,
                   title=" ".join((d.title or "(untitled)").split()), language=d.language or "und", kind=d.kind,
                   passages=len(by_doc.get(d.id, []))) for d in rows]


def _abstract_similarity(corpus: Corpus, docs: list[DocRef], infos: dict[int, dict[str, Any]],
                         by_doc: dict[int, list[Any]], question_vector: np.ndarray) -> dict[int, float]:
    """Relevance fallback for documents without passages: best similarity of the question to an abstract."""
    texts: list[tuple[int, str]] = []
    for doc in docs:
        if by_doc.get(doc.doc_id):
            continue
        for abstract in infos[doc.doc_id].get("abstracts") or []:
            if isinstance(abstract, dict) and str(abstract.get("text") or "").strip():
                texts.append((doc.doc_id, str(abstract["text"])))
    if not texts:
        return {}
    vectors = np.asarray(corpus.embedder.encode_passages([t for _, t in texts]), dtype=np.float32)
    scores: dict[int, float] = {}
    for (doc_id, _), similarity in zip(texts, vectors @ question_vector):
        scores[doc_id] = round(max(scores.get(doc_id, -1.0), float(similarity)), 4)
    return scores


def build_review(question: str, corpus: Corpus | str | Path, settings: ReviewSettings | None = None) -> Review:
    """Gather a literature review of ``corpus`` for a research question.

    Args:
        question: The research question, in Indonesian or English.
        corpus: An open :class:`~nlp_iom.corpus.store.Corpus` or a corpus folder.
        settings: What to list and the thresholds (defaults: :class:`ReviewSettings`).

    Returns:
        The :class:`~nlp_iom.review.model.Review`: literature table, heatmap matrix, evidence per code,
        organisations and places, and the passages most relevant to the question.

    Raises:
        ConfigError: Empty or over-long question (the corpus search's check), a folder that is not a
            corpus, or a corpus without documents.
        CodebookError: A codebook of ``settings.codebooks`` cannot be loaded.
    """
    settings = settings or ReviewSettings()
    question = check_query(question, settings.top_passages, settings.search_mode)
    opened, close = _open(corpus)
    try:
        return _build(question, opened, settings)
    finally:
        if close:
            opened.close()


def _build(question: str, corpus: Corpus, settings: ReviewSettings) -> Review:
    if not corpus.documents:
        raise ConfigError("corpus", f"the corpus {getattr(corpus, 'folder', '')} holds no documents; add some with "
                                    "`nlp-iom corpus add` (or Corpus.add) before a review")
    columns = code_columns(settings.codebooks)
    cues = load_cues(settings.cues)
    by_doc = passages_by_doc(corpus)
    docs = _documents(corpus, by_doc)
    refs = {doc.doc_id: doc for doc in docs}
    infos = {doc.doc_id: document_info(corpus.documents[doc.doc_id]) for doc in docs}
    question_vector = np.asarray(corpus.embedder.encode_queries([question])[0], dtype=np.float32)
    similarities = passage_similarities(corpus, question)
    fallback = _abstract_similarity(corpus, docs, infos, by_doc, question_vector)
    relevance = relevance_scores(similarities, docs, RELEVANCE_PASSAGES, fallback)
    pool = []
    for doc in docs:
        sources = candidate_sources(infos[doc.doc_id], by_doc.get(doc.doc_id, []), similarities.get(doc.doc_id, []))
        pool.extend(candidates(doc.doc_id, sources))
    findings = pick_findings(pool, question_vector, corpus.embedder, settings.findings_per_document)
    has_codes = has_any_code(corpus, columns)
    notes = [] if has_codes else [NO_CODES]
    empty = [doc.label for doc in docs if not doc.passages]
    if empty:
        notes.append(f"{len(empty)} document(s) have no stored body passages (front matter only, or no text "
                     f"extracted): {', '.join(empty)}. Their table row uses the abstract and metadata where "
                     "the corpus keeps them; their heatmap row is grey.")
    mentions = corpus_mentions(corpus, confirmed=settings.confirmed_entities)
    return Review(
        question=question, settings=settings, corpus=str(getattr(corpus, "folder", "")),
        created=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), documents=docs,
        table=build_table(docs, by_doc, infos, cues, columns, findings, relevance, settings),
        columns=columns, matrix=code_matrix(docs, by_doc, columns, settings.code_threshold),
        evidence=code_evidence(corpus, refs, columns, settings),
        organisations=count_entities(mentions, ORG_LABELS, settings.top_entities),
        places=count_entities(mentions, PLACE_LABELS, settings.top_entities),
        hits=question_hits(corpus, question, refs, settings), has_codes=has_codes, notes=notes,
        **_agreement(settings))


def _agreement(settings: ReviewSettings) -> dict[str, Any]:
    """The person–machine agreement rows of ``settings.corrections`` (none when not given)."""
    if settings.corrections is None:
        return {}
    from nlp_iom.corrections import agreement

    report = agreement(settings.corrections, settings.code_threshold)
    note = (f"Reviewers: {', '.join(report.reviewers)}; counted over the body passages they reviewed in "
            f"{Path(settings.corrections).name}; mean κ {report.mean_kappa():.3f}; "
            f"{len(report.disagreements)} passage–code disagreements.")
    return {"agreement": [vars(row) for row in report.machine if row.both + row.first_only + row.second_only],
            "agreement_note": note}


def write_review(review: Review, out_dir: str | Path) -> ReviewFiles:
    """Write ``report.md``, ``report.html`` and ``heatmap.png`` into ``out_dir`` (created if needed).

    Raises:
        ConfigError: ``out_dir`` exists and is not a folder, or cannot be created.
    """
    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise ConfigError("out_dir", f"{folder} exists and is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError("out_dir", f"cannot create {folder}: {exc}") from exc
    note = "" if review.has_codes else "\n(no classifier codes in this corpus)"
    require("matplotlib", "review")
    from nlp_iom.review.heatmap import render_heatmap  # matplotlib: the [review] extra

    image = render_heatmap(review.matrix, [d.label for d in review.documents], review.columns,
                           review.settings.code_threshold, note)
    files = ReviewFiles(folder=folder, markdown=folder / REPORT_MD, html=folder / REPORT_HTML,
                        heatmap=folder / HEATMAP_PNG)
    files.heatmap.write_bytes(image.png)
    files.markdown.write_text(render_markdown(review, HEATMAP_PNG), encoding="utf-8")
    files.html.write_text(render_html(review, image.png), encoding="utf-8")
    return files
