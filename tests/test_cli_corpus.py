"""The corpus commands: ``nlp-iom index add`` and ``nlp-iom search`` on the seed paper."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SEED_PAPER, SEED_SKRIPSI
from nlp_iom.cli import app
from nlp_iom.cli.corpus import cite, parse_year, search_corpus
from nlp_iom.corpus import Corpus, SearchFilters
from nlp_iom.errors import ConfigError

runner = CliRunner()


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus of the two seeds and a corrupt PDF, indexed with NER and the classifiers by the CLI."""
    folder = tmp_path_factory.mktemp("cli_corpus")
    bad = folder / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 this is not really a pdf")
    corpus = folder / "corpus"
    result = runner.invoke(app, ["index", "add", str(SEED_PAPER), str(SEED_SKRIPSI), str(bad), "--corpus", str(corpus)])
    assert result.exit_code == 1, result.output  # the bad file fails, the batch goes on
    assert "2 added, 0 skipped, 1 failed" in result.output
    assert f"FAILED {bad}" in result.output
    return corpus


def test_index_add_skips_stored_documents(corpus_dir: Path) -> None:
    result = runner.invoke(app, ["index", "add", str(SEED_PAPER), "--corpus", str(corpus_dir)])
    assert result.exit_code == 0, result.output
    assert "0 added, 1 skipped, 0 failed" in result.output


def test_search_with_code_and_entity_filters(corpus_dir: Path) -> None:
    hits = search_corpus("IOM socialisation to village heads", corpus_dir, top_k=5,
                         filters=SearchFilters(code="haas:socialization", entity="IOM"))
    assert hits
    for hit in hits:
        assert hit.codes["haas:socialization"] >= 0.5
        assert any(e["text"] == "IOM" or e.get("long_form") == "IOM" for e in hit.entities)
        assert hit.year == 2020 and hit.authors[0] == "Nurfitri Nugrahaningsih"


