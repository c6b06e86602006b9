"""Dates in Indonesian (and English) text: ``iom_dates`` adds DATE entities by rule.

The Indonesian statistical model is trained on PER/ORG/LOC only (the public sets mostly lack
dates), so dates come from patterns: "24 Juni 2024", "Juni 2024", "tahun 2016-2023",
"30 July 2019", "July 30, 2019" and bare years in running text. Years inside author-year
citations ("(Sugiyono, 2015)") and inside law names are not dates (corpora/ner_gold/GUIDE.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from nlp_iom.errors import ConfigError
from nlp_iom.extract.dates import MONTHS
from nlp_iom.pipeline.extensions import make_span, merge_entities
from nlp_iom.pipeline.registrations import config_from

COMPONENT = "iom_dates"
DATE = "DATE"
_MONTH = "|".join(sorted((m for m in MONTHS if len(m) > 3), key=len, reverse=True))
YEAR = r"(?:1[89]\d\d|20\d\d)"
YEAR_RANGE = rf"{YEAR}(?:\s*[-–/]\s*{YEAR})?"
#: Full and partial dates, longest forms first.
DATE_PATTERNS = (
    rf"\b\d{{1,2}}\s+(?:{_MONTH})\s+{YEAR}\b",
    rf"\b(?:{_MONTH})\s+\d{{1,2}},\s+{YEAR}\b",
    rf"\b(?:{_MONTH})\s+{YEAR}\b",
    rf"\b(?:[Tt]ahun|TAHUN|[Yy]ear)\s+{YEAR_RANGE}\b",
)
DATE_RE = re.compile("|".join(f"(?:{p})" for p in DATE_PATTERNS), re.IGNORECASE)
BARE_YEAR_RE = re.compile(rf"(?<![\w/.-]){YEAR_RANGE}(?![\w/.-])")
#: A year right after "Name, " or "Name et al., " inside brackets is a citation year.
CITATION_BEFORE = re.compile(r"(?:\(|;\s*)[^()]{1,80},\s*$")


@dataclass(frozen=True)
class DateSettings:
    """Attributes:
    bare_years: Also tag years standing alone in running text ("pada 2019", "in 2018").
    """

    bare_years: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.bare_years, bool):
            raise ConfigError("bare_years", f"must be true or false, got {self.bare_years!r}")


def find_dates(text: str, settings: DateSettings = DateSettings()) -> list[tuple[int, int]]:
    """Character extents of the dates in ``text``."""
    found = [(m.start(), m.end()) for m in DATE_RE.finditer(text)]
    if settings.bare_years:
        taken = [range(s, e) for s, e in found]
        for m in BARE_YEAR_RE.finditer(text):
            if any(m.start() in r for r in taken) or CITATION_BEFORE.search(text[: m.start()]):
                continue
            found.append((m.start(), m.end()))
    return sorted(found)


class DateRecognizer:
    """Adds DATE entities; statistical or rule entities that already cover a date win (laws keep their year)."""

    def __init__(self, settings: DateSettings) -> None:
        self.settings = settings

    def __call__(self, doc: Doc) -> Doc:
        covered = {i for ent in doc.ents for i in range(ent.start_char, ent.end_char)}
        spans = [
            make_span(doc, start, end, DATE, COMPONENT)
            for start, end in find_dates(doc.text, self.settings)
            if not covered.intersection(range(start, end))
        ]
        return merge_entities(doc, spans)


@Language.factory(COMPONENT, default_config=config_from(DateSettings))
def make_date_recognizer(nlp: Language, name: str, bare_years: bool) -> DateRecognizer:
    """spaCy factory of :class:`DateRecognizer`."""
    return DateRecognizer(DateSettings(bare_years))
