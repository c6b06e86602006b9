"""The classification gold corpus: two batches, each coded twice and adjudicated; split by source."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from nlp_iom.coding.codebook import load_codebook
from nlp_iom.evaluation.classify import BATCH2_PASSES, GOLD_DIR, PASSES, agreement, load_jsonl

CODES = {name: set(load_codebook(name).code_ids) for name in ("haas", "ingo")}
BATCHES = {"batch1": (GOLD_DIR / "passages.jsonl", *PASSES, GOLD_DIR / "adjudication.jsonl"),
           "batch2": (GOLD_DIR / "batch2" / "passages.jsonl", *BATCH2_PASSES, GOLD_DIR / "batch2" / "adjudication.jsonl")}


@pytest.fixture(scope="module")
def gold() -> list[dict]:
    return load_jsonl(GOLD_DIR / "gold.jsonl")


def test_size_languages_codes_and_no_code_share(gold) -> None:
    assert len(gold) >= 1500 and len({r["id"] for r in gold}) == len(gold)
    assert len({r["doc"] for r in gold}) >= 150
    assert sum(r["lang"] == "id" for r in gold) / len(gold) >= 0.40
    assert sum(not r["haas"] and not r["ingo"] for r in gold) / len(gold) >= 0.30
    for book, codes in CODES.items():
        for code in codes:
            per_language = {lang: sum(1 for r in gold if r["lang"] == lang and code in r[book]) for lang in ("id", "en")}
            assert sum(per_language.values()) >= 40 and min(per_language.values()) >= 15, (code, per_language)


@pytest.mark.parametrize("batch", sorted(BATCHES))
def test_adjudication_covers_exactly_the_disagreements(gold, batch: str) -> None:
    passages, pass_a, pass_b, adjudication = (load_jsonl(p) for p in BATCHES[batch])
    ids = [r["id"] for r in passages]
    assert [r["id"] for r in pass_a] == ids == [r["id"] for r in pass_b]
    for row in pass_a + pass_b:
        for book, codes in CODES.items():
            assert set(row[book]) <= codes, row["id"]
    disagreements = [a["id"] for a, b in zip(pass_a, pass_b)
                     if set(a["haas"]) != set(b["haas"]) or set(a["ingo"]) != set(b["ingo"])]
    assert [r["id"] for r in adjudication] == disagreements
    assert all(r.get("note") for r in adjudication)
    final = {r["id"]: r for r in pass_a} | {r["id"]: r for r in adjudication}
    rows = [r for r in gold if r["batch"] == batch]
    assert [r["id"] for r in rows] == ids
    texts = {r["id"]: r["text"] for r in passages}
    for row in rows:
        assert row["text"] == texts[row["id"]]
        assert set(row["haas"]) == set(final[row["id"]]["haas"]) and set(row["ingo"]) == set(final[row["id"]]["ingo"])


def test_test_split_is_by_source_and_covers_kinds_and_languages(gold) -> None:
    splits: dict[str, set[str]] = defaultdict(set)
    for row in gold:
        splits[row["source_group"]].add(row["split"])
        splits["doc:" + row["doc"]].add(row["split"])
    assert all(len(s) == 1 for s in splits.values())  # no source or document on both sides
    test = [r for r in gold if r["split"] == "test"]
    assert 0.15 <= len(test) / len(gold) <= 0.35
    assert {r["lang"] for r in test} == {"id", "en"}
    assert {"journal", "skripsi", "report", "news", "regulation", "ngo_page", "io_page"} <= {r["kind"] for r in test}
    assert all(r["batch"] == "batch2" for r in test)  # batch 1 shaped the guide: never test


def test_agreement_report_matches_the_readme() -> None:
    readme = (GOLD_DIR / "README.md").read_text(encoding="utf-8")
    for passes in (PASSES, BATCH2_PASSES):
        for name in ("haas", "ingo"):
            for row in agreement(name, passes)["codes"]:
                assert f"| {row['code']} | {row['pass_a']} | {row['pass_b']} | {row['kappa']:.2f} |" in readme, row


def test_sources_exist_in_the_repository_or_shared(gold) -> None:
    root = GOLD_DIR.parents[1]
    for source in {r["source"] for r in gold}:
        if source.startswith("../shared") and not (root / source).exists():
            pytest.skip("../shared is not beside the checkout")
        assert (root / source).exists(), source
    assert json.loads(json.dumps(gold[0]))
