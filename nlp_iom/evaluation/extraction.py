"""Score ``nlp_iom.read`` against the extraction truth in ``corpora/extract_gold/gold/``.

Each truth file (see ``corpora/extract_gold/GUIDE.md``) is compared with the Document read from its
PDF, field by field, each field scored from 0 to 1:

- ``title``: word-sequence similarity; ``authors``: F1 of names matched at similarity >= 0.8;
  ``year``: exact.
- ``abstract_id`` / ``abstract_en``: 1 when the abstract of that language starts with the truth's
  first words (both missing also scores 1); ``keywords_id`` / ``keywords_en``: F1 of keywords.
- ``chapters``: F1 of the top-level body headings in order (longest common subsequence of headings
  matched at similarity >= 0.8, numbering and "BAB" stripped).
- ``references``: mean of the count score (1 - relative error) and whether the first and last
  entries are found.
- ``passages``: share of the truth's body passages found on their page.
- ``footnotes`` / ``tables``: share of the truth's footnotes (number and first words, on their page)
  and tables (on their page, with the truth's cell) found in ``doc.footnotes`` / ``doc.tables``; a
  Document without these attributes scores 0 there. Fields whose truth is empty are not scored.

A file that cannot be read scores 0 on every field. The split (``split.json``: file -> dev/test) is by
document, stratified by kind.
"""

from __future__ import annotations

import re
from typing import Any

from nlp_iom.evaluation.text import contains_words, norm_words, similarity

FIELDS = ("title", "authors", "year", "abstract_id", "abstract_en", "keywords_id", "keywords_en",
          "chapters", "references", "passages", "footnotes", "tables")
#: Similarity at which two names, headings or keywords count as the same.
MATCH = 0.8
_HEADING_NUMBER = re.compile(r"^\s*((bab|chapter|bagian)\s+)?([ivxlcdm]+|\d+|[a-z])?([.\d]*)\s*[.:)\-–]?\s+", re.I)


def strip_number(heading: str) -> str:
    """``"BAB II TINJAUAN PUSTAKA"`` -> ``"TINJAUAN PUSTAKA"``; ``"1 Introduction"`` -> ``"Introduction"``."""
    stripped = _HEADING_NUMBER.sub("", heading, count=1)
    return stripped if norm_words(stripped) else heading


def _f1_matched(gold: list[str], pred: list[str]) -> float:
    """F1 of two lists, an item matching another at :data:`MATCH` similarity (each used once)."""
    if not gold and not pred:
        return 1.0
    used: set[int] = set()
    hits = 0
    for g in gold:
        for i, p in enumerate(pred):
            if i not in used and similarity(g, p) >= MATCH:
                used.add(i)
                hits += 1
                break
    if not hits:
        return 0.0
    precision, recall = hits / len(pred), hits / len(gold)
    return 2 * precision * recall / (precision + recall)


def _lcs_f1(gold: list[str], pred: list[str]) -> float:
    """F1 over the longest common subsequence of two heading lists (order matters)."""
    if not gold and not pred:
        return 1.0
    if not gold or not pred:
        return 0.0
    table = [[0] * (len(pred) + 1) for _ in range(len(gold) + 1)]
    for i, g in enumerate(gold, start=1):
        for j, p in enumerate(pred, start=1):
            table[i][j] = table[i - 1][j - 1] + 1 if similarity(g, p) >= MATCH else max(table[i - 1][j], table[i][j - 1])
    hits = table[-1][-1]
    if not hits:
        return 0.0
    precision, recall = hits / len(pred), hits / len(gold)
    return 2 * precision * recall / (precision + recall)


def _abstract(doc: Any, lang: str) -> Any:
    return next((a for a in doc.abstracts if a.language == lang), None)


def top_chapters(doc: Any) -> list[str]:
    """Top-level headings of the body, references and back matter, numbering stripped, in order."""
    return [strip_number(s.title) for s in doc.sections if s.zone in ("body", "references", "back_matter")]


def score_document(truth: dict[str, Any], doc: Any) -> dict[str, float]:
    """Per-field scores (0-1) of one Document against its truth; inapplicable fields are left out."""
    scores: dict[str, float] = {}
    meta = doc.metadata
    scores["title"] = similarity(truth.get("title"), meta.title) if truth.get("title") or meta.title else 1.0
    scores["authors"] = _f1_matched(list(truth.get("authors") or []), [a.name for a in meta.authors])
    scores["year"] = float(truth.get("year") == meta.year)
    for lang in ("id", "en"):
        gold_start = truth.get(f"abstract_{lang}")
        abstract = _abstract(doc, lang)
        if gold_start is None:
            scores[f"abstract_{lang}"] = float(abstract is None)
        else:
            head = " ".join(abstract.text.split()[:60]) if abstract else ""
            scores[f"abstract_{lang}"] = float(bool(head) and contains_words(head, gold_start))
        gold_keywords = truth.get(f"keywords_{lang}")
        if gold_keywords is not None or (abstract is not None and abstract.keywords):
            scores[f"keywords_{lang}"] = _f1_matched(list(gold_keywords or []), list(abstract.keywords if abstract else []))
    scores["chapters"] = _lcs_f1([strip_number(c) for c in truth.get("chapters") or []], top_chapters(doc))
    refs = truth.get("references")
    if refs is None:
        scores["references"] = float(not doc.references)
    else:
        count = len(doc.references)
        raw = [r.raw for r in doc.references]
        count_score = max(0.0, 1 - abs(count - refs["count"]) / max(refs["count"], 1))
        first = float(bool(raw) and contains_words(raw[0], refs["first"]))
        last = float(bool(raw) and contains_words(raw[-1], refs["last"]))
        scores["references"] = (count_score + first + last) / 3
    passages = truth.get("passages") or []
    if passages:
        found = sum(any(p["page"] in q.pages and contains_words(q.text, p["text"]) for q in doc.passages)
                    for p in passages)
        scores["passages"] = found / len(passages)
    footnotes = truth.get("footnotes") or []
    if footnotes:
        have = getattr(doc, "footnotes", None) or []
        scores["footnotes"] = sum(any(str(f.get("number")) == str(getattr(h, "number", "")) and f["page"] == h.page
                                      and contains_words(h.text, f["start"]) for h in have) for f in footnotes) / len(footnotes)
    tables = truth.get("tables") or []
    if tables:
        have = getattr(doc, "tables", None) or []
        scores["tables"] = sum(any(t["page"] == h.page and any(contains_words(c or "", t["cell"])
                                                               for row in h.rows for c in row) for h in have)
                               for t in tables) / len(tables)
    return scores


def summarise(per_file: dict[str, dict[str, float]]) -> dict[str, Any]:
    """Mean per field over the files where it applies, and the mean of the per-file means."""
    fields = {f: [s[f] for s in per_file.values() if f in s] for f in FIELDS}
    file_means = [sum(s.values()) / len(s) for s in per_file.values() if s]
    return {"files": len(per_file),
            "fields": {f: round(sum(v) / len(v), 3) for f, v in fields.items() if v},
            "mean": round(sum(file_means) / len(file_means), 3) if file_means else 0.0}
