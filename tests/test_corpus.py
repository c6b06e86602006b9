"""Corpus store and hybrid search, with the real e5-small embedder, Sastrawi and bm25s."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from nlp_iom.corpus import Corpus, CorruptCorpusError, SearchFilters
from nlp_iom.corpus import store as store_module
from nlp_iom.corpus.bm25 import tokenize
from nlp_iom.document import Author, Document, Metadata, Passage
from nlp_iom.embed.embedder import Embedder, get_embedder
from nlp_iom.errors import ConfigError, SchemaVersionError

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))
CODE = "haas:socialization"

ID_TEXTS = [
    ("IOM bersama pemerintah desa melaksanakan sosialisasi bahaya perdagangan orang kepada warga "
     "desa Jawai dan Pemangkat di Kabupaten Sambas."),
    "Pemerintah kabupaten menganggarkan dana untuk perbaikan jalan dan jembatan di wilayah perbatasan.",
    "Korban perdagangan orang yang dipulangkan dari Malaysia mendapat pendampingan psikososial.",
]


def _doc(title: str, texts: list[str], year: int, kind: str, source: str | None = None) -> Document:
    """A Document built in code: Indonesian body passages, the first coded and naming IOM."""
    passages = [Passage(id=i, text=t, start=0, end=len(t), pages=[i + 3], section_path=["BAB II", "Temuan"],
                        language="id") for i, t in enumerate(texts)]
    passages[0].codes = {CODE: 0.93}
    passages[0].entities = [{"text": "IOM", "label": "ORG", "long_form": "International Organization for Migration"}]
    passages[1].codes = {CODE: 0.05}
    return Document(metadata=Metadata(title=title, authors=[Author("Siti Rahma")], year=year, language="id",
                                      kind=kind, source=source), text="\n\n".join(texts), passages=passages)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return get_embedder("e5-small")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    with Corpus.open(folder, embedder=embedder) as corpus:
        report = corpus.add(SEED_FILES)
        assert report.added == [str(p) for p in SEED_FILES] and not report.failed
        report = corpus.add_documents([_doc("Laporan Sosialisasi IOM", ID_TEXTS, 2021, "report")])
        assert len(report.added) == 1
    return folder


@pytest.fixture()
def corpus(built: Path, embedder: Embedder) -> Corpus:
    opened = Corpus.open(built, embedder=embedder)
    yield opened
    opened.close()


@pytest.fixture()
def copy(built: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(built, target)
    return target


def test_adding_twice_skips_by_hash(copy: Path, embedder: Embedder) -> None:
    with Corpus.open(copy, embedder=embedder) as corpus:
        before = len(corpus.passage_rows)
        report = corpus.add(SEED_FILES)
        assert report.skipped == [str(p) for p in SEED_FILES] and not report.added
        assert corpus.add_documents([_doc("Laporan Sosialisasi IOM", ID_TEXTS, 2021, "report")]).skipped
        assert len(corpus.passage_rows) == before and len(corpus) == 3


def test_failed_file_is_recorded_and_batch_goes_on(copy: Path, embedder: Embedder, tmp_path: Path) -> None:
    extra = tmp_path / "extra.txt"
    extra.write_text("Pelaksanaan program di desa.\n\nIOM mendukung kegiatan warga desa perbatasan.", "utf-8")
    with Corpus.open(copy, embedder=embedder) as corpus:
        report = corpus.add([tmp_path / "missing.pdf", extra])
        assert str(tmp_path / "missing.pdf") in report.failed
        assert report.added == [str(extra)]


def test_persisted_across_reopen(corpus: Corpus) -> None:
    assert len(corpus) == 3
    titles = {d.title for d in corpus.documents.values()}
    assert "Laporan Sosialisasi IOM" in titles
    paper = next(d for d in corpus.documents.values() if d.kind == "paper")
    assert paper.year == 2020 and "Hardi Alunaza" in paper.authors
    assert corpus.vectors.shape == (len(corpus.passage_rows), 384)
    assert np.allclose(np.linalg.norm(corpus.vectors, axis=1), 1.0, atol=1e-3)
    coded = [p for p in corpus.passage_rows if p.codes.get(CODE, 0) > 0.5]
    assert len(coded) == 1 and coded[0].entities[0]["text"] == "IOM" and coded[0].pages == [3]


def test_cross_lingual_indonesian_query_finds_english(corpus: Corpus) -> None:
    hits = corpus.search("sosialisasi perdagangan orang di desa", top_k=5, mode="vector",
                         filters=SearchFilters(language="en"))
    assert hits and all(h.language == "en" for h in hits)
    assert any("socialization" in h.text for h in hits[:3])


def test_cross_lingual_english_query_finds_indonesian(corpus: Corpus) -> None:
    hits = corpus.search("raising village awareness of human trafficking", top_k=3, mode="vector",
                         filters=SearchFilters(language="id"))
    assert hits[0].text == ID_TEXTS[0]


def test_hybrid_hits_carry_citation_facts(corpus: Corpus) -> None:
    hits = corpus.search("IOM socialization in post-migrant villages", top_k=10)
    assert len(hits) == 10 and hits[0].score >= hits[-1].score
    paper_hits = [h for h in hits if h.kind == "paper"]
    assert paper_hits
    hit = paper_hits[0]
    assert hit.title.startswith("The Role of International Organization for Migration")
    assert hit.authors[0] == "Nurfitri Nugrahaningsih" and hit.year == 2020 and hit.section
    assert hit.path.endswith("000_5c98c16164753270.txt")


def test_bm25_matches_indonesian_affixes(corpus: Corpus) -> None:
    assert "laksana" in tokenize("pelaksanaan", "id") and "laksana" in tokenize("melaksanakan", "id")
    hits = corpus.search("pelaksanaan", top_k=3, mode="bm25")
    assert hits and hits[0].text == ID_TEXTS[0]


def test_bm25_stems_english(corpus: Corpus) -> None:
    hits = corpus.search("socializing", top_k=5, mode="bm25")  # the word itself is in no passage
    assert hits and all("social" in h.text.lower() for h in hits)
    assert "socialization" in hits[0].text


def test_filters_restrict_hits(corpus: Corpus) -> None:
    query = "perdagangan orang"
    by_code = corpus.search(query, filters=SearchFilters(code=CODE))
    assert [h.text for h in by_code] == [ID_TEXTS[0]]
    by_entity = corpus.search(query, filters=SearchFilters(entity="iom"))
    assert [h.text for h in by_entity] == [ID_TEXTS[0]]
    assert corpus.search(query, filters=SearchFilters(entity="International Organization for Migration"))
    by_year = corpus.search(query, filters=SearchFilters(year=(2021, None)))
    assert by_year and all(h.year == 2021 for h in by_year)
    assert all(h.year == 2020 for h in corpus.search(query, filters=SearchFilters(year=2020)))
    by_kind = corpus.search(query, filters=SearchFilters(kind=["report"]))
    assert {h.kind for h in by_kind} == {"report"}
    assert corpus.search(query, filters=SearchFilters(kind="thesis")) == []  # front matter only: no body


@pytest.mark.parametrize("query", ["", "   ", "x" * 10_000])
def test_bad_query_is_a_config_error(corpus: Corpus, query: str) -> None:
    with pytest.raises(ConfigError, match="query"):
        corpus.search(query)


def test_bad_mode_and_top_k(corpus: Corpus) -> None:
    with pytest.raises(ConfigError, match="mode"):
        corpus.search("IOM", mode="fuzzy")
    with pytest.raises(ConfigError, match="top_k"):
        corpus.search("IOM", top_k=0)


def test_newer_schema_is_refused(copy: Path, embedder: Embedder) -> None:
    conn = sqlite3.connect(copy / store_module.DB_NAME)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(SchemaVersionError, match="newer"):
        Corpus.open(copy, embedder=embedder)


def test_other_embedder_is_refused(copy: Path) -> None:
    with pytest.raises(ConfigError, match="embedder"):
        Corpus.open(copy, embedder="e5-small-fp32")


@pytest.mark.parametrize("error", [OSError("disk full"), RuntimeError("killed")])
def test_crash_mid_add_keeps_previous_documents(copy: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch,
                                                error: Exception) -> None:
    with Corpus.open(copy, embedder=embedder) as corpus:
        before = (len(corpus), len(corpus.passage_rows))

        def crash(path: Path, vectors: np.ndarray) -> None:
            raise error

        monkeypatch.setattr(store_module, "_write_vectors", crash)
        new = _doc("Dokumen Baru", ["Pelaksanaan pelatihan aparat desa.", "Catatan lain.", "Penutup."], 2022, "thesis")
        if isinstance(error, OSError):
            assert "disk full" in next(iter(corpus.add_documents([new]).failed.values()))
        else:
            with pytest.raises(RuntimeError):
                corpus.add_documents([new])
        monkeypatch.undo()
        assert (len(corpus), len(corpus.passage_rows)) == before
    with Corpus.open(copy, embedder=embedder) as reopened:
        assert (len(reopened), len(reopened.passage_rows)) == before
        assert reopened.search("pelaksanaan", top_k=1, mode="bm25")[0].text == ID_TEXTS[0]
        assert reopened.add_documents([new]).added  # the failed document can be added later


def test_uncommitted_vector_rows_are_dropped_on_open(copy: Path, embedder: Embedder) -> None:
    path = copy / store_module.VECTORS_NAME
    vectors = np.load(path)
    np.save(path, np.vstack([vectors, vectors[:2]]))  # a crash after moving vectors in, before commit
    with Corpus.open(copy, embedder=embedder) as corpus:
        assert corpus.vectors.shape[0] == len(corpus.passage_rows) == vectors.shape[0]
        assert corpus.search("IOM", top_k=3)
    assert np.load(path).shape == vectors.shape


def test_missing_vectors_is_corrupt(copy: Path, embedder: Embedder) -> None:
    (copy / store_module.VECTORS_NAME).unlink()
    with pytest.raises(CorruptCorpusError, match="missing"):
        Corpus.open(copy, embedder=embedder)


def test_empty_corpus_search(tmp_path: Path, embedder: Embedder) -> None:
    with Corpus.open(tmp_path / "empty", embedder=embedder) as corpus:
        assert corpus.search("IOM") == []
