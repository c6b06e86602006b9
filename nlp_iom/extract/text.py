"""Plain-text and Markdown input: decode, then cut into blocks like the PDF path does.

The seeds are Markdown-like text converted from PDF: ``#`` headings, ``**bold**``
lines, ``- `` list items, tab-separated tables, escaped underscores and ``<url>``
links. Each is turned into a :class:`~nlp_iom.extract.blocks.Block` with the hint
it carries.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from nlp_iom.document import Author, Metadata
from nlp_iom.errors import DecodingError, EmptyDocumentError, FileMissingError
from nlp_iom.extract.blocks import Block
from nlp_iom.extract.dates import YEAR_RE, parse_date
from nlp_iom.extract.normalize import dehyphenate_join, normalize_text

#: Encodings tried in order when none is given; cp1252 is common for Indonesian Windows files.
FALLBACK_ENCODINGS = ("utf-8-sig", "cp1252")
#: Share of control characters above which decoded bytes are judged not to be text.
MAX_CONTROL_SHARE = 0.01
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
TABLE_RULE = re.compile(r"^[\s\-|:\t]+$")
LIST_ITEM = re.compile(r"^\s*(?:[-*+•]\s+|\d{1,3}[.)]\s+|[a-z][.)]\s+)")
BULLET = re.compile(r"^\s*[-*+•]\s+")
EMPHASIS = re.compile(r"(\*{1,3}|_{2,3})(?=\S)(.+?)(?<=\S)\1")
ANGLE_LINK = re.compile(r"<((?:https?|ftp)://[^>\s]+|[^>\s]+@[^>\s]+)>")
MD_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
HTML_TAG = re.compile(
    r"</?(?:i|b|em|strong|u|sup|sub|br|span|p|div|small|a|blockquote|font|center|section|article|hr|figure|figcaption)"
    r"\b[^>]*>", re.IGNORECASE)
ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
BOLD_LINE = re.compile(r"^\s*\*\*(.+?)\*\*\s*$")
ITALIC_LINE = re.compile(r"^\s*\*(?!\*)(.+?)(?<!\*)\*\s*$")
TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
#: A ``Key: value`` header line (Pelican, MultiMarkdown) at the top of a text file.
HEADER_FIELD = re.compile(r"^(?P<key>[A-Za-z][A-Za-z _-]{0,24}):[ \t]+(?P<value>\S.*?)\s*$")
#: YAML front matter: ``---`` lines around ``key: value`` lines.
YAML_FENCE = "---"
#: Header keys read into the metadata; a header needs at least one of them to count as one.
HEADER_KEYS = frozenset({"title", "author", "authors", "date", "year", "lang", "language", "slug", "template",
                         "pdf", "category", "tags", "keywords", "summary", "modified", "url", "save_as"})
AUTHOR_SPLIT = re.compile(r"\s*(?:;|,|\band\b|\bdan\b|&)\s*")


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split a metadata header off the top of a text file.

    Reads YAML-style front matter between ``---`` lines and Pelican/MultiMarkdown headers
    (``Title: ...`` lines up to the first blank line). Only a header whose keys include a known
    one (:data:`HEADER_KEYS`) is taken, so a first paragraph such as "Note: ..." stays text.

    Returns:
        The fields (lower-case keys) and the text after the header (the whole text when there is none).
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    fenced = start < len(lines) and lines[start].strip() == YAML_FENCE
    first = start + 1 if fenced else start
    fields: dict[str, str] = {}
    end = first
    while end < len(lines):
        line = lines[end]
        if fenced and line.strip() == YAML_FENCE:
            break
        match = HEADER_FIELD.match(line)
        if not match:
            break
        fields[match.group("key").strip().lower()] = match.group("value").strip().strip("\"'")
        end += 1
    closed = not fenced or (end < len(lines) and lines[end].strip() == YAML_FENCE)
    ends_block = fenced or end >= len(lines) or not lines[end].strip()
    if not fields or not closed or not ends_block or not HEADER_KEYS & fields.keys():
        return {}, text
    return fields, "\n".join(lines[end + 1 if fenced else end:])


def apply_front_matter(meta: Metadata, fields: dict[str, str]) -> None:
    """Fill title, authors, date/year and keywords of ``meta`` from header ``fields`` (header values win)."""
    if fields.get("title"):
        meta.title = clean_inline(fields["title"])
    names = fields.get("authors") or fields.get("author")
    if names:
        meta.authors = [Author(name=clean_inline(n)) for n in AUTHOR_SPLIT.split(names) if n.strip()]
    when = fields.get("date") or fields.get("year")
    if when:
        iso = parse_date(when)
        if iso:
            meta.dates["published"] = iso
        year = YEAR_RE.search(when)
        if year:
            meta.year = int(year.group(1))


def decode_bytes(data: bytes, path: str | Path, encoding: str | None = None) -> str:
    """Decode text bytes, refusing binary data and undecodable bytes with a typed error.

    Args:
        data: Raw file content.
        path: For the error message.
        encoding: Force one encoding; otherwise UTF-8 (with or without BOM), UTF-16 by BOM, then cp1252.

    Raises:
        DecodingError: No encoding fits, or the bytes are binary.
    """
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise DecodingError(path, f"unknown encoding {encoding!r}") from exc
        candidates: tuple[str, ...] = (encoding,)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)
    else:
        if b"\x00" in data:
            raise DecodingError(path, "binary data, not text (NUL bytes); wrong encoding or not a text file")
        candidates = FALLBACK_ENCODINGS
    for name in candidates:
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
        if controls > MAX_CONTROL_SHARE * max(1, len(text)):
            raise DecodingError(path, f"binary data, not text ({controls} control characters when read as {name})")
        return text
    raise DecodingError(path, f"cannot decode the text as {' or '.join(candidates)}; pass the right encoding")


def clean_inline(text: str) -> str:
    """Remove Markdown and HTML markup inside a line, keeping its words and URLs."""
    text = HTML_TAG.sub("", text)
    text = MD_LINK.sub(r"\1 (\2)", text)
    text = ANGLE_LINK.sub(r"\1", text)
    for _ in range(2):
        text = EMPHASIS.sub(r"\2", text)
    text = ESCAPE.sub(r"\1", text)
    text = text.replace("**", "")
    return normalize_text(text).strip()


def _flush(lines: list[str], blocks: list[Block]) -> None:
    if not lines:
        return
    bold = all(BOLD_LINE.match(ln) for ln in lines)
    italic = all(ITALIC_LINE.match(ln) for ln in lines)
    cleaned = [clean_inline(ln) for ln in lines]
    text = ""
    for line in cleaned:
        text = dehyphenate_join(text, line) if text else line
    if text:
        blocks.append(Block(text=text, bold=bold and not italic, lines=cleaned))
    lines.clear()


def text_to_blocks(text: str) -> list[Block]:
    """Cut Markdown-like text into blocks: paragraphs at blank lines, headings, list items and table rows apart."""
    blocks: list[Block] = []
    pending: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        if not line.strip():
            _flush(pending, blocks)
            continue
        heading = HEADING.match(line)
        if heading:
            _flush(pending, blocks)
            title = clean_inline(heading.group(2))
            if title:
                blocks.append(Block(text=title, heading_level=len(heading.group(1)), bold=True, lines=[title]))
        elif RULE.match(line):
            _flush(pending, blocks)
            blocks.append(Block(text="", kind="rule"))
        elif "\t" in line.strip() and not TABLE_RULE.match(line):
            _flush(pending, blocks)
            cells = [clean_inline(c) for c in line.strip().split("\t")]
            blocks.append(Block(text="\t".join(c for c in cells if c), kind="table", lines=[line]))
        elif TABLE_RULE.match(line) and ("|" in line or "\t" in line):
            continue
        elif LIST_ITEM.match(line) and not (pending and line.startswith(("  ", "\t"))):
            _flush(pending, blocks)
            pending.append(BULLET.sub("", line))
            _flush(pending, blocks)
            blocks[-1].kind = "list_item" if blocks else "paragraph"
        else:
            pending.append(line)
    _flush(pending, blocks)
    return [b for b in blocks if b.text or b.kind == "rule"]


def read_text_file(path: Path, encoding: str | None = None) -> tuple[list[Block], dict[str, str]]:
    """Read a .txt or .md file into blocks and its metadata header (see :func:`split_front_matter`).

    Raises:
        FileMissingError: The path is not a file.
        EmptyDocumentError: The file has no text.
        DecodingError: The bytes cannot be decoded.
    """
    if not path.is_file():
        raise FileMissingError(path, "file not found")
    data = path.read_bytes()
    if not data.strip():
        raise EmptyDocumentError(path, "the file is empty")
    fields, text = split_front_matter(decode_bytes(data, path, encoding))
    blocks = text_to_blocks(text)
    if not any(b.text for b in blocks):
        raise EmptyDocumentError(path, "the file holds no text")
    return blocks, fields


def read_text_blocks(path: Path, encoding: str | None = None) -> list[Block]:
    """Read a .txt or .md file into blocks (the header, if any, is left out; see :func:`read_text_file`)."""
    return read_text_file(path, encoding)[0]
