"""The embedded corpus store: atomic adds, derived indexes rebuilt, damaged sources refused, schema migration.

Behaviour shared with the Qdrant backend (search, filters, duplicates) is in test_corpus_backends.py.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from test_corpus_backends import CODE, ID_TEXTS, SEED_FILES, make_doc

from nlp_iom.corpus import Corpus, CorruptCorpusError, SearchFilters, schema
from nlp_iom.corpus import vectors as vectors_module
from nlp_iom.corpus.bm25 import BM25_DIR, STAMP_NAME, tokenize
from nlp_iom.corpus.vectors import HEADER_BYTES, HNSW_NAME, VECTORS_NAME, VectorFile
from nlp_iom.embed.embedder import Embedder
from nlp_iom.embed.registry import get_embedder
from nlp_iom.errors import ConfigError, SchemaVersionError

QUERY = "IOM socialization of human trafficking in villages"
V1_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents (id INTEGER PRIMARY KEY, content_hash TEXT NOT NULL UNIQUE, path TEXT, title TEXT,
    authors TEXT NOT NULL, year INTEGER, kind TEXT NOT NULL, language TEXT);
CREATE TABLE passages (id INTEGER PRIMARY KEY, doc_id INTEGER NOT NULL REFERENCES documents(id),
    ordinal INTEGER NOT NULL, text TEXT NOT NULL, language TEXT NOT NULL, pages TEXT NOT NULL, section TEXT NOT NULL,
    codes TEXT NOT NULL, entities TEXT NOT NULL);
CREATE INDEX passages_doc ON passages(doc_id);
"""


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return get_embedder("e5-small")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    with Corpus.open(folder, embedder=embedder, index="hnsw") as corpus:
        assert corpus.add(SEED_FILES).added
        assert corpus.add_documents([make_doc("Laporan Sosialisasi IOM", ID_TEXTS, 2021, "report")]).added
        corpus.search("IOM", mode="bm25")  # saves the BM25 index
    return folder


