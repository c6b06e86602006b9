"""Retraining on a person's corrections changes the predictions on what they corrected."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from test_corrections import batch  # noqa: F401 (the batch fixture)

from nlp_iom.batch.layout import load_documents
from nlp_iom.coding.model import PassageClassifier
from nlp_iom.corrections import import_table
from nlp_iom.errors import ConfigError
from nlp_iom.training.classify_gold import GOLD, load_jsonl
from nlp_iom.training.user_classifier import SCORES_FILE, retrain, user_rows


@pytest.fixture()
def small_gold(tmp_path: Path) -> Path:
    """Every fifth gold passage: enough for each Haas code, quick to fit."""
    rows = load_jsonl(GOLD)[::5]
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_corrections_move_the_retrained_model(batch: Path, small_gold: Path, tmp_path: Path) -> None:  # noqa: F811
    ids = {d.source: d.key for d in load_documents(sorted((batch / "documents").glob("*.json")))}
    s, r = ids["skripsi_iom.txt"], ids["report_iom.txt"]
    table = tmp_path / "review.csv"
    table.write_text("passage_id,code,decision\n"
                     f"{s}:2,haas:rule-application,add\n"
                     f"{r}:2,haas:rule-application,add\n"
                     f"{s}:0,haas:socialization,reject\n"
                     f"{s}:3,haas:socialization,reject\n", encoding="utf-8")
    import_table(table, batch, user="Ayu")
    rows = {row["id"]: row for row in user_rows(batch, "haas")}
    assert rows[f"{s}:2"]["haas"] == ["rule-application"] and rows[f"{s}:0"]["haas"] == []

    folder, scores = retrain(batch, "haas", tmp_path / "mine", weight=3, gold=small_gold)
    assert json.loads((folder / SCORES_FILE).read_text())["user_passages"] == 4
    assert scores["before_after"] is not None and scores["folds"] == 2
    texts = [rows[k]["text"] for k in (f"{s}:2", f"{r}:2", f"{s}:0", f"{s}:3")]
    mine = PassageClassifier.from_pretrained(folder)
    code = {c: j for j, c in enumerate(mine.code_ids)}
    after = mine.predict_proba(texts)
    gold = load_jsonl(small_gold)  # the same recipe on the gold alone
    alone = PassageClassifier("haas").fit([g["text"] for g in gold], [g["haas"] for g in gold],
                                          groups=[g["doc"] for g in gold], languages=[g["lang"] for g in gold])
    before = alone.predict_proba(texts)
    assert np.all(after[:2, code["rule-application"]] > before[:2, code["rule-application"]])
    assert np.all(after[2:, code["socialization"]] < before[2:, code["socialization"]])


def test_weight_must_be_positive(batch: Path, small_gold: Path, tmp_path: Path) -> None:  # noqa: F811
    with pytest.raises(ConfigError, match="weight"):
        retrain(batch, "haas", tmp_path / "x", weight=0, gold=small_gold)


def test_cli_needs_an_output_folder_for_a_users_model(batch: Path) -> None:  # noqa: F811
    from nlp_iom.training.classifier import main

    with pytest.raises(SystemExit) as stop:
        main(["--codebook", "haas", "--corpus", str(batch)])
    assert stop.value.code == 2  # the shipped models are never overwritten by a user's retraining
