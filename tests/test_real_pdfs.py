"""Extraction of real PDFs from ../shared/pdfs (skipped when the folder is absent)."""

from __future__ import annotations

import pytest

import nlp_iom
from conftest import shared_pdf
from nlp_iom.document import Document

ACL_PAPERS = {
    "en/s2orc_N18-3011.pdf": ("Construction of the Literature Graph in Semantic Scholar", "We describe a deployed scalable system"),
    "en/mmner_acl2019.pdf": ("Massively Multilingual Transfer for NER", "In cross-lingual transfer, NLP models"),
    "en/papermage_2020.acl-main.447.pdf": ("S2ORC: The Semantic Scholar Open Research Corpus", "We introduce S2ORC"),
    "en/s2orc_2020.acl-main.207.pdf": (
        "SPECTER: Document-level Representation Learning using Citation-informed Transformers",
        "Representation learning is a critical ingredient",
    ),
}


@pytest.fixture(scope="module")
def ui_skripsi() -> Document:
    return nlp_iom.read(shared_pdf("id/ui_skripsi_2017_srl_bahasa_indonesia_bilingual.pdf"))


@pytest.mark.parametrize("name", sorted(ACL_PAPERS))
def test_acl_title_abstract_and_body(name: str) -> None:
    title, abstract_start = ACL_PAPERS[name]
    doc = nlp_iom.read(shared_pdf(name))
    assert doc.metadata.title == title
    assert doc.metadata.kind == "paper"
    abstract = doc.abstract("en")
    assert abstract is not None and abstract.text.startswith(abstract_start)
    top = [s.title for s in doc.sections]
    assert "1 Introduction" in top
    assert top[-1] == "References" or "References" in top
    assert all(p.language in ("en", "und") for p in doc.body_passages() if len(p.text) > 300)


def test_acl_authors_and_emails() -> None:
    doc = nlp_iom.read(shared_pdf("en/s2orc_2020.acl-main.207.pdf"))
    assert [a.name for a in doc.metadata.authors] == [
        "Arman Cohan",
        "Sergey Feldman",
        "Iz Beltagy",
        "Doug Downey",
        "Daniel S. Weld",
    ]
    assert doc.metadata.authors[0].email == "armanc@allenai.org"
    assert doc.metadata.authors[0].affiliation == "Allen Institute for Artificial Intelligence"


def test_two_column_reading_order_on_a_real_paper() -> None:
    doc = nlp_iom.read(shared_pdf("en/s2orc_N18-3011.pdf"))
    intro = next(s for s in doc.sections if s.title == "1 Introduction")
    first = next(p for p in doc.passages if p.section_path == ["1 Introduction"])
    assert first.text.startswith("The goal of this work is to facilitate")
    assert intro.page == 1
    # the running footer of the proceedings is gone, and no line from the right column interrupts the left
    assert "Proceedings of NAACL-HLT 2018" not in doc.text
    assert "facilitate algorithmic manipulation and discovery" in doc.text


def test_acl_references_and_citations() -> None:
    doc = nlp_iom.read(shared_pdf("en/s2orc_N18-3011.pdf"))
    refs = doc.references
    assert len(refs) == 26
    assert refs[0].authors[:2] == ["Waleed Ammar", "Matthew E. Peters"] and refs[0].year == 2017
    assert refs[-1].title is not None and refs[-1].title.startswith("Explicit semantic ranking for academic search")
    assert all(r.year for r in refs)
    linked = [c for c in doc.citations if c.reference_id is not None]
    assert len(linked) >= 0.8 * len(doc.citations) > 0
    for citation in linked:
        surname = refs[citation.reference_id].authors[0].split()[-1]
        assert surname.lower() in doc.text[citation.start : citation.end].lower()


@pytest.mark.parametrize("reader", ["pdfium", "pdfplumber"])
def test_grobid_dehyphenation(reader: str) -> None:
    for name in ("en/grobid_dehypenisation1.pdf", "en/grobid_dehypenisation2.pdf"):
        doc = nlp_iom.read(shared_pdf(name), reader=reader)
        assert doc.passages[0].text == "We test the dehypenisation of a short text."


