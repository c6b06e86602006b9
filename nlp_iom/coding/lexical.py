"""Lexical features for the passage classifier: TF-IDF of word and character n-grams.

The e5 embedding of a passage captures its topic well but blurs the few words that decide a code
("menandatangani", "pengawasan", "hibah", "advocacy"). A sparse TF-IDF block beside the embedding
gives the linear head those words back. On the coding gold's dev split (5 folds grouped by
document), adding word 1–2-grams and character 3–5-grams (``char_wb``) raised the mean average
precision of the out-of-fold scores for both codebooks (``corpora/classify_gold/variants.md``,
from ``nlp-iom evaluate classify-variants``); the model cards give the κ and F1 that follow.

Both vocabularies are learnt from the training passages only. They are saved as plain JSON term
lists and float32 IDF arrays (no pickle), and rebuilt at load time into scikit-learn vectorisers
with the same settings, which give the same matrix.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from nlp_iom.errors import ConfigError

#: Vectoriser names in column order (``concept`` only where :attr:`LexicalSettings.concept_weight` > 0).
PARTS = ("word", "char", "concept")


@dataclass(frozen=True)
class LexicalSettings:
    """How the TF-IDF block is built and weighted.

    Attributes:
        weight: Factor on the (L2-normalised) TF-IDF rows beside the unit-length embedding; 0.5 was
            chosen on the dev folds (0.5 and 0.7 scored alike).
        word_ngrams: Smallest and largest word n-gram.
        char_ngrams: Smallest and largest character n-gram (inside word boundaries).
        word_min_df: A word n-gram must occur in this many training passages.
        char_min_df: A character n-gram must occur in this many training passages.
        word_max_features: Most frequent word n-grams kept.
        char_max_features: Most frequent character n-grams kept. 10k + 15k scored as 50k + 80k on
            dev (mean AP within 0.003) and keep the saved model small.
        concept_weight: Factor on a third TF-IDF block of the bilingual glossary's concepts met in the
            passage (:func:`nlp_iom.corpus.glossary.concept_keys`: "perdagangan orang" and "human
            trafficking" are one feature), which lets what is learnt in one language carry to the
            other; 0 leaves it out (models saved before it have none). 0.3 was chosen on the dev folds.
        concept_min_df: A concept must occur in this many training passages.
    """

    weight: float = 0.5
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (3, 5)
    word_min_df: int = 2
    char_min_df: int = 3
    word_max_features: int = 10_000
    char_max_features: int = 15_000
    concept_weight: float = 0.3
    concept_min_df: int = 2

    def __post_init__(self) -> None:
        if not self.weight > 0:
            raise ConfigError("weight", f"must be > 0, got {self.weight}")
        if not self.concept_weight >= 0:
            raise ConfigError("concept_weight", f"must be >= 0, got {self.concept_weight}")
        for name in ("word_ngrams", "char_ngrams"):
            low, high = getattr(self, name)
            if not 1 <= low <= high:
                raise ConfigError(name, f"must be (low, high) with 1 <= low <= high, got {(low, high)}")
        for name in ("word_min_df", "char_min_df", "word_max_features", "char_max_features", "concept_min_df"):
            if getattr(self, name) < 1:
                raise ConfigError(name, f"must be >= 1, got {getattr(self, name)}")

    def to_dict(self) -> dict[str, Any]:
        """Settings as JSON-ready values."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LexicalSettings:
        """Inverse of :meth:`to_dict`; unknown keys are an error."""
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise ConfigError("lexical", f"unknown settings {sorted(unknown)}")
        data = {"concept_weight": 0.0, **data}  # saved before the concept block: none
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})

    @property
    def parts(self) -> tuple[str, ...]:
        """The vectorisers these settings use, in column order."""
        return PARTS if self.concept_weight > 0 else PARTS[:2]


def _concepts(text: str) -> list[str]:
    from nlp_iom.corpus.glossary import concept_keys

    return concept_keys(text)


