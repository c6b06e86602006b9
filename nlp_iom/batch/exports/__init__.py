"""The corpus table and the exports, rebuilt from the per-document JSONs at the end of each run.

``corpus.csv`` has one row per document: citation fields, size, one column per code and the main
entities. A code's column is the **share of the document's body passages coded with it** (the
passages whose probability reached the classifier's threshold for that code, over all body
passages with text), the same measure as :func:`nlp_iom.coding.api.profile`; it reads as "how
much of the text gives evidence of this function". The main entities are the most frequent
organisations and places, each as ``name (count)``, counted over every passage, acronyms merged
with their long forms where the NER linked them.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from nlp_iom.batch.exports import bibliography, docbin, passages, qdpx
from nlp_iom.batch.exports.common import authors_of, csv_text
from nlp_iom.batch.layout import CORPUS_FILE, EXPORTS_DIR, AnnotatedDocument, load_documents, target, write_atomic
from nlp_iom.batch.settings import BatchSettings
from nlp_iom.coding.codebook import BUILTIN, Codebook, codebook_from_dict, load_codebook
from nlp_iom.document import ZONE_BODY, Document
from nlp_iom.errors import ModelNotFoundError

#: Entity labels listed as organisations and as places in ``corpus.csv``.
ORG_LABELS = ("ORG",)
PLACE_LABELS = ("LOC", "GPE")
#: File name of each export format under ``exports/``.
EXPORT_FILES = {"jsonl": "passages.jsonl", "csv": "passages.csv", "docbin": "passages.spacy",
                "qdpx": "project.qdpx", "bibtex": "references.bib", "ris": "references.ris"}
#: Decimal places of a share in ``corpus.csv``.
SHARE_DIGITS = 4


def resolve_codebooks(specs: Sequence[str], zero_shot: bool = False) -> list[Codebook]:
    """The codebooks the classifiers of ``specs`` will use, loaded without loading any model.

    Raises:
        CodebookError: A codebook file is missing or invalid.
        ModelNotFoundError: A folder given as a trained model has no ``config.json``.
    """
    from nlp_iom.coding.api import model_dir

    books = []
    for spec in specs:
        folder = Path(spec) if Path(spec).is_dir() else model_dir(spec) if spec in BUILTIN and not zero_shot else None
        config = folder / "config.json" if folder is not None else None
        if config is not None and config.is_file():
            books.append(codebook_from_dict(json.loads(config.read_text(encoding="utf-8"))["codebook"], str(config)))
        elif Path(spec).is_dir():
            raise ModelNotFoundError(spec, "the folder has no config.json of a trained classifier")
        else:
            books.append(load_codebook(spec))
    return books


def code_columns(codebooks: Sequence[Codebook]) -> list[str]:
    """``<codebook>:<code>`` for every code, in codebook order."""
    return [f"{book.name}:{code_id}" for book in codebooks for code_id in book.code_ids]


def body_passages(document: Document) -> list[Any]:
    """Body passages with text: the passages the classifier codes."""
    return [p for p in document.passages if p.zone == ZONE_BODY and p.text.strip()]


def code_shares(document: Document, columns: Sequence[str]) -> dict[str, float]:
    """Share of body passages coded with each column's code (0 when the document has no body)."""
    body = body_passages(document)
    return {c: round(sum(1 for p in body if c in p.codes) / len(body), SHARE_DIGITS) if body else 0.0
            for c in columns}


def top_entities(document: Document, labels: Sequence[str], top: int,
                 confirmed: bool = False) -> list[tuple[str, int]]:
    """The ``top`` most frequent entities with a label in ``labels``: ``(name, count)``, ties by name.

    Spellings that differ only in case count as one name, shown in its most frequent spelling.
    """
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for passage in document.passages:
        for entity in passage.entities:
            if entity.label in labels and (not confirmed or entity.confirmed):
                name = " ".join(entity.name.split())
                counts[name.casefold()] += 1
                spellings.setdefault(name.casefold(), Counter())[name] += 1
    named = [(min(spellings[k].items(), key=lambda s: (-s[1], s[0]))[0], n) for k, n in counts.items()]
    return sorted(named, key=lambda item: (-item[1], item[0]))[:top]