def test_ui_skripsi_front_matter(ui_skripsi: Document) -> None:
    meta = ui_skripsi.metadata
    assert meta.kind == "thesis"
    assert meta.title == "SEMANTIC ROLE LABELING FOR INDONESIAN CONVERSATIONAL LANGUAGE USING DEEP LEARNING"
    assert [a.name for a in meta.authors] == ["Valdi Rachman"]
    assert meta.institution == "UNIVERSITAS INDONESIA"
    zones = {s.title: (s.zone, s.kind) for s in ui_skripsi.sections}
    assert zones["HALAMAN PERNYATAAN ORISINALITAS"][0] == "front_matter"
    assert zones["HALAMAN PENGESAHAN"][0] == "front_matter"
    assert zones["TABLE OF CONTENTS"] == ("front_matter", "toc")
    assert zones["ABSTRAK"][0] == "abstract" and zones["ABSTRACT"][0] == "abstract"
    assert zones["REFERENCES"][0] == "references"
    abstrak = ui_skripsi.abstract("id")
    assert abstrak is not None and abstrak.text.startswith("Semantic Role Labeling (SRL) telah diteliti")
    assert abstrak.keywords == ["Semantic Role Labeling", "deep learning", "bahasa percakapan", "RNNs"]
    english = ui_skripsi.abstract("en")
    assert english is not None and english.keywords[2] == "conversational language"


def test_ui_skripsi_chapters(ui_skripsi: Document) -> None:
    chapters = [s for s in ui_skripsi.sections if s.kind == "chapter"]
    assert [c.title for c in chapters] == [
        "CHAPTER 1 INTRODUCTION",
        "CHAPTER 2 LITERATURE REVIEW",
        "CHAPTER 3 METHODOLOGY",
        "CHAPTER 4 IMPLEMENTATION",
        "CHAPTER 5 EXPERIMENTS",
        "CHAPTER 6 CONCLUSION AND FUTURE WORK",
    ]
    assert all(c.zone == "body" for c in chapters)
    intro = chapters[0]
    assert [c.title for c in intro.children][:2] == ["1.1 Background", "1.2 Problem Statement"]
    assert intro.children[0].level == 2
    # the table of contents does not produce sections, and page numbers follow the PDF
    assert intro.page == 16
    assert not any(p.zone == "body" for p in ui_skripsi.passages if p.pages and p.pages[0] < 16)


def test_indonesian_journal_bilingual_abstracts() -> None:
    doc = nlp_iom.read(shared_pdf("id/jurnal_analisis_sinkronisasi_whatsapp_poltekpos.pdf"))
    assert doc.metadata.title == "ANALISIS SINKRONISASI WHATSAPP MOBILE DAN WHATSAPP WEB"
    assert [a.name for a in doc.metadata.authors][:2] == ["Anisa Rosalina", "Wahyu Kurnia Sari"]
    assert doc.metadata.authors[0].email == "anisarosalina026@gmail.com"
    assert doc.abstract("id") is not None and doc.abstract("en") is not None
    assert "Sinkronisasi" in doc.abstract("id").keywords
    assert doc.metadata.language == "id"


def test_regulation_is_read_as_body() -> None:
    doc = nlp_iom.read(shared_pdf("id/perda_diy_6_2025_pencegahan_penanganan_korban_perdagangan_orang.pdf"))
    assert doc.metadata.kind == "regulation"
    assert doc.metadata.title is not None and "PERATURAN DAERAH" in doc.metadata.title
    assert [a.name for a in doc.metadata.authors] == ["Gubernur Daerah Istimewa Yogyakarta"]  # the issuer
    assert len(doc.body_passages()) > 100
    assert doc.metadata.language == "id"


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        "en/s2orc_N18-3011.pdf",
        "en/mmner_acl2019.pdf",
        "id/ui_skripsi_2017_srl_bahasa_indonesia_bilingual.pdf",
        "id/ienaco2014_spk_sig_bantuan_korban_banjir.pdf",
    ],
)
def test_pdfium_matches_pdfplumber(name: str) -> None:
    """The fast reader is the default because it gives the same structure as the reference reader."""
    import difflib

    fast = nlp_iom.read(shared_pdf(name), reader="pdfium")
    reference = nlp_iom.read(shared_pdf(name), reader="pdfplumber")
    assert fast.metadata.title == reference.metadata.title
    assert [s.title for s in fast.iter_sections()] == [s.title for s in reference.iter_sections()]
    ratio = difflib.SequenceMatcher(None, fast.text.split(), reference.text.split(), autojunk=False).ratio()
    assert ratio > 0.95


def test_inline_abstract_and_keywords() -> None:
    doc = nlp_iom.read(shared_pdf("en/grobid_Wang-paperAVE2008.pdf"))
    assert doc.metadata.title == "Information Synthesis for Answer Validation"
    assert [a.name for a in doc.metadata.authors] == ["Rui Wang", "Günter Neumann"]
    abstract = doc.abstract("en")
    assert abstract is not None and abstract.text.startswith("This report is about our participation")
    assert abstract.keywords == ["Answer Validation", "Recognizing Textual Entailment", "Information Synthesis"]
