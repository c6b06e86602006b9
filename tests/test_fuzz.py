"""Fuzzing ``read()`` (#19): any text or mutated PDF gives a Document or an nlp_iom error, never another.

Slow: ``pytest -m slow tests/test_fuzz.py``. Each example is read in this process
(``isolate=False``): in the bounded child an unexpected exception would come back as a typed
"unexpected failure", which hides exactly what the fuzzing looks for; so that is refused too.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nlp_iom
from nlp_iom.errors import NlpIomError
from pdf_factory import build_two_column, raw_pdf

pytestmark = pytest.mark.slow
LIMITS = nlp_iom.ReadSettings(max_seconds=30, ocr="off", isolate=False)
SEED_PDF = raw_pdf([
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    b"<< /Length 88 >>\nstream\nBT /F1 12 Tf 72 712 Td (IOM bekerja sama dengan pemerintah daerah Sambas.) Tj ET\nendstream",
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
])


def _read(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(data)
        try:
            document = nlp_iom.read(path, LIMITS)
        except NlpIomError as exc:
            assert "unexpected failure" not in str(exc)
            return
        document.to_json()  # what was read serialises


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` with a few bytes overwritten, inserted or cut, or truncated."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["flip", "insert", "cut", "truncate"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif kind == "cut":
            del data[at: at + draw(st.integers(1, 64))]
        else:
            del data[at:]
    return bytes(data)


FUZZ = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.text(max_size=5000), st.sampled_from([".txt", ".md"]))
def test_any_text_reads_or_fails_typed(text: str, suffix: str) -> None:
    _read(text.encode("utf-8"), suffix)


@FUZZ
@given(st.binary(max_size=5000))
def test_any_bytes_named_txt_read_or_fail_typed(data: bytes) -> None:
    _read(data, ".txt")


@FUZZ
@given(mutated(SEED_PDF))
def test_a_mutated_small_pdf_reads_or_fails_typed(data: bytes) -> None:
    _read(data, ".pdf")


@pytest.fixture(scope="module")
def two_column_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("fuzz") / "two_column.pdf"
    build_two_column(path)
    return path.read_bytes()


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_mutated_real_layout_pdf_reads_or_fails_typed(two_column_pdf: bytes, data: st.DataObject) -> None:
    _read(data.draw(mutated(two_column_pdf)), ".pdf")
