"""The literature table ("Ringkasan Kajian Pustaka"): theory, method, findings and relevance per document.

* Theory/framework: the cue phrases of :mod:`nlp_iom.review.cues` (kind ``theory``) counted over the
  document's abstracts, keywords, section titles and passages, plus the classifier's code profile
  (the share of the document's passages per code).
* Method: method cue phrases counted in the first scope where any is found: the abstracts, then
  the passages of a section titled like a method section, then the whole stored text. The scope is
  reported with the methods.
* Findings: :mod:`nlp_iom.review.findings`. Relevance: :func:`nlp_iom.review.evidence.relevance_scores`.
"""

from __future__ import annotations

import re
from typing import Any

from nlp_iom.review.cues import Cue, CueMatch, match_cues
from nlp_iom.review.model import CodeColumn, DocRef, Finding, TableRow
from nlp_iom.review.settings import ReviewSettings

#: Section titles taken for a method section (English and Indonesian).
METHOD_SECTION = re.compile(
    r"method|metod|research design|desain penelitian|data collection|pengumpulan data|teknik analisis",
    re.IGNORECASE)
#: Codes listed in a document's classifier profile.
PROFILE_CODES = 4
#: Matched phrases shown after a theory's label.
SHOWN_PHRASES = 2
SCOPE_ABSTRACT = "abstract"
SCOPE_METHOD_SECTION = "method section"
SCOPE_FULL_TEXT = "full text"
SCOPE_NONE = ""


def document_info(row: Any) -> dict[str, Any]:
    """A document row's ``info`` dict (abstracts, keywords, sections, conclusion...), ``{}`` when absent."""
    info = getattr(row, "info", None) or {}
    return info if isinstance(info, dict) else {}


def _abstract_texts(info: dict[str, Any]) -> list[str]:
    texts = []
    for abstract in info.get("abstracts") or []:
        if isinstance(abstract, dict):
            texts.append(str(abstract.get("text") or ""))
            texts.extend(str(k) for k in abstract.get("keywords") or [])
    texts.extend(str(k) for k in info.get("keywords") or [])
    return [t for t in texts if t.strip()]


def theory_texts(info: dict[str, Any], rows: list[Any]) -> list[str]:
    """Every text theory cues are counted in: abstracts, keywords, section titles, passages, conclusion."""
    texts = _abstract_texts(info)
    texts.extend(str(s) for s in info.get("sections") or [])
    texts.extend(row.text for row in rows)
    conclusion = info.get("conclusion")
    if isinstance(conclusion, str) and not rows:
        texts.append(conclusion)
    return texts


def method_scopes(info: dict[str, Any], rows: list[Any]) -> list[tuple[str, list[str]]]:
    """Texts to look for method cues in, by scope, in the order they are tried."""
    method_rows = [row.text for row in rows if any(METHOD_SECTION.search(title) for title in row.section_path)]
    return [(SCOPE_ABSTRACT, _abstract_texts(info)), (SCOPE_METHOD_SECTION, method_rows),
            (SCOPE_FULL_TEXT, theory_texts(info, rows))]


def theory_labels(matches: list[CueMatch]) -> list[str]:
    """``"Haas's functions of international organisations (14×: Haas, articulation function)"``."""
    labels = []
    for match in matches:
        phrases = ", ".join(match.phrases[:SHOWN_PHRASES])
        labels.append(f"{match.cue.label} ({match.count}×: {phrases})")
    return labels


def find_methods(cues: tuple[Cue, ...], info: dict[str, Any], rows: list[Any]) -> tuple[list[str], str]:
    """Method labels (with counts) from the first scope with any method cue, and that scope's name."""
    for scope, texts in method_scopes(info, rows):
        matches = match_cues(texts, cues, "method")
        if matches:
            return [f"{m.cue.label} ({m.count}×)" for m in matches], scope
    return [], SCOPE_NONE


def code_profile(rows: list[Any], columns: list[CodeColumn], threshold: float,
                 top: int = PROFILE_CODES) -> list[tuple[str, float]]:
    """The document's most frequent codes as ``(label, share of its passages)``, shares above zero only."""
    if not rows:
        return []
    shares = []
    for column in columns:
        share = sum(1 for r in rows if r.codes.get(column.key, 0.0) >= threshold) / len(rows)
        if share > 0:
            prefix = "INGO " if column.key.startswith("ingo:") else ""
            shares.append((f"{prefix}{column.label}", round(share, 3)))
    shares.sort(key=lambda item: -item[1])
    return shares[:top]


def build_table(docs: list[DocRef], by_doc: dict[int, list[Any]], infos: dict[int, dict[str, Any]],
                cues: tuple[Cue, ...], columns: list[CodeColumn], findings: dict[int, list[Finding]],
                relevance: dict[int, float | None], settings: ReviewSettings) -> list[TableRow]:
    """One :class:`TableRow` per document, in the order of ``docs``."""
    table = []
    for doc in docs:
        rows = by_doc.get(doc.doc_id, [])
        info = infos.get(doc.doc_id, {})
        theories = theory_labels(match_cues(theory_texts(info, rows), cues, "theory"))
        methods, scope = find_methods(cues, info, rows)
        score = relevance.get(doc.doc_id)
        table.append(TableRow(doc=doc, theories=theories,
                              code_profile=code_profile(rows, columns, settings.code_threshold),
                              methods=methods, method_scope=scope, findings=findings.get(doc.doc_id, []),
                              relevance=score, relevance_label=settings.relevance_label(score)))
    return table

