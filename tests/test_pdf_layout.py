"""PDFs built with known ground truth: two columns, running header and footer, hyphenation."""

from __future__ import annotations

from pathlib import Path

import pytest

import nlp_iom
from nlp_iom.extract.layout import LayoutSettings, analyse
from nlp_iom.extract.pdf import PdfiumReader, PdfplumberReader


@pytest.mark.parametrize("reader", ["pdfium", "pdfplumber"])
def test_two_columns_in_reading_order(two_column, reader: str) -> None:
    path, truth = two_column
    doc = nlp_iom.read(path, reader=reader)
    assert [p.text for p in doc.body_passages()] == truth.paragraphs
    assert doc.metadata.title == truth.title
    assert [a.name for a in doc.metadata.authors] == ["Siti Rahmawati", "John Carter"]
    assert [s.title for s in doc.sections] == ["1 Introduction"]
    assert [p.pages for p in doc.body_passages()] == [[1]] * 4 + [[2]] * 4 + [[3]] * 4


@pytest.mark.parametrize("reader", ["pdfium", "pdfplumber"])
def test_header_footer_and_page_numbers_removed(two_column, reader: str) -> None:
    path, truth = two_column
    doc = nlp_iom.read(path, reader=reader)
    for furniture in truth.furniture:
        assert furniture not in doc.text


def test_hyphenation_mended_and_reduplication_kept(two_column) -> None:
    path, truth = two_column
    doc = nlp_iom.read(path)
    for word in truth.mended:
        assert word in doc.text
    assert "govern- ment" not in doc.text and "govern-ment" not in doc.text
    for word in truth.kept:
        assert word in doc.text


def test_readers_give_the_same_words(two_column) -> None:
    path, _ = two_column
    def boxes(pages):
        return [sorted((w.text, round(w.x0), round(w.top / 4)) for w in page.words) for page in pages]

    fast, reference = boxes(PdfiumReader().read(path)), boxes(PdfplumberReader().read(path))
    assert [[w[0] for w in page] for page in fast] == [[w[0] for w in page] for page in reference]
    for fast_page, reference_page in zip(fast, reference):
        assert all(abs(a[1] - b[1]) <= 1 for a, b in zip(fast_page, reference_page))


def test_layout_settings_are_validated() -> None:
    from nlp_iom.errors import ConfigError

    with pytest.raises(ConfigError, match="margin_band"):
        LayoutSettings(margin_band=1.5)
    with pytest.raises(ConfigError, match="gutter_band"):
        LayoutSettings(gutter_band=(0.7, 0.3))


def test_single_column_page_is_not_split(tmp_path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "single.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Times-Roman", 11)
    line = "IOM and the task force met in Sambas to plan the return of victims and the training of paralegals."
    for i in range(30):
        c.drawString(60, 760 - i * 14, line)
    c.save()
    blocks = analyse(PdfiumReader().read(path))
    assert len(blocks) == 1
    assert blocks[0].text == " ".join([line] * 30)


def test_arabic_words_keep_their_letters_and_lines_read_right_to_left(tmp_path: Path) -> None:
    """RTL text with the default reader once came out one letter per word (#19)."""
    from pdf_factory import ARABIC_WORDS, DEJAVU, build_arabic

    if not DEJAVU.exists():
        pytest.skip("DejaVu Sans (fonts-dejavu-core) is not installed")
    path = tmp_path / "arabic.pdf"
    build_arabic(path)
    words = [w.text for w in PdfiumReader().read(path)[0].words]
    assert words[: len(ARABIC_WORDS)] == ARABIC_WORDS
    doc = nlp_iom.read(path)
    assert " ".join(ARABIC_WORDS) in doc.text and "IOM report 2020" in doc.text
