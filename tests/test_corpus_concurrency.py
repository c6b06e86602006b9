"""Concurrent processes on one corpus folder (#19 items 1 and 2): real processes, real files.

* A reader that opens the corpus while a writer sits between appending its vectors and
  committing must neither cut the writer's rows nor see them; after the commit every open works.
* Several processes creating one new folder at the same moment all open it, with one schema.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from nlp_iom.corpus import Corpus
from nlp_iom.corpus.vectors import HEADER_BYTES, VECTORS_NAME

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_5c98c16164753270.txt"

#: The writer: adds a document, but waits between writing its vectors and committing them until
#: the test has opened and searched the corpus (a file handshake makes the window certain).
WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from nlp_iom.corpus import Corpus
    from nlp_iom.corpus.vectors import VectorFile
    from nlp_iom.document import Document, Metadata, Passage

    folder, flags = Path(sys.argv[1]), Path(sys.argv[2])
    real_write = VectorFile.write

    def write_and_wait(self, vectors):
        rows = real_write(self, vectors)
        (flags / "written").touch()
        deadline = time.time() + 120
        while not (flags / "read").exists() and time.time() < deadline:
            time.sleep(0.05)
        return rows

    VectorFile.write = write_and_wait
    texts = ["IOM melatih petugas imigrasi di Entikong.", "Korban dipulangkan ke NTT.", "Penutup laporan."]
    passages = [Passage(id=i, text=t, start=0, end=len(t), language="id") for i, t in enumerate(texts)]
    doc = Document(metadata=Metadata(title="Laporan Baru", language="id"), text=" ".join(texts), passages=passages)
    with Corpus.open(folder) as corpus:
        report = corpus.add_documents([doc])
    print(len(report.added), len(report.failed))
""")

#: Opens (creating) the folder once the start file appears, so all openers start together.
OPENER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from nlp_iom.corpus import Corpus
    folder, start = Path(sys.argv[1]), Path(sys.argv[2])
    while not start.exists():
        time.sleep(0.005)
    with Corpus.open(folder) as corpus:
        print(len(corpus))
""")


def _python(script: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


def _wait_for(path: Path, process: subprocess.Popen[str], seconds: float = 240) -> None:
    deadline = time.time() + seconds
    while not path.exists():
        if process.poll() is not None:
            raise AssertionError(f"writer stopped early: {process.stderr.read() if process.stderr else ''}")
        assert time.time() < deadline, f"{path.name} never appeared"
        time.sleep(0.05)


def test_a_reader_during_a_writers_add_cuts_nothing(tmp_path: Path) -> None:
    folder, flags = tmp_path / "corpus", tmp_path / "flags"
    flags.mkdir()
    with Corpus.open(folder) as corpus:
        assert corpus.add(SEED).added
        committed = corpus.passage_count
    writer = _python(WRITER, str(folder), str(flags))
    try:
        _wait_for(flags / "written", writer)
        vectors = folder / VECTORS_NAME
        size = vectors.stat().st_size
        assert size > HEADER_BYTES + committed * 384 * 4  # the writer's rows are in the file, not yet committed
        with Corpus.open(folder) as reader:  # what `nlp-iom search` does meanwhile
            assert reader.passage_count == committed and len(reader.vectors) == committed
            assert reader.search("IOM", top_k=3, mode="bm25")
        assert vectors.stat().st_size == size  # the reader wrote nothing
    finally:
        (flags / "read").touch()
        out, err = writer.communicate(timeout=240)
    assert writer.returncode == 0, err[-2000:]
    assert out.split() == ["1", "0"]  # one added, none failed
    with Corpus.open(folder) as after:
        assert after.passage_count == committed + 3 and len(after.vectors) == committed + 3
        assert after.search("petugas imigrasi Entikong", top_k=1)[0].title == "Laporan Baru"


@pytest.mark.parametrize("attempt", range(3))
def test_processes_creating_one_folder_together_all_open_it(tmp_path: Path, attempt: int) -> None:
    folder, start = tmp_path / f"new{attempt}", tmp_path / "start"
    openers = [_python(OPENER, str(folder), str(start)) for _ in range(6)]
    time.sleep(1.5)  # let every interpreter reach its wait loop
    start.touch()
    results = [p.communicate(timeout=120) for p in openers]
    for process, (out, err) in zip(openers, results):
        assert process.returncode == 0, err[-2000:]
        assert out.strip() == "0"
    import sqlite3

    with sqlite3.connect(folder / "corpus.sqlite") as conn:
        assert conn.execute("SELECT COUNT(*) FROM meta WHERE key = 'schema_version'").fetchone() == (1,)
