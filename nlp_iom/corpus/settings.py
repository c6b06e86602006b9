"""Settings of a corpus store: backend, dense index kind and thresholds, Qdrant connection."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, fields, replace
from typing import Any
from urllib.parse import urlsplit

from nlp_iom.corpus.open import BACKENDS as BACKEND_TABLE
from nlp_iom.errors import ConfigError

log = logging.getLogger(__name__)

BACKENDS = tuple(BACKEND_TABLE)
INDEX_KINDS = ("auto", "exact", "hnsw")
#: Environment variable read for the Qdrant API key when none is given (it is never stored).
QDRANT_API_KEY_ENV = "QDRANT_API_KEY"
#: Environment variables through which a user (never a corpus folder) chooses the backend and
#: where Qdrant lives, for the CLI and for ``Corpus.open`` without settings.
BACKEND_ENV = "NLP_IOM_CORPUS_BACKEND"
QDRANT_URL_ENV = "NLP_IOM_QDRANT_URL"
QDRANT_LOCATION_ENV = "NLP_IOM_QDRANT_LOCATION"
#: Hosts an API key may be sent to over plain http.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
#: From this many passages on, ``index="auto"`` searches through FAISS HNSW instead of exact numpy.
#: Measured with benchmarks/search.py on two shared CPU cores, 100k passages: exact vector search
#: 6.9 ms p50 (1.8 ms with a selective filter), HNSW 0.5 ms but recall@10 of 93% and 20 s to
#: build. Exact search costs about as much as embedding the query (5 to 15 ms), so below this
#: size HNSW's lost recall buys little.
ANN_MIN_ROWS = 200_000
#: A filter keeping at most this many passages is searched exactly over them, even with HNSW.
EXACT_SUBSET_MAX = 20_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
DEFAULT_COLLECTION = "nlp_iom"


@dataclass(frozen=True)
class CorpusSettings:
    """How a corpus stores and searches its passages.

    Attributes:
        backend: ``"embedded"`` (SQLite + vector file + FAISS + bm25s in the folder) or
            ``"qdrant"`` (passages, vectors and document records in Qdrant collections).
        index: Dense index of the embedded backend: ``"exact"`` (numpy), ``"hnsw"`` (FAISS)
            or ``"auto"`` (HNSW from :attr:`ann_min_rows` passages on).
        ann_min_rows: See :attr:`index`.
        exact_subset_max: Filters keeping at most this many passages are searched exactly.
        hnsw_m: HNSW graph degree.
        hnsw_ef_construction: HNSW build-time beam width.
        hnsw_ef_search: HNSW search-time beam width (at least ``top_k`` candidates).
        qdrant_location: Qdrant local mode: ``":memory:"`` or a folder path.
        qdrant_url: A Qdrant server or cluster URL (``http://host:6333``); excludes a location.
        qdrant_api_key: API key for :attr:`qdrant_url` (default: ``$QDRANT_API_KEY``; never stored).
        collection: Prefix of the Qdrant collection names (``<prefix>_passages``, ``<prefix>_documents``).
    """

    backend: str = "embedded"
    index: str = "auto"
    ann_min_rows: int = ANN_MIN_ROWS
    exact_subset_max: int = EXACT_SUBSET_MAX
    hnsw_m: int = HNSW_M
    hnsw_ef_construction: int = HNSW_EF_CONSTRUCTION
    hnsw_ef_search: int = HNSW_EF_SEARCH
    qdrant_location: str | None = None
    qdrant_url: str | None = None
    qdrant_api_key: str | None = None
    collection: str = DEFAULT_COLLECTION

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ConfigError("backend", f"must be one of {', '.join(BACKENDS)}, got {self.backend!r}")
        if self.index not in INDEX_KINDS:
            raise ConfigError("index", f"must be one of {', '.join(INDEX_KINDS)}, got {self.index!r}")
        for name in ("ann_min_rows", "exact_subset_max", "hnsw_m", "hnsw_ef_construction", "hnsw_ef_search"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(name, f"must be a positive integer, got {value!r}")
        if self.qdrant_location is not None and self.qdrant_url is not None:
            raise ConfigError("qdrant_url", "give either qdrant_location (local mode) or qdrant_url (server), not both")
        if not self.collection or not self.collection.replace("_", "").replace("-", "").isalnum():
            raise ConfigError("collection", f"must be letters, digits, '_' or '-', got {self.collection!r}")
        if self.qdrant_api_key and self.qdrant_url and not key_may_travel(self.qdrant_url):
            raise ConfigError("qdrant_api_key", f"an API key is sent only over https (or http to localhost), "
                                                f"not to {self.qdrant_url!r}")

    @property
    def api_key(self) -> str | None:
        """The Qdrant API key: the setting, else ``$QDRANT_API_KEY``, else ``None``.

        ``$QDRANT_API_KEY`` is never sent over plain http except to localhost: for such a URL this
        is ``None`` (and a warning is logged).
        """
        if self.qdrant_api_key:
            return self.qdrant_api_key
        key = os.environ.get(QDRANT_API_KEY_ENV) or None
        if key and self.qdrant_url and not key_may_travel(self.qdrant_url):
            log.warning("$%s is not sent to %s: plain http to a host that is not localhost", QDRANT_API_KEY_ENV,
                        self.qdrant_url)
            return None
        return key

    @classmethod
    def from_env(cls) -> CorpusSettings:
        """Default settings, with the backend and Qdrant place the user set in the environment."""
        chosen: dict[str, Any] = {}
        for key, env in (("backend", BACKEND_ENV), ("qdrant_url", QDRANT_URL_ENV),
                         ("qdrant_location", QDRANT_LOCATION_ENV)):
            if os.environ.get(env):
                chosen[key] = os.environ[env]
        if ("qdrant_url" in chosen or "qdrant_location" in chosen) and "backend" not in chosen:
            chosen["backend"] = "qdrant"
        return cls(**chosen)

    def with_overrides(self, **overrides: Any) -> CorpusSettings:
        """A copy with the given fields replaced (validated again).

        Raises:
            ConfigError: An unknown field or an invalid value.
        """
        known = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ConfigError(unknown[0], f"not a corpus setting (known: {', '.join(sorted(known))})")
        return replace(self, **overrides)


def key_may_travel(url: str) -> bool:
    """Whether an API key may be sent to ``url``: over https, or over http to localhost only."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    return parts.scheme == "https" or (parts.hostname or "") in LOCAL_HOSTS
