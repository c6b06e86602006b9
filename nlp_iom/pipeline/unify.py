"""A component that maps statistical NER labels onto nlp_iom's scheme (PER, ORG, LOC, DATE, LAW, ...).

en_core_web_sm uses OntoNotes labels (PERSON, GPE, FAC, ...); the Indonesian pipeline
already uses PER, ORG, LOC. Numeric labels (CARDINAL, PERCENT, ...) are dropped, since
researchers code who does what where, not quantities.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

#: OntoNotes (and dataset) labels -> nlp_iom labels.
LABEL_MAP: dict[str, str] = {
    "PERSON": "PER",
    "PER": "PER",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "DATE": "DATE",
    "TIME": "DATE",
    "LAW": "LAW",
    "NORP": "NORP",
    "EVENT": "EVENT",
}
#: Labels dropped from doc.ents (numbers and titles of works).
DROPPED = frozenset({"CARDINAL", "ORDINAL", "QUANTITY", "PERCENT", "MONEY", "PRODUCT", "WORK_OF_ART", "LANGUAGE"})


#: Name labels that need a capital letter or digit somewhere in the span. The Indonesian model
#: learned lower-case names from NERP's lower-cased news and otherwise tags phrases such as
#: "extraordinary crime" in running text.
NAME_LABELS = ("PER", "ORG", "LOC")
#: Tokens trimmed from the edges of an entity (the gold guide's rule 2: "the IOM" -> IOM,
#: "IOM's role" -> IOM); en_core_web_sm keeps them inside OntoNotes spans.
LEADING_TRIM = frozenset({"the"})
TRAILING_TRIM = frozenset({"'s", "’s", "'", "’"})


#: A LAW entity that is only an article pointer ("Article 3", "section 42", "Pasal 5 ayat (2)"): the gold
#: guide (rule 6) keeps pointers out of LAW spans, and en_core_web_sm tags them LAW on their own.
_POINTER_WORD = r"(?:articles?|arts?\.|sections?|s\.|chapter|paragraphs?|paras?\.|clause|pasal|ayat|bab|huruf|letter)"
ARTICLE_POINTER = re.compile(
    _POINTER_WORD + r"\s*[\dIVXLC]+[a-z]?(?:[\s,;-]*(?:and|dan|to|" + _POINTER_WORD + r"|\(\w{1,4}\)|\d+[a-z]?))*\.?",
    re.IGNORECASE,
)
#: "Article 3, paragraph (a) of the ...": a pointer in front of the instrument, cut off (rule 6).
POINTER_PREFIX = re.compile(ARTICLE_POINTER.pattern + r"\s+of\s+(?:the\s+)?", re.IGNORECASE)


def _without_pointer(ent: Span) -> Span:
    """``ent`` without a leading "Article 3, paragraph (a) of the" (whole tokens only)."""
    prefix = POINTER_PREFIX.match(ent.text)
    if not prefix:
        return ent
    cut = ent.start_char + prefix.end()
    start = next((t.i for t in ent if t.idx >= cut), ent.end)
    return Span(ent.doc, start, ent.end, label=ent.label_) if start < ent.end else ent


def _address(token: Token) -> bool:
    """An e-mail address or a URL."""
    return token.like_email or token.like_url


def trim_span(ent: Span, label: str) -> Span | None:
    """``ent`` without a leading article, a trailing possessive, or e-mail addresses and URLs at its edges
    (guide: they are not entities), relabelled; None when nothing is left."""
    start, end = ent.start, ent.end
    doc = ent.doc
    while start < end and (doc[start].lower_ in LEADING_TRIM or _address(doc[start])):
        start += 1
    while end > start and (doc[end - 1].text in TRAILING_TRIM or _address(doc[end - 1])):
        end -= 1
    if start == end:
        return None
    if (start, end, label) == (ent.start, ent.end, ent.label_):
        return ent
    return Span(doc, start, end, label=label, kb_id=ent.kb_id_)


class UnifyLabels:
    """Relabel ``doc.ents`` with :data:`LABEL_MAP`; drop :data:`DROPPED`, lower-case names and LAW entities that
    are only an :data:`ARTICLE_POINTER`; keep unknown labels; trim articles and possessives at the edges
    (:func:`trim_span`)."""

    def __init__(self, label_map: dict[str, str], dropped: list[str], cased_labels: list[str],
                 trim: bool = True) -> None:
        self.label_map = dict(label_map)
        self.dropped = frozenset(dropped)
        self.cased = frozenset(cased_labels)
        self.trim = trim

    def __call__(self, doc: Doc) -> Doc:
        ents = []
        for ent in doc.ents:
            if ent.label_ in self.dropped:
                continue
            if self.label_map.get(ent.label_, ent.label_) in self.cased and not any(
                c.isupper() or c.isdigit() for c in ent.text
            ):
                continue
            label = self.label_map.get(ent.label_, ent.label_)
            if label == "LAW":
                if ARTICLE_POINTER.fullmatch(ent.text):
                    continue
                ent = _without_pointer(ent)
            if self.trim:
                trimmed = trim_span(ent, label)
                if trimmed is not None:
                    ents.append(trimmed)
            else:
                ents.append(ent if label == ent.label_ else Span(doc, ent.start, ent.end, label=label))
        doc.ents = ents
        return doc


@Language.factory(
    "iom_unify_labels",
    default_config={"label_map": LABEL_MAP, "dropped": sorted(DROPPED), "cased_labels": list(NAME_LABELS),
                    "trim": True},
)
def make_unify_labels(
    nlp: Language, name: str, label_map: dict[str, str], dropped: list[str], cased_labels: list[str], trim: bool
) -> UnifyLabels:
    """spaCy factory of :class:`UnifyLabels` (``trim``: drop leading articles and trailing possessives)."""
    return UnifyLabels(label_map, dropped, cased_labels, trim)
