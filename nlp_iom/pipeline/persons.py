"""People the statistical models miss: titled names (``iom_titled_names``) and the document's own people
(``iom_known_people``).

Theses and reports name supervisors, officials and informants as "Dra. Valentina Lusia Sinta
Herindrasti, M.A", "Dr. Dhaniswara K. Hardjono, S.H., M.H." or "Bapak Umar". The name between
a title and a degree is a person; the titles and degrees are not part of the span
(corpora/ner_gold/GUIDE.md). News-trained models miss most of these.

A document also says who its authors are (its metadata, :class:`nlp_iom.document.Author`), yet on a
title page "Patricia Mahakurnia Putri Radja Soghe" or "Ratu Zahirah Lutfie" can come out of the
statistical model as ORG. ``iom_known_people`` reads ``doc._.iom_people`` (the names the document
declares; :func:`nlp_iom.ner.annotate.annotate` sets it from the metadata) and makes every whole-word
occurrence of them, in any case, one PER span, replacing the statistical entities it overlaps.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from nlp_iom.pipeline.extensions import PER, make_span, merge_entities

COMPONENT = "iom_titled_names"
KNOWN_PEOPLE = "iom_known_people"
#: Shortest declared name that is looked for (shorter strings match too much).
MIN_KNOWN_NAME = 5
NAME_WORD = r"(?:[A-Z][a-z'’]+(?:-[A-Z]?[a-z'’]+)?|[A-Z]\.)"
NAME = rf"{NAME_WORD}(?:\s+{NAME_WORD}){{0,5}}"
#: Honorifics and academic titles written before a name.
TITLE_BEFORE = r"(?:Prof\.|Dr\.|Dra\.|Drs\.|Ir\.|Hj?\.|Bapak|Ibu|Pak|Bu|Saudara|Saudari|Sdr\.|Sdri\.|Mr\.|Mrs\.|Ms\.)"
#: Degrees written after a name ("S.H.", "M.Si.", "S.Sos", "Ph.D", "M.A").
DEGREE = r"(?:[SMD]\.\s?[A-Z][A-Za-z]{0,4}\.?|Ph\.?\s?D\.?|P\.hD|Lc\.?|MBA|M\.B\.A\.?|M\.A\.?|B\.A\.?|S\.E\.?|S\.H\.?)"
TITLED = re.compile(rf"(?<![\w.]){TITLE_BEFORE}\s+(?P<name>{NAME})")
DEGREED = re.compile(rf"(?<![\w.])(?P<name>{NAME})(?=\s*,\s*{DEGREE}(?![a-z]))")
#: Name words that are really the start of a phrase, not a name ("Bapak Kepala ...").
NOT_NAME_START = frozenset({"Kepala", "Ketua", "Menteri", "Presiden", "Gubernur", "Bupati", "Direktur", "Head"})


def find_titled_names(text: str) -> list[tuple[int, int]]:
    """Character extents of names introduced by a title or followed by a degree."""
    found: dict[int, int] = {}
    for pattern in (TITLED, DEGREED):
        for m in pattern.finditer(text):
            name = m.group("name").rstrip(".")
            if name.split()[0] in NOT_NAME_START or len(name) < 3:
                continue
            start = m.start("name")
            found[start] = max(found.get(start, 0), start + len(name))
    return sorted(found.items())


class TitledNames:
    """Adds PER spans for titled and degreed names; merged with ``doc.ents`` like the other rules."""

    def __call__(self, doc: Doc) -> Doc:
        spans = [make_span(doc, start, end, PER, COMPONENT) for start, end in find_titled_names(doc.text)]
        return merge_entities(doc, spans)


@Language.factory(COMPONENT)
def make_titled_names(nlp: Language, name: str) -> TitledNames:
    """spaCy factory of :class:`TitledNames`."""
    return TitledNames()


def find_known_people(text: str, names: list[str] | tuple[str, ...]) -> list[tuple[int, int]]:
    """Character extents of whole-word, case-insensitive occurrences of ``names`` (longest first wins)."""
    found: list[tuple[int, int]] = []
    for name in sorted({" ".join(n.split()) for n in names if n and len(n.strip()) >= MIN_KNOWN_NAME}, key=len, reverse=True):
        pattern = re.compile(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in name.split()) + r"(?!\w)", re.IGNORECASE)
        for m in pattern.finditer(text):
            if not any(a < m.end() and m.start() < b for a, b in found):
                found.append((m.start(), m.end()))
    return sorted(found)


class KnownPeople:
    """PER spans for the people the document declares (``doc._.iom_people``), over the statistical entities."""

    def __call__(self, doc: Doc) -> Doc:
        names = doc._.iom_people or ()
        if not names:
            return doc
        spans = [make_span(doc, start, end, PER, KNOWN_PEOPLE) for start, end in find_known_people(doc.text, names)]
        return merge_entities(doc, spans, override=True)


@Language.factory(KNOWN_PEOPLE)
def make_known_people(nlp: Language, name: str) -> KnownPeople:
    """spaCy factory of :class:`KnownPeople`."""
    return KnownPeople()

