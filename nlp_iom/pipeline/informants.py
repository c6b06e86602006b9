"""Informants: people cited as personal communications or interviews, as PER entities.

In "(Umar, Personal Communication, July 30, 2019)" the name "Umar" becomes PER with
``span._.iom_informant = {"role": ..., "date": "2019-07-30", "kind": "personal_communication"}``;
"(Wawancara dengan Bapak Umar, Kepala Pos Imigrasi Aruk, 12 Maret 2023)" gives kind
``interview`` and the role written inside the parentheses. Citations are found with
:func:`nlp_iom.extract.citations.find_citations`.

The role, when not inside the parentheses, is taken from the text before the citation (back
to the previous personal citation, at most ``window`` characters): the last phrase such as
"The Head of the Immigration Post of Aruk said", "Hendy as the Head of the Office ...",
"representatives of IOM in Sambas Regency stating", "According to one of the IOM
representatives in Sambas Regency," or "Kepala Dinas Sosial mengatakan". A person cited
again without a new role keeps the role found for them earlier in the doc.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from nlp_iom.errors import ConfigError
from nlp_iom.extract.citations import HONORIFIC_RE, PERSONAL_KINDS, find_citations
from nlp_iom.extract.dates import parse_date_year
from nlp_iom.pipeline.extensions import PER, make_span, merge_entities
from nlp_iom.pipeline.registrations import config_from

COMPONENT = "iom_informants"
DEFAULT_WINDOW = 1500
MAX_ROLE_CHARS = 120
_TITLES = (
    r"Head|Chief|Director|Deputy|Secretary|Chair(?:man|person|woman)?|Coordinator|Commander|Officer|Staff|"
    r"Representatives?|Member|Manager|Lecturer|Official|Advisor|Adviser|Counsellor|Consul|Ambassador|Attach[eé]|"
    r"Kepala|Ketua|Kasi|Kasubsi|Kabid|Kasubdit|Direktur|Koordinator|Staf|Perwakilan|Anggota|Sekretaris|Kapolres|"
    r"Kapolda|Camat|Bupati|Wakil|Pegawai|Petugas|Pendamping|Penyidik|Dosen"
)
_ROLE = (
    r"(?P<role>(?:(?:the|one\s+of\s+the|salah\s+satu)\s+)?(?-i:[A-Z][A-Z\d-]{1,20}\s+){0,2}(?:" + _TITLES
    + r")\b(?:[^.,;:!?\"“”()]|\([A-Z\d-]{2,12}\)){0," + str(MAX_ROLE_CHARS) + r"}?)"
)
_SPEECH = (
    r"said|says|stated|states|stating|explained|mentioned|added|revealed|argued|emphasi[sz]ed|noted|told|confirmed|"
    r"conveyed|expressed|claimed|mengatakan|menyatakan|menjelaskan|menyampaikan|mengungkapkan|menuturkan|menegaskan|"
    r"menambahkan|berkata|memaparkan"
)
#: "The Head of the Immigration Post of Aruk said", "Kepala Dinas Sosial mengatakan".
ROLE_SPEAKS_RE = re.compile(_ROLE + r",?\s+(?:also\s+|juga\s+)?(?:" + _SPEECH + r")\b", re.I)
#: "Hendy as the Head of the Office ... :", "Bapak Umar selaku Kepala ...".
ROLE_AS_RE = re.compile(r"\b(?:as|selaku|sebagai)\s+" + _ROLE + r"(?=\s*[:,.;\"“]|\s+(?:" + _SPEECH + r")\b)", re.I)
#: "According to one of the IOM representatives in Sambas Regency,", "Menurut Kepala ...,".
ACCORDING_RE = re.compile(
    r"\b(?:according\s+to|menurut)\s+(?P<role>(?:(?:one\s+of\s+)?the\s+|salah\s+satu\s+)?[^,.;:\"“”()]{3,"
    + str(MAX_ROLE_CHARS) + r"}?(?:" + _TITLES + r")\b[^,.;:\"“”()]{0,60}?),",
    re.I,
)
LEADING_ARTICLE_RE = re.compile(r"^(?:the|one\s+of\s+the|salah\s+satu)\s+", re.I)
#: Parenthesis parts that are not a role.
NOT_ROLE_RE = re.compile(r"personal\s+communication|pers\.\s*comm|komunikasi\s+pribadi|interview|wawancara", re.I)


@dataclass(frozen=True)
class InformantSettings:
    """Settings of ``iom_informants``.

    Attributes:
        window: How many characters before a citation are searched for the role.
        keep_roles: Reuse a person's role found earlier in the doc.
        override_statistical: Drop statistical entities that overlap an informant
            (en_core_web_sm reads "Umar, Personal Communication" as one ORG).
    """

    window: int = DEFAULT_WINDOW
    keep_roles: bool = True
    override_statistical: bool = True

    def __post_init__(self) -> None:
        if self.window < 0:
            raise ConfigError("window", f"must be zero or positive, got {self.window!r}")


def _clean_role(role: str) -> str:
    return LEADING_ARTICLE_RE.sub("", " ".join(role.split())).strip(" ,")


def role_before(text: str, name: str | None = None) -> str | None:
    """The last role phrase in ``text`` (see the module docstring), or None."""
    best: tuple[int, str] | None = None
    for rx in (ROLE_SPEAKS_RE, ROLE_AS_RE, ACCORDING_RE):
        for m in rx.finditer(text):
            if best is None or m.start("role") > best[0]:
                best = (m.start("role"), m.group("role"))
    return _clean_role(best[1]) if best else None


def role_inside(inner: str, who: str) -> str | None:
    """A role written inside the citation parentheses ("Umar, Kepala Pos Imigrasi Aruk, 12 Maret 2023")."""
    for part in (p.strip() for p in inner.split(",")):
        if not part or who in part or NOT_ROLE_RE.search(part) or parse_date_year(part)[1] or part[:1].islower():
            continue
        if re.match(r"(?:" + _TITLES + r")\b", part, re.I):
            return _clean_role(part)
    return None


class InformantRecognizer:
    """Add PER entities with ``span._.iom_informant`` for personal communications and interviews."""

    def __init__(self, settings: InformantSettings) -> None:
        self.settings = settings

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        roles: dict[str, str] = {}
        spans: list[Span | None] = []
        previous_end = 0
        for citation in find_citations(text):
            if citation.kind not in PERSONAL_KINDS or not citation.authors or not citation.authors[0]:
                continue
            who = HONORIFIC_RE.sub("", citation.authors[0]).strip()
            at = text.find(who, citation.start, citation.end)
            if not who or at < 0:
                continue
            inner = text[citation.start : citation.end].strip("()")
            before = text[max(previous_end, citation.start - self.settings.window) : citation.start]
            role = role_inside(inner, who) or role_before(before, who)
            if role is None and self.settings.keep_roles:
                role = roles.get(who)
            if role:
                roles[who] = role
            value: dict[str, Any] = {"role": role, "date": citation.date, "kind": citation.kind}
            spans.append(make_span(doc, at, at + len(who), PER, COMPONENT, informant=value))
            previous_end = citation.end
        spans = filter_spans([s for s in spans if s is not None])
        return merge_entities(doc, spans, override=self.settings.override_statistical)


@Language.factory(
    COMPONENT, default_config=config_from(InformantSettings)
)
def make_informant_recognizer(
    nlp: Language, name: str, window: int, keep_roles: bool, override_statistical: bool
) -> InformantRecognizer:
    """spaCy factory of :class:`InformantRecognizer` (``nlp.add_pipe("iom_informants")``)."""
    return InformantRecognizer(InformantSettings(window, keep_roles, override_statistical))


CITED_COMPONENT = "iom_cited_authors"
DATE = "DATE"
#: A cited author that is a person: one to three capitalised words, not an acronym ("IOM", "UNODC").
PERSON_AUTHOR_RE = re.compile(r"^(?:(?:van|von|de|der|den|di|da|al|bin)\s+)?[A-Z][a-z'’\-]+(?:\s+[A-Z][a-z'’\-]+){0,2}$")


class CitedAuthors:
    """PER entities for authors cited as "(Haas, 1965)" or "(Archer & Smith, 2001)" (gold guide: cited authors
    are PER); the citation's year loses any DATE label.

    Only person-like author names are taken (not acronyms or multi-word organisations), and an
    author that a rule component (the organisation gazetteer, e.g. "Bappenas") already labelled
    is left alone; statistical entities on the name are replaced.
    """

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        ruled = [(ent.start_char, ent.end_char) for ent in doc.ents if ent._.iom_rule is not None]
        spans: list[Span | None] = []
        for citation in find_citations(text):
            if citation.kind in PERSONAL_KINDS:
                continue
            at = citation.start
            for author in citation.authors:
                start = text.find(author, at, citation.end)
                if start < 0:
                    continue
                at = end = start + len(author)
                if not PERSON_AUTHOR_RE.match(author) or any(s < end and start < e for s, e in ruled):
                    continue
                spans.append(make_span(doc, start, end, PER, CITED_COMPONENT))
        doc = merge_entities(doc, filter_spans([s for s in spans if s is not None]), override=True)
        # The year of an author-year citation is a bibliographic key, not a time expression (guide rule).
        keys = [(c.start, c.end) for c in find_citations(text) if c.kind not in PERSONAL_KINDS and c.authors]
        doc.ents = [ent for ent in doc.ents
                    if ent.label_ != DATE or not any(s <= ent.start_char and ent.end_char <= e for s, e in keys)]
        return doc


@Language.factory(CITED_COMPONENT)
def make_cited_authors(nlp: Language, name: str) -> CitedAuthors:
    """spaCy factory of :class:`CitedAuthors` (``nlp.add_pipe("iom_cited_authors")``)."""
    return CitedAuthors()
