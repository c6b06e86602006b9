"""Tables as objects and footnotes out of the body, on PDFs built here with known cells and notes,
and on real PDFs from ../shared/pdfs."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

import nlp_iom
from conftest import shared_pdf
from nlp_iom.extract.tables import table_csv

CELLS = [["Kabupaten", "Korban 2022", "Korban 2023"], ["Sambas", "14", "9"], ["Belu", "21", "17"], ["Malaka", "8", "11"]]
BODY = ("Gugus tugas daerah mencatat korban perdagangan orang di wilayah perbatasan setiap tahun dan "
        "melaporkannya kepada pemerintah provinsi serta kepada IOM sebagai mitra pelaksana program.")


def build_table_pdf(path: Path, ruled: bool = True) -> None:
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Helvetica", 11)
    c.drawString(72, 780, BODY[:90])
    c.drawString(72, 765, BODY[90:])
    c.drawString(72, 720, "Tabel 2.1 Jumlah korban menurut kabupaten")
    top, row_h, widths = 700, 20, [150, 110, 110]
    for r, row in enumerate(CELLS):
        x = 72
        for w, cell in zip(widths, row):
            c.drawString(x + 4, top - r * row_h - 14, cell)
            x += w
    if ruled:
        for r in range(len(CELLS) + 1):
            c.line(72, top - r * row_h, 72 + sum(widths), top - r * row_h)
        x = 72
        for w in [0, *widths]:
            x += w
            c.line(x, top, x, top - len(CELLS) * row_h)
    c.drawString(72, 580, "Data pada tabel di atas menunjukkan bahwa jumlah korban di Belu tetap yang tertinggi.")
    c.save()


def build_footnote_pdf(path: Path) -> None:
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Helvetica", 11)
    lines = ["The Trafficking in Persons Report ranks every country in tiers each year.", "",
             "Indonesia stayed in Tier 2 for most of the decade after the law of 2007.", "",
             "Observers credit IOM with the training of police investigators in border areas."]
    y = 780
    for line in lines:
        c.drawString(72, y, line)
        y -= 15
    c.setFont("Helvetica", 7)  # superscript markers
    c.drawString(72 + c.stringWidth(lines[2], "Helvetica", 11) + 1, 755, "1")
    c.drawString(72 + c.stringWidth(lines[4], "Helvetica", 11) + 1, 725, "2")
    c.setFont("Helvetica", 8)
    c.line(72, 110, 200, 110)
    c.drawString(72, 98, "1 Kelley, J. G. (2017). Scorecard Diplomacy. Cambridge University Press, p. 41.")
    c.drawString(72, 86, "2 Interview with an IOM officer in Atambua, March 2023, who asked not to be")
    c.drawString(72, 76, "named in this report.")
    c.save()


def test_ruled_table_becomes_an_object_with_its_caption_and_cells(tmp_path: Path) -> None:
    path = tmp_path / "table.pdf"
    build_table_pdf(path)
    doc = nlp_iom.read(path)
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert table.page == 1 and table.caption == "Tabel 2.1 Jumlah korban menurut kabupaten"
    assert table.rows == CELLS
    assert list(csv.reader(io.StringIO(table_csv(table)))) == CELLS
    text = " ".join(p.text for p in doc.passages)
    assert "Sambas 14 9" not in text and "Malaka" not in text  # table text stays out of the passages
    assert "jumlah korban di Belu tetap yang tertinggi" in text
    restored = nlp_iom.Document.from_json(doc.to_json())
    assert restored.tables == doc.tables


def test_batch_exports_one_csv_per_table(tmp_path: Path) -> None:
    from nlp_iom.batch.exports import write_table_csvs
    from nlp_iom.batch.layout import AnnotatedDocument

    path = tmp_path / "table.pdf"
    build_table_pdf(path)
    written = write_table_csvs([AnnotatedDocument(str(path), "ab" * 32, nlp_iom.read(path))], tmp_path / "out")
    (csv_path,) = written.values()
    assert csv_path.parent == tmp_path / "out" / "exports" / "tables" and csv_path.name.endswith("_p1_1.csv")
    assert list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8")))) == CELLS


def test_unruled_table_is_found_from_the_words_next_to_its_caption(tmp_path: Path) -> None:
    path = tmp_path / "plain.pdf"
    build_table_pdf(path, ruled=False)
    doc = nlp_iom.read(path)
    assert len(doc.tables) == 1 and doc.tables[0].caption.startswith("Tabel 2.1")
    assert ["Sambas", "14", "9"] in doc.tables[0].rows


def test_no_caption_no_table_search(tmp_path: Path) -> None:
    path = tmp_path / "none.pdf"
    build_footnote_pdf(path)
    assert nlp_iom.read(path).tables == []
    assert nlp_iom.read(path, tables=nlp_iom.reader.TableSettings(enabled=False)).tables == []


def test_footnotes_leave_the_body_link_to_markers_and_parse_cited_sources(tmp_path: Path) -> None:
    path = tmp_path / "notes.pdf"
    build_footnote_pdf(path)
    doc = nlp_iom.read(path)
    assert [(f.number, f.page) for f in doc.footnotes] == [("1", 1), ("2", 1)]
    assert doc.footnotes[1].text == ("Interview with an IOM officer in Atambua, March 2023, who asked not to be "
                                     "named in this report.")
    body = " ".join(p.text for p in doc.passages)
    assert "Scorecard Diplomacy" not in body and "asked not to be" not in body
    tier = next(p for p in doc.passages if "Tier 2" in p.text)
    assert doc.footnotes[0].passage_id == tier.id
    cited = doc.footnotes[0].reference
    assert cited is not None and cited.year == 2017 and cited.authors and "Kelley" in cited.authors[0]
    assert doc.footnotes[1].reference is None  # an interview note cites no source


def test_real_report_footnotes() -> None:
    doc = nlp_iom.read(shared_pdf("en/un_A_70_266_special_rapporteur_assembly_association_2015.pdf"))
    numbers = [int(f.number) for f in doc.footnotes if f.number.isdigit()]
    assert len(numbers) >= 60 and numbers[:3] == [1, 2, 3]
    assert not any(f.text in p.text for f in doc.footnotes if len(f.text) > 60 for p in doc.passages)


def test_real_skripsi_table_caption() -> None:
    doc = nlp_iom.read(shared_pdf("dev/id_skripsi_ui_2015_plagiarisme_lsa_dwibahasa.pdf"))
    captions = [t.caption for t in doc.tables if t.caption]
    assert any(c.startswith("Tabel 2.1") for c in captions)
