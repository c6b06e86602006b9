"""Structure of an Indonesian skripsi body: BAB chapters, numbered sections, DAFTAR PUSTAKA, citations."""

from __future__ import annotations

import pytest

import nlp_iom
from conftest import DATA
from nlp_iom.document import Document
from nlp_iom.extract.blocks import Block
from nlp_iom.extract.headings import classify_heading


@pytest.fixture(scope="module")
def bab() -> Document:
    return nlp_iom.read(DATA / "skripsi_bab.txt")


def test_chapters_and_sections(bab: Document) -> None:
    chapters = bab.sections
    assert [(c.title, c.kind, c.number) for c in chapters] == [
        ("BAB I PENDAHULUAN", "chapter", "I"),
        ("BAB II TINJAUAN PUSTAKA DAN KERANGKA TEORITIK", "chapter", "II"),
        ("BAB V PENUTUP", "chapter", "V"),
        ("DAFTAR PUSTAKA", "references", None),
    ]
    assert [s.title for s in chapters[0].children] == ["1.1 Latar Belakang", "1.2 Pertanyaan Penelitian"]
    assert all(s.level == 2 for c in chapters[:3] for s in c.children)
    assert chapters[3].zone == "references"
    for section in bab.iter_sections():
        assert section.start < section.end <= len(bab.text)


def test_passages_carry_section_paths(bab: Document) -> None:
    question = next(p for p in bab.body_passages() if p.text.startswith("Bagaimana peran IOM"))
    assert question.section_path == ["BAB I PENDAHULUAN", "1.2 Pertanyaan Penelitian"]
    assert question.language == "id"
    assert "negara-negara ASEAN" in bab.text


def test_references_citations_and_interviews(bab: Document) -> None:
    assert [r.authors[0] for r in bab.references] == ["Archer, C.", "Haas, M.", "Nugrahaningsih, N.", "Sutan"]
    by_text = {c.text: c for c in bab.citations}
    assert bab.references[by_text["(Haas, 1965)"].reference_id].year == 1965
    assert by_text["Archer (2001)"].reference_id == 0
    assert by_text["(Nugrahaningsih dkk., 2020)"].reference_id == 2
    interview = by_text["(Wawancara dengan Bapak Umar, 12 Maret 2023)"]
    assert interview.kind == "interview" and interview.date == "2023-03-12" and interview.reference_id is None


def test_acronym_definitions_in_text(bab: Document) -> None:
    found = bab.abbreviation_map()
    assert found["IOM"] == "International Organization for Migration"
    assert found["GT-PPTPPO"] == "Gugus Tugas Pencegahan dan Penanganan Tindak Pidana Perdagangan Orang"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BAB III METODE PENELITIAN", ("chapter", None)),
        ("DAFTAR PUSTAKA", ("references", "references")),
        ("KATA PENGANTAR", ("preface", "front_matter")),
        ("LEMBAR PENGESAHAN", ("approval", "front_matter")),
        ("DAFTAR SINGKATAN", ("abbreviations", "front_matter")),
        ("Kata Kunci: perdagangan manusia, IOM", None),
        ("BAB I PENDAHULUAN.....................1", None),
        ("1. Dibuat dan diselesaikan sendiri dengan menggunakan hasil kuliah, tinjauan lapangan, buku-buku.", None),
    ],
)
def test_heading_classification(text: str, expected: tuple[str, str | None] | None) -> None:
    heading = classify_heading(Block(text), styled_allowed=False, in_toc=False, chaptered=True)
    assert (None if heading is None else (heading.kind, heading.zone)) == expected
