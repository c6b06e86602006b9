"""Acronyms: link every mention of a known short form to its long form and type it like the long form.

Short forms come from three sources, the first winning: "long form (SF)" definitions found
in the doc itself (:func:`nlp_iom.extract.abbreviations.find_definitions`), the document-level
``doc._.iom_abbreviations`` dict (e.g. a thesis's DAFTAR SINGKATAN), and the component's
``abbreviations`` config. Each mention of a short form (case-sensitive, whole word) becomes
an entity with ``span._.iom_long_form``, typed by its long form:

1. an organisation of the gazetteer -> ORG with its subtype;
2. an entity of the doc spanning the long form (e.g. from ``iom_orgs``) -> its label and attributes;
3. a legal instrument (``iom_laws`` rules, or law words such as "Peraturan", "Convention") -> LAW;
4. an Indonesian region ("Timor Tengah Utara") -> LOC with ``iom_region``;
5. an organisation word ("Badan", "Ministry", "Organization", ...) -> ORG, subtype guessed.

Short forms whose long form is none of these ("TPPO", "HAM", "FGD") are left alone. The long
form of an in-text definition is labelled as well when it is not an entity yet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from nlp_iom.errors import ConfigError
from nlp_iom.extract.abbreviations import find_definitions
from nlp_iom.pipeline.extensions import LAW, LOC, ORG, copy_attributes, make_span, merge_entities
from nlp_iom.pipeline.gazetteer import default_gazetteer
from nlp_iom.pipeline.laws import parse_law
from nlp_iom.pipeline.regions import lookup_region
from nlp_iom.pipeline.registrations import config_from

COMPONENT = "iom_acronyms"
MIN_SHORT_CHARS = 2
ORG_WORDS_RE = re.compile(
    r"\b(?:organi[sz]ations?|office|agency|ministry|kementr?ian|badan|dinas|lembaga|komisi|commission|council|"
    r"dewan|fund|programme|bank|association|asosiasi|federation|federasi|union|cent(?:er|re)|pusat|"
    r"institute|institut|universitas|university|task\s+force|gugus\s+tugas|satgas|satuan\s+tugas|yayasan|"
    r"foundation|network|jaringan|kepolisian|police|direktorat|directorate|department|departemen|unit|"
    r"committee?|komite|bureau|biro|balai|kantor|pemerintah|government|secretariat|sekretariat|perusahaan|"
    r"company|corporation|embassy|kedutaan|konsulat)\b",
    re.I,
)
LAW_WORDS_RE = re.compile(
    r"\b(?:undang-?undang|peraturan|keputusan|instruksi|convention|konvensi|protocol|protokol|act|law|"
    r"regulation|treaty|perjanjian|declaration|deklarasi)\b",
    re.I,
)
#: Long forms that name a class of organisations, not one ("International Non-Governmental Organization").
GENERIC_RE = re.compile(
    r"^(?:international\s+)?(?:non-?\s?governmental|governmental|intergovernmental|inter-governmental)\s+"
    r"organi[sz]ations?$|^lembaga\s+swadaya\s+masyarakat$|^organisasi\s+(?:non-?\s?pemerintah|internasional)$",
    re.I,
)
#: Long-form words -> guessed subtype, first match wins.
SUBTYPE_HINTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:universitas|university|institut|politeknik|sekolah\s+tinggi|fakultas)\b", re.I), "ACADEMIC"),
    (re.compile(r"\b(?:united\s+nations|intergovernmental|perserikatan\s+bangsa|international\s+organi[sz]ation)\b", re.I), "IGO"),
    (re.compile(r"\b(?:kementr?ian|ministry|dinas|badan|pemerintah|government|kepolisian|police|direktorat|"
                r"directorate|department|departemen|kantor|balai|komisi\s+nasional|gugus\s+tugas|satgas|task\s+force|"
                r"embassy|kedutaan|konsulat)\b", re.I), "GOV"),
    (re.compile(r"\b(?:lembaga\s+swadaya|yayasan|foundation)\b", re.I), "NGO"),
)  # fmt: skip


@dataclass(frozen=True)
class AcronymSettings:
    """Settings of ``iom_acronyms``.

    Attributes:
        abbreviations: Known ``{short: long}`` pairs for every doc (lowest precedence).
        find_in_text: Look for "long form (SF)" definitions in each doc.
        label_long_forms: Label the long form of an in-text definition too.
    """

    abbreviations: dict[str, str] = field(default_factory=dict)
    find_in_text: bool = True
    label_long_forms: bool = True

    def __post_init__(self) -> None:
        bad = [k for k, v in self.abbreviations.items() if not isinstance(k, str) or not isinstance(v, str) or not v.strip()]
        if bad:
            raise ConfigError("abbreviations", f"short and long forms must be non-empty strings: {bad!r}")


def _mention_re(short: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w\-])" + re.escape(short) + r"(?![\w\-])")


def _entity_over(doc: Doc, start: int, end: int) -> Span | None:
    """The entity of ``doc`` whose characters are exactly ``start:end``."""
    return next((ent for ent in doc.ents if ent.start_char == start and ent.end_char == end), None)


def type_long_form(long_form: str, doc: Doc | None = None) -> tuple[str, dict[str, Any]] | None:
    """Label and ``iom_`` attributes for a mention whose expansion is ``long_form``, or None.

    Args:
        long_form: The expansion ("International Organization for Migration").
        doc: A doc in which an entity spanning ``long_form`` may already give the type.
    """
    if GENERIC_RE.match(long_form.strip()):
        return None
    entry = default_gazetteer().lookup(long_form)
    if entry:
        return ORG, {"subtype": entry.subtype, "canonical": entry.name}
    if doc is not None:
        for m in re.finditer(re.escape(long_form), doc.text):
            ent = _entity_over(doc, m.start(), m.end())
            if ent is not None and ent.label_ in (ORG, LAW, LOC):
                attributes = {name[4:]: getattr(ent._, name) for name in ("iom_subtype", "iom_canonical", "iom_region", "iom_law")}
                return ent.label_, attributes
    law = parse_law(long_form)
    if law:
        return LAW, {"law": law}
    region = lookup_region(long_form)
    if region:
        return LOC, {"region": region.as_dict()}
    if not any(word[:1].isupper() for word in long_form.split()):
        return None
    if ORG_WORDS_RE.search(long_form):
        subtype = next((name for rx, name in SUBTYPE_HINTS if rx.search(long_form)), None)
        return ORG, {"subtype": subtype}
    if LAW_WORDS_RE.search(long_form):
        return LAW, {"law": {"kind": None, "number": None, "year": None, "name": long_form}}
    return None


class AcronymLinker:
    """Link short-form mentions to their long forms and type them."""

    def __init__(self, settings: AcronymSettings) -> None:
        self.settings = settings

    def _known(self, doc: Doc) -> tuple[dict[str, str], list[tuple[str, str]]]:
        known = dict(self.settings.abbreviations)
        known.update({k: v for k, v in (doc._.iom_abbreviations or {}).items() if isinstance(v, str) and v.strip()})
        defined = []
        if self.settings.find_in_text:
            for abbreviation in find_definitions(doc.text):
                known[abbreviation.short] = abbreviation.long
                defined.append((abbreviation.short, abbreviation.long))
        return {k: v for k, v in known.items() if len(k) >= MIN_SHORT_CHARS}, defined

    def _long_form_spans(self, doc: Doc, defined: list[tuple[str, str]], types: dict[str, Any]) -> list[Span]:
        spans = []
        for short, long_form in defined:
            if types.get(short) is None:
                continue
            pattern = re.escape(long_form).replace(r"\ ", r"\s+") + r"\s*\(\s*" + re.escape(short)
            for m in re.finditer(pattern, doc.text):
                end = m.start() + len(m.group(0).split("(")[0].rstrip())
                if _entity_over(doc, m.start(), end) is None:
                    label, attributes = types[short]
                    spans.append(make_span(doc, m.start(), end, label, COMPONENT, **attributes))
        return [span for span in spans if span is not None]

    def __call__(self, doc: Doc) -> Doc:
        known, defined = self._known(doc)
        if not known:
            return doc
        types = {short: type_long_form(long_form, doc) for short, long_form in known.items()}
        spans: list[Span] = []
        for short, long_form in known.items():
            if types[short] is None:
                continue
            label, attributes = types[short]
            for m in _mention_re(short).finditer(doc.text):
                span = make_span(doc, m.start(), m.end(), label, COMPONENT, exact=True, long_form=long_form, **attributes)
                if span is None:
                    continue
                previous = _entity_over(doc, m.start(), m.end())
                if previous is not None and previous.label_ == label:
                    copy_attributes(previous, span)
                spans.append(span)
        if self.settings.label_long_forms:
            spans += self._long_form_spans(doc, defined, types)
        return merge_entities(doc, filter_spans(spans))


@Language.factory(
    COMPONENT,
    default_config=config_from(AcronymSettings),
)
def make_acronym_linker(
    nlp: Language, name: str, abbreviations: dict[str, str], find_in_text: bool, label_long_forms: bool
) -> AcronymLinker:
    """spaCy factory of :class:`AcronymLinker` (``nlp.add_pipe("iom_acronyms")``)."""
    return AcronymLinker(AcronymSettings(dict(abbreviations), find_in_text, label_long_forms))
