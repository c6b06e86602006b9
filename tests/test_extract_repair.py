"""Block repairs (running headers, chapter labels, merged headings) and the metadata rules they serve."""

from __future__ import annotations

import pytest

import nlp_iom
from conftest import shared_pdf
from nlp_iom.extract.blocks import Block
from nlp_iom.extract.metadata import common_words, masthead_year
from nlp_iom.extract.repair import drop_running_headers, furniture_key, merge_chapter_labels, split_merged_headings


def pages_with(header: str, pages: int = 5) -> list[Block]:
    blocks = []
    for page in range(1, pages + 1):
        blocks.append(Block(header.format(n=page), page=page))
        blocks.append(Block(f"Body paragraph {page} about the task force and its work with IOM.", page=page))
    return blocks


@pytest.mark.parametrize("header", ["PRESIDEN REPUBLIK INDONESIA", "{n} D. A. DICKEY AND W. A. FULLER",
                                    "LIKELIHOOD RATIO STATISTICS {n}", "- {n} - Jurnal Teknika Vol. 4"])
def test_running_headers_go_whatever_the_page_number(header: str) -> None:
    kept = drop_running_headers(pages_with(header))
    assert [b.page for b in kept if b.text.startswith("Body")] == [1, 2, 3, 4, 5]
    assert [b.page for b in kept if not b.text.startswith("Body")] == [1]  # the title page keeps its lines


def test_lines_repeated_on_two_pages_or_inside_pages_stay() -> None:
    blocks = pages_with("Sumber: data diolah {n}", 2)
    assert drop_running_headers(blocks) == blocks
    inside = []
    for page in range(1, 6):
        inside += [Block(f"Paragraph {page}.{i} of the body text.", page=page) for i in range(2)]
        inside.append(Block("Kesimpulan sementara", page=page))
        inside += [Block(f"Closing paragraph {page}.{i} of the page.", page=page) for i in range(2)]
    assert drop_running_headers(inside) == inside
    assert furniture_key("Halaman 12") == "" and furniture_key("Bab 3. Analisis 17") == "bab 3. analisis"


def test_chapter_label_joins_its_title() -> None:
    blocks = [Block("BAB I", page=9), Block("PENDAHULUAN", page=9), Block("1.1 Latar Belakang", page=9)]
    merged = merge_chapter_labels(blocks)
    assert [b.text for b in merged] == ["BAB I PENDAHULUAN", "1.1 Latar Belakang"]
    sentence = [Block("BAB II", page=3), Block("Bab ini membahas teori.", page=3)]
    assert [b.text for b in merge_chapter_labels(sentence)] == ["BAB II", "Bab ini membahas teori."]


@pytest.mark.parametrize(("text", "parts"), [
    ("II. TINJAUAN PUSTAKA 2.1 Landasan Teori", ["II. TINJAUAN PUSTAKA", "2.1 Landasan Teori"]),
    ("PENDAHULUAN 1.1.Latar Belakang", ["PENDAHULUAN", "1.1.Latar Belakang"]),
    ("HASIL DAN PEMBAHASAN 3.1 Perancangan Diagram", ["HASIL DAN PEMBAHASAN", "3.1 Perancangan Diagram"]),
    ("Undang-Undang Nomor 21 Tahun 2007 mengatur 1.2 hal", ["Undang-Undang Nomor 21 Tahun 2007 mengatur 1.2 hal"]),
])
def test_merged_headings_split(text: str, parts: list[str]) -> None:
    assert [b.text for b in split_merged_headings([Block(text, page=4)])] == parts


def test_name_candidates_made_of_ordinary_words() -> None:
    vocabulary = frozenset("prediksi time series menggunakan halaman judul dosen pembimbing sari".split())
    assert common_words("Prediksi Time Series", vocabulary)
    assert common_words("Halaman Judul", vocabulary)
    assert not common_words("Novita Sari", vocabulary)
    assert not common_words("Denny Hadi Pratama", vocabulary)


def test_masthead_year() -> None:
    words = [("Jurnal", 20.0), ("Komputasi,", 20.0), ("Vol.", 20.0), ("12,", 20.0), ("2024", 20.0),
             ("Data", 400.0), ("dari", 400.0), ("2019", 400.0)]
    assert masthead_year(words, 842.0, 2027) == 2024
    assert masthead_year([("©", 400.0), ("2020", 400.0), ("ACL", 400.0)], 842.0, 2027) == 2020
    assert masthead_year([("Strategi", 20.0), ("2026–2029", 20.0)], 842.0, 2027) == 2026
    assert masthead_year([("Accessed:", 820.0), ("2012", 820.0)], 842.0, 2027) is None


