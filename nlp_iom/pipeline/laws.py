"""Legal instruments as LAW entities: Indonesian statutes and regulations, English renderings, treaties.

Numbered instruments: "UU No. 21 Tahun 2007", "Undang-Undang Nomor 21 Tahun 2007 tentang
Pemberantasan Tindak Pidana Perdagangan Orang" (the "tentang ..." title is optional and kept
when it is a Title-Case phrase), "Perda No. 6 Tahun 2025", "Peraturan Daerah ...", "Permen",
"Permenaker No. ...", "Perpres Nomor 69 Tahun 2008", "PP No. ...", "Law No. 21 of 2007",
"Presidential Regulation No. 69/2008", with a bracketed acronym before the number ("Peraturan
Pemerintah (PP) Nomor 33 tahun 2006"), registration numbers ("Surat Keputusan Menteri Kehutanan
Nomor: 805/Kpts-II/1993") and dates ("Decree No. 2000-562 of 10 July 2000"); English numbered
instruments without a year ("Executive Decree No. 16") and UN resolutions ("Human Rights Council
resolution 24/5"). Named instruments: Palermo Protocol / Protokol Palermo, UNTOC, the 1951 Refugee
Convention / Konvensi 1951, TVPA, the Malaysian Anti-TIP Act, ACTIP, CEDAW and others in
:data:`NAMED_INSTRUMENTS`; any other instrument named by Title-Case words and a head word
(:data:`NAMED_HEADS`: "Income Tax Act", "Companies Ordinance", "International Covenant on Civil and
Political Rights", "Law on the Prevention of ...", "... Act of 2015"); Indonesian statutes named by
their subject ("UU Pemilu", "RUU Penghapusan Kekerasan Seksual") and the codes (KUHP, KUHAP).

``span._.iom_law`` = ``{"kind", "number", "year"}`` (plus ``"title"`` or ``"name"`` when
known). ``kind`` is the Indonesian short name of the instrument type (``UU``, ``PP``,
``Perpres``, ``Permen``, ``Perda``, ...; English renderings map onto them), ``Act`` for
foreign statutes, or ``treaty``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans

from nlp_iom.errors import ConfigError
from nlp_iom.extract.dates import MONTHS
from nlp_iom.pipeline.extensions import LAW, make_span, merge_entities
from nlp_iom.pipeline.registrations import config_from

COMPONENT = "iom_laws"
DEFAULT_MAX_TITLE_WORDS = 16
TREATY = "treaty"

#: Written instrument type (regex) -> kind. Longer alternatives first.
KINDS: tuple[tuple[str, str], ...] = (
    (r"Peraturan\s+Pemerintah\s+Pengganti\s+Undang-?\s?Undang|Perppu|Perpu", "Perppu"),
    (r"Undang-?\s?Undang(?:\s+Republik\s+Indonesia)?|UU(?:\s+RI)?", "UU"),
    (r"Peraturan\s+Pemerintah|PP", "PP"),
    (r"Peraturan\s+Presiden|Perpres", "Perpres"),
    (r"Keputusan\s+Presiden|Keppres", "Keppres"),
    (r"Instruksi\s+Presiden|Inpres", "Inpres"),
    (r"Peraturan\s+Menteri(?:\s+(?:[A-Z][\w,]*|dan))*?|Permen[A-Za-z]*", "Permen"),
    (r"Keputusan\s+Menteri(?:\s+(?:[A-Z][\w,]*|dan))*?|Kepmen[A-Za-z]*", "Kepmen"),
    (r"Peraturan\s+Daerah(?:\s+(?:Provinsi|Kabupaten|Kota|Daerah))?(?:\s+[A-Z][\w]*){0,3}|Perda(?:\s+(?:Provinsi|Prov\.|Kabupaten|Kab\.|Kota)(?:\s+[A-Z][\w]*){1,3})?", "Perda"),
    (r"Peraturan\s+Gubernur|Pergub", "Pergub"),
    (r"Peraturan\s+Bupati|Perbup", "Perbup"),
    (r"Peraturan\s+Wali\s?kota|Perwali|Perwal", "Perwali"),
    (r"Surat\s+Keputusan(?:\s+(?:Bersama\s+)?(?:Menteri|Presiden|Gubernur|Bupati|Wali\s?kota|Kepala|Direktur|Dirjen|Rektor)"
     r"(?:\s+[A-Z][\w,]*)*?)?|SK", "SK"),
    (r"Keputusan\s+(?:Gubernur|Bupati|Wali\s?kota|Kepala|Direktur|Dirjen)(?:\s+[A-Z][\w,]*)*?", "Keputusan"),
    (r"Surat\s+Edaran", "SE"),
    (r"Government\s+Regulation(?:\s+in\s+Lieu\s+of\s+Law)?", "PP"),
    (r"Presidential\s+Regulation", "Perpres"),
    (r"Presidential\s+Decree", "Keppres"),
    (r"Presidential\s+Instruction", "Inpres"),
    (r"(?:Ministerial|Minister\s+of\s+[A-Z]\w*(?:\s+[A-Z]\w*)*)\s+Regulation", "Permen"),
    (r"Regional\s+Regulation", "Perda"),
    (r"(?:Executive\s+|Royal\s+|Ministerial\s+|Supreme\s+)?Decree", "Decree"),
    (r"Law", "UU"),
    (r"Act", "Act"),
)  # fmt: skip
_KIND_ALTERNATION = "|".join(f"(?P<k{i}>{pattern})" for i, (pattern, _) in enumerate(KINDS))
_MONTH_NAMES = "(?i:" + "|".join(sorted((m for m in MONTHS if len(m) > 3), key=len, reverse=True)) + ")"
#: Parts after the number in Indonesian registration numbers: "805/Kpts-II/1993", "144/P Tahun 2015".
_NUMBER_PARTS = r"(?:\s?/\s?(?![12]\d{3}\b)[A-Za-z][\w.]*(?:\s?-\s?[A-Za-z0-9]+)*)*"
#: "UU No. 21 Tahun 2007", "Law Number 21 of 2007", "PP 9/2008", "Perpres Nomor 69 Tahun 2008".
NUMBERED_RE = re.compile(
    r"(?<![\w-])(?:" + _KIND_ALTERNATION + r")\s*(?:\([A-Z][A-Za-z]{1,11}\)\s*)?"
    r"(?:(?:No\.?|Nomor|Nomer|Number|Num\.)\s*:?\s*)?(?P<number>\d{1,4}[A-Z]?(?:-\d{1,4})?" + _NUMBER_PARTS + r")\s*"
    r"(?:(?:[Tt]ahun|Th\.?|Thn\.?|of(?:\s+\d{1,2}\s+(?:" + _MONTH_NAMES + r"))?|Year)\s*|/\s*)(?P<year>(?:19|20)\d\d)\b",
)
#: English numbered instruments without a year: "Executive Decree No. 16", "Law No. 147".
NUMBER_ONLY_RE = re.compile(
    r"(?<![\w-])(?:(?:Executive|Royal|Ministerial|Presidential|Supreme|Legislative|Federal|Organic)\s+)?"
    r"(?P<kind>Decree|Law|Act|Ordinance|Order|Regulation|Circular|Proclamation)\s+(?:No\.|Number)\s*(?P<number>\d[\w/.-]*\w)"
)
#: "Human Rights Council resolution 24/5", "General Assembly resolution 53/144".
RESOLUTION_RE = re.compile(
    r"(?<![\w-])(?:(?:[A-Z][\w-]*\s+){1,4})?[Rr]esolution\s+(?P<number>\d{1,4}/\d{1,4}(?:\s?\([IVXLC]+\))?)"
)
#: The constitution: "Undang-Undang Dasar Negara Republik Indonesia Tahun 1945", "UUD 1945".
CONSTITUTION_RE = re.compile(
    r"(?<![\w-])(?:Undang-?\s?Undang\s+Dasar(?:\s+Negara\s+Republik\s+Indonesia)?|UUD(?:\s+NRI)?)\s+(?:Tahun\s+)?1945\b"
)
#: "UU TPPO", "UU PPMI": a statute named by the acronym of its subject.
ACRONYM_LAW_RE = re.compile(r"(?<![\w-])(?:UU|Undang-Undang)\s+(?P<subject>P?TPPO|PPMI|PKDRT|ITE|SPPA|HAM|Keimigrasian|Ketenagakerjaan|Perlindungan\s+Anak)\b")
#: A statute named by its capitalised subject: "UU Pemilu", "Undang-Undang Pemilihan Umum",
#: "RUU Penghapusan Kekerasan Seksual" (not "Undang-Undang Nomor ...", see :data:`NUMBERED_RE`).
TOPIC_LAW_RE = re.compile(
    r"(?<![\w-])(?:Rancangan\s+)?(?:Undang\s?-\s?[Uu]ndang|R?UU)"
    r"(?P<subject>(?:\s+(?!(?:Nomor|Nomer|No|Tahun|Dasar|Republik|RI|NRI)\b)[A-Z][\w-]*)"
    r"(?:\s+(?:dan\s+)?(?!(?:Undang|UU|RUU|Peraturan|Nomor|No|Tahun)\b)[A-Z][\w-]*)*)"
)
#: Indonesian codes: KUHP, KUHAP, KUHPerdata, "KUH Pidana", "Kitab Undang-Undang Hukum Pidana".
CODE_RE = re.compile(
    r"(?<![\w-])(?:KUHAP|KUHPerdata|KUHPer|KUHP|KUHD|KUH\s+(?:Pidana|Perdata|Dagang)|"
    r"Kitab\s+Undang-?\s?Undang\s+Hukum\s+(?:Acara\s+Pidana|Pidana|Perdata|Dagang))(?![\w-])"
)
#: Head words of named English instruments ("Income Tax Act", "International Covenant on Civil
#: and Political Rights"). ``Law`` needs a continuation ("Law on ...", "Law of ..."): "International
#: Law" or "Faculty of Law" name a field, not an instrument.
NAMED_HEADS = ("Act", "Bill", "Ordinance", "Code", "Statute", "Charter", "Covenant", "Convention", "Protocol",
               "Declaration", "Treaty", "Agreement", "Guidelines", "Principles")
#: Heads that make an instrument only with a continuation ("Principles on ...", "Law on ..."):
#: "Humanitarian Principles" or "International Law" are not instruments.
NEEDS_CONTINUATION = ("Principles", "Law")
CONTINUED_HEADS = ("Covenant", "Convention", "Protocol", "Declaration", "Charter", "Statute", "Guidelines",
                   "Principles", "Law", "Code", "Act")
_CAP = r"(?:(?:[A-Z]\.){2,8}|[A-Z][\w'’]*(?:-[\w'’]+)*)"  # bounded initials: linear on "A.A.A...."
_LINK = r"(?:of|and|for|on|the|in|to|against|de|du)"
NAMED_LAW_RE = re.compile(
    r"(?<![\w-])(?:(?P<name>" + _CAP + r"(?:\s+(?:" + _CAP + r"|" + _LINK + r"(?=\s+[A-Z])))*?)\s+)?"
    r"(?P<head>" + "|".join(NAMED_HEADS) + r"|Law)\b"
    r"(?P<tail>(?:\s+of\s+(?:\d{1,2}\s+" + _MONTH_NAMES + r"\s+)?(?:19|20)\d\d\b)?)"
)
CONTINUATION_RE = re.compile(
    r"\s+(?:on|against|of|for|relating\s+to|concerning)\s+(?:the\s+)?" + _CAP + r"(?:\s+(?:" + _CAP + r"|" + _LINK + r"))*"
)
#: A second head word joined by "and": "Recommended Principles and Guidelines on ...".
COORDINATED_HEAD_RE = re.compile(r"\s+and\s+(?P<head>" + "|".join(NAMED_HEADS) + r")\b")
#: "... of 1901", "... of 10 July 2000" after an instrument's name.
YEAR_TAIL_RE = re.compile(r"\s+of\s+(?:\d{1,2}\s+" + _MONTH_NAMES + r"\s+)?(?:19|20)\d\d\b")
#: A named instrument never starts with these capitalised function words (sentence starts).
NAME_STOP = frozenset(
    "The A An This That These Those Such Its It Their His Her Our Your Each Any Every Under In By See Also As "
    "Of For On To And Or But If When While With From At New Draft Proposed Said".split()
)
#: Title after the number: "tentang Pemberantasan ...", "on the Eradication of ...", "concerning ...".
TITLE_RE = re.compile(r"\s*,?\s+(?:tentang|concerning|on|regarding)\s+(?P<title>[^\n.;:()]+)")
TITLE_CONNECTORS = frozenset(
    "dan atas di untuk dalam serta yang bagi terhadap ke dari tentang of the and for in on to against".split()
)
#: Named instruments: canonical name, year, case-sensitive patterns, case-insensitive patterns.
NAMED_INSTRUMENTS: tuple[tuple[str, int | None, tuple[str, ...], tuple[str, ...]], ...] = (
    ("Protocol to Prevent, Suppress and Punish Trafficking in Persons, Especially Women and Children", 2000, (),
     (r"Palermo\s+Protocol", r"Protokol\s+Palermo",
      r"(?:UN\s+|United\s+Nations\s+)?Protocol\s+to\s+Prevent,\s+Suppress\s+and\s+Punish\s+Trafficking\s+in\s+Persons(?:,\s+Especially\s+Women\s+and\s+Children)?",
      r"UN\s+Trafficking\s+Protocol")),
    ("United Nations Convention against Transnational Organized Crime", 2000, (r"UNTOC",),
     (r"(?:United\s+Nations\s+|UN\s+)?Convention\s+against\s+Transnational\s+Organi[sz]ed\s+Crime",
      r"Konvensi\s+PBB\s+(?:Menentang|tentang)\s+Kejahatan\s+Transnasional\s+Terorganisasi")),
    ("Convention Relating to the Status of Refugees", 1951, (),
     (r"(?:the\s+)?1951\s+(?:Refugee|Geneva)\s+Convention", r"Refugee\s+Convention(?:\s+of\s+1951)?",
      r"Konvensi\s+(?:Pengungsi\s+)?1951", r"Konvensi\s+(?:Jenewa\s+)?1951(?:\s+tentang\s+Status\s+Pengungsi)?",
      r"Convention\s+Relating\s+to\s+the\s+Status\s+of\s+Refugees")),
    ("Protocol Relating to the Status of Refugees", 1967, (), (r"1967\s+Protocol", r"Protokol\s+1967")),
    ("Trafficking Victims Protection Act", 2000, (r"TVPA",), (r"Trafficking\s+Victims\s+Protection\s+(?:Reauthorization\s+)?Act(?:\s+of\s+\d{4})?",)),
    ("Anti-Trafficking in Persons Act 2007 (Malaysia)", 2007, (r"ATIPSOM(?:\s+Act)?", r"Anti-TIP\s+Act"),
     (r"Anti-Trafficking\s+in\s+Persons(?:\s+and\s+Anti-Smuggling\s+of\s+Migrants)?\s+Act(?:\s+2007)?",)),
    ("ASEAN Convention against Trafficking in Persons, Especially Women and Children", 2015, (r"ACTIP",),
     (r"ASEAN\s+Convention\s+against\s+Trafficking\s+in\s+Persons(?:,\s+Especially\s+Women\s+and\s+Children)?",)),
    ("Convention on the Elimination of All Forms of Discrimination against Women", 1979, (r"CEDAW",),
     (r"Convention\s+on\s+the\s+Elimination\s+of\s+All\s+Forms\s+of\s+Discrimination\s+against\s+Women",)),
    ("Convention on the Rights of the Child", 1989, (), (r"Convention\s+on\s+the\s+Rights\s+of\s+the\s+Child", r"Konvensi\s+Hak\s+Anak")),
    ("International Convention on the Protection of the Rights of All Migrant Workers and Members of Their Families", 1990, (),
     (r"(?:International\s+)?Convention\s+on\s+the\s+Protection\s+of\s+the\s+Rights\s+of\s+All\s+Migrant\s+Workers(?:\s+and\s+Members\s+of\s+Their\s+Families)?",
      r"Migrant\s+Workers\s+Convention")),
    ("Universal Declaration of Human Rights", 1948, (r"UDHR",), (r"Universal\s+Declaration\s+of\s+Human\s+Rights", r"Deklarasi\s+Universal\s+Hak\s+Asasi\s+Manusia")),
)  # fmt: skip


@dataclass(frozen=True)
class LawSettings:
    """Settings of ``iom_laws``.

    Attributes:
        named_instruments: Recognise the treaties and acts of :data:`NAMED_INSTRUMENTS`.
        named_laws: Recognise other instruments by their form: Title-Case words ending in a head
            word such as "Act", "Convention" or "Guidelines" (:data:`NAMED_HEADS`).
        titles: Record a numbered instrument's "tentang ..." / "on ..." title in ``iom_law``
            (the span itself stops at the year, as the gold guide says).
        max_title_words: Longest title kept.
    """

    named_instruments: bool = True
    named_laws: bool = True
    titles: bool = True
    max_title_words: int = DEFAULT_MAX_TITLE_WORDS

    def __post_init__(self) -> None:
        if self.max_title_words < 1:
            raise ConfigError("max_title_words", f"must be positive, got {self.max_title_words!r}")


def _title(text: str, start: int, max_words: int) -> tuple[str, int] | None:
    """The Title-Case title right after ``start`` and its end offset, or None."""
    m = TITLE_RE.match(text, start)
    if not m:
        return None
    words = list(re.finditer(r"\S+", m.group("title")))[:max_words]
    end_word = None
    for index, word in enumerate(words):
        bare = word.group().strip(",")
        if bare.lower() in MONTHS:
            break
        if bare[:1].isupper():
            end_word = index
            if word.group().endswith(","):
                break
        elif bare.lower() not in TITLE_CONNECTORS:
            break
    if end_word is None:
        return None
    end = m.start("title") + words[end_word].end()
    return text[m.start("title") : end].rstrip(","), end


def parse_law(text: str, max_title_words: int = DEFAULT_MAX_TITLE_WORDS) -> dict[str, Any] | None:
    """The ``iom_law`` value of a law name ("UU No. 21 Tahun 2007", "Palermo Protocol"), or None."""
    for start, end, value in find_laws(text, LawSettings(max_title_words=max_title_words)):
        if start == 0:
            return value
    return None


def find_laws(text: str, settings: LawSettings) -> list[tuple[int, int, dict[str, Any]]]:
    """Character extents and ``iom_law`` values of every legal instrument in ``text``."""
    found: list[tuple[int, int, dict[str, Any]]] = []
    for m in NUMBERED_RE.finditer(text):
        group = next(name for name, value in m.groupdict().items() if name.startswith("k") and value)
        value: dict[str, Any] = {"kind": KINDS[int(group[1:])][1], "number": m.group("number"), "year": int(m.group("year"))}
        title = _title(text, m.end(), settings.max_title_words) if settings.titles else None
        if title:
            value["title"] = title[0]  # recorded, but the span stops at the year (corpora/ner_gold/GUIDE.md)
        found.append((m.start(), m.end(), value))
    for m in CONSTITUTION_RE.finditer(text):
        found.append((m.start(), m.end(), {"kind": "UUD", "number": None, "year": 1945, "name": "UUD 1945"}))
    for m in ACRONYM_LAW_RE.finditer(text):
        found.append((m.start(), m.end(), {"kind": "UU", "number": None, "year": None, "name": m.group(0)}))
    for m in TOPIC_LAW_RE.finditer(text):
        end = _trim_links(text, m.start(), m.end())
        kind = "RUU" if text[m.start():end].startswith(("Rancangan", "RUU")) else "UU"
        found.append((m.start(), end, {"kind": kind, "number": None, "year": None, "name": text[m.start():end]}))
    for m in CODE_RE.finditer(text):
        found.append((m.start(), m.end(), {"kind": "KUH", "number": None, "year": None, "name": m.group(0)}))
    for m in NUMBER_ONLY_RE.finditer(text):
        found.append((m.start(), m.end(), {"kind": m.group("kind"), "number": m.group("number"), "year": None}))
    for m in RESOLUTION_RE.finditer(text):
        start = _skip_stop_words(text, m.start(), m.end(), lower=False)
        found.append((start, m.end(), {"kind": "resolution", "number": m.group("number"), "year": None}))
    if settings.named_laws:
        found.extend(_named_laws(text))
    if settings.named_instruments:
        for name, year, exact, folded in NAMED_INSTRUMENTS:
            kind = "Act" if name.split(" (")[0].endswith("Act") or "Act " in name else TREATY
            for patterns, flags in ((exact, 0), (folded, re.I)):
                for pattern in patterns:
                    for m in re.finditer(r"(?<![\w-])" + pattern + r"(?![\w-])", text, flags):
                        found.append((m.start(), m.end(), {"kind": kind, "number": None, "year": year, "name": name}))
    return found


def _trim_links(text: str, start: int, end: int) -> int:
    """Drop trailing connector words ("... and", "... of the") from a span's end."""
    words = list(re.finditer(r"\S+", text[start:end]))
    while len(words) > 1 and re.fullmatch(_LINK + r"|dan", words[-1].group()):
        words.pop()
    return start + words[-1].end()


