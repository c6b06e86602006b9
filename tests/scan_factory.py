"""Scanned PDFs with known text, made here: typeset with reportlab, rendered, skewed, noised.

The page is typeset in Helvetica, rendered by pypdfium2 at a scanner's resolution, rotated by a
small angle, given Gaussian noise, and saved as an image-only PDF page (as a scanner would).
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import numpy as np
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

PAGE_W, PAGE_H = A4

ID_TEXT = (
    "Pemerintah Kabupaten Sambas bekerja sama dengan International Organization for Migration "
    "untuk mencegah perdagangan orang di wilayah perbatasan. Gugus tugas daerah melakukan "
    "sosialisasi kepada masyarakat desa tentang bahaya perekrutan tenaga kerja secara ilegal. "
    "Korban yang kembali mendapatkan layanan kesehatan, pendampingan hukum dan bantuan modal usaha."
)
EN_TEXT = (
    "The International Organization for Migration trains police and immigration officers on the "
    "investigation of trafficking cases. Returning victims receive medical care, counselling and "
    "small grants to restart their livelihoods in their home villages. The regional task force "
    "meets every month to review new cases with the provincial government."
)
APPROVAL_TEXT = (
    "LEMBAR PENGESAHAN Skripsi ini telah diuji dan disetujui oleh tim penguji pada tanggal "
    "dua belas Juni dua ribu dua puluh empat di Jakarta."
)


def _typeset(c: canvas.Canvas, text: str, size: float = 12) -> None:
    y = PAGE_H - 90
    c.setFont("Helvetica", size)
    for line in textwrap.wrap(text, 78):
        c.drawString(60, y, line)
        y -= size * 1.5


def text_pdf_bytes(pages: list[str]) -> bytes:
    """A born-digital PDF with one page per text."""
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4)
    for text in pages:
        _typeset(c, text)
        c.showPage()
    c.save()
    return buffer.getvalue()


def scan_image(text: str, dpi: int = 200, skew: float = 0.7, noise: float = 18.0, seed: int = 0):
    """The page ``text`` as a grey scanner image (PIL), rotated by ``skew`` degrees, with noise."""
    import pypdfium2 as pdfium
    from PIL import Image

    document = pdfium.PdfDocument(text_pdf_bytes([text]))
    image = document[0].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    document.close()
    image = image.rotate(skew, resample=Image.BILINEAR, expand=False, fillcolor=255)
    pixels = np.asarray(image, dtype=np.float32)
    pixels += np.random.default_rng(seed).normal(0.0, noise, pixels.shape)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _draw_image(c: canvas.Canvas, image: object) -> None:
    from reportlab.lib.utils import ImageReader

    buffer = io.BytesIO()
    image.save(buffer, format="PNG")  # type: ignore[attr-defined]
    buffer.seek(0)
    c.drawImage(ImageReader(buffer), 0, 0, width=PAGE_W, height=PAGE_H)


def build_scan(path: Path, texts: list[str], **options: float) -> None:
    """An image-only PDF: one scanned page per text."""
    c = canvas.Canvas(str(path), pagesize=A4)
    for i, text in enumerate(texts):
        _draw_image(c, scan_image(text, seed=i, **options))  # type: ignore[arg-type]
        c.showPage()
    c.save()


def build_mixed(path: Path, before: str, scanned: str, after: str) -> None:
    """Text page, image-only page (a signed approval page), text page."""
    c = canvas.Canvas(str(path), pagesize=A4)
    _typeset(c, before)
    c.showPage()
    _draw_image(c, scan_image(scanned, seed=7))
    c.showPage()
    _typeset(c, after)
    c.showPage()
    c.save()


def build_noise_page(path: Path, text: str) -> None:
    """A text page, then an image page of pure noise that no OCR can read."""
    from PIL import Image

    c = canvas.Canvas(str(path), pagesize=A4)
    _typeset(c, text)
    c.showPage()
    rng = np.random.default_rng(3)
    noise = Image.fromarray(rng.integers(0, 255, (1100, 800), dtype=np.uint8))
    _draw_image(c, noise)
    c.showPage()
    c.save()
