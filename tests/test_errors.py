"""Bad input: each failure is a typed error naming the file and the cause."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import nlp_iom
from nlp_iom import errors
from pdf_factory import build_blank, build_bomb, build_encrypted, build_looping_page_tree, build_scanned


@pytest.mark.parametrize("reader", ["pdfium", "pdfplumber"])
def test_text_named_pdf(tmp_path: Path, reader: str) -> None:
    path = tmp_path / "paper.pdf"
    path.write_text("This is not a PDF at all, only text with a .pdf name.")
    with pytest.raises(errors.NotAPdfError) as info:
        nlp_iom.read(path, reader=reader)
    assert str(path) in str(info.value) and "not a PDF" in str(info.value)


@pytest.mark.parametrize("reader", ["pdfium", "pdfplumber"])
def test_corrupt_pdf(tmp_path: Path, reader: str, two_column) -> None:
    path = tmp_path / "broken.pdf"
    good = two_column[0].read_bytes()
    path.write_bytes(good[:20] + b"\x00garbage" * 50)
    with pytest.raises((errors.CorruptPdfError, errors.EmptyDocumentError)) as info:
        nlp_iom.read(path, reader=reader)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("reader", ["pdfium", "pdfplumber"])
def test_encrypted_pdf(tmp_path: Path, reader: str) -> None:
    path = tmp_path / "secret.pdf"
    build_encrypted(path, password="rahasia")
    with pytest.raises(errors.EncryptedPdfError, match="encrypted"):
        nlp_iom.read(path, reader=reader)
    doc = nlp_iom.read(path, reader=reader, password="rahasia")
    assert "perdagangan orang" in doc.text


@pytest.mark.parametrize("reader", ["pdfium", "pdfplumber"])
def test_scanned_pdf(tmp_path: Path, reader: str) -> None:
    path = tmp_path / "scan.pdf"
    build_scanned(path)
    with pytest.raises(errors.ScannedPdfError, match="no text layer"):
        nlp_iom.read(path, reader=reader, ocr="off")


def test_blank_and_zero_byte_pdf(tmp_path: Path) -> None:
    blank = tmp_path / "blank.pdf"
    build_blank(blank)
    with pytest.raises(errors.EmptyDocumentError, match="no text"):
        nlp_iom.read(blank)
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(errors.EmptyDocumentError, match="empty"):
        nlp_iom.read(empty)


def test_text_encodings(tmp_path: Path) -> None:
    latin = tmp_path / "catatan.txt"
    latin.write_bytes("Kerja sama IOM dan pemerintah — “peran” organisasi.\n".encode("cp1252"))
    assert "“peran”" in nlp_iom.read(latin).text
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes("Perdagangan orang di perbatasan Sambas.".encode("utf-16"))
    assert "Sambas" in nlp_iom.read(utf16).text
    with pytest.raises(errors.DecodingError, match="utf-8"):
        nlp_iom.read(latin, encoding="utf-8")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(errors.DecodingError, match="binary"):
        nlp_iom.read(binary)
    with pytest.raises(errors.DecodingError, match="unknown encoding"):
        nlp_iom.read(latin, encoding="klingon-8")


def test_missing_empty_and_unsupported(tmp_path: Path) -> None:
    with pytest.raises(errors.FileMissingError):
        nlp_iom.read(tmp_path / "nope.pdf")
    blank = tmp_path / "blank.md"
    blank.write_text("   \n\n")
    with pytest.raises(errors.EmptyDocumentError):
        nlp_iom.read(blank)
    docx = tmp_path / "paper.docx"
    docx.write_bytes(b"PK\x03\x04")
    with pytest.raises(errors.UnsupportedFormatError, match=".docx"):
        nlp_iom.read(docx)


def test_bad_config() -> None:
    with pytest.raises(errors.ConfigError, match="reader"):
        nlp_iom.ReadSettings(reader="tesseract")
    with pytest.raises(errors.ConfigError, match="max_seconds"):
        nlp_iom.ReadSettings(max_seconds=0)


def test_newer_schema_refused(seed_paper) -> None:
    data = json.loads(seed_paper.to_json())
    data["schema_version"] = "9.0"
    with pytest.raises(errors.SchemaVersionError, match="9.0"):
        nlp_iom.Document.from_dict(data)


def test_timeout_stops_a_slow_read() -> None:
    from conftest import shared_pdf
    from nlp_iom.reader import read_with_timeout

    path = shared_pdf("id/ui_skripsi_2017_srl_bahasa_indonesia_bilingual.pdf")
    with pytest.raises(errors.ExtractionTimeoutError, match="did not finish within 0.05 s") as info:
        read_with_timeout(path, 0.05, nlp_iom.ReadSettings(reader="pdfplumber"))
    assert str(path) in str(info.value)


def test_timeout_path_keeps_results_and_error_types(tmp_path: Path) -> None:
    from conftest import SEED_PAPER
    from nlp_iom.reader import read_with_timeout

    assert read_with_timeout(SEED_PAPER, 60) == nlp_iom.read(SEED_PAPER)
    bad = tmp_path / "bad.pdf"
    bad.write_text("plain text")
    with pytest.raises(errors.NotAPdfError, match="not a PDF"):
        read_with_timeout(bad, 60)


@pytest.mark.parametrize("reader", ["pdfium", "pdfplumber"])
def test_a_page_tree_that_lists_itself_is_a_typed_error(tmp_path: Path, reader: str) -> None:
    path = tmp_path / "loop.pdf"
    build_looping_page_tree(path)
    with pytest.raises(errors.InputError) as info:
        nlp_iom.read(path, reader=reader, isolate=False)  # in this process: the reader itself converts it
    assert str(path) in str(info.value)
    assert isinstance(info.value, (errors.CorruptPdfError, errors.EmptyDocumentError))


def test_a_decompression_bomb_stops_at_the_memory_limit(tmp_path: Path) -> None:
    """30 MB of content stream from a few hundred KB: pdfium would take about 500 MB of memory."""
    path = tmp_path / "bomb.pdf"
    build_bomb(path, inflated_mb=30)
    assert path.stat().st_size < 2 * 2**20
    with pytest.raises(errors.ResourceLimitError, match="memory limit of 128 MB") as info:
        nlp_iom.read(path, max_memory_mb=128)
    assert str(path) in str(info.value)


def test_the_limits_are_validated() -> None:
    with pytest.raises(errors.ConfigError, match="max_memory_mb"):
        nlp_iom.ReadSettings(max_memory_mb=10)


def test_max_seconds_stops_a_long_stage_on_time(tmp_path: Path) -> None:
    """A 20 MB text once ran 15 s past ``max_seconds=5``: the limit was checked between stages only."""
    import time

    path = tmp_path / "huge.txt"
    paragraph = "IOM bekerja sama dengan pemerintah daerah dalam pencegahan perdagangan orang. " * 12 + "\n\n"
    path.write_text(paragraph * (20 * 2**20 // len(paragraph)), encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(errors.ExtractionTimeoutError, match="within 1 s") as info:
        nlp_iom.read(path, max_seconds=1)
    assert time.monotonic() - started < 5 and str(path) in str(info.value)


def test_which_reads_run_in_the_bounded_child(tmp_path: Path) -> None:
    from nlp_iom.reader import ISOLATE_TEXT_BYTES, _isolated

    small, large, pdf = tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "c.pdf"
    small.write_text("IOM di Sambas.", encoding="utf-8")
    large.write_bytes(b"IOM di Sambas. " * (ISOLATE_TEXT_BYTES // 15 + 1))
    pdf.write_bytes(b"%PDF-1.4")
    auto = nlp_iom.ReadSettings()
    assert _isolated(pdf, auto) and _isolated(large, auto) and not _isolated(small, auto)
    assert _isolated(small, nlp_iom.ReadSettings(max_seconds=10))
    assert _isolated(small, nlp_iom.ReadSettings(isolate=True)) and not _isolated(pdf, nlp_iom.ReadSettings(isolate=False))
    with pytest.raises(errors.ConfigError, match="isolate"):
        nlp_iom.ReadSettings(isolate="sometimes")
