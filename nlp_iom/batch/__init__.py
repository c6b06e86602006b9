"""Batch annotation of a folder (extraction, NER, classification) and its exports.

``annotate_folder(input_dir, out_dir, BatchSettings(workers=2))`` annotates every PDF, .txt and
.md file, one JSON per document, resumable by content hash, with ``corpus.csv``, ``errors.jsonl``
and the exports (passages JSONL/CSV, spaCy DocBin, REFI-QDA ``.qdpx``, BibTeX, RIS).
"""

from __future__ import annotations

from nlp_iom.batch.runner import annotate_folder
from nlp_iom.batch.settings import DEFAULT_TIMEOUT, EXPORT_FORMATS, BatchReport, BatchSettings

__all__ = ["DEFAULT_TIMEOUT", "EXPORT_FORMATS", "BatchReport", "BatchSettings", "annotate_folder"]
