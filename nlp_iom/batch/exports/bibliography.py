"""BibTeX and RIS exports of the references extracted from every document of a batch.

A reference cited by several documents is written once (matched on its DOI, else on first-author
surname, year and title) and lists the citing files in ``note`` (BibTeX) / ``N1`` (RIS). The entry
type is guessed from the parsed fields: a DOI or a volume/issue pattern in the raw entry makes an
article (the venue is its journal), another venue a book (the venue is its publisher), a URL
alone a web page, anything else ``misc``/``GEN``. Keys are ``<surname><year><first title word>``
folded to ASCII, with ``a``, ``b``, ... added to keep them unique. Field values keep non-ASCII
characters as UTF-8; BibTeX's special characters are escaped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nlp_iom.batch.layout import AnnotatedDocument, write_atomic
from nlp_iom.batch.exports.common import surname
from nlp_iom.document import Reference

#: Characters BibTeX treats specially in a field value, and how each is written.
BIBTEX_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
                  "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_ESCAPE = re.compile("|".join(re.escape(c) for c in BIBTEX_ESCAPES))
#: A volume(issue) or vol./no. pattern: the mark of a journal article.
_VOLUME = re.compile(r"\b\d+\s*\(\s*\d+[\w\s/-]*\)|\bvol(?:ume)?\.?\s*\d+|\bno\.\s*\d+", re.IGNORECASE)
_STOPWORDS = {"a", "an", "the", "of", "on", "in", "and", "for", "to", "di", "dan", "yang", "dalam", "ke", "dari"}
#: Entry type -> (BibTeX type, RIS type).
TYPES = {"article": ("article", "JOUR"), "book": ("book", "BOOK"), "web": ("misc", "ELEC"), "misc": ("misc", "GEN")}
#: Letters of a title word kept in a key.
KEY_WORD = 12


@dataclass
class Entry:
    """One deduplicated reference, with the files that cite it."""

    reference: Reference
    kind: str
    key: str = ""
    cited_in: list[str] = field(default_factory=list)


def ascii_fold(text: str) -> str:
    """Lower-case ASCII letters and digits of ``text`` (accents dropped)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def entry_kind(reference: Reference) -> str:
    """``article``, ``book``, ``web`` or ``misc`` from the parsed fields (see the module docstring)."""
    if reference.doi or (reference.venue and _VOLUME.search(reference.raw)):
        return "article"
    if reference.venue:
        return "book"
    return "web" if reference.url else "misc"


def _identity(reference: Reference) -> str:
    if reference.doi:
        return "doi:" + reference.doi.lower()
    first = ascii_fold(surname(reference.authors[0])) if reference.authors else ""
    return f"{first}|{reference.year}|{ascii_fold(reference.title or reference.raw)}"


def _base_key(reference: Reference) -> str:
    first = ascii_fold(surname(reference.authors[0]))[:20] if reference.authors else ""
    words = [ascii_fold(w) for w in re.split(r"\W+", reference.title or reference.raw)]
    word = next((w for w in words if w and w not in _STOPWORDS), "")[:KEY_WORD]
    return f"{first or 'anon'}{reference.year or 'nd'}{word}"


def collect(docs: Sequence[AnnotatedDocument]) -> list[Entry]:
    """The references of ``docs``, deduplicated, each with a unique key, in first-cited order."""
    entries: dict[str, Entry] = {}
    for item in docs:
        for reference in item.document.references:
            identity = _identity(reference)
            entry = entries.setdefault(identity, Entry(reference, entry_kind(reference)))
            if item.source not in entry.cited_in:
                entry.cited_in.append(item.source)
    used: set[str] = set()
    for entry in entries.values():
        base = key = _base_key(entry.reference)
        suffix = 0
        while key in used:
            key = base + _letters(suffix)
            suffix += 1
        used.add(key)
        entry.key = key
    return list(entries.values())


def _letters(n: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa, ..."""
    out = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(ord("a") + rest) + out
    return out


def bibtex_escape(text: str) -> str:
    """``text`` with BibTeX's special characters escaped and whitespace collapsed (non-ASCII kept)."""
    return _ESCAPE.sub(lambda m: BIBTEX_ESCAPES[m.group(0)], " ".join(text.split()))


def bibtex_name(name: str) -> str:
    """An author for BibTeX: ``Last, First`` as is; a corporate name (no comma, 4+ words) in braces."""
    escaped = bibtex_escape(name)
    return f"{{{escaped}}}" if "," not in name and len(name.split()) >= 4 else escaped


def bibtex_entry(entry: Entry) -> str:
    """One ``@type{key, ...}`` entry."""
    ref = entry.reference
    fields: list[tuple[str, str]] = []
    if ref.authors:
        fields.append(("author", " and ".join(bibtex_name(a) for a in ref.authors)))
    if ref.title:
        fields.append(("title", bibtex_escape(ref.title)))
    if ref.venue:
        fields.append(("journal" if entry.kind == "article" else "publisher", bibtex_escape(ref.venue)))
    if ref.year:
        fields.append(("year", f"{ref.year}{ref.year_suffix}"))
    if ref.doi:
        fields.append(("doi", _verbatim(ref.doi)))
    if ref.url:
        fields.append(("url", _verbatim(ref.url)))
    if not ref.title:
        fields.append(("howpublished", bibtex_escape(ref.raw)))
    fields.append(("note", bibtex_escape("Cited in: " + "; ".join(entry.cited_in))))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{TYPES[entry.kind][0]}{{{entry.key},\n{body}\n}}\n"


def _verbatim(text: str) -> str:
    """A URL or DOI: kept verbatim, but without braces or spaces that would break the entry."""
    return re.sub(r"[{}\s]", "", text)


def ris_record(entry: Entry) -> str:
    """One RIS record (``TY`` ... ``ER``), lines ending in CR LF."""
    ref = entry.reference
    lines = [("TY", TYPES[entry.kind][1]), ("ID", entry.key)]
    lines += [("AU", " ".join(a.split())) for a in ref.authors]
    if ref.year:
        lines.append(("PY", str(ref.year)))
    lines.append(("TI", " ".join((ref.title or ref.raw).split())))
    if ref.venue:
        lines.append(("T2" if entry.kind == "article" else "PB", " ".join(ref.venue.split())))
    if ref.doi:
        lines.append(("DO", ref.doi.strip()))
    if ref.url:
        lines.append(("UR", ref.url.strip()))
    lines.append(("N1", "Cited in: " + "; ".join(entry.cited_in)))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines)


def write_bibtex(docs: Sequence[AnnotatedDocument], path: Path) -> Path:
    """Write the deduplicated references of ``docs`` as BibTeX (UTF-8) to ``path``."""
    write_atomic(path, "\n".join(bibtex_entry(e) for e in collect(docs)))
    return path


def write_ris(docs: Sequence[AnnotatedDocument], path: Path) -> Path:
    """Write the deduplicated references of ``docs`` as RIS (UTF-8, CR LF) to ``path``."""
    write_atomic(path, "\r\n".join(ris_record(e) for e in collect(docs)))
    return path
