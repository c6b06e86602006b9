"""``read(path) -> Document``: the entry point of extraction for PDF, text and Markdown files."""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, replace
from pathlib import Path

from nlp_iom.document import Document
from nlp_iom.errors import (
    ConfigError,
    ExtractionTimeoutError,
    FileMissingError,
    UnsupportedFormatError,
    printable_path,
)
from nlp_iom.extract.footnotes import link_footnotes, split_footnotes
from nlp_iom.extract.layout import LayoutSettings, analyse
from nlp_iom.extract.limits import DEFAULT_MAX_MEMORY_MB, run_limited
from nlp_iom.extract.metadata import masthead_year
from nlp_iom.extract.ocr import OCR_MODES, OcrSettings, ocr_pages, ocr_report
from nlp_iom.extract.pdf import DEFAULT_READER, READERS, check_has_text, get_reader
from nlp_iom.extract.structure import build_document
from nlp_iom.extract.tables import TableSettings, find_tables
from nlp_iom.extract.text import TEXT_SUFFIXES, apply_front_matter, read_text_file

PDF_SUFFIXES = (".pdf",)
SUPPORTED_SUFFIXES = PDF_SUFFIXES + TEXT_SUFFIXES
#: A text file larger than this is read in a bounded child even without ``max_seconds``.
ISOLATE_TEXT_BYTES = 2 * 2**20
#: Seconds one file may take in a batch (extract, annotate, index add) before its reader is stopped.
DEFAULT_TIMEOUT = 300.0


@dataclass(frozen=True)
class ReadSettings:
    """How to read a file.

    Attributes:
        reader: PDF backend: ``pdfium`` (fast, default) or ``pdfplumber`` (reference).
        password: Password of an encrypted PDF.
        encoding: Encoding of a text file; detected when None.
        layout: Thresholds of the PDF layout analysis.
        max_seconds: Give up on one file after this long; None for no limit. With ``isolate``
            the reader child is stopped at that moment, whatever stage it is in; without, the
            limit is checked between stages and OCR'd pages.
        max_memory_mb: How far the reader child's memory may grow (a decompression bomb stops
            there with :class:`~nlp_iom.errors.ResourceLimitError`); None for no limit.
        isolate: Read in a child process that bounds time and memory, so that no file can
            abort or exhaust the calling process: ``"auto"`` (default) does so for every PDF, and
            for a text file that is large (over :data:`ISOLATE_TEXT_BYTES`) or read under
            ``max_seconds``; ``True`` for every file; ``False`` reads in this process. A child
            costs a fork (tens of milliseconds in a process that has loaded models).
        ocr: ``auto`` OCRs pages that have images but no text layer, ``force`` OCRs every page,
            ``off`` never OCRs (a scan then raises :class:`~nlp_iom.errors.ScannedPdfError`).
        ocr_options: Languages, resolution, confidence thresholds and progress callback of the OCR.
        tables: How tables are found (``TableSettings(enabled=False)`` skips them).
        footnotes: Take footnotes out of the body text into ``doc.footnotes`` (False keeps them inline).
    """

    reader: str = DEFAULT_READER
    password: str | None = None
    encoding: str | None = None
    layout: LayoutSettings = LayoutSettings()
    max_seconds: float | None = None
    max_memory_mb: int | None = DEFAULT_MAX_MEMORY_MB
    isolate: bool | str = "auto"
    ocr: str = "auto"
    ocr_options: OcrSettings = OcrSettings()
    tables: TableSettings = TableSettings()
    footnotes: bool = True

    def __post_init__(self) -> None:
        if self.ocr not in OCR_MODES:
            raise ConfigError("ocr", f"unknown OCR mode {self.ocr!r}; choose one of {list(OCR_MODES)}")
        if self.reader not in READERS:
            raise ConfigError("reader", f"unknown PDF reader {self.reader!r}; choose one of {sorted(READERS)}")
        if self.max_seconds is not None and self.max_seconds <= 0:
            raise ConfigError("max_seconds", f"must be positive, got {self.max_seconds!r}")
        if self.isolate not in (True, False, "auto"):
            raise ConfigError("isolate", f"must be True, False or 'auto', got {self.isolate!r}")
        if self.max_memory_mb is not None and (not isinstance(self.max_memory_mb, int) or self.max_memory_mb < 64):
            raise ConfigError("max_memory_mb", f"must be a whole number of MB, at least 64, got {self.max_memory_mb!r}")


