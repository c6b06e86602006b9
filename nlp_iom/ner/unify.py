"""A component that maps statistical NER labels onto nlp_iom's scheme (PER, ORG, LOC, DATE, LAW, ...).

en_core_web_sm uses OntoNotes labels (PERSON, GPE, FAC, ...); the Indonesian pipeline
already uses PER, ORG, LOC. Numeric labels (CARDINAL, PERCENT, ...) are dropped, since
researchers code who does what where, not quantities.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

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


class UnifyLabels:
    """Relabel ``doc.ents`` with :data:`LABEL_MAP`; drop :data:`DROPPED` and lower-case names; keep unknown labels."""

    def __init__(self, label_map: dict[str, str], dropped: list[str], cased_labels: list[str]) -> None:
        self.label_map = dict(label_map)
        self.dropped = frozenset(dropped)
        self.cased = frozenset(cased_labels)

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
            ents.append(ent if label == ent.label_ else Span(doc, ent.start, ent.end, label=label))
        doc.ents = ents
        return doc


@Language.factory(
    "iom_unify_labels",
    default_config={"label_map": LABEL_MAP, "dropped": sorted(DROPPED), "cased_labels": list(NAME_LABELS)},
)
def make_unify_labels(
    nlp: Language, name: str, label_map: dict[str, str], dropped: list[str], cased_labels: list[str]
) -> UnifyLabels:
    """spaCy factory of :class:`UnifyLabels`."""
    return UnifyLabels(label_map, dropped, cased_labels)
