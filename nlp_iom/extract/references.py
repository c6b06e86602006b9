"""Reference lists: split the blocks of a REFERENCES / DAFTAR PUSTAKA zone into
entries and parse each entry into a :class:`~nlp_iom.document.Reference`.

Handled styles: APA ("Haas, M. (1965, August). Title. *Journal*, 27(3)."),
Harvard as used in Indonesian papers ("Bafdal, N., Amaru, K., 2011. Title."),
ACL ("Waleed Ammar and Russell Power. 2017. Title. In Proceedings ..."),
JSS ("Bates DM, DebRoy S (2003). “Title.” Journal."), numbered lists
("[12] ...", "12. ...") and markdown bullets as produced by PDF converters.
Only the standard library is used.
"""

from __future__ import annotations

import re

from nlp_iom.document import Reference
from nlp_iom.extract.normalize import dehyphenate_join
from nlp_iom.extract.text import ESCAPE, HTML_TAG

# -- character classes ------------------------------------------------------
#: Upper-case letters, ASCII and Latin-1/Extended-A (``re`` has no ``\p{Lu}``).
UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĲĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ"
#: Any letter.
LETTER = r"[^\W\d_]"

# -- markdown / PDF clean-up -----------------------------------------------
BULLET_RE = re.compile(r"^\s*(?:[-*•▪◦–]\s+)+")
NUMBER_MARK_RE = re.compile(r"^\s*\d{1,4}\.(?=\s+[" + UPPER + r"a-z])\s*")
BRACKET_MARK_RE = re.compile(r"^\s*(?:\[\d{1,4}\]|\(\d{1,3}\))\s*")
PAGE_NUMBER_RE = re.compile(r"^\s*\d{1,4}\s*$")
#: A numbered-list marker standing alone: "[2]", "2." or "(2)".
BARE_MARK_RE = re.compile(r"\s*(?:\[\d{1,3}\]|\(\d{1,3}\)|\d{1,3}\.)\s*")
LINK_RE = re.compile(r"\[([^\]]*)\]\(((?:https?://|www\.)[^)\s]+)\)")
ANGLE_URL_RE = re.compile(r"<((?:https?://|www\.|doi:)[^<>\s]*)>")
EMPHASIS_RE = re.compile(r"(?<!\\)\*+")
UNDERSCORE_EMPH_RE = re.compile(r"(?<![\\\w])_{1,2}(?=\w)|(?<=\w)(?<!\\)_{1,2}(?!\w)")
SOFT_HYPHEN_RE = re.compile("[\ufffe\u00ad]\\s*")
HYPHEN_BREAK_RE = re.compile(r"(?<=" + LETTER + r")-\s*\n\s*(?=[a-z])")
SPACES_RE = re.compile(r"\s+")

# -- entry starts -------------------------------------------------------------
_NAME = r"(?:[" + UPPER + r"][\w'’\-]*|(?:van|von|der|den|de|del|della|di|da|du|la|le|dos|bin|binti|al)(?=\s)|[a-z]{2,5}(?=\s[" + UPPER + r"]))"
_INITIAL = r"(?:[" + UPPER + r"a-z]\.(?:\s?-?[" + UPPER + r"a-z]\.)*)"
_CONNECT = r"(?:and|dan|&|et\s?\.?\s?al\.?|dkk\.?|with|of|for|the|on|untuk|dari)"
_TOKEN = r"(?:" + _INITIAL + r"|" + _NAME + r"|" + _CONNECT + r")"
#: An author list: name words, initials, connectors; full words never take a
#: period except at the very end (so "In NAACL. Chandra ..." is rejected).
AUTHORS_PART = r"(?:" + _TOKEN + r")(?:[\s,]+" + _TOKEN + r"){0,40}"
YEAR = r"(?:1[6-9]\d\d|20\d\d)"
NO_YEAR = r"(?:n\.\s?d\.|t\.\s?t\.|tanpa\s+tahun|s\.\s?a\.|in\s+press|forthcoming)"
#: APA / JSS: authors then "(2016" or "(n.d.)".
APA_START_RE = re.compile(AUTHORS_PART + r"\.?\s*\(\s*(?:" + YEAR + r"|" + NO_YEAR + r")", re.I)
#: Harvard: "Surname, X., 2011." / "Turban, 2005." / "Afiahayati, 2008, Title" (year then a comma)
HARVARD_START_RE = re.compile(AUTHORS_PART + r",\s*" + YEAR + r"[a-z]?[.,]")
#: ACL / "Surname, X. 2006.": authors ending with a period, then ". 2017."
DOT_YEAR_START_RE = re.compile(AUTHORS_PART + r"\.\s+" + YEAR + r"[a-z]?\.")
START_RES = (APA_START_RE, HARVARD_START_RE, DOT_YEAR_START_RE)
#: Window of text (characters) inspected when testing for an entry start.
START_WINDOW = 400
#: A line that ends a reference entry (a following line may start a new one).
ENTRY_END_RE = re.compile(r"(?:[.)\]>\d”\"]|(?:https?://|www\.)\S+)\s*$")
#: ... but a line ending in an initial ("Matthew E.") is mid-author-list.
ENDS_WITH_INITIAL_RE = re.compile(r"(?:^|[\s,(])[" + UPPER + r"]\.\s*$")
#: The previous text ends mid-entry (open author list or hyphenation).
OPEN_END_RE = re.compile(r"(?:[,&;:\-–—]|\band|\bdan)\s*$")
#: Candidate positions for an entry starting inside a line.
INLINE_BOUNDARY_RE = re.compile(r"(?<=[.)>\]])\s+(?=[" + UPPER + r"]|(?:van|von|de|der)\s)")
WORD_BEFORE_RE = re.compile(r"(\S+)$")

