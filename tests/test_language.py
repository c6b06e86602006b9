"""Offline language identification of passages."""

from __future__ import annotations

from nlp_iom.extract.language import detect_language, document_language


def test_indonesian_and_english() -> None:
    assert detect_language("Perdagangan manusia menjadi isu sentral di era globalisasi karena mewabah di berbagai negara.") == "id"
    assert detect_language("Human trafficking becomes a central issue in the globalization era.") == "en"


def test_english_terms_inside_indonesian_stay_indonesian() -> None:
    text = "IOM melakukan sosialisasi tentang human trafficking di Sambas bersama pemerintah daerah dan kepolisian."
    assert detect_language(text) == "id"


def test_mixed_passage() -> None:
    text = (
        "Penelitian ini menggunakan teori organisasi internasional untuk menjelaskan peran IOM di perbatasan. "
        "This study uses international organization theory to explain the role of IOM at the border."
    )
    assert detect_language(text) == "mixed"


def test_third_language_and_too_short() -> None:
    assert detect_language("Der Menschenhandel ist ein zentrales Problem der Globalisierung in vielen Ländern.") == "de"
    assert detect_language("IOM 2019") == "und"


def test_document_language() -> None:
    assert document_language(["en", "en", "id"], [500, 400, 100]) == "en"
    assert document_language(["und"], [10]) == "und"
