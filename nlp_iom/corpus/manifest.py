"""The reproducibility manifest of a corpus folder: ``run.json``, rewritten after every add.

It records the nlp_iom version, the embedder, the store settings (never an API key), the search
defaults (fusion weights and the glossary's checksum) and each stored document's content hash and path,
so a search can be traced to what was indexed and with what.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import TYPE_CHECKING, Any

from nlp_iom import __version__

if TYPE_CHECKING:
    from pathlib import Path

    from nlp_iom.corpus.store import Corpus

MANIFEST = "run.json"
SECRET_SETTINGS = frozenset({"qdrant_api_key"})


def corpus_manifest(corpus: Corpus) -> dict[str, Any]:
    """The manifest of ``corpus`` as it is now."""
    from nlp_iom.corpus.glossary import GLOSSARY_PATH
    from nlp_iom.corpus.search import DEFAULT_FUSION

    settings = {f.name: getattr(corpus.settings, f.name) for f in dataclasses.fields(corpus.settings)
                if f.name not in SECRET_SETTINGS}
    return {"nlp_iom": __version__, "embedder": getattr(corpus.embedder, "name", type(corpus.embedder).__name__),
            "settings": settings, "search": {"fusion": DEFAULT_FUSION.to_dict(),
                                             "glossary_sha256": hashlib.sha256(GLOSSARY_PATH.read_bytes()).hexdigest()},
            "passages": corpus.passage_count,
            "documents": [{"content_hash": d.content_hash, "path": d.path, "title": d.title}
                          for d in sorted(corpus.documents.values(), key=lambda d: d.id)]}


def write_corpus_manifest(corpus: Corpus) -> Path:
    """Write ``run.json`` into the corpus folder (atomically)."""
    from nlp_iom.batch.layout import write_atomic

    path = corpus.folder / MANIFEST
    write_atomic(path, json.dumps(corpus_manifest(corpus), indent=1, ensure_ascii=False, default=str) + "\n")
    return path
