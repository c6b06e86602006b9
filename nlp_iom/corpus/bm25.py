"""BM25 keyword index over corpus passages, with Indonesian and English stemming.

Indonesian passages are stemmed with Sastrawi (through the cached
:func:`nlp_iom.classify.keywords.stem_id`), English ones with the Snowball English
stemmer. Passages of unknown language and every query are stemmed both ways, since a
query's language is not known: "pelaksanaan" and "melaksanakan" both become "laksana",
"socialization" and "socializing" both become "social".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

#: Words: runs of letters and digits, hyphenated reduplications kept whole.
WORD_RE = re.compile(r"\w+(?:-\w+)*", re.UNICODE)
#: Shorter tokens than this are dropped (single letters, stray digits).
MIN_TOKEN_LEN = 2
#: BM25 parameters (Lucene defaults).
BM25_K1 = 1.5
BM25_B = 0.75
LANG_ID = "id"
LANG_EN = "en"


@lru_cache(maxsize=1)
def _english_stemmer() -> object:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=200_000)
def stem_en(word: str) -> str:
    """Snowball English stem of one lower-case word."""
    return _english_stemmer().stemWord(word)  # type: ignore[attr-defined]


def stem_indonesian(word: str) -> str:
    """Sastrawi stem of one lower-case Indonesian word."""
    from nlp_iom.classify.keywords import stem_id

    return stem_id(word)


def words(text: str) -> list[str]:
    """Lower-case word tokens of ``text`` (no stemming)."""
    return [w for w in WORD_RE.findall(text.lower()) if len(w) >= MIN_TOKEN_LEN]


def tokenize(text: str, language: str | None = None) -> list[str]:
    """Stemmed tokens of ``text``.

    Args:
        text: The text.
        language: ``"id"`` (Sastrawi), ``"en"`` (Snowball) or anything else / ``None``
            (both stems, each distinct stem of a word once).

    Returns:
        The stems, in text order.
    """
    tokens: list[str] = []
    for word in words(text):
        if language == LANG_ID:
            tokens.append(stem_indonesian(word))
        elif language == LANG_EN:
            tokens.append(stem_en(word))
        else:
            stems = dict.fromkeys((stem_indonesian(word), stem_en(word)))
            tokens.extend(stems)
    return tokens


class BM25Index:
    """An in-memory ``bm25s`` index over passages, rebuilt from the store when it changes.

    Args:
        texts: Passage texts, in passage-id order.
        languages: The language of each passage (``"id"``, ``"en"`` or other).
    """

    def __init__(self, texts: Sequence[str], languages: Sequence[str]) -> None:
        import bm25s

        self.size = len(texts)
        self._retriever = bm25s.BM25(k1=BM25_K1, b=BM25_B)
        if self.size:
            corpus = [tokenize(t, lang) for t, lang in zip(texts, languages)]
            self._retriever.index(corpus, show_progress=False)

    def scores(self, query: str, mask: np.ndarray | None = None) -> np.ndarray:
        """BM25 score of every passage for ``query`` (both stemmings); masked-out passages get 0.

        Args:
            query: The query text.
            mask: Boolean array, one entry per passage; ``False`` entries score 0.

        Returns:
            A float32 array of length :attr:`size`.
        """
        if not self.size:
            return np.zeros(0, dtype=np.float32)
        tokens = list(dict.fromkeys(tokenize(query, None)))
        if not tokens:
            return np.zeros(self.size, dtype=np.float32)
        result = np.asarray(self._retriever.get_scores(tokens), dtype=np.float32)
        if mask is not None:
            result = np.where(mask, result, np.float32(0.0))
        return result
