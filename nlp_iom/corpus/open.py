"""The table of corpus backends that :meth:`nlp_iom.corpus.store.Corpus.open` chooses from.

Each backend is named by ``"module:Class"`` and imported only when a corpus of that backend is
opened, so the Qdrant client (the ``[qdrant]`` extra; :class:`~nlp_iom.errors.MissingExtraError` without it)
loads only for Qdrant corpora and the
interface module :mod:`nlp_iom.corpus.store` imports no backend. A backend class takes
``(folder, conn, meta, embedder, settings)``.
"""

from __future__ import annotations

import importlib
from typing import Any

from nlp_iom.errors import ConfigError

#: Backend name -> ``"module:Class"`` of its :class:`~nlp_iom.corpus.store.Corpus` subclass.
BACKENDS: dict[str, str] = {
    "embedded": "nlp_iom.corpus.embedded:EmbeddedCorpus",
    "qdrant": "nlp_iom.corpus.qdrant:QdrantCorpus",
}


def backend_class(name: str) -> Any:
    """The class of backend ``name``.

    Raises:
        ConfigError: No backend has that name.
    """
    if name not in BACKENDS:
        raise ConfigError("backend", f"unknown corpus backend {name!r}; choose one of {sorted(BACKENDS)}")
    module, _, cls = BACKENDS[name].partition(":")
    return getattr(importlib.import_module(module), cls)