def read(path: str | Path, settings: ReadSettings | None = None, **overrides: object) -> Document:
    """Read a PDF, plain-text or Markdown file into a structured :class:`Document`.

    Args:
        path: The file.
        settings: Reading options; keyword ``overrides`` (for example ``reader="pdfplumber"``) replace fields.

    Returns:
        The Document: metadata, abstracts, section tree, passages, references, citations, abbreviations.

    A PDF (and a large text, or any file read under ``max_seconds``) is read in a child process
    bounded by ``settings.max_seconds`` and ``settings.max_memory_mb``, so a crafted file cannot
    abort or exhaust the caller (``settings.isolate``).

    Raises:
        InputError: A subclass naming the file and the cause (missing, not a PDF, corrupt,
            encrypted, empty, scanned, undecodable, unsupported type, timeout, resource limit).
    """
    if settings is None:
        settings = ReadSettings(**overrides)  # type: ignore[arg-type]
    elif overrides:
        settings = replace(settings, **overrides)  # type: ignore[arg-type]
    path = Path(path)
    if not path.exists():
        raise FileMissingError(path, "file not found")
    if _isolated(path, settings):
        data = run_limited(_read_to_dict, (path, settings), path, settings.max_seconds, settings.max_memory_mb)
        return Document.from_dict(data)
    return _read_here(path, settings)


def _isolated(path: Path, settings: ReadSettings) -> bool:
    """Whether ``path`` is read in a bounded child (see ``ReadSettings.isolate``)."""
    if settings.isolate != "auto":
        return bool(settings.isolate)
    if path.suffix.lower() in PDF_SUFFIXES or settings.max_seconds is not None:
        return True
    try:
        return path.stat().st_size > ISOLATE_TEXT_BYTES
    except OSError:
        return False


def _read_to_dict(path: Path, settings: ReadSettings) -> dict:
    return _read_here(path, settings).to_dict()


def _read_here(path: Path, settings: ReadSettings) -> Document:
    """Read ``path`` in this process (the body of :func:`read`)."""
    suffix = path.suffix.lower()
    started = time.monotonic()
    header: dict[str, str] = {}
    ocr_results: list = []
    pages: list = []
    tables: list = []
    footnotes: list = []
    if suffix in PDF_SUFFIXES:
        pages = get_reader(settings.reader).read(path, settings.password, check_text=settings.ocr == "off")
        _check_time(path, started, settings)
        deadline = None if settings.max_seconds is None else started + settings.max_seconds
        ocr_results = ocr_pages(path, pages, settings.ocr, settings.ocr_options, settings.password, deadline)
        check_has_text(path, pages)
        tables = find_tables(path, pages, settings.tables, settings.password)
        blocks = analyse(pages, settings.layout)
        if settings.footnotes:
            blocks, footnotes = split_footnotes(blocks, {p.number: p.height for p in pages})
        page_count: int | None = len(pages)
    elif suffix in TEXT_SUFFIXES:
        blocks, header = read_text_file(path, settings.encoding)
        page_count = None
    else:
        raise UnsupportedFormatError(path, f"unsupported file type {suffix or '(none)'}; nlp_iom reads PDF, .txt and .md")
    _check_time(path, started, settings)
    doc = build_document(blocks, source=printable_path(path), pages=page_count)
    if header:
        apply_front_matter(doc.metadata, header)
    doc.tables, doc.footnotes = tables, footnotes
    link_footnotes(doc)
    if suffix in PDF_SUFFIXES:
        if ocr_results:
            _mark_ocr(doc, ocr_results, settings.ocr_options)
        if doc.metadata.year is None and pages:
            first = pages[0]
            doc.metadata.year = masthead_year([(w.text, w.top) for w in first.words], first.height,
                                              datetime.date.today().year + 1)
    return doc


def _mark_ocr(doc: Document, results: list, options: OcrSettings) -> None:
    """Record OCR per page in ``doc.stages["ocr"]`` and mark the passages that came from OCR'd pages."""
    report = ocr_report(results, options)
    doc.stages["ocr"] = report
    confidence = {int(page): info["confidence"] for page, info in report["pages"].items()}  # type: ignore[union-attr]
    for passage in doc.passages:
        read = [confidence[p] for p in passage.pages if p in confidence]
        if read:
            passage.ocr = True
            known = [c for c in read if c is not None]
            passage.ocr_confidence = min(known) if known else None


def read_with_timeout(path: str | Path, seconds: float, settings: ReadSettings | None = None) -> Document:
    """Like :func:`read`, stopped after ``seconds`` (in its child process, whatever the stage).

    Raises:
        ExtractionTimeoutError: The read did not finish in time.
        InputError: Whatever :func:`read` raised, with the same type.
    """
    if seconds <= 0:
        raise ConfigError("timeout", f"must be positive, got {seconds!r}")
    return read(path, replace(settings or ReadSettings(), max_seconds=seconds, isolate=True))


def _check_time(path: Path, started: float, settings: ReadSettings) -> None:
    if settings.max_seconds is not None and time.monotonic() - started > settings.max_seconds:
        raise ExtractionTimeoutError(path, f"extraction took longer than {settings.max_seconds:g} s")
