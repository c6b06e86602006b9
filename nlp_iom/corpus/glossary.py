"""Bilingual domain glossary: cross-language expansion of keyword queries, and query concepts.

BM25 matches words, so an Indonesian query ("perdagangan orang") finds nothing in English passages
("human trafficking") except shared names. The glossary (``data/glossary.tsv``, Indonesian and English
sides of each pair, variants separated by ``|``) is matched against the query on stems, and the other
side's stems are added to the keyword query: an Indonesian query then also scores English passages, and
the reverse.

:func:`query_concepts` gives what the fusion needs to know whether BM25 can match at all: one stem set
per content word of the query (stop words dropped), widened with the translations of the glossary
phrase the word belongs to. A passage covers a concept when it holds any of its stems.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlp_iom.corpus.bm25 import LANG_EN, LANG_ID, stem_en, stem_indonesian, tokenize, words
from nlp_iom.errors import ConfigError

GLOSSARY_PATH = Path(__file__).resolve().parent / "data" / "glossary.tsv"
VARIANT_SEPARATOR = "|"
#: Queries whose matches are remembered (one search looks a query up three times).
MATCH_CACHE = 1024


@dataclass(frozen=True)
class Entry:
    """One glossary pair: the variants of each side, as lower-case word tuples."""

    indonesian: tuple[tuple[str, ...], ...]
    english: tuple[tuple[str, ...], ...]
    line: int


def _variants(side: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(words(v)) for v in side.split(VARIANT_SEPARATOR) if words(v))


def parse_glossary(text: str, name: str = "glossary") -> list[Entry]:
    """Parse glossary lines (``indonesian<TAB>english``; ``#`` comments and blank lines skipped).

    Raises:
        ConfigError: A line without exactly one tab, or with a side that has no word, naming the line.
    """
    entries: list[Entry] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 2:
            raise ConfigError(f"{name}:{number}", f"expected 'indonesian<TAB>english', got {raw!r}")
        indonesian, english = _variants(parts[0]), _variants(parts[1])
        if not indonesian or not english:
            raise ConfigError(f"{name}:{number}", f"both sides need at least one word, got {raw!r}")
        entries.append(Entry(indonesian, english, number))
    return entries


class Glossary:
    """A parsed bilingual glossary, indexed for matching queries.

    Args:
        entries: The pairs (see :func:`parse_glossary`).
    """

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        #: (each word's (word and English stem, Sastrawi stem), the other side's stems without stop words,
        #: the other side's first variant), longest variants first
        self._phrases: list[tuple[tuple[tuple[frozenset[str], str], ...], list[str], str]] = []
        stop = _stop_words()
        for entry in entries:
            for own, other, language in ((entry.indonesian, entry.english, LANG_EN),
                                         (entry.english, entry.indonesian, LANG_ID)):
                stems = list(dict.fromkeys(s for variant in other for w in variant if w not in stop
                                           for s in tokenize(w, language)))
                for variant in own:
                    self._phrases.append((tuple((frozenset((w, stem_en(w))), stem_indonesian(w)) for w in variant),
                                          stems, " ".join(other[0])))
        self._phrases.sort(key=lambda item: -len(item[0]))
        self._matched: dict[str, list[tuple[int, int, list[str], str]]] = {}

    @classmethod
    def load(cls, path: str | Path = GLOSSARY_PATH) -> Glossary:
        """Read a glossary file.

        Raises:
            ConfigError: The file cannot be read, or a line is malformed (named in the error).
        """
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(str(path), f"cannot read the glossary: {exc}") from exc
        return cls(parse_glossary(text, path.name))

    def matches(self, query: str) -> list[tuple[int, int, list[str], str]]:
        """Glossary phrases found in ``query``: ``(first word, end word, other side's stems, its first variant)``.

        A query word meets a glossary word when they are the same word or share their English (Snowball)
        stem, or else share their Sastrawi stem; a query word that meets some glossary word the first
        way is not matched the second way ("pembatasan" means restriction, and does not also stand for
        "perbatasan", border, whose Sastrawi stem it shares). Every matched phrase counts, nested ones
        included ("perdagangan orang" inside "korban perdagangan orang").
        """
        if query in self._matched:
            return self._matched[query]
        query_words = words(query)
        close = [frozenset((w, stem_en(w))) for w in query_words]
        loose = [stem_indonesian(w) for w in query_words]
        exact = [any(word_close & close[k] for phrase, _, _ in self._phrases for word_close, _ in phrase)
                 for k in range(len(query_words))]
        found: list[tuple[int, int, list[str], str]] = []
        for phrase, stems, surface in self._phrases:
            n = len(phrase)
            for start in range(len(query_words) - n + 1):
                if all(phrase[j][0] & close[start + j] or (not exact[start + j] and phrase[j][1] == loose[start + j])
                       for j in range(n)):
                    found.append((start, start + n, stems, surface))
        if len(self._matched) >= MATCH_CACHE:
            self._matched.clear()
        self._matched[query] = found
        return found

    def translate(self, query: str) -> str:
        """The query with each glossary phrase replaced by the other side's first variant.

        Longest phrases win; words outside the glossary stay as they are (names, numbers). A rough
        gloss, not a translation: the search embeds it beside the query so that the vector side meets
        passages in the other language on the field's own terms.
        """
        query_words = words(query)
        taken: dict[int, tuple[int, str]] = {}
        used = [False] * len(query_words)
        for start, end, _, surface in sorted(self.matches(query), key=lambda m: (m[0] - m[1], m[0])):
            if not any(used[start:end]):
                taken[start] = (end, surface)
                used[start:end] = [True] * (end - start)
        out: list[str] = []
        k = 0
        while k < len(query_words):
            if k in taken:
                end, surface = taken[k]
                out.append(surface)
                k = end
            else:
                out.append(query_words[k])
                k += 1
        return " ".join(out)

    def expand(self, query: str) -> list[str]:
        """Stems to add to the keyword query: the translations of every glossary phrase in it."""
        return list(dict.fromkeys(s for _, _, stems, _ in self.matches(query) for s in stems))


def concept_key(entry: Entry) -> str:
    """A stable name for a glossary pair: its first Indonesian variant, words joined by ``_``."""
    return "_".join(entry.indonesian[0])


@lru_cache(maxsize=1)
def _concept_index() -> dict[str, list[tuple[str, tuple[frozenset[str], ...]]]]:
    """First-word stem -> (concept key, each word's stems) of every variant of the shipped glossary."""
    index: dict[str, list[tuple[str, tuple[frozenset[str], ...]]]] = {}
    for entry in default_glossary().entries:
        for variant in entry.indonesian + entry.english:
            stems = tuple(frozenset((stem_en(w), stem_indonesian(w))) for w in variant)
            for stem in stems[0]:
                index.setdefault(stem, []).append((concept_key(entry), stems))
    return index


def concept_keys(text: str) -> list[str]:
    """The shipped glossary's pairs met in ``text``, in either language, one key per occurrence.

    The same concept gets the same key in Indonesian and English ("perdagangan orang" and "human
    trafficking" both give ``perdagangan_orang``), so the passage classifier can share what it learns
    across the two languages (:mod:`nlp_iom.coding.lexical`). Words meet on either stem.
    """
    index = _concept_index()
    found: list[str] = []
    text_stems = [frozenset((stem_en(w), stem_indonesian(w))) for w in words(text)]
    for i, stems in enumerate(text_stems):
        seen: set[tuple[str, int]] = set()
        for stem in stems:
            for key, phrase in index.get(stem, ()):
                n = len(phrase)
                if (key, n) not in seen and i + n <= len(text_stems) and all(
                        phrase[j] & text_stems[i + j] for j in range(n)):
                    seen.add((key, n))
                    found.append(key)
    return found


@lru_cache(maxsize=1)
def default_glossary() -> Glossary:
    """The glossary shipped with nlp_iom (loaded once)."""
    return Glossary.load(GLOSSARY_PATH)


def glossary_file(path: str | Path) -> Glossary:
    """A user's glossary file, parsed once per path and modification time.

    Raises:
        ConfigError: The file cannot be read, or a line is malformed (named in the error).
    """
    path = Path(path)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        raise ConfigError(str(path), f"cannot read the glossary: {exc}") from exc
    return _glossary_at(str(path.resolve()), stamp)


@lru_cache(maxsize=8)
def _glossary_at(path: str, stamp: int) -> Glossary:
    return Glossary.load(path)


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS as ENGLISH
    from spacy.lang.id.stop_words import STOP_WORDS as INDONESIAN

    return frozenset(ENGLISH) | frozenset(INDONESIAN)


def query_concepts(query: str, glossary: Glossary | None = None) -> list[frozenset[str]]:
    """One stem set per content word of ``query``: its own stems plus its glossary phrase's translations.

    Stop words of either language are not concepts (a query of stop words only keeps its words).
    """
    glossary = glossary or default_glossary()
    query_words = words(query)
    translations: list[set[str]] = [set() for _ in query_words]
    for start, end, stems, _ in glossary.matches(query):
        for k in range(start, end):
            translations[k].update(stems)
    stop = _stop_words()
    keep = [k for k, w in enumerate(query_words) if w not in stop] or list(range(len(query_words)))
    return [frozenset(set(tokenize(query_words[k], None)) | translations[k]) for k in keep]


def coverage(concepts: list[frozenset[str]], passage_tokens: set[str]) -> float:
    """Share of ``concepts`` that ``passage_tokens`` (a passage's stems) cover; 0 for no concepts."""
    if not concepts:
        return 0.0
    return sum(1 for concept in concepts if concept & passage_tokens) / len(concepts)