def test_cross_lingual_search_from_the_cli(corpus_dir: Path) -> None:
    """An Indonesian query finds the English paper's passages on socialisation (default hybrid mode)."""
    result = runner.invoke(app, ["search", "sosialisasi IOM kepada kepala desa tentang pengaduan korban",
                                 "--corpus", str(corpus_dir), "-k", "3", "--format", "json", "--language", "en"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    assert len(hits) == 3
    assert all(h["language"] == "en" for h in hits)
    assert any("sociali" in h["text"].lower() for h in hits)


def test_markdown_hits_cite_author_year_and_section(corpus_dir: Path) -> None:
    result = runner.invoke(app, ["search", "human trafficking task force", "--corpus", str(corpus_dir), "-k", "2",
                                 "--year", "2019-2021"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1. **Nugrahaningsih et al. (2020), § ")
    assert "   > " in result.output
    result = runner.invoke(app, ["search", "human trafficking", "--corpus", str(corpus_dir), "--year", "1990"])
    assert result.exit_code == 0 and "No passages found." in result.output


@pytest.mark.parametrize("query", ["   ", "trafficking " * 1000])
def test_bad_queries_exit_2(corpus_dir: Path, query: str) -> None:
    result = runner.invoke(app, ["search", query, "--corpus", str(corpus_dir)])
    assert result.exit_code == 2
    assert "query" in result.output


def test_search_needs_a_corpus(tmp_path: Path) -> None:
    result = runner.invoke(app, ["search", "IOM", "--corpus", str(tmp_path / "nothing")])
    assert result.exit_code == 2 and "not a corpus folder" in result.output
    assert not (tmp_path / "nothing").exists()


def test_parse_year() -> None:
    assert parse_year("2019") == 2019
    assert parse_year("2015-2020") == (2015, 2020)
    assert parse_year("2015-") == (2015, None)
    assert parse_year(None) is None
    with pytest.raises(ConfigError, match="year"):
        parse_year("last year")


def test_cite_without_page_or_authors(corpus_dir: Path) -> None:
    hit = search_corpus("IOM", corpus_dir, top_k=1)[0]
    assert cite(hit).startswith("Nugrahaningsih et al. (2020)")
    hit.authors, hit.pages, hit.section, hit.year = [], [3], "", None
    assert cite(hit) == f"{hit.title} (n.d.), p. 3"


def test_review_command_writes_the_report(corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = runner.invoke(app, ["review", "How does IOM carry out Haas's functions in Sambas?",
                                 "--corpus", str(corpus_dir), "-o", str(out), "-k", "3"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["heatmap.png", "report.html", "report.md"]
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "Nugrahaningsih" in markdown and "Haas" in markdown
    result = runner.invoke(app, ["review", "  ", "--corpus", str(corpus_dir), "-o", str(out)])
    assert result.exit_code == 2 and "query" in result.output


def test_annotate_command(tmp_path: Path) -> None:
    """`nlp-iom annotate`: a batch goes on past a bad file (exit 1), and a rerun skips what is done."""
    source = Path(__file__).parent / "data" / "batch" / "iom_sambas_excerpt.txt"
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "paper.txt").write_bytes(source.read_bytes())
    (inputs / "broken.pdf").write_bytes(b"%PDF-1.4 junk")
    out = tmp_path / "out"
    args = ["annotate", str(inputs), "-o", str(out), "--export", "jsonl,bibtex", "--quiet"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "1 annotated, 0 already done, 0 duplicates, 1 failed" in result.output
    assert "FAILED broken.pdf" in result.output
    assert sorted(p.name for p in (out / "exports").iterdir()) == ["passages.jsonl", "references.bib"]
    assert json.loads((out / "errors.jsonl").read_text().splitlines()[0])["path"] == "broken.pdf"
    (inputs / "broken.pdf").unlink()
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "0 annotated, 1 already done" in result.output
    result = runner.invoke(app, ["annotate", str(inputs), "-o", str(out), "--export", "pdf"])
    assert result.exit_code == 2 and "export" in result.output


def test_index_add_stops_a_slow_pdf(tmp_path: Path) -> None:
    """A PDF that takes past --timeout to read is reported; what the corpus held stays."""
    slow = Path(__file__).resolve().parents[2] / "shared" / "pdfs" / "id" / "ui_skripsi_2017_srl_bahasa_indonesia_bilingual.pdf"
    if not slow.is_file():
        pytest.skip("../shared/pdfs not present")
    corpus = tmp_path / "corpus"
    result = runner.invoke(app, ["index", "add", str(SEED_SKRIPSI), "--corpus", str(corpus), "--no-annotate",
                                 "--no-classify"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["index", "add", str(slow), "--corpus", str(corpus), "--timeout", "0.05",
                                 "--no-annotate", "--no-classify"])
    assert result.exit_code == 1, result.output
    assert f"FAILED {slow}" in result.output and "did not finish within 0.05 s" in result.output
    with Corpus.open(corpus) as opened:
        assert [d.path for d in opened.documents.values()] == [str(SEED_SKRIPSI)]


def test_search_with_a_glossary_of_ones_own(corpus_dir: Path, tmp_path: Path) -> None:
    """A user's glossary replaces the shipped one; a bad line is a typed error naming the line."""
    mine = tmp_path / "mine.tsv"
    mine.write_text("# my terms\nsatuan tugas\ttask force | task forces\n", encoding="utf-8")
    query = "satuan tugas"  # the shipped glossary has no entry for it; with mine BM25 meets the English paper
    plain = search_corpus(query, corpus_dir, top_k=5, mode="bm25", filters=SearchFilters(language="en"))
    widened = search_corpus(query, corpus_dir, top_k=5, mode="bm25", filters=SearchFilters(language="en"),
                            glossary=mine)
    assert not plain and widened and all("task force" in h.text.lower() for h in widened)
    mine.write_text("satuan tugas\ttask force\nno tab here\n", encoding="utf-8")
    result = runner.invoke(app, ["search", query, "--corpus", str(corpus_dir), "--glossary", str(mine)])
    assert result.exit_code == 2 and "mine.tsv:2" in result.output
