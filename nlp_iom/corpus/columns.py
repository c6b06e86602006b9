"""Filter columns of the embedded store: numpy arrays that turn :class:`SearchFilters` into a mask.

Built once when a corpus opens (from the ``passages``, ``passage_codes`` and ``entity_keys``
tables, without parsing JSON) and extended as documents are added, so a filtered search over
100k passages costs a few vectorised comparisons, not a Python loop over passages:

* per passage: its document's position and a language code;
* per document: a kind code and the year (``NO_YEAR`` when unknown);
* per code id: a float32 column of probabilities (0 where the passage has none);
* per entity key (case-folded text or long form): the ids of the passages that mention it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

import numpy as np

from nlp_iom.corpus.search import CODE_THRESHOLD, SearchFilters

#: Year stored for documents without one; no year filter matches it.
NO_YEAR = -(2**31)


def _as_set(value: str | tuple[str, ...] | list[str]) -> set[str]:
    return {value} if isinstance(value, str) else set(value)


def year_bounds(wanted: int | tuple[int | None, int | None]) -> tuple[int, int]:
    """Inclusive ``(low, high)`` of a year filter (an int, or a range with open ends as ``None``)."""
    if isinstance(wanted, int):
        return wanted, wanted
    low, high = wanted
    return (NO_YEAR + 1 if low is None else int(low)), (2**31 - 1 if high is None else int(high))


class FilterColumns:
    """Columns for filtering passages; see the module docstring."""

    def __init__(self) -> None:
        self._passage_doc: list[int] = []
        self._passage_lang: list[str] = []
        self._docs: dict[int, tuple[str, int]] = {}
        self._codes: dict[str, tuple[list[int], list[float]]] = {}
        self._entities: dict[str, list[int]] = {}
        self._arrays: dict[str, Any] | None = None

    def __len__(self) -> int:
        return len(self._passage_doc)

    @classmethod
    def from_db(cls, conn: sqlite3.Connection) -> FilterColumns:
        """Read the columns of every stored passage and document."""
        columns = cls()
        for doc_id, kind, year in conn.execute("SELECT id, kind, year FROM documents"):
            columns.add_document(doc_id, kind, year)
        rows = conn.execute("SELECT doc_id, language FROM passages ORDER BY id").fetchall()
        columns._passage_doc = [r[0] for r in rows]
        columns._passage_lang = [r[1] for r in rows]
        for (code,) in conn.execute("SELECT DISTINCT code FROM passage_codes").fetchall():
            pairs = conn.execute("SELECT passage_id, prob FROM passage_codes WHERE code = ?", (code,)).fetchall()
            columns._codes[code] = ([p for p, _ in pairs], [v for _, v in pairs])
        for pid, key in conn.execute("SELECT passage_id, key FROM entity_keys"):
            columns._entities.setdefault(key, []).append(pid)
        return columns

    def add_document(self, doc_id: int, kind: str, year: int | None) -> None:
        """Record a document's kind and year."""
        self._docs[doc_id] = (kind, NO_YEAR if year is None else int(year))
        self._arrays = None

    def add_passage(self, pid: int, doc_id: int, language: str, codes: dict[str, float],
                    keys: Iterable[str]) -> None:
        """Record a passage (ids must come in order, from 0)."""
        if pid != len(self._passage_doc):
            raise ValueError(f"passage {pid} added out of order (expected {len(self._passage_doc)})")
        self._passage_doc.append(doc_id)
        self._passage_lang.append(language)
        for code, prob in codes.items():
            ids, probs = self._codes.setdefault(code, ([], []))
            ids.append(pid)
            probs.append(float(prob))
        for key in keys:
            self._entities.setdefault(key, []).append(pid)
        self._arrays = None

    def _materialise(self) -> dict[str, Any]:
        if self._arrays is None:
            doc_ids = np.array(sorted(self._docs), dtype=np.int64)
            passage_doc = np.array(self._passage_doc, dtype=np.int64)
            languages = sorted(set(self._passage_lang))
            lang_code = {lang: i for i, lang in enumerate(languages)}
            kinds = sorted({kind for kind, _ in self._docs.values()})
            kind_code = {kind: i for i, kind in enumerate(kinds)}
            self._arrays = {
                "passage_docpos": np.searchsorted(doc_ids, passage_doc),
                "lang": np.array([lang_code[x] for x in self._passage_lang], dtype=np.int32),
                "lang_code": lang_code,
                "doc_kind": np.array([kind_code[self._docs[d][0]] for d in doc_ids.tolist()], dtype=np.int32),
                "kind_code": kind_code,
                "doc_year": np.array([self._docs[d][1] for d in doc_ids.tolist()], dtype=np.int64),
                "codes": {},
            }
        return self._arrays

    def code_column(self, code: str) -> np.ndarray:
        """Probability of ``code`` for every passage (0 where absent)."""
        arrays = self._materialise()
        column = arrays["codes"].get(code)
        if column is None:
            column = np.zeros(len(self), dtype=np.float32)
            ids, probs = self._codes.get(code, ([], []))
            column[np.array(ids, dtype=np.int64)] = np.array(probs, dtype=np.float32)
            arrays["codes"][code] = column
        return column

    def mask(self, filters: SearchFilters | None) -> np.ndarray | None:
        """Boolean mask over passages that pass ``filters``; ``None`` when nothing is filtered."""
        if filters is None or all(getattr(filters, name) is None
                                  for name in ("language", "kind", "year", "code", "entity")):
            return None
        arrays = self._materialise()
        mask = np.ones(len(self), dtype=bool)
        if filters.language is not None:
            wanted = [arrays["lang_code"][x] for x in _as_set(filters.language) if x in arrays["lang_code"]]
            mask &= np.isin(arrays["lang"], wanted)
        doc_ok = np.ones(len(arrays["doc_kind"]), dtype=bool)
        if filters.kind is not None:
            wanted = [arrays["kind_code"][x] for x in _as_set(filters.kind) if x in arrays["kind_code"]]
            doc_ok &= np.isin(arrays["doc_kind"], wanted)
        if filters.year is not None:
            low, high = year_bounds(filters.year)
            doc_ok &= (arrays["doc_year"] >= low) & (arrays["doc_year"] <= high)
        if filters.kind is not None or filters.year is not None:
            mask &= doc_ok[arrays["passage_docpos"]] if len(doc_ok) else False
        if filters.code is not None:
            mask &= self.code_column(filters.code) >= CODE_THRESHOLD
        if filters.entity is not None:
            hits = np.zeros(len(self), dtype=bool)
            hits[np.array(self._entities.get(filters.entity.casefold(), []), dtype=np.int64)] = True
            mask &= hits
        return mask
