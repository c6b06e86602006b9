"""Passage vectors of the embedded store: an append-only file and the dense search over it.

``vectors.f32`` is a 16-byte header (magic, dimension) followed by one L2-normalised float32
row per passage; row ``i`` is passage id ``i``. It is the source of truth for vectors. Adding
a document appends its rows and fsyncs; the store then records the new committed row count
(``meta.vector_rows``) in the same SQLite transaction as the passages. Rows past that count
belong to an add that crashed before its commit: they are cut off when the file is opened and
before the next append. A file shorter than the committed count, with a bad header, or with
non-finite values is :class:`~nlp_iom.corpus.schema.CorruptCorpusError`.

Dense search is exact (numpy over the rows that pass the filter) below
:attr:`~nlp_iom.corpus.settings.CorpusSettings.ann_min_rows` rows, and through a FAISS HNSW
index (``vectors.hnsw``, inner product) above it. The HNSW index is derived: it is grown with
each added row, saved once per ``add()`` call, and rebuilt from ``vectors.f32`` with a logged
warning when it is missing, unreadable or covers more rows than the file. A filter that keeps
at most :attr:`~nlp_iom.corpus.settings.CorpusSettings.exact_subset_max` rows is always
searched exactly over those rows; a broader one goes to FAISS with an ``IDSelectorBitmap``, so
a filtered search ranks only passages that pass (no post-filter shortfall).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from nlp_iom.corpus.schema import CorruptCorpusError
from nlp_iom.corpus.settings import CorpusSettings

log = logging.getLogger(__name__)

VECTORS_NAME = "vectors.f32"
LEGACY_VECTORS_NAME = "vectors.npy"
HNSW_NAME = "vectors.hnsw"
MAGIC = b"NLPIOMV\x01"
HEADER_BYTES = 16
ROW_DTYPE = np.float32
#: Starting capacity of the in-memory buffer, in rows; it doubles as the corpus grows.
MIN_CAPACITY = 1024
TMP_SUFFIX = ".tmp"
#: A filter keeping fewer than 1 row in this many gathers its rows before scoring; a broader
#: one scores every row in place (gathering would copy most of the matrix).
SUBSET_GATHER_RATIO = 4


class VectorFile:
    """The append-only vector file and its rows in memory.

    Args:
        folder: The corpus folder.
        rows: Committed row count (from SQLite).
        dim: Vector width (0 while the corpus is empty and the width unknown).
    """

    def __init__(self, folder: Path, rows: int, dim: int) -> None:
        self.folder = folder
        self.path = folder / VECTORS_NAME
        self.rows = 0
        self.dim = dim
        self._buf = np.zeros((0, dim), dtype=ROW_DTYPE)
        self._load(rows)

    @property
    def array(self) -> np.ndarray:
        """The committed rows, ``[rows, dim]`` (a view; do not keep it across adds)."""
        return self._buf[: self.rows]

    def _row_bytes(self) -> int:
        return self.dim * np.dtype(ROW_DTYPE).itemsize

    def _load(self, rows: int) -> None:
        if not self.path.exists():
            if rows:
                raise CorruptCorpusError(self.folder, f"{VECTORS_NAME} is missing but {rows} vector rows are committed")
            return
        with self.path.open("rb") as handle:
            header = handle.read(HEADER_BYTES)
        if len(header) < HEADER_BYTES or header[:8] != MAGIC:
            if not rows and len(header) == 0:
                return
            raise CorruptCorpusError(self.folder, f"{VECTORS_NAME} has no valid header (not an nlp_iom vector file)")
        dim = int(np.frombuffer(header[8:12], dtype="<u4")[0])
        if self.dim and dim != self.dim:
            raise CorruptCorpusError(self.folder, f"{VECTORS_NAME} holds {dim}-wide rows, the corpus {self.dim}-wide")
        self.dim = dim
        size = self.path.stat().st_size - HEADER_BYTES
        if size < rows * self._row_bytes():
            raise CorruptCorpusError(self.folder, f"{VECTORS_NAME} holds {size // max(self._row_bytes(), 1)} rows, "
                                                  f"{rows} are committed")
        # Rows past the committed count belong to a writer's open transaction (or to one that died):
        # a reader maps only the committed rows and never writes; the writer cuts the rest under
        # the SQLite write lock (:meth:`write`).
        data = np.fromfile(self.path, dtype=ROW_DTYPE, offset=HEADER_BYTES, count=rows * dim).reshape(rows, dim)
        if not np.isfinite(data).all():
            raise CorruptCorpusError(self.folder, f"{VECTORS_NAME} holds non-finite values")
        self._buf = np.zeros((max(MIN_CAPACITY, rows), dim), dtype=ROW_DTYPE)
        self._buf[:rows] = data
        self.rows = rows

    def write(self, vectors: np.ndarray) -> int:
        """Append ``vectors`` to the file (after cutting any uncommitted rows) and fsync.

        Call it only inside the SQLite write transaction (``BEGIN IMMEDIATE``) that records the new
        row count: the cut of uncommitted rows is safe only while no other writer can commit.

        The rows join :attr:`array` only after :meth:`commit`; call it once the SQLite
        transaction recording the new row count has committed.

        Returns:
            The row count after the append (to record in SQLite).
        """
        vectors = np.ascontiguousarray(vectors, dtype=ROW_DTYPE)
        if not self.dim:
            self.dim = int(vectors.shape[1])
            self._buf = np.zeros((0, self.dim), dtype=ROW_DTYPE)
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise ValueError(f"vectors must be [n, {self.dim}], got {vectors.shape}")
        if not self.path.exists() or self.path.stat().st_size < HEADER_BYTES:
            with self.path.open("wb") as handle:
                handle.write(MAGIC + np.array([self.dim, 0], dtype="<u4").tobytes())
        with self.path.open("r+b") as handle:
            handle.truncate(HEADER_BYTES + self.rows * self._row_bytes())
            handle.seek(0, os.SEEK_END)
            handle.write(vectors.tobytes())
            handle.flush()
            os.fsync(handle.fileno())
        return self.rows + len(vectors)

    def commit(self, vectors: np.ndarray) -> None:
        """Add rows written by :meth:`write` (and committed in SQLite) to :attr:`array`."""
        need = self.rows + len(vectors)
        if need > len(self._buf):
            grown = np.zeros((max(need, 2 * len(self._buf), MIN_CAPACITY), self.dim), dtype=ROW_DTYPE)
            grown[: self.rows] = self._buf[: self.rows]
            self._buf = grown
        self._buf[self.rows: need] = vectors
        self.rows = need


def _dot(rows: np.ndarray, query: np.ndarray) -> np.ndarray:
    """``rows @ query`` on one thread.

    A matrix-vector product is memory-bound; multi-threaded BLAS only adds the cost of waking
    its threads, about 12 ms a call on a busy two-core machine whatever the size (measured with
    benchmarks/search.py), against 0.15 ms for 2,000 rows and 8 ms for 100,000 with einsum.
    """
    return np.einsum("ij,j->i", rows, query)


def top_exact(vectors: np.ndarray, query: np.ndarray, ids: np.ndarray | None, limit: int) -> list[tuple[int, float]]:
    """Best ``limit`` rows by inner product, over all rows or only ``ids`` (sorted); best first."""
    if ids is not None and ids.size * SUBSET_GATHER_RATIO < len(vectors):
        scores, rows = _dot(vectors[ids], query), ids  # a selective filter: gather its rows
    else:  # score every row (no copy of the matrix), then drop the filtered-out ones
        scores = _dot(vectors, query)
        rows = np.arange(len(vectors)) if ids is None else ids
        scores = scores if ids is None else scores[ids]
    if not len(scores):
        return []
    k = min(limit, len(scores))
    top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    top = top[np.lexsort((top, -scores[top]))]
    return [(int(r), float(s)) for r, s in zip(rows[top], scores[top])]


class DenseIndex:
    """Dense search over a :class:`VectorFile`: exact numpy, or a FAISS HNSW index when large.

    Args:
        folder: The corpus folder (where ``vectors.hnsw`` lives).
        settings: Index kind and thresholds.
    """

    def __init__(self, folder: Path, settings: CorpusSettings) -> None:
        self.folder = folder
        self.path = folder / HNSW_NAME
        self.settings = settings
        self._index: object | None = None
        self._dirty = False

    def uses_ann(self, rows: int) -> bool:
        """Whether a corpus of ``rows`` passages is searched through HNSW."""
        kind = self.settings.index
        return kind == "hnsw" or (kind == "auto" and rows >= self.settings.ann_min_rows)

    def _new_index(self, dim: int) -> object:
        import faiss

        index = faiss.IndexHNSWFlat(dim, self.settings.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = self.settings.hnsw_ef_construction
        return index

    def _loaded(self, vectors: np.ndarray) -> object:
        """The HNSW index covering every row of ``vectors`` (loaded, caught up or rebuilt)."""
        import faiss

        rows, dim = vectors.shape
        if self._index is None and self.path.exists():
            try:
                index = faiss.read_index(str(self.path))
                if index.d != dim or index.ntotal > rows:
                    raise ValueError(f"covers {index.ntotal} rows of width {index.d}, the corpus has {rows} of {dim}")
                self._index = index
            except (RuntimeError, ValueError) as exc:
                log.warning("corpus %s: %s is unreadable or stale (%s); rebuilding it from %s", self.folder,
                            HNSW_NAME, str(exc).splitlines()[0] if str(exc) else type(exc).__name__, VECTORS_NAME)
        elif self._index is None and rows:
            log.warning("corpus %s: %s is missing; building it from %s", self.folder, HNSW_NAME, VECTORS_NAME)
        if self._index is None:
            self._index = self._new_index(dim)
        index = self._index
        if index.ntotal < rows:  # type: ignore[attr-defined]
            index.add(np.ascontiguousarray(vectors[index.ntotal:]))  # type: ignore[attr-defined]
            self._dirty = True
        return index

    def append(self, vectors: np.ndarray) -> None:
        """Grow a loaded HNSW index with committed rows (an unloaded one catches up when next loaded)."""
        if self._index is not None:
            self._index.add(np.ascontiguousarray(vectors))  # type: ignore[attr-defined]
            self._dirty = True

    def flush(self, vectors: np.ndarray) -> None:
        """Bring the HNSW index up to date and save it, when this corpus uses one (once per add batch)."""
        if not len(vectors) or not self.uses_ann(len(vectors)):
            return
        self._loaded(vectors)
        if self._dirty:
            import faiss

            tmp = self.path.with_name(self.path.name + TMP_SUFFIX)
            faiss.write_index(self._index, str(tmp))
            os.replace(tmp, self.path)
            self._dirty = False

    def search(self, vectors: np.ndarray, query: np.ndarray, mask: np.ndarray | None,
               limit: int) -> list[tuple[int, float]]:
        """Best ``limit`` passages by cosine that pass ``mask`` (``None``: all), best first."""
        rows = len(vectors)
        ids = None if mask is None else np.flatnonzero(mask)
        if not rows or (ids is not None and not ids.size):
            return []
        if not self.uses_ann(rows) or (ids is not None and ids.size <= self.settings.exact_subset_max):
            return top_exact(vectors, query, ids, limit)
        import faiss

        index = self._loaded(vectors)
        params = faiss.SearchParametersHNSW()
        params.efSearch = max(self.settings.hnsw_ef_search, limit)
        if ids is not None:
            bitmap = np.packbits(mask.astype(np.uint8), bitorder="little")
            selector = faiss.IDSelectorBitmap(rows, faiss.swig_ptr(bitmap))
            params.sel = selector
        k = min(limit, rows if ids is None else int(ids.size))
        scores, found = index.search(query.reshape(1, -1).astype(ROW_DTYPE), k, params=params)  # type: ignore
        hits = [(int(i), float(s)) for i, s in zip(found[0], scores[0]) if i >= 0]
        if len(hits) < k:  # HNSW could not reach enough passing rows: rank them exactly
            return top_exact(vectors, query, ids, limit)
        return hits