# -- parsing ------------------------------------------------------------------
DOI_RE = re.compile(r"(?:doi:\s*)?(?:https?://(?:dx\.)?doi\.org/)?\b(10\.\d{4,9}/[^\s<>\"”]+)", re.I)
URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"”]+", re.I)
DOI_URL_RE = re.compile(r"(?:doi:\s*)?https?://(?:dx\.)?doi\.org/\S+|\bdoi:\s*10\.\S+|\b10\.\d{4,9}/\S+", re.I)
TRAILING_PUNCT = ".,;:)]>"
PAREN_YEAR_RE = re.compile(
    r"\(\s*(?:(?P<year>" + YEAR + r")(?P<suffix>[a-z])?(?:\s*,[^)]*)?|(?P<noyear>" + NO_YEAR + r"))\s*\)\.?", re.I
)
DOT_YEAR_RE = re.compile(r"(?<=[.,])\s+(?P<year>" + YEAR + r")(?P<suffix>[a-z])?\.(?=\s|$)")
BARE_NO_YEAR_RE = re.compile(r"(?<=[.,])\s+(?P<noyear>" + NO_YEAR + r")(?=\s|$)", re.I)
ANY_YEAR_RE = re.compile(r"\b(?P<year>" + YEAR + r")(?P<suffix>[a-z])?\b")
ITALIC_RE = re.compile(r"(?<![\\*])\*{1,2}([^*]+?)\*{1,2}(?!\*)")
QUOTED_TITLE_RE = re.compile(r"^[“\"]([^”\"]+)[”\"]")
#: Candidate sentence ends; the token before must not be an initial or abbreviation.
SENTENCE_END_RE = re.compile(r"[.?!](?=\s|$)")
INITIAL_TOKEN_RE = re.compile(r"^(?:[" + UPPER + r"a-z]\.)+$|^[" + UPPER + r"a-z]$")
ABBREVIATIONS = frozenset("vol no ed eds cv pt hlm hal pp p dkk al etc jr sr st dr prof inc ltd co ed vs".split())
RETRIEVED_RE = re.compile(
    r"(?:Retrieved|Accessed|Available|Diakses|Tersedia|Diunduh)\b[^:<]*?\b(?:from|at|dari|di|pada)\s+"
    r"(?P<src>[^:<]+?)\s*(?::|$)",
    re.I,
)
RETRIEVED_CUT_RE = re.compile(r"\b(?:Retrieved|Accessed|Available|Diakses|Tersedia|Diunduh|URL)\b.*$", re.I | re.S)
PUBLISHER_RE = re.compile(
    r"(?:^|[.,]\s+)(?P<place>[" + UPPER + r"][\w'\-]*(?:[ ,]+[" + UPPER + r"][\w'\-]*){0,3})\s*:\s*(?P<pub>[^:]+?)\.?\s*$"
)
NOT_PLACE_RE = re.compile(r"^(?:ISSN|ISBN|Katalog|Vol|No|URL|DOI|Retrieved|In)\b", re.I)
IN_VENUE_RE = re.compile(r"^(?:In|Dalam)\s*:?\s+(?P<venue>.+)$", re.S)
VENUE_KEYWORD_RE = re.compile(r"\.\s+(?=(?:Prosiding|Proceedings|Jurnal|Journal|In\s|Dalam\s))")
VOLUME_TAIL_RE = re.compile(
    r"(?:[\s,]+(?:vol\.?|volume)?\s*\d+\s*(?:\(\s*[\w\-]+\s*\))?(?:\s*[:,]\s*(?:pp?\.\s*)?[\w]+(?:\s*[-–]\s*\d+)?)*\.?)+$", re.I
)
PAGES_TAIL_RE = re.compile(r",?\s*(?:pages?|pp?\.|hlm\.)\s*\d.*$", re.I)
ET_AL_RE = re.compile(r"(?:,?\s*&?\s*)\b(?:et\s?\.?\s?al\.?|dkk\.?|et\.al\.?)", re.I)
AUTHOR_SPLIT_RE = re.compile(r"\s*;\s*|\s*,?\s*(?:&|\band\b|\bdan\b)\s*")
INITIALS_ONLY_RE = re.compile(
    r"^(?:[" + UPPER + r"a-z]\.(?:\s*-?\s*[" + UPPER + r"a-z]\.)*|[" + UPPER + r"]{1,4}|[" + UPPER + r"]\.?(?:\s?[" + UPPER + r"]\.?)*)$"
)
ORG_WORD_RE = re.compile(
    r"\b(?:Badan|Kementerian|Kemenlu|Sekretariat|Secretariat|Organi[sz]ation|Ministry|Department|Office|Bank|"
    r"Agency|Council|Commission|Committee|Team|Institute|University|Universitas|Pusat|Dinas|Pemerintah|"
    r"Government|Association|Asosiasi|Nations|Programme|Program|Force|Gugus|Komisi|Lembaga|Fund|Foundation|"
    r"Yayasan|Kantor|Direktorat|Directorate|Bureau|Biro|Center|Centre|Forum|Network|Union|Group|Statistik)\b"
)
PERSON_INITIAL_RE = re.compile(r",\s*[" + UPPER + r"]\.")
NUMBER_PREFIX = re.compile(r"^\s*(?:\[\d{1,4}\]|\(\d{1,4}\)|\d{1,4}\.)\s+")
#: Where the volume/issue/pages part of a venue begins.
VOLUME_CUT_RE = re.compile(
    r",?\s+\(?(?:vol\.?|volume)\s+[\dIVXLC]|,?\s+(?:\d+|[IVXLC]+)\s*\([\w\-]+\)|,\s*\d+\s*[:,]\s*\d|,\s*\d+\s*$",
    re.I,
)


