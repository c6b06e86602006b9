"""Literature review on a real corpus: the seed paper and skripsi, a scorecard-diplomacy case text and
the DIY anti-trafficking regulation (skipped when ../shared is absent), annotated and classified."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from test_corrections import batch  # noqa: F401 (a batch output folder with an export)

from nlp_iom.batch.layout import load_documents
from nlp_iom.corpus import Corpus
from nlp_iom.corrections import import_table
from nlp_iom.errors import ConfigError
from nlp_iom.review import (
    HEATMAP_PNG,
    REPORT_HTML,
    REPORT_MD,
    Review,
    ReviewFiles,
    ReviewSettings,
    build_review,
    write_review,
)
from nlp_iom.review.entities import ORG_LABELS, corpus_mentions
from nlp_iom.review.heatmap import colour_of, render_heatmap
from nlp_iom.review.html import ENTITY_COLOURS
from nlp_iom.review.model import TableRow

ROOT = Path(__file__).resolve().parent.parent
SEED_PAPER = ROOT / "seeds" / "000_5c98c16164753270.txt"
SEED_SKRIPSI = ROOT / "seeds" / "002_7a37dfcb71e53d69.txt"
SHARED = ROOT.parent / "shared"
CASE_TEXT = SHARED / "texts" / "scorecarddiplomacy_case_indonesia.md"
PERDA = SHARED / "pdfs" / "id" / "perda_diy_6_2025_pencegahan_penanganan_korban_perdagangan_orang.pdf"
QUESTION = "How does IOM perform Haas's functions in handling human trafficking in Indonesia?"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None)
#: Largest difference per RGB channel for a colour to count as present in an image.
TOLERANCE = 4


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    sources = [SEED_PAPER, SEED_SKRIPSI] + [p for p in (CASE_TEXT, PERDA) if p.is_file()]
    start = time.perf_counter()
    opened = Corpus.open(tmp_path_factory.mktemp("review_corpus"))
    report = opened.add(sources, annotate=True, classify=True)
    assert not report.failed and len(report.added) == len(sources)
    print(f"\nreview corpus: {len(sources)} documents, {len(opened.passage_rows)} passages in "
          f"{time.perf_counter() - start:.1f} s")
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def review(corpus: Corpus) -> Review:
    start = time.perf_counter()
    built = build_review(QUESTION, corpus)
    print(f"\nbuild_review: {time.perf_counter() - start:.1f} s")
    return built


@pytest.fixture(scope="module")
def written(review: Review, tmp_path_factory: pytest.TempPathFactory) -> ReviewFiles:
    return write_review(review, tmp_path_factory.mktemp("review_out") / "report")


def _row_for(review: Review, corpus: Corpus, path: Path) -> TableRow:
    ids = {d.id for d in corpus.documents.values() if d.path == str(path)}
    matches = [row for row in review.table if row.doc.doc_id in ids]
    assert len(matches) == 1
    return matches[0]


def test_table_has_one_row_per_document_with_its_metadata(review: Review, corpus: Corpus) -> None:
    assert len(review.table) == len(corpus.documents)
    assert {row.doc.doc_id for row in review.table} == set(corpus.documents)
    for row in review.table:
        stored = corpus.documents[row.doc.doc_id]
        assert row.doc.authors == stored.authors and row.doc.year == stored.year
        assert row.doc.title == _norm(stored.title or "")
    years = [row.doc.year for row in review.table if row.doc.year]
    assert years == sorted(years)
    paper = _row_for(review, corpus, SEED_PAPER)
    assert paper.doc.year == 2020 and paper.doc.authors[0] == "Nurfitri Nugrahaningsih"
    assert paper.doc.title.startswith("The Role of International Organization for Migration")
    assert paper.doc.label == "Nugrahaningsih et al. (2020)"
    skripsi = _row_for(review, corpus, SEED_SKRIPSI)
    assert skripsi.doc.year == 2024 and skripsi.doc.authors == ["Patricia Mahakurnia Putri Radja Soghe"]


def test_seed_paper_row_names_haas_its_method_and_quotes_its_findings(review: Review, corpus: Corpus) -> None:
    paper = _row_for(review, corpus, SEED_PAPER)
    assert paper.theories and paper.theories[0].startswith("Haas's functions of international organisations")
    assert any(label.startswith("Aggregation") for label, _ in paper.code_profile)
    method_labels = " ".join(paper.methods)
    assert "qualitative" in method_labels and "interviews" in method_labels and "descriptive" in method_labels
    assert paper.findings and len(paper.findings) <= review.settings.findings_per_document
    stored = _norm(" ".join(p.text for p in corpus.passage_rows if p.doc_id == paper.doc.doc_id))
    for finding in paper.findings:
        assert finding.text.rstrip(" …") in stored  # extractive: the paper's own sentence
    assert paper.relevance_label == "high" and paper.relevance >= review.settings.relevance_high


def test_front_matter_only_document_is_listed_without_invented_content(review: Review, corpus: Corpus) -> None:
    """The skripsi seed has no body passages: no codes and a grey heatmap row, but the corpus keeps its
    abstracts, so its findings and relevance come from them (and only from them)."""
    skripsi = _row_for(review, corpus, SEED_SKRIPSI)
    assert skripsi.doc.passages == 0 and not skripsi.code_profile
    assert skripsi.findings and all(f.source == "abstract" for f in skripsi.findings)
    assert skripsi.relevance is not None and skripsi.relevance_label in ("high", "medium")
    row = [d.label for d in review.documents].index(skripsi.doc.label)
    assert np.isnan(review.matrix[row]).all()
    assert any(skripsi.doc.label in note for note in review.notes)


def test_abstract_in_document_info_feeds_findings_relevance_and_method(corpus: Corpus) -> None:
    import nlp_iom

    doc = nlp_iom.read(SEED_SKRIPSI)
    with Corpus.open(corpus.folder) as second:
        row = next(d for d in second.documents.values() if d.path == str(SEED_SKRIPSI))
        row.info = {"abstracts": [{"language": a.language, "text": a.text, "keywords": a.keywords}
                                  for a in doc.abstracts]}
        result = build_review("Bagaimana peran IOM dalam mengatasi human trafficking di wilayah perbatasan?", second)
    skripsi = next(r for r in result.table if r.doc.doc_id == row.id)
    abstracts = _norm(" ".join(a.text for a in doc.abstracts))
    assert skripsi.findings and all(f.source == "abstract" for f in skripsi.findings)
    assert all(f.text.rstrip(" …") in abstracts for f in skripsi.findings)
    assert skripsi.relevance is not None and skripsi.relevance_label in ("high", "medium")
    assert skripsi.method_scope == "abstract" and any(m.startswith("qualitative") for m in skripsi.methods)


def test_unrelated_question_rates_no_document_high(corpus: Corpus) -> None:
    result = build_review("How do coral reefs respond to ocean acidification?", corpus,
                          ReviewSettings(top_passages=3))
    assert all(row.relevance_label in ("low", "n/a") for row in result.table)
    assert len(result.hits) == 3


def test_heatmap_cells_have_the_colour_of_their_share(review: Review, written: ReviewFiles) -> None:
    assert written.heatmap == written.folder / HEATMAP_PNG and written.heatmap.is_file()
    rows, cols = review.matrix.shape
    assert rows == len(review.documents) and cols == len(review.columns) == 11
    assert [c.group for c in review.columns] == ["Haas input"] * 5 + ["Haas output"] * 3 + ["INGO role"] * 3
    image = render_heatmap(review.matrix, [d.label for d in review.documents], review.columns,
                           review.settings.code_threshold)
    png = np.asarray(Image.open(written.heatmap).convert("RGB")).astype(int)
    assert png.shape[:2] == (image.height, image.width)
    width, height = image.cell_size
    assert width > 20 and height > 15
    distinct = set()
    for i in range(rows):
        for j in range(cols):
            x, y = image.centers[i, j]
            # a point in the cell's upper-left quarter, clear of the percentage printed at its centre
            pixel = png[int(y - 0.35 * height), int(x - 0.35 * width)]
            expected = colour_of(review.matrix[i, j], image.scale_top)
            assert np.abs(pixel - expected).max() <= TOLERANCE, (i, j, pixel, expected)
            distinct.add(tuple(expected))
    assert len(distinct) > 5  # the shares differ between documents and codes


def test_evidence_passages_are_coded_and_cited(review: Review, corpus: Corpus) -> None:
    threshold = review.settings.code_threshold
    assert review.has_codes and any(review.evidence.values())
    paged = 0
    for key, quotes in review.evidence.items():
        assert len(quotes) <= review.settings.evidence_per_code
        probabilities = [q.score for q in quotes]
        assert probabilities == sorted(probabilities, reverse=True)
        per_doc = {}
        for quote in quotes:
            row = corpus.passage_rows[quote.passage_id]
            assert row.codes[key] >= threshold and quote.score == row.codes[key]
            doc = next(d for d in review.documents if d.doc_id == quote.doc_id)
            assert quote.citation.startswith(doc.label)
            if row.pages:
                assert re.search(r", pp?\. \d+", quote.citation)
                paged += 1
            else:
                assert ", § " in quote.citation
            per_doc[quote.doc_id] = per_doc.get(quote.doc_id, 0) + 1
        assert all(n <= review.settings.evidence_per_document for n in per_doc.values())
    if PERDA.is_file():
        assert paged > 0


def test_organisations_merge_acronym_and_long_form(review: Review, corpus: Corpus) -> None:
    iom = next(e for e in review.organisations if e.acronym == "IOM")
    assert iom.name == "International Organization for Migration" and "IGO" in iom.subtypes
    direct = [(doc_id, e) for doc_id, e in corpus_mentions(corpus) if e["label"] in ORG_LABELS and
              (e["text"] in ("IOM", "International Organization for Migration")
               or e.get("long_form") == "International Organization for Migration")]
    assert iom.mentions >= len(direct) > 0 and iom.documents == len({d for d, _ in direct})
    assert review.organisations[0] is iom  # the most mentioned organisation of this corpus
    sambas = [p for p in review.places if p.name.startswith("Kabupaten Sambas")]
    region_mentions = sum(1 for _, e in corpus_mentions(corpus)
                          if isinstance(e.get("region"), dict) and e["region"].get("id") == "61.01")
    assert len(sambas) == 1 and sambas[0].mentions == region_mentions > 0


def test_relevant_passages_come_from_the_hybrid_search(review: Review, corpus: Corpus) -> None:
    hits = corpus.search(QUESTION, top_k=review.settings.top_passages, mode="hybrid")
    assert [q.passage_id for q in review.hits] == [h.passage_id for h in hits]
    assert all(q.citation for q in review.hits)


def test_reports_have_fixed_names_only_inside_the_folder(review: Review, written: ReviewFiles) -> None:
    assert sorted(p.name for p in written.folder.iterdir()) == sorted([REPORT_MD, REPORT_HTML, HEATMAP_PNG])
    assert sorted(p.name for p in written.folder.parent.iterdir()) == [written.folder.name]
    markdown = written.markdown.read_text("utf-8")
    table = [line for line in markdown.splitlines() if re.match(r"^\| \d+ \|", line)]
    assert len(table) == len(review.table)
    assert "Nugrahaningsih" in markdown and f"]({HEATMAP_PNG})" in markdown
    page = written.html.read_text("utf-8")
    assert "data:image/png;base64," in page and "<script" not in page.lower()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:|//|file:)""", page)
    assert 'class="ent ent-org"' in page


