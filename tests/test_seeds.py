"""Extraction of the two seed documents: the English journal paper and the Indonesian skripsi front matter."""

from __future__ import annotations

from nlp_iom.document import ZONE_ABSTRACT, ZONE_BODY, ZONE_FRONT, ZONE_REFERENCES, Document


def test_paper_metadata(seed_paper: Document) -> None:
    meta = seed_paper.metadata
    assert meta.title == (
        "The Role of International Organization for Migration in Handling Human Trafficking "
        "in Sambas Regency, West Kalimantan Province"
    )
    assert [a.name for a in meta.authors] == ["Nurfitri Nugrahaningsih", "Hardi Alunaza", "Ratu Zahirah Lutfie"]
    assert [a.email for a in meta.authors] == [
        "nurfit_nn@yahoo.com",
        "hardi.asd@fisip.untan.ac.id",
        "ratu_lutfie@yahoo.com",
    ]
    assert all("Universitas Tanjungpura" in (a.affiliation or "") for a in meta.authors)
    assert meta.dates == {"submitted": "2020-01-22", "revised": "2020-06-20", "accepted": "2020-07-22"}
    assert meta.year == 2020
    assert meta.kind == "paper"
    assert meta.language == "en"


def test_paper_bilingual_abstracts(seed_paper: Document) -> None:
    abstrak, abstract = seed_paper.abstract("id"), seed_paper.abstract("en")
    assert abstrak is not None and abstract is not None
    assert abstrak.text.startswith("Perdagangan manusia menjadi isu sentral di era globalisasi")
    assert abstrak.text.endswith("kebijakan pemerintah dapat diwujudkan.")
    assert abstrak.keywords == ["perdagangan manusia", "keamanan manusia", "organisasi internasional"]
    assert abstract.text.startswith("Human trafficking becomes a central issue in the globalization era")
    assert abstract.keywords == ["human trafficking", "human security", "international organizations"]
    assert "Kata Kunci" not in abstrak.text and "Keywords" not in abstract.text


def test_paper_sections(seed_paper: Document) -> None:
    top = [(s.title, s.zone) for s in seed_paper.sections]
    assert ("INTRODUCTION", ZONE_BODY) in top
    assert ("REFERENCE", ZONE_REFERENCES) in top
    assert [t for t, _ in top][:3] == ["Abstrak", "Abstract", "INTRODUCTION"]
    review = next(s for s in seed_paper.sections if s.title == "LITERATURE REVIEW")
    assert [c.title for c in review.children] == [
        "INSTITUTIONAL LIBERALISM",
        "INTERNATIONAL ORGANIZATION THEORY",
        "OPERATIONAL FUNCTIONS OF INTERNATIONAL ORGANIZATIONS THEORY",
        "Articulation Function",
        "Aggregation",
        "Socialization",
        "Recruitment",
        "Transaction",
    ]
    for section in seed_paper.iter_sections():
        assert seed_paper.text[section.start :].startswith(section.title)


def test_paper_passages_offsets_and_zones(seed_paper: Document) -> None:
    for passage in seed_paper.passages:
        assert seed_paper.text[passage.start : passage.end] == passage.text
    body = seed_paper.body_passages()
    assert len(body) > 60
    assert all(p.language == "en" for p in body if len(p.text) > 200)
    socialization = [p for p in body if p.section_path[-1:] == ["Socialization"]]
    assert socialization and socialization[0].section_path == ["LITERATURE REVIEW", "Socialization"]
    # a paragraph broken by a page break in the source is one passage again
    assert any("coordinate with the government in efforts to handle human trafficking" in p.text for p in body)
    assert {p.zone for p in seed_paper.passages} >= {ZONE_FRONT, ZONE_ABSTRACT, ZONE_BODY, ZONE_REFERENCES}


