"""Agreement and accuracy figures for multi-label coding: Cohen's kappa, P/R/F1, macro-F1.

Label sets are 0/1 matrices of shape ``(n_passages, n_codes)``, columns in codebook order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float:
    """Cohen's kappa of two binary label vectors (1.0 when both are constant and equal)."""
    a = np.asarray(a, dtype=bool)
    b = np.asarray(b, dtype=bool)
    n = len(a)
    if n == 0:
        return float("nan")
    observed = float(np.mean(a == b))
    pa, pb = float(np.mean(a)), float(np.mean(b))
    expected = pa * pb + (1 - pa) * (1 - pb)
    if expected >= 1.0:
        return 1.0 if observed == 1.0 else 0.0
    return (observed - expected) / (1 - expected)


def krippendorff_alpha(a: np.ndarray, b: np.ndarray) -> float:
    """Krippendorff's alpha (nominal) of two binary codings, by the ``krippendorff`` package.

    1.0 when both codings agree and are constant (alpha is undefined there; agreement is perfect).
    """
    import krippendorff

    data = np.vstack([np.asarray(a, dtype=int), np.asarray(b, dtype=int)])
    if len(np.unique(data)) < 2:
        return 1.0
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def prf(gold: np.ndarray, pred: np.ndarray) -> tuple[float, float, float]:
    """Precision, recall and F1 of one binary column (0 where undefined)."""
    gold = np.asarray(gold, dtype=bool)
    pred = np.asarray(pred, dtype=bool)
    tp = float(np.sum(gold & pred))
    precision = tp / pred.sum() if pred.sum() else 0.0
    recall = tp / gold.sum() if gold.sum() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


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
