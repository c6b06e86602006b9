"""The extraction truth: complete, split by document, and scored by nlp_iom.evaluation.extraction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import nlp_iom
from conftest import ROOT, shared_pdf
from nlp_iom.evaluation.extraction import FIELDS, score_document, strip_number, summarise
from nlp_iom.evaluation.text import contains_words, word_accuracy

GOLD = ROOT / "corpora" / "extract_gold"
KEYS = {"file", "kind", "lang", "title", "authors", "year", "abstract_id", "abstract_en", "keywords_id",
        "keywords_en", "chapters", "references", "passages", "footnotes", "tables"}


def truth_files() -> list[Path]:
    return sorted((GOLD / "gold").glob("*.json"))


def test_every_truth_file_has_the_schema_and_a_split() -> None:
    split = json.loads((GOLD / "split.json").read_text(encoding="utf-8"))
    files = truth_files()
    assert len(files) >= 60
    assert {p.name for p in files} <= set(split)
    assert sum(json.loads(p.read_text(encoding="utf-8"))["file"].startswith("dev/") for p in files) >= 40
    for path in files:
        truth = json.loads(path.read_text(encoding="utf-8"))
        assert KEYS <= set(truth), path.name
        assert truth["file"].endswith(path.stem + ".pdf")
        for passage in truth["passages"]:
            assert isinstance(passage["page"], int) and passage["page"] >= 1
    kinds = {part: {json.loads((GOLD / "gold" / n).read_text())["kind"] for n, s in split.items()
                    if s == part and (GOLD / "gold" / n).is_file()} for part in ("dev", "test")}
    assert {"skripsi", "jurnal", "paper", "report", "regulasi", "scan"} <= kinds["dev"]
    assert {"skripsi", "jurnal", "paper", "report", "regulasi", "scan"} <= kinds["test"]


def test_heading_numbers_are_stripped() -> None:
    assert strip_number("BAB II TINJAUAN PUSTAKA") == "TINJAUAN PUSTAKA"
    assert strip_number("1 Introduction") == "Introduction"
    assert strip_number("IV. HASIL DAN PEMBAHASAN") == "HASIL DAN PEMBAHASAN"
    assert strip_number("DAFTAR PUSTAKA") == "DAFTAR PUSTAKA"


def test_text_measures() -> None:
    assert word_accuracy("Korban perdagangan orang", "korban perdagangan, orang") == 1.0
    assert word_accuracy("a b c d", "a x c") == pytest.approx(0.5)
    assert contains_words("... IOM melatih polisi di Sambas setiap bulan ...", "melatih polisi di Sambas")
    assert not contains_words("IOM melatih polisi", "pemerintah daerah membentuk gugus tugas")


def test_scoring_a_real_paper_against_its_truth() -> None:
    truth = json.loads((GOLD / "gold" / "s2orc_N18-3011.json").read_text(encoding="utf-8"))
    doc = nlp_iom.read(shared_pdf(truth["file"]))
    scores = score_document(truth, doc)
    assert set(scores) <= set(FIELDS)
    assert scores["title"] == 1.0 and scores["passages"] >= 0.6
    wrong = nlp_iom.Document()
    worse = score_document(truth, wrong)
    assert worse["title"] == 0.0 and worse["passages"] == 0.0 and worse["chapters"] == 0.0
    summary = summarise({"a": scores, "b": worse})
    assert 0 < summary["mean"] < 1 and summary["files"] == 2


def test_the_score_card_is_generated_from_the_scores_files() -> None:
    from nlp_iom.evaluation.extraction_gold import CARD, render_card

    scores = json.loads((GOLD / "scores.json").read_text(encoding="utf-8"))
    before = json.loads((GOLD / "scores_before.json").read_text(encoding="utf-8"))
    card = render_card(scores, before)
    assert (GOLD / CARD).read_text(encoding="utf-8") == card
    assert f"| **mean of files** | {before['dev']['mean']:.3f} | {scores['dev']['mean']:.3f} |" in card
    assert "| title |" in card and "test now" in card
