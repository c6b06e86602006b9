"""The same corpus behaviour on both backends: embedded (SQLite + FAISS + bm25s) and Qdrant (local mode).

Real e5-small embeddings, Sastrawi and Snowball stemming; documents are the seed paper, the seed
skripsi front matter and Indonesian / English passages written in code with codes and entities.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from nlp_iom.corpus import Corpus, FusionSettings, SearchFilters
from nlp_iom.corpus.search import MIN_CANDIDATES
from nlp_iom.document import Author, Document, Entity, Metadata, Passage
from nlp_iom.embed.cache import CachedEmbedder, EmbeddingCache
from nlp_iom.embed.embedder import Embedder
from nlp_iom.embed.registry import get_embedder
from nlp_iom.errors import ConfigError
from nlp_iom.reader import read

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))
PAPER = SEEDS / "000_5c98c16164753270.txt"
CODE = "haas:socialization"
BACKENDS = ("embedded", "qdrant")

ID_TEXTS = [
    ("IOM bersama pemerintah desa melaksanakan sosialisasi bahaya perdagangan orang kepada warga "
     "desa Jawai dan Pemangkat di Kabupaten Sambas."),
    "Pemerintah kabupaten menganggarkan dana untuk perbaikan jalan dan jembatan di wilayah perbatasan.",
    "Korban perdagangan orang yang dipulangkan dari Malaysia mendapat pendampingan psikososial.",
]


def make_doc(title: str, texts: list[str], year: int | None, kind: str, language: str = "id") -> Document:
    """A Document built in code: body passages, the first coded and naming IOM."""
    passages = [Passage(id=i, text=t, start=0, end=len(t), pages=[i + 3], section_path=["BAB II", "Temuan"],
                        language=language) for i, t in enumerate(texts)]
    passages[0].codes = {CODE: 0.93}
    passages[0].entities = [Entity("IOM", "ORG", 0, 3, long_form="International Organization for Migration")]
    if len(passages) > 1:
        passages[1].codes = {CODE: 0.05}
    return Document(metadata=Metadata(title=title, authors=[Author("Siti Rahma")], year=year, language=language,
                                      kind=kind), text="\n\n".join(texts), passages=passages)


def open_corpus(folder: Path, backend: str, embedder: Embedder) -> Corpus:
    """Open ``folder`` on ``backend`` (Qdrant in local mode, persisted under the folder)."""
    if backend == "qdrant":
        return Corpus.open(folder, embedder=embedder, backend="qdrant", qdrant_location=str(folder / "qdrant"))
    return Corpus.open(folder, embedder=embedder)


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return get_embedder("e5-small")


@pytest.fixture(scope="module", params=BACKENDS)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
          embedder: Embedder) -> tuple[str, Path]:
    backend = request.param
    folder = tmp_path_factory.mktemp(f"corpus_{backend}")
    with open_corpus(folder, backend, embedder) as corpus:
        report = corpus.add(SEED_FILES)
        assert report.added == [str(p) for p in SEED_FILES] and not report.failed
        assert corpus.add_documents([make_doc("Laporan Sosialisasi IOM", ID_TEXTS, 2021, "report")]).added
    return backend, folder


@pytest.fixture()
def corpus(built: tuple[str, Path], embedder: Embedder) -> Iterator[Corpus]:
    backend, folder = built
    opened = open_corpus(folder, backend, embedder)
    assert type(opened).__name__ == ("QdrantCorpus" if backend == "qdrant" else "EmbeddedCorpus")
    yield opened
    opened.close()


def test_reopened_store_has_documents_passages_and_info(corpus: Corpus) -> None:
    assert len(corpus) == 3
    paper = next(d for d in corpus.documents.values() if d.kind == "paper")
    assert paper.year == 2020 and "Hardi Alunaza" in paper.authors and paper.path == str(PAPER)
    assert {a["language"] for a in paper.info["abstracts"]} == {"id", "en"}
    assert paper.info["keywords"] and paper.info["references"] and paper.info["references"][0]["raw"]
    assert paper.info["sections"][0] == "INTRODUCTION" and "CONCLUSION" in paper.info["sections"]
    assert paper.info["conclusion"].startswith("The articulation function")
    rows = list(corpus.passage_rows)
    assert len(rows) == len(corpus.passage_rows) == corpus.passage_count and [r.id for r in rows] == list(range(len(rows)))
    coded = [r for r in rows if r.codes.get(CODE, 0) > 0.5]
    assert len(coded) == 1 and coded[0].entities[0]["text"] == "IOM" and coded[0].pages == [3]
    assert corpus.passage_rows[coded[0].id].text == ID_TEXTS[0]


def test_adding_again_skips_by_content_hash(corpus: Corpus) -> None:
    before = corpus.passage_count
    report = corpus.add(SEED_FILES)
    assert report.skipped == [str(p) for p in SEED_FILES] and not report.added
    assert corpus.add_documents([make_doc("Laporan Sosialisasi IOM", ID_TEXTS, 2021, "report")]).skipped
    assert corpus.passage_count == before and len(corpus) == 3


def test_vector_search_ranks_real_passages(corpus: Corpus) -> None:
    hits = corpus.search("qualitative research method with interviews and observation", top_k=3, mode="vector")
    assert hits[0].section == "RESEARCH METHOD" and hits[0].score >= hits[1].score >= hits[2].score


def test_cross_lingual_indonesian_query_finds_english(corpus: Corpus) -> None:
    hits = corpus.search("sosialisasi perdagangan orang di desa", top_k=5, mode="vector",
                         filters=SearchFilters(language="en"))
    assert len(hits) == 5 and all(h.language == "en" for h in hits)
    assert any("socialization" in h.text for h in hits[:3])


def test_cross_lingual_english_query_finds_indonesian(corpus: Corpus) -> None:
    hits = corpus.search("raising village awareness of human trafficking", top_k=3, mode="vector",
                         filters=SearchFilters(language="id"))
    assert hits[0].text == ID_TEXTS[0]


def test_hybrid_search_into_another_language_ranks_by_vector(corpus: Corpus) -> None:
    """With a language filter that excludes the query's language, BM25 could match only shared names and
    numbers, so the default hybrid search gives the vector ranking (see search._other_language_only)."""
    query = "How did IOM raise awareness of human trafficking among village officials in Sambas?"
    only_id = SearchFilters(language="id")
    hybrid = [h.passage_id for h in corpus.search(query, top_k=5, filters=only_id)]
    assert hybrid == [h.passage_id for h in corpus.search(query, top_k=5, filters=only_id, mode="vector")]
    assert corpus.search(query, top_k=1, filters=only_id)[0].text == ID_TEXTS[0]
    same = corpus.search(query, top_k=5, filters=SearchFilters(language="en"))
    assert [h.score for h in same] != [h.score for h in corpus.search(query, top_k=5, mode="vector",
                                                                         filters=SearchFilters(language="en"))]


def test_hybrid_hits_carry_citation_facts(corpus: Corpus) -> None:
    hits = corpus.search("IOM socialization in post-migrant villages", top_k=10)
    assert len(hits) == 10 and hits[0].score >= hits[-1].score
    hit = next(h for h in hits if h.kind == "paper")
    assert hit.title.startswith("The Role of International Organization for Migration")
    assert hit.authors[0] == "Nurfitri Nugrahaningsih" and hit.year == 2020 and hit.section and hit.section_path
    assert hit.path == str(PAPER)
    report_hit = corpus.search("sosialisasi bahaya perdagangan orang", top_k=1, filters=SearchFilters(kind="report"))[0]
    assert report_hit.page == 3 and report_hit.section == "Temuan" and report_hit.authors == ["Siti Rahma"]


def test_hybrid_fuses_both_rankings(corpus: Corpus) -> None:
    query = "pelaksanaan sosialisasi IOM"
    vector = [h.passage_id for h in corpus.search(query, top_k=MIN_CANDIDATES, mode="vector")]
    bm25 = [h.passage_id for h in corpus.search(query, top_k=MIN_CANDIDATES, mode="bm25")]
    hybrid = [h.passage_id for h in corpus.search(query, top_k=10)]
    # the top is a passage both sides rank high (the English "implement ... socialization ... IOM" one, which
    # BM25 meets through the glossary); BM25's own top, the Indonesian passage, stays in the first three
    assert hybrid[0] in bm25[:2] and hybrid[0] in vector[:2]
    assert bm25[0] == next(p.id for p in corpus.passage_rows if p.text == ID_TEXTS[0]) and bm25[0] in hybrid[:3]
    assert set(hybrid) <= set(vector) | set(bm25) and set(hybrid) - set(bm25[:10])  # the vector side contributes


def test_bm25_matches_indonesian_affixes(corpus: Corpus) -> None:
    hits = corpus.search("pelaksanaan", top_k=3, mode="bm25")  # "melaksanakan" in the passage
    assert hits and hits[0].text == ID_TEXTS[0]


def test_bm25_stems_english(corpus: Corpus) -> None:
    hits = corpus.search("socializing", top_k=5, mode="bm25")  # the word itself is in no passage
    # English passages match on the stem, Indonesian ones on the glossary's "sosialisasi"
    assert hits and all("social" in h.text.lower() or "sosialisasi" in h.text.lower() for h in hits)
    assert any("socialization" in h.text for h in hits)


def test_bm25_without_matching_terms_finds_nothing(corpus: Corpus) -> None:
    assert corpus.search("xylophone zeppelin", mode="bm25") == []


def test_each_filter_restricts_hits(corpus: Corpus) -> None:
    query = "perdagangan orang"
    assert [h.text for h in corpus.search(query, filters=SearchFilters(code=CODE))] == [ID_TEXTS[0]]
    assert [h.text for h in corpus.search(query, filters=SearchFilters(entity="iom"))] == [ID_TEXTS[0]]
    long_form = SearchFilters(entity="International Organization for Migration")
    assert [h.text for h in corpus.search(query, filters=long_form)] == [ID_TEXTS[0]]
    by_year = corpus.search(query, filters=SearchFilters(year=(2021, None)))
    assert len(by_year) == 3 and all(h.year == 2021 for h in by_year)
    assert all(h.year == 2020 for h in corpus.search(query, filters=SearchFilters(year=2020)))
    assert corpus.search(query, filters=SearchFilters(year=(None, 2019))) == []
    by_kind = corpus.search(query, filters=SearchFilters(kind=["report"]))
    assert {h.kind for h in by_kind} == {"report"} and len(by_kind) == 3
    assert corpus.search(query, filters=SearchFilters(kind="thesis")) == []  # front matter only: no body
    assert corpus.search(query, filters=SearchFilters(language="fr")) == []
    both = corpus.search(query, filters=SearchFilters(language="id", kind="report", code=CODE, entity="IOM",
                                                      year=2021))
    assert [h.text for h in both] == [ID_TEXTS[0]]


def test_filtered_search_has_no_shortfall(corpus: Corpus) -> None:
    english = sum(1 for p in corpus.passage_rows if p.language == "en")
    for mode in ("vector", "hybrid"):
        hits = corpus.search("perdagangan orang di Malaysia", top_k=20, mode=mode, filters=SearchFilters(language="en"))
        assert len(hits) == min(20, english) and all(h.language == "en" for h in hits)


@pytest.mark.parametrize("query", ["", "   ", "x" * 10_000])
def test_bad_query_is_a_config_error(corpus: Corpus, query: str) -> None:
    with pytest.raises(ConfigError, match="query"):
        corpus.search(query)


def test_bad_mode_top_k_and_filter(corpus: Corpus) -> None:
    with pytest.raises(ConfigError, match="mode"):
        corpus.search("IOM", mode="fuzzy")
    with pytest.raises(ConfigError, match="top_k"):
        corpus.search("IOM", top_k=0)
    with pytest.raises(ConfigError, match="year"):
        corpus.search("IOM", filters=SearchFilters(year="2020"))  # type: ignore[arg-type]


def test_crashing_embedder_keeps_earlier_documents(built: tuple[str, Path], embedder: Embedder,
                                                   tmp_path: Path) -> None:
    class Crashing(Embedder):
        """e5-small that dies on the second document it embeds."""

        name, dim = embedder.name, embedder.dim

        def __init__(self) -> None:
            self.calls = 0
            self.prompts = embedder.prompts

        def _embed(self, texts: list[str]) -> object:
            self.calls += 1
            if self.calls == 2:
                raise RuntimeError("killed")
            return embedder._embed(texts)

    backend, _ = built
    folder = tmp_path / "crash"
    docs = [make_doc(f"Dokumen {i}", [f"Pelatihan aparat desa ke-{i} tentang migrasi aman.", "Catatan lain."], 2022,
                     "thesis") for i in range(3)]
    with open_corpus(folder, backend, Crashing()) as corpus, pytest.raises(RuntimeError, match="killed"):
        corpus.add_documents(docs)
    with open_corpus(folder, backend, embedder) as reopened:
        assert [d.title for d in reopened.documents.values()] == ["Dokumen 0"] and reopened.passage_count == 2
        assert reopened.search("pelatihan aparat desa", mode="bm25")[0].title == "Dokumen 0"
        assert reopened.add_documents(docs).added == ["Dokumen 1", "Dokumen 2"]
        assert reopened.passage_count == 6 and len(reopened.search("migrasi aman", top_k=10)) == 6


def test_backends_rank_alike(embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> None:
    corpora = {}
    cached = CachedEmbedder(embedder, EmbeddingCache(":memory:"))  # the same vectors, embedded once
    paper = read(PAPER)
    for backend in BACKENDS:
        corpora[backend] = open_corpus(tmp_path_factory.mktemp(f"alike_{backend}"), backend, cached)
        assert corpora[backend].add_documents([paper]).added
    try:
        for query in ("role of IOM in the socialization of human trafficking", "village socialization programmes against trafficking"):
            vector = [[h.text for h in c.search(query, top_k=10, mode="vector")] for c in corpora.values()]
            assert vector[0] == vector[1]  # same vectors, exact cosine on both
            plain = FusionSettings(expand=False)  # the query's own stems: the scorers agree closely
            bm25 = [[h.text for h in c.search(query, top_k=5, mode="bm25", fusion=plain)] for c in corpora.values()]
            assert bm25[0][:2] == bm25[1][:2] and len(set(bm25[0]) & set(bm25[1])) >= 4
            # widened by the glossary, Qdrant's fixed average length shifts more, but the tops agree
            bm25 = [[h.text for h in c.search(query, top_k=5, mode="bm25")] for c in corpora.values()]
            assert len(set(bm25[0]) & set(bm25[1])) >= 3
    finally:
        for corpus in corpora.values():
            corpus.close()


def test_qdrant_drops_passages_of_an_unfinished_add(embedder: Embedder, tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "q"
    first = make_doc("Pertama", ["Kerja sama IOM dengan pemerintah desa.", "Catatan."], 2022, "paper")
    second = make_doc("Kedua", ["Pelatihan petugas imigrasi di perbatasan.", "Lain.", "Penutup."], 2023, "thesis")
    with open_corpus(folder, "qdrant", embedder) as corpus:
        assert corpus.add_documents([first]).added
        client = corpus._client
        real_upsert = client.upsert

        def upsert(collection_name: str, **kw: object) -> object:
            if collection_name.endswith("_documents"):  # the commit mark never arrives
                raise OSError("connection reset")
            return real_upsert(collection_name, **kw)

        client.upsert = upsert  # type: ignore[method-assign]
        assert "connection reset" in next(iter(corpus.add_documents([second]).failed.values()))
        client.upsert = real_upsert  # type: ignore[method-assign]
        assert corpus.passage_count == 2 and client.count(corpus._passages_name).count == 2
        # a crash that left passages behind (no cleanup ran): write one past the end by hand
        vector = {"dense": [0.05] * embedder.dim}
        orphan = {"pid": 2, "doc_id": 9, "ordinal": 0, "text": "orphan", "language": "id", "pages": [],
                  "section_path": [], "codes": {}, "entities": [], "kind": "paper", "coded": [], "entity_keys": []}
        from qdrant_client import models

        client.upsert(corpus._passages_name, points=[models.PointStruct(id=2, vector=vector, payload=orphan)])
    with caplog.at_level(logging.WARNING), open_corpus(folder, "qdrant", embedder) as reopened:
        assert "unfinished add" in caplog.text
        assert reopened.passage_count == 2 and reopened._client.count(reopened._passages_name).count == 2
        assert all(h.text != "orphan" for h in reopened.search("orphan", top_k=5))
        assert reopened.add_documents([second]).added and reopened.passage_count == 5
        assert reopened.search("pelatihan petugas imigrasi", top_k=1)[0].title == "Kedua"
