"""Evaluate passage classifiers on the gold corpus, and the agreement between its coding passes.

    nlp-iom evaluate classify                 # both codebooks: grouped CV on dev, then test
    nlp-iom evaluate classify --codebook haas --embedder e5-small-fp32
    nlp-iom evaluate classify --agreement     # kappa and alpha between the coding passes

Cross-validation: the dev passages are split into :data:`FOLDS` folds grouped by document
(:func:`nlp_iom.training.classify_gold.grouped_folds`: no document has passages in two folds); the trained
classifier is fitted on four folds (its thresholds chosen by an inner cross-validation, grouped by
document too, on those four only) and predicts the fifth; so is ``embedding-only``, the same recipe
without the lexical TF-IDF block (the recipe shipped before it). The test split (sources never seen in
dev) is scored once by a classifier fitted on all of dev; the model shipped before the broad gold
corpus (``old``, kept in :data:`PREVIOUS`) is scored on the same folds and on test as it is. The zero-shot classifier and the keyword-rule baseline use no
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
from nlp_iom.coding.codebook import Codebook, load_codebook
from nlp_iom.training.classify_gold import GOLD, GOLD_DIR, grouped_folds, load_jsonl
from nlp_iom.coding.keywords import KeywordClassifier
from nlp_iom.evaluation.scoring import (
    brier,
    cohen_kappa,
    expected_calibration_error,
    krippendorff_alpha,
    score_codes,
    summary,
)
from nlp_iom.coding.lexical import LexicalSettings
from nlp_iom.coding.model import DEFAULT_LEXICAL, PassageClassifier, labels_to_matrix

#: The classifiers shipped before the broad gold corpus (trained on batch 1), scored as they are.
PREVIOUS = GOLD_DIR / "previous_model"
PASSES = (GOLD_DIR / "pass_a.jsonl", GOLD_DIR / "pass_b.jsonl")
BATCH2_PASSES = (GOLD_DIR / "batch2" / "pass_a.jsonl", GOLD_DIR / "batch2" / "pass_b.jsonl")
FOLDS = 5
SEED = 13
SYSTEMS = ("trained", "embedding-only", "old", "zero-shot", "keywords")
#: The systems refitted per fold: the shipped recipe, and the same without its lexical block.
TRAINED: dict[str, LexicalSettings | None] = {"trained": DEFAULT_LEXICAL, "embedding-only": None}
__all__ = ["GOLD", "GOLD_DIR", "agreement", "cross_validate", "evaluate_splits", "load_jsonl", "markdown"]


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
                 "both": int((A[:, j] & B[:, j]).sum()), "kappa": round(cohen_kappa(A[:, j], B[:, j]), 3),
                 "alpha": round(krippendorff_alpha(A[:, j], B[:, j]), 3)}
                for j, c in enumerate(book.code_ids)]
    none_a, none_b = ~A.any(axis=1), ~B.any(axis=1)
    return {"codebook": book.name, "passages": len(a), "codes": per_code,
            "mean_kappa": round(float(np.mean([r["kappa"] for r in per_code])), 3),
            "no_code_kappa": round(cohen_kappa(none_a, none_b), 3),
            "exact_match": round(float(np.mean((A == B).all(axis=1))) * 100, 1)}


def cross_validate(codebook: Codebook | str, gold: list[dict[str, Any]], embedder: Any = "e5-small",
                   vectors: np.ndarray | None = None, folds: int = FOLDS, seed: int = SEED,
                   old: PassageClassifier | None = None) -> dict[str, Any]:
    """Scores of the trained classifier, zero-shot and the keyword baseline on ``gold``, by grouped folds.

    Args:
        codebook: Codebook name, path or object; gold rows list its codes under its name.
        gold: Rows with ``text``, ``doc`` (the fold groups; each passage its own group where missing)
            and the codebook's label list.
        embedder: Embedder spec or object for the two embedding-based systems.
        vectors: Precomputed passage embeddings of the gold texts (optional).
        old: A fitted classifier to score as it is (the shipped model), if any.
    """
    book = load_codebook(codebook)
    texts = [r["text"] for r in gold]
    Y = label_matrix(gold, book)
    groups = [str(r.get("doc") or r["id"]) for r in gold]
    zero = PassageClassifier.zero_shot(book, embedder)
    X = vectors if vectors is not None else zero.embed(texts)
    proba = {name: np.zeros(Y.shape, np.float32) for name in TRAINED}
    pred = {name: np.zeros(Y.shape, np.int8) for name in TRAINED}
    for train, test in grouped_folds(groups, folds, seed):
        for name, lexical in TRAINED.items():
            clf = _fit(book, zero.embedder, [gold[i] for i in train], X[train], lexical)
            proba[name][test] = clf.predict_proba_vectors(X[test], [texts[i] for i in test])
            pred[name][test] = clf.decide(proba[name][test], [gold[i].get("lang") for i in test])
    predictions = {**{name: (pred[name], proba[name]) for name in TRAINED},
                   **_fixed_systems(book, zero, old, X, texts, gold)}
    return {"codebook": book.name, "passages": len(gold), "documents": len(set(groups)), "folds": folds,
            "seed": seed, "embedder": getattr(zero.embedder, "name", str(embedder)),
            **_score_systems(book, gold, Y, predictions)}


def evaluate_splits(codebook: Codebook | str, gold: list[dict[str, Any]], embedder: Any = "e5-small",
                    vectors: np.ndarray | None = None, old: PassageClassifier | None = None,
                    folds: int = FOLDS, seed: int = SEED) -> dict[str, Any]:
    """Grouped cross-validation on the dev rows, then one score on test by a model fitted on all of dev."""
    book = load_codebook(codebook)
    zero = PassageClassifier.zero_shot(book, embedder)
    X = vectors if vectors is not None else zero.embed([r["text"] for r in gold])
    dev = [i for i, r in enumerate(gold) if r.get("split", "dev") == "dev"]
    test = [i for i, r in enumerate(gold) if r.get("split") == "test"]
    result: dict[str, Any] = {"codebook": book.name,
                              "dev": cross_validate(book, [gold[i] for i in dev], zero.embedder, X[dev], folds, seed, old)}
    if test:
        rows_dev, rows_test = [gold[i] for i in dev], [gold[i] for i in test]
        texts = [r["text"] for r in rows_test]
        predictions = {}
        for name, lexical in TRAINED.items():
            clf = _fit(book, zero.embedder, rows_dev, X[dev], lexical)
            proba = clf.predict_proba_vectors(X[test], texts)
            predictions[name] = (clf.decide(proba, [r.get("lang") for r in rows_test]), proba)
        predictions.update(_fixed_systems(book, zero, old, X[test], texts, rows_test))
        result["test"] = {"passages": len(test), "documents": len({r.get("doc") for r in rows_test}),
                          **_score_systems(book, rows_test, label_matrix(rows_test, book), predictions)}
    return result


def _fit(book: Codebook, embedder: Any, rows: list[dict[str, Any]], X: np.ndarray,
         lexical: LexicalSettings | None) -> PassageClassifier:
    """A classifier fitted on ``rows`` (embeddings ``X``) as the trainer fits it, by document and language."""
    clf = PassageClassifier(book, embedder, lexical=lexical)
    return clf.fit([r["text"] for r in rows], label_matrix(rows, book), vectors=X,
                   groups=[str(r.get("doc") or r["id"]) for r in rows], languages=[r.get("lang") for r in rows])


def _fixed_systems(book: Codebook, zero: PassageClassifier, old: PassageClassifier | None, X: np.ndarray,
                   texts: list[str], rows: list[dict[str, Any]]) -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
    """Predictions of the systems that are not refitted per fold: the shipped model, zero-shot, keywords."""
    out: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
    if old is not None:
        old_proba = old.predict_proba_vectors(X, texts)
        out["old"] = ((old_proba >= old.thresholds()).astype(np.int8), old_proba)
    zero_proba = zero.predict_proba_vectors(X, texts)
    out["zero-shot"] = ((zero_proba >= zero.thresholds()).astype(np.int8), zero_proba)
    out["keywords"] = (KeywordClassifier(book).predict(texts), None)
    return out


def _score_systems(book: Codebook, rows: list[dict[str, Any]], Y: np.ndarray,
                   predictions: dict[str, tuple[np.ndarray, np.ndarray | None]]) -> dict[str, Any]:
    """Per system: per-code scores, summary, calibration, and the same per language."""
    languages = {lang: sum(1 for r in rows if r.get("lang") == lang) for lang in ("id", "en")}
    systems: dict[str, Any] = {}
    for name, (P, proba) in predictions.items():
        scores = score_codes(Y, P, book.code_ids)
        entry: dict[str, Any] = {"codes": [s.as_dict() for s in scores], **summary(scores, Y, P)}
        if proba is not None:
            entry["brier"] = round(brier(Y, proba), 4)
            entry["ece"] = round(expected_calibration_error(Y, proba), 4)
        entry["by_language"] = {}
        for lang in ("id", "en"):
            mask = np.array([r.get("lang") == lang for r in rows])
            if mask.any():
                lang_scores = score_codes(Y[mask], P[mask], book.code_ids)
                entry["by_language"][lang] = {"codes": [s.as_dict() for s in lang_scores],
                                              **summary(lang_scores, Y[mask], P[mask])}
        systems[name] = entry
    return {"languages": languages, "systems": systems,
            "trained_macro_f1_by_language": {k: v["macro_f1"] for k, v in systems["trained"]["by_language"].items()}}


def markdown(result: dict[str, Any]) -> str:
    """Side-by-side table of per-code P / R / F1 (kappa, alpha) for the systems scored."""
    systems = tuple(s for s in SYSTEMS if s in result["systems"])
    lines = ["| code | support | " + " | ".join(f"{s} P / R / F1 (κ)" for s in systems) + " |",
             "|---|---|" + "---|" * len(systems)]
    for j, row in enumerate(result["systems"]["trained"]["codes"]):
        cells = []
        for s in systems:
            c = result["systems"][s]["codes"][j]
            cells.append(f"{c['precision']} / {c['recall']} / **{c['f1']}** ({c['kappa']:.2f}, α {c['alpha']:.2f})")
        lines.append(f"| {row['code']} | {row['support']} | " + " | ".join(cells) + " |")
    lines.append("| **macro-F1** (mean κ) | | " + " | ".join(
        f"**{result['systems'][s]['macro_f1']}** ({result['systems'][s]['mean_kappa']:.2f})" for s in systems) + " |")
    lines.append("| micro-F1 | | " + " | ".join(str(result["systems"][s]["micro_f1"]) for s in systems) + " |")
    lines.append("| Brier / ECE | | " + " | ".join(
        f"{result['systems'][s].get('brier', '-')} / {result['systems'][s].get('ece', '-')}" for s in systems) + " |")
    for lang in ("id", "en"):
        lines.append(f"| {lang}: macro-F1 (mean κ) | {result['languages'].get(lang, 0)} | " + " | ".join(
            f"{result['systems'][s]['by_language'][lang]['macro_f1']} "
            f"({result['systems'][s]['by_language'][lang]['mean_kappa']:.2f})"
            if lang in result["systems"][s]["by_language"] else "-" for s in systems) + " |")
    return "\n".join(lines)


def language_tables(result: dict[str, Any], system: str = "trained") -> str:
    """Per code and language: P / R / F1 and kappa of one system."""
    lines = ["| code | id P / R / F1 (κ, α) | en P / R / F1 (κ, α) |", "|---|---|---|"]
    by_language = result["systems"][system]["by_language"]
    for j, row in enumerate(result["systems"][system]["codes"]):
        cells = []
        for lang in ("id", "en"):
            c = by_language[lang]["codes"][j] if lang in by_language else None
            cells.append(f"{c['precision']} / {c['recall']} / {c['f1']} ({c['kappa']:.2f}, α {c['alpha']:.2f}) "
                         f"[{c['support']}]" if c else "-")
        lines.append(f"| {row['code']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nlp-iom evaluate classify", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--codebook", action="append", help="haas, ingo or a path (default: both built-ins)")
    parser.add_argument("--embedder", default="e5-small")
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--agreement", action="store_true", help="kappa and alpha between the coding passes")
    parser.add_argument("--old", type=Path, default=PREVIOUS,
                        help="folder of classifier_<codebook> models to score as they are (default: the "
                             "models shipped before the broad gold corpus)")
    parser.add_argument("--json", type=Path, help="write the results to this JSON file")
    parser.add_argument("--seeds", help="comma-separated fold seeds: print the trained macro-F1 over these splits")
    args = parser.parse_args(argv)
    books = args.codebook or ["haas", "ingo"]
    results = []
    if args.seeds:
        return _over_seeds(books, [int(s) for s in args.seeds.split(",")], args.gold, args.embedder)
    if args.agreement:
        for name in books:
            for label, passes in (("batch 1", PASSES), ("batch 2", BATCH2_PASSES)):
                result = agreement(name, passes)
                print(f"## {name}, {label}: agreement between pass A and pass B ({result['passages']} passages)")
                for row in result["codes"]:
                    print(f"  {row['code']:<18} A {row['pass_a']:>3}  B {row['pass_b']:>3}  both {row['both']:>3}"
                          f"  kappa {row['kappa']:.3f}  alpha {row['alpha']:.3f}")
                print(f"  mean kappa {result['mean_kappa']}, no-code kappa {result['no_code_kappa']}")
                results.append({"batch": label, **result})
    else:
        from nlp_iom.embed.registry import get_embedder

        gold = load_jsonl(args.gold)
        body = get_embedder(args.embedder)
        vectors = np.asarray(body.encode_passages([r["text"] for r in gold]), np.float32)
        for name in books:
            old_folder = args.old / f"classifier_{load_codebook(name).name}"
            old = PassageClassifier.from_pretrained(old_folder, body) if (old_folder / "config.json").is_file() else None
            result = evaluate_splits(name, gold, body, vectors, old)
            for part in ("dev", "test"):
                if part not in result:
                    continue
                r = result[part]
                print(f"## {name}: {part} ({r['passages']} passages, {r['documents']} documents"
                      + (f", {r['folds']} folds grouped by document" if part == "dev" else ", scored once") + ")")
                print(markdown(r))
                print()
                print(language_tables(r))
                print()
            results.append(result)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


def _over_seeds(books: list[str], seeds: list[int], gold_path: Path, embedder: str) -> int:
    """Trained macro-F1 over several fold splits (mean and standard deviation)."""
    from nlp_iom.embed.registry import get_embedder

    gold = load_jsonl(gold_path)
    body = get_embedder(embedder)
    vectors = body.encode_passages([r["text"] for r in gold])
    for name in books:
        scores = [cross_validate(name, gold, body, vectors=vectors, seed=seed)["systems"]["trained"]["macro_f1"]
                  for seed in seeds]
        print(f"{name} {embedder}: trained macro-F1 over seeds {seeds}: {scores} "
              f"mean {np.mean(scores):.1f} sd {np.std(scores):.1f}")
    return 0
