"""``read(path) -> Document``: the entry point of extraction for PDF, text and Markdown files."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from nlp_iom.document import Document
from nlp_iom.errors import ConfigError, ExtractionTimeoutError, FileMissingError, UnsupportedFormatError
from nlp_iom.extract.layout import LayoutSettings, analyse
from nlp_iom.extract.pdf import DEFAULT_READER, READERS, get_reader
from nlp_iom.extract.structure import build_document
from nlp_iom.extract.text import TEXT_SUFFIXES, read_text_blocks

PDF_SUFFIXES = (".pdf",)
SUPPORTED_SUFFIXES = PDF_SUFFIXES + TEXT_SUFFIXES


@dataclass(frozen=True)
class ReadSettings:
    """How to read a file.

    Attributes:
        reader: PDF backend: ``pdfium`` (fast, default) or ``pdfplumber`` (reference).
        password: Password of an encrypted PDF.
        encoding: Encoding of a text file; detected when None.
        layout: Thresholds of the PDF layout analysis.
        max_seconds: Give up on one file after this long (checked between stages); None for no limit.
    """

    reader: str = DEFAULT_READER
    password: str | None = None
    encoding: str | None = None
    layout: LayoutSettings = LayoutSettings()
    max_seconds: float | None = None

    def __post_init__(self) -> None:
        if self.reader not in READERS:
            raise ConfigError("reader", f"unknown PDF reader {self.reader!r}; choose one of {sorted(READERS)}")
        if self.max_seconds is not None and self.max_seconds <= 0:
            raise ConfigError("max_seconds", f"must be positive, got {self.max_seconds!r}")


def read(path: str | Path, settings: ReadSettings | None = None, **overrides: object) -> Document:
    """Read a PDF, plain-text or Markdown file into a structured :class:`Document`.

    Args:
        path: The file.
        settings: Reading options; keyword ``overrides`` (for example ``reader="pdfplumber"``) replace fields.

    Returns:
        The Document: metadata, abstracts, section tree, passages, references, citations, abbreviations.

    Raises:
        InputError: A subclass naming the file and the cause (missing, not a PDF, corrupt,
            encrypted, empty, scanned, undecodable, unsupported type, timeout).
    """
    if settings is None:
        settings = ReadSettings(**overrides)  # type: ignore[arg-type]
    elif overrides:
        from dataclasses import replace

        settings = replace(settings, **overrides)  # type: ignore[arg-type]
    path = Path(path)
    if not path.exists():
        raise FileMissingError(path, "file not found")
    suffix = path.suffix.lower()
    started = time.monotonic()
    if suffix in PDF_SUFFIXES:
        pages = get_reader(settings.reader).read(path, settings.password)
        _check_time(path, started, settings)
        blocks = analyse(pages, settings.layout)
        page_count: int | None = len(pages)
    elif suffix in TEXT_SUFFIXES:
        blocks = read_text_blocks(path, settings.encoding)
        page_count = None
    else:
        raise UnsupportedFormatError(path, f"unsupported file type {suffix or '(none)'}; nlp_iom reads PDF, .txt and .md")
    _check_time(path, started, settings)
    return build_document(blocks, source=str(path), pages=page_count)


def _check_time(path: Path, started: float, settings: ReadSettings) -> None:
    if settings.max_seconds is not None and time.monotonic() - started > settings.max_seconds:
        raise ExtractionTimeoutError(path, f"extraction took longer than {settings.max_seconds:g} s")
