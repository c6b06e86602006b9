"""Heading recognition: which blocks open a section, at what level, in which zone.

Knows the headings of English papers and of Indonesian theses (skripsi): front
matter pages (HALAMAN JUDUL, PERNYATAAN KEASLIAN, LEMBAR PERSETUJUAN, KATA
PENGANTAR, DAFTAR ISI/TABEL/GAMBAR/SINGKATAN), abstracts, chapters
(``BAB I PENDAHULUAN`` ... ``BAB V PENUTUP``), numbered and ALL-CAPS headings,
and reference lists (REFERENCES, DAFTAR PUSTAKA, BIBLIOGRAPHY).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp_iom.document import ZONE_ABSTRACT, ZONE_BACK, ZONE_FRONT, ZONE_REFERENCES
from nlp_iom.extract.blocks import Block

#: Longest text (words / characters) still taken for a heading.
MAX_HEADING_WORDS = 16
MAX_HEADING_CHARS = 160
#: Font size ratio to the body text from which a short line is a heading.
HEADING_SIZE_RATIO = 1.15
#: Share of upper-case letters for an ALL-CAPS heading, and the fewest letters it needs.
CAPS_SHARE = 0.85
MIN_CAPS_LETTERS = 4
#: Highest plain number taken for a section number.
MAX_SECTION_NUMBER = 30
#: Share of one-character tokens above which a line is scattered glyphs, not a heading.
FRAGMENT_SHARE = 0.4

ROMAN = r"(?:X{0,3})(?:IX|IV|V?I{0,3})"
CHAPTER = re.compile(rf"^(?:BAB|CHAPTER|Bab|Chapter)\s+(?=[IVXLC\d])({ROMAN}|\d{{1,2}})\b[.:]?\s*(.*)$")
NUMBERED = re.compile(r"^((?:\d{1,2}|[A-Z])(?:\.\d{1,2}){0,4})\.?\s+(\S.*)$")
ROMAN_NUMBERED = re.compile(rf"^({ROMAN})\.\s+(\S.*)$")
LEADER = re.compile(r"(?:\.\s?){4,}|…{2,}|\s\d{1,3}\s*$|\s[ivxlc]{1,6}\s*$")
CAPTION = re.compile(r"^(?:figure|fig\.|table|tabel|gambar|bagan|grafik|chart|diagram|sumber|source)\s*\d", re.I)
TERMINAL = (".", ",", ";", ":", "?", "!")
MATH = re.compile(r"[+=·×÷∑∏√<>≤≥]")
WORD = re.compile(r"[^\W\d_]{3,}")

#: (pattern, zone, kind) for headings known by name; searched on the whole heading text.
KNOWN_HEADINGS: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(rf"^(?:\d{{1,2}}\.?\s+|{ROMAN}\.\s+)?(?:{pattern})\s*:?$", re.I), zone, kind)
    for pattern, zone, kind in (
        (r"halaman\s+(?:judul|sampul|pengesahan|persetujuan|pernyataan)\b.*", ZONE_FRONT, "title_page"),
        (r"(?:formulir\s+|lembar\s+)?(?:pernyataan|persetujuan|pengesahan)\b.*", ZONE_FRONT, "approval"),
        (r"(?:statement|declaration)\s+of\s+(?:originality|authorship)\b.*|approval\s+page", ZONE_FRONT, "approval"),
        (r"kata\s+pengantar|prakata|preface|foreword|persembahan|dedication", ZONE_FRONT, "preface"),
        (r"ucapan\s+terima\s*kasih|acknowledge?ments?", ZONE_FRONT, "acknowledgements"),
        (r"daftar\s+isi|table\s+of\s+contents|contents", ZONE_FRONT, "toc"),
        (r"daftar\s+(?:tabel|gambar|bagan|grafik|lampiran|lambang|skema|diagram)|list\s+of\s+(?:figures|tables|appendices|pseudocodes?|algorithms|charts)", ZONE_FRONT, "toc"),
        (r"daftar\s+(?:singkatan|istilah|akronim)(?:\s+dan\s+\w+)?|list\s+of\s+(?:abbreviations|acronyms)|abbreviations|glossary", ZONE_FRONT, "abbreviations"),
        (r"abstrak|abstract|intisari|ringkasan|executive\s+summary|ringkasan\s+eksekutif", ZONE_ABSTRACT, "abstract"),
        (r"daftar\s+(?:pustaka|referensi|kepustakaan|rujukan|bacaan)|references?|bibliograph(?:y|ies)|bibliografi|kepustakaan|referensi|works\s+cited|literature\s+cited|sumber\s+rujukan", ZONE_REFERENCES, "references"),
        (r"lampiran(?:[\s-].*)?|appendix(?:\s.*)?|appendices|riwayat\s+hidup|curriculum\s+vitae|biodata\s+penulis", ZONE_BACK, "appendix"),
    )
)
BODY_START = re.compile(
    r"^(?:\d{1,2}\.?\s+|[IVX]{1,4}\.\s+)?(?:introduction|pendahuluan|latar\s+belakang|background)\b", re.I
)


#: The top-level sections of a journal article (IMRaD and kin), in both languages, numbering allowed.
ARTICLE_SECTION = re.compile(
    rf"^(?:\d{{1,2}}\.?\s+|{ROMAN}\.\s+|[A-H]\.\s+)?(?:pendahuluan|introduction|latar\s+belakang|background"
    r"|tinjauan\s+pustaka|kajian\s+(?:pustaka|teori)|landasan\s+teori|kerangka\s+teori|literature\s+review"
    r"|related\s+works?|theoretical\s+framework"
    r"|metode(?:\s+penelitian)?|metodologi(?:\s+penelitian)?|methods?|methodology|materials?\s+and\s+methods?"
    r"|bahan\s+dan\s+metode|research\s+methods?"
    r"|hasil(?:\s+(?:dan\s+pembahasan|penelitian))?|pembahasan|results?(?:\s+and\s+discussions?)?|discussions?"
    r"|kesimpulan(?:\s+dan\s+saran)?|simpulan(?:\s+dan\s+saran)?|penutup|conclusions?(?:\s+and\s+\w+)?)\s*:?$",
    re.I,
)
#: Distinct article-section headings a document needs before it is read as a journal article.
MIN_ARTICLE_SECTIONS = 3


@dataclass(frozen=True)
class ArticleStyle:
    """How a journal article sets its top-level sections (:func:`article_style`).

    Attributes:
        caps: Every article-section heading is in capitals ("HASIL DAN PEMBAHASAN").
        numbered: Some article-section heading carries a number ("2. Metode", "II. METHODS").
    """

    caps: bool
    numbered: bool


def article_style(blocks: list[Block]) -> ArticleStyle | None:
    """How a journal article sets its top-level sections, read from the whole document.

    An article is a document where at least :data:`MIN_ARTICLE_SECTIONS` distinct article-section
    headings (:data:`ARTICLE_SECTION`) stand on their own line; a thesis, a report or a regulation
    usually is not. In an article (:func:`classify_heading`), an unnumbered heading known only by its
    look is a sub-heading unless it shares the capitals of the top-level ones, and where the top-level
    ones are unnumbered, "A. ..." and "1. ..." headings are sub-headings too.
    """
    found: dict[str, tuple[bool, bool]] = {}
    for block in blocks:
        text = " ".join(block.text.split())
        if block.kind == "paragraph" and _short(text) and ARTICLE_SECTION.match(text):
            name = re.sub(r"^(?:\d{1,2}\.?|[IVX]{1,4}\.|[A-H]\.)\s+", "", text)
            found.setdefault(name.lower(), (_is_caps(text), name != text))
    if len(found) < MIN_ARTICLE_SECTIONS:
        return None
    return ArticleStyle(caps=all(c for c, _ in found.values()), numbered=any(n for _, n in found.values()))


@dataclass(frozen=True)
class Heading:
    """What a heading block means for the section tree."""

    title: str
    level: int
    number: str | None
    zone: str | None
    kind: str


def known_heading(text: str) -> tuple[str, str] | None:
    """Return ``(zone, kind)`` for a heading known by name, else None."""
    stripped = text.strip().rstrip(".")
    for pattern, zone, kind in KNOWN_HEADINGS:
        if pattern.match(stripped):
            return zone, kind
    return None


def _fragmented(text: str) -> bool:
    """Text of scattered glyphs (figure labels, formulas): mostly one-character tokens."""
    tokens = text.split()
    return bool(MATH.search(text)) or sum(len(t) == 1 for t in tokens) > FRAGMENT_SHARE * len(tokens)


def _is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= MIN_CAPS_LETTERS and sum(c.isupper() for c in letters) >= CAPS_SHARE * len(letters)


def _short(text: str) -> bool:
    return len(text) <= MAX_HEADING_CHARS and len(text.split()) <= MAX_HEADING_WORDS


def classify_heading(block: Block, *, styled_allowed: bool, in_toc: bool, chaptered: bool,
                     in_list: bool = False, article: ArticleStyle | None = None) -> Heading | None:
    """Decide whether ``block`` is a heading.

    Args:
        block: The candidate.
        styled_allowed: Accept headings known only by their look (bold, larger font, ALL CAPS).
            Off in the title page and front matter, where such lines are names and institutions.
        in_toc: The block sits in a table of contents or list of tables, where entries look like headings.
        chaptered: The document uses ``BAB``/``CHAPTER`` chapters, so ``1.1`` is one level below a chapter,
            and headings known only by their look, or numbered ``1``, sit below the chapter too.
        in_list: The block is one of several chapter lines on one page: a list of chapters
            ("Sistematika Penulisan"), not a chapter heading.
        article: :func:`article_style` of the document: in a journal article, article-section
            headings are top level, other unnumbered styled headings are sub-headings unless they
            share the capitals of the top-level ones, and numbered ones are sub-headings when the
            top-level ones carry no number.

    Returns:
        A :class:`Heading`, or None for running text.
    """
    text = block.text.strip()
    if not text or block.kind in ("table", "rule"):
        return None
    if block.heading_level is not None:
        return _from_markdown(block, text, chaptered)
    if block.kind != "paragraph" or not _short(text) or CAPTION.match(text) or "@" in text:
        return None
    if in_toc and LEADER.search(text):
        return None
    known = known_heading(text)
    if known:
        return Heading(text, 1, None, known[0], known[1])
    chapter = CHAPTER.match(text)
    if chapter and (_is_caps(text) or block.bold or block.size_ratio >= HEADING_SIZE_RATIO or in_toc is False):
        if LEADER.search(text) or (in_toc and text.rstrip()[-1:].isdigit()):
            return None
        if in_list:
            return None
        return Heading(text, 1, chapter.group(1), None, "chapter")
    if text.endswith(TERMINAL) or LEADER.search(text):
        return None
    numbered = NUMBERED.match(text) or ROMAN_NUMBERED.match(text)
    styled = block.bold or block.size_ratio >= HEADING_SIZE_RATIO or _is_caps(text)
    plain_ok = block.page is None or len(text.split()) <= 8
    if numbered and numbered.group(2)[:1].isupper() and (styled or (plain_ok and "," not in numbered.group(2))):
        number = numbered.group(1)
        if number.startswith("0") or (number.isdigit() and int(number) > MAX_SECTION_NUMBER):
            return None  # a figure, a year or a table value, not a section number
        if _fragmented(numbered.group(2)):
            return None
        depth = number.count(".") + 1  # "1" is a chapter or top section, "1.1" one level below
        if chaptered and depth == 1:
            depth = 2  # chapters are "BAB ..." here: "1 Start" is a list item or a figure's label
        if article is not None and not article.numbered and not ARTICLE_SECTION.match(text):
            depth = max(depth, 2)  # "A. Menyusun Hirarki" under an unnumbered "METODE PENELITIAN"
        return Heading(text, depth, number, None, "section")
    if styled and article is not None and not chaptered and not numbered and ARTICLE_SECTION.match(text):
        return Heading(text, 1, None, None, "section")  # even in the abstract's columns: it opens the body
    first_letter = next((c for c in text if c.isalpha()), "")
    if styled and styled_allowed and first_letter.isupper() and WORD.search(text) and not _fragmented(text):
        level = 1 if (block.size_ratio >= HEADING_SIZE_RATIO or _is_caps(text)) else 2
        if article is not None and not chaptered and (not article.caps or not _is_caps(text)):
            level = 2  # "Handling Missing Value" under "Metode Penelitian" (article sections returned above)
        if chaptered:
            level = 2  # in a BAB/CHAPTER document, only chapters and known back matter are top level
        return Heading(text, level, None, None, "section")
    return None


def _from_markdown(block: Block, text: str, chaptered: bool) -> Heading:
    level = max(1, (block.heading_level or 2) - 1)
    known = known_heading(text)
    if known:
        return Heading(text, level, None, known[0], known[1])
    chapter = CHAPTER.match(text)
    if chapter:
        return Heading(text, level, chapter.group(1), None, "chapter")
    numbered = NUMBERED.match(text)
    number = numbered.group(1) if numbered and numbered.group(2)[:1].isupper() else None
    return Heading(text, level, number, None, "section")


def starts_body(heading: Heading) -> bool:
    """True for the heading that opens the main text: a chapter, an introduction, or section 1."""
    if heading.kind == "chapter" or BODY_START.match(heading.title):
        return True
    return heading.number in ("1", "I") and heading.zone is None
