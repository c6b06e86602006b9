"""Passage-level exports: JSONL (one line per passage) and CSV (one row per passage).

Each passage carries the citation fields of its document (file, title, authors, year, a short
citation such as "Nugrahaningsih et al. (2020)"), where it sits (pages, section path, zone,
language), its text, its entities and its codes with their probabilities. Every passage is
exported, whatever its zone; only body passages have codes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nlp_iom.batch.exports.common import csv_text, document_fields
from nlp_iom.batch.layout import AnnotatedDocument, write_atomic
from nlp_iom.document import Passage

#: Separator of list values (pages, entities) in a CSV cell.
CELL_SEPARATOR = "; "


def passage_record(item: AnnotatedDocument, passage: Passage) -> dict[str, Any]:
    """One JSONL line: document fields, then the passage with its entities and codes."""
    return {**document_fields(item), "passage": passage.id, "pages": passage.pages,
            "section": passage.section_path, "zone": passage.zone, "kind": passage.kind,
            "language": passage.language, "start": passage.start, "end": passage.end, "text": passage.text,
            "entities": [e.to_dict() for e in passage.entities], "codes": passage.codes}


def write_jsonl(docs: Sequence[AnnotatedDocument], path: Path) -> Path:
    """Write one JSON object per passage (UTF-8, non-ASCII kept) to ``path``."""
    lines = [json.dumps(passage_record(item, p), ensure_ascii=False) + "\n"
             for item in docs for p in item.document.passages]
    write_atomic(path, "".join(lines))
    return path


def entity_cell(passage: Passage) -> str:
    """Entities of a passage as ``text [LABEL]`` (with the subtype when known), joined by ``; ``."""
    cells = []
    for entity in passage.entities:
        cells.append(f"{entity.text} [{entity.display_label}]")
    return CELL_SEPARATOR.join(cells)


def write_csv(docs: Sequence[AnnotatedDocument], path: Path, columns: Sequence[str]) -> Path:
    """Write one row per passage: document fields, place, text, entities, one probability column per code.

    A code column holds the passage's probability for that code where it reached the classifier's
    threshold, and is empty otherwise.
    """
    fields = ["document", "file", "title", "authors", "year", "citation", "passage", "pages", "section", "zone",
              "language", "text", "entities", *columns]
    rows = []
    for item in docs:
        head = document_fields(item)
        for passage in item.document.passages:
            row: dict[str, Any] = {
                "document": head["document"], "file": head["file"], "title": head["title"] or "",
                "authors": CELL_SEPARATOR.join(head["authors"]), "year": head["year"] or "",
                "citation": head["citation"], "passage": passage.id,
                "pages": CELL_SEPARATOR.join(str(n) for n in passage.pages),
                "section": " > ".join(passage.section_path), "zone": passage.zone, "language": passage.language,
                "text": passage.text, "entities": entity_cell(passage),
            }
            row.update({c: passage.codes.get(c, "") for c in columns})
            rows.append(row)
    write_atomic(path, csv_text(rows, fields))
    return path
