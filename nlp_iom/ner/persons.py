"""People named with Indonesian academic and honorific titles: ``iom_titled_names``.

Theses and reports name supervisors, officials and informants as "Dra. Valentina Lusia Sinta
Herindrasti, M.A", "Dr. Dhaniswara K. Hardjono, S.H., M.H." or "Bapak Umar". The name between
a title and a degree is a person; the titles and degrees are not part of the span
(corpora/ner_gold/GUIDE.md). News-trained models miss most of these.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from nlp_iom.ner.extensions import PER, make_span, merge_entities

COMPONENT = "iom_titled_names"
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
