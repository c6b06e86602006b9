"""Rule dates, the gold-set scorer, the ``ner`` command and the full stack against the gold set."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from conftest import SEED_SKRIPSI
from nlp_iom.cli import app
from nlp_iom.pipeline.dates import find_dates
from nlp_iom.evaluation.ner import GOLD, GoldSentence, evaluate, load_gold, score


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("Jakarta, 24 Juni 2024", ["24 Juni 2024"]),
        ("kasus di perbatasan pada tahun 2016-2023 meningkat", ["tahun 2016-2023"]),
        ("(Sugiyono, 2015) menyebut bahwa sejak 2018 IOM hadir", ["2018"]),
        ("(Umar, Personal Communication, July 30, 2019)", ["July 30, 2019"]),
        ("Kepmendikbudristek No. 244/M/2024", []),
    ],
)
def test_find_dates(text: str, dates: list[str]) -> None:
    assert [text[s:e] for s, e in find_dates(text)] == dates


def test_gold_set_is_valid_and_bilingual() -> None:
    gold = load_gold(GOLD)
    assert len(gold) >= 300
    assert sum(s.lang == "id" for s in gold) >= 0.4 * len(gold)
    assert {label for s in gold for _, _, label, _ in s.entities} == {"PER", "ORG", "LOC", "LAW", "DATE"}


def test_score_counts_exact_matches() -> None:
    gold = [GoldSentence("a", "IOM di Sambas", "id", [(0, 3, "ORG", "IGO"), (7, 13, "LOC", None)])]
    result = score(gold, [[(0, 3, "ORG", "IGO"), (7, 10, "LOC", None)]])
    assert result["ORG"]["f"] == 100.0 and result["LOC"]["f"] == 0.0
    assert result["micro"] == {"p": 50.0, "r": 50.0, "f": 50.0, "support": 2}
    assert result["org_subtype_accuracy"] == 100.0


def test_ner_command_prints_organisations_with_subtypes() -> None:
    result = CliRunner().invoke(app, ["ner", str(SEED_SKRIPSI)])
    assert result.exit_code == 0, result.output
    assert "ORG/IGO      International Organization for Migration" in result.output
    assert "LAW" in result.output


@pytest.mark.slow
def test_domain_layer_beats_the_statistical_models_on_gold() -> None:
    results = evaluate(GOLD)
    full, plain = results["full stack"]["all"], results["statistical only"]["all"]
    assert full["micro"]["f"] >= plain["micro"]["f"] + 10
    assert full["LAW"]["f"] > 70 and full["ORG"]["f"] > plain["ORG"]["f"]
    assert results["full stack"]["id"]["DATE"]["f"] > 80


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Dra. Valentina Lusia Sinta Herindrasti, M.A", ["Valentina Lusia Sinta Herindrasti"]),
        ("1. Dr. Dhaniswara K. Hardjono, S.H., M.H., M.B.A. selaku Rektor", ["Dhaniswara K. Hardjono"]),
        ("4. Leonard Felix Hutabarat, S.IP., M.Si., P.hD selaku Dosen", ["Leonard Felix Hutabarat"]),
        ("(Wawancara dengan Bapak Umar, 12 Maret 2023)", ["Umar"]),
        ("Bapak Kepala Dinas Sosial hadir dalam rapat.", []),
    ],
)
def test_titled_names(text: str, names: list[str]) -> None:
    from nlp_iom.pipeline.persons import find_titled_names

    assert [text[s:e] for s, e in find_titled_names(text)] == names


def test_lower_case_names_are_dropped() -> None:
    import spacy
    from spacy.tokens import Span

    import nlp_iom.pipeline.unify  # noqa: F401  (registers the factory)

    nlp = spacy.blank("id")
    unify = nlp.add_pipe("iom_unify_labels")
    doc = nlp.make_doc("kejahatan luar biasa (extraordinary crime) di Sambas")
    doc.ents = [Span(doc, 4, 6, label="PER"), Span(doc, 8, 9, label="GPE")]
    assert [(e.text, e.label_) for e in unify(doc).ents] == [("Sambas", "LOC")]
