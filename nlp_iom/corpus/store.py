"""The embedded corpus store: a folder that needs no server.

A corpus folder holds ``corpus.sqlite`` (metadata, passages, entities and codes) and
``vectors.npy`` (one L2-normalised float32 row per passage; row ``i`` is passage id ``i``).
Adding documents appends; a document whose content hash is already stored is skipped.

Each document is added atomically. Its rows are inserted in an open SQLite transaction,
then the grown vector array is written to ``vectors.npy.tmp`` and moved over
``vectors.npy`` with :func:`os.replace`, then the transaction commits. A crash before the
move leaves both files as they were; a crash between move and commit leaves extra vector
rows that no passage owns, which :meth:`Corpus.open` drops. Nothing committed is lost.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import numpy as np

from nlp_iom.corpus.bm25 import BM25Index
from nlp_iom.corpus.search import Hit, SearchFilters, run_search
from nlp_iom.document import Document
from nlp_iom.errors import ConfigError, NlpIomError, SchemaVersionError
from nlp_iom.hashing import file_sha256

log = logging.getLogger(__name__)

#: Version of the corpus folder layout; a folder written by a newer one is refused.
CORPUS_SCHEMA_VERSION = 1
DB_NAME = "corpus.sqlite"
VECTORS_NAME = "vectors.npy"
TMP_SUFFIX = ".tmp"
DEFAULT_EMBEDDER = "e5-small"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY, content_hash TEXT NOT NULL UNIQUE, path TEXT, title TEXT,
    authors TEXT NOT NULL, year INTEGER, kind TEXT NOT NULL, language TEXT);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY, doc_id INTEGER NOT NULL REFERENCES documents(id), ordinal INTEGER NOT NULL,
    text TEXT NOT NULL, language TEXT NOT NULL, pages TEXT NOT NULL, section TEXT NOT NULL,
    codes TEXT NOT NULL, entities TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id);
"""


class CorruptCorpusError(NlpIomError):
    """A corpus folder is damaged beyond automatic repair.

    Args:
        folder: The corpus folder.
        cause: What is wrong.
    """

    def __init__(self, folder: str | Path, cause: str) -> None:
        self.folder = str(folder)
        self.cause = cause
        super().__init__(f"corpus {self.folder}: {cause}")


@dataclass
class DocumentRow:
    """A stored document's bibliographic facts."""

    id: int
    content_hash: str
    path: str | None
    title: str | None
    authors: list[str]
    year: int | None
    kind: str
    language: str | None


@dataclass
class PassageRow:
    """A stored passage."""

    id: int
    doc_id: int
    ordinal: int
    text: str
    language: str
    pages: list[int]
    section_path: list[str]
    codes: dict[str, float]
    entities: list[dict[str, Any]]


@dataclass
class AddReport:
    """What :meth:`Corpus.add` did: sources added, skipped as duplicates, and failed with cause."""

    added: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def document_hash(doc: Document) -> str:
    """Content hash of a Document: of its source file's bytes when that file exists, else of its text."""
    source = doc.metadata.source
    if source and Path(source).is_file():
        return file_sha256(Path(source))
    return hashlib.sha256((doc.text or doc.to_json(indent=None)).encode("utf-8")).hexdigest()


