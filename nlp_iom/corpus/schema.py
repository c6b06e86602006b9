"""The corpus folder's SQLite schema, its rows, and the migration from older versions.

Version history:

* 1: ``documents`` (bibliographic facts), ``passages`` (text, pages, section, codes and
  entities as JSON), vectors in ``vectors.npy``.
* 2: ``documents.info`` (abstracts, keywords, institution, pages, sections, references,
  conclusion; see :func:`nlp_iom.corpus.info.document_info`), ``passages.tokens`` (the
  stemmed BM25 tokens, so the keyword index is rebuilt without stemming again), the tables
  ``passage_codes`` and ``entity_keys`` (filter columns read without parsing JSON), and an
  append-only ``vectors.f32`` whose committed row count is ``meta.vector_rows``.

:func:`migrate` upgrades a version-1 folder in place, in one transaction; a folder written by
a newer version is refused with :class:`~nlp_iom.errors.SchemaVersionError`.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from nlp_iom.errors import NlpIomError, SchemaVersionError

T = TypeVar("T")

#: Version of the corpus folder layout; a folder written by a newer one is refused.
CORPUS_SCHEMA_VERSION = 2
DB_NAME = "corpus.sqlite"
#: Meta keys.
META_VERSION = "schema_version"
META_EMBEDDER = "embedder"
META_VECTOR_ROWS = "vector_rows"
META_DIM = "dim"
META_BACKEND = "backend"
#: Seconds a connection waits for another process's write lock before giving up.
BUSY_TIMEOUT = 30.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY, content_hash TEXT NOT NULL UNIQUE, path TEXT, title TEXT,
    authors TEXT NOT NULL, year INTEGER, kind TEXT NOT NULL, language TEXT, info TEXT NOT NULL DEFAULT '{}');
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY, doc_id INTEGER NOT NULL REFERENCES documents(id), ordinal INTEGER NOT NULL,
    text TEXT NOT NULL, language TEXT NOT NULL, pages TEXT NOT NULL, section TEXT NOT NULL,
    codes TEXT NOT NULL, entities TEXT NOT NULL, tokens TEXT);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id);
CREATE TABLE IF NOT EXISTS passage_codes (
    passage_id INTEGER NOT NULL, code TEXT NOT NULL, prob REAL NOT NULL, PRIMARY KEY (passage_id, code));
CREATE TABLE IF NOT EXISTS entity_keys (passage_id INTEGER NOT NULL, key TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS entity_keys_key ON entity_keys(key);
"""


class CorruptCorpusError(NlpIomError):
    """A corpus's source of truth is damaged beyond automatic repair.

    Args:
        folder: The corpus folder (or Qdrant location).
        cause: What is wrong, naming the file.
    """

    def __init__(self, folder: str | Path, cause: str) -> None:
        self.folder = str(folder)
        self.cause = cause
        super().__init__(f"corpus {self.folder}: {cause}")


class CorpusChangedError(NlpIomError):
    """Another process wrote to the corpus after this one opened it; nothing was written. Reopen it.

    Args:
        folder: The corpus folder.
        cause: What happened.
    """

    def __init__(self, folder: str | Path, cause: str) -> None:
        self.folder = str(folder)
        self.cause = cause
        super().__init__(f"corpus {self.folder}: {cause}")


@dataclass
class DocumentRow:
    """A stored document's bibliographic facts and its ``info`` (see :mod:`nlp_iom.corpus.info`)."""

    id: int
    content_hash: str
    path: str | None
    title: str | None
    authors: list[str]
    year: int | None
    kind: str
    language: str | None
    info: dict[str, Any] = field(default_factory=dict)


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