def clean_markup(text: str, keep_emphasis: bool = False) -> str:
    """Remove markdown/HTML markup and PDF hyphenation from ``text``.

    Args:
        text: Raw text, possibly several lines.
        keep_emphasis: Keep ``*`` emphasis markers (used by the parser to find
            italic titles and journal names).

    Returns:
        The cleaned text; line breaks are preserved.
    """
    text = SOFT_HYPHEN_RE.sub("-\n", text) if "\ufffe" in text or "\u00ad" in text else text
    text = HYPHEN_BREAK_RE.sub("", text)
    text = text.replace("-\n", "-")
    text = LINK_RE.sub(lambda m: m.group(2) if m.group(1).strip() in ("", m.group(2)) else f"{m.group(1)} {m.group(2)}", text)
    text = ANGLE_URL_RE.sub(r"\1", text)
    text = HTML_TAG.sub("", text)
    if not keep_emphasis:
        text = EMPHASIS_RE.sub("", text)
        text = UNDERSCORE_EMPH_RE.sub("", text)
    return ESCAPE.sub(r"\1", text)


def _starts_entry(text: str) -> bool:
    """Whether ``text`` begins like a reference entry (marker or author + year)."""
    if BRACKET_MARK_RE.match(text):
        return True
    text = NUMBER_MARK_RE.sub("", text, count=1)
    window = text[:START_WINDOW]
    return any(rx.match(window) for rx in START_RES)


def _join(left: str, right: str) -> str:
    """Join two pieces of one entry, undoing line-end hyphenation and URL breaks."""
    left, right = left.rstrip(), right.strip()
    if not left:
        return right
    last = left.split()[-1]
    if left.endswith("-") and right[:1].islower():
        return dehyphenate_join(left, right)  # keeps reduplication ("Negara-negara")
    if URL_RE.match(last) and (last[-1] in "/.-_=?&#%" or right.startswith("/")) and " " not in right.split("/")[0]:
        return left + right
    return f"{left} {right}"


