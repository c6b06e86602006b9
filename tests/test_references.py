"""Reference splitting and parsing on real reference lists (seed paper and PDF text)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp_iom.extract.references import parse_reference, split_references

SEED_PAPER = Path(__file__).parent.parent / "seeds" / "000_5c98c16164753270.txt"

# Copied from the text layer of /work/shared/pdfs/en/s2orc_N18-3011.pdf (page 8).
ACL_BLOCK = """Waleed Ammar, Matthew E. Peters, Chandra Bhagavat-
ula, and Russell Power. 2017. The ai2 system at
semeval-2017 task 10 (scienceie): semi-supervised
end-to-end entity and relation extraction. In ACL
workshop (SemEval).
Isabelle Augenstein, Mrinal Das, Sebastian Riedel,
Lakshmi Vikraman, and Andrew D. McCallum.
2017. Semeval 2017 task 10 (scienceie): Extracting
keyphrases and relations from scientific publications.
In ACL workshop (SemEval).
Hal Daumé. 2007. Frustratingly easy domain adapta-
tion. In ACL.
Oren Etzioni. 2011. Search needs a shake-up. Nature
476 7358:25–6."""

# From /work/shared/pdfs/id/ui_skripsi_2017_srl_bahasa_indonesia_bilingual.pdf (page 82).
APA_PDF_BLOCK = """Chollet, F. (2015). keras. https://github.com/fchollet/keras. GitHub.
Collobert, R., Weston, J., Bottou, L., Karlen, M., Kavukcuoglu, K., and Kuksa, P.
(2011). Natural language processing (almost) from scratch. Journal of Machine
Learning Research, 12(Aug):2493–2537.
Lang, K. J., Waibel, A. H., and Hinton, G. E. (1990). A time-delay neural
network architecture for isolated word recognition. Neural networks, 3(1):23–
43. Elsevier.
LeCun, Y., Bengio, Y., and Hinton, G. (2015). Deep learning. Nature,
521(7553):436–444. Nature Publishing Group."""

# From /work/shared/pdfs/en/grobid_Wang-paperAVE2008.pdf (page 5).
NUMBERED_BLOCK = """10. Wang, R. and Neumann, G. 2007a. Recognizing Textual Entailment Using a Subsequence Kernel Method. In Proc. of
AAAI 2007.
11. Wang, R. and Neumann, G. 2007b. Recognizing Textual Entailment Using Sentence Similarity based on Dependency
Tree Skeletons. In Proceedings of the Workshop on Textual Entailment and Paraphrasing, pages 36–41, Prague, June
2007."""

# From /work/shared/pdfs/id/ienaco2014_spk_sig_bantuan_korban_banjir.pdf (page 9).
HARVARD_BLOCK = """Bafdal, N., Amaru, K. & P, B. M. P., 2011. Buku Ajar Sistem Informasi Geografis. Jatinangor:
Universitas Padjajaran.
Kehutanan, T. L. P. d. S. I., 2009. Buku Ajar Sistem Informasi Geografis. Makassar: Universitas
Hasanuddin.
Turban, 2005. Decision Support System and Intelligent Systems. Yogyakarta: Penerbit Andi."""


@pytest.fixture(scope="module")
def seed_entries() -> list[str]:
    text = SEED_PAPER.read_text(encoding="utf-8")
    zone = text.split("## REFERENCE\n", 1)[1]
    return split_references([b for b in zone.split("\n\n") if b.strip()])


@pytest.fixture(scope="module")
def seed_refs(seed_entries: list[str]) -> dict[str, object]:
    refs = [parse_reference(raw, i) for i, raw in enumerate(seed_entries)]
    return {r.raw.split(" ")[0].rstrip(",."): r for r in refs}


def test_seed_list_splits_into_29_entries(seed_entries: list[str]) -> None:
    # 28 bulleted lines plus Wismayanti, glued to the end of the file; the
    # "bas/2016/11/18/..." fragment is merged back into the Sutan entry.
    assert len(seed_entries) == 29
    assert seed_entries[0].startswith("Alunaza, H. (2016).")
    assert seed_entries[-1].startswith("Wismayanti, Y. (2012).")
    assert not any(e.startswith(("- ", "bas/", "*")) for e in seed_entries)
    assert all("**" not in e and "<http" not in e for e in seed_entries)


def test_url_broken_across_blocks_is_merged(seed_entries: list[str]) -> None:
    sutan = next(e for e in seed_entries if e.startswith("Sutan."))
    ref = parse_reference(sutan, 24)
    assert ref.url == "https://www.suarapemredkalbar.com/berita/sambas/2016/11/18/inilah-kantong-perdagangan-manusia-di-sambas"
    assert ref.venue == "Suara Pemred Kalbar"
    assert ref.title == "Inilah Kantong Human Trafficking di Sambas"


def test_haas_apa_journal_article(seed_refs: dict) -> None:
    haas = seed_refs["Haas"]
    assert haas.authors == ["Haas, M."]
    assert (haas.year, haas.year_suffix) == (1965, "")
    assert haas.title == "A Functional Approach to International Organization"
    assert haas.venue == "The Journal of Politics"
    assert haas.url == "http://www.jstor.org/stable/2127737"
    assert haas.doi is None


def test_alunaza_bare_doi_from_dx_link(seed_refs: dict) -> None:
    alunaza = seed_refs["Alunaza"]
    assert alunaza.doi == "10.21111/dauliyah.v1i2.599"
    assert alunaza.url is None
    assert alunaza.venue == "Journal of Islam and International Affairs Dauliyah"
    assert alunaza.year == 2016


def test_two_authors_and_book_publisher(seed_refs: dict) -> None:
    jackson = seed_refs["Jackson"]
    assert jackson.authors == ["Jackson, R", "Sorensen, G."]
    assert jackson.year == 2013
    assert jackson.title == "Introduction to International Relations Theories and Approaches"
    assert jackson.venue == "Oxford University Press"
    ambarwati = seed_refs["Ambarwati"]
    assert ambarwati.authors == ["Ambarwati", "Wijatmadja, S."]


def test_organisation_author_stays_whole(seed_entries: list[str]) -> None:
    bps = parse_reference(seed_entries[8], 8)
    assert bps.authors == ["Badan Pusat Statistik Kabupaten Sambas"]
    assert bps.title == "Kabupaten Sambas dalam Angka 2018"
    assert bps.venue == "CV. Swadesi Harapan Masa"
    secretariat = next(e for e in seed_entries if e.startswith("Sekretariat"))
    assert parse_reference(secretariat, 21).authors == ["Sekretariat Gugus Tugas Pencegahan dan Penanganan TPPO"]


def test_et_al_and_single_name_author(seed_refs: dict) -> None:
    assert seed_refs["Oktavian"].authors == ["Oktavian, A."]
    assert seed_refs["Atem"].authors == ["Atem"]
    assert seed_refs["Atem"].doi == "10.24260/raheema.v4i1.829"


def test_acl_block_split_and_parsed() -> None:
    entries = split_references([ACL_BLOCK])
    assert len(entries) == 4
    first = parse_reference(entries[0], 0, page=8)
    assert first.authors == ["Waleed Ammar", "Matthew E. Peters", "Chandra Bhagavatula", "Russell Power"]
    assert first.year == 2017
    assert first.title.startswith("The ai2 system at semeval-2017 task 10")
    assert first.venue == "ACL workshop (SemEval)"
    assert first.page == 8
    second = parse_reference(entries[1], 1)
    assert second.authors[-1] == "Andrew D. McCallum"
    assert parse_reference(entries[2], 2).authors == ["Hal Daumé"]
    assert parse_reference(entries[3], 3).venue == "Nature"


def test_apa_from_pdf_year_on_next_line() -> None:
    entries = split_references([APA_PDF_BLOCK])
    assert [e.split(",")[0] for e in entries] == ["Chollet", "Collobert", "Lang", "LeCun"]
    collobert = parse_reference(entries[1], 1)
    assert collobert.year == 2011
    assert len(collobert.authors) == 6
    assert collobert.venue == "Journal of Machine Learning Research"
    assert parse_reference(entries[2], 2).venue == "Neural networks"


def test_numbered_entries_with_year_suffix() -> None:
    entries = split_references([NUMBERED_BLOCK])
    assert len(entries) == 2
    a, b = (parse_reference(e, i) for i, e in enumerate(entries))
    assert (a.year, a.year_suffix, b.year_suffix) == (2007, "a", "b")
    assert a.authors == ["Wang, R.", "Neumann, G."]
    assert b.title == "Recognizing Textual Entailment Using Sentence Similarity based on Dependency Tree Skeletons"


def test_harvard_indonesian_comma_year() -> None:
    entries = split_references([HARVARD_BLOCK])
    assert len(entries) == 3
    bafdal = parse_reference(entries[0], 0)
    assert bafdal.authors == ["Bafdal, N.", "Amaru, K.", "P, B. M. P."]
    assert bafdal.year == 2011
    assert bafdal.venue == "Universitas Padjajaran"
    assert parse_reference(entries[2], 2).authors == ["Turban"]


def test_no_date_and_dkk() -> None:
    nd = parse_reference("UNODC. (n.d.). Human Trafficking. Retrieved from https://www.unodc.org/unodc/human-trafficking/", 0)
    assert nd.year is None
    assert nd.authors == ["UNODC"]
    assert nd.title == "Human Trafficking"
    assert nd.url == "https://www.unodc.org/unodc/human-trafficking/"
    dkk = parse_reference("Oktavian, A., dkk. (2018). *Peran IOM*. Bandung: Alfabeta.", 1)
    assert dkk.authors == ["Oktavian, A."]
    assert dkk.venue == "Alfabeta"


def test_entries_run_together_on_one_line_are_split() -> None:
    line = (
        "Archer, C. (2001). International Organization Third Edition. New York: Routledge. "
        "Arif, G. W. (2016). Peran International Organization for Migration (IOM). Jurnal Universitas Riau, 3(1), 1-15."
    )
    entries = split_references([line])
    assert len(entries) == 2
    assert entries[1].startswith("Arif, G. W. (2016)")


def test_numbered_list_with_markers_on_their_own_lines() -> None:
    from nlp_iom.extract.references import split_references

    entries = split_references(["[1] Tempo.co. 2009. Survei kepemilikan ponsel. Diakses 20 Juli 2020.\n[2]\n"
                                "Neforawati, I., & Juniarti, V. (2015). Rancang bangun aplikasi monitoring.\n[3]\n"
                                "Marsa, A. R. (2017). Implementasi aplikasi layanan informasi."])
    assert entries == ["[1] Tempo.co. 2009. Survei kepemilikan ponsel. Diakses 20 Juli 2020.",
                       "[2] Neforawati, I., & Juniarti, V. (2015). Rancang bangun aplikasi monitoring.",
                       "[3] Marsa, A. R. (2017). Implementasi aplikasi layanan informasi."]


def test_author_year_comma_entries_run_together() -> None:
    from nlp_iom.extract.references import split_references

    entries = split_references(["Afiahayati, 2008, Multiple Sequence Alignment Menggunakan Hidden Markov Model, "
                                "FMIPA UGM, Yogyakarta. Alexandridis, A. and Livanis, E., 2008, Forecasting Crude "
                                "Oil Prices Using Wavelet Neural Networks, University of Macedonia, Thessaloniki. "
                                "Ali, S. and Smith, K.A., 2003, Automatic Parameter Selection for Polynomial "
                                "Kernel, IRI 2003, 27-29 Oct. 2003, IEEE: 243 – 249."])
    assert [e.split(",")[0] for e in entries] == ["Afiahayati", "Alexandridis", "Ali"]
