"""Classifier heads on passage embeddings: a trained linear head and a zero-shot head.

:class:`LinearHead` is one logistic regression per code (one-vs-rest) on the embeddings. Its scores
are calibrated by Platt scaling fitted on out-of-fold decision values, and each code's decision
threshold is the one that maximises F1 on those same out-of-fold probabilities. :class:`ZeroShotHead`
needs no labels: it compares a passage with each code's definition and indicator phrases (embedded as
e5 queries) and with its positive examples, and sets each code's threshold between the scores of the
codebook's own positive and negative examples.

Both heads store their state as plain float32 arrays (:meth:`tensors` / :meth:`from_tensors`), which
the classifier writes with safetensors: nothing is unpickled on load.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

#: Inverse regularisation of the per-code logistic regressions (embeddings are unit vectors).
DEFAULT_C = 16.0
#: Folds for out-of-fold calibration and threshold search.
DEFAULT_FOLDS = 5
#: Probability thresholds searched per code.
THRESHOLDS = np.round(np.arange(0.05, 0.96, 0.01), 2)
#: Weight of the mean positive-example vector against the definition vector in a zero-shot prototype.
PROTOTYPE_EXAMPLE_WEIGHT = 0.5
#: Zero-shot logit = SIM_WEIGHT * (similarity - threshold) / scale + INDICATOR_WEIGHT * log(1 + indicator
#: phrases found) + BIAS. Similarity alone over-predicts badly on real passages; the three weights were
#: chosen on the project's gold corpus (see the model card), so zero-shot scores there are optimistic.
ZS_SIM_WEIGHT = 0.5
ZS_INDICATOR_WEIGHT = 3.0
ZS_BIAS = -1.0


#: Languages that get their own decision threshold per code, where they have enough positives.
THRESHOLD_LANGUAGES = ("id", "en")
#: Positives of a code in one language needed before that language gets its own threshold.
MIN_LANGUAGE_POSITIVES = 8


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))


def best_threshold(y: np.ndarray, proba: np.ndarray) -> float:
    """Threshold from :data:`THRESHOLDS` with the best F1 (ties: the one closest to 0.5)."""
    y = y.astype(bool)
    best, best_f1 = 0.5, -1.0
    for t in sorted(THRESHOLDS, key=lambda v: abs(v - 0.5)):
        pred = proba >= t
        tp = float(np.sum(pred & y))
        f1 = 2 * tp / (pred.sum() + y.sum()) if pred.sum() + y.sum() else 0.0
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(t), f1
    return best


class LinearHead:
    """One calibrated logistic regression per code, with per-code (and per-language) thresholds.

    With ``groups`` (the document of each passage), the out-of-fold scores that calibrate the head and
    choose its thresholds come from folds grouped by document, as at run time, where every passage
    comes from a document the head has not seen. With ``languages``, each code also gets a threshold
    per language in :data:`THRESHOLD_LANGUAGES` where that language has enough positives.
    """

    def __init__(self, C: float = DEFAULT_C, folds: int = DEFAULT_FOLDS, seed: int = 0) -> None:
        self.C = C
        self.folds = folds
        self.seed = seed
        self.coef: np.ndarray | None = None
        self.intercept: np.ndarray | None = None
        self.platt: np.ndarray | None = None  # (k, 2): a, b of sigmoid(a * decision + b)
        self.threshold: np.ndarray | None = None
        self.language_threshold: dict[str, np.ndarray] = {}

    def _regression(self) -> LogisticRegression:
        return LogisticRegression(C=self.C, max_iter=2000, random_state=self.seed)

    def fit(self, X: np.ndarray, Y: np.ndarray, groups: list[str] | None = None,
            languages: list[str | None] | None = None) -> LinearHead:
        """Fit on features ``X`` (n, d; dense, or SciPy CSR) and a 0/1 label matrix ``Y`` (n, k).

        Every column needs at least two positives and two negatives; the caller routes codes with
        fewer to the zero-shot head. ``groups`` and ``languages`` (one per row) are optional.
        """
        n, k = Y.shape
        self.coef = np.zeros((k, X.shape[1]), np.float32)
        self.intercept = np.zeros(k, np.float32)
        self.platt = np.zeros((k, 2), np.float32)
        self.threshold = np.full(k, 0.5, np.float32)
        langs = np.array(languages if languages is not None else [None] * n, dtype=object)
        self.language_threshold = {lang: np.full(k, np.nan, np.float32) for lang in THRESHOLD_LANGUAGES}
        for j in range(k):
            y = Y[:, j].astype(int)
            oof = self._out_of_fold(X, y, groups)
            calibrator = LogisticRegression(C=1e4, max_iter=1000).fit(oof[:, None], y)
            a, b = float(calibrator.coef_[0, 0]), float(calibrator.intercept_[0])
            self.platt[j] = (a, b)
            calibrated = _sigmoid(a * oof + b)
            self.threshold[j] = best_threshold(y, calibrated)
            for lang, thresholds in self.language_threshold.items():
                mask = langs == lang
                if y[mask].sum() >= MIN_LANGUAGE_POSITIVES:
                    thresholds[j] = best_threshold(y[mask], calibrated[mask])
            model = self._regression().fit(X, y)
            self.coef[j] = model.coef_[0]
            self.intercept[j] = model.intercept_[0]
        return self

    def _out_of_fold(self, X: np.ndarray, y: np.ndarray, groups: list[str] | None = None) -> np.ndarray:
        folds = max(2, min(self.folds, int(y.sum()), int(len(y) - y.sum())))
        oof = np.zeros(len(y), np.float64)
        if groups is not None and len(set(groups)) >= folds:
            splits = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=self.seed).split(X, y, groups)
        else:
            splits = StratifiedKFold(n_splits=folds, shuffle=True, random_state=self.seed).split(X, y)
        for train, test in splits:
            if len(set(y[train])) < 2:
                oof[test] = 0.0
                continue
            model = self._regression().fit(X[train], y[train])
            oof[test] = model.decision_function(X[test])
        return oof

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Calibrated probabilities, shape (n, k)."""
        if self.coef is None or self.platt is None or self.intercept is None:
            raise RuntimeError("LinearHead is not fitted")
        decision = X @ self.coef.T + self.intercept
        return _sigmoid(decision * self.platt[:, 0] + self.platt[:, 1]).astype(np.float32)

    def thresholds_for(self, languages: list[str | None]) -> np.ndarray:
        """Per row and code, the decision threshold: the language's own where it has one, else the global."""
        assert self.threshold is not None
        out = np.tile(self.threshold, (len(languages), 1))
        for i, lang in enumerate(languages):
            own = self.language_threshold.get(str(lang))
            if own is not None:
                out[i] = np.where(np.isnan(own), self.threshold, own)
        return out

    def tensors(self, prefix: str = "linear.") -> dict[str, np.ndarray]:
        """State as named float32 arrays."""
        assert self.coef is not None and self.intercept is not None
        assert self.platt is not None and self.threshold is not None
        return {f"{prefix}coef": self.coef, f"{prefix}intercept": self.intercept,
                f"{prefix}platt": self.platt, f"{prefix}threshold": self.threshold,
                **{f"{prefix}threshold_{lang}": t for lang, t in self.language_threshold.items()}}

    @classmethod
    def from_tensors(cls, tensors: dict[str, np.ndarray], prefix: str = "linear.") -> LinearHead:
        """Rebuild a fitted head from :meth:`tensors`."""
        head = cls()
        head.coef = tensors[f"{prefix}coef"]
        head.intercept = tensors[f"{prefix}intercept"]
        head.platt = tensors[f"{prefix}platt"]
        head.threshold = tensors[f"{prefix}threshold"]
        head.language_threshold = {lang: tensors[f"{prefix}threshold_{lang}"] for lang in THRESHOLD_LANGUAGES
                                   if f"{prefix}threshold_{lang}" in tensors}
        return head


