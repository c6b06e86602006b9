"""The one scoring module: P/R/F1, Cohen's kappa, Krippendorff's alpha and calibration, for every evaluator.

Used by the classifier evaluation (label sets are 0/1 matrices of shape ``(n_passages, n_codes)``,
columns in codebook order), the NER evaluation and the NER gold's agreement.

An empty set is scored one way everywhere (:func:`prf_counts`): when nothing is to be found and
nothing is found, precision, recall and F1 are 1 (the two sides agree); otherwise a ratio whose
denominator is zero is 0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any
from dataclasses import dataclass

import numpy as np

from nlp_iom.stats import cohen_kappa, krippendorff_alpha  # noqa: F401 (re-exported for the evaluators)


@dataclass(frozen=True)
class CodeScores:
    """Scores of one code against gold labels."""

    code: str
    support: int
    predicted: int
    precision: float
    recall: float
    f1: float
    kappa: float
    alpha: float = float("nan")

    def as_dict(self) -> dict[str, float | int | str]:
        """Rounded, JSON-ready."""
        return {"code": self.code, "support": self.support, "predicted": self.predicted,
                "precision": round(self.precision * 100, 1), "recall": round(self.recall * 100, 1),
                "f1": round(self.f1 * 100, 1), "kappa": round(self.kappa, 3), "alpha": round(self.alpha, 3)}


def prf_counts(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 (fractions) from counts; 1.0 each when there is nothing to find or found."""
    if tp + fp + fn == 0:
        return 1.0, 1.0, 1.0
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def span_counts(reference: Iterable[Iterable[tuple[Any, ...]]], other: Iterable[Iterable[tuple[Any, ...]]],
                labels: Sequence[str]) -> dict[str, Counter[str]]:
    """Exact-match ``tp``/``fp``/``fn`` per label of ``other``'s spans against ``reference``'s, sentence by sentence.

    Spans are tuples whose first three items are ``(start, end, label)``; labels outside ``labels`` are
    ignored, and the sequences must be equally long.
    """
    counts: dict[str, Counter[str]] = {label: Counter() for label in labels}
    for ref_spans, other_spans in zip(reference, other, strict=True):
        ref = {tuple(span[:3]) for span in ref_spans if span[2] in counts}
        oth = {tuple(span[:3]) for span in other_spans if span[2] in counts}
        for kind, found in (("tp", ref & oth), ("fp", oth - ref), ("fn", ref - oth)):
            for _, _, label in found:
                counts[label][kind] += 1
    return counts


def prf(gold: np.ndarray, pred: np.ndarray) -> tuple[float, float, float]:
    """Precision, recall and F1 of one binary column (see :func:`prf_counts`)."""
    gold = np.asarray(gold, dtype=bool)
    pred = np.asarray(pred, dtype=bool)
    tp = int(np.sum(gold & pred))
    return prf_counts(tp, int(pred.sum()) - tp, int(gold.sum()) - tp)


def prf_table(tp: int, fp: int, fn: int) -> dict[str, float]:
    """:func:`prf_counts` in percent, rounded, with the support: ``{"p", "r", "f", "support"}``."""
    p, r, f = prf_counts(tp, fp, fn)
    return {"p": round(100 * p, 1), "r": round(100 * r, 1), "f": round(100 * f, 1), "support": tp + fn}


def score_codes(gold: np.ndarray, pred: np.ndarray, codes: list[str]) -> list[CodeScores]:
    """Per-code P/R/F1 and kappa of ``pred`` against ``gold``."""
    out = []
    for j, code in enumerate(codes):
        p, r, f = prf(gold[:, j], pred[:, j])
        out.append(CodeScores(code, int(gold[:, j].sum()), int(pred[:, j].sum()), p, r, f,
                              cohen_kappa(gold[:, j], pred[:, j]), krippendorff_alpha(gold[:, j], pred[:, j])))
    return out


def summary(scores: list[CodeScores], gold: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    """Macro-F1, micro-F1, mean kappa and the no-code agreement of a prediction."""
    gold = np.asarray(gold, dtype=bool)
    pred = np.asarray(pred, dtype=bool)
    _, _, micro = prf(gold.ravel(), pred.ravel())
    none_gold = ~gold.any(axis=1)
    none_pred = ~pred.any(axis=1)
    return {
        "macro_f1": round(float(np.mean([s.f1 for s in scores])) * 100, 1),
        "micro_f1": round(micro * 100, 1),
        "mean_kappa": round(float(np.mean([s.kappa for s in scores])), 3),
        "no_code_kappa": round(cohen_kappa(none_gold, none_pred), 3),
        "exact_match": round(float(np.mean((gold == pred).all(axis=1))) * 100, 1),
    }


def brier(gold: np.ndarray, proba: np.ndarray) -> float:
    """Mean Brier score over all passage-code cells (lower is better)."""
    return float(np.mean((np.asarray(proba, float) - np.asarray(gold, float)) ** 2))


def expected_calibration_error(gold: np.ndarray, proba: np.ndarray, bins: int = 10) -> float:
    """ECE over all passage-code cells with equal-width probability bins."""
    p = np.asarray(proba, float).ravel()
    y = np.asarray(gold, float).ravel()
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        mask = (p >= lo) & ((p < hi) if hi < 1 else (p <= hi))
        if mask.any():
            total += mask.mean() * abs(p[mask].mean() - y[mask].mean())
    return total
