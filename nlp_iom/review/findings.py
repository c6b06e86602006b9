"""Extractive main findings: the sentences of a document that best answer the question or state results.

Candidate sentences come from the document's abstracts and its conclusion (from the corpus
``info`` when present, else from passages in a section titled like a conclusion); when a document
has neither, from its passages most similar to the question. Each candidate is scored by the cosine
similarity of its e5 embedding to the question, plus :data:`RESULT_BONUS` when it states a result
(*found*, *shows*, *menunjukkan*...) and minus :data:`AIM_PENALTY` when it only states an aim or a
method (*aims to*, *bertujuan*...). Nothing is generated: the findings are the document's own sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from nlp_iom.ner.sentences import split_sentences
from nlp_iom.review.model import Finding, locator

#: Section titles taken for a conclusion (English and Indonesian), matched at the start of the title.
CONCLUSION_TITLE = re.compile(
    r"^\s*(?:(?:bab|chapter)\s+[ivx\d]+\s*[.:]?\s*)?(?:\d+(?:\.\d+)*\.?\s*)?"
    r"(?:conclusions?|concluding|closing|summary|kesimpulan|simpulan|penutup)", re.IGNORECASE)
#: Phrases of a sentence that states a result.
RESULT_CUES = re.compile(
    r"(?<!\w)(?:finds?|found|findings?|shows?|showed|shown|results?|reveal(?:s|ed)?|conclude[sd]?|"
    r"indicates?|indicated|demonstrates?|demonstrated|proves?|proved|succeeded|has been carried out|"
    r"hasil|menunjukkan|temuan|ditemukan|disimpulkan|membuktikan|terbukti|berhasil|mengungkap)(?!\w)",
    re.IGNORECASE)
#: Phrases of a sentence that only states an aim or a method.
AIM_CUES = re.compile(
    r"(?<!\w)(?:aims? to|aimed to|the aim of|the purpose of|purpose of this|this (?:paper|study|research|article) "
    r"(?:uses|used|employs)|bertujuan|tujuan penelitian|metode penelitian|penelitian ini menggunakan)(?!\w)",
    re.IGNORECASE)
RESULT_BONUS = 0.03
AIM_PENALTY = 0.05
#: Sentences shorter than this, in characters or in words, are not findings (headings, list items).
MIN_SENTENCE_CHARS = 40
MIN_SENTENCE_WORDS = 8
#: Longer sentences are cut to this many characters.
MAX_SENTENCE_CHARS = 320
#: Candidate sentences considered per document (the first ones of each source, in order).
MAX_CANDIDATES = 80
#: Passages most similar to the question used when a document has no abstract and no conclusion.
FALLBACK_PASSAGES = 3


@dataclass
class Candidate:
    """A sentence that may be quoted as a finding."""

    doc_id: int
    text: str
    source: str
    order: int


def _sentences(text: str, language: str) -> list[str]:
    """Sentences of ``text`` by the rule-based splitter (fast, handles both languages' abbreviations)."""
    out = []
    for start, end in split_sentences(text, language if language in ("id", "en") else "en", backend="rules"):
        sentence = " ".join(text[start:end].split())
        if len(sentence) >= MIN_SENTENCE_CHARS and len(sentence.split()) >= MIN_SENTENCE_WORDS:
            out.append(sentence if len(sentence) <= MAX_SENTENCE_CHARS
                       else sentence[: MAX_SENTENCE_CHARS - 1].rsplit(" ", 1)[0] + " …")
    return out


def candidate_sources(info: dict[str, Any], rows: list[Any],
                      similar: list[tuple[int, float]]) -> list[tuple[str, str, str]]:
    """The texts findings are drawn from, as ``(text, language, source label)``.

    Args:
        info: The document's ``info`` dict (may be empty).
        rows: The document's stored passages, in order.
        similar: ``(passage_id, similarity)`` of its passages, best first.
    """
    sources: list[tuple[str, str, str]] = []
    for abstract in info.get("abstracts") or []:
        if isinstance(abstract, dict) and str(abstract.get("text", "")).strip():
            sources.append((str(abstract["text"]), str(abstract.get("language") or "en"), "abstract"))
    conclusion = info.get("conclusion")
    if isinstance(conclusion, str) and conclusion.strip():
        sources.append((conclusion, "en" if not rows else rows[-1].language, "conclusion"))
    else:
        for row in rows:
            if row.section_path and CONCLUSION_TITLE.match(row.section_path[0]):
                where = locator(list(row.pages), row.section_path[-1])
                sources.append((row.text, row.language, f"conclusion, {where}"))
    if not sources:
        by_id = {row.id: row for row in rows}
        for passage_id, _ in similar[:FALLBACK_PASSAGES]:
            row = by_id.get(passage_id)
            if row is not None:
                where = locator(list(row.pages), row.section_path[-1] if row.section_path else "")
                sources.append((row.text, row.language, f"passage, {where}" if where else "passage"))
    return sources


def candidates(doc_id: int, sources: list[tuple[str, str, str]]) -> list[Candidate]:
    """The candidate sentences of one document, in source order, at most :data:`MAX_CANDIDATES`."""
    out: list[Candidate] = []
    seen: set[str] = set()
    for text, language, source in sources:
        for sentence in _sentences(text, language):
            key = sentence.casefold()
            if key in seen:
                continue
            seen.add(key)
            out.append(Candidate(doc_id, sentence, source, len(out)))
            if len(out) >= MAX_CANDIDATES:
                return out
    return out


def sentence_score(similarity: float, sentence: str) -> float:
    """Similarity to the question, plus the result bonus, minus the aim penalty."""
    score = similarity
    if RESULT_CUES.search(sentence):
        score += RESULT_BONUS
    if AIM_CUES.search(sentence):
        score -= AIM_PENALTY
    return score


def pick_findings(pool: list[Candidate], question_vector: np.ndarray, embedder: Any,
                  per_document: int) -> dict[int, list[Finding]]:
    """Score every candidate and keep the best ``per_document`` of each document, in source order.

    Args:
        pool: Candidates of all documents (embedded in one batch).
        question_vector: The L2-normalised e5 query vector of the question.
        embedder: The corpus embedder (``encode_passages`` returns L2-normalised rows).
        per_document: Findings kept per document.
    """
    if not pool:
        return {}
    vectors = np.asarray(embedder.encode_passages([c.text for c in pool]), dtype=np.float32)
    similarities = vectors @ np.asarray(question_vector, dtype=np.float32)
    by_doc: dict[int, list[tuple[float, Candidate]]] = {}
    for candidate, similarity in zip(pool, similarities):
        by_doc.setdefault(candidate.doc_id, []).append((sentence_score(float(similarity), candidate.text), candidate))
    findings: dict[int, list[Finding]] = {}
    for doc_id, scored in by_doc.items():
        best = sorted(scored, key=lambda item: (-item[0], item[1].order))[:per_document]
        best.sort(key=lambda item: item[1].order)
        findings[doc_id] = [Finding(text=c.text, source=c.source, score=round(s, 4)) for s, c in best]
    return findings
