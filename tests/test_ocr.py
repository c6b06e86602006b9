"""OCR with the real tesseract on scans made here from known text, and on real scanned PDFs."""

from __future__ import annotations

from pathlib import Path

import pytest

import nlp_iom
from conftest import shared_pdf
from nlp_iom import errors
from nlp_iom.evaluation.text import contains_words, word_accuracy
from nlp_iom.extract.ocr import OcrSettings, ocr_words, tesseract_available
from scan_factory import APPROVAL_TEXT, EN_TEXT, ID_TEXT, build_mixed, build_noise_page, build_scan

needs_tesseract = pytest.mark.skipif(not tesseract_available(), reason="tesseract or pytesseract not installed")


def body_text(doc: nlp_iom.Document) -> str:
    return " ".join(p.text for p in doc.passages)


@needs_tesseract
def test_scanned_pdf_returns_a_document_with_ocr_passages(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    build_scan(path, [ID_TEXT, EN_TEXT])
    doc = nlp_iom.read(path)
    ocr = doc.stages["ocr"]
    assert set(ocr["pages"]) == {"1", "2"} and ocr["flagged"] == []
    assert all(p.ocr and p.ocr_confidence is not None and p.ocr_confidence > 60 for p in doc.passages)
    page1 = " ".join(p.text for p in doc.passages if p.pages == [1])
    page2 = " ".join(p.text for p in doc.passages if p.pages == [2])
    assert word_accuracy(ID_TEXT, page1) >= 0.9
    assert word_accuracy(EN_TEXT, page2) >= 0.9
    languages = {p.language for p in doc.passages if len(p.text) > 120}
    assert languages == {"id", "en"}  # detected after OCR, per page


@needs_tesseract
def test_image_only_page_inside_a_text_pdf_is_read_in_order(tmp_path: Path) -> None:
    path = tmp_path / "mixed.pdf"
    build_mixed(path, EN_TEXT, APPROVAL_TEXT, ID_TEXT)
    doc = nlp_iom.read(path)
    assert list(doc.stages["ocr"]["pages"]) == ["2"]
    text = doc.text
    approval = text.find("disetujui")
    assert 0 < text.find("Migration") < approval < text.find("Kabupaten Sambas")
    ocr_passages = [p for p in doc.passages if p.ocr]
    assert ocr_passages and all(p.pages == [2] for p in ocr_passages)
    assert not any(p.ocr for p in doc.passages if p.pages in ([1], [3]))


@needs_tesseract
def test_unreadable_page_is_flagged_and_the_document_comes_back(tmp_path: Path) -> None:
    path = tmp_path / "noise.pdf"
    build_noise_page(path, EN_TEXT)
    doc = nlp_iom.read(path)
    assert doc.stages["ocr"]["flagged"] == [2]
    assert "reason" in doc.stages["ocr"]["pages"]["2"]
    assert contains_words(body_text(doc), "Returning victims receive medical care")


def test_ocr_off_keeps_scans_an_error(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    build_scan(path, [EN_TEXT])
    with pytest.raises(errors.ScannedPdfError, match="no text layer"):
        nlp_iom.read(path, ocr="off")


def test_without_tesseract_auto_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "scan.pdf"
    build_scan(path, [EN_TEXT])
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH on which no tesseract binary exists
    with pytest.raises(errors.ScannedPdfError, match="apt-get install tesseract-ocr tesseract-ocr-ind"):
        nlp_iom.read(path)


def test_settings_are_validated() -> None:
    with pytest.raises(errors.ConfigError, match="ocr"):
        nlp_iom.read("missing.pdf", ocr="sometimes")
    with pytest.raises(errors.ConfigError, match="dpi"):
        OcrSettings(dpi=20)
    with pytest.raises(errors.ConfigError, match="languages"):
        OcrSettings(languages="ind; rm -rf")


def test_ocr_words_scale_boxes_and_drop_noise() -> None:
    data = {
        "text": ["", "Perdagangan", "orang", "~~"],
        "conf": [-1, 91.0, 88.0, 5.0],
        "block_num": [1, 1, 1, 1], "par_num": [1, 1, 1, 1], "line_num": [1, 1, 1, 1],
        "left": [0, 300, 900, 1200], "top": [0, 600, 600, 600],
        "width": [0, 500, 250, 40], "height": [0, 50, 40, 40],
    }
    words, confidences = ocr_words(data, 72 / 300, 20.0)
    assert [w.text for w in words] == ["Perdagangan", "orang"] and confidences == [91.0, 88.0]
    assert words[0].x0 == pytest.approx(72.0) and words[0].top == words[1].top == pytest.approx(144.0)
    assert words[0].bottom == words[1].bottom == pytest.approx(650 * 72 / 300)
    assert words[0].size == words[1].size == pytest.approx(50 * 72 / 300 * 0.85, abs=0.05)


@needs_tesseract
@pytest.mark.slow
def test_real_scanned_approval_page() -> None:
    doc = nlp_iom.read(shared_pdf("dev/id_scan_uinjkt_2024_lembar_pengesahan.pdf"))
    assert doc.stages["ocr"]["flagged"] == []
    assert contains_words(body_text(doc), "Skripsi ini berjudul")
    assert doc.metadata.language == "id"


@needs_tesseract
def test_cli_extract_ocrs_a_scan_with_progress(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    cli = shutil.which("nlp-iom", path=str(Path(sys.executable).parent)) or shutil.which("nlp-iom")
    if cli is None:
        pytest.skip("the nlp-iom command is not installed")
    path = tmp_path / "scan.pdf"
    build_scan(path, [EN_TEXT, ID_TEXT])
    result = subprocess.run([cli, "extract", str(path), "--out", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "OCR page 2/2" in result.stderr  # progress, shown from the reader's child process
    doc = nlp_iom.Document.load(tmp_path / "out" / "scan.json")
    assert all(p.ocr for p in doc.passages)
    assert word_accuracy(EN_TEXT, " ".join(p.text for p in doc.passages if p.pages == [1])) >= 0.9
    refused = subprocess.run([cli, "extract", str(path), "--ocr", "off", "--out", str(tmp_path / "off")],
                             capture_output=True, text=True, timeout=300)
    assert refused.returncode == 1 and "scanned" in refused.stderr
