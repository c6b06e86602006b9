"""Title-page metadata: title, authors, affiliations, e-mails, dates, kind; abstracts' keywords.

Works on the blocks of the title page (everything before the first heading)
and, for theses, on the approval pages ("Oleh:", "Nama : ...").
"""

from __future__ import annotations

import re

from nlp_iom.document import Author, Metadata
from nlp_iom.extract.blocks import Block
from nlp_iom.extract.citations import fold
from nlp_iom.extract.dates import DATE_PATTERN, MONTH, YEAR as DATE_YEAR, parse_date

#: An e-mail address: bounded parts, starting where a run of address characters starts (linear time).
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
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
    r"\b(?:universit(?:y|as|é|at|eit|ario|à)|universidad|institut[e]?|politeknik|polytechnic|sekolah\s+tinggi|college|academy|akademi"
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
KEYWORDS = re.compile(r"^\s*(?:(?:kata[\s-]*)?kata[\s-]*kunci|keywords?|key\s+words|index\s+terms)\s*[:.—–-]\s*", re.I)
KEYWORD_SPLIT = re.compile(r"\s*[;,·•]\s*|\s+[-–—]\s+")
#: Words of title pages that never belong to a person's name.
NOT_NAME_WORDS = frozenset(
    "sarjana ilmu komputer sosial politik hukum ekonomi program studi fakultas jurusan skripsi tesis thesis bachelor"
    " master doctor diajukan gelar science sciences computer engineering teknik kata kunci keywords abstract abstrak"
    " the of for in on and dengan untuk dalam tahun jl jln jalan no street road box npm nim nip nidn".split()
)
ADDRESS = re.compile(
    r"\b(?:jl|jln|jalan|kode\s+pos|street|road|avenue|kampus|campus|telp|tel|fax|phone|hp)\b\.?|\bno\.\s*\d", re.I
)
#: A page that approves or examines a thesis: names after it are supervisors and examiners, not authors.
APPROVAL = re.compile(
    r"\b(?:(?:lembar|halaman)\s+(?:pengesahan|persetujuan)|pembimbing|penguji|mengesahkan|menyetujui|mengetahui"
    r"|approval\s+(?:page|sheet)|supervisor|examiner)\b",
    re.I,
)
#: "Author(s): A and B" (JSTOR cover sheets), "Authors: ...", "Penulis: ...".
AUTHORS_FIELD = re.compile(
    r"^(?:author\(s\)|authors?|penulis|evaluator\(s\)|evaluators?)\s*:\s*(?P<names>\S.{2,200})$", re.I)
#: A role in brackets after a name in such a field ("Melissa Andrade Costa (Lead eval.) Mehiret Habte").
ROLE_NOTE = re.compile(r"\s*\([^()]{1,60}\)\s*")
#: Letter affiliation marks after a name ("Nur Hidayanti a,1 , Widyawati Widyawati a , ...").
LETTER_MARKS = re.compile(r"(?<=[^\W\d_]{2})\s+[a-h](?:\s*,\s*\d{1,2})*\*?(?=\s*(?:,|;|&|$|\band\b|\bdan\b))")
#: Labels that end a title line on a thesis cover ("... MODEL HALAMAN SAMPUL").
TITLE_LABEL = re.compile(r"\s+(?:halaman|lembar)\s+(?:sampul|judul)\s*$", re.I)
#: Where a title runs into the next field of a cover sheet.
TITLE_STOP = re.compile(r"\s+(?:author\(s\)|reviewed\s+work\(s\)|source)\s*:.*$", re.I | re.S)
#: Lines whose years are not the document's (download stamps).
NOT_DOCUMENT_YEAR = re.compile(r"\b(?:accessed|downloaded|diakses|diunduh|printed\s+on)\b", re.I)
#: Name parts shorter than this are not checked against the document's lower-case words.
MIN_VOCABULARY_WORD = 4
LEADING_MARKS = re.compile(r"^[\d,*†‡§¶♠♣♦♥♢♡∗✉⋆\s]+")
ABSTRACT_START = re.compile(r"^\s*(?:abstra[kc]t?|intisari)\b", re.I)
#: A block longer than this is running text, which ends the title page.
RUNNING_TEXT_WORDS = 60
#: Shortest name part matched against an e-mail's local part.
MIN_NAME_PART = 3
#: Title candidates: fewest and most words.
TITLE_WORDS = (2, 45)
#: A cover's label with its date, not a title: "EVALUATION BRIEF December 2024", "Laporan Tahunan Juni 2023".
LABEL_WITH_DATE = re.compile(
    r"^\W*(?:\w+\s+){0,2}?(?:brief|report|laporan|update|bulletin|buletin|newsletter|fact\s?sheet|ringkasan|summary"
    r"|edition|edisi|paper|sitrep|snapshot|dashboard)(?:\s+\w+)?\s+(?:\d{1,2}\s+)?" + MONTH + r"\s+" + DATE_YEAR + r"\W*$", re.I)
