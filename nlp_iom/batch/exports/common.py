"""What the export formats share: author names, short citations, the document fields of a row, CSV text."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from nlp_iom.batch.layout import AnnotatedDocument
from nlp_iom.document import Document

#: Authors named in a short citation before "et al.".
CITATION_AUTHORS = 2


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


def authors_of(document: Document) -> list[str]:
    """Author names of a document's title page."""
    return [a.name for a in document.metadata.authors]


def csv_text(rows: Sequence[dict[str, Any]], fieldnames: Sequence[str]) -> str:
    """Rows as CSV text (RFC 4180 quoting, ``\\r\\n`` line ends, UTF-8 when written)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(fieldnames))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
