"""``iom_person_evidence``: a statistical PER span must look like a name.

News-trained models tag Title-Case phrases as people: Indonesian headings ("Tindak Pidana",
"Pendahuluan Tulisan"), verbs and common nouns ("Aku Tau"), organisations whose name starts with
a head word ("Yayasan Dian Desa", "University Malaya"), and a name together with a rank or role
("Iptu Adityo Wijanarko"). This component runs after the domain layer and looks at the PER spans the
statistical model made (those without ``iom_rule``; titled names, informants and the document's
authors come from rules and are left alone):

1. a leading or trailing role word ("Presiden", "Kepala", "Iptu", "Minister") is trimmed off;
2. a span that starts with an organisation head word ("Yayasan", "Lembaga", "University") becomes
   ORG (this also holds for the spans of the titled-name and cited-author patterns);
3. a span that opens with a caption word ("Gambar 4.8 Source") or holds code is dropped;
4. what is left must hold a name-like word: capitalised letters (no digits) and not a common word of either language
   (a word whose usual case is lower in the case tables of :mod:`nlp_iom.pipeline.truecase`), or the
   span is dropped.

The word lists and the tables were checked against the PER spans of the tuned gold and the web dev
split (none of them is made of common words only); the web test split was not looked at.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp_iom.pipeline.extensions import ORG, PER, not_a_name, register_extensions, revise_entities
from nlp_iom.pipeline.registrations import config_from
from nlp_iom.pipeline.truecase import LANGUAGES, load_table

COMPONENT = "iom_person_evidence"
#: Ranks, offices and roles written before (or after) a name; trimmed off a PER span.
ROLE_WORDS = frozenset("""
presiden wapres wakil kepala ketua sekretaris menteri gubernur bupati walikota wali camat lurah direktur
dirjen kapolri kapolda kapolres kapolsek kasat kanit kasubdit kabid kasi kadis komandan danrem dandim
jenderal letjen mayjen brigjen kolonel letkol mayor kapten letnan sersan kopral prajurit
irjen kombes akbp kompol akp iptu ipda aiptu aipda bripka brigpol briptu bripda bharada
jaksa penyidik panitera komisioner duta dubes konsul pastor pendeta ustaz ustadz kyai kiai
president vice minister governor mayor regent director secretary chairman chairwoman chairperson chair
head chief commissioner ambassador consul officer inspector sergeant captain colonel general lieutenant
judge prosecutor senator congressman spokesperson spokesman rapporteur
""".split())
#: Head words that open an organisation's name; a PER span starting with one is an ORG.
ORG_HEADS = frozenset("""
yayasan lembaga perkumpulan perhimpunan organisasi koperasi serikat persatuan ikatan forum komunitas
jaringan aliansi asosiasi badan dinas kementerian kementrian komisi direktorat kantor pusat balai
universitas institut sekolah akademi politeknik pt cv perusahaan partai
university institute college school academy foundation association society council committee commission
agency ministry department office organization organisation federation union network alliance coalition
company corporation bank fund
""".split())
#: Rules that find names by pattern ("University Malaya, M.A", "(Society, 2010)"), whose PER spans an
#: organisation head word still turns into ORG.
PATTERN_RULES = ("iom_titled_names", "iom_cited_authors")
#: Words that are never part of a name even where the case tables do not list them.
NOT_NAMES = frozenset("""
januari februari maret april mei juni juli agustus september oktober november desember
january february march june july august october december bab pendahuluan tinjauan skripsi tesis
""".split())


@dataclass(frozen=True)
class PersonEvidenceSettings:
    """Options of ``iom_person_evidence``.

    Attributes:
        trim_roles: Trim leading and trailing role words off statistical PER spans.
        org_heads: Relabel a statistical PER span that starts with an organisation head word as ORG.
        require_name: Drop a statistical PER span without a name-like word.
    """

    trim_roles: bool = True
    org_heads: bool = True
    require_name: bool = True


@lru_cache(maxsize=1)
def case_tables() -> tuple[frozenset[str], frozenset[str]]:
    """Lower-cased words whose usual case is lower, and those usually capitalised, in Indonesian or English
    (the recaser's tables, counted on the NER and UD training text)."""
    tables = [load_table(language) for language in LANGUAGES]
    lower = frozenset(NOT_NAMES).union(*(table.lower for table in tables))
    return lower, frozenset().union(*(table.title for table in tables)) - lower


@lru_cache(maxsize=1)
def _indonesian_roots() -> tuple[frozenset[str], object]:
    """Sastrawi's dictionary of Indonesian root words and its stemmer."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    factory = StemmerFactory()
    return frozenset(factory.get_words()), factory.create_stemmer()


@lru_cache(maxsize=65_536)
def common_word(word: str) -> bool:
    """Whether ``word`` (any case) is an ordinary word, not a name.

    Ordinary: usually lower-case in the case tables; or, unless the tables saw it mostly capitalised
    (as names and places are), an affixed form of an Indonesian root word of Sastrawi's dictionary
    ("penyalur", "tulisan"). A bare root is not enough: many Indonesian given names are words
    ("Putri", "Indah", "Sari", "Citra").
    """
    lowered = word.lower()
    lower, title = case_tables()
    if lowered in lower:
        return True
    if lowered in title or not lowered.isalpha():
        return False
    roots, stemmer = _indonesian_roots()
    stem = stemmer.stem(lowered)  # type: ignore[attr-defined]
    return stem != lowered and len(stem) >= 3 and stem in roots


def name_like(word: str) -> bool:
    """Capitalised letters that are neither a common word of either language nor a role word."""
    letters = word.strip(".'’-")
    return bool(letters) and letters[0].isupper() and letters.replace("-", "").replace("'", "").replace("’", "").isalpha() \
        and letters.lower() not in ROLE_WORDS and not common_word(letters)


class PersonEvidence:
    """Trims, relabels or drops statistical PER spans that do not look like names (see the module)."""

    def __init__(self, settings: PersonEvidenceSettings) -> None:
        self.settings = settings
        register_extensions()

    def _judge(self, ent: Span) -> Span | None:
        doc = ent.doc
        if ent._.iom_rule is not None:  # a name pattern's span: only an organisation head overrules it
            opens_org = self.settings.org_heads and doc[ent.start].lower_ in ORG_HEADS
            return Span(doc, ent.start, ent.end, label=ORG) if opens_org else ent
        start, end = ent.start, ent.end
        if self.settings.trim_roles:
            while start < end and doc[start].lower_.strip(".") in ROLE_WORDS:
                start += 1
            while end > start and doc[end - 1].lower_.strip(".") in ROLE_WORDS:
                end -= 1
        if start == end or (self.settings.require_name and not_a_name(doc[start:end])):
            return None
        if self.settings.org_heads and doc[start].lower_ in ORG_HEADS:
            return Span(doc, start, end, label=ORG)
        if self.settings.require_name and not any(name_like(token.text) for token in doc[start:end]):
            return None
        return ent if (start, end) == (ent.start, ent.end) else Span(doc, start, end, label=PER)

    def __call__(self, doc: Doc) -> Doc:
        return revise_entities(doc, PER, self._judge, PATTERN_RULES)


@Language.factory(COMPONENT, default_config=config_from(PersonEvidenceSettings))
def make_person_evidence(nlp: Language, name: str, trim_roles: bool, org_heads: bool,
                         require_name: bool) -> PersonEvidence:
    """spaCy factory of :class:`PersonEvidence`."""
    return PersonEvidence(PersonEvidenceSettings(trim_roles, org_heads, require_name))