#: A regulation's title line that its subject completes on the next line ("... NOMOR 03 TAHUN 2023" + "TENTANG ...").
REGULATION_NUMBER_END = re.compile(r"\bnomor\s+\d+[\w/.-]*\s+tahun\s+\d{4}\s*$", re.I)
SUBJECT_START = re.compile(r"^tentang\b", re.I)
#: Where a regulation's subject ends: its preamble.
SUBJECT_END = re.compile(r"^(?:dengan\s+rahmat|menimbang|mengingat|memutuskan)\b", re.I)
#: Most words a regulation's subject adds to its title.
MAX_SUBJECT_WORDS = 40
#: Longest text taken for a person's name.
MAX_NAME_WORDS = 7
#: Labels of a student number on a thesis cover; a name never contains them.
_STUDENT_ID = r"(?:NIM|NPM|NRP|NIRM|No\.?\s*(?:Mahasiswa|Mhs|BP|Pokok|Induk)|Nomor\s+(?:Induk\s+|Pokok\s+)?Mahasiswa|Student\s+(?:ID|Number))"
_NAME_WORD = r"(?!" + _STUDENT_ID + r"\b)[A-Z][\w'’.-]*"
#: A thesis cover's author line: a by-line or a "Nama :" label, the name, then the student number
#: ("Oleh: MUHAMMAD NAUFAL ... NIM 22051130001", "Nama : Cintia Zelin No. Mahasiswa : 14312352",
#: "Disusun oleh: Izzuddin 11190940000052"). Staff numbers (NIP, NIDN) never match, so examiners and
#: supervisors on approval pages are not taken.
STUDENT_LINE = re.compile(
    r"\b(?:(?:(?i:oleh|disusun\s+oleh|ditulis\s+oleh|dibuat\s+oleh|diajukan\s+oleh|by|written\s+by)\s*:?\s*)"
    r"(?:(?i:nama(?:\s+mahasiswa)?)\s*:\s*)?|(?i:nama(?:\s+mahasiswa)?)\s*:\s*)"
    r"(?P<name>" + _NAME_WORD + r"(?:\s+" + _NAME_WORD + r"){0,6}?)"
    r"\s*[,(]?\s*(?:(?i:" + _STUDENT_ID + r")\s*[:.]?\s*)?(?P<number>\d[\d. -]{5,}\d)\b"
)


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


def common_words(name: str, vocabulary: frozenset[str]) -> bool:
    """True when a name candidate is made of the document's ordinary words: all of its parts of
    :data:`MIN_VOCABULARY_WORD` letters or more also occur in lower case in the text ("Prediksi Time
    Series", "Halaman Judul"), or a majority when it has three such parts or more."""
    parts = [w.strip(".,").lower() for w in name.split() if len(w.strip(".,")) >= MIN_VOCABULARY_WORD]
    if not parts or not vocabulary:
        return False
    seen = sum(p in vocabulary for p in parts)
    return seen == len(parts) or (len(parts) >= 3 and seen * 2 > len(parts))


def split_names(text: str) -> list[str]:
    """Split an author line ("A B, C D and E F") into names, dropping footnote marks."""
    cleaned = FOOTNOTE_MARKS.sub(",", LETTER_MARKS.sub("", ROLE_NOTE.sub(", ", text)))
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
        if LABEL_WITH_DATE.match(" ".join(block.text.split())):
            continue  # a document-type label and its date
        score = (round(block.size_ratio, 1), block.bold, -index)
        if best is None or score > best[0]:
            best = (score, block)
    return best[1] if best else None


