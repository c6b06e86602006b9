"""In-text citations: find parenthetical and narrative citations, personal
communications and interviews, and link them to the reference list.

Parenthetical citations are split at ``;`` into one :class:`Citation` per part.
A parenthesis holding a single citation is spanned whole, parentheses
included ("(Haas, 1965)"); the parts of a multi-citation parenthesis are
spanned without them ("Wallace and Singer, 1970"). Narrative citations span
the names and the parenthesised year ("Wallace and Singer (1970)").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from nlp_iom.document import Citation, Reference
from nlp_iom.extract.dates import MONTHS, YEAR, parse_date_year
from nlp_iom.extract.references import UPPER

KIND_REFERENCE = "reference"
KIND_UNRESOLVED = "unresolved"
KIND_PERSONAL = "personal_communication"
KIND_INTERVIEW = "interview"
PERSONAL_KINDS = (KIND_PERSONAL, KIND_INTERVIEW)


PAREN_RE = re.compile(r"\(([^()]{2,400})\)")
PART_SPLIT_RE = re.compile(r";")
#: Lead-ins such as "see", "e.g.," or "lihat" before a citation part.
LEAD_IN_RE = re.compile(r"^(?:see(?:\s+also)?|e\.g\.,?|cf\.|lihat(?:\s+juga)?|dalam|in|seperti|misalnya|i\.e\.,?)\s+", re.I)
_NAME = r"[" + UPPER + r"][\w'’\-.]*"
_PARTICLE = r"(?:van|von|de|der|den|di|da|du|la|le|al|bin)"
#: The author part of a parenthetical citation: names, "&", "and", "dkk.", orgs.
AUTHOR_TEXT = (
    r"(?:" + _PARTICLE + r"\s+)?" + _NAME
    + r"(?:[\s,]+(?:" + _NAME + r"|" + _PARTICLE + r"|and|dan|&|of|for|the|on|untuk|dari|pada))*"
    + r"(?:,?\s+(?:et\s?\.?\s?al\.?|dkk\.?))?"
)  # fmt: skip
#: "Haas, 1965" / "Archer, 2001: 35" / "Archer, 2001, p. 35" / "Sugiyono, 2011, 2015".
PAREN_PART_RE = re.compile(
    r"^(?P<authors>" + AUTHOR_TEXT + r")(?P<sep>,\s*|\s+)(?P<years>" + YEAR + r"[a-z]?(?:\s*,\s*" + YEAR + r"[a-z]?)*)"
    r"(?:\s*[:,]\s*(?:pp?\.|hlm\.|hal\.|h\.|page|halaman)?\s*[\divxlc]+(?:\s*[-–]\s*\d+)?)?\s*$"
)
YEAR_ITEM_RE = re.compile(r"(" + YEAR + r")([a-z]?)")
PERSONAL_RE = re.compile(
    r"^(?P<who>[^,]+?),\s*(?:personal\s+communication|pers\.\s*comm\.?|komunikasi\s+pribadi|"
    r"personal\s+interview|interview|wawancara(?:\s+pribadi)?)\b,?\s*(?P<date>.*)$",
    re.I,
)
INTERVIEW_RE = re.compile(
    r"^(?:hasil\s+)?(?:wawancara|interview)(?:\s+(?:dengan|bersama|with|oleh)\s+(?P<who>[^,]+?))?\s*(?:,\s*(?P<date>.*))?$",
    re.I,
)
#: "Hendy, September 10, 2019": a person cited with a full date.
NAME_DATE_RE = re.compile(r"^(?P<who>" + AUTHOR_TEXT + r"),\s*(?P<date>.+)$")
HONORIFIC_RE = re.compile(
    r"^(?:Bapak|Bpk\.?|Pak|Ibu|Bu|Sdr\.?|Saudara|Saudari|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|Prof\.?|Drs\.?|Ir\.?|H\.)\s+"
)
NARRATIVE_RE = re.compile(
    r"(?<![\w'’\-])(?P<authors>(?:" + _PARTICLE + r"\s+)?[" + UPPER + r"][\w'’\-]+"
    r"(?:(?:,\s+[" + UPPER + r"][\w'’\-]+)*,?\s+(?:and|dan|&)\s+[" + UPPER + r"][\w'’\-]+|\s+(?:et\s+al\.|dkk\.?))?)"
    r"\s+\((?P<inner>(?P<years>" + YEAR + r"[a-z]?(?:\s*,\s*" + YEAR + r"[a-z]?)*)"
    r"(?:\s*[:,]\s*(?:pp?\.|hlm\.|hal\.)?\s*\d+(?:\s*[-–]\s*\d+)?)?|(?P<personal>(?:personal\s+communication|"
    r"komunikasi\s+pribadi|wawancara|interview)[^()]*))\)"
)
#: Capitalised words that precede a year in parentheses without being authors.
NOT_AUTHORS = frozenset(
    "In The Tahun Year Since Until Sejak Pada Hingga Sampai Per Vol No Nomor Pasal Article UU Law Act "
    "Undang-Undang Perpres Permen PP Keppres Inpres Figure Table Gambar Tabel Bagan Period Periode".split()
    + [m.capitalize() for m in MONTHS]
)
ETAL_RE = re.compile(r",?\s+(?:et\s?\.?\s?al\.?|dkk\.?)$", re.I)
AND_SPLIT_RE = re.compile(r"\s*,?\s*(?:&|\band\b|\bdan\b)\s*|\s*,\s*")
ORG_HINT_RE = re.compile(r"\b(?:of|for|the|on|untuk|dari|pada)\b")
SUFFIX_RE = re.compile(YEAR + r"([a-z])\b")
FOLD_MAP = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "ı": "i", "œ": "oe", "Œ": "OE"})
INITIALS_TAIL_RE = re.compile(r"\s+[" + UPPER + r"]{1,4}$")
NON_KEY_RE = re.compile(r"[^a-z0-9 ]")


@dataclass
class _Part:
    """A citation part: its span within the text and its stripped content."""

    text: str
    start: int
    end: int


def split_names(authors: str) -> list[str]:
    """Split a cited author string into names; organisations stay whole."""
    authors = ETAL_RE.sub("", authors.strip()).strip(" ,")
    if ORG_HINT_RE.search(authors):
        return [authors]
    return [a for a in AND_SPLIT_RE.split(authors) if a]


def _parts(text: str) -> list[tuple[_Part, bool]]:
    """Yield (part, single) for every parenthesis; single = the only part."""
    out: list[tuple[_Part, bool]] = []
    for m in PAREN_RE.finditer(text):
        raw_parts = []
        pos = m.start(1)
        for piece in PART_SPLIT_RE.split(m.group(1)):
            lead = len(piece) - len(piece.lstrip())
            stripped = piece.strip()
            raw_parts.append(_Part(stripped, pos + lead, pos + lead + len(stripped)))
            pos += len(piece) + 1
        single = len(raw_parts) == 1
        for part in raw_parts:
            if single:
                part = _Part(part.text, m.start(), m.end())
            out.append((part, single))
    return out


def _classify(content: str) -> tuple[str, list[str], list[tuple[int, str]], str | None] | None:
    """Classify a citation part: (kind, authors, [(year, suffix)], date) or None."""
    content = LEAD_IN_RE.sub("", content).strip()
    personal = PERSONAL_RE.match(content)
    interview = INTERVIEW_RE.match(content)
    if interview and (interview.group("who") or interview.group("date")):
        date, year = parse_date_year(interview.group("date") or "")
        who = HONORIFIC_RE.sub("", (interview.group("who") or "").strip())
        return KIND_INTERVIEW, [who] if who else [], [(year, "")] if year else [], date
    if personal:
        date, year = parse_date_year(personal.group("date"))
        kind = KIND_INTERVIEW if re.search(r"interview|wawancara", content, re.I) else KIND_PERSONAL
        who = HONORIFIC_RE.sub("", personal.group("who").strip())
        return kind, [who], [(year, "")] if year else [], date
    m = PAREN_PART_RE.match(content)
    if m:
        authors = m.group("authors").strip()
        if m.group("sep").strip() == "" and authors.split()[0] in NOT_AUTHORS:
            return None
        if authors in NOT_AUTHORS:
            return None
        years = [(int(y), s) for y, s in YEAR_ITEM_RE.findall(m.group("years"))]
        return KIND_REFERENCE, split_names(authors), years, None
    dated = NAME_DATE_RE.match(content)
    if dated:
        date, year = parse_date_year(dated.group("date"))
        if date:
            return KIND_PERSONAL, [HONORIFIC_RE.sub("", dated.group("who"))], [(year, "")], date
    return None


def _year_spans(text: str, start: int, end: int, count: int) -> list[tuple[int, int]]:
    """Spans for ``count`` citations sharing one part ("Haas, 1965a, 1965b").

    A single citation gets the whole part; with several years the first one
    spans from the part start to its year and the others span their year only.
    """
    if count <= 1:
        return [(start, end)]
    years = [m for m in YEAR_ITEM_RE.finditer(text, start, end)][-count:]
    spans = [(start, years[0].end())]
    spans += [(m.start(), m.end()) for m in years[1:]]
    return spans


def find_citations(text: str, offset: int = 0, passage_id: int | None = None) -> list[Citation]:
    """Find in-text citations in ``text``.

    Args:
        text: A passage of running text.
        offset: Added to every ``start``/``end`` (the passage's document offset).
        passage_id: Stored on every citation.

    Returns:
        Citations in text order. Ordinary ones have kind ``"reference"`` (until
        :func:`link_citations` runs); personal communications and interviews
        have kind ``"personal_communication"`` / ``"interview"`` and an ISO
        ``date`` when a full date is given.
    """
    found: list[Citation] = []
    for part, _single in _parts(text):
        result = _classify(part.text)
        if result is None:
            continue
        kind, authors, years, date = result
        if kind == KIND_REFERENCE and not years:
            continue
        for (year, _suffix), (start, end) in zip(years or [(None, "")], _year_spans(text, part.start, part.end, len(years))):
            found.append(
                Citation(
                    text=text[start:end],
                    start=start + offset,
                    end=end + offset,
                    passage_id=passage_id,
                    authors=authors,
                    year=year,
                    kind=kind,
                    date=date,
                )
            )
    for m in NARRATIVE_RE.finditer(text):
        authors = m.group("authors")
        if authors.split()[0] in NOT_AUTHORS:
            continue
        if m.group("personal"):
            date, year = parse_date_year(m.group("personal"))
            kind = KIND_INTERVIEW if re.search(r"interview|wawancara", m.group("personal"), re.I) else KIND_PERSONAL
            found.append(
                Citation(m.group(0), m.start() + offset, m.end() + offset, passage_id, [authors], year, kind, date=date)
            )
            continue
        years = YEAR_ITEM_RE.findall(m.group("years"))
        for (year_text, _suffix), (start, end) in zip(years, _year_spans(text, m.start(), m.end(), len(years))):
            found.append(
                Citation(text[start:end], start + offset, end + offset, passage_id, split_names(authors), int(year_text))
            )
    found.sort(key=lambda c: (c.start, c.end))
    return found


def fold(text: str) -> str:
    """Case- and accent-insensitive key ("Sørensen" -> "sorensen")."""
    text = unicodedata.normalize("NFKD", text.translate(FOLD_MAP))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(NON_KEY_RE.sub("", text.replace("-", " ")).split())


def surname_keys(name: str) -> set[str]:
    """Keys under which an author name may be cited.

    "Jackson, R" -> {"jackson r", "jackson"}; "Waleed Ammar" ->
    {"waleed ammar", "ammar"}; "Bates DM" -> {"bates dm", "bates"};
    organisations keep only their whole folded name.
    """
    name = name.strip()
    keys = {fold(name)}
    if "," in name:
        keys.add(fold(name.split(",")[0]))
    elif not ORG_HINT_RE.search(name) and len(name.split()) > 1:
        bare = INITIALS_TAIL_RE.sub("", name)
        keys.add(fold(bare))
        keys.add(fold(bare.split()[-1]))
    return {k for k in keys if k}


def _citation_suffix(citation: Citation) -> str:
    """The year suffix ("a", "b") written in the citation, if any."""
    if citation.year is None:
        return ""
    m = re.search(str(citation.year) + r"([a-z])\b", citation.text)
    return m.group(1) if m else ""


def link_citations(citations: list[Citation], references: list[Reference]) -> None:
    """Link citations to references by first-author surname and year (in place).

    Matching is case- and accent-insensitive; a year suffix written in the
    citation must match the reference's. Linked citations keep kind
    ``"reference"``; unmatched ordinary citations become ``"unresolved"``.
    Personal communications and interviews are never linked.
    """
    index: dict[tuple[str, int], list[Reference]] = {}
    for ref in references:
        if ref.year is None or not ref.authors:
            continue
        for key in surname_keys(ref.authors[0]):
            index.setdefault((key, ref.year), []).append(ref)
    for citation in citations:
        if citation.kind in PERSONAL_KINDS:
            citation.reference_id = None
            continue
        match = None
        if citation.authors and citation.year is not None:
            suffix = _citation_suffix(citation)
            candidates: list[Reference] = []
            for key in surname_keys(citation.authors[0]):
                candidates += [r for r in index.get((key, citation.year), []) if r not in candidates]
            if suffix:
                candidates = [r for r in candidates if r.year_suffix == suffix]
            match = candidates[0] if candidates else None
        citation.reference_id = match.id if match else None
        citation.kind = KIND_REFERENCE if match else KIND_UNRESOLVED
