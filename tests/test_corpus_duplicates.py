"""Near-duplicate passages from two documents come back once, with both sources; weighted fusion."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_corpus_backends import BACKENDS, PAPER, open_corpus

from nlp_iom.corpus import Corpus, FusionSettings
from nlp_iom.corpus.duplicates import MIN_WORDS, containment, shingles
from nlp_iom.corpus.search import fuse_weighted
from nlp_iom.document import Author, Document, Metadata, Passage
from nlp_iom.embed.embedder import Embedder
from nlp_iom.embed.registry import get_embedder
from nlp_iom.reader import read

REPORT = ("IOM provided training to 120 frontline police and immigration officers in Batam and Tanjung Pinang on "
          "identifying victims of trafficking, interviewing them with care and referring them to shelters run by "
          "the provincial social affairs office.")
QUOTED = ("As the report puts it, " + REPORT + " This thesis asks whether that training changed how cases "
          "were handled at the border.")
OTHER = ("Remittances from Indonesian migrant workers in Malaysia and Hong Kong reached several billion dollars, "
         "most of it spent on housing, school fees and small businesses in the home villages of the workers.")


def _doc(title: str, author: str, year: int, texts: list[str], language: str = "en") -> Document:
    passages = [Passage(id=i, text=t, start=0, end=len(t), pages=[i + 1], language=language)
                for i, t in enumerate(texts)]
    return Document(metadata=Metadata(title=title, authors=[Author(author)], year=year, language=language,
                                      kind="report"), text="\n\n".join(texts), passages=passages)


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return get_embedder("e5-small")


@pytest.fixture(scope="module", params=BACKENDS)
def corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           embedder: Embedder) -> Iterator[Corpus]:
    folder = tmp_path_factory.mktemp(f"dups_{request.param}")
    opened = open_corpus(folder, request.param, embedder)
    opened.add_documents([_doc("Counter-trafficking programme report", "IOM Indonesia", 2019, [REPORT, OTHER]),
                          _doc("Peran IOM di perbatasan", "Rina Wulandari", 2022, [QUOTED])])
    yield opened
    opened.close()


def test_containment_of_a_quotation() -> None:
    assert containment(shingles(REPORT), shingles(QUOTED)) == 1.0
    assert containment(shingles(REPORT), shingles(OTHER)) == 0.0
    assert shingles("too short to merge") == frozenset() and len(REPORT.split()) >= MIN_WORDS


def test_quoted_passage_is_returned_once_with_both_sources(corpus: Corpus) -> None:
    query = "IOM training of police and immigration officers to identify trafficking victims"
    for mode in ("hybrid", "vector", "bm25"):
        hits = corpus.search(query, top_k=3, mode=mode)
        top = hits[0]
        assert top.text in (REPORT, QUOTED), mode
        assert len(top.also_in) == 1 and top.also_in[0]["title"] != top.title, mode
        assert {top.title, top.also_in[0]["title"]} == {"Counter-trafficking programme report",
                                                         "Peran IOM di perbatasan"}
        assert all(h.text not in (REPORT, QUOTED) for h in hits[1:]), mode
        raw = corpus.search(query, top_k=3, mode=mode, collapse=False)
        assert {h.text for h in raw[:2]} == {REPORT, QUOTED} and not raw[0].also_in, mode


@pytest.fixture(scope="module")
def paper_corpus(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[Corpus]:
    opened = Corpus.open(tmp_path_factory.mktemp("paper"), embedder=embedder)
    opened.add_documents([read(PAPER)])
    yield opened
    opened.close()


@pytest.mark.parametrize("query", [
    "apa saja tantangan yang dihadapi IOM di lapangan",  # only "IOM" can match the English paper
    "mengapa warga menolak kehadiran IOM di kampung mereka",  # only the name
])
def test_hybrid_equals_vector_where_keywords_cannot_help(paper_corpus: Corpus, query: str) -> None:
    keyword = paper_corpus.search(query, top_k=10, mode="bm25")
    assert keyword  # BM25 does match something: the names
    vector = [h.passage_id for h in paper_corpus.search(query, top_k=10, mode="vector")]
    assert [h.passage_id for h in paper_corpus.search(query, top_k=10)] == vector
    rrf = paper_corpus.search(query, top_k=10, fusion=FusionSettings(method="rrf"))
    assert [h.passage_id for h in rrf] != vector  # the plain fusion lets the name matches in


def test_keyword_hits_covering_the_query_rise() -> None:
    dense = [(1, 0.9), (2, 0.85), (3, 0.8), (4, 0.7)]
    keyword = [(4, 12.0), (3, 5.0)]
    same = {4: True, 3: True}
    settings = FusionSettings(keyword_weight=1.0, coverage_power=1.0, min_coverage=0.5)
    fused = [pid for pid, _ in fuse_weighted(dense, keyword, 4, {4: 1.0, 3: 0.25}, same, settings)]
    assert fused[0] == 4 and fused.index(3) == 3  # full coverage lifts 4; 3 is under the gate
    other = fuse_weighted(dense, keyword, 4, {4: 1.0, 3: 0.25}, {4: False, 3: True},
                          FusionSettings(other_language_weight=0.0))
    assert [pid for pid, _ in other] == [1, 2, 3, 4]  # another language at weight 0: the vector order


def test_fusion_settings_are_validated() -> None:
    from nlp_iom.errors import ConfigError

    for bad in ({"method": "max"}, {"rrf_k": 0}, {"keyword_weight": -1}, {"min_coverage": 1.5},
                {"coverage_power": True}):
        with pytest.raises(ConfigError, match="fusion"):
            FusionSettings(**bad)
