"""The one date parser shared by metadata, citations and NER (nlp_iom.extract.dates)."""

from __future__ import annotations

import pytest

from nlp_iom.extract.citations import find_citations
from nlp_iom.extract.dates import find_date, month_number, parse_date, parse_date_year
from nlp_iom.extract.metadata import find_dates


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Received 22 January, 2020", "2020-01-22"),
        ("published July 30, 2019 online", "2019-07-30"),
        ("Sambas, 24 Juni 2024", "2024-06-24"),
        ("wawancara, 3 Peb 2001", "2001-02-03"),
        ("Okt. 2, 2019", "2019-10-02"),
        ("2019-10-02", "2019-10-02"),
        ("tanggal 02/10/2019", "2019-10-02"),
        ("tanggal 02.10.2019", "2019-10-02"),
        ("17 Agustus 1945", "1945-08-17"),
    ],
)
def test_forms(text: str, iso: str) -> None:
    assert parse_date(text) == iso


@pytest.mark.parametrize("text", ["31 Juni 2020", "30 February 2021", "13/13/2020", "Juni 2020", "no date"])
def test_not_a_calendar_day(text: str) -> None:
    assert parse_date(text) is None


def test_year_fallback_and_offsets() -> None:
    assert parse_date_year("interview, Juni 2020") == (None, 2020)
    text = "Diterima 31 Juni 2020, direvisi 2 Juli 2020"
    found = find_date(text)
    assert found is not None and text[found.start:found.end] == "2 Juli 2020"
    assert month_number("Sept.") == 9 and month_number("12") == 12 and month_number("13") is None


def test_metadata_and_citations_agree() -> None:
    """Both former parsers now read the same forms: labelled metadata dates and dated interview citations."""
    assert find_dates("Submitted: 02/10/2020. Accepted: 3 Peb 2021") == {"submitted": "2020-10-02",
                                                                        "accepted": "2021-02-03"}
    text = "Menurut informan (Wawancara dengan Bapak Yusuf, 22 Januari, 2020), korban dipulangkan."
    dated = [c for c in find_citations(text) if c.date]
    assert [c.date for c in dated] == ["2020-01-22"]