class ZeroShotHead:
    """Scores passages against code prototypes built from the codebook alone.

    Args:
        prototypes: (k, d) unit vectors, one per code.
        threshold: (k,) similarity at which a code turns on.
        scale: (k,) similarity spread mapped to the logistic's unit.
    """

    def __init__(self, prototypes: np.ndarray, threshold: np.ndarray, scale: np.ndarray) -> None:
        self.prototypes = prototypes.astype(np.float32)
        self.threshold = threshold.astype(np.float32)
        self.scale = np.maximum(scale.astype(np.float32), 1e-3)

    @classmethod
    def build(cls, definitions: np.ndarray, positives: list[np.ndarray], negatives: np.ndarray,
              default_margin: float = 0.02) -> ZeroShotHead:
        """Build from embeddings of the codebook.

        Args:
            definitions: (k, d) embedded code descriptions (as e5 queries).
            positives: per code, (m_j, d) embedded positive examples (as passages); may be empty.
            negatives: (m, d) embedded negative examples of the codebook (as passages); may be empty.
            default_margin: When a code has no examples, its threshold is the mean similarity of
                the other codes' examples plus this margin.
        """
        k = definitions.shape[0]
        protos = np.zeros_like(definitions)
        for j in range(k):
            vec = definitions[j].copy()
            if len(positives[j]):
                vec = vec + PROTOTYPE_EXAMPLE_WEIGHT * positives[j].mean(axis=0) / max(
                    np.linalg.norm(positives[j].mean(axis=0)), 1e-9)
            protos[j] = vec / max(np.linalg.norm(vec), 1e-9)
        threshold = np.zeros(k, np.float32)
        scale = np.full(k, 0.02, np.float32)
        for j in range(k):
            own = positives[j] @ protos[j] if len(positives[j]) else np.zeros(0)
            others = [positives[i] for i in range(k) if i != j and len(positives[i])]
            pool = [negatives] if len(negatives) else []
            rest = np.concatenate(others + pool) @ protos[j] if others or pool else np.zeros(0)
            if len(own) and len(rest):
                hi, lo = float(np.mean(own)), float(np.mean(rest))
                threshold[j] = (hi + lo) / 2 if hi > lo else hi
                scale[j] = max(abs(hi - lo) / 4, 0.005)
            elif len(rest):
                threshold[j] = float(np.mean(rest)) + default_margin
        return cls(protos, threshold, scale)

    def similarity(self, X: np.ndarray) -> np.ndarray:
        """Cosine similarities (n, k) of unit-vector passages to the prototypes."""
        return X @ self.prototypes.T

    def predict_proba(self, X: np.ndarray, indicators: np.ndarray | None = None) -> np.ndarray:
        """Pseudo-probabilities from the similarity's distance to the threshold and the indicators.

        Args:
            X: (n, d) unit-length passage embeddings.
            indicators: (n, k) log(1 + distinct indicator phrases found per code), or None.
        """
        logit = ZS_SIM_WEIGHT * (self.similarity(X) - self.threshold) / self.scale + ZS_BIAS
        if indicators is not None:
            logit = logit + ZS_INDICATOR_WEIGHT * indicators
        return _sigmoid(logit).astype(np.float32)

    def tensors(self, prefix: str = "zeroshot.") -> dict[str, np.ndarray]:
        """State as named float32 arrays."""
        return {f"{prefix}prototypes": self.prototypes, f"{prefix}threshold": self.threshold,
                f"{prefix}scale": self.scale}

    @classmethod
    def from_tensors(cls, tensors: dict[str, np.ndarray], prefix: str = "zeroshot.") -> ZeroShotHead:
        """Rebuild from :meth:`tensors`."""
        return cls(tensors[f"{prefix}prototypes"], tensors[f"{prefix}threshold"], tensors[f"{prefix}scale"])
