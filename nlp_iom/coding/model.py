"""The passage classifier: an embedding body plus a scikit-learn head, SetFit-style.

>>> clf = PassageClassifier("haas").fit(texts, labels)          # doctest: +SKIP
>>> clf.predict(["IOM trained village heads on referral procedures."])
[['socialization']]
>>> clf.save_pretrained("models/classifier_haas")
>>> clf = PassageClassifier.from_pretrained("models/classifier_haas")

A classifier built without labels (:meth:`PassageClassifier.zero_shot`) scores passages from the
codebook alone. A trained one falls back to zero-shot, with a warning, for a code that has fewer
than :data:`MIN_POSITIVES` examples (or raises :class:`~nlp_iom.errors.TooFewExamplesError` with
``fallback="error"``). Every prediction can carry evidence (:meth:`explain`): the closest labelled
examples and the indicator phrases that matched.

The trained head reads the passage embedding, the codes' indicator-phrase counts and a TF-IDF block
of word and character n-grams (:mod:`nlp_iom.coding.lexical`; ``lexical=None`` leaves it out).

A saved model is a folder of ``config.json`` (codebook, embedder, settings, scores), ``head.safetensors``
(head and IDF arrays), ``lexical.json`` (the TF-IDF vocabularies) and ``examples.safetensors`` +
``examples.jsonl`` (the labelled passages used for evidence). No pickle.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from safetensors.numpy import load_file, save_file
from scipy import sparse

from nlp_iom.coding.codebook import Codebook, codebook_from_dict, load_codebook
from nlp_iom.coding.head import DEFAULT_C, LinearHead, ZeroShotHead
from nlp_iom.coding.keywords import IndicatorMatcher
from nlp_iom.coding.lexical import LexicalFeatures, LexicalSettings
from nlp_iom.embed.registry import LazyEmbedder
from nlp_iom.errors import ConfigError, EmptyPassageError, ModelNotFoundError, TooFewExamplesError

logger = logging.getLogger(__name__)

#: Positive examples a code needs before a linear head is trained for it.
MIN_POSITIVES = 4
#: Weight of the indicator-phrase features (log of 1 + distinct phrases matched, one per code) beside
#: the unit-length embedding in the linear head's input.
INDICATOR_WEIGHT = 0.3
#: What ``fit`` does with a code that has too few examples.
FALLBACKS = ("zero-shot", "error")
#: Closest labelled examples returned as evidence.
EVIDENCE_EXAMPLES = 3
FORMAT_VERSION = 1
#: Passages longer than this (characters) are coded with a warning: the e5 embedding truncates them.
LONG_PASSAGE_CHARS = 4_000
#: The lexical block's vocabularies (JSON term lists) in a saved classifier folder.
LEXICAL_FILE = "lexical.json"
#: Trained classifiers add a TF-IDF block to the embedding unless told otherwise (``lexical=None``).
DEFAULT_LEXICAL = LexicalSettings()


@dataclass
class Prediction:
    """Codes of one passage with their probabilities and evidence."""

    codes: list[str]
    scores: dict[str, float]
    indicators: dict[str, list[str]] = field(default_factory=dict)
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def labels_to_matrix(labels: Sequence[Sequence[str]] | np.ndarray, code_ids: list[str]) -> np.ndarray:
    """0/1 matrix (passages x codes, codebook column order) from per-passage code lists."""
    if isinstance(labels, np.ndarray):
        return labels.astype(np.int8)
    index = {c: j for j, c in enumerate(code_ids)}
    Y = np.zeros((len(labels), len(code_ids)), np.int8)
    for i, row in enumerate(labels):
        for code in row:
            if code not in index:
                raise KeyError(f"label {code!r} is not a code of the codebook ({', '.join(code_ids)})")
            Y[i, index[code]] = 1
    return Y


class PassageClassifier:
    """Multi-label classifier of passages by the codes of one codebook.

    Args:
        codebook: Codebook name (``"haas"``, ``"ingo"``), path, or object.
        embedder: Embedder spec for :func:`nlp_iom.embed.registry.get_embedder`, or an Embedder.
        C: Inverse regularisation of the linear head.
    """

    def __init__(self, codebook: Codebook | str | Path = "haas", embedder: Any = "e5-small",
                 C: float = DEFAULT_C, lexical: LexicalSettings | None = DEFAULT_LEXICAL) -> None:
        self.codebook = load_codebook(codebook)
        self.lexical_settings = lexical
        self.lexical: LexicalFeatures | None = None
        self._embedder_spec = embedder if isinstance(embedder, str) else getattr(embedder, "name", "custom")
        self._embedder = None if isinstance(embedder, str) else embedder
        self.C = C
        self.linear: LinearHead | None = None
        self.zeroshot: ZeroShotHead | None = None
        self.trained_codes: np.ndarray = np.zeros(len(self.codebook.codes), bool)
        self.example_vectors = np.zeros((0, 0), np.float32)
        self.example_labels = np.zeros((0, len(self.codebook.codes)), np.int8)
        self.example_texts: list[dict[str, Any]] = []
        self.matcher = IndicatorMatcher(self.codebook)
        self.meta: dict[str, Any] = {}

    # -- body ---------------------------------------------------------------
    #: The embedder, loaded from the spec on first use.
    embedder = LazyEmbedder()

    @property
    def code_ids(self) -> list[str]:
        """Code ids in column order."""
        return self.codebook.code_ids

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Passage embeddings (unit rows)."""
        return np.asarray(self.embedder.encode_passages(list(texts)), np.float32)

    def indicator_features(self, texts: Sequence[str]) -> np.ndarray:
        """Per passage and code, log(1 + distinct indicator phrases of the code found)."""
        return np.log1p(self.matcher.phrase_counts(list(texts))).astype(np.float32)

    @staticmethod
    def features(vectors: np.ndarray, indicators: np.ndarray) -> np.ndarray:
        """The dense part of the linear head's input: the embedding and the weighted indicator features."""
        return np.hstack([vectors, INDICATOR_WEIGHT * indicators]).astype(np.float32)

    def head_input(self, vectors: np.ndarray, indicators: np.ndarray, texts: Sequence[str]) -> Any:
        """The linear head's input: :meth:`features`, then the lexical TF-IDF block where the model has one."""
        dense = self.features(vectors, indicators)
        if self.lexical is None:
            return dense
        return sparse.hstack([sparse.csr_matrix(dense), self.lexical.transform(texts)], format="csr")

    # -- training -----------------------------------------------------------
    @classmethod
    def zero_shot(cls, codebook: Codebook | str | Path = "haas", embedder: Any = "e5-small") -> PassageClassifier:
        """A classifier from the codebook's definitions, indicators and examples alone."""
        clf = cls(codebook, embedder, lexical=None)
        clf._build_zeroshot()
        codebook_texts = [(e.text, c.id) for c in clf.codebook.codes for e in c.positive]
        if codebook_texts:
            clf._set_examples([t for t, _ in codebook_texts], [[c] for _, c in codebook_texts],
                              [{"id": f"codebook:{c}", "text": t} for t, c in codebook_texts])
        return clf

    def _build_zeroshot(self) -> None:
        codes = self.codebook.codes
        definitions = np.asarray(self.embedder.encode_queries([_code_query(c) for c in codes]), np.float32)
        positives = [self.embed([e.text for e in c.positive]) if c.positive else np.zeros((0, definitions.shape[1]),
                     np.float32) for c in codes]
        negative_texts = [e.text for c in codes for e in c.negative]
        negatives = self.embed(negative_texts) if negative_texts else np.zeros((0, definitions.shape[1]), np.float32)
        self.zeroshot = ZeroShotHead.build(definitions, positives, negatives)

    def fit(self, texts: Sequence[str], labels: Sequence[Sequence[str]] | np.ndarray, *,
            ids: Sequence[str] | None = None, vectors: np.ndarray | None = None,
            fallback: str = "zero-shot", use_codebook_examples: bool = False,
            groups: Sequence[str] | None = None, languages: Sequence[str | None] | None = None) -> PassageClassifier:
        """Train the head on labelled passages.

        Args:
            texts: Passage texts.
            labels: Per passage, a list of code ids (or a 0/1 matrix in codebook column order).
            ids: Optional passage ids, kept for evidence.
            vectors: Precomputed passage embeddings of ``texts`` (skips embedding).
            fallback: ``"zero-shot"`` (warn and use the zero-shot head for a code with fewer than
                :data:`MIN_POSITIVES` positives) or ``"error"`` (raise TooFewExamplesError).
            use_codebook_examples: Add the codebook's positive and negative examples to the training
                data (useful for a new codebook with few labelled passages).
            groups: The document of each passage: calibration and thresholds then come from folds
                grouped by document.
            languages: The language of each passage (``id``/``en``): codes get per-language thresholds.
        """
        if fallback not in FALLBACKS:
            raise ConfigError("fallback", f"must be one of {', '.join(FALLBACKS)}, got {fallback!r}")
        texts = list(texts)
        Y = labels_to_matrix(labels, self.code_ids)
        self.linear = None
        if len(texts) != len(Y):
            raise ValueError(f"{len(texts)} texts but {len(Y)} label rows")
        X = np.asarray(vectors, np.float32) if vectors is not None else self.embed(texts)
        if use_codebook_examples:
            extra = [(e.text, [c.id]) for c in self.codebook.codes for e in c.positive]
            extra += [(e.text, []) for c in self.codebook.codes for e in c.negative]
            if extra:
                X = np.vstack([X, self.embed([t for t, _ in extra])])
                Y = np.vstack([Y, labels_to_matrix([lab for _, lab in extra], self.code_ids)])
                texts = texts + [t for t, _ in extra]
                ids = list(ids or [str(i) for i in range(len(Y) - len(extra))]) + ["codebook"] * len(extra)
                if groups is not None:
                    groups = list(groups) + [f"codebook:{i}" for i in range(len(extra))]
                if languages is not None:
                    languages = list(languages) + [None] * len(extra)
        counts = Y.sum(axis=0)
        negatives = len(Y) - counts
        self.trained_codes = (counts >= MIN_POSITIVES) & (negatives >= MIN_POSITIVES)
        for j, code in enumerate(self.code_ids):
            if not self.trained_codes[j]:
                if fallback == "error":
                    raise TooFewExamplesError(code, int(counts[j]), MIN_POSITIVES)
                logger.warning("code %r has %d positive example(s) (< %d): zero-shot for this code",
                               code, int(counts[j]), MIN_POSITIVES)
        self._build_zeroshot()
        self.lexical = LexicalFeatures(self.lexical_settings).fit(texts) if self.lexical_settings else None
        if self.trained_codes.any():
            F = self.head_input(X, self.indicator_features(texts), texts)
            head = LinearHead(C=self.C).fit(F, Y[:, self.trained_codes],
                                            groups=list(groups) if groups is not None else None,
                                            languages=list(languages) if languages is not None else None)
            self.linear = _expand(head, self.trained_codes, F.shape[1])
        self._set_examples(texts, Y, [{"id": (ids[i] if ids else str(i)), "text": t} for i, t in enumerate(texts)],
                           vectors=X)
        return self

    def _set_examples(self, texts: list[str], labels: Any, rows: list[dict[str, Any]],
                      vectors: np.ndarray | None = None) -> None:
        self.example_vectors = vectors if vectors is not None else self.embed(texts)
        self.example_labels = labels_to_matrix(labels, self.code_ids)
        self.example_texts = rows

    # -- inference ----------------------------------------------------------
    def predict_proba_vectors(self, X: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """Probabilities (n, k) for precomputed embeddings ``X`` of ``texts``."""
        if self.zeroshot is None:
            raise RuntimeError("classifier is neither trained nor zero-shot; call fit() or zero_shot()")
        H = self.indicator_features(texts)
        proba = self.zeroshot.predict_proba(X, H)
        if self.linear is not None and self.trained_codes.any():
            linear = self.linear.predict_proba(self.head_input(X, H, list(texts)))
            proba[:, self.trained_codes] = linear[:, self.trained_codes]
        return proba

    def thresholds(self) -> np.ndarray:
        """Per-code decision thresholds on the probabilities."""
        out = np.full(len(self.code_ids), 0.5, np.float32)
        if self.linear is not None and self.linear.threshold is not None:
            out[self.trained_codes] = self.linear.threshold[self.trained_codes]
        return out

    def thresholds_for(self, languages: Sequence[str | None]) -> np.ndarray:
        """Per row and code, the threshold for a passage in that language (the global one where none)."""
        out = np.tile(self.thresholds(), (len(languages), 1))
        if self.linear is not None and self.linear.language_threshold:
            own = self.linear.thresholds_for(list(languages))
            out[:, self.trained_codes] = own[:, self.trained_codes]
        return out

    def decide(self, proba: np.ndarray, languages: Sequence[str | None] | None = None) -> np.ndarray:
        """0/1 decisions from probabilities, with per-language thresholds when ``languages`` are given."""
        if languages is None:
            return (proba >= self.thresholds()).astype(np.int8)
        return (proba >= self.thresholds_for(languages)).astype(np.int8)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities, shape ``(len(texts), n_codes)``, columns in codebook order.

        Raises:
            EmptyPassageError: A text is empty or only whitespace.

        A text longer than :data:`LONG_PASSAGE_CHARS` is coded, with a warning: the embedding reads
        only its first 512 tokens (the TF-IDF block and the indicators read all of it).
        """
        texts = list(texts)
        if not texts:
            return np.zeros((0, len(self.code_ids)), np.float32)
        check_passages(texts)
        return self.predict_proba_vectors(self.embed(texts), texts)

    def predict_matrix(self, texts: Sequence[str], languages: Sequence[str | None] | None = None) -> np.ndarray:
        """0/1 predictions, shape ``(len(texts), n_codes)``; ``languages`` (one per text) selects
        per-language thresholds, as :func:`nlp_iom.classify` does."""
        return self.decide(self.predict_proba(texts), languages)

    def predict(self, texts: Sequence[str], languages: Sequence[str | None] | None = None) -> list[list[str]]:
        """Per passage, the predicted code ids (possibly none)."""
        return [[c for c, on in zip(self.code_ids, row) if on] for row in self.predict_matrix(texts, languages)]

    def explain(self, texts: Sequence[str], vectors: np.ndarray | None = None,
                languages: Sequence[str | None] | None = None) -> list[Prediction]:
        """Predictions with evidence: matched indicator phrases and the closest labelled examples."""
        texts = list(texts)
        check_passages(texts)
        X = vectors if vectors is not None else self.embed(texts)
        proba = self.predict_proba_vectors(X, texts) if len(X) else np.zeros((0, len(self.code_ids)))
        on = self.decide(proba, languages).astype(bool)
        sims = X @ self.example_vectors.T if len(self.example_vectors) else np.zeros((len(X), 0))
        out = []
        for i, text in enumerate(texts):
            codes = [c for c, flag in zip(self.code_ids, on[i]) if flag]
            matches = self.matcher.by_code(text)
            prediction = Prediction(codes=codes, scores={c: round(float(p), 4) for c, p in zip(self.code_ids, proba[i])})
            for code in codes:
                j = self.code_ids.index(code)
                prediction.indicators[code] = sorted({text[m.start:m.end] for m in matches.get(code, [])})
                members = np.flatnonzero(self.example_labels[:, j]) if len(self.example_labels) else []
                ranked = sorted(members, key=lambda r: -sims[i, r])[:EVIDENCE_EXAMPLES]
                prediction.examples[code] = [{**self.example_texts[r], "similarity": round(float(sims[i, r]), 3)}
                                             for r in ranked]
            out.append(prediction)
        return out

    # -- persistence --------------------------------------------------------
    def save_pretrained(self, path: str | Path) -> Path:
        """Write the classifier to a folder (JSON + safetensors only)."""
        if self.zeroshot is None:
            raise RuntimeError("nothing to save: call fit() or zero_shot() first")
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        tensors = {**self.zeroshot.tensors(), "trained_codes": self.trained_codes.astype(np.int8)}
        if self.linear is not None:
            tensors.update(self.linear.tensors())
        if self.lexical is not None:
            tensors.update(self.lexical.tensors())
            (folder / LEXICAL_FILE).write_text(json.dumps(self.lexical.vocabularies(), ensure_ascii=False),
                                               encoding="utf-8")
        save_file({k: np.ascontiguousarray(v) for k, v in tensors.items()}, str(folder / "head.safetensors"))
        save_file({"vectors": np.ascontiguousarray(self.example_vectors.astype(np.float16)),
                   "labels": np.ascontiguousarray(self.example_labels)}, str(folder / "examples.safetensors"))
        with (folder / "examples.jsonl").open("w", encoding="utf-8") as handle:
            for row in self.example_texts:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        config = {"format_version": FORMAT_VERSION, "kind": "nlp_iom.PassageClassifier",
                  "embedder": self._embedder_spec, "C": self.C, "indicator_weight": INDICATOR_WEIGHT,
                  "lexical": self.lexical.settings.to_dict() if self.lexical is not None else None,
                  "codebook": self.codebook.to_dict(),
                  "meta": self.meta}
        (folder / "config.json").write_text(json.dumps(config, ensure_ascii=False, indent=2), encoding="utf-8")
        return folder

    @classmethod
    def from_pretrained(cls, path: str | Path, embedder: Any = None) -> PassageClassifier:
        """Load a folder written by :meth:`save_pretrained`.

        Raises:
            ModelNotFoundError: The folder or one of its files is missing.
        """
        folder = Path(path)
        if not (folder / "config.json").is_file() or not (folder / "head.safetensors").is_file():
            raise ModelNotFoundError(str(folder), "train one with `nlp-iom train classifier --codebook haas`")
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        if config.get("kind") != "nlp_iom.PassageClassifier":
            raise ModelNotFoundError(str(folder), "config.json is not an nlp_iom PassageClassifier")
        codebook = codebook_from_dict(config["codebook"], f"{folder}/config.json")
        lexical = LexicalSettings.from_dict(config["lexical"]) if config.get("lexical") else None
        clf = cls(codebook, embedder if embedder is not None else config["embedder"], C=config.get("C", DEFAULT_C),
                  lexical=lexical)
        tensors = load_file(str(folder / "head.safetensors"))
        if lexical is not None:
            if not (folder / LEXICAL_FILE).is_file():
                raise ModelNotFoundError(str(folder / LEXICAL_FILE), "the classifier folder is incomplete; retrain it")
            vocabularies = json.loads((folder / LEXICAL_FILE).read_text(encoding="utf-8"))
            clf.lexical = LexicalFeatures.restore(lexical, vocabularies, tensors)
        clf.zeroshot = ZeroShotHead.from_tensors(tensors)
        clf.trained_codes = tensors["trained_codes"].astype(bool)
        if "linear.coef" in tensors:
            clf.linear = LinearHead.from_tensors(tensors)
        examples = load_file(str(folder / "examples.safetensors"))
        clf.example_vectors = examples["vectors"].astype(np.float32)
        clf.example_labels = examples["labels"]
        clf.example_texts = [json.loads(line) for line in
                             (folder / "examples.jsonl").read_text(encoding="utf-8").splitlines() if line]
        clf.meta = config.get("meta", {})
        return clf


def check_passages(texts: Sequence[str]) -> None:
    """Refuse empty passages (:class:`EmptyPassageError`); warn once about passages the embedding truncates."""
    long = 0
    for i, text in enumerate(texts):
        if not text or not text.strip():
            raise EmptyPassageError(i)
        long += len(text) > LONG_PASSAGE_CHARS
    if long:
        logger.warning("%d passage(s) over %d characters: the embedding reads only the first 512 tokens "
                       "(about 2,000 characters) of each, the indicators and TF-IDF all of it; split long "
                       "passages for better codes", long, LONG_PASSAGE_CHARS)


def _code_query(code: Any) -> str:
    """The text a zero-shot prototype is built from: label, definitions and indicator phrases."""
    indicators = "; ".join(p for _, p in code.all_indicators())
    return f"{code.description()} {indicators}".strip()


def _expand(head: LinearHead, mask: np.ndarray, dim: int) -> LinearHead:
    """Spread a head fitted on the trained columns to all codebook columns (zeros elsewhere)."""
    k = len(mask)
    full = LinearHead(C=head.C)
    full.coef = np.zeros((k, dim), np.float32)
    full.intercept = np.zeros(k, np.float32)
    full.platt = np.zeros((k, 2), np.float32)
    full.threshold = np.full(k, 0.5, np.float32)
    assert head.coef is not None and head.intercept is not None and head.platt is not None
    assert head.threshold is not None
    full.coef[mask], full.intercept[mask] = head.coef, head.intercept
    full.platt[mask], full.threshold[mask] = head.platt, head.threshold
    for lang, thresholds in head.language_threshold.items():
        full.language_threshold[lang] = np.full(k, np.nan, np.float32)
        full.language_threshold[lang][mask] = thresholds
    return full