def _split_inline(line: str) -> list[str]:
    """Split one line at positions where a new entry evidently starts."""
    pieces: list[str] = []
    start = 0
    for m in INLINE_BOUNDARY_RE.finditer(line):
        before = WORD_BEFORE_RE.search(line[start : m.start()])
        word = before.group(1) if before else ""
        if len(word.rstrip(".")) <= 1 or word.rstrip(".").isdigit() or word.lower() in ("al.", "dkk.", "et.al.", "vol.", "no.", "cv."):
            continue
        if any(rx.match(line[m.end() : m.end() + START_WINDOW]) for rx in START_RES):
            pieces.append(line[start : m.start()])
            start = m.end()
    pieces.append(line[start:])
    return [p for p in pieces if p.strip()]


def _window(lines: list[str], index: int, head: str) -> str:
    """``head`` followed by the next lines, up to :data:`START_WINDOW` characters."""
    text = head
    for line in lines[index + 1 :]:
        if len(text) >= START_WINDOW:
            break
        text = f"{text} {line}"
    return text[:START_WINDOW]


def _is_new_entry(piece: str, window: str, prev: str, first_line: bool, bullet: bool) -> bool:
    """Decide whether ``piece`` (a line or block start) opens a new entry."""
    if bullet or BRACKET_MARK_RE.match(piece):
        return True
    if OPEN_END_RE.search(prev):
        return False
    if NUMBER_MARK_RE.match(piece):
        return _starts_entry(NUMBER_MARK_RE.sub("", window, count=1))
    if not _starts_entry(window):
        return False
    return first_line or (bool(ENTRY_END_RE.search(prev)) and not ENDS_WITH_INITIAL_RE.search(prev))


def split_references(blocks: list[str]) -> list[str]:
    """Split the blocks of a reference zone into one string per entry.

    A block may hold one entry, several entries (one per line or run together)
    or a fragment of an entry broken across a column or page. Fragments that
    do not start like an entry (lower-case start, no author + year) are merged
    into the previous entry; lines holding only a page number are dropped.

    Args:
        blocks: Text blocks found under the REFERENCES / DAFTAR PUSTAKA heading.

    Returns:
        The entries, cleaned of bullets, markdown and hyphenation, each on a
        single line.
    """
    entries: list[str] = []
    for block in blocks:
        raw_lines = [ln for ln in clean_markup(block).split("\n") if ln.strip() and not PAGE_NUMBER_RE.match(ln)]
        bullets = [bool(BULLET_RE.match(ln)) for ln in raw_lines]
        lines = [BULLET_RE.sub("", ln).strip() for ln in raw_lines]
        for index, line in enumerate(lines):
            for piece_no, piece in enumerate(_split_inline(line)):
                piece = piece.strip()
                window = _window(lines, index, piece)
                if entries and BARE_MARK_RE.fullmatch(entries[-1]):
                    entries[-1] = f"{entries[-1]} {piece}"  # "[2]" on a line of its own: its entry follows
                elif not entries or piece_no > 0:
                    entries.append(piece)
                elif _is_new_entry(piece, window, entries[-1], index == 0, bullets[index]):
                    entries.append(piece)
                else:
                    entries[-1] = _join(entries[-1], piece)
    return [SPACES_RE.sub(" ", e).strip() for e in entries if e.strip()]


def _strip_punct(value: str) -> str:
    """Strip trailing punctuation from a URL or DOI."""
    return value.rstrip(TRAILING_PUNCT)


def split_authors(text: str) -> list[str]:
    """Split an author field into names, keeping organisations whole.

    Args:
        text: The author part of an entry, e.g. ``"Jackson, R & Sorensen, G."``.

    Returns:
        Names as written ("Jackson, R", "Sorensen, G.", "Waleed Ammar").
    """
    text = ET_AL_RE.sub("", text).strip().strip(",;&").strip()
    if text.endswith(".") and not re.search(r"(?:^|[\s,.\-])[" + UPPER + r"a-z]\.$", text):
        text = text[:-1].rstrip()
    if not text:
        return []
    if ORG_WORD_RE.search(text) and not PERSON_INITIAL_RE.search(text):
        return [text]
    names: list[str] = []
    for part in AUTHOR_SPLIT_RE.split(text):
        for token in (t.strip() for t in part.split(",")):
            if not token:
                continue
            if names and INITIALS_ONLY_RE.match(token) and "," not in names[-1]:
                names[-1] = f"{names[-1]}, {token}"
            else:
                names.append(token)
    return names


def _first_sentence(text: str) -> tuple[str, str]:
    """Split ``text`` at its first real sentence end: (sentence, rest)."""
    quoted = QUOTED_TITLE_RE.match(text)
    if quoted:
        return quoted.group(1).strip().rstrip(".,"), text[quoted.end() :].lstrip(" .,")
    for m in SENTENCE_END_RE.finditer(text):
        token = text[: m.start() + 1].split()[-1].lstrip("(")
        if INITIAL_TOKEN_RE.match(token) or token.rstrip(".").lower() in ABBREVIATIONS:
            continue
        keep = text[m.start()] in "?!"
        return text[: m.start() + (1 if keep else 0)].strip(), text[m.end() :].strip()
    return text.strip().rstrip("."), ""


