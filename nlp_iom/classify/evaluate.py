"""Evaluate passage classifiers on the gold corpus, and the agreement between its coding passes.

    python -m nlp_iom.classify.evaluate                 # both codebooks, e5-small (ONNX int8)
    python -m nlp_iom.classify.evaluate --codebook haas --embedder e5-small-fp32
    python -m nlp_iom.classify.evaluate --agreement     # Cohen's kappa between pass A and pass B

Cross-validation: the passages are split into :data:`FOLDS` shuffled folds (seed :data:`SEED`); the
trained classifier is fitted on four folds (its thresholds chosen by an inner cross-validation on
those four only) and predicts the fifth. The zero-shot classifier and the keyword-rule baseline use no
labels and predict every passage. Scores are per-code precision, recall, F1 and Cohen's kappa against
the adjudicated gold labels, plus macro-F1; for the trained classifier also the Brier score and the
expected calibration error of its out-of-fold probabilities.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import KFold

from nlp_iom.classify.codebook import Codebook, load_codebook
from nlp_iom.classify.keywords import KeywordClassifier
from nlp_iom.classify.metrics import brier, cohen_kappa, expected_calibration_error, score_codes, summary
from nlp_iom.classify.model import PassageClassifier, labels_to_matrix

ROOT = Path(__file__).resolve().parents[2]
GOLD_DIR = ROOT / "corpora" / "classify_gold"
GOLD = GOLD_DIR / "gold.jsonl"
PASSES = (GOLD_DIR / "pass_a.jsonl", GOLD_DIR / "pass_b.jsonl")
FOLDS = 5
SEED = 13


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    """Rows of a JSONL file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def label_matrix(rows: list[dict[str, Any]], codebook: Codebook) -> np.ndarray:
    """0/1 matrix of the codebook's codes from rows that list codes under ``codebook.name``."""
    return labels_to_matrix([row.get(codebook.name, []) for row in rows], codebook.code_ids)


def agreement(codebook: Codebook | str, passes: tuple[Path, Path] = PASSES) -> dict[str, Any]:
    """Cohen's kappa per code between the two independent coding passes (before adjudication)."""
    book = load_codebook(codebook)
    a, b = load_jsonl(passes[0]), load_jsonl(passes[1])
    if [r["id"] for r in a] != [r["id"] for r in b]:
        raise ValueError("the two passes do not list the same passages in the same order")
    A, B = label_matrix(a, book), label_matrix(b, book)
    per_code = [{"code": c, "pass_a": int(A[:, j].sum()), "pass_b": int(B[:, j].sum()),
                 "both": int((A[:, j] & B[:, j]).sum()), "kappa": round(cohen_kappa(A[:, j], B[:, j]), 3)}
                for j, c in enumerate(book.code_ids)]
    none_a, none_b = ~A.any(axis=1), ~B.any(axis=1)
    return {"codebook": book.name, "passages": len(a), "codes": per_code,
            "mean_kappa": round(float(np.mean([r["kappa"] for r in per_code])), 3),
            "no_code_kappa": round(cohen_kappa(none_a, none_b), 3),
            "exact_match": round(float(np.mean((A == B).all(axis=1))) * 100, 1)}


def cross_validate(codebook: Codebook | str, gold: list[dict[str, Any]], embedder: Any = "e5-small",
                   vectors: np.ndarray | None = None, folds: int = FOLDS, seed: int = SEED) -> dict[str, Any]:
    """Scores of the trained classifier, zero-shot and the keyword baseline on ``gold``.

    Args:
        codebook: Codebook name, path or object; gold rows list its codes under its name.
        gold: Rows with ``text`` and the codebook's label list.
        embedder: Embedder spec or object for the two embedding-based systems.
        vectors: Precomputed passage embeddings of the gold texts (optional).
    """
    book = load_codebook(codebook)
    texts = [r["text"] for r in gold]
    Y = label_matrix(gold, book)
    zero = PassageClassifier.zero_shot(book, embedder)
    X = vectors if vectors is not None else zero.embed(texts)
    proba = np.zeros(Y.shape, np.float32)
    pred = np.zeros(Y.shape, np.int8)
    for train, test in KFold(n_splits=folds, shuffle=True, random_state=seed).split(X):
        clf = PassageClassifier(book, zero.embedder)
        clf.fit([texts[i] for i in train], Y[train], vectors=X[train])
        proba[test] = clf.predict_proba_vectors(X[test], [texts[i] for i in test])
        pred[test] = (proba[test] >= clf.thresholds()).astype(np.int8)
    zero_pred = (zero.predict_proba_vectors(X, texts) >= zero.thresholds()).astype(np.int8)
    keyword_pred = KeywordClassifier(book).predict(texts)
    systems: dict[str, Any] = {}
    for name, P in (("trained", pred), ("zero-shot", zero_pred), ("keywords", keyword_pred)):
        scores = score_codes(Y, P, book.code_ids)
        systems[name] = {"codes": [s.as_dict() for s in scores], **summary(scores, Y, P)}
    systems["trained"]["brier"] = round(brier(Y, proba), 4)
    systems["trained"]["ece"] = round(expected_calibration_error(Y, proba), 4)
    languages = {lang: sum(1 for r in gold if r.get("lang") == lang) for lang in ("id", "en")}
    by_language = {}
    for lang in ("id", "en"):
        mask = np.array([r.get("lang") == lang for r in gold])
        if mask.any():
            scores = score_codes(Y[mask], pred[mask], book.code_ids)
            by_language[lang] = summary(scores, Y[mask], pred[mask])["macro_f1"]
    return {"codebook": book.name, "passages": len(gold), "languages": languages, "folds": folds, "seed": seed,
            "embedder": getattr(zero.embedder, "name", str(embedder)), "systems": systems,
            "trained_macro_f1_by_language": by_language}