def _write_vectors(path: Path, vectors: np.ndarray) -> None:
    """Write ``vectors`` to ``path`` atomically (temp file, fsync, :func:`os.replace`)."""
    tmp = path.with_name(path.name + TMP_SUFFIX)
    with tmp.open("wb") as handle:
        np.save(handle, vectors)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class Corpus:
    """A corpus folder: documents and passages in SQLite, vectors in numpy, a BM25 index in memory.

    Use :meth:`open` rather than the constructor.
    """

    def __init__(self, folder: Path, conn: sqlite3.Connection, embedder: Any) -> None:
        self.folder = folder
        self._conn = conn
        self._embedder_spec = embedder
        self._embedder: Any = None if isinstance(embedder, str) else embedder
        self.documents: dict[int, DocumentRow] = {}
        self.passage_rows: list[PassageRow] = []
        self.vectors = np.zeros((0, 0), dtype=np.float32)
        self._bm25: BM25Index | None = None

    # -- opening ---------------------------------------------------------
    @classmethod
    def open(cls, folder: str | Path, embedder: Any = DEFAULT_EMBEDDER) -> Corpus:
        """Open the corpus in ``folder``, creating it if needed.

        Args:
            folder: The corpus folder.
            embedder: An embedder spec for :func:`nlp_iom.embed.embedder.get_embedder`
                (loaded on first use) or an Embedder object.

        Raises:
            SchemaVersionError: The folder was written by a newer corpus schema.
            ConfigError: The folder was built with a different embedder.
            CorruptCorpusError: The store is damaged beyond repair.
        """
        folder = Path(folder)
        if folder.exists() and not folder.is_dir():
            raise ConfigError("folder", f"{folder} exists and is not a folder")
        folder.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(folder / DB_NAME, isolation_level=None)
            conn.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise CorruptCorpusError(folder, f"{DB_NAME} cannot be read: {exc}") from exc
        corpus = cls(folder, conn, embedder)
        corpus._check_meta()
        corpus._load()
        return corpus

    def _meta(self) -> dict[str, str]:
        return dict(self._conn.execute("SELECT key, value FROM meta").fetchall())

    def _check_meta(self) -> None:
        meta = self._meta()
        name = self._embedder_spec if isinstance(self._embedder_spec, str) else self._embedder_spec.name
        if "schema_version" not in meta:
            self._conn.executemany("INSERT INTO meta VALUES (?, ?)",
                                   [("schema_version", str(CORPUS_SCHEMA_VERSION)), ("embedder", name)])
            return
        try:
            version = int(meta["schema_version"])
        except ValueError as exc:
            raise CorruptCorpusError(self.folder, f"bad schema_version {meta['schema_version']!r}") from exc
        if version > CORPUS_SCHEMA_VERSION:
            raise SchemaVersionError(
                f"corpus {self.folder} has schema version {version}, newer than this nlp_iom "
                f"({CORPUS_SCHEMA_VERSION}); upgrade nlp_iom to open it")
        if meta.get("embedder", name) != name:
            raise ConfigError("embedder", f"corpus {self.folder} was built with {meta['embedder']!r}, not {name!r}")

    def _load(self) -> None:
        self.documents = {}
        for row in self._conn.execute("SELECT id, content_hash, path, title, authors, year, kind, language "
                                      "FROM documents ORDER BY id"):
            self.documents[row[0]] = DocumentRow(row[0], row[1], row[2], row[3], json.loads(row[4]),
                                                 row[5], row[6], row[7])
        self.passage_rows = [
            PassageRow(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), json.loads(r[6]), json.loads(r[7]),
                       json.loads(r[8]))
            for r in self._conn.execute("SELECT id, doc_id, ordinal, text, language, pages, section, codes, "
                                        "entities FROM passages ORDER BY id")
        ]
        if any(p.id != i for i, p in enumerate(self.passage_rows)):
            raise CorruptCorpusError(self.folder, "passage ids are not contiguous")
        self.vectors = self._load_vectors(len(self.passage_rows))
        self._bm25 = None

    def _load_vectors(self, count: int) -> np.ndarray:
        path = self.folder / VECTORS_NAME
        if not path.exists():
            if count:
                raise CorruptCorpusError(self.folder, f"{VECTORS_NAME} is missing but {count} passages are stored")
            return np.zeros((0, 0), dtype=np.float32)
        try:
            vectors = np.load(path)
        except (OSError, ValueError) as exc:
            raise CorruptCorpusError(self.folder, f"{VECTORS_NAME} cannot be read: {exc}") from exc
        if vectors.ndim != 2 or vectors.shape[0] < count:
            raise CorruptCorpusError(self.folder, f"{VECTORS_NAME} has shape {vectors.shape} for {count} passages")
        if vectors.shape[0] > count:  # an add crashed after writing vectors, before its commit
            log.warning("corpus %s: dropping %d uncommitted vector rows", self.folder, vectors.shape[0] - count)
            vectors = np.ascontiguousarray(vectors[:count])
            _write_vectors(path, vectors)
        return vectors.astype(np.float32, copy=False)

    # -- properties ------------------------------------------------------
    @property
    def embedder(self) -> Any:
        """The embedder (loaded on first use)."""
        if self._embedder is None:
            from nlp_iom.embed.embedder import get_embedder

            self._embedder = get_embedder(self._embedder_spec)
        return self._embedder

    @property
    def bm25(self) -> BM25Index:
        """The BM25 index over the stored passages (built on first use after a change)."""
        if self._bm25 is None:
            self._bm25 = BM25Index([p.text for p in self.passage_rows], [p.language for p in self.passage_rows])
        return self._bm25

    def __len__(self) -> int:
        return len(self.documents)

    def close(self) -> None:
        """Close the SQLite connection."""
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def has_hash(self, content_hash: str) -> bool:
        """Whether a document with this content hash is stored."""
        return self._conn.execute("SELECT 1 FROM documents WHERE content_hash = ?", (content_hash,)).fetchone() \
            is not None

    # -- adding ----------------------------------------------------------
    def add(self, paths: str | Path | Iterable[str | Path], annotate: bool = False,
            classify: bool = False) -> AddReport:
        """Read, embed and store files; folders are searched for readable files.

        Args:
            paths: Files or folders.
            annotate: Run named-entity recognition on each document first.
            classify: Run the passage classifier on each document first.

        Returns:
            Which files were added, skipped (already stored) and failed (with the cause).
            A failed file does not stop the batch.
        """
        from nlp_iom.reader import SUPPORTED_SUFFIXES, read

        items = [paths] if isinstance(paths, (str, Path)) else list(paths)
        files: list[Path] = []
        for item in map(Path, items):
            if item.is_dir():
                files.extend(sorted(p for p in item.rglob("*") if p.suffix.lower() in SUPPORTED_SUFFIXES))
            else:
                files.append(item)
        report = AddReport()
        for path in files:
            try:
                content_hash = file_sha256(path) if path.is_file() else None
                if content_hash and self.has_hash(content_hash):
                    report.skipped.append(str(path))
                    continue
                doc = read(path)
                if annotate:
                    from nlp_iom.ner.annotate import annotate as run_ner

                    run_ner(doc)
                if classify:
                    from nlp_iom.classify.api import classify as run_classifier

                    run_classifier(doc)
                added = self._add_one(doc, content_hash or document_hash(doc), str(path))
                (report.added if added else report.skipped).append(str(path))
            except (NlpIomError, OSError) as exc:
                report.failed[str(path)] = str(exc)
        return report

    def add_documents(self, docs: Iterable[Document]) -> AddReport:
        """Store already-processed Documents (for instance annotated and classified ones).

        The content hash is that of the source file when it exists, else of the text.
        """
        report = AddReport()
        for i, doc in enumerate(docs):
            name = doc.metadata.source or doc.metadata.title or f"document {i}"
            try:
                added = self._add_one(doc, document_hash(doc), doc.metadata.source)
                (report.added if added else report.skipped).append(name)
            except (NlpIomError, OSError) as exc:
                report.failed[name] = str(exc)
        return report

    def _add_one(self, doc: Document, content_hash: str, path: str | None) -> bool:
        """Store one document atomically; return False when its hash is already stored."""
        if self.has_hash(content_hash):
            return False
        passages = [p for p in doc.body_passages() if p.text.strip()]
        new_vectors = (self.embedder.encode_passages([p.text for p in passages]).astype(np.float32)
                       if passages else None)
        meta = doc.metadata
        first_id = len(self.passage_rows)
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            cur = conn.execute(
                "INSERT INTO documents (content_hash, path, title, authors, year, kind, language) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (content_hash, path, meta.title, json.dumps([a.name for a in meta.authors], ensure_ascii=False),
                 meta.year, meta.kind or "unknown", meta.language))
            doc_id = int(cur.lastrowid)
            conn.executemany(
                "INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(first_id + n, doc_id, n, p.text, p.language, json.dumps(p.pages),
                  json.dumps(p.section_path, ensure_ascii=False), json.dumps(p.codes),
                  json.dumps(p.entities, ensure_ascii=False, default=str)) for n, p in enumerate(passages)])
            if new_vectors is not None:
                grown = new_vectors if not self.vectors.size else np.vstack([self.vectors, new_vectors])
                _write_vectors(self.folder / VECTORS_NAME, grown)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            # A vector file moved in before a failed commit has extra rows; open() drops them,
            # and the next add writes from the in-memory (committed) rows.
            raise
        self._load()
        return True

    # -- reading ---------------------------------------------------------
    def hit(self, passage_id: int, score: float) -> Hit:
        """Build the :class:`Hit` for a stored passage."""
        row = self.passage_rows[passage_id]
        doc = self.documents[row.doc_id]
        return Hit(passage_id=row.id, text=row.text, score=float(score), title=doc.title, authors=list(doc.authors),
                   year=doc.year, pages=list(row.pages), section=row.section_path[-1] if row.section_path else "",
                   section_path=list(row.section_path), language=row.language, kind=doc.kind, path=doc.path,
                   doc_id=doc.id, codes=dict(row.codes), entities=list(row.entities))

    def search(self, query: str, top_k: int = 10, filters: SearchFilters | None = None,
               mode: str = "hybrid") -> list[Hit]:
        """Search the stored passages.

        Args:
            query: The query, in Indonesian or English (e5 is multilingual).
            top_k: How many hits to return (1 to 1000).
            filters: Restrictions applied before ranking.
            mode: ``"hybrid"`` (vector and BM25 fused by reciprocal rank fusion), ``"vector"``
                or ``"bm25"``.

        Returns:
            Hits, best first.

        Raises:
            ConfigError: Empty or over-long query, bad ``top_k`` or ``mode``.
        """
        return run_search(self, query, top_k=top_k, filters=filters, mode=mode)