@pytest.fixture()
def copy(built: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(built, target)
    return target


@pytest.fixture()
def reference(built: Path, embedder: Embedder) -> Iterator[Corpus]:
    opened = Corpus.open(built, embedder=embedder, index="exact")
    yield opened
    opened.close()


def _snapshot(folder: Path) -> tuple[list[tuple], list[tuple], int]:
    conn = sqlite3.connect(folder / schema.DB_NAME)
    docs = conn.execute("SELECT * FROM documents ORDER BY id").fetchall()
    passages = conn.execute("SELECT * FROM passages ORDER BY id").fetchall()
    conn.close()
    return docs, passages, (folder / VECTORS_NAME).stat().st_size


def _ids(corpus: Corpus, query: str = QUERY, **kw: object) -> list[int]:
    return [h.passage_id for h in corpus.search(query, top_k=10, **kw)]


def test_folder_layout_and_vectors(reference: Corpus) -> None:
    names = {p.name for p in reference.folder.iterdir()}
    assert {schema.DB_NAME, VECTORS_NAME, HNSW_NAME, BM25_DIR} <= names
    assert reference.vectors.shape == (reference.passage_count, 384)
    assert np.allclose(np.linalg.norm(reference.vectors, axis=1), 1.0, atol=1e-3)
    size = (reference.folder / VECTORS_NAME).stat().st_size
    assert size == HEADER_BYTES + reference.passage_count * 384 * 4


def test_hnsw_and_exact_agree_with_and_without_filter(built: Path, reference: Corpus, embedder: Embedder) -> None:
    with Corpus.open(built, embedder=embedder, index="hnsw", exact_subset_max=1) as ann:
        assert _ids(ann, mode="vector") == _ids(reference, mode="vector")
        english = SearchFilters(language="en")
        assert _ids(ann, mode="vector", filters=english) == _ids(reference, mode="vector", filters=english)
        assert _ids(ann) == _ids(reference)


def test_crash_after_vectors_before_commit_leaves_store_as_before(copy: Path, embedder: Embedder,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    before = _snapshot(copy)
    real_write = VectorFile.write

    def write_then_die(self: VectorFile, rows: np.ndarray) -> int:
        real_write(self, rows)
        raise OSError("disk full")

    new = make_doc("Dokumen Baru", ["Pelaksanaan pelatihan aparat desa.", "Catatan lain.", "Penutup."], 2022, "thesis")
    with Corpus.open(copy, embedder=embedder) as corpus:
        monkeypatch.setattr(VectorFile, "write", write_then_die)
        assert "disk full" in next(iter(corpus.add_documents([new]).failed.values()))
        monkeypatch.undo()
        assert (len(corpus), corpus.passage_count) == (3, len(before[1]))
        assert (copy / VECTORS_NAME).stat().st_size > before[2]  # the uncommitted rows are in the file
    assert _snapshot(copy)[:2] == before[:2]
    with Corpus.open(copy, embedder=embedder) as reopened:
        assert _snapshot(copy)[:2] == before[:2] and reopened.passage_count == len(before[1])
        assert reopened.search("pelaksanaan", top_k=1, mode="bm25")[0].text == ID_TEXTS[0]
        assert reopened.add_documents([new]).added  # the failed document can be added later
        assert reopened.search("pelatihan aparat desa", top_k=1)[0].title == "Dokumen Baru"
        # the writer cut the dead rows before appending: the file holds exactly the committed rows
        assert (copy / VECTORS_NAME).stat().st_size == HEADER_BYTES + reopened.passage_count * 384 * 4


def test_an_open_maps_only_committed_rows_and_never_writes(copy: Path, embedder: Embedder) -> None:
    """Rows past the committed count may be a running writer's: a reader must leave them alone (#19)."""
    path = copy / VECTORS_NAME
    with path.open("ab") as handle:
        handle.write(np.ones((2, 384), dtype=np.float32).tobytes())
    size, stamp = path.stat().st_size, path.stat().st_mtime_ns
    with Corpus.open(copy, embedder=embedder) as corpus:
        assert corpus.vectors.shape[0] == corpus.passage_count and corpus.search("IOM", top_k=3)
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (size, stamp)


@pytest.mark.parametrize("damage", ["garbage", "missing"])
def test_damaged_hnsw_index_is_rebuilt(copy: Path, reference: Corpus, embedder: Embedder, damage: str,
                                       caplog: pytest.LogCaptureFixture) -> None:
    path = copy / HNSW_NAME
    if damage == "garbage":
        path.write_bytes(b"not a faiss index" * 10)
    else:
        path.unlink()
    with caplog.at_level(logging.WARNING), Corpus.open(copy, embedder=embedder, index="hnsw") as corpus:
        assert _ids(corpus, mode="vector") == _ids(reference, mode="vector")
        corpus.add_documents([make_doc("Baru", ["Kerja sama IOM dengan pemerintah daerah."], 2023, "paper")])
    assert HNSW_NAME in caplog.text and ("rebuilding" in caplog.text or "building" in caplog.text)
    import faiss

    assert faiss.read_index(str(path)).ntotal == reference.passage_count + 1  # saved after the add


@pytest.mark.parametrize("damage", ["garbage", "stale"])
def test_damaged_bm25_index_is_rebuilt(copy: Path, reference: Corpus, embedder: Embedder, damage: str,
                                       caplog: pytest.LogCaptureFixture) -> None:
    folder = copy / BM25_DIR
    if damage == "garbage":
        for npy in folder.glob("*.npy"):
            npy.write_bytes(b"\x93NUMPY garbage")
    else:
        stamp = json.loads((folder / STAMP_NAME).read_text())
        (folder / STAMP_NAME).write_text(json.dumps({**stamp, "passages": stamp["passages"] - 1}))
    with caplog.at_level(logging.WARNING), Corpus.open(copy, embedder=embedder) as corpus:
        assert _ids(corpus, mode="bm25") == _ids(reference, mode="bm25") != []
    assert (damage == "garbage") == ("unreadable" in caplog.text)
    assert json.loads((folder / STAMP_NAME).read_text())["passages"] == reference.passage_count


def test_bm25_index_is_rebuilt_once_after_an_add(copy: Path, embedder: Embedder) -> None:
    with Corpus.open(copy, embedder=embedder) as corpus:
        before = json.loads((copy / BM25_DIR / STAMP_NAME).read_text())["passages"]
        corpus.add_documents([make_doc("Baru", ["Penguatan kapasitas gugus tugas daerah."], 2023, "paper")])
        assert json.loads((copy / BM25_DIR / STAMP_NAME).read_text())["passages"] == before  # not per document
        assert corpus.search("gugus tugas", mode="bm25")[0].title == "Baru"
        assert json.loads((copy / BM25_DIR / STAMP_NAME).read_text())["passages"] == before + 1


@pytest.mark.parametrize("damage", ["truncated", "header", "missing", "nan"])
def test_damaged_vector_file_is_corrupt(copy: Path, embedder: Embedder, damage: str) -> None:
    path = copy / VECTORS_NAME
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[: len(data) - 384 * 4])
    elif damage == "header":
        path.write_bytes(b"X" * HEADER_BYTES + data[HEADER_BYTES:])
    elif damage == "missing":
        path.unlink()
    else:
        path.write_bytes(data[: HEADER_BYTES] + np.full(384, np.nan, dtype=np.float32).tobytes()
                         + data[HEADER_BYTES + 384 * 4:])
    with pytest.raises(CorruptCorpusError, match=VECTORS_NAME.replace(".", r"\.")) as info:
        Corpus.open(copy, embedder=embedder)
    assert info.value.folder == str(copy)


def test_damaged_sqlite_is_corrupt(copy: Path, embedder: Embedder) -> None:
    (copy / schema.DB_NAME).write_bytes(b"this is not a database, " * 200)
    with pytest.raises(CorruptCorpusError, match=r"corpus\.sqlite") as info:
        Corpus.open(copy, embedder=embedder)
    assert info.value.folder == str(copy)


def test_version_1_folder_is_migrated_in_place(built: Path, reference: Corpus, embedder: Embedder,
                                               tmp_path: Path) -> None:
    old = tmp_path / "v1"
    old.mkdir()
    src = sqlite3.connect(built / schema.DB_NAME)
    conn = sqlite3.connect(old / schema.DB_NAME)
    conn.executescript(V1_SCHEMA)
    conn.executemany("INSERT INTO meta VALUES (?, ?)", [("schema_version", "1"), ("embedder", embedder.name)])
    conn.executemany("INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     src.execute("SELECT id, content_hash, path, title, authors, year, kind, language FROM documents"))
    conn.executemany("INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     src.execute("SELECT id, doc_id, ordinal, text, language, pages, section, codes, entities "
                                 "FROM passages"))
    conn.commit()
    conn.close()
    src.close()
    np.save(old / vectors_module.LEGACY_VECTORS_NAME, reference.vectors)
    with Corpus.open(old, embedder=embedder) as migrated:
        assert schema.read_meta(migrated._conn)["schema_version"] == str(schema.CORPUS_SCHEMA_VERSION)
        assert [d.title for d in migrated.documents.values()] == [d.title for d in reference.documents.values()]
        assert all(d.info == {} for d in migrated.documents.values())
        assert np.array_equal(migrated.vectors, reference.vectors)
        for mode in ("vector", "bm25", "hybrid"):
            assert _ids(migrated, mode=mode) == _ids(reference, mode=mode)
        assert [h.text for h in migrated.search("IOM", filters=SearchFilters(code=CODE, entity="iom"))] == [ID_TEXTS[0]]
        assert migrated.add_documents([make_doc("Baru", ["Kerja sama IOM dengan desa."], 2023, "paper")]).added
    assert not (old / vectors_module.LEGACY_VECTORS_NAME).exists()
    conn = sqlite3.connect(old / schema.DB_NAME)
    assert conn.execute("SELECT COUNT(*) FROM passages WHERE tokens IS NULL").fetchone()[0] == 0
    stored = conn.execute("SELECT tokens FROM passages WHERE text = ?", (ID_TEXTS[0],)).fetchone()[0]
    assert stored.split() == tokenize(ID_TEXTS[0], "id")
    conn.close()


def test_newer_schema_is_refused(copy: Path, embedder: Embedder) -> None:
    conn = sqlite3.connect(copy / schema.DB_NAME)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    before = _snapshot(copy)
    with pytest.raises(SchemaVersionError, match="newer"):
        Corpus.open(copy, embedder=embedder)
    assert _snapshot(copy) == before


def test_other_embedder_and_backend_are_refused(copy: Path) -> None:
    with pytest.raises(ConfigError, match="embedder"):
        Corpus.open(copy, embedder="e5-small-fp32")
    with pytest.raises(ConfigError, match="backend"):
        Corpus.open(copy, backend="qdrant", qdrant_location=":memory:")
    with pytest.raises(ConfigError, match="index"):
        Corpus.open(copy, index="ivf")
    with pytest.raises(ConfigError, match="colour"):
        Corpus.open(copy, colour="red")


def test_second_writer_is_refused_without_damage(copy: Path, embedder: Embedder) -> None:
    first, second = Corpus.open(copy, embedder=embedder), Corpus.open(copy, embedder=embedder)
    try:
        assert first.add_documents([make_doc("Satu", ["Dokumen pertama tentang IOM."], 2023, "paper")]).added
        report = second.add_documents([make_doc("Dua", ["Dokumen kedua tentang IOM."], 2023, "paper")])
        assert "another process" in next(iter(report.failed.values()))
    finally:
        first.close()
        second.close()
    with Corpus.open(copy, embedder=embedder) as reopened:
        assert [d.title for d in reopened.documents.values()][-1] == "Satu"
        assert reopened.vectors.shape[0] == reopened.passage_count
        assert reopened.search("dokumen pertama", top_k=1)[0].title == "Satu"


def test_passage_rows_follow_adds(copy: Path, embedder: Embedder) -> None:
    with Corpus.open(copy, embedder=embedder) as corpus:
        count = len(corpus.passage_rows)
        corpus.add_documents([make_doc("Baru", ["Kerja sama IOM dengan desa.", "Kedua."], 2023, "paper")])
        assert len(corpus.passage_rows) == count + 2 and corpus.passage_rows[-1].text == "Kedua."
        assert corpus.passage_rows[count].entities[0]["text"] == "IOM"


def test_empty_corpus_search(tmp_path: Path, embedder: Embedder) -> None:
    with Corpus.open(tmp_path / "empty", embedder=embedder) as corpus:
        assert corpus.search("IOM") == [] and corpus.passage_rows == []


def test_add_reports_passages_per_document_and_warns_when_none(tmp_path: Path, embedder: Embedder,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    note = tmp_path / "note.txt"
    note.write_text("IOM Indonesia trains frontline police and immigration officers on counter-smuggling of "
                    "migrants and the humane handling of victims of trafficking.", encoding="utf-8")
    refs = tmp_path / "refs.md"
    refs.write_text("# Bibliografi IOM\n\n## Daftar Pustaka\n\nSmith, J. (2020). Migration and trafficking. "
                    "Jakarta: Penerbit.\n\nWahyu, A. (2019). Peran IOM. Jurnal HI, 2(1), 1-10.\n", encoding="utf-8")
    with Corpus.open(tmp_path / "corpus", embedder=embedder) as corpus, caplog.at_level("WARNING"):
        report = corpus.add([note, refs])
        assert report.passages == {str(note): 1, str(refs): 0}
        assert report.empty == [str(refs)] and "refs.md: no body passage" in caplog.text
        assert corpus.search("pelatihan polisi tentang penyelundupan migran", top_k=1)[0].path == str(note)
        again = corpus.add([note])
        assert again.skipped == [str(note)] and again.passages == {}
