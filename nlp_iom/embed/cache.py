"""A content-hash cache of embeddings in one SQLite file.

The key of a vector is the SHA-256 of the embedder's name, the prompt and the text, so the same
passage embedded again (another run, another document quoting it) costs a lookup, and a
different model or prompt never gets a stale vector. Values are raw little-endian float32
bytes: nothing is unpickled, a damaged row is simply recomputed.

Example::

    from nlp_iom.embed.registry import get_embedder
    from nlp_iom.embed.cache import CachedEmbedder, EmbeddingCache

    embedder = CachedEmbedder(get_embedder(), EmbeddingCache("vectors.sqlite"))
    vectors = embedder.encode_passages(texts)   # second time: no model call

or simply ``get_embedder(cache_path="vectors.sqlite")``.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Self

import numpy as np

from nlp_iom.embed.embedder import Embedder, Kind, as_text_list

#: Separates the parts of a key so ("ab", "c") and ("a", "bc") differ.
KEY_SEPARATOR = "\x1f"
#: Keys per ``SELECT ... IN (...)`` (below SQLite's variable limit).
LOOKUP_CHUNK = 500
_DTYPE = np.dtype("<f4")
_SCHEMA = "CREATE TABLE IF NOT EXISTS embeddings (key BLOB PRIMARY KEY, dim INTEGER NOT NULL, vector BLOB NOT NULL)"


def cache_key(model: str, prefix: str, text: str) -> bytes:
    """SHA-256 digest of model name, prompt and text."""
    return hashlib.sha256(KEY_SEPARATOR.join((model, prefix, text)).encode("utf-8")).digest()


class EmbeddingCache:
    """Vectors by key in a SQLite file (created when missing).

    Safe to share between threads of one process; several processes may use one file (SQLite
    locks it; the journal is in WAL mode).

    Args:
        path: The SQLite file; ``":memory:"`` for a cache that lives as long as the object.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
            self.path = str(Path(self.path).expanduser())
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30.0)
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)
        self._db.commit()

    def get_many(self, keys: Sequence[bytes], dim: int | None = None) -> dict[bytes, np.ndarray]:
        """Vectors found for ``keys`` (rows of another width than ``dim`` are ignored)."""
        found: dict[bytes, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        with self._lock:
            for start in range(0, len(unique), LOOKUP_CHUNK):
                chunk = unique[start : start + LOOKUP_CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(f"SELECT key, dim, vector FROM embeddings WHERE key IN ({marks})", chunk)
                for key, width, blob in rows:
                    if len(blob) != width * _DTYPE.itemsize or (dim is not None and width != dim):
                        continue
                    found[bytes(key)] = np.frombuffer(blob, dtype=_DTYPE).astype(np.float32)
        return found

    def put_many(self, items: Iterable[tuple[bytes, np.ndarray]]) -> None:
        """Store vectors (replacing rows with the same key)."""
        rows = []
        for key, vector in items:
            data = np.ascontiguousarray(vector, dtype=_DTYPE).ravel()
            rows.append((key, int(data.shape[0]), data.tobytes()))
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO embeddings (key, dim, vector) VALUES (?, ?, ?)", rows)
            self._db.commit()

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0])

    def clear(self) -> None:
        """Delete every cached vector."""
        with self._lock:
            self._db.execute("DELETE FROM embeddings")
            self._db.commit()

    def close(self) -> None:
        """Close the database (the object is unusable afterwards)."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class CachedEmbedder(Embedder):
    """Wraps an :class:`Embedder`; only texts not in the cache reach the model.

    Repeated texts within one call are embedded once. Returned rows are bit-identical to what
    was stored, so a warm call gives the same array as the cold one.

    Attributes:
        inner: The wrapped embedder.
        cache: The store.
        hits: Texts answered from the cache so far.
        misses: Texts sent to the model so far.
    """

    def __init__(self, inner: Embedder, cache: EmbeddingCache) -> None:
        self.inner = inner
        self.cache = cache
        self.name = inner.name
        self.dim = inner.dim
        self.batch_size = inner.batch_size
        self.prompts = dict(getattr(inner, "prompts", {}))
        self.hits = 0
        self.misses = 0

    def prompt(self, kind: Kind) -> str:
        return self.inner.prompt(kind)

    def encode(self, texts: str | Sequence[str], kind: Kind = "passage") -> np.ndarray:
        items = as_text_list(texts)
        prefix = self.prompt(kind)
        keys = [cache_key(self.name, prefix, text) for text in items]
        found = self.cache.get_many(keys, dim=self.dim)
        todo: dict[bytes, str] = {}
        for key, text in zip(keys, items, strict=True):
            if key not in found and key not in todo:
                todo[key] = text
        if todo:
            computed = self.inner.encode(list(todo.values()), kind)
            fresh = list(zip(todo, computed, strict=True))
            self.cache.put_many(fresh)
            found.update((key, np.asarray(vector, dtype=np.float32)) for key, vector in fresh)
        self.misses += len(todo)
        self.hits += len(items) - len(todo)
        out = np.empty((len(items), self.dim), dtype=np.float32)
        for row, key in enumerate(keys):
            out[row] = found[key]
        return out

    def _embed(self, texts: list[str]) -> np.ndarray:  # pragma: no cover - encode() is overridden
        return self.inner._embed(texts)