def sqlite_guard(method: Callable[..., T]) -> Callable[..., T]:
    """Turn SQLite and JSON errors inside a corpus method into :class:`CorruptCorpusError` naming the folder.

    A damaged page can pass the open and surface only when a query reaches it; the caller then
    gets a typed error (``nlp-iom index check`` tells more) instead of a raw ``sqlite3`` one. A
    lock held past the busy timeout is not damage: it says another process holds the corpus.
    """

    @functools.wraps(method)
    def guarded(self: Any, *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise CorpusChangedError(self.folder, f"another process holds {DB_NAME} ({exc}); try again") from exc
            raise CorruptCorpusError(self.folder, f"{DB_NAME} cannot be read: {exc} "
                                                  "(run `nlp-iom index check`)") from exc
        except sqlite3.DatabaseError as exc:
            raise CorruptCorpusError(self.folder, f"{DB_NAME} cannot be read: {exc} "
                                                  "(run `nlp-iom index check`)") from exc
        except json.JSONDecodeError as exc:
            raise CorruptCorpusError(self.folder, f"{DB_NAME} holds malformed values: {exc}") from exc

    return guarded


def entity_keys(entities: Iterable[dict[str, Any]]) -> list[str]:
    """Case-folded texts and long forms of ``entities``: the keys the entity filter matches."""
    keys: dict[str, None] = {}
    for entity in entities:
        for value in (entity.get("text"), entity.get("long_form")):
            if value:
                keys[str(value).casefold()] = None
    return list(keys)


def _read_meta(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT key, value FROM meta").fetchall())


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def _v1_to_v2(conn: sqlite3.Connection) -> None:
    """Add the version-2 columns and tables and fill them from the version-1 JSON columns."""
    if "info" not in _columns(conn, "documents"):
        conn.execute("ALTER TABLE documents ADD COLUMN info TEXT NOT NULL DEFAULT '{}'")
    if "tokens" not in _columns(conn, "passages"):
        conn.execute("ALTER TABLE passages ADD COLUMN tokens TEXT")
    for statement in SCHEMA.split(";"):  # executescript would commit the open transaction
        if "passage_codes" in statement or "entity_keys" in statement:
            conn.execute(statement)
    codes, keys = [], []
    for pid, codes_json, entities_json in conn.execute("SELECT id, codes, entities FROM passages"):
        codes.extend((pid, code, float(prob)) for code, prob in json.loads(codes_json).items())
        keys.extend((pid, key) for key in entity_keys(json.loads(entities_json)))
    conn.executemany("INSERT OR REPLACE INTO passage_codes VALUES (?, ?, ?)", codes)
    conn.executemany("INSERT INTO entity_keys VALUES (?, ?)", keys)


def open_db(folder: Path, embedder_name: str) -> tuple[sqlite3.Connection, dict[str, str], int]:
    """Open (creating or migrating) ``folder``'s SQLite file.

    Args:
        folder: The corpus folder.
        embedder_name: The embedder this session uses (recorded in a new folder).

    Returns:
        The connection (autocommit mode; transactions are explicit), the meta table,
        and the schema version the folder had before this call (0 for a new folder).

    Raises:
        CorruptCorpusError: The file is not a readable SQLite database, or its meta is bad.
        SchemaVersionError: The folder was written by a newer schema.
    """
    path = folder / DB_NAME
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT)
        conn.execute("PRAGMA journal_mode=DELETE")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        meta = _read_meta(conn) if "meta" in tables else {}
    except sqlite3.DatabaseError as exc:
        raise CorruptCorpusError(folder, f"{DB_NAME} cannot be read: {exc}") from exc
    if META_VERSION not in meta:
        try:
            has_rows = "documents" in tables and conn.execute("SELECT 1 FROM documents LIMIT 1").fetchone()
        except sqlite3.DatabaseError as exc:
            raise CorruptCorpusError(folder, f"{DB_NAME} cannot be read: {exc}") from exc
        if has_rows:
            raise CorruptCorpusError(folder, f"{DB_NAME} holds documents but no schema version")
        if _create(conn, embedder_name):
            return conn, _read_meta(conn), 0
        meta = _read_meta(conn)  # another process created the folder first
    try:
        version = int(meta[META_VERSION])
    except ValueError as exc:
        raise CorruptCorpusError(folder, f"{DB_NAME}: bad schema_version {meta[META_VERSION]!r}") from exc
    if version > CORPUS_SCHEMA_VERSION:
        conn.close()
        raise SchemaVersionError(
            f"corpus {folder} has schema version {version}, newer than this nlp_iom "
            f"({CORPUS_SCHEMA_VERSION}); upgrade nlp_iom to open it")
    if version < CORPUS_SCHEMA_VERSION:
        migrate(conn, version)
    return conn, _read_meta(conn), version


def _create(conn: sqlite3.Connection, embedder_name: str) -> bool:
    """Create the schema and the meta entries in one write transaction.

    Two processes creating one folder at once are serialised by ``BEGIN IMMEDIATE``: the second
    finds the schema version written and creates nothing. Returns whether this call created it.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone() and \
                conn.execute("SELECT 1 FROM meta WHERE key = ?", (META_VERSION,)).fetchone():
            conn.execute("COMMIT")
            return False
        for statement in SCHEMA.split(";"):  # executescript would commit the open transaction
            if statement.strip():
                conn.execute(statement)
        conn.executemany("INSERT INTO meta VALUES (?, ?)", [(META_VERSION, str(CORPUS_SCHEMA_VERSION)),
                                                           (META_EMBEDDER, embedder_name)])
        conn.execute("COMMIT")
        return True
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def migrate(conn: sqlite3.Connection, version: int) -> None:
    """Upgrade the schema from ``version`` to :data:`CORPUS_SCHEMA_VERSION` in one transaction.

    Vector files are moved by the store (it knows their layout); this only touches SQLite.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        if version < 2:
            _v1_to_v2(conn)
        conn.execute("UPDATE meta SET value = ? WHERE key = ?", (str(CORPUS_SCHEMA_VERSION), META_VERSION))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Insert or replace one meta entry (inside the caller's transaction, if any)."""
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))


def read_meta(conn: sqlite3.Connection) -> dict[str, str]:
    """The meta table as a dict."""
    return _read_meta(conn)
