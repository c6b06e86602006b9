"""Title-page metadata: title, authors, affiliations, e-mails, dates, kind; abstracts' keywords.

Works on the blocks of the title page (everything before the first heading)
and, for theses, on the approval pages ("Oleh:", "Nama : ...").
"""

from __future__ import annotations

import re

from nlp_iom.document import Author, Metadata
from nlp_iom.extract.blocks import Block
from nlp_iom.extract.citations import fold
from nlp_iom.extract.dates import DATE_PATTERN, parse_date

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
DATE_LABELS = {
    "submitted": r"submitted|received|diterima|dikirim|masuk",
    "revised": r"revised|direvisi|revisi|diperbaiki",
    "accepted": r"accepted|disetujui|diterima\s+untuk\s+publikasi",
    "published": r"published|available\s+online|diterbitkan|terbit|online",
}
LABELLED_DATE = re.compile(
    rf"\b(?P<label>{'|'.join(DATE_LABELS.values())})\s*(?:on|pada|tanggal)?\s*[:\-–]?\s*(?P<date>{DATE_PATTERN})", re.I
)
INSTITUTION = re.compile(
    r"\b(?:universit(?:y|as|é|at)|institut[e]?|politeknik|polytechnic|sekolah\s+tinggi|college|academy|akademi"
    r"|fakultas|faculty|department|departemen|jurusan|program\s+studi|study\s+programs?|school\s+of|laborator"
    r"|centre|center|kementerian|ministry|organization|organisation|badan|lembaga)\b",
    re.I,
)
NOT_TITLE = re.compile(
    r"^(?:skripsi|tesis|thesis|disertasi|dissertation|bachelor|master|undergraduate|oleh|by|disusun|diajukan"
    r"|jurnal|journal|proceedings?|prosiding|vol(?:ume)?\.?\s|no\.\s|issn|e-issn|p-issn|doi|http|www\.|©|copyright"
    r"|united\s+nations|general\s+assembly|security\s+council|economic\s+and\s+social\s+council|distr\.)\b"
    r"|^[A-Z]{1,3}\s?/\s?(?:[A-Z]+\.?\d*/)?\d",
    re.I,
)
UNIVERSITY = re.compile(r"\b(?:universit(?:y|as|é|at)|institut[e]?|politeknik|polytechnic|sekolah\s+tinggi)\b", re.I)
JOURNAL_NAME = re.compile(r"\b(?:journal|jurnal)\b", re.I)
#: A journal name block is a masthead, not a title, when it is this short.
MAX_MASTHEAD_WORDS = 8
THESIS = re.compile(r"\b(?:skripsi|tesis|disertasi|thesis|dissertation|tugas\s+akhir)\b", re.I)
#: The office that issues a regulation, as its title page names it.
ISSUER = re.compile(r"^(?:gubernur|bupati|wali\s?kota|presiden|menteri|kepala)\b[^\n]{3,80}$", re.I)
REGULATION = re.compile(r"\b(?:peraturan\s+(?:daerah|pemerintah|menteri|presiden)|undang-undang\s+nomor)\b", re.I)
PAPER = re.compile(r"\b(?:journal|jurnal|proceedings|prosiding|conference|konferensi|seminar|vol\.|issn)\b", re.I)
BY_LINE = re.compile(r"^(?:oleh|disusun\s+oleh|by|written\s+by|penulis)\s*:?\s*$", re.I)
FIELD = re.compile(r"^(?P<key>nama(?:\s+mahasiswa)?|name|penulis|author)\s*:\s*(?P<value>[^\n:]{3,80})$", re.I)
NAME_TOKEN = re.compile(r"^(?:[A-Z][\w'’.-]*|van|von|der|de|den|da|dos|del|di|bin|binti|al|el|la|le)$")
FOOTNOTE_MARKS = re.compile(r"(?:[\d*†‡§¶♠♣♦♥♢♡∗✉⋆]+,?)+")
GROUPED_EMAIL = re.compile(r"\{([^{}@]+)\}@([\w-]+(?:\.[\w-]+)+)")
KEYWORDS = re.compile(r"^\s*(?:kata[\s-]*kunci|keywords?|key\s+words|index\s+terms)\s*[:.—–-]\s*", re.I)
KEYWORD_SPLIT = re.compile(r"\s*[;,·•]\s*|\s+[-–—]\s+")
#: Words of title pages that never belong to a person's name.
NOT_NAME_WORDS = frozenset(
    "sarjana ilmu komputer sosial politik hukum ekonomi program studi fakultas jurusan skripsi tesis thesis bachelor"
    " master doctor diajukan gelar science sciences computer engineering teknik kata kunci keywords abstract abstrak"
    " the of for in on and dengan untuk dalam tahun jl jln jalan no street road box".split()
)
ADDRESS = re.compile(
    r"\b(?:jl|jln|jalan|kode\s+pos|street|road|avenue|kampus|campus|telp|tel|fax|phone|hp)\b\.?|\bno\.\s*\d", re.I
)
LEADING_MARKS = re.compile(r"^[\d,*†‡§¶♠♣♦♥♢♡∗✉⋆\s]+")
ABSTRACT_START = re.compile(r"^\s*(?:abstra[kc]t?|intisari)\b", re.I)
#: A block longer than this is running text, which ends the title page.
RUNNING_TEXT_WORDS = 60
#: Shortest name part matched against an e-mail's local part.
MIN_NAME_PART = 3
#: Title candidates: fewest and most words.
TITLE_WORDS = (2, 45)
#: Longest text taken for a person's name.
MAX_NAME_WORDS = 7