def extract_metadata(title_page: list[Block], front: list[Block], vocabulary: frozenset[str] = frozenset()) -> Metadata:
    """Build :class:`Metadata` from title-page blocks and the rest of the front matter.

    Args:
        title_page: Blocks before the first heading.
        front: Blocks of the front matter (approval pages of a thesis), searched for "Oleh:" and "Nama : ...".
        vocabulary: Words the document writes in lower case; a "name" made of them is a phrase.
    """
    meta = Metadata()
    cover_author = _cover_student(title_page + front) if THESIS.search(" ".join(b.text for b in title_page[:12])) else None
    title = choose_title(title_page)
    if title is not None:
        meta.title = TITLE_LABEL.sub("", TITLE_STOP.sub("", " ".join(title.text.split()))) or None
        meta.title = _with_subject(meta.title, title, title_page)
    after_title = title_page[title_page.index(title) + 1 :] if title in title_page else title_page
    current: Author | None = None
    pending_by = False
    field_names = [n for b in title_page for line in b.lines or [b.text]
                   if (m := AUTHORS_FIELD.match(line.strip())) for n in split_names(m.group("names"))]
    for name in field_names or ([cover_author] if cover_author else []):
        if all(a.name != name for a in meta.authors):
            meta.authors.append(Author(name))
    for block in [] if field_names or cover_author else after_title:
        if KEYWORDS.match(block.text) or ABSTRACT_START.match(block.text) or len(block.text.split()) > RUNNING_TEXT_WORDS:
            break  # the abstract or running text: the title page is over
        if APPROVAL.search(block.text):
            break  # an approval or examiners' page: its names are not the authors
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
            names = [n for n in split_names(line) if not common_words(n, vocabulary)]
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
    page_text = " ".join(line for b in title_page for line in b.lines or [b.text] if not NOT_DOCUMENT_YEAR.search(line))
    years = [int(d[:4]) for d in meta.dates.values()] or [int(y) for y in YEAR.findall(page_text)]
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


def _with_subject(title: str | None, block: Block, blocks: list[Block]) -> str | None:
    """A regulation title ending in its number and year, completed by the "TENTANG ..." block after it."""
    if not title or not REGULATION_NUMBER_END.search(title) or block not in blocks:
        return title
    following = [b for b in blocks[blocks.index(block) + 1 :][:4] if b.page == block.page]
    if not following or not SUBJECT_START.match(following[0].text.strip()):
        return title
    parts = [" ".join(following[0].text.split())]
    for more in following[1:]:  # the subject runs on in capitals until the preamble or the issuer
        text = " ".join(more.text.split())
        if not text.isupper() or SUBJECT_END.match(text) or ISSUER.match(text):
            break
        parts.append(text)
    subject = " ".join(parts)
    return f"{title} {subject}" if len(subject.split()) <= MAX_SUBJECT_WORDS else title


def _cover_student(blocks: list[Block]) -> str | None:
    """The student named with a student number on a thesis cover (:data:`STUDENT_LINE`), if any.

    The number is strong evidence, so a one-word name ("Izzuddin") and an all-capitals name of five
    words are accepted; institution words, title-page words and digits are not.
    """
    for block in blocks:
        match = STUDENT_LINE.search(" ".join(block.text.split()))
        if match is None:
            continue
        name = match.group("name").strip(" ,.")
        words = name.split()
        if (INSTITUTION.search(name) or any(c.isdigit() for c in name)
                or any(w.lower().strip(".,") in NOT_NAME_WORDS for w in words)):
            continue
        return name.title() if name.isupper() else name
    return None


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


#: Share of the page height at the top and bottom where a masthead or footer prints the year.
MASTHEAD_SHARE = 0.14
#: A year printed as a copyright line anywhere on the first page.
COPYRIGHT_YEAR = re.compile(r"(?:©|\(c\)|copyright|hak\s+cipta)\s*(19[5-9]\d|20[0-4]\d)", re.I)


def masthead_year(words: list[tuple[str, float]], height: float, latest: int) -> int | None:
    """The year of a journal masthead, a proceedings footer or a copyright line on the first page.

    Args:
        words: ``(text, top)`` of every word on the first page, in reading order.
        height: The page height (points).
        latest: Years after this are not publication years (a plan's end year, a typo).
    """
    edge = [text for text, top in words if top < height * MASTHEAD_SHARE or top > height * (1 - MASTHEAD_SHARE)]
    everything = " ".join(text for text, _ in words)
    found = [int(y) for y in COPYRIGHT_YEAR.findall(everything)]
    found += [int(y) for y in YEAR.findall(" ".join(edge)) if not NOT_DOCUMENT_YEAR.search(" ".join(edge))]
    found = [y for y in found if y <= latest]
    return max(found) if found else None
