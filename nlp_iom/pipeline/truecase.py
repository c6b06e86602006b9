"""Restore the case of ALL-CAPS text before statistical NER (title pages, skripsi chapter headings).

Statistical NER models lean on capitalisation: on "PERAN INTERNATIONAL ORGANIZATION FOR MIGRATION
(IOM) DALAM MENGATASI HUMAN TRAFFICKING DI WILAYAH PERBATASAN SAMBAS" every word looks like a name,
and the Indonesian CNN tags "PERAN" and "PERBATASAN" as ORG. The ``iom_caps_recase`` component finds
sentences that are (almost) all capitals, rewrites their words in their usual case — "Peran
International Organization for Migration (IOM) dalam mengatasi human trafficking di wilayah
perbatasan Sambas" — runs the pipeline's statistical components on that copy, and puts the entities
it finds back on the original tokens (the text is never changed).

The usual case of a word comes from a table built from the NER and UD training text of each language
(:func:`nlp_iom.training.case_tables.build_table`, committed as ``nlp_iom/pipeline/data/truecase_<lang>.json``;
rebuild with ``nlp-iom train case-tables``): a word seen mostly in lower case is written in lower case,
mostly in capitals (acronyms) stays in capitals, otherwise it is capitalised. An unseen word of at
most :data:`ACRONYM_MAX` letters is taken for an acronym ("NTT", "TTU"); an unseen longer word is
capitalised. Indonesian text often borrows English terms, so a word missing from one language's
table is looked up in the other's.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from nlp_iom.errors import ConfigError

FACTORY = "iom_caps_recase"
DATA_DIR = Path(__file__).resolve().parent / "data"
TABLE_FILE = "truecase_{language}.json"
LANGUAGES = ("id", "en")
#: A sentence is recased when at least this share of its cased letters are capitals ...
CAPS_SHARE = 0.8
#: ... and it has at least this many capital letters.
MIN_CAPITALS = 5
#: Unseen words of at most this many letters are taken for acronyms and kept in capitals.
ACRONYM_MAX = 4
#: A word enters the table after this many non-initial occurrences in the training text.
MIN_COUNT = 2
LOWER, UPPER, TITLE = "lower", "upper", "title"
#: On a tie, lower case wins, then capitals: the conservative reading of a word.
TIE_ORDER = {LOWER: 2, UPPER: 1, TITLE: 0}


@dataclass(frozen=True)
class CaseTable:
    """The usual case of words of one language (keys in lower case)."""

    lower: frozenset[str]
    upper: frozenset[str]
    title: frozenset[str]

    def usual(self, word: str) -> str | None:
        """``lower``, ``upper``, ``title``, or None for an unseen word."""
        key = word.lower()
        for name in (LOWER, UPPER, TITLE):
            if key in getattr(self, name):
                return name
        return None


def _form(word: str) -> str | None:
    if word.islower():
        return LOWER
    if word.isupper() and sum(c.isalpha() for c in word) > 1:
        return UPPER
    if word[:1].isupper() and word[1:].islower():
        return TITLE
    return None


def count_forms(sentences: list[list[str]]) -> dict[str, Counter[str]]:
    """Count how often each word (lower-cased key) appears in lower, upper and title case.

    The first word of each sentence is skipped (its capital says nothing about the word), and so are
    sentences that are mostly capitals themselves.
    """
    counts: dict[str, Counter[str]] = {}
    for words in sentences:
        if is_shouting(" ".join(words)):
            continue
        for word in words[1:]:
            if not any(c.isalpha() for c in word):
                continue
            form = _form(word)
            if form:
                counts.setdefault(word.lower(), Counter())[form] += 1
    return counts


def table_from_counts(counts: dict[str, Counter[str]], stop_words: frozenset[str] = frozenset()) -> dict[str, list[str]]:
    """The majority case of every word seen :data:`MIN_COUNT` times or more (ties: :data:`TIE_ORDER`);
    stop words are lower case."""
    table: dict[str, set[str]] = {LOWER: set(stop_words), UPPER: set(), TITLE: set()}
    for key, forms in counts.items():
        if key in stop_words or sum(forms.values()) < MIN_COUNT:
            continue
        table[max(forms, key=lambda form: (forms[form], TIE_ORDER[form]))].add(key)
    return {name: sorted(words) for name, words in table.items()}


def is_shouting(text: str) -> bool:
    """True when ``text`` is (almost) all capitals: :data:`CAPS_SHARE` and :data:`MIN_CAPITALS`."""
    upper = sum(c.isupper() for c in text)
    lower = sum(c.islower() for c in text)
    return upper >= MIN_CAPITALS and upper >= CAPS_SHARE * (upper + lower)


def recase_words(words: list[str], tables: tuple[CaseTable, ...]) -> list[str]:
    """Rewrite ALL-CAPS words in their usual case (the first word capitalised); other words are kept."""
    out: list[str] = []
    first = True
    for word in words:
        if not any(c.isalpha() for c in word):
            out.append(word)
            continue
        if word.isupper():
            usual = next((u for u in (t.usual(word) for t in tables) if u), None)
            letters = sum(c.isalpha() for c in word)
            if usual == UPPER or (usual is None and letters <= ACRONYM_MAX):
                new = word
            elif usual == LOWER and not first:
                new = word.lower()
            else:
                new = "-".join(part.capitalize() for part in word.split("-"))
            out.append(new if len(new) == len(word) else word)  # never change the length
        else:
            out.append(word)
        first = False
    return out


@lru_cache(maxsize=4)
def load_table(language: str) -> CaseTable:
    """The committed table of ``language`` (``id`` or ``en``)."""
    path = DATA_DIR / TABLE_FILE.format(language=language)
    if not path.is_file():
        raise ConfigError("language", f"no case table {path} (nlp-iom train case-tables)")
    data = json.loads(path.read_text(encoding="utf-8"))
    return CaseTable(*(frozenset(data[name]) for name in (LOWER, UPPER, TITLE)))


class CapsRecaser:
    """spaCy component: statistical NER on recased copies of ALL-CAPS sentences.

    Placed after the statistical components; it runs every component before it on the recased copy
    and replaces the entities inside that sentence with the copy's. Sentences come from
    ``doc.sents`` when sentence boundaries are set, else the whole doc counts as one.
    """

    def __init__(self, nlp: Language, name: str) -> None:
        self.nlp = nlp
        self.name = name
        own = nlp.lang if nlp.lang in LANGUAGES else "en"
        self.tables = tuple(load_table(lang) for lang in (own, *[x for x in LANGUAGES if x != own]))

    def _earlier(self) -> list[object]:
        names = self.nlp.pipe_names
        stop = names.index(self.name) if self.name in names else len(names)
        return [component for name, component in self.nlp.pipeline[:stop]]

    def __call__(self, doc: Doc) -> Doc:
        units = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
        shouting = [unit for unit in units if is_shouting(unit.text)]
        if not shouting:
            return doc
        earlier = self._earlier()
        entities = [e for e in doc.ents if not any(e.start < u.end and u.start < e.end for u in shouting)]
        for unit in shouting:
            words = [t.text for t in unit]
            copy = Doc(doc.vocab, words=recase_words(words, self.tables), spaces=[bool(t.whitespace_) for t in unit])
            for component in earlier:
                copy = component(copy)  # type: ignore[operator]
            entities += [Span(doc, unit.start + e.start, unit.start + e.end, label=e.label_) for e in copy.ents]
        doc.ents = filter_spans(entities)
        return doc


@Language.factory(FACTORY, assigns=["doc.ents"], requires=["doc.ents"])
def make_caps_recaser(nlp: Language, name: str) -> CapsRecaser:
    """Build the ``iom_caps_recase`` component (see :class:`CapsRecaser`)."""
    return CapsRecaser(nlp, name)


# --------------------------------------------------------------------------- building the tables
