"""Which inputs help the passage classifier: an ablation on the dev folds, grouped by document.

    nlp-iom evaluate classify-variants --json corpora/classify_gold/variants.json   # + variants.md
    nlp-iom evaluate classify-variants --variant embedding --variant shipped

Each variant is a feature matrix for one logistic regression per code (C = 16, as the shipped head).
For the 5 dev folds of :func:`nlp_iom.training.classify_gold.grouped_folds` (seed 13, as
``nlp-iom evaluate classify``), it is fitted on four folds and scores the fifth. Two figures per
codebook come from these out-of-fold scores:

* **mean average precision** over the codes, which needs no threshold and so compares the inputs
  themselves;
* **mean Cohen's κ** at per-code (and per-language, where a language has 8 positives) thresholds
  that are *cross-fitted*: a fold's threshold is the best-F1 one on the other four folds' scores,
  so no passage's own label sets its threshold. Differences of 0.02–0.03 κ are within the noise of
  threshold choice on folds of this size.

The variants: ``embedding`` (e5 passage vector + indicator counts, the recipe before the lexical
block), ``shipped`` (plus the TF-IDF block of :mod:`nlp_iom.coding.lexical`), ``tfidf`` (the block
alone), ``kind`` and ``section`` (shipped plus the document kind, or the section heading's words:
the passage's context), ``query-prefix`` (shipped, with the passage embedded as an e5 ``query:``),
``sentence-max`` (shipped plus the element-wise maximum of its sentences' embeddings) and
``stacked`` (a second logistic regression per code over all codes' first-stage scores: label
co-occurrence). Only the test-free dev split is used. The lexical vocabulary of every variant is
learnt from all dev passages (unsupervised; the shipped model learns it from its training folds).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Callable

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score

from nlp_iom.coding.codebook import load_codebook
from nlp_iom.coding.head import DEFAULT_C, MIN_LANGUAGE_POSITIVES, best_threshold
from nlp_iom.coding.lexical import LexicalFeatures
from nlp_iom.coding.model import INDICATOR_WEIGHT, PassageClassifier
from nlp_iom.evaluation.scoring import cohen_kappa
from nlp_iom.training.classify_gold import GOLD, grouped_folds, load_gold

FOLDS = 5
SEED = 13
BOOKS = ("haas", "ingo")
VARIANTS = ("embedding", "shipped", "tfidf", "kind", "section", "query-prefix", "sentence-max", "stacked")
Matrix = Any  # a dense array or a SciPy CSR matrix


def out_of_fold(F: Matrix, Y: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]], C: float = DEFAULT_C) -> np.ndarray:
    """Out-of-fold probabilities (n, k) of one logistic regression per code."""
    scores = np.zeros(Y.shape, np.float64)
    for train, test in folds:
        for j in range(Y.shape[1]):
            if len(set(Y[train, j])) < 2:
                continue
            model = LogisticRegression(C=C, max_iter=2000).fit(F[train], Y[train, j])
            scores[test, j] = model.predict_proba(F[test])[:, 1]
    return scores


def stacked(first: np.ndarray, Y: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Second stage: per code, a logistic regression over every code's out-of-fold first-stage score."""
    return out_of_fold(first, Y, folds, C=1.0)


def crossfit_decisions(proba: np.ndarray, Y: np.ndarray, fold_of: np.ndarray, languages: np.ndarray) -> np.ndarray:
    """0/1 decisions whose thresholds, for each fold, are chosen on the other folds only."""
    out = np.zeros(Y.shape, np.int8)
    for fold in np.unique(fold_of):
        other, own = fold_of != fold, fold_of == fold
        for j in range(Y.shape[1]):
            overall = best_threshold(Y[other, j], proba[other, j])
            for lang in np.unique(languages):
                train = other & (languages == lang)
                threshold = (best_threshold(Y[train, j], proba[train, j])
                             if Y[train, j].sum() >= MIN_LANGUAGE_POSITIVES else overall)
                rows = own & (languages == lang)
                out[rows, j] = proba[rows, j] >= threshold
    return out


def summarise(proba: np.ndarray, Y: np.ndarray, fold_of: np.ndarray, languages: np.ndarray,
              codes: list[str]) -> dict[str, Any]:
    """Mean AP, mean κ at cross-fitted thresholds, and both per code."""
    decisions = crossfit_decisions(proba, Y, fold_of, languages)
    ap = [float(average_precision_score(Y[:, j], proba[:, j])) if Y[:, j].any() else 0.0 for j in range(len(codes))]
    kappa = [cohen_kappa(Y[:, j], decisions[:, j]) for j in range(len(codes))]
    return {"mean_ap": round(float(np.mean(ap)), 3), "mean_kappa": round(float(np.mean(kappa)), 3),
            "codes": {c: {"ap": round(a, 3), "kappa": round(k, 3)} for c, a, k in zip(codes, ap, kappa)}}


def _sentence_max(texts: list[str], embedder: Any) -> np.ndarray:
    from nlp_iom.ner.sentences import rule_based_spans

    sentences, owner = [], []
    for i, text in enumerate(texts):
        spans = [(a, b) for a, b in rule_based_spans(text) if len(text[a:b].strip()) > 15] or [(0, len(text))]
        for a, b in spans:
            sentences.append(text[a:b].strip())
            owner.append(i)
    vectors = np.asarray(embedder.encode_passages(sentences), np.float32)
    out = np.full((len(texts), vectors.shape[1]), -1.0, np.float32)
    for vector, i in zip(vectors, owner):
        out[i] = np.maximum(out[i], vector)
    return out


