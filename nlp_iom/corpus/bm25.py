"""BM25 keyword index over corpus passages, with Indonesian and English stemming.

Indonesian passages are stemmed with Sastrawi (through the cached
:func:`nlp_iom.coding.keywords.stem_id`), English ones with the Snowball English
stemmer. Passages of unknown language and every query are stemmed both ways, since a
query's language is not known: "pelaksanaan" and "melaksanakan" both become "laksana",
"socialization" and "socializing" both become "social".

The embedded store persists the index in ``<corpus>/bm25/`` with bm25s's own ``save``
(numpy arrays written and read with ``allow_pickle=False``, and JSON), stamped with the
number of passages it covers and the tokenizer version (``stamp.json``). bm25s has no
append: after an ``add()`` batch the index is stale and is rebuilt once, on the next keyword
search, from the stemmed tokens stored per passage in SQLite (no stemming again). A missing,
stale or unreadable index is rebuilt with a logged warning; it is derived, never the source
of truth.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

#: Words: runs of letters and digits, hyphenated reduplications kept whole.
WORD_RE = re.compile(r"\w+(?:-\w+)*", re.UNICODE)
#: Shorter tokens than this are dropped (single letters, stray digits).
MIN_TOKEN_LEN = 2
#: BM25 parameters (Lucene defaults).
BM25_K1 = 1.5
BM25_B = 0.75
LANG_ID = "id"
LANG_EN = "en"
#: Bumped whenever :func:`tokenize` changes, so saved indexes and stored tokens are redone.
TOKENIZER_VERSION = 1
BM25_DIR = "bm25"
STAMP_NAME = "stamp.json"


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
    from nlp_iom.coding.keywords import stem_id

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


def query_tokens(query: str) -> list[str]:
    """Distinct stems of a query, stemmed both ways (its language is not known)."""
    return list(dict.fromkeys(tokenize(query, None)))


class BM25Index:
    """A ``bm25s`` index over passages given as stemmed token lists (passage-id order).

    Args:
        tokens: Each passage's stems (see :func:`tokenize`).
    """

    def __init__(self, tokens: Sequence[Sequence[str]]) -> None:
        import bm25s

        self.size = len(tokens)
        self._retriever = bm25s.BM25(k1=BM25_K1, b=BM25_B)
        self._empty = not any(tokens)
        if self.size and not self._empty:
            self._retriever.index([list(t) for t in tokens], show_progress=False)

    @classmethod
    def from_texts(cls, texts: Sequence[str], languages: Sequence[str]) -> BM25Index:
        """Build from raw texts, stemming each in its language."""
        return cls([tokenize(t, lang) for t, lang in zip(texts, languages)])

    def scores(self, tokens: list[str], mask: np.ndarray | None = None) -> np.ndarray:
        """BM25 score of every passage for query stems ``tokens``; masked-out passages get 0.

        Args:
            tokens: Query stems (see :func:`query_tokens`).
            mask: Boolean array, one entry per passage; ``False`` entries score 0.

        Returns:
            A float32 array of length :attr:`size`.
        """
        if not self.size or self._empty or not tokens:
            return np.zeros(self.size, dtype=np.float32)
        ids = self._retriever.get_tokens_ids(tokens)
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        result = np.asarray(self._retriever.get_scores_from_ids(ids), dtype=np.float32)
        if mask is not None:
            result = np.where(mask, result, np.float32(0.0))
        return result

    def save(self, folder: Path) -> None:
        """Write the index to ``folder/bm25`` (a fresh folder swapped in; a crash leaves none or the old)."""
        target = folder / BM25_DIR
        fresh = folder / (BM25_DIR + ".new")
        old = folder / (BM25_DIR + ".old")
        shutil.rmtree(fresh, ignore_errors=True)
        fresh.mkdir()
        if self.size and not self._empty:
            self._retriever.save(str(fresh), allow_pickle=False)
        stamp = {"passages": self.size, "tokenizer": TOKENIZER_VERSION, "empty": self._empty}
        (fresh / STAMP_NAME).write_text(json.dumps(stamp), encoding="utf-8")
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            os.replace(target, old)
        os.replace(fresh, target)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path, passages: int) -> BM25Index | None:
        """The index saved in ``folder/bm25`` if it covers exactly ``passages`` passages, else ``None``.

        A missing, stale or unreadable index gives ``None`` (with a warning when it was there
        but unreadable); the caller rebuilds it.
        """
        import bm25s

        target = folder / BM25_DIR
        if not (target / STAMP_NAME).is_file():
            return None
        try:
            stamp = json.loads((target / STAMP_NAME).read_text(encoding="utf-8"))
            if stamp.get("passages") != passages or stamp.get("tokenizer") != TOKENIZER_VERSION:
                return None
            index = cls([])
            index.size = passages
            index._empty = bool(stamp.get("empty"))
            if passages and not index._empty:
                index._retriever = bm25s.BM25.load(str(target), allow_pickle=False)
                if int(index._retriever.scores["num_docs"]) != passages:
                    raise ValueError(f"holds {index._retriever.scores['num_docs']} passages, stamp says {passages}")
            return index
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("corpus %s: %s is unreadable (%s); rebuilding it", folder, BM25_DIR,
                        str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            return None