def corpus_rows(docs: Sequence[AnnotatedDocument], codebooks: Sequence[Codebook], top: int,
                confirmed: bool = False) -> list[dict[str, Any]]:
    """One row per document for ``corpus.csv`` (with ``confirmed``, the top entities are only those a
    gazetteer or rule made or vouched for)."""
    columns = code_columns(codebooks)
    rows = []
    for item in docs:
        doc, meta = item.document, item.document.metadata
        row: dict[str, Any] = {
            "document": item.key, "file": item.source, "title": meta.title or "", "authors": "; ".join(authors_of(doc)),
            "year": meta.year or "", "language": meta.language or "", "kind": meta.kind, "pages": meta.pages or "",
            "passages": len(doc.passages), "body_passages": len(body_passages(doc)),
        }
        row.update(code_shares(doc, columns))
        row["organisations"] = "; ".join(f"{name} ({n})" for name, n in top_entities(doc, ORG_LABELS, top, confirmed))
        row["places"] = "; ".join(f"{name} ({n})" for name, n in top_entities(doc, PLACE_LABELS, top, confirmed))
        row["entities"] = sum(len(p.entities) for p in doc.passages)
        rows.append(row)
    return rows


def write_corpus_csv(docs: Sequence[AnnotatedDocument], path: Path, codebooks: Sequence[Codebook],
                     top: int, confirmed: bool = False) -> Path:
    """Write ``corpus.csv`` (see the module docstring for the columns)."""
    fields = ["document", "file", "title", "authors", "year", "language", "kind", "pages", "passages",
              "body_passages", *code_columns(codebooks), "organisations", "places", "entities"]
    write_atomic(path, csv_text(corpus_rows(docs, codebooks, top, confirmed), fields))
    return path


def write_exports(out_dir: Path, documents: Sequence[Path], codebooks: Sequence[Codebook], settings: BatchSettings,
                  created: str) -> dict[str, Path]:
    """Write ``corpus.csv`` and every export of ``settings.exports`` from the per-document JSONs.

    Args:
        out_dir: The batch's output folder.
        documents: Per-document JSON files, in corpus order.
        codebooks: The codebooks the documents were coded with.
        settings: Export formats, QDPX threshold, entities per row.
        created: Creation time of the batch (ISO 8601), stamped on exports that carry a date.

    Returns:
        ``corpus`` and each format -> the file written.
    """

    docs = load_documents(list(documents))
    written = {"corpus": write_corpus_csv(docs, target(out_dir, CORPUS_FILE), codebooks, settings.top_entities,
                                                settings.confirmed_entities)}
    writers: dict[str, Callable[[Path], Path]] = {
        "jsonl": lambda path: passages.write_jsonl(docs, path),
        "csv": lambda path: passages.write_csv(docs, path, code_columns(codebooks)),
        "docbin": lambda path: docbin.write_docbin(docs, path, codebooks),
        "qdpx": lambda path: qdpx.write_qdpx(docs, path, codebooks, settings.qdpx_threshold, created,
                                            name=out_dir.resolve().name),
        "bibtex": lambda path: bibliography.write_bibtex(docs, path),
        "ris": lambda path: bibliography.write_ris(docs, path),
    }
    for fmt in settings.exports:
        written[fmt] = writers[fmt](target(out_dir, EXPORTS_DIR, EXPORT_FILES[fmt]))
    for name, path in write_table_csvs(docs, out_dir).items():
        written[name] = path
    return written


def write_table_csvs(docs: Sequence[AnnotatedDocument], out_dir: Path) -> dict[str, Path]:
    """One CSV per table under ``exports/tables/``, named ``<document key>_p<page>_<n>.csv``."""
    from nlp_iom.extract.tables import table_csv

    written: dict[str, Path] = {}
    for doc in docs:
        for n, table in enumerate(doc.document.tables, start=1):
            name = f"{doc.key}_p{table.page}_{n}.csv"
            path = target(out_dir, EXPORTS_DIR, "tables", name)
            write_atomic(path, table_csv(table))
            written[f"table:{name}"] = path
    return written