def feature_builders(rows: list[dict[str, Any]], embedder: Any, books: dict[str, Any]) -> dict[str, Callable[[str], Matrix]]:
    """Per variant, a function of the codebook name that returns its feature matrix (built lazily, cached)."""
    texts = [r["text"] for r in rows]
    cache: dict[str, Any] = {}

    def get(key: str, make: Callable[[], Any]) -> Any:
        if key not in cache:
            cache[key] = make()
        return cache[key]

    def vectors() -> np.ndarray:
        return get("X", lambda: np.asarray(embedder.encode_passages(texts), np.float32))

    def dense(book: str, X: np.ndarray | None = None) -> np.ndarray:
        ind = get(f"ind:{book}", lambda: PassageClassifier(books[book], embedder, lexical=None).indicator_features(texts))
        return np.hstack([vectors() if X is None else X, INDICATOR_WEIGHT * ind])

    def lexical() -> sparse.csr_matrix:
        return get("lex", lambda: LexicalFeatures().fit(texts).transform(texts))

    def shipped(book: str, *extra: Matrix, X: np.ndarray | None = None) -> sparse.csr_matrix:
        return sparse.hstack([sparse.csr_matrix(dense(book, X)), lexical(), *extra], format="csr")

    def kinds() -> np.ndarray:
        names = sorted({str(r.get("kind", "other")) for r in rows})
        return 0.3 * np.array([[str(r.get("kind", "other")) == n for n in names] for r in rows], np.float32)

    def sections() -> sparse.csr_matrix:
        return 0.3 * TfidfVectorizer(sublinear_tf=True, min_df=2).fit_transform([r.get("section") or "" for r in rows])

    return {
        "embedding": lambda book: dense(book),
        "shipped": lambda book: shipped(book),
        "tfidf": lambda book: lexical(),
        "kind": lambda book: shipped(book, sparse.csr_matrix(get("kind", kinds))),
        "section": lambda book: shipped(book, get("section", sections)),
        "query-prefix": lambda book: shipped(book, X=get("XQ", lambda: np.asarray(embedder.encode_queries(texts), np.float32))),
        "sentence-max": lambda book: shipped(book, sparse.csr_matrix(get("smax", lambda: _sentence_max(texts, embedder)))),
        "stacked": lambda book: shipped(book),
    }


def run(variants: tuple[str, ...] = VARIANTS, gold: Path = GOLD, embedder: Any = "e5-small",
        books: tuple[str, ...] = BOOKS) -> dict[str, Any]:
    """Score ``variants`` for each codebook on the dev folds; returns ``{book: {variant: summary}}``."""
    from nlp_iom.embed.registry import get_embedder

    rows = [r for r in load_gold(gold) if r.get("split", "dev") == "dev"]
    body = get_embedder(embedder) if isinstance(embedder, str) else embedder
    codebooks = {name: load_codebook(name) for name in books}
    builders = feature_builders(rows, body, codebooks)
    groups = [str(r.get("doc") or r["id"]) for r in rows]
    folds = list(grouped_folds(groups, FOLDS, SEED))
    fold_of = np.zeros(len(rows), int)
    for f, (_, test) in enumerate(folds):
        fold_of[test] = f
    languages = np.array([str(r.get("lang")) for r in rows])
    result: dict[str, Any] = {}
    for name, book in codebooks.items():
        Y = np.array([[int(c in r.get(name, [])) for c in book.code_ids] for r in rows], np.int8)
        result[name] = {}
        for variant in variants:
            proba = out_of_fold(builders[variant](name), Y, folds)
            if variant == "stacked":
                proba = stacked(proba, Y, folds)
            result[name][variant] = summarise(proba, Y, fold_of, languages, book.code_ids)
            print(f"{name:<5} {variant:<13} mean AP {result[name][variant]['mean_ap']:.3f}"
                  f"  mean kappa {result[name][variant]['mean_kappa']:.3f}", flush=True)
    return result


def render(result: dict[str, Any]) -> str:
    """The ablation table (Markdown) from :func:`run`'s result."""
    books = list(result)
    variants = [v for v in VARIANTS if all(v in result[b] for b in books)]
    lines = ["# Classifier inputs: ablation on the dev folds", "",
             "Generated by `nlp-iom evaluate classify-variants --json corpora/classify_gold/variants.json` "
             "(`nlp_iom/evaluation/classify_variants.py` says what each variant is). Dev split only, 5 folds "
             "grouped by document; mean average precision needs no threshold, mean κ uses thresholds "
             "cross-fitted on the other folds. `shipped` is the recipe of the shipped classifiers.", "",
             "| variant | " + " | ".join(f"{b} mean AP | {b} mean κ" for b in books) + " |",
             "|---|" + "---:|---:|" * len(books)]
    for variant in variants:
        cells = [f"{result[b][variant]['mean_ap']:.3f} | {result[b][variant]['mean_kappa']:.3f}" for b in books]
        lines.append(f"| {variant} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nlp-iom evaluate classify-variants", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variant", action="append", choices=VARIANTS, help="default: all")
    parser.add_argument("--codebook", action="append", choices=BOOKS, help="default: both")
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--json", type=Path, help="write the results here, and their table beside it (.md)")
    args = parser.parse_args(argv)
    result = run(tuple(args.variant or VARIANTS), args.gold, books=tuple(args.codebook or BOOKS))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        args.json.with_suffix(".md").write_text(render(result), encoding="utf-8")
    return 0
