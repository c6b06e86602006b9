"""Word boxes from PDF pages, by pypdfium2 (fast, default) or pdfplumber (reference).

Both readers return the same :class:`PageWords` input for the layout analysis in
:mod:`nlp_iom.extract.layout`; they differ only in speed. Every failure is
turned into a typed :class:`~nlp_iom.errors.InputError` naming the file.
"""

from __future__ import annotations

import ctypes
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from nlp_iom.errors import (
    CorruptPdfError,
    EmptyDocumentError,
    EncryptedPdfError,
    FileMissingError,
    NotAPdfError,
    ScannedPdfError,
)

PDF_MAGIC = b"%PDF-"
#: How far into the file the ``%PDF-`` signature may start (the spec allows junk before it).
MAGIC_SEARCH_BYTES = 1024
#: Horizontal gap (points) that starts a new word, as pdfplumber's ``x_tolerance``.
X_TOLERANCE = 3.0
#: Vertical jump (points) that starts a new word, as pdfplumber's ``y_tolerance``.
Y_TOLERANCE = 3.0
#: Bidirectional classes of right-to-left letters and of the marks that sit on them.
RTL_CLASSES = frozenset({"R", "AL", "NSM"})
#: Font-name parts that mark a bold face ("Medi" is the bold of the Nimbus/Times clones LaTeX uses).
BOLD_MARKERS = ("bold", "black", "heavy", "semibold", "demi", "medi", "-bd", "cmbx")
BOLD_WEIGHT = 600
#: pdfium marks a hyphen at a line end as U+FFFE or U+0002.
PDFIUM_HYPHENS = str.maketrans({"\ufffe": "-", "\x02": "-"})
#: pdfminer writes glyphs without a Unicode mapping as ``(cid:NN)``.
CID_PATTERN = re.compile(r"\(cid:\d+\)")
#: Unicode categories dropped from words: controls, private use, format marks (soft hyphen, ZWSP, BOM).
DROPPED_CATEGORIES = frozenset({"Cc", "Co", "Cf", "Cs"})
#: pdfplumber's word gap as a fraction of the font size: LaTeX PDFs have no space glyphs.
X_TOLERANCE_RATIO = 0.15
#: pdfium's error codes (FPDF_ERR_*).
PDFIUM_ERR_PASSWORD = 4
PDFIUM_ERR_SECURITY = 5
PDFIUM_PAGEOBJ_IMAGE = 3
#: Buffer size for a font name from pdfium.
FONT_NAME_BYTES = 128
#: Angle (radians) within which text counts as upright.
UPRIGHT_TOLERANCE = 0.05


