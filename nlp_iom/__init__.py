"""nlp_iom: structured evidence from Indonesian and English documents about international organisations.

The public API::

    import nlp_iom

    doc = nlp_iom.read("skripsi.pdf")                   # extraction (ReadSettings)
    doc = nlp_iom.annotate(doc)                         # named entities (NerSettings)
    doc = nlp_iom.classify(doc)                         # Haas functions and INGO roles (ClassifySettings)
    corpus = nlp_iom.Corpus.open("corpus/")             # cross-lingual search (CorpusSettings)
    nlp_iom.annotate_folder("pdfs/", "out/")            # batch annotation (BatchSettings)
    review = nlp_iom.build_review("How does IOM ...?", corpus)   # literature review (ReviewSettings)

Everything but extraction loads on first use, so ``import nlp_iom`` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

from nlp_iom.document import SCHEMA_VERSION, Document, Entity
from nlp_iom.reader import ReadSettings, read

__version__ = "0.1.0"

#: Public name -> the module it comes from (loaded on first use).
_LAZY: dict[str, str] = {
    "annotate": "nlp_iom.ner.annotate",
    "NerSettings": "nlp_iom.ner.pipelines",
    "classify": "nlp_iom.coding.api",
    "ClassifySettings": "nlp_iom.coding.settings",
    "Corpus": "nlp_iom.corpus.store",
    "CorpusSettings": "nlp_iom.corpus.settings",
    "annotate_folder": "nlp_iom.batch.runner",
    "BatchSettings": "nlp_iom.batch.settings",
    "build_review": "nlp_iom.review.api",
    "write_review": "nlp_iom.review.api",
    "ReviewSettings": "nlp_iom.review.settings",
    "LayoutSettings": "nlp_iom.extract.layout",
    "OcrSettings": "nlp_iom.extract.ocr",
    "TableSettings": "nlp_iom.extract.tables",
}

__all__ = ["Document", "Entity", "ReadSettings", "SCHEMA_VERSION", "__version__", "read", *sorted(_LAZY)]


def __getattr__(name: str) -> Any:
    """Load the later stages on first use."""
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'nlp_iom' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
