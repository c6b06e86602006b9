"""OCR for pages without a text layer, with Debian's tesseract through pytesseract.

A PDF reader gives :class:`~nlp_iom.extract.pdf.PageWords` per page. Pages that have images but no
words (a scan, a signed approval page, a scanned appendix) are rendered with pypdfium2 and read by
tesseract; its word boxes become ordinary :class:`~nlp_iom.extract.pdf.Word` objects in PDF points,
so the layout analysis that follows treats OCR'd and born-digital pages alike and keeps the reading
order of the whole document.

Each OCR'd page records its mean word confidence; a page below
:attr:`OcrSettings.min_confidence`, or one tesseract failed on, is *flagged*
(:attr:`PageOcr.flagged`) and reported in ``doc.stages["ocr"]``, never silently kept or dropped.
"""

from __future__ import annotations

import logging
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from nlp_iom.errors import ConfigError, ExtractionTimeoutError, ScannedPdfError
from nlp_iom.extract.pdf import PageWords, Word, normalize_word

log = logging.getLogger(__name__)

OCR_MODES = ("auto", "off", "force")
#: How to install the OCR engine, named in the error raised when it is missing.
INSTALL_HINT = (
    "install tesseract with its Indonesian and English data (Debian/Ubuntu: "
    "`apt-get install tesseract-ocr tesseract-ocr-ind tesseract-ocr-eng`) and `pip install nlp_iom[ocr]` "
    "(pytesseract), or pass ocr='off'"
)
#: tesseract language codes joined by "+" ("ind+eng", "chi_sim").
LANGUAGES = re.compile(r"[A-Za-z0-9_]+(?:\+[A-Za-z0-9_]+)*")
#: A word box's height (points) over the font size: tesseract boxes span ascender to descender.
BOX_TO_FONT = 0.85


@dataclass(frozen=True)
class OcrSettings:
    """How pages without a text layer are read.

    Attributes:
        languages: tesseract language models, joined by ``+`` (``ind+eng`` reads both).
        dpi: Resolution at which a page is rendered for tesseract.
        min_confidence: A page whose mean word confidence (0-100) is below this is flagged.
        min_word_confidence: Words below this confidence (0-100) are dropped as noise.
        page_timeout: Seconds tesseract may spend on one page before the page is flagged.
        on_page: Called as ``on_page(done, total)`` after each OCR'd page (progress bars).
    """

    languages: str = "ind+eng"
    dpi: int = 300
    min_confidence: float = 60.0
    min_word_confidence: float = 20.0
    page_timeout: float = 120.0
    on_page: Callable[[int, int], None] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not 72 <= self.dpi <= 600:
            raise ConfigError("ocr.dpi", f"must be between 72 and 600, got {self.dpi!r}")
        for name in ("min_confidence", "min_word_confidence"):
            value = getattr(self, name)
            if not 0 <= value <= 100:
                raise ConfigError(f"ocr.{name}", f"must be between 0 and 100, got {value!r}")
        if self.page_timeout <= 0:
            raise ConfigError("ocr.page_timeout", f"must be positive, got {self.page_timeout!r}")
        if not LANGUAGES.fullmatch(self.languages):
            raise ConfigError("ocr.languages", f"expected tesseract codes joined by '+', got {self.languages!r}")


@dataclass
class PageOcr:
    """What OCR did on one page."""

    page: int
    confidence: float | None
    words: int
    flagged: bool
    reason: str = ""


def tesseract_available() -> bool:
    """True when pytesseract imports and the ``tesseract`` binary is on the PATH."""
    try:
        import pytesseract  # noqa: F401
    except ImportError:
        return False
    return shutil.which("tesseract") is not None


def pages_to_ocr(pages: list[PageWords], mode: str) -> list[int]:
    """Indexes of the pages that OCR should read under ``mode`` (``auto``, ``off`` or ``force``)."""
    if mode not in OCR_MODES:
        raise ConfigError("ocr", f"unknown OCR mode {mode!r}; choose one of {list(OCR_MODES)}")
    if mode == "off":
        return []
    if mode == "force":
        return list(range(len(pages)))
    return [i for i, page in enumerate(pages) if not page.words and page.has_images]


