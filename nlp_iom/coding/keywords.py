"""Indicator phrases: find a codebook's phrases in a passage, in English and Indonesian.

Matching is on word sequences, lower-cased. Indonesian phrases and text are compared as Sastrawi
stems, so "melaksanakan", "pelaksanaan" and "dilaksanakan" all meet the indicator "melaksanakan";
English words match an indicator word that is their prefix up to a final "e" ("coordinate" meets
"coordinated", "coordination"; "train" meets "training"), and short words match exactly or with a
plural "s". The same matcher gives the evidence phrases of every prediction and the keyword-rule
baseline (:class:`KeywordClassifier`: a code is predicted when at least ``min_hits`` of its
indicators occur).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from nlp_iom.coding.codebook import Codebook, load_codebook

#: Words of an indicator shorter than this are matched exactly (plus a plural "s"), not as prefixes.
MIN_PREFIX_LEN = 4
_WORD = re.compile(r"\w+(?:-\w+)*", re.UNICODE)


@dataclass(frozen=True)
class Match:
    """One indicator phrase found in a text."""

    code: str
    phrase: str
    language: str
    start: int
    end: int


@lru_cache(maxsize=1)
def _stemmer() -> object:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=200_000)
def stem_id(word: str) -> str:
    """Sastrawi stem of one lower-case Indonesian word (hyphenated reduplications kept whole)."""
    if "-" in word or not word.isalpha():
        return word
    return _stemmer().stem(word) or word  # type: ignore[attr-defined]


def _en_matches(indicator_word: str, word: str) -> bool:
    if word == indicator_word or word in (indicator_word + "s", indicator_word + "es"):
        return True
    if len(indicator_word) < MIN_PREFIX_LEN:
        return False
    root = indicator_word[:-1] if indicator_word.endswith("e") else indicator_word
    return word.startswith(root)


class IndicatorMatcher:
    """Finds the indicator phrases of one codebook in texts."""

    def __init__(self, codebook: Codebook | str) -> None:
        self.codebook = load_codebook(codebook)
        self._patterns: list[tuple[str, str, str, tuple[str, ...]]] = []
        for code in self.codebook.codes:
            for lang, phrase in code.all_indicators():
                words = tuple(w.lower() for w in _WORD.findall(phrase))
                if not words:
                    continue
                if lang == "id":
                    words = tuple(stem_id(w) for w in words)
                self._patterns.append((code.id, phrase, lang, words))
        # Index of the patterns by what their first word can meet, so that a text is scanned once
        # instead of once per pattern: Indonesian by stem; English by the word itself, its plurals,
        # and (for words of MIN_PREFIX_LEN letters or more) the prefix a longer word starts with.
        self._by_stem: dict[str, list[int]] = {}
        self._by_word: dict[str, list[int]] = {}
        self._by_prefix: dict[str, list[int]] = {}
        for index, (_, _, lang, words) in enumerate(self._patterns):
            first = words[0]
            if lang == "id":
                self._by_stem.setdefault(first, []).append(index)
                continue
            for key in (first, first + "s", first + "es"):
                self._by_word.setdefault(key, []).append(index)
            if len(first) >= MIN_PREFIX_LEN:
                self._by_prefix.setdefault(first[:-1] if first.endswith("e") else first, []).append(index)

    def _candidates(self, word: str, stem: str) -> list[int]:
        """Indexes of the patterns whose first word may meet this token (a superset; checked after)."""
        found = set(self._by_stem.get(stem, ())) | set(self._by_word.get(word, ()))
        for end in range(MIN_PREFIX_LEN - 1, len(word) + 1):
            found.update(self._by_prefix.get(word[:end], ()))
        return sorted(found)

    def find(self, text: str) -> list[Match]:
        """Every indicator occurrence in ``text``, in text order (overlaps between codes kept)."""
        tokens = [(m.group(0).lower(), m.start(), m.end()) for m in _WORD.finditer(text)]
        if not tokens:
            return []
        words = [t[0] for t in tokens]
        stems = [stem_id(w) for w in words]
        hits: list[tuple[int, int, Match]] = []
        for i, (word, stem) in enumerate(zip(words, stems)):
            for index in self._candidates(word, stem):
                code_id, phrase, lang, pattern = self._patterns[index]
                n = len(pattern)
                if i + n > len(tokens):
                    continue
                if lang == "id":
                    ok = all(stems[i + k] == pattern[k] for k in range(n))
                else:
                    ok = all(_en_matches(pattern[k], words[i + k]) for k in range(n))
                if ok:
                    hits.append((index, i, Match(code_id, phrase, lang, tokens[i][1], tokens[i + n - 1][2])))
        hits.sort(key=lambda h: (h[0], h[1]))  # pattern order, then text order, as one pass per pattern gives
        found = [match for _, _, match in hits]
        found.sort(key=lambda m: (m.start, m.code))
        return found

    def by_code(self, text: str) -> dict[str, list[Match]]:
        """Matches grouped by code id (codes without a match are absent)."""
        grouped: dict[str, list[Match]] = {}
        for match in self.find(text):
            grouped.setdefault(match.code, []).append(match)
        return grouped

    def phrase_counts(self, texts: list[str]) -> np.ndarray:
        """Distinct indicator phrases found per text and code, shape ``(len(texts), n_codes)``."""
        out = np.zeros((len(texts), len(self.codebook.codes)), dtype=np.int32)
        for row, text in enumerate(texts):
            hits = self.by_code(text)
            for col, code_id in enumerate(self.codebook.code_ids):
                out[row, col] = len({m.phrase for m in hits.get(code_id, [])})
        return out


class KeywordClassifier:
    """The keyword-rule baseline: a code is on when ``min_hits`` of its indicators occur.

    Args:
        codebook: Codebook name, path or object.
        min_hits: Distinct indicator phrases needed to predict a code.
    """

    def __init__(self, codebook: Codebook | str, min_hits: int = 1) -> None:
        self.matcher = IndicatorMatcher(codebook)
        self.codebook = self.matcher.codebook
        self.min_hits = min_hits

    def predict(self, texts: list[str]) -> np.ndarray:
        """0/1 matrix of shape ``(len(texts), n_codes)``."""
        return (self.matcher.phrase_counts(list(texts)) >= self.min_hits).astype(np.int8)