def find_dates(text: str) -> dict[str, str]:
    """Labelled dates (submitted, revised, accepted, published) found in ``text``."""
    found: dict[str, str] = {}
    for match in LABELLED_DATE.finditer(text):
        label = next(k for k, pattern in DATE_LABELS.items() if re.fullmatch(pattern, match.group("label"), re.I))
        parsed = parse_date(match.group("date"))
        if parsed and label not in found:
            found[label] = parsed
    return found


def parse_keywords(text: str) -> list[str] | None:
    """Return the keyword list of a "Keywords: a, b, c" line, or None when the text is not one."""
    match = KEYWORDS.match(text)
    if not match:
        return None
    body = text[match.end() :].strip().rstrip(".")
    return [k.strip(" .*") for k in KEYWORD_SPLIT.split(body) if k.strip(" .*")]


def expand_emails(text: str) -> list[str]:
    """E-mail addresses in ``text``, with grouped ones ("{kylel, lucyw}@allenai.org") expanded."""
    found: list[str] = []
    for match in GROUPED_EMAIL.finditer(text):
        found += [f"{user.strip()}@{match.group(2)}" for user in match.group(1).split(",") if user.strip()]
    return found + EMAIL.findall(GROUPED_EMAIL.sub(" ", text))


def looks_like_name(text: str) -> bool:
    """A person's name: 2 to 7 capitalised tokens (particles allowed), no digits or institutions."""
    words = text.replace(",", " ").split()
    if not 2 <= len(words) <= MAX_NAME_WORDS or INSTITUTION.search(text) or EMAIL.search(text):
        return False
    if text.isupper() and len(words) > 4:
        return False
    if any(w.lower().strip(".,") in NOT_NAME_WORDS for w in words if w[0].isupper()):
        return False
    return all(NAME_TOKEN.match(w) for w in words) and sum(w[0].isupper() for w in words) >= 2


def split_names(text: str) -> list[str]:
    """Split an author line ("A B, C D and E F") into names, dropping footnote marks."""
    cleaned = FOOTNOTE_MARKS.sub(",", text)
    parts = re.split(r"\s*,\s*(?:and\s+|dan\s+)?|\s+and\s+|\s+dan\s+|\s*&\s*|\s*;\s*", cleaned)
    names = [" ".join(p.split()) for p in parts if looks_like_name(" ".join(p.split()))]
    return [name.title() if name.isupper() else name for name in names]


def choose_title(blocks: list[Block]) -> Block | None:
    """The title block: a Markdown ``#`` heading, else the largest and boldest early block."""
    for block in blocks:
        if block.heading_level == 1:
            return block
    best: tuple[tuple[float, bool, int], Block] | None = None
    first_page = min((b.page for b in blocks if b.page is not None), default=None)
    for index, block in enumerate(blocks):
        words = len(block.text.split())
        if block.page != first_page or not TITLE_WORDS[0] <= words <= TITLE_WORDS[1]:
            continue
        if NOT_TITLE.match(block.text) or INSTITUTION.match(block.text) or EMAIL.search(block.text):
            continue
        if looks_like_name(block.text) or YEAR.fullmatch(block.text.strip()):
            continue
        if JOURNAL_NAME.search(block.text) and words <= MAX_MASTHEAD_WORDS:
            continue  # a masthead such as "JSS Journal of Statistical Software"
        score = (round(block.size_ratio, 1), block.bold, -index)
        if best is None or score > best[0]:
            best = (score, block)
    return best[1] if best else None