def ocr_pages(
    path: Path,
    pages: list[PageWords],
    mode: str,
    settings: OcrSettings,
    password: str | None = None,
    deadline: float | None = None,
) -> list[PageOcr]:
    """OCR the pages that need it, in place: their words are replaced by tesseract's.

    Args:
        path: The PDF, rendered page by page.
        pages: The reader's pages; OCR'd ones get ``ocr=True`` and their confidence.
        mode: ``auto`` (image-only pages), ``force`` (every page) or ``off``.
        settings: Engine options.
        password: Of an encrypted PDF.
        deadline: ``time.monotonic()`` value after which the document is abandoned.

    Returns:
        One :class:`PageOcr` per page read.

    Raises:
        ScannedPdfError: Pages need OCR and tesseract is not installed (the message says how to install it).
        ExtractionTimeoutError: The deadline passed.
    """
    todo = pages_to_ocr(pages, mode)
    if not todo:
        return []
    if not tesseract_available():
        if all(not page.words for page in pages):
            raise ScannedPdfError(path, f"scanned PDF: the pages are images with no text layer; to read it, {INSTALL_HINT}")
        log.warning("%s: %d image-only page(s) not OCR'd: %s", path, len(todo), INSTALL_HINT)
        return [PageOcr(pages[i].number, None, 0, True, "tesseract not installed") for i in todo]
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path), password=password)
    results: list[PageOcr] = []
    try:
        for done, index in enumerate(todo, start=1):
            if deadline is not None and time.monotonic() > deadline:
                raise ExtractionTimeoutError(path, f"OCR stopped after {done - 1} of {len(todo)} pages: time limit reached")
            page = pages[index]
            image = document[index].render(scale=settings.dpi / 72).to_pil()
            results.append(_ocr_page(page, image, settings))
            if settings.on_page is not None:
                settings.on_page(done, len(todo))
    finally:
        document.close()
    return results


def _ocr_page(page: PageWords, image: object, settings: OcrSettings) -> PageOcr:
    """Run tesseract on one rendered page and put its words on ``page``."""
    import pytesseract

    try:
        data = pytesseract.image_to_data(
            image, lang=settings.languages, output_type=pytesseract.Output.DICT, timeout=settings.page_timeout
        )
    except RuntimeError as exc:  # pytesseract's timeout
        page.ocr = True
        return PageOcr(page.number, None, 0, True, f"tesseract gave up: {exc}")
    except pytesseract.TesseractError as exc:
        page.ocr = True
        return PageOcr(page.number, None, 0, True, f"tesseract failed: {exc.message or exc}")
    words, confidences = ocr_words(data, 72 / settings.dpi, settings.min_word_confidence)
    page.words = words
    page.ocr = True
    confidence = round(sum(confidences) / len(confidences), 1) if confidences else None
    page.ocr_confidence = confidence
    if confidence is None:
        return PageOcr(page.number, None, 0, True, "no readable text")
    if confidence < settings.min_confidence:
        return PageOcr(page.number, confidence, len(words), True, f"mean confidence {confidence} < {settings.min_confidence}")
    return PageOcr(page.number, confidence, len(words), False)


def ocr_words(data: dict[str, list], scale: float, min_confidence: float) -> tuple[list[Word], list[float]]:
    """Turn pytesseract's ``image_to_data`` dict into words in points, and their confidences.

    Every word of a tesseract line gets the line's font size (the tallest box over
    :data:`BOX_TO_FONT`) and the line's vertical extent, so the layout analysis sees one straight
    line per tesseract line, as in a text layer, even on a skewed scan.
    """
    lines: dict[tuple[int, int, int], list[int]] = {}
    for i, text in enumerate(data["text"]):
        if not str(text).strip() or float(data["conf"][i]) < min_confidence:
            continue
        lines.setdefault((data["block_num"][i], data["par_num"][i], data["line_num"][i]), []).append(i)
    words: list[Word] = []
    confidences: list[float] = []
    for indexes in lines.values():
        tallest = max(data["height"][i] for i in indexes)
        size = round(tallest * scale * BOX_TO_FONT, 1)
        top = sorted(data["top"][i] for i in indexes)[len(indexes) // 2] * scale
        for i in indexes:
            text = normalize_word(str(data["text"][i]))
            if not text:
                continue
            left = data["left"][i] * scale
            words.append(Word(text, left, left + data["width"][i] * scale, top, top + tallest * scale, size))
            confidences.append(float(data["conf"][i]))
    return words, confidences


def ocr_report(results: list[PageOcr], settings: OcrSettings) -> dict[str, object]:
    """The ``doc.stages["ocr"]`` record: engine, languages and each page's confidence and flag."""
    return {
        "engine": "tesseract",
        "languages": settings.languages,
        "dpi": settings.dpi,
        "pages": {str(r.page): {"confidence": r.confidence, "words": r.words, "flagged": r.flagged,
                                **({"reason": r.reason} if r.reason else {})} for r in results},
        "flagged": [r.page for r in results if r.flagged],
    }
