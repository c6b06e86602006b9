"""The classification gold corpus: complete, bilingual, two independent passes, adjudicated."""

from __future__ import annotations

import json

import pytest

from nlp_iom.classify.codebook import load_codebook
from nlp_iom.classify.evaluate import GOLD_DIR, agreement, load_jsonl

CODES = {name: set(load_codebook(name).code_ids) for name in ("haas", "ingo")}


@pytest.fixture(scope="module")
def corpus() -> dict[str, list[dict]]:
    return {name: load_jsonl(GOLD_DIR / f"{name}.jsonl")
            for name in ("passages", "pass_a", "pass_b", "adjudication", "gold")}


def test_size_language_and_no_code_share(corpus) -> None:
    gold = corpus["gold"]
    assert len(gold) >= 400
    assert sum(r["lang"] == "id" for r in gold) / len(gold) >= 0.40
    no_code = sum(not r["haas"] and not r["ingo"] for r in gold)
    assert 0.2 <= no_code / len(gold) <= 0.8
    assert len({r["id"] for r in gold}) == len(gold)


def test_every_file_lists_the_same_passages_with_valid_codes(corpus) -> None:
    ids = [r["id"] for r in corpus["passages"]]
    for name in ("pass_a", "pass_b", "gold"):
        rows = corpus[name]
        assert [r["id"] for r in rows] == ids, name
        for row in rows:
            for book, codes in CODES.items():
                assert set(row[book]) <= codes, (name, row["id"])
    texts = {r["id"]: r["text"] for r in corpus["passages"]}
    assert all(r["text"] == texts[r["id"]] for r in corpus["gold"])


def test_adjudication_covers_exactly_the_disagreements(corpus) -> None:
    disagreements = [a["id"] for a, b in zip(corpus["pass_a"], corpus["pass_b"])
                     if set(a["haas"]) != set(b["haas"]) or set(a["ingo"]) != set(b["ingo"])]
    assert [r["id"] for r in corpus["adjudication"]] == disagreements
    adjudicated = {r["id"]: r for r in corpus["adjudication"]}
    passes = {r["id"]: r for r in corpus["pass_a"]}
    for row in corpus["gold"]:
        source = adjudicated.get(row["id"], passes[row["id"]])
        assert set(row["haas"]) == set(source["haas"]) and set(row["ingo"]) == set(source["ingo"])
        assert row["resolution"] == ("adjudicated" if row["id"] in adjudicated else "agreed")


def test_agreement_report_matches_the_readme() -> None:
    readme = (GOLD_DIR / "README.md").read_text(encoding="utf-8")
    for name in ("haas", "ingo"):
        result = agreement(name)
        for row in result["codes"]:
            assert f"| {row['code']} | {row['pass_a']} | {row['pass_b']} | {row['kappa']:.2f} |" in readme, row


def test_sources_exist_in_the_repository_or_shared(corpus) -> None:
    root = GOLD_DIR.parents[1]
    for source in {r["source"] for r in corpus["passages"]}:
        if source.startswith("../shared") and not (root / source).exists():
            pytest.skip("../shared is not beside the checkout")
        assert (root / source).exists(), source
    assert json.loads(json.dumps(corpus["gold"][0]))  # plain JSON, no custom types
