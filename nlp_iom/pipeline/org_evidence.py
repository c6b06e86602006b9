"""``iom_org_evidence``: statistical ORG spans that name no organisation are dropped or trimmed.

The news-trained models take for organisations the acronyms of this field's concepts ("TPPO",
tindak pidana perdagangan orang; "PMI", pekerja migran Indonesia; "KDRT"), generic words ("NGO",
"LSM"), and spans with list bullets, a dangling parenthesis or a table's count attached ("• Women",
"World Health Organization (WHO", "Polda Sumut 12"). This component runs after the domain layer and
changes only ORG spans the statistical model made (without ``iom_rule``):

1. a span whose whole text is a concept acronym or a generic word, that opens with a caption word
   ("Tabel 3", "Figure 2") or that holds code ("fp.readLine") is dropped;
2. leading tokens without a letter or digit (bullets, dashes) and trailing numbers are trimmed;
3. a span with an opening parenthesis that it does not close ends before the parenthesis.

The lists come from the errors on the web gold's dev split; the test split was not looked at.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp_iom.pipeline.extensions import ORG, not_a_name, register_extensions, revise_entities
from nlp_iom.pipeline.registrations import config_from

COMPONENT = "iom_org_evidence"
#: Acronyms of concepts and generic words that the models tag as ORG; matched on the whole span text.
NOT_ORGANISATIONS = frozenset("""
TPPO TPPU KDRT HAM TKI TKW PMI CPMI PRT ABK NGO NGOs INGO INGOs IGO IGOs IO IOs CSO CSOs LSM Ornop ORNOP FX
UU UUD KUHP Perpres Perda Permen
""".split())


@dataclass(frozen=True)
class OrgEvidenceSettings:
    """Options of ``iom_org_evidence``.

    Attributes:
        drop_concepts: Drop statistical ORG spans that are a concept acronym or a generic word.
        trim: Trim bullets, trailing numbers and an unclosed parenthesis off statistical ORG spans.
    """

    drop_concepts: bool = True
    trim: bool = True


class OrgEvidence:
    """Drops or trims statistical ORG spans (see the module docstring)."""

    def __init__(self, settings: OrgEvidenceSettings) -> None:
        self.settings = settings
        register_extensions()

    def _judge(self, ent: Span) -> Span | None:
        doc = ent.doc
        if self.settings.drop_concepts and ent.text.strip() in NOT_ORGANISATIONS:
            return None
        if not self.settings.trim:
            return None if self.settings.drop_concepts and not_a_name(ent) else ent
        start, end = ent.start, ent.end
        while start < end and not any(ch.isalnum() for ch in doc[start].text):
            start += 1
        opened = next((i for i in range(start, end) if doc[i].text == "("), None)
        if opened is not None and not any(doc[i].text == ")" for i in range(opened, end)):
            end = opened
        while end > start and (doc[end - 1].like_num or not any(ch.isalnum() for ch in doc[end - 1].text)):
            end -= 1
        if start == end or (self.settings.drop_concepts and not_a_name(doc[start:end])):
            return None
        return ent if (start, end) == (ent.start, ent.end) else Span(doc, start, end, label=ORG)

    def __call__(self, doc: Doc) -> Doc:
        return revise_entities(doc, ORG, self._judge)


@Language.factory(COMPONENT, default_config=config_from(OrgEvidenceSettings))
def make_org_evidence(nlp: Language, name: str, drop_concepts: bool, trim: bool) -> OrgEvidence:
    """spaCy factory of :class:`OrgEvidence`."""
    return OrgEvidence(OrgEvidenceSettings(drop_concepts, trim))
