"""``nlp-iom index check`` and typed errors on a damaged corpus (#19): real files, damaged by hand."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from test_corpus_backends import ID_TEXTS, SEED_FILES, make_doc
from typer.testing import CliRunner

from nlp_iom.cli import app
from nlp_iom.corpus import Corpus, CorruptCorpusError
from nlp_iom.corpus.check import check_corpus
from nlp_iom.corpus.vectors import HEADER_BYTES, VECTORS_NAME
from nlp_iom.embed.embedder import Embedder
from nlp_iom.embed.registry import get_embedder

runner = CliRunner()


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return get_embedder("e5-small")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    folder = tmp_path_factory.mktemp("healthy")
    with Corpus.open(folder, embedder=embedder) as corpus:
        assert corpus.add(SEED_FILES).added
        assert corpus.add_documents([make_doc("Laporan", ID_TEXTS, 2021, "report")]).added
    return folder


@pytest.fixture()
def copy(built: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built, tmp_path / "corpus"))


def test_a_healthy_corpus_checks_ok_and_is_not_written(copy: Path) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in copy.iterdir()}
    report = check_corpus(copy)
    assert report.ok, report.problems
    assert report.documents == 3 and report.passages == report.vector_rows > 0
    assert {p.name: p.stat().st_mtime_ns for p in copy.iterdir()} == before
    result = runner.invoke(app, ["index", "check", "--corpus", str(copy)])
    assert result.exit_code == 0 and result.output.strip().endswith("ok")


def test_garbage_vector_rows_are_found(copy: Path) -> None:
    """Garbage rows load silently and drop their passages out of vector search; the check names them."""
    with Corpus.open(copy) as corpus:
        dim = corpus.vectors.shape[1]
    with (copy / VECTORS_NAME).open("r+b") as handle:
        handle.seek(HEADER_BYTES + 2 * dim * 4)
        handle.write(np.full(dim, 7.0, dtype=np.float32).tobytes())  # passage 2: far from unit length
        handle.write(np.full(dim, np.nan, dtype=np.float32).tobytes())  # passage 3: not a number
    report = check_corpus(copy)
    assert any("not unit vectors" in p and "ids 2" in p for p in report.problems)
    assert any("NaN" in p and "ids 3" in p for p in report.problems)
    result = runner.invoke(app, ["index", "check", "--corpus", str(copy)])
    assert result.exit_code == 1 and "PROBLEM" in result.output


def _pages(path: Path) -> tuple[int, int]:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA page_size").fetchone()[0], conn.execute("PRAGMA page_count").fetchone()[0]


def _damage(db: Path, page: int, size: int, noise: bytes) -> None:
    """Overwrite ``page`` with noise and bump the change counter, as a disk or another program would."""
    with db.open("r+b") as handle:
        handle.seek((page - 1) * size)
        handle.write(noise)
        handle.seek(24)
        counter = int.from_bytes(handle.read(4), "big")
        handle.seek(24)
        handle.write(((counter + 1) % 2**32).to_bytes(4, "big"))


def test_a_page_damaged_while_open_gives_typed_errors_and_the_check_sees_it(copy: Path, tmp_path: Path,
                                                                           embedder: Embedder) -> None:
    """Each page in turn is overwritten with noise under an open corpus: its queries raise only
    CorruptCorpusError (never a raw sqlite3 error), and ``index check`` reports every page it needed."""
    size, count = _pages(copy / "corpus.sqlite")
    noise = np.random.default_rng(19).integers(0, 256, size, dtype=np.uint8).tobytes()
    typed = reported = 0
    for page in range(2, count + 1):
        folder = Path(shutil.copytree(copy, tmp_path / f"page{page}"))
        with Corpus.open(folder, embedder=embedder) as corpus:
            _damage(folder / "corpus.sqlite", page, size, noise)
            try:
                corpus.has_hash("0" * 64)
                corpus.search("IOM sosialisasi perdagangan orang", top_k=5)
                assert len(corpus.passage_rows) == corpus.passage_count
            except CorruptCorpusError as exc:
                typed += 1
                assert str(folder) in str(exc)
        problems = check_corpus(folder).problems
        reported += bool(problems)
    assert typed >= 1 and reported >= typed