def _skip_stop_words(text: str, start: int, end: int, lower: bool = True) -> int:
    """Move ``start`` past leading :data:`NAME_STOP` words and (with ``lower``) lower-case words ("Under the")."""
    for word in re.finditer(r"\S+", text[start:end]):
        if word.group() not in NAME_STOP and not (lower and word.group()[:1].islower()):
            return start + word.start()
    return end


def _named_laws(text: str) -> list[tuple[int, int, dict[str, Any]]]:
    """Instruments named by Title-Case words and a head word, with an "on ..."/"of 2015" continuation."""
    found = []
    for m in NAMED_LAW_RE.finditer(text):
        start = _skip_stop_words(text, m.start("name"), m.start("head")) if m.group("name") else m.start("head")
        head_end = m.end("head")
        if re.match(r"\s+[A-Z]", text[head_end:]):
            continue  # "President Bill Clinton", "the Act Now campaign": a name goes on
        both = COORDINATED_HEAD_RE.match(text, head_end)  # "Principles and Guidelines on ..."
        head_end = both.end() if both else head_end
        head = both.group("head") if both else m.group("head")
        end = max(m.end(), head_end)
        continued = False
        if not m.group("tail") and head in CONTINUED_HEADS:
            more = CONTINUATION_RE.match(text, head_end)
            if more:
                end, continued = _trim_links(text, start, more.end()), True
                year = YEAR_TAIL_RE.match(text, end)
                end = year.end() if year else end
        if head in NEEDS_CONTINUATION and not continued:
            continue
        if start >= m.start("head") and not continued:
            continue  # nothing before the head word but stop words: "The Act", "This Convention"
        found.append((start, end, {"kind": "Act" if head in ("Act", "Bill", "Ordinance", "Code", "Law") else TREATY,
                                   "number": None, "year": None, "name": text[start:end]}))
    return found


class LawRecognizer:
    """Add LAW entities with ``span._.iom_law``."""

    def __init__(self, settings: LawSettings) -> None:
        self.settings = settings

    def __call__(self, doc: Doc) -> Doc:
        spans = [
            make_span(doc, start, end, LAW, COMPONENT, law=value)
            for start, end, value in find_laws(doc.text, self.settings)
        ]
        return merge_entities(doc, filter_spans([s for s in spans if s is not None]))


@Language.factory(
    COMPONENT,
    default_config=config_from(LawSettings),
)
def make_law_recognizer(
    nlp: Language, name: str, named_instruments: bool, titles: bool, max_title_words: int, named_laws: bool
) -> LawRecognizer:
    """spaCy factory of :class:`LawRecognizer` (``nlp.add_pipe("iom_laws")``)."""
    return LawRecognizer(LawSettings(named_instruments=named_instruments, named_laws=named_laws, titles=titles,
                                     max_title_words=max_title_words))
