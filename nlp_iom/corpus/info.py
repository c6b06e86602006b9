"""What a corpus keeps about a whole document besides its passages: the ``info`` dict.

``info`` holds what a literature review and reference exports need and the passages do not
carry::

    {"abstracts": [{"language": "en", "text": "...", "keywords": ["..."]}],
     "keywords": ["..."],            # all abstracts' keywords, de-duplicated, in order
     "institution": "..." | None,
     "pages": 12 | None,
     "sections": ["INTRODUCTION", ...],   # top-level body section titles
     "references": [{"authors": [...], "year": 2019, "title": ..., "venue": ..., "doi": ..., "url": ..., "raw": ...}],
     "conclusion": "..."}           # text of the conclusion section(s), first CONCLUSION_CHARS characters, or ""
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from nlp_iom.document import ZONE_BODY, Document
from nlp_iom.hashing import file_sha256

#: Section titles that name a conclusion (English and Indonesian), matched without numbering.
CONCLUSION_RE = re.compile(r"^\s*(?:(?:bab\s+)?[0-9ivxlc]+[.)]?\s+)?(?:conclusions?|concluding remarks|kesimpulan"
                           r"(?:\s+dan\s+saran)?|penutup|simpulan(?:\s+dan\s+saran)?)\b", re.IGNORECASE)
#: Longest conclusion text kept in ``info``, in characters.
CONCLUSION_CHARS = 3000
INFO_KEYS = ("abstracts", "keywords", "institution", "pages", "sections", "references", "conclusion")


def document_hash(doc: Document) -> str:
    """Content hash of a Document: of its source file's bytes when that file exists, else of its text."""
    source = doc.metadata.source
    if source and Path(source).is_file():
        return file_sha256(Path(source))
    return hashlib.sha256((doc.text or doc.to_json(indent=None)).encode("utf-8")).hexdigest()


def is_conclusion_title(title: str) -> bool:
    """Whether a section title names a conclusion (Conclusion, Kesimpulan, Penutup, Simpulan...)."""
    return bool(CONCLUSION_RE.match(title or ""))


def conclusion_text(doc: Document, limit: int = CONCLUSION_CHARS) -> str:
    """Text of the body passages under a conclusion-titled section, joined, cut at ``limit`` characters."""
    parts = [p.text.strip() for p in doc.passages
             if p.zone == ZONE_BODY and any(is_conclusion_title(t) for t in p.section_path) and p.text.strip()]
    if not parts:  # a conclusion section with no passages of its own: take the section's span
        for section in doc.iter_sections():
            if is_conclusion_title(section.title) and section.end > section.start:
                body = doc.text[section.start:section.end]
                parts = [body.split("\n", 1)[1].strip() if "\n" in body else body.strip()]
                break
    return "\n\n".join(parts)[:limit]


def document_info(doc: Document) -> dict[str, Any]:
    """The ``info`` dict of a Document (see the module docstring)."""
    abstracts = [{"language": a.language, "text": a.text, "keywords": list(a.keywords)} for a in doc.abstracts]
    keywords = list(dict.fromkeys(k for a in doc.abstracts for k in a.keywords))
    references = [{"authors": list(r.authors), "year": r.year, "title": r.title, "venue": r.venue, "doi": r.doi,
                   "url": r.url, "raw": r.raw} for r in doc.references]
    return {
        "abstracts": abstracts,
        "keywords": keywords,
        "institution": doc.metadata.institution,
        "pages": doc.metadata.pages,
        "sections": [s.title for s in doc.sections if s.zone == ZONE_BODY],
        "references": references,
        "conclusion": conclusion_text(doc),
    }