def test_paper_references(seed_paper: Document) -> None:
    refs = seed_paper.references
    assert len(refs) == 29  # the 29 entries of the REFERENCE list; one URL broken over a page is mended
    haas = next(r for r in refs if r.authors and r.authors[0].startswith("Haas"))
    assert haas.year == 1965
    assert "Functional Approach to International Organization" in (haas.title or "")
    assert haas.url == "http://www.jstor.org/stable/2127737"
    sutan = next(r for r in refs if r.authors == ["Sutan"])
    assert sutan.url == "https://www.suarapemredkalbar.com/berita/sambas/2016/11/18/inilah-kantong-perdagangan-manusia-di-sambas"
    alunaza = next(r for r in refs if r.authors == ["Alunaza, H."])
    assert alunaza.doi == "10.21111/dauliyah.v1i2.599"


def test_paper_citations(seed_paper: Document) -> None:
    cites = seed_paper.citations
    jackson = [c for c in cites if c.authors and c.authors[0].startswith("Jackson")]
    assert jackson and all(c.reference_id is not None for c in jackson)
    assert seed_paper.references[jackson[0].reference_id].year == 2013
    personal = [c for c in cites if c.kind == "personal_communication"]
    assert any(c.authors[:1] == ["Umar"] and c.date == "2019-07-30" for c in personal)
    for citation in cites:
        assert citation.text in seed_paper.text[citation.start : citation.end + 1] or seed_paper.text[
            citation.start : citation.end
        ] in citation.text


def test_paper_abbreviations_from_text(seed_paper: Document) -> None:
    found = seed_paper.abbreviation_map()
    assert found.get("IOM") == "International Organization for Migration"


def test_skripsi_front_matter(seed_skripsi: Document) -> None:
    meta = seed_skripsi.metadata
    assert meta.title is not None and meta.title.startswith("PERAN INTERNATIONAL ORGANIZATION FOR MIGRATION (IOM)")
    assert meta.title.endswith("INDONESIA TAHUN 2016-2023")
    assert [a.name for a in meta.authors] == ["Patricia Mahakurnia Putri Radja Soghe"]
    assert meta.kind == "thesis"
    assert meta.year == 2024
    assert meta.institution == "UNIVERSITAS KRISTEN INDONESIA"
    kinds = {s.title: (s.zone, s.kind) for s in seed_skripsi.iter_sections()}
    assert kinds["PERNYATAAN KEASLIAN KARYA TUGAS AKHIR"] == (ZONE_FRONT, "approval")
    assert kinds["KATA PENGANTAR"] == (ZONE_FRONT, "preface")
    assert kinds["DAFTAR ISI"] == (ZONE_FRONT, "toc")
    assert kinds["DAFTAR SINGKATAN"] == (ZONE_FRONT, "abbreviations")
    assert kinds["ABSTRAK"][0] == ZONE_ABSTRACT
    # the table of contents lists chapters, but they are entries, not sections of this text
    assert not any(s.kind == "chapter" for s in seed_skripsi.iter_sections())
    assert seed_skripsi.body_passages() == []


def test_skripsi_abstracts(seed_skripsi: Document) -> None:
    abstrak, abstract = seed_skripsi.abstract("id"), seed_skripsi.abstract("en")
    assert abstrak is not None and abstract is not None
    assert abstrak.text.startswith("Kejahatan lintas batas atau transnasional crime")
    assert abstrak.keywords == ["Human Trafficking", "IOM", "Wilayah perbatasan negara Indonesia"]
    assert abstract.text.startswith("Transnational crime is a threat to global security")
    assert abstract.keywords == ["Human Trafficking", "IOM", "Border areas of Indonesia"]
    assert len(seed_skripsi.abstracts) == 2


def test_skripsi_abbreviation_list(seed_skripsi: Document) -> None:
    found = seed_skripsi.abbreviation_map()
    assert found["IOM"] == "International Organization for Migration"
    assert found["GT-PPTPPO"] == "Gugus Tugas Pencegahan dan Penanganan Tindak Pidana Perdagangan Orang"
    assert found["UNTOC"] == "United Nations Convention Against Transnational Organized Crime"
    assert len([a for a in seed_skripsi.abbreviations if a.source == "list"]) >= 55


def test_json_round_trip(seed_paper: Document) -> None:
    again = Document.from_json(seed_paper.to_json())
    assert again == seed_paper
    assert again.to_json() == seed_paper.to_json()