def markdown(result: dict[str, Any]) -> str:
    """Side-by-side table of per-code F1 / kappa for the three systems."""
    systems = ("trained", "zero-shot", "keywords")
    lines = ["| code | support | " + " | ".join(f"{s} P / R / F1 (κ)" for s in systems) + " |",
             "|---|---|" + "---|" * len(systems)]
    for j, row in enumerate(result["systems"]["trained"]["codes"]):
        cells = []
        for s in systems:
            c = result["systems"][s]["codes"][j]
            cells.append(f"{c['precision']} / {c['recall']} / **{c['f1']}** ({c['kappa']:.2f})")
        lines.append(f"| {row['code']} | {row['support']} | " + " | ".join(cells) + " |")
    lines.append("| **macro-F1** (mean κ) | | " + " | ".join(
        f"**{result['systems'][s]['macro_f1']}** ({result['systems'][s]['mean_kappa']:.2f})" for s in systems) + " |")
    return "\n".join(lines)


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--codebook", action="append", help="haas, ingo or a path (default: both built-ins)")
    parser.add_argument("--embedder", default="e5-small")
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--agreement", action="store_true", help="kappa between the two coding passes")
    parser.add_argument("--json", type=Path, help="write the results to this JSON file")
    parser.add_argument("--seeds", help="comma-separated fold seeds: print the trained macro-F1 over these splits")
    args = parser.parse_args(argv)
    books = args.codebook or ["haas", "ingo"]
    results = []
    if args.seeds:
        return _over_seeds(books, [int(s) for s in args.seeds.split(",")], args.gold, args.embedder)
    for name in books:
        if args.agreement:
            result = agreement(name)
            print(f"## {name}: agreement between pass A and pass B ({result['passages']} passages)")
            for row in result["codes"]:
                print(f"  {row['code']:<18} A {row['pass_a']:>3}  B {row['pass_b']:>3}  both {row['both']:>3}"
                      f"  kappa {row['kappa']:.3f}")
            print(f"  mean kappa {result['mean_kappa']}, no-code kappa {result['no_code_kappa']}")
        else:
            result = cross_validate(name, load_jsonl(args.gold), args.embedder)
            print(f"## {name} ({result['passages']} passages, {result['folds']}-fold, {result['embedder']})")
            print(markdown(result))
            print(f"trained: Brier {result['systems']['trained']['brier']}, ECE "
                  f"{result['systems']['trained']['ece']}; macro-F1 by language {result['trained_macro_f1_by_language']}")
        results.append(result)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


def _over_seeds(books: list[str], seeds: list[int], gold_path: Path, embedder: str) -> int:
    """Trained macro-F1 over several fold splits (mean and standard deviation)."""
    from nlp_iom.embed.embedder import get_embedder

    gold = load_jsonl(gold_path)
    body = get_embedder(embedder)
    vectors = body.encode_passages([r["text"] for r in gold])
    for name in books:
        scores = [cross_validate(name, gold, body, vectors=vectors, seed=seed)["systems"]["trained"]["macro_f1"]
                  for seed in seeds]
        print(f"{name} {embedder}: trained macro-F1 over seeds {seeds}: {scores} "
              f"mean {np.mean(scores):.1f} sd {np.std(scores):.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
