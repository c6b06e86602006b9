"""The classification gold corpus: its rows, their documents and sources, and the frozen test split.

Every gold row names the ``doc`` it comes from (a file or a web page) and the ``source`` group that
document belongs to (a web site, a PDF file, a treebank). Evaluation splits by these, never by passage:
grouped cross-validation folds keep a document's passages together (:func:`grouped_folds`), and the
frozen test split (:func:`assign_test_split`) holds about a quarter of the *new* sources of each kind
and language, so no site or file has passages on both sides.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterator

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
GOLD_DIR = ROOT / "corpora" / "classify_gold"
GOLD = GOLD_DIR / "gold.jsonl"
#: Share of the source groups of each (kind, language) stratum that go to the test split.
TEST_SHARE = 0.25
#: Batches whose sources may go to test; the first batch (505 passages) shaped the guide and the
#: earlier model, so it stays in dev.
TEST_BATCHES = ("batch2",)


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    """Rows of a JSONL file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write rows as JSONL (UTF-8, one object a line)."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def document_of(row: dict[str, Any]) -> str:
    """The document a first-batch row came from: its file, or its article for treebank sentences."""
    if row.get("doc"):
        return str(row["doc"])
    source = str(row["source"])
    if source.endswith(".conllu"):
        return f"ud-pud/{str(row.get('section', '')).replace('PUD ', '')}"
    return source.rsplit("/", 1)[-1]


def source_of(row: dict[str, Any], site: str | None = None) -> str:
    """The source group of a row: the web site for web pages, else the document's file or treebank."""
    if site:
        return f"site:{site}"
    doc = document_of(row)
    return "ud-pud" if doc.startswith("ud-pud/") else doc


def _stable(value: str) -> str:
    return hashlib.sha1(value.encode("utf-8")).hexdigest()


def assign_test_split(rows: list[dict[str, Any]], share: float = TEST_SHARE) -> dict[str, str]:
    """``source -> "dev" | "test"``: within each (batch, kind, language) stratum, the sources whose
    hashes sort first, about ``share`` of them (at least one where the stratum has three or more), go
    to test. Deterministic: the same rows always give the same split.
    """
    strata: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for row in rows:
        strata[(str(row.get("batch", "batch1")), str(row.get("kind", "other")), str(row.get("lang")))].add(row["source_group"])
    split: dict[str, str] = {}
    for (batch, _, _), sources in sorted(strata.items()):
        ordered = sorted(sources, key=_stable)
        n_test = int(round(len(ordered) * share)) if batch in TEST_BATCHES else 0
        if batch in TEST_BATCHES and n_test == 0 and len(ordered) >= 3:
            n_test = 1
        for i, source in enumerate(ordered):
            if source not in split or split[source] == "dev":
                split[source] = "test" if i < n_test else split.get(source, "dev")
    return split


def grouped_folds(groups: list[str], folds: int, seed: int = 13) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Train/test index arrays of ``folds`` folds that never split a group (shuffled GroupKFold)."""
    from sklearn.model_selection import GroupKFold

    unique = sorted(set(groups), key=lambda g: _stable(f"{seed}:{g}"))
    rank = {g: i for i, g in enumerate(unique)}
    codes = np.array([rank[g] for g in groups])
    yield from GroupKFold(n_splits=folds).split(codes, groups=codes)


def load_gold(path: Path = GOLD, split: str | None = None) -> list[dict[str, Any]]:
    """Gold rows, all or only those of ``split`` (``dev`` or ``test``)."""
    rows = load_jsonl(path)
    return rows if split is None else [r for r in rows if r.get("split") == split]


def composition(rows: list[dict[str, Any]], code_ids: dict[str, list[str]]) -> dict[str, Any]:
    """Counts the README of the corpus reports: passages, documents, sources, languages, kinds, codes."""
    out: dict[str, Any] = {
        "passages": len(rows),
        "documents": len({r["doc"] for r in rows}),
        "sources": len({r["source_group"] for r in rows}),
        "languages": dict(sorted(_count(r["lang"] for r in rows).items())),
        "kinds": dict(sorted(_count(r.get("kind", "other") for r in rows).items())),
        "splits": dict(sorted(_count(r.get("split", "dev") for r in rows).items())),
        "no_code": sum(1 for r in rows if not any(r.get(b) for b in code_ids)),
        "codes": {},
    }
    for book, codes in code_ids.items():
        for code in codes:
            out["codes"][code] = {lang: sum(1 for r in rows if r["lang"] == lang and code in r.get(book, []))
                                  for lang in ("id", "en")}
    return out


def _count(values: Any) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for value in values:
        counts[str(value)] += 1
    return dict(counts)
