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

from nlp_iom.batch.exports import authors_of, csv_text
from nlp_iom.batch.layout import AnnotatedDocument, write_atomic
from nlp_iom.document import Document, Passage

#: Authors named in a short citation before "et al.".
CITATION_AUTHORS = 2
#: Separator of list values (pages, entities) in a CSV cell.
CELL_SEPARATOR = "; "


def surname(name: str) -> str:
    """The family name of ``"Last, First"`` or ``"First Last"`` (the whole name if it is one word)."""
    name = name.strip()
    if "," in name:
        return name.split(",", 1)[0].strip()
    parts = name.split()
    return parts[-1] if parts else name


def citation(document: Document, fallback: str = "") -> str:
    """A short author-year citation of the document, e.g. ``Nugrahaningsih et al. (2020)``."""
    names = [surname(n) for n in authors_of(document)]
    year = document.metadata.year or "n.d."
    if not names:
        who = document.metadata.title or fallback
    elif len(names) <= CITATION_AUTHORS:
        who = " & ".join(names)
    else:
        who = f"{names[0]} et al."
    return f"{who} ({year})"


def document_fields(item: AnnotatedDocument) -> dict[str, Any]:
    """The citation fields every passage row of a document repeats."""
    meta = item.document.metadata
    return {"document": item.key, "file": item.source, "title": meta.title, "authors": authors_of(item.document),
            "year": meta.year, "citation": citation(item.document, item.source), "doc_language": meta.language,
            "doc_kind": meta.kind}


def passage_record(item: AnnotatedDocument, passage: Passage) -> dict[str, Any]:
    """One JSONL line: document fields, then the passage with its entities and codes."""
    return {**document_fields(item), "passage": passage.id, "pages": passage.pages,
            "section": passage.section_path, "zone": passage.zone, "kind": passage.kind,
            "language": passage.language, "start": passage.start, "end": passage.end, "text": passage.text,
            "entities": passage.entities, "codes": passage.codes}


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
        label = entity["label"] + (f"/{entity['subtype']}" if entity.get("subtype") else "")
        cells.append(f"{entity['text']} [{label}]")
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