def test_real_regulation_keeps_its_chapters_and_drops_the_letterhead() -> None:
    doc = nlp_iom.read(shared_pdf("dev/id_regulasi_uu_1974_1_perkawinan.pdf"))
    titles = [s.title for s in doc.sections]
    assert not any("PRESIDEN REPUBLIK INDONESIA" in t for t in titles)
    assert sum(t.startswith("BAB") for t in titles) >= 10


def test_real_jstor_cover_sheet() -> None:
    doc = nlp_iom.read(shared_pdf("dev/en_paper_econometrica_1981_unit_root_jstor.pdf"))
    assert doc.metadata.title == "Likelihood Ratio Statistics for Autoregressive Time Series with a Unit Root"
    assert [a.name for a in doc.metadata.authors] == ["David A. Dickey", "Wayne A. Fuller"]
    assert doc.metadata.year == 1981


@pytest.mark.parametrize("text,name", [
    ("Oleh: MUHAMMAD NAUFAL KHOIRUL IMAMILHAQ ALHIFDI NIM 22051130001", "MUHAMMAD NAUFAL KHOIRUL IMAMILHAQ ALHIFDI"),
    ("Oleh: Nama :Cintia Zelin No. Mahasiswa :14312352", "Cintia Zelin"),
    ("Disusun oleh: Izzuddin 11190940000052", "Izzuddin"),
    ("Ditulis oleh Rina Wati, NPM. 1710631170001", "Rina Wati"),
    ("Ketua Penguji Dr. Budi Santoso NIP 197501012005011001", None),  # a staff number: an examiner
    ("Oleh: Tim Peneliti", None),  # no student number
])
def test_thesis_cover_author_line(text: str, name: str | None) -> None:
    from nlp_iom.extract.metadata import STUDENT_LINE

    match = STUDENT_LINE.search(text)
    assert (match.group("name") if match else None) == name


@pytest.mark.parametrize("line,names", [
    ("Nur Hidayanti a,1 , Widyawati Widyawati a , Rizki Fatullah a , Budiono Budiono a",
     ["Nur Hidayanti", "Widyawati Widyawati", "Rizki Fatullah", "Budiono Budiono"]),
    ("Melissa Andrade Costa (Lead eval.) Mehiret Habte (Ethiopia case study)", ["Melissa Andrade Costa", "Mehiret Habte"]),
    ("Ahmad Rizal1, Siti Aminah2*", ["Ahmad Rizal", "Siti Aminah"]),
])
def test_author_lines_lose_letter_marks_and_role_notes(line: str, names: list[str]) -> None:
    from nlp_iom.extract.metadata import split_names

    assert split_names(line) == names


@pytest.mark.parametrize("pdf,authors", [
    ("dev/id_skripsi_uii_2018_fraud_pentagon_laporan.pdf", ["Cintia Zelin"]),
    ("dev/id_ta_uny_2026_proposal_agentic_observability.pdf", ["Muhammad Naufal Khoirul Imamilhaq Alhifdi"]),
    ("dev/id_jurnal_teknika_untirta_2020_monitoring_kkm.pdf",
     ["Nur Hidayanti", "Widyawati Widyawati", "Rizki Fatullah", "Budiono Budiono"]),
])
def test_real_covers_name_their_authors(pdf: str, authors: list[str]) -> None:
    doc = nlp_iom.read(shared_pdf(pdf), nlp_iom.ReadSettings(ocr="off"))
    assert [a.name for a in doc.metadata.authors] == authors


@pytest.mark.parametrize("text,label", [
    ("EVALUATION BRIEF December 2024", True),
    ("Laporan Tahunan Juni 2023", True),
    ("Evaluation of IOM Accountability to Affected Populations", False),
    ("Migration in Asia and the Pacific: Data from December 2024 onwards", False),
    ("Banjir Jakarta Januari 2020", False),  # a short title with a date is still a title
])
def test_a_label_with_its_date_is_not_a_title(text: str, label: bool) -> None:
    from nlp_iom.extract.metadata import LABEL_WITH_DATE

    assert bool(LABEL_WITH_DATE.match(text)) is label


@pytest.mark.parametrize("pdf,title", [
    ("dev/en_report_iom_2024_aap_evaluation_brief.pdf", "EVALUATION OF IOM ACCOUNTABILITY TO AFFECTED POPULATIONS"),
    ("dev/id_regulasi_perdes_paselloreng_2023_pendirian_bumdes.pdf",
     "PERATURAN DESA PASELLORENG NOMOR 03 TAHUN 2023 TENTANG PENDIRIAN BADAN USAHA MILIK DESA MAPPAKENGKA BUANA "
     "PASELLORENG"),
])
def test_real_titles_skip_dated_labels_and_keep_a_regulations_subject(pdf: str, title: str) -> None:
    doc = nlp_iom.read(shared_pdf(pdf), nlp_iom.ReadSettings(ocr="off"))
    assert doc.metadata.title == title