def test_bad_input_is_refused_with_config_errors(tmp_path: Path, corpus: Corpus) -> None:
    with pytest.raises(ConfigError) as empty_question:
        build_review("   ", corpus)
    assert empty_question.value.field == "query"
    with pytest.raises(ConfigError) as long_question:
        build_review("why " * 600, corpus)
    assert long_question.value.field == "query"
    with Corpus.open(tmp_path / "empty") as empty, pytest.raises(ConfigError) as no_documents:
        build_review(QUESTION, empty)
    assert no_documents.value.field == "corpus" and "no documents" in no_documents.value.cause
    missing = tmp_path / "nowhere"
    with pytest.raises(ConfigError):
        build_review(QUESTION, missing)
    assert not missing.exists()  # a review never creates a corpus
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    review = build_review(QUESTION, corpus, ReviewSettings(top_passages=1))
    with pytest.raises(ConfigError) as out_dir:
        write_review(review, blocker)
    assert out_dir.value.field == "out_dir"


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_screenshot_shows_entity_highlights_and_heatmap(review: Review, written: ReviewFiles,
                                                          tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,2400", f"--screenshot={shot}",
               written.html.resolve().as_uri()]
    subprocess.run(command, capture_output=True, timeout=120, check=False)
    print(f"\nscreenshot: {shot}")
    assert shot.is_file() and shot.stat().st_size > 10_000
    pixels = np.asarray(Image.open(shot).convert("RGB")).astype(int).reshape(-1, 3)

    def present(rgb: tuple[int, int, int], at_least: int = 30) -> bool:
        return int((np.abs(pixels - np.array(rgb)).max(axis=1) <= TOLERANCE).sum()) >= at_least

    hex_rgb = lambda code: tuple(int(code[i:i + 2], 16) for i in (1, 3, 5))
    assert present(hex_rgb(ENTITY_COLOURS["ORG"])) and present(hex_rgb(ENTITY_COLOURS["LOC"]))
    image = render_heatmap(review.matrix, [d.label for d in review.documents], review.columns,
                           review.settings.code_threshold)
    darkest = float(np.nanmax(review.matrix))
    assert present(colour_of(darkest, image.scale_top), at_least=50)


def test_review_adds_the_agreement_of_imported_corrections(corpus: Corpus, batch: Path,  # noqa: F811
                                                           tmp_path: Path) -> None:
    ids = {d.source: d.key for d in load_documents(sorted((batch / "documents").glob("*.json")))}
    table = tmp_path / "review.csv"
    table.write_text("passage_id,code,decision\n"
                     f"{ids['skripsi_iom.txt']}:0,haas:socialization,accept\n"
                     f"{ids['skripsi_iom.txt']}:3,haas:socialization,reject\n", encoding="utf-8")
    import_table(table, batch)
    with_agreement = build_review(QUESTION, corpus, ReviewSettings(corrections=str(batch)))
    row = next(r for r in with_agreement.agreement if r["code"] == "haas:socialization")
    assert (row["passages"], row["both"], row["first_only"]) == (2, 1, 1)
    files = write_review(with_agreement, tmp_path / "report")
    markdown = files.markdown.read_text(encoding="utf-8")
    assert "## Agreement between people and the machine" in markdown
    assert "| haas:socialization | 2 | 1 | 1 | 0 | 0 |" in markdown
    assert "<h2>Agreement between people and the machine</h2>" in files.html.read_text(encoding="utf-8")
