"""The embedded corpus backend: a folder that needs no server.

Layout of the folder:

* ``corpus.sqlite``: the source of truth for documents (with ``info``), passages (with their
  stemmed BM25 tokens), codes and entity keys, and ``meta`` (schema version, embedder, vector
  width and the committed vector row count). See :mod:`nlp_iom.corpus.schema`.
* ``vectors.f32``: append-only passage vectors, the source of truth for vectors
  (:mod:`nlp_iom.corpus.vectors`).
* ``vectors.hnsw``: FAISS HNSW index, only for corpora searched approximately (derived).
* ``bm25/``: the bm25s index, stamped with the passages it covers (derived).

Each document is added in one SQLite transaction: its rows are inserted, its vectors appended
to ``vectors.f32`` and fsynced, the new row count is written to ``meta``, then the transaction
commits. A crash before the commit leaves SQLite as it was and vector rows past the committed
count, which the next append cuts off under the write lock: the store is as before that
document. A reader (every open) maps only the committed rows and never writes, so it cannot
disturb a writer that is adding to the folder meanwhile.
Derived indexes are brought up to date once per ``add()`` call; when they are missing, stale
or unreadable they are rebuilt from the sources of truth with a logged warning. A damaged
source of truth raises :class:`~nlp_iom.corpus.schema.CorruptCorpusError` naming the file.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np

from nlp_iom.corpus.bm25 import BM25Index, tokenize
from nlp_iom.corpus.columns import FilterColumns
from nlp_iom.corpus.info import document_info
from nlp_iom.corpus.schema import (
    DB_NAME,
    META_DIM,
    META_VECTOR_ROWS,
    CorpusChangedError,
    CorruptCorpusError,
    DocumentRow,
    PassageRow,
    entity_keys,
    read_meta,
    set_meta,
    sqlite_guard,
)
from nlp_iom.corpus.search import Hit, SearchFilters
from nlp_iom.corpus.settings import CorpusSettings
from nlp_iom.corpus.store import Corpus
from nlp_iom.corpus.vectors import LEGACY_VECTORS_NAME, VECTORS_NAME, DenseIndex, VectorFile
from nlp_iom.document import Document, Passage

log = logging.getLogger(__name__)

_PASSAGE_COLUMNS = "id, doc_id, ordinal, text, language, pages, section, codes, entities"
#: Passage ids per ``IN (...)`` query (SQLite's default variable limit is far above).
ID_CHUNK = 900


def _passage_row(r: tuple[Any, ...]) -> PassageRow:
    return PassageRow(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), json.loads(r[6]), json.loads(r[7]),
                      json.loads(r[8]))


class EmbeddedCorpus(Corpus):
    """A corpus in a folder: SQLite, an append-only vector file, FAISS and bm25s. Use :meth:`Corpus.open`."""

    def __init__(self, folder: Path, conn: sqlite3.Connection, meta: dict[str, str], embedder: Any,
                 settings: CorpusSettings) -> None:
        super().__init__(folder, embedder, settings)
        self._conn = conn
        try:
            if META_VECTOR_ROWS not in meta:
                self._convert_legacy_vectors(conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0])
            # One read transaction: the meta, the documents, the passage count and the filter columns
            # come from one snapshot, whatever a writer commits meanwhile.
            conn.execute("BEGIN")
            try:
                meta = read_meta(conn)
                self._load_documents()
                count, top = conn.execute("SELECT COUNT(*), COALESCE(MAX(id), -1) FROM passages").fetchone()
                if count != top + 1:
                    raise CorruptCorpusError(folder, f"{DB_NAME}: passage ids are not contiguous")
                rows = int(meta.get(META_VECTOR_ROWS, 0))
                if rows != count:
                    raise CorruptCorpusError(folder, f"{DB_NAME} records {rows} vector rows for {count} passages")
                self._columns = FilterColumns.from_db(conn)
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")
            # The vector file only grows past the committed rows (a writer's open transaction), so
            # it can be read after the snapshot ends.
            self._vectors = VectorFile(folder, rows, int(meta.get(META_DIM, 0)))
        except sqlite3.DatabaseError as exc:
            raise CorruptCorpusError(folder, f"{DB_NAME} cannot be read: {exc}") from exc
        except (json.JSONDecodeError, ValueError) as exc:
            raise CorruptCorpusError(folder, f"{DB_NAME} holds malformed values: {exc}") from exc
        self._count = count
        self._dense = DenseIndex(folder, settings)
        self._bm25: BM25Index | None = None
        self._rows: list[PassageRow] | None = None

    def _load_documents(self) -> None:
        self.documents = {}
        for row in self._conn.execute("SELECT id, content_hash, path, title, authors, year, kind, language, info "
                                      "FROM documents ORDER BY id"):
            self.documents[row[0]] = DocumentRow(row[0], row[1], row[2], row[3], json.loads(row[4]), row[5], row[6],
                                                 row[7], json.loads(row[8] or "{}"))

    def _convert_legacy_vectors(self, count: int) -> None:
        """Move a schema-1 ``vectors.npy`` into ``vectors.f32`` and record its row count."""
        legacy = self.folder / LEGACY_VECTORS_NAME
        if not legacy.exists():
            if count:
                raise CorruptCorpusError(self.folder, f"{LEGACY_VECTORS_NAME} is missing but {count} passages are "
                                                      "stored")
            set_meta(self._conn, META_VECTOR_ROWS, "0")
            return
        try:
            old = np.load(legacy, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise CorruptCorpusError(self.folder, f"{LEGACY_VECTORS_NAME} cannot be read: {exc}") from exc
        if old.ndim != 2 or old.shape[0] < count:
            raise CorruptCorpusError(self.folder, f"{LEGACY_VECTORS_NAME} has shape {old.shape} for {count} passages")
        vectors = VectorFile(self.folder, 0, int(old.shape[1]))
        written = vectors.write(old[:count]) if count else 0
        self._conn.execute("BEGIN IMMEDIATE")
        set_meta(self._conn, META_VECTOR_ROWS, str(written))
        set_meta(self._conn, META_DIM, str(old.shape[1]))
        self._conn.execute("COMMIT")
        legacy.unlink()
        log.info("corpus %s: moved %d vectors from %s to %s", self.folder, count, LEGACY_VECTORS_NAME, VECTORS_NAME)

    # -- properties ------------------------------------------------------
    @property
    def passage_count(self) -> int:
        return self._count

    @property
    @sqlite_guard
    def passage_rows(self) -> list[PassageRow]:
        if self._rows is None:
            self._rows = [_passage_row(r) for r in
                          self._conn.execute(f"SELECT {_PASSAGE_COLUMNS} FROM passages ORDER BY id")]
        return self._rows

    @property
    def vectors(self) -> np.ndarray:
        """Passage vectors, ``[passages, dim]``; row ``i`` is passage id ``i``."""
        return self._vectors.array

    @property
    @sqlite_guard
    def bm25(self) -> BM25Index:
        """The BM25 index over the stored passages (loaded, or rebuilt once after a change)."""
        if self._bm25 is None or self._bm25.size != self._count:
            self._bm25 = BM25Index.load(self.folder, self._count)
            if self._bm25 is None:
                self._bm25 = BM25Index(self._stored_tokens())
                self._bm25.save(self.folder)
        return self._bm25

    def _stored_tokens(self) -> list[list[str]]:
        """Each passage's stems from SQLite (stemming and storing those of schema-1 passages first)."""
        rows = self._conn.execute("SELECT id, tokens FROM passages ORDER BY id").fetchall()
        missing = [pid for pid, tokens in rows if tokens is None]
        if missing:
            texts = dict(self._conn.execute("SELECT id, text || char(0) || language FROM passages "
                                            "WHERE tokens IS NULL"))
            done = {pid: " ".join(tokenize(*texts[pid].split("\0", 1))) for pid in missing}
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.executemany("UPDATE passages SET tokens = ? WHERE id = ?", [(t, p) for p, t in done.items()])
            self._conn.execute("COMMIT")
            rows = [(pid, done.get(pid, tokens)) for pid, tokens in rows]
        return [tokens.split() for _, tokens in rows]

    def close(self) -> None:
        self._conn.close()

    @sqlite_guard
    def has_hash(self, content_hash: str) -> bool:
        return self._conn.execute("SELECT 1 FROM documents WHERE content_hash = ?",
                                  (content_hash,)).fetchone() is not None

    # -- adding ----------------------------------------------------------
    @sqlite_guard
    def _store(self, doc: Document, content_hash: str, path: str | None, passages: list[Passage],
               vectors: np.ndarray, tokens: list[list[str]]) -> None:
        meta = doc.metadata
        first = self._count
        info = document_info(doc)
        authors = [a.name for a in meta.authors]
        entity_dicts = [[e.to_dict() for e in p.entities] for p in passages]
        keys = [entity_keys(e) for e in entity_dicts]
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            committed = conn.execute("SELECT value FROM meta WHERE key = ?", (META_VECTOR_ROWS,)).fetchone()
            if int(committed[0] if committed else 0) != self._vectors.rows:
                raise CorpusChangedError(self.folder, "another process added to this corpus since it was opened; "
                                                      "reopen it (one writer at a time)")
            cur = conn.execute(
                "INSERT INTO documents (content_hash, path, title, authors, year, kind, language, info) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (content_hash, path, meta.title, json.dumps(authors, ensure_ascii=False), meta.year,
                 meta.kind or "unknown", meta.language, json.dumps(info, ensure_ascii=False, default=str)))
            doc_id = int(cur.lastrowid)
            conn.executemany(
                "INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(first + n, doc_id, n, p.text, p.language, json.dumps(p.pages),
                  json.dumps(p.section_path, ensure_ascii=False), json.dumps(p.codes),
                  json.dumps(entity_dicts[n], ensure_ascii=False, default=str), " ".join(tokens[n]))
                 for n, p in enumerate(passages)])
            conn.executemany("INSERT INTO passage_codes VALUES (?, ?, ?)",
                             [(first + n, code, float(prob)) for n, p in enumerate(passages)
                              for code, prob in p.codes.items()])
            conn.executemany("INSERT INTO entity_keys VALUES (?, ?)",
                             [(first + n, key) for n in range(len(passages)) for key in keys[n]])
            if len(passages):
                rows = self._vectors.write(vectors)
                set_meta(conn, META_VECTOR_ROWS, str(rows))
                set_meta(conn, META_DIM, str(self._vectors.dim))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise  # vector rows written past the committed count are cut off by the next write or open
        self.documents[doc_id] = DocumentRow(doc_id, content_hash, path, meta.title, authors, meta.year,
                                             meta.kind or "unknown", meta.language, info)
        self._columns.add_document(doc_id, meta.kind or "unknown", meta.year)
        if len(passages):
            self._vectors.commit(vectors)
            self._dense.append(vectors)
        for n, p in enumerate(passages):
            self._columns.add_passage(first + n, doc_id, p.language, p.codes, keys[n])
            if self._rows is not None:
                self._rows.append(PassageRow(first + n, doc_id, n, p.text, p.language, list(p.pages),
                                             list(p.section_path), dict(p.codes), entity_dicts[n]))
        self._count += len(passages)

    def _flush(self) -> None:
        self._dense.flush(self._vectors.array)

    # -- searching -------------------------------------------------------
    def filter_mask(self, filters: SearchFilters | None) -> np.ndarray | None:
        """Boolean mask of the passages that pass ``filters`` (``None``: no restriction)."""
        return self._columns.mask(filters)

    def passage_vectors(self, ids: list[int]) -> np.ndarray:
        return np.asarray(self._vectors.array[ids], dtype=np.float32)

    def dense_ranking(self, query_vector: np.ndarray, filters: SearchFilters | None,
                      limit: int) -> list[tuple[int, float]]:
        return self._dense.search(self._vectors.array, query_vector, self.filter_mask(filters), limit)

    def keyword_ranking(self, tokens: list[str], filters: SearchFilters | None,
                        limit: int) -> list[tuple[int, float]]:
        mask = self.filter_mask(filters)
        scores = self.bm25.scores(tokens, mask)
        candidates = np.flatnonzero(scores > 0)
        if not candidates.size:
            return []
        if candidates.size > limit:
            candidates = candidates[np.argpartition(-scores[candidates], limit - 1)[:limit]]
        order = candidates[np.lexsort((candidates, -scores[candidates]))]
        return [(int(i), float(scores[i])) for i in order]

    @sqlite_guard
    def passages(self, ids: list[int]) -> dict[int, PassageRow]:
        """The stored passages with these ids (read from SQLite unless all rows are in memory)."""
        if self._rows is not None:
            return {i: self._rows[i] for i in ids}
        found: dict[int, PassageRow] = {}
        for start in range(0, len(ids), ID_CHUNK):
            chunk = ids[start: start + ID_CHUNK]
            marks = ",".join("?" * len(chunk))
            for r in self._conn.execute(f"SELECT {_PASSAGE_COLUMNS} FROM passages WHERE id IN ({marks})", chunk):
                found[r[0]] = _passage_row(r)
        return found

    def hits(self, scored: list[tuple[int, float]]) -> list[Hit]:
        rows = self.passages([pid for pid, _ in scored])
        return [self._hit(rows[pid], score) for pid, score in scored]
