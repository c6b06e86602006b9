"""``nlp-iom index check``: a read-only health check of an embedded corpus folder.

It opens ``corpus.sqlite`` read-only and reads ``vectors.f32`` without mapping it for writing, so
it is safe beside a running writer and on a folder someone else sent. It checks:

* SQLite's own ``PRAGMA integrity_check`` (damaged pages, broken indexes);
* the schema version, contiguous passage ids, every passage's document, and its JSON columns;
* the committed vector row count against the passages and the vector file's size and header;
* every committed vector: finite and of unit length (e5 vectors are normalised), so garbage rows
  that would silently drop passages out of vector search are found.

Derived indexes (``bm25/``, ``vectors.hnsw``) are not checked: a corpus rebuilds them when they are
stale or unreadable.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nlp_iom.corpus.schema import CORPUS_SCHEMA_VERSION, DB_NAME, META_DIM, META_VECTOR_ROWS, META_VERSION
from nlp_iom.corpus.vectors import HEADER_BYTES, MAGIC, ROW_DTYPE, VECTORS_NAME
from nlp_iom.errors import ConfigError

#: A stored vector whose length differs from 1 by more than this is reported.
NORM_TOLERANCE = 1e-3
#: Rows read at a time when checking vectors.
CHUNK_ROWS = 65_536
#: Bad passage ids listed per problem (the count is always given).
SHOWN = 10


@dataclass
class CheckReport:
    """What :func:`check_corpus` found: counts, and one line per problem (none when healthy)."""

    folder: Path
    documents: int = 0
    passages: int = 0
    vector_rows: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def _ids(ids: np.ndarray | list[int]) -> str:
    shown = ", ".join(str(int(i)) for i in list(ids)[:SHOWN])
    return shown + (", …" if len(ids) > SHOWN else "")


def _check_sqlite(conn: sqlite3.Connection, report: CheckReport) -> dict[str, str]:
    integrity = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    if integrity != ["ok"]:
        report.problems += [f"{DB_NAME}: {line}" for line in integrity[:SHOWN]]
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    if meta.get(META_VERSION) != str(CORPUS_SCHEMA_VERSION):
        report.problems.append(f"{DB_NAME}: schema version {meta.get(META_VERSION)!r}, expected "
                               f"{CORPUS_SCHEMA_VERSION} (opening the corpus migrates an older one)")
    report.documents = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    count, top = conn.execute("SELECT COUNT(*), COALESCE(MAX(id), -1) FROM passages").fetchone()
    report.passages = count
    if count != top + 1:
        report.problems.append(f"{DB_NAME}: passage ids are not contiguous ({count} passages, highest id {top})")
    orphans = [r[0] for r in conn.execute("SELECT id FROM passages WHERE doc_id NOT IN (SELECT id FROM documents)")]
    if orphans:
        report.problems.append(f"{DB_NAME}: {len(orphans)} passages belong to no document (ids {_ids(orphans)})")
    malformed = []
    for row in conn.execute("SELECT id, pages, section, codes, entities FROM passages"):
        try:
            for value in row[1:]:
                json.loads(value)
        except (TypeError, ValueError):
            malformed.append(row[0])
    if malformed:
        report.problems.append(f"{DB_NAME}: {len(malformed)} passages hold malformed JSON (ids {_ids(malformed)})")
    return meta


def _check_vectors(folder: Path, meta: dict[str, str], report: CheckReport) -> None:
    rows = int(meta.get(META_VECTOR_ROWS, 0) or 0)
    dim = int(meta.get(META_DIM, 0) or 0)
    report.vector_rows = rows
    if rows != report.passages:
        report.problems.append(f"{DB_NAME} records {rows} vector rows for {report.passages} passages")
    path = folder / VECTORS_NAME
    if not path.exists():
        if rows:
            report.problems.append(f"{VECTORS_NAME} is missing but {rows} rows are committed")
        return
    with path.open("rb") as handle:
        header = handle.read(HEADER_BYTES)
    if len(header) < HEADER_BYTES or header[:8] != MAGIC:
        report.problems.append(f"{VECTORS_NAME} has no valid header")
        return
    width = int(np.frombuffer(header[8:12], dtype="<u4")[0])
    if dim and width != dim:
        report.problems.append(f"{VECTORS_NAME} holds {width}-wide rows, {DB_NAME} says {dim}")
        return
    row_bytes = width * np.dtype(ROW_DTYPE).itemsize
    held = (path.stat().st_size - HEADER_BYTES) // max(row_bytes, 1)
    if held < rows:
        report.problems.append(f"{VECTORS_NAME} holds {held} rows, {rows} are committed")
        return
    data = np.memmap(path, dtype=ROW_DTYPE, mode="r", offset=HEADER_BYTES, shape=(rows, width)) if rows else None
    bad_values: list[int] = []
    bad_norms: list[int] = []
    for start in range(0, rows, CHUNK_ROWS):
        block = np.asarray(data[start: start + CHUNK_ROWS])  # type: ignore[index]
        finite = np.isfinite(block).all(axis=1)
        bad_values += (np.flatnonzero(~finite) + start).tolist()
        norms = np.linalg.norm(np.where(finite[:, None], block, 0.0), axis=1)
        bad_norms += (np.flatnonzero(finite & (np.abs(norms - 1.0) > NORM_TOLERANCE)) + start).tolist()
    if bad_values:
        report.problems.append(f"{VECTORS_NAME}: {len(bad_values)} rows hold NaN or infinity "
                               f"(passage ids {_ids(bad_values)})")
    if bad_norms:
        report.problems.append(f"{VECTORS_NAME}: {len(bad_norms)} rows are not unit vectors, so those passages "
                               f"rank wrongly in vector search (passage ids {_ids(bad_norms)})")


def check_corpus(folder: str | Path) -> CheckReport:
    """Check an embedded corpus folder without writing to it; see the module docstring.

    Raises:
        ConfigError: The folder holds no corpus.
    """
    folder = Path(folder)
    db = folder / DB_NAME
    if not db.is_file():
        raise ConfigError("corpus", f"{folder} is not a corpus folder (no {DB_NAME})")
    report = CheckReport(folder)
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        report.problems.append(f"{DB_NAME} cannot be opened: {exc}")
        return report
    try:
        meta = _check_sqlite(conn, report)
    except sqlite3.DatabaseError as exc:
        report.problems.append(f"{DB_NAME} cannot be read: {exc}")
        return report
    finally:
        conn.close()
    if meta.get("backend", "embedded") != "embedded":
        report.problems.append(f"the folder records the {meta['backend']!r} backend; only embedded folders are "
                               "checked")
        return report
    _check_vectors(folder, meta, report)
    return report