def _clean_venue(venue: str) -> str | None:
    """Tidy a venue string: drop pages, volume/issue tails and publisher places."""
    venue = PAGES_TAIL_RE.sub("", venue.strip()).strip()
    publisher = PUBLISHER_RE.search(venue)
    if publisher and not NOT_PLACE_RE.match(publisher.group("place")) and publisher.group("pub").strip():
        venue = publisher.group("pub")
    cut = VOLUME_CUT_RE.search(venue)
    venue = venue[: cut.start()] if cut and cut.start() > 0 else venue
    venue = VOLUME_TAIL_RE.sub("", venue).strip(" .,;:")
    return venue or None


def _title_and_venue(rest_md: str) -> tuple[str | None, str | None]:
    """Find the title and venue in the part of an entry after the year."""
    source = RETRIEVED_RE.search(clean_markup(rest_md))
    rest_md = RETRIEVED_CUT_RE.sub("", rest_md).strip()
    italics = [m for m in ITALIC_RE.finditer(rest_md)]
    plain = clean_markup(rest_md).strip(" .")
    if italics and italics[0].start() <= 1:
        title = italics[0].group(1).strip().rstrip(".")
        after_md = rest_md[italics[0].end() :]
        venue = italics[1].group(1) if len(italics) > 1 else clean_markup(after_md).strip(" .,")
        split = VENUE_KEYWORD_RE.split(title, maxsplit=1)
        if len(split) == 2 and not venue:
            title, venue = split[0], split[1]
    else:
        title, after = _first_sentence(plain)
        after_md_italic = [m for m in italics if clean_markup(m.group(1)).strip() in after]
        if after_md_italic:
            venue = after_md_italic[0].group(1)
        else:
            in_venue = IN_VENUE_RE.match(after)
            venue = in_venue.group("venue") if in_venue else after
    venue = _clean_venue(clean_markup(venue or "", keep_emphasis=False)) if venue else None
    if not venue and source:
        candidate = source.group("src").strip()
        venue = candidate if candidate and not URL_RE.match(candidate) else None
    return (title or None), venue


def parse_reference(raw: str, id: int, page: int | None = None) -> Reference:  # noqa: A002 - schema name
    """Parse one reference entry into its parts.

    Args:
        raw: The entry as returned by :func:`split_references` (markdown such
            as ``*italics*`` is used when present and removed otherwise).
        id: Identifier of the entry within its document.
        page: Page the entry starts on, if known.

    Returns:
        A :class:`Reference` with authors, year (+ suffix), title, venue, url
        and bare DOI filled in where they can be found.
    """
    md = BULLET_RE.sub("", NUMBER_PREFIX.sub("", clean_markup(raw.strip(), keep_emphasis=True))).strip()
    md = SPACES_RE.sub(" ", md)
    plain = clean_markup(md)
    doi_m = DOI_RE.search(plain)
    doi = _strip_punct(doi_m.group(1)) if doi_m else None
    url = next((_strip_punct(u) for u in URL_RE.findall(plain) if not DOI_URL_RE.match(u)), None)
    work = DOI_URL_RE.sub("", md)
    work = URL_RE.sub("", work).strip()

    year: int | None = None
    suffix = ""
    authors_text, rest = "", work
    found = [m for m in (rx.search(work) for rx in (PAREN_YEAR_RE, DOT_YEAR_RE, BARE_NO_YEAR_RE)) if m]
    if found:
        m = min(found, key=lambda match: match.start())
        if m.groupdict().get("year"):
            year, suffix = int(m.group("year")), m.group("suffix") or ""
        authors_text, rest = work[: m.start()], work[m.end() :]
    else:
        m = ANY_YEAR_RE.search(work)
        if m:
            year, suffix = int(m.group("year")), m.group("suffix") or ""
        authors_text, rest = _first_sentence(clean_markup(work))
    authors = split_authors(clean_markup(authors_text).strip(" ,"))
    title, venue = _title_and_venue(rest.strip(" ."))
    return Reference(
        id=id,
        raw=SPACES_RE.sub(" ", plain).strip(),
        authors=authors,
        year=year,
        year_suffix=suffix,
        title=title,
        venue=venue,
        url=url,
        doi=doi,
        page=page,
    )
