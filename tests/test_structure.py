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


# Short texts: a note, an abstract page or a web clipping has no front matter to set apart.
CLIPPING = ("IOM continues to address the capacity needs to respond to human trafficking, migrant smuggling, "
            "and other transnational organized crimes in Indonesia, together with the national police.")


def test_one_paragraph_file_is_body(tmp_path) -> None:
    path = tmp_path / "clipping.txt"
    path.write_text(CLIPPING, encoding="utf-8")
    doc = nlp_iom.read(path)
    assert [(p.zone, p.kind) for p in doc.passages] == [("body", "paragraph")]
    assert doc.body_passages()[0].text == CLIPPING


def test_an_abstract_page_keeps_its_title_page_and_abstract_but_its_text_is_body(tmp_path) -> None:
    path = tmp_path / "abstract_page.md"
    path.write_text("Analisis Peran IOM dalam Penanganan Pengungsi\n\nBintang Mahendra\n\n## Abstract\n\n"
                    "Artikel ini menelaah peran IOM dalam penanganan pengungsi di Indonesia melalui "
                    "sosialisasi dan pelatihan bagi aparat daerah.\n\nKeywords: IOM, pengungsi\n", encoding="utf-8")
    doc = nlp_iom.read(path)
    assert [p.zone for p in doc.passages if p.kind == "title_page"] == ["front_matter", "front_matter"]
    assert doc.body_passages() and doc.body_passages()[0].text.startswith("Artikel ini menelaah")
    assert doc.abstracts and doc.abstracts[0].text.startswith("Artikel ini menelaah")


def test_a_title_over_paragraphs_stays_front_matter(tmp_path) -> None:
    path = tmp_path / "note.txt"
    path.write_text(f"Peran IOM di Sambas\n\n{CLIPPING}\n\n{CLIPPING}\n", encoding="utf-8")
    doc = nlp_iom.read(path)
    assert doc.passages[0].zone == "front_matter" and doc.passages[0].text == "Peran IOM di Sambas"
    assert doc.passages[-1].zone == "body" and len(doc.body_passages()) >= 1


def test_no_web_excerpt_or_paragraph_of_one_loses_its_body(tmp_path) -> None:
    """The 174 web excerpts of ../shared/texts/web, and their first two paragraphs saved as one-paragraph files."""
    from conftest import ROOT

    web = ROOT.parent / "shared" / "texts" / "web"
    files = sorted(web.glob("*_*.md"))
    if not files:
        pytest.skip("../shared/texts/web is not there")
    lost = [f.name for f in files if not nlp_iom.read(f).body_passages()]
    for f in files:
        paragraphs = [p.strip() for p in f.read_text(encoding="utf-8").split("---", 2)[-1].split("\n\n")
                      if len(p.strip()) > 80]
        for i, paragraph in enumerate(paragraphs[:2]):
            path = tmp_path / f"{f.stem}_{i}.txt"
            path.write_text(paragraph, encoding="utf-8")
            if not nlp_iom.read(path).body_passages():
                lost.append(path.name)
    assert len(files) >= 170 and lost == []


def _article(heads: list[str], subs: list[str]) -> list[Block]:
    """A journal article as blocks: bold section headings, bold sub-headings, a paragraph after each."""
    blocks = [Block("Judul Artikel tentang Peran IOM", page=1, bold=True, size_ratio=1.6)]
    for i, head in enumerate(heads):
        blocks.append(Block(head, page=i + 1, bold=True))
        blocks.append(Block("Paragraf isi yang menjelaskan bagian ini dengan kalimat lengkap.", page=i + 1))
        for sub in subs if i == 1 else []:
            blocks.append(Block(sub, page=i + 1, bold=True))
            blocks.append(Block("Paragraf di bawah sub-judul ini.", page=i + 1))
    return blocks


def test_article_style_needs_three_article_sections() -> None:
    from nlp_iom.extract.headings import article_style

    caps = article_style(_article(["PENDAHULUAN", "METODE PENELITIAN", "HASIL DAN PEMBAHASAN", "SIMPULAN"], []))
    assert caps is not None and caps.caps and not caps.numbered
    mixed = article_style(_article(["1. Introduction", "2. Methods", "3. Results and Discussion"], []))
    assert mixed is not None and not mixed.caps and mixed.numbered
    assert article_style(_article(["PENDAHULUAN", "ANALISIS DATA"], [])) is None  # a report or thesis


@pytest.mark.parametrize("heads,subs,top", [
    # capitals on top: title-case and lettered sub-headings sit below, a capitals chapter stays on top
    (["PENDAHULUAN", "METODE PENELITIAN", "HASIL DAN PEMBAHASAN", "IMPLEMENTASI KEBIJAKAN", "SIMPULAN"],
     ["A. Menyusun Hirarki", "Konsistensi Logis"],
     ["PENDAHULUAN", "METODE PENELITIAN", "HASIL DAN PEMBAHASAN", "IMPLEMENTASI KEBIJAKAN", "SIMPULAN"]),
    # title case on top: every other unnumbered styled heading sits below
    (["Pendahuluan", "Metode Penelitian", "Hasil dan Pembahasan", "Penutup"],
     ["Handling Missing Value", "1. Decision Tree"],
     ["Pendahuluan", "Metode Penelitian", "Hasil dan Pembahasan", "Penutup"]),
])
def test_article_sub_headings_sit_below_the_article_sections(heads: list[str], subs: list[str], top: list[str]) -> None:
    from nlp_iom.extract.structure import build_document

    doc = build_document(_article(heads, subs))
    assert [s.title for s in doc.sections if s.zone == "body"] == top
    assert [c.title for c in doc.sections[1].children] == subs


@pytest.mark.parametrize("pdf,chapters", [
    ("dev/id_jurnal_jmpd_2018_pencegahan_fraud_ahp.pdf",
     ["METODE PENELITIAN", "HASIL DAN PEMBAHASAN", "IMPLEMENTASI KEBIJAKAN", "SIMPULAN", "DAFTAR PUSTAKA"]),
    ("dev/id_jurnal_komputasi_2024_prediksi_hipertensi_rf.pdf",
     ["Metode Penelitian", "Hasil dan Pembahasan", "Penutup", "Daftar Pustaka"]),
])
def test_real_articles_keep_sub_headings_below_their_sections(pdf: str, chapters: list[str]) -> None:
    from conftest import shared_pdf

    doc = nlp_iom.read(shared_pdf(pdf), nlp_iom.ReadSettings(ocr="off"))
    titles = [s.title for s in doc.sections if s.zone in ("body", "references")]
    # "Pendahuluan" runs into the first page's two columns in both files (a known miss), so it is not required
    assert [t for t in titles if t.lower() != "pendahuluan"] == chapters
