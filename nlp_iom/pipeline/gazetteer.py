"""Organisations: a gazetteer of real bodies with subtypes, and token patterns for generic names.

The gazetteer (``data/orgs.jsonl``) lists international organisations (IGO), international
NGOs (INGO), Indonesian and Malaysian NGOs (NGO), government bodies in Indonesian and English
(GOV) and universities and research bodies (ACADEMIC). Each line is one JSON object::

    {"name": ..., "aliases": [...], "acronym": ..., "subtype": "IGO", "lang": "id"|"en"|"any"}

Subtype decisions: state commissions and agencies set up by statute or presidential
decree and funded by the state budget (Komnas Perempuan, Komnas HAM, KPAI, LPSK, Ombudsman)
are GOV, as are local service units (P2TP2A, UPTD PPA) and task forces (Gugus Tugas
PP-TPPO, Satgas TPPO); legal-aid and migrant-worker organisations (LBH, YLBHI, SBMI,
Migrant CARE) are NGO; the Red Cross movement is INGO; research agencies under a ministry
(BRIN) are GOV, universities and LIPI are ACADEMIC.

Matching: acronym-like forms (no space, two or more capitals: ``IOM``, ``KemenPPPA``)
are matched case-sensitively; other names and aliases case-insensitively, but never when
every matched token is lower case ("save the children" in running text is no match).
Generic patterns add GOV names ("Kementerian X", "Dinas X", "Badan X", "Kantor Imigrasi
X", "Polres/Polda X", "Pemerintah Kabupaten/Provinsi X", "Ministry of X", "Department of
X") and ACADEMIC names ("Universitas X", "University of X", "X University", "Institut X").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans, registry

from nlp_iom.errors import ConfigError
from nlp_iom.pipeline.extensions import ORG, ORG_SUBTYPES, merge_entities, set_attributes
from nlp_iom.pipeline.registrations import config_from

COMPONENT = "iom_orgs"
DATA_DIR = Path(__file__).resolve().parent / "data"
ORGS_PATH = DATA_DIR / "orgs.jsonl"
LANGS = ("id", "en", "any")
#: Forms with at least this many capitals and no space are matched case-sensitively.
MIN_ACRONYM_CAPITALS = 2
DEFAULT_MAX_PATTERN_TOKENS = 12
GOV = "GOV"
ACADEMIC = "ACADEMIC"

#: A capitalised or all-caps word, or a connector inside a name.
_NAME_WORD = r"[A-Z][\w'’.\-]*"
_CONNECTOR = r"dan|of|and|for|the|&|'s|’s|untuk|on|atas|bagi"
TITLE_TOKEN = {"TEXT": {"REGEX": rf"^{_NAME_WORD}$"}}
NAME_OR_CONNECTOR = {"TEXT": {"REGEX": rf"^(?:{_NAME_WORD}|{_CONNECTOR})$"}, "OP": "*"}
#: Heads that open a generic name; each a list of token texts (an inner list = alternatives).
GOV_HEADS: tuple[tuple[Any, ...], ...] = (
    (["Kementerian", "Kementrian", "Kemenko"],),
    (["Dinas", "Badan", "Direktorat", "Komisi", "Kejaksaan", "Pengadilan", "Kedutaan", "Konsulat"],),
    (["Polres", "Polda", "Polresta", "Polrestabes", "Polsek", "Kapolres", "Kapolda"],),
    ("Kantor", "Imigrasi"),
    ("Pos", "Imigrasi"),
    ("Pemerintah", ["Kabupaten", "Kota", "Provinsi", "Daerah", "Desa", "Kab.", "Prov."]),
    (["Ministry", "Department", "Embassy"], "of"),
    ("Directorate", "General", "of"),
)
ACADEMIC_HEADS: tuple[tuple[Any, ...], ...] = (
    (["Universitas", "Institut", "Politeknik"],),
    ("University", "of"),
    ("Sekolah", "Tinggi"),
)
#: Heads that close a generic name ("Manpower Ministry", "Tanjungpura University").
GOV_TAILS = ("Ministry",)
#: Connectors at which a generic match is cut when a new head follows ("Polres X dan Dinas Y").
SPLIT_CONNECTORS = frozenset({"dan", "and", "&", ",", "serta"})
ACADEMIC_TAILS = ("University",)
#: Heads of university units that the generic GOV patterns also match ("Department of ...").
ACADEMIC_UNIT_HEADS = frozenset({"Department", "Departemen", "Faculty", "Fakultas", "Jurusan", "School"})


@dataclass(frozen=True)
class OrgEntry:
    """One organisation of the gazetteer.

    Attributes:
        name: Canonical name.
        aliases: Other names and spellings, in any language.
        acronym: The usual short form, or None.
        subtype: One of ``IGO``, ``INGO``, ``NGO``, ``GOV``, ``ACADEMIC``.
        lang: ``id``, ``en`` or ``any`` (the language the names are in).
    """

    name: str
    aliases: tuple[str, ...] = ()
    acronym: str | None = None
    subtype: str = GOV
    lang: str = "any"

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ConfigError("name", "an organisation needs a name")
        if self.subtype not in ORG_SUBTYPES:
            raise ConfigError("subtype", f"{self.name!r}: must be one of {ORG_SUBTYPES}, got {self.subtype!r}")
        if self.lang not in LANGS:
            raise ConfigError("lang", f"{self.name!r}: must be one of {LANGS}, got {self.lang!r}")

    @property
    def forms(self) -> tuple[str, ...]:
        """Every written form: name, aliases and acronym."""
        return (self.name, *self.aliases, *((self.acronym,) if self.acronym else ()))


def is_acronym_form(text: str) -> bool:
    """Whether ``text`` is matched case-sensitively (no space, two or more capitals)."""
    return " " not in text and sum(ch.isupper() for ch in text) >= MIN_ACRONYM_CAPITALS


def load_entries(path: str | Path | None = None) -> tuple[OrgEntry, ...]:
    """Read a gazetteer file (JSON lines; see the module docstring).

    Raises:
        ConfigError: The file is missing or a line is not a valid entry.
    """
    file = Path(path) if path else ORGS_PATH
    if not file.is_file():
        raise ConfigError("gazetteer.path", f"no such file: {file}")
    entries = []
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            entries.append(
                OrgEntry(raw["name"], tuple(raw.get("aliases") or ()), raw.get("acronym"), raw["subtype"], raw.get("lang", "any"))
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError("gazetteer.path", f"{file}:{number}: {exc}") from exc
    return tuple(entries)


@lru_cache(maxsize=4)
def default_entries() -> tuple[OrgEntry, ...]:
    """The packaged gazetteer, read once."""
    return load_entries(ORGS_PATH)


@registry.misc("nlp_iom.orgs_gazetteer.v1")
def orgs_gazetteer(path: str | None = None) -> tuple[OrgEntry, ...]:
    """Registered loader of the gazetteer: the packaged one, or ``path``."""
    return load_entries(path) if path else default_entries()


class Gazetteer:
    """Look organisations up by any written form.

    Args:
        entries: The organisations.
    """

    def __init__(self, entries: tuple[OrgEntry, ...]) -> None:
        self.entries = entries
        self.exact: dict[str, OrgEntry] = {}
        self.folded: dict[str, OrgEntry] = {}
        for entry in entries:
            for form in entry.forms:
                if is_acronym_form(form):
                    self.exact.setdefault(form, entry)
                else:
                    self.folded.setdefault(" ".join(form.lower().split()), entry)

    def lookup(self, text: str) -> OrgEntry | None:
        """The organisation written ``text`` (acronyms exact, names case-insensitive), or None."""
        text = " ".join(text.split())
        return self.exact.get(text) or self.folded.get(text.lower())


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """A :class:`Gazetteer` of the packaged entries."""
    return Gazetteer(default_entries())


@dataclass(frozen=True)
class OrgSettings:
    """Settings of ``iom_orgs``.

    Attributes:
        patterns: Add the generic GOV and ACADEMIC token patterns.
        max_pattern_tokens: Longest name a generic pattern may produce.
    """

    patterns: bool = True
    max_pattern_tokens: int = DEFAULT_MAX_PATTERN_TOKENS

    def __post_init__(self) -> None:
        if self.max_pattern_tokens < 2:
            raise ConfigError("max_pattern_tokens", f"must be at least 2, got {self.max_pattern_tokens!r}")


def _head_words() -> frozenset[str]:
    """First words of every generic head ("Dinas", "Ministry", ...)."""
    words: set[str] = set()
    for head in GOV_HEADS + ACADEMIC_HEADS:
        words.update(head[0] if isinstance(head[0], list) else [head[0]])
    return frozenset(words)


HEAD_WORDS = _head_words()
CONNECTOR_WORDS = frozenset(_CONNECTOR.split("|"))


def split_generic(span: Span) -> list[tuple[int, int]]:
    """Cut a generic match before "dan/and + new head or acronym" and drop trailing connectors.

    Returns:
        Token extents ``(start, end)`` of the names in ``span``.
    """
    cuts = [span.start]
    for token in span[1:-1]:
        following = token.nbor(1)
        if token.lower_ in SPLIT_CONNECTORS and (following.text in HEAD_WORDS or (following.is_upper and len(following) > 1)):
            cuts.append(token.i)
    cuts.append(span.end)
    extents = []
    for index, (start, end) in enumerate(zip(cuts, cuts[1:])):
        start += 1 if index else 0  # skip the connector itself
        while end > start and span.doc[end - 1].text in CONNECTOR_WORDS:
            end -= 1
        if end - start >= 2:
            extents.append((start, end))
    return extents


def _head_tokens(head: tuple[Any, ...]) -> list[dict[str, Any]]:
    return [{"TEXT": {"IN": part}} if isinstance(part, list) else {"TEXT": part} for part in head]


def generic_patterns() -> dict[str, list[list[dict[str, Any]]]]:
    """Matcher patterns per subtype (GOV, ACADEMIC) for generic names."""
    out: dict[str, list[list[dict[str, Any]]]] = {GOV: [], ACADEMIC: []}
    for subtype, heads, tails in ((GOV, GOV_HEADS, GOV_TAILS), (ACADEMIC, ACADEMIC_HEADS, ACADEMIC_TAILS)):
        for head in heads:
            tokens = _head_tokens(head)
            out[subtype].append(tokens + [TITLE_TOKEN])
            out[subtype].append(tokens + [TITLE_TOKEN, NAME_OR_CONNECTOR, TITLE_TOKEN])
        for tail in tails:
            out[subtype].append([TITLE_TOKEN, {"TEXT": tail}])
    return out


class OrgRecognizer:
    """Add ORG entities with ``span._.iom_subtype`` from the gazetteer and generic patterns."""

    def __init__(self, nlp: Language, entries: tuple[OrgEntry, ...], settings: OrgSettings) -> None:
        self.settings = settings
        self.entries = entries
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.keys: dict[int, tuple[OrgEntry, bool]] = {}
        for index, entry in enumerate(entries):
            for number, form in enumerate(dict.fromkeys(entry.forms)):
                acronym = is_acronym_form(form)
                key = f"iom_org_{index}_{number}"
                self.keys[nlp.vocab.strings.add(key)] = (entry, acronym or form == entry.acronym)
                (self.exact if acronym else self.folded).add(key, [nlp.make_doc(form)])
        self.matcher = Matcher(nlp.vocab)
        if settings.patterns:
            for subtype, patterns in generic_patterns().items():
                self.matcher.add(f"iom_org_generic_{subtype}", patterns, greedy="LONGEST")

    def _gazetteer_spans(self, doc: Doc) -> list[Span]:
        spans = []
        for matcher in (self.exact, self.folded):
            for match_id, start, end in matcher(doc):
                entry, short = self.keys[match_id]
                if matcher is self.folded and not any(token.text[:1].isupper() for token in doc[start:end]):
                    continue
                span = Span(doc, start, end, label=ORG)
                set_attributes(
                    span,
                    subtype=entry.subtype,
                    canonical=entry.name,
                    long_form=entry.name if short else None,
                    rule=COMPONENT,
                )
                spans.append(span)
        return spans

    def _pattern_spans(self, doc: Doc) -> list[Span]:
        spans = []
        for match_id, match_start, match_end in self.matcher(doc):
            subtype = doc.vocab.strings[match_id].rsplit("_", 1)[1]
            for start, end in split_generic(doc[match_start:match_end]):
                if end - start <= self.settings.max_pattern_tokens:
                    spans.append(set_attributes(Span(doc, start, end, label=ORG), subtype=subtype, rule=COMPONENT))
        return spans

    def __call__(self, doc: Doc) -> Doc:
        # Gazetteer spans come first so that they win ties against generic patterns.
        spans = filter_spans(self._gazetteer_spans(doc) + self._pattern_spans(doc))
        _academic_units(spans)
        return merge_entities(doc, spans)


def _academic_units(spans: list[Span]) -> None:
    """A "Department of X" right before a university ("..., Universitas Tanjungpura") is ACADEMIC, not GOV."""
    ordered = sorted(spans, key=lambda span: span.start)
    for unit, parent in zip(ordered, ordered[1:]):
        between = unit.doc[unit.end : parent.start]
        if (
            unit._.iom_subtype == GOV
            and unit[0].text in ACADEMIC_UNIT_HEADS
            and parent._.iom_subtype == ACADEMIC
            and all(token.text == "," for token in between)
        ):
            unit._.iom_subtype = ACADEMIC


@Language.factory(
    COMPONENT,
    default_config=config_from(OrgSettings, gazetteer={"@misc": "nlp_iom.orgs_gazetteer.v1", "path": None}),
)
def make_org_recognizer(
    nlp: Language, name: str, gazetteer: tuple[OrgEntry, ...], patterns: bool, max_pattern_tokens: int
) -> OrgRecognizer:
    """spaCy factory of :class:`OrgRecognizer` (``nlp.add_pipe("iom_orgs")``)."""
    return OrgRecognizer(nlp, tuple(gazetteer), OrgSettings(patterns, max_pattern_tokens))
