"""The search gold's files, its passage corpus, and the qrels built from two judging passes.

    nlp-iom gold search-qrels [-o corpora/search_gold/qrels.jsonl]

The corpus is every passage of the coding gold (``corpora/classify_gold/gold.jsonl``) plus the extra
passages of ``corpora/search_gold/passages.jsonl`` (:mod:`nlp_iom.training.search_pool` draws them and the
judging pools). Two independent passes grade every pooled passage 0/1/2 against ``GUIDE.md``
(``pass_a.jsonl``, ``pass_b.jsonl``: one row per need); disagreements are decided with a reason in
``adjudication.jsonl``; ``search-qrels`` writes their agreement (``agreement.json``) and the gold
``qrels.jsonl`` that :mod:`nlp_iom.evaluation.search` scores against.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any

from nlp_iom.training.classify_gold import GOLD, ROOT, load_jsonl, write_jsonl

SEARCH_GOLD = ROOT / "corpora" / "search_gold"
PASSAGES = SEARCH_GOLD / "passages.jsonl"
QUERIES = SEARCH_GOLD / "queries.jsonl"
POOL = SEARCH_GOLD / "pool.jsonl"
PASSES = (SEARCH_GOLD / "pass_a.jsonl", SEARCH_GOLD / "pass_b.jsonl")
ADJUDICATION = SEARCH_GOLD / "adjudication.jsonl"
QRELS = SEARCH_GOLD / "qrels.jsonl"
AGREEMENT = SEARCH_GOLD / "agreement.json"
FIELDS = ("id", "text", "lang", "doc", "kind", "source", "page", "section")


def _key(text: str) -> str:
    return hashlib.sha1(" ".join(text.split()).lower().encode()).hexdigest()


def gold_rows(gold: Path = GOLD) -> list[dict[str, Any]]:
    """The coding gold's passages in the corpus form (:data:`FIELDS`)."""
    return [{"id": r["id"], "text": r["text"], "lang": r["lang"], "doc": r["doc"], "kind": r["kind"],
             "source": r["source"], "page": r.get("page"), "section": r.get("section") or ""}
            for r in load_jsonl(gold)]


def corpus_rows(passages: Path = PASSAGES, gold: Path = GOLD) -> list[dict[str, Any]]:
    """The whole search corpus: the coding gold's passages, then the extra ones."""
    return gold_rows(gold) + load_jsonl(passages)


def _grades(path: Path) -> dict[tuple[str, str], int]:
    return {(row["need"], pid): int(grade) for row in load_jsonl(path) for pid, grade in row["grades"].items()}


def agreement(first: dict[tuple[str, str], int], second: dict[tuple[str, str], int]) -> dict[str, Any]:
    """Agreement of two judging passes over the same (need, passage) pairs, before adjudication.

    Exact agreement and Cohen's kappa on the three grades, on relevance (grade ≥ 1) and on grade 2,
    and Krippendorff's alpha (ordinal) on the grades.
    """
    import krippendorff
    import numpy as np

    from nlp_iom.evaluation.scoring import cohen_kappa

    keys = sorted(first)
    if set(keys) != set(second):
        raise ValueError("the passes judged different (need, passage) pairs")
    a = [first[k] for k in keys]
    b = [second[k] for k in keys]
    alpha = float(krippendorff.alpha(reliability_data=np.array([a, b]), level_of_measurement="ordinal"))
    return {
        "pairs": len(keys),
        "exact": round(sum(x == y for x, y in zip(a, b)) / len(keys), 4),
        "kappa_grades": round(cohen_kappa(a, b), 4),
        "kappa_relevant": round(cohen_kappa([x >= 1 for x in a], [y >= 1 for y in b]), 4),
        "kappa_grade2": round(cohen_kappa([x == 2 for x in a], [y == 2 for y in b]), 4),
        "alpha_ordinal": round(alpha, 4),
        "disagreements": sum(x != y for x, y in zip(a, b)),
    }


def qrels_rows(passes: tuple[Path, Path] = PASSES, adjudication: Path = ADJUDICATION) -> list[dict[str, Any]]:
    """The gold judgments: the grade both passes gave, else the adjudicated one (with its reason).

    Raises:
        ValueError: A disagreement without an adjudication, or an adjudication of an agreed pair.
    """
    first, second = _grades(passes[0]), _grades(passes[1])
    decided = {(r["need"], r["passage"]): r for r in load_jsonl(adjudication)} if adjudication.is_file() else {}
    rows = []
    for key in sorted(first):
        if first[key] == second[key]:
            if key in decided:
                raise ValueError(f"{key} is adjudicated but both passes agree")
            rows.append({"need": key[0], "passage": key[1], "grade": first[key], "source": "agreed"})
        elif key in decided:
            rows.append({"need": key[0], "passage": key[1], "grade": int(decided[key]["grade"]),
                         "source": "adjudicated"})
        else:
            raise ValueError(f"{key}: the passes disagree ({first[key]} vs {second[key]}) and nothing is adjudicated")
    return rows


def main_qrels(argv: list[str] | None = None) -> int:
    """``nlp-iom gold search-qrels``: agreement of the passes, and the adjudicated qrels."""
    parser = argparse.ArgumentParser(prog="nlp-iom gold search-qrels",
                                     description="Merge the two judging passes and the adjudication into qrels.jsonl.")
    parser.add_argument("-o", "--output", type=Path, default=QRELS)
    parser.add_argument("--agreement", type=Path, default=AGREEMENT)
    args = parser.parse_args(argv)
    stats = agreement(_grades(PASSES[0]), _grades(PASSES[1]))
    args.agreement.write_text(json.dumps(stats, indent=1) + "\n", encoding="utf-8")
    rows = qrels_rows()
    write_jsonl(args.output, rows)
    print(json.dumps(stats))
    print(f"{len(rows)} judgments -> {args.output}")
    return 0
