"""Text and Markdown input: metadata headers (Pelican, YAML front matter) and HTML markup."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp_iom.extract.text import split_front_matter
from nlp_iom.reader import read

TEXTS = Path(__file__).resolve().parents[1].parent / "shared" / "texts"


def test_pelican_header() -> None:
    fields, body = split_front_matter("Title: Indonesia\nTemplate: case\nSlug: x/y\n\n\nThe US embassy worked.")
    assert fields == {"title": "Indonesia", "template": "case", "slug": "x/y"}
    assert body.strip() == "The US embassy worked."


def test_yaml_front_matter() -> None:
    text = "---\ntitle: \"Peran IOM di Sambas\"\nauthor: Sari Dewi; Budi Santoso\ndate: 2021-03-04\n---\nIsi teks."
    fields, body = split_front_matter(text)
    assert fields["title"] == "Peran IOM di Sambas" and fields["date"] == "2021-03-04"
    assert body.strip() == "Isi teks."


@pytest.mark.parametrize("text", [
    "Note: this paragraph begins with a label\nand goes on in the same paragraph.",  # no blank line after it
    "Catatan: bukan header\n\nTeks.",  # no known key
    "---\ntitle: unclosed\nText without the closing fence.",
])
def test_text_that_is_not_a_header(text: str) -> None:
    assert split_front_matter(text) == ({}, text)


def test_header_fills_metadata(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("Title: Peran IOM di NTT\nAuthor: Sari Dewi and Budi Santoso\nDate: 12 Juni 2022\n\n"
                    "<p>IOM membantu <em>Satgas TPPO</em> di Kupang.</p>\n", encoding="utf-8")
    doc = read(path)
    assert doc.metadata.title == "Peran IOM di NTT"
    assert [a.name for a in doc.metadata.authors] == ["Sari Dewi", "Budi Santoso"]
    assert doc.metadata.year == 2022 and doc.metadata.dates["published"] == "2022-06-12"
    assert doc.passages[0].text == "IOM membantu Satgas TPPO di Kupang."


@pytest.mark.skipif(not TEXTS.is_dir(), reason="../shared/texts not present")
def test_shared_scorecard_texts() -> None:
    doc = read(TEXTS / "scorecarddiplomacy_human-trafficking_overview.md")
    assert doc.metadata.title == "Human Trafficking"
    assert doc.passages[0].text.startswith("Excerpt from Judith G. Kelley, Scorecard Diplomacy")
    assert "<" not in doc.passages[0].text
