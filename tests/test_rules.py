"""Ruling lines from pdfium's path objects, and the grids they frame."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from nlp_iom.extract.pdf import PdfiumReader
from nlp_iom.extract.rules import bands, by_columns, page_rules, ruled_grids

CELLS = [["Kabupaten", "2022", "2023"], ["Sambas", "14", "9"], ["Belu", "21", "17"]]
WIDTHS, ROW_H, LEFT, TOP = [120, 80, 80], 20, 72, 700


def build(path: Path, per_cell: bool) -> None:
    """A ruled table; with ``per_cell`` every cell draws its own four borders, as Word does."""
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Helvetica", 11)
    for r, row in enumerate(CELLS):
        x = LEFT
        for w, text in zip(WIDTHS, row):
            y = TOP - r * ROW_H
            c.drawString(x + 4, y - 14, text)
            if per_cell:
                c.rect(x, y - ROW_H, w, ROW_H)
            x += w
    if not per_cell:
        for r in range(len(CELLS) + 1):
            c.line(LEFT, TOP - r * ROW_H, LEFT + sum(WIDTHS), TOP - r * ROW_H)
        x = LEFT
        for w in [0, *WIDTHS]:
            x += w
            c.line(x, TOP, x, TOP - len(CELLS) * ROW_H)
    c.save()


def grid_of(path: Path) -> list[list[str | None]]:
    page = PdfiumReader().read(path)[0]
    document = pdfium.PdfDocument(str(path))
    rules = page_rules(document[0], page.height)
    document.close()
    ((bbox, rows, verticals),) = ruled_grids(page, rules)
    assert bbox[0] == pytest.approx(LEFT, abs=1.5) and len(verticals) == 2
    return [by_columns(r, verticals) for r in rows]


def test_full_grid(tmp_path: Path) -> None:
    path = tmp_path / "grid.pdf"
    build(path, per_cell=False)
    assert grid_of(path) == CELLS


def test_per_cell_borders_join_into_one_grid(tmp_path: Path) -> None:
    path = tmp_path / "cells.pdf"
    build(path, per_cell=True)
    assert grid_of(path) == CELLS
    page = PdfiumReader().read(path)[0]
    document = pdfium.PdfDocument(str(path))
    rules = page_rules(document[0], page.height)
    document.close()
    (band,) = bands(rules)
    assert len(band) == len(CELLS) + 1  # one rule per row line, pieces joined