@dataclass(frozen=True, slots=True)
class Word:
    """A word with its box in points, origin at the top-left of the page."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool = False


@dataclass(slots=True)
class PageWords:
    """All upright words of one page."""

    number: int
    width: float
    height: float
    words: list[Word] = field(default_factory=list)
    has_images: bool = False
    ocr: bool = False
    ocr_confidence: float | None = None


class PdfReader(Protocol):
    """Anything that turns a PDF path into pages of words."""

    name: str

    def read(self, path: Path, password: str | None = None, check_text: bool = True) -> list[PageWords]:
        """Return the words of every page (``check_text``: raise when no page has text)."""
        ...


def normalize_word(text: str) -> str:
    """NFKC-normalise (ligatures, compatibility forms) and drop soft hyphens and zero-width marks."""
    text = unicodedata.normalize("NFKC", text.translate(PDFIUM_HYPHENS))
    text = CID_PATTERN.sub("", text)
    return "".join(ch for ch in text if unicodedata.category(ch) not in DROPPED_CATEGORIES)


def is_bold(fontname: str) -> bool:
    """Guess boldness from a font name such as ``ABCDEF+Times-BoldItalic``."""
    lowered = fontname.lower()
    return any(marker in lowered for marker in BOLD_MARKERS)


def check_pdf_file(path: Path) -> None:
    """Fail early on missing, empty or non-PDF files.

    Raises:
        FileMissingError: The path is not a file.
        EmptyDocumentError: The file has zero bytes.
        NotAPdfError: The bytes do not start with the PDF signature.
    """
    if not path.is_file():
        raise FileMissingError(path, "file not found")
    with path.open("rb") as handle:
        head = handle.read(MAGIC_SEARCH_BYTES)
    if not head:
        raise EmptyDocumentError(path, "the file is empty (0 bytes)")
    if PDF_MAGIC not in head:
        raise NotAPdfError(path, "not a PDF: the file does not start with the %PDF- signature")


def check_has_text(path: Path, pages: list[PageWords]) -> None:
    """Raise when the document has no pages or no text layer."""
    if not pages:
        raise EmptyDocumentError(path, "the PDF has no pages")
    if not any(page.words for page in pages):
        if any(page.has_images for page in pages):
            raise ScannedPdfError(path, "scanned PDF: the pages are images with no text layer (run OCR first)")
        raise EmptyDocumentError(path, "the PDF has no text on any page")


def is_rtl(ch: str) -> bool:
    """Whether ``ch`` is written right to left (Arabic, Hebrew), or is a mark riding on such a letter."""
    return unicodedata.bidirectional(ch) in RTL_CLASSES


def _continues(prev: tuple[str, float, float, float, float], ch: str, x0: float, x1: float, top: float) -> bool:
    """Whether a character at ``x0..x1`` (line ``top``) goes on the word whose last character is ``prev``.

    Left-to-right text continues to the right of ``prev``. A right-to-left script, stored in
    logical order, continues to its left: without that, every Arabic letter became its own word.
    """
    if abs(top - prev[3]) > Y_TOLERANCE:
        return False
    if prev[1] - X_TOLERANCE <= x0 <= prev[2] + X_TOLERANCE:
        return True
    return is_rtl(ch) and is_rtl(prev[0]) and prev[1] - X_TOLERANCE <= x1 <= prev[2] + X_TOLERANCE


class PdfiumReader:
    """Fast reader on pypdfium2: character boxes grouped into words like pdfplumber does."""

    name = "pdfium"

    def read(self, path: Path, password: str | None = None, check_text: bool = True) -> list[PageWords]:
        """Read every page of ``path``; with ``check_text``, a PDF without any text raises.

        Raises:
            EncryptedPdfError: A password is needed.
            CorruptPdfError: pdfium cannot parse the file.
        """
        import pypdfium2 as pdfium

        check_pdf_file(path)
        try:
            document = pdfium.PdfDocument(str(path), password=password)
        except pdfium.PdfiumError as exc:
            if getattr(exc, "err_code", None) in (PDFIUM_ERR_PASSWORD, PDFIUM_ERR_SECURITY):
                raise EncryptedPdfError(path, "the PDF is encrypted and needs a password") from exc
            raise CorruptPdfError(path, f"corrupt PDF: {exc}") from exc
        pages: list[PageWords] = []
        try:
            for index in range(len(document)):
                pages.append(self._page(document[index], index + 1))
        except pdfium.PdfiumError as exc:  # a page that cannot load: a broken or looping page tree
            raise CorruptPdfError(path, f"corrupt PDF: page {index + 1} cannot be read ({exc})") from exc
        finally:
            document.close()
        if check_text:
            check_has_text(path, pages)
        return pages

    def _page(self, page: object, number: int) -> PageWords:
        import pypdfium2.raw as raw

        width, height = page.get_size()  # type: ignore[attr-defined]
        textpage = page.get_textpage()  # type: ignore[attr-defined]
        handle = textpage.raw
        count = raw.FPDFText_CountChars(handle)
        text = textpage.get_text_range(0, count) if count > 0 else ""
        if len(text) != count:
            text = "".join(chr(raw.FPDFText_GetUnicode(handle, i) or 32) for i in range(count))
        words: list[Word] = []
        rect = raw.FS_RECTF()
        chars: list[tuple[str, float, float, float, float]] = []
        first_index = 0

        def flush() -> None:
            if chars:
                word = self._word(raw, handle, first_index, chars)
                if word is not None:
                    words.append(word)
                chars.clear()

        for i, ch in enumerate(text):
            if ch.isspace() or ch == "\x00":
                flush()
                continue
            if not raw.FPDFText_GetLooseCharBox(handle, i, rect):
                continue
            x0, x1 = rect.left, rect.right
            ctop, cbottom = height - rect.top, height - rect.bottom
            if chars and not _continues(chars[-1], ch, x0, x1, ctop):
                flush()
            if not chars:
                first_index = i
            chars.append((ch, x0, x1, ctop, cbottom))
        flush()
        has_images = not words and self._has_images(raw, page)
        textpage.close()
        return PageWords(number, float(width), float(height), words, has_images)

    def __init__(self) -> None:
        self._font_buffer = ctypes.create_string_buffer(FONT_NAME_BYTES)
        self._font_flags = ctypes.c_int()

    def _word(self, raw: object, handle: object, index: int, chars: list[tuple[str, float, float, float, float]]) -> Word | None:
        angle = raw.FPDFText_GetCharAngle(handle, index)  # type: ignore[attr-defined]
        if UPRIGHT_TOLERANCE < angle < 2 * math.pi - UPRIGHT_TOLERANCE:  # rotated text, e.g. margin stamps
            return None
        text = normalize_word("".join(c[0] for c in chars))
        if not text:
            return None
        size = raw.FPDFText_GetFontSize(handle, index)  # type: ignore[attr-defined]
        buffer = self._font_buffer
        raw.FPDFText_GetFontInfo(handle, index, buffer, len(buffer), ctypes.byref(self._font_flags))  # type: ignore[attr-defined]
        fontname = buffer.value.decode("utf-8", "replace")
        weight = raw.FPDFText_GetFontWeight(handle, index)  # type: ignore[attr-defined]
        _, x0s, x1s, tops, bottoms = zip(*chars)
        return Word(
            text=text,
            x0=min(x0s),
            x1=max(x1s),
            top=min(tops),
            bottom=max(bottoms),
            size=round(float(size), 2),
            bold=is_bold(fontname) or weight >= BOLD_WEIGHT + 100,
        )

    @staticmethod
    def _has_images(raw: object, page: object) -> bool:
        handle = page.raw  # type: ignore[attr-defined]
        for i in range(raw.FPDFPage_CountObjects(handle)):  # type: ignore[attr-defined]
            obj = raw.FPDFPage_GetObject(handle, i)  # type: ignore[attr-defined]
            if raw.FPDFPageObj_GetType(obj) == PDFIUM_PAGEOBJ_IMAGE:  # type: ignore[attr-defined]
                return True
        return False


class PdfplumberReader:
    """Reference reader on pdfplumber (pdfminer.six): slower, widely trusted."""

    name = "pdfplumber"

    def read(self, path: Path, password: str | None = None, check_text: bool = True) -> list[PageWords]:
        """Read every page of ``path``; with ``check_text``, a PDF without any text raises.

        Raises:
            EncryptedPdfError: A password is needed.
            CorruptPdfError: pdfminer cannot parse the file.
        """
        import pdfplumber
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

        check_pdf_file(path)
        pages: list[PageWords] = []
        try:
            with pdfplumber.open(str(path), password=password or "") as pdf:
                for number, page in enumerate(pdf.pages, start=1):
                    words = []
                    for w in page.extract_words(
                        x_tolerance=X_TOLERANCE,
                        x_tolerance_ratio=X_TOLERANCE_RATIO,
                        y_tolerance=Y_TOLERANCE,
                        return_chars=True,
                    ):
                        text = normalize_word(w["text"])
                        if not text or not w.get("upright", True):
                            continue
                        first = w["chars"][0]
                        words.append(
                            Word(
                                text=text,
                                x0=float(w["x0"]),
                                x1=float(w["x1"]),
                                top=float(w["top"]),
                                bottom=float(w["bottom"]),
                                size=round(float(first["size"]), 2),
                                bold=is_bold(str(first.get("fontname", ""))),
                            )
                        )
                    pages.append(
                        PageWords(number, float(page.width), float(page.height), words, bool(page.images) and not words)
                    )
        except Exception as exc:  # pdfminer raises many untyped errors on damaged files
            cause = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
            if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)) or "password" in str(cause).lower():
                raise EncryptedPdfError(path, "the PDF is encrypted and needs a password") from exc
            raise CorruptPdfError(path, f"corrupt PDF: {type(exc).__name__}: {exc}") from exc
        if check_text:
            check_has_text(path, pages)
        return pages


READERS: dict[str, type[PdfReader]] = {"pdfium": PdfiumReader, "pdfplumber": PdfplumberReader}
DEFAULT_READER = "pdfium"


def get_reader(name: str) -> PdfReader:
    """Return a reader by name (``pdfium`` or ``pdfplumber``)."""
    from nlp_iom.errors import ConfigError

    if name not in READERS:
        raise ConfigError("reader", f"unknown PDF reader {name!r}; choose one of {sorted(READERS)}")
    return READERS[name]()