def extract_metadata(title_page: list[Block], front: list[Block]) -> Metadata:
    """Build :class:`Metadata` from title-page blocks and the rest of the front matter.

    Args:
        title_page: Blocks before the first heading.
        front: Blocks of the front matter (approval pages of a thesis), searched for "Oleh:" and "Nama :".
    """
    meta = Metadata()
    title = choose_title(title_page)
    if title is not None:
        meta.title = " ".join(title.text.split())
    after_title = title_page[title_page.index(title) + 1 :] if title in title_page else title_page
    current: Author | None = None
    pending_by = False
    for block in after_title:
        if KEYWORDS.match(block.text) or ABSTRACT_START.match(block.text) or len(block.text.split()) > RUNNING_TEXT_WORDS:
            break  # the abstract or running text: the title page is over
        for line in block.lines or [block.text]:
            line = line.strip()
            if not line:
                continue
            emails = expand_emails(line)
            if emails:
                meta.emails += [e for e in emails if e not in meta.emails]
                continue
            if ADDRESS.search(line):
                continue
            if BY_LINE.match(line):
                pending_by = True
                continue
            if INSTITUTION.search(line) and not looks_like_name(line):
                aff = LEADING_MARKS.sub("", line).strip(" ,")
                if aff not in meta.affiliations:
                    meta.affiliations.append(aff)
                if current is not None and current.affiliation is None:
                    current.affiliation = aff
                for author in meta.authors:
                    author.affiliation = author.affiliation or aff
                continue
            names = split_names(line)
            trusted = block.bold or pending_by or len(names) > 1 or looks_like_name(line)
            if names and trusted and not THESIS.search(line):
                for name in names:
                    if any(a.name == name for a in meta.authors):
                        continue
                    current = Author(name)
                    meta.authors.append(current)
                pending_by = False
    _assign_emails(meta)
    if not meta.authors:
        meta.authors = _thesis_authors(front)
    all_text = "\n".join(b.text for b in title_page + front)
    meta.dates = find_dates(all_text)
    meta.institution = next(
        (part.strip() for a in meta.affiliations for part in a.split(",") if UNIVERSITY.search(part)), None
    )
    if meta.institution is None:
        meta.institution = next(
            (line.strip() for b in title_page for line in b.lines or [b.text] if UNIVERSITY.search(line)), None
        )
    meta.kind = _kind(title_page, all_text)
    if meta.kind == "regulation":
        meta.authors = _issuers(meta.authors, title_page)
    years = [int(d[:4]) for d in meta.dates.values()] or [int(y) for y in YEAR.findall(" ".join(b.text for b in title_page))]
    meta.year = max(years) if years else None
    return meta


def _assign_emails(meta: Metadata) -> None:
    """Give each author the e-mail whose local part holds their first name or surname, else pair in order."""
    free = list(meta.emails)
    for author in meta.authors:
        parts = [fold(p).replace(" ", "") for p in author.name.split() if len(p) >= MIN_NAME_PART]
        match = next((e for e in free if any(p in fold(e.split("@")[0]).replace(" ", "") for p in parts)), None)
        if match is not None:
            author.email = match
            free.remove(match)
    unmatched = [a for a in meta.authors if a.email is None]
    if unmatched and len(unmatched) == len(free):
        for author, email in zip(unmatched, free):
            author.email = email


def _thesis_authors(front: list[Block]) -> list[Author]:
    """Authors of a thesis from "Oleh:" followed by a name, or a "Nama : ..." field."""
    for prev, block in zip(front, front[1:]):
        if BY_LINE.match(prev.text.strip()):
            first = (block.lines or [block.text])[0].strip()
            if looks_like_name(first):
                return [Author(first)]
    for block in front:
        for line in block.lines or [block.text]:
            field = FIELD.match(line.strip())
            if field and looks_like_name(field.group("value").strip()):
                return [Author(field.group("value").strip())]
    return []


def _issuers(authors: list[Author], title_page: list[Block]) -> list[Author]:
    """The author of a regulation is the office that issues it ("Gubernur Daerah Istimewa Yogyakarta"),
    not the title-case phrases of its title page ("Pemberantasan Tindak Pidana Perdagangan Orang")."""
    issuers = [a for a in authors if ISSUER.match(a.name)]
    if issuers:
        return issuers[:1]
    for block in title_page:
        for line in block.lines or [block.text]:
            if ISSUER.match(line.strip()):
                return [Author(line.strip().rstrip(",").title())]
    return []


def _kind(title_page: list[Block], text: str) -> str:
    head = " ".join(b.text for b in title_page[:12])
    if THESIS.search(head):
        return "thesis"
    if REGULATION.search(head):
        return "regulation"
    if PAPER.search(text) or KEYWORDS.search(text):
        return "paper"
    return "report"