class LexicalFeatures:
    """Word and character TF-IDF of passages, fitted on training texts and saved without pickle."""

    def __init__(self, settings: LexicalSettings | None = None) -> None:
        self.settings = settings or LexicalSettings()
        self.vectorizers: dict[str, TfidfVectorizer] = {}

    def _vectorizer(self, part: str, vocabulary: dict[str, int] | None = None) -> TfidfVectorizer:
        s = self.settings
        common: dict[str, Any] = {"sublinear_tf": True, "dtype": np.float32, "vocabulary": vocabulary}
        if part == "word":
            return TfidfVectorizer(ngram_range=s.word_ngrams, min_df=s.word_min_df,
                                   max_features=s.word_max_features, **common)
        if part == "concept":
            return TfidfVectorizer(analyzer=_concepts, min_df=s.concept_min_df, **common)
        return TfidfVectorizer(analyzer="char_wb", ngram_range=s.char_ngrams, min_df=s.char_min_df,
                               max_features=s.char_max_features, **common)

    @property
    def fitted(self) -> bool:
        """Whether both vocabularies are learnt."""
        return set(self.vectorizers) == set(self.settings.parts)

    @property
    def dim(self) -> int:
        """Number of columns :meth:`transform` returns."""
        return sum(len(v.vocabulary_) for v in self.vectorizers.values())

    def fit(self, texts: Sequence[str]) -> LexicalFeatures:
        """Learn both vocabularies and their IDF from ``texts``.

        With very few texts ``min_df`` is lowered to 1, so that a small training set still has a
        vocabulary.
        """
        texts = list(texts)
        self.vectorizers = {}
        for part in self.settings.parts:
            vectorizer = self._vectorizer(part)
            if len(texts) < 20:
                vectorizer.set_params(min_df=1)
            try:
                vectorizer.fit(texts)
            except ValueError:  # no term at all (empty or one-character texts)
                vectorizer = self._vectorizer(part, {"\x00": 0}).fit(texts or [""])
            self.vectorizers[part] = vectorizer
        return self

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Weighted TF-IDF rows, (n, :attr:`dim`), float32 CSR."""
        if not self.fitted:
            raise RuntimeError("LexicalFeatures is not fitted")
        texts = list(texts)
        weights = {"word": self.settings.weight, "char": self.settings.weight, "concept": self.settings.concept_weight}
        blocks = [self.vectorizers[part].transform(texts) * weights[part] for part in self.settings.parts]
        return sparse.hstack(blocks, format="csr").astype(np.float32)

    # -- persistence --------------------------------------------------------
    def vocabularies(self) -> dict[str, list[str]]:
        """Per part, the terms in column order (JSON-ready)."""
        return {part: sorted(v.vocabulary_, key=v.vocabulary_.__getitem__) for part, v in self.vectorizers.items()}

    def tensors(self, prefix: str = "lexical.") -> dict[str, np.ndarray]:
        """IDF arrays as named float32 arrays."""
        return {f"{prefix}{part}_idf": np.asarray(v.idf_, np.float32) for part, v in self.vectorizers.items()}

    @classmethod
    def restore(cls, settings: LexicalSettings, vocabularies: dict[str, list[str]],
                tensors: dict[str, np.ndarray], prefix: str = "lexical.") -> LexicalFeatures:
        """Rebuild fitted features from :meth:`vocabularies` and :meth:`tensors`.

        Raises:
            ConfigError: A part is missing, or its IDF array does not match its vocabulary.
        """
        features = cls(settings)
        for part in settings.parts:
            terms, idf = vocabularies.get(part), tensors.get(f"{prefix}{part}_idf")
            if terms is None or idf is None or len(terms) != len(idf):
                raise ConfigError("lexical", f"the saved {part} vocabulary and its IDF do not match")
            vectorizer = features._vectorizer(part, {term: i for i, term in enumerate(terms)})
            vectorizer.idf_ = idf.astype(np.float64)
            features.vectorizers[part] = vectorizer
        return features
