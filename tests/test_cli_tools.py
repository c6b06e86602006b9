"""``nlp-iom train|evaluate|build|gold`` hand their arguments to the modules' own parsers; the public API of nlp_iom."""

from __future__ import annotations

import importlib
import inspect
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import nlp_iom
from nlp_iom.cli import app
from nlp_iom.cli.tools import BUILD, EVALUATE, GOLD, TRAIN, resolve, run_module
from nlp_iom.errors import MissingExtraError, require

ROOT = Path(__file__).resolve().parents[1]
GROUPS = [("train", TRAIN), ("evaluate", EVALUATE), ("build", BUILD), ("gold", GOLD)]


@pytest.mark.parametrize("group, table", GROUPS, ids=[group for group, _ in GROUPS])
def test_every_command_names_a_function_of_argv(group: str, table: dict[str, tuple[str, str]]) -> None:
    for command, (target, summary) in table.items():
        module, _, function = target.partition(":")
        assert callable(getattr(importlib.import_module(module), function or "main")), f"{group} {command}"
        main = resolve(target)
        assert list(inspect.signature(main).parameters) == ["argv"], f"{group} {command}"
        assert summary.endswith("."), f"{group} {command}"


def test_a_table_entry_is_a_module_or_a_module_and_function() -> None:
    assert resolve("nlp_iom.evaluation.ner") is importlib.import_module("nlp_iom.evaluation.ner").main
    assert resolve("nlp_iom.evaluation.ner_sets:main_laws") is importlib.import_module("nlp_iom.evaluation.ner_sets").main_laws
    with pytest.raises(AttributeError):
        resolve("nlp_iom.evaluation.ner_sets:no_such_command")


@pytest.mark.parametrize("group, table", [("evaluate", EVALUATE), ("gold", GOLD)])
def test_every_gold_and_evaluate_command_shows_its_help_under_the_cli_name(group: str, table: dict[str, tuple[str, str]]) -> None:
    for command in table:
        result = CliRunner().invoke(app, [group, command, "--help"])
        assert result.exit_code == 0, (command, result.output)
        assert f"usage: nlp-iom {group} {command}" in result.output


def test_help_is_the_module_parsers_under_the_cli_name() -> None:
    result = CliRunner().invoke(app, ["train", "ner-cnn", "--help"])
    assert result.exit_code == 0
    assert "usage: nlp-iom train ner-cnn" in result.output and "{cnn,folds}" in result.output


def test_arguments_pass_through_and_errors_keep_their_exit_code() -> None:
    result = CliRunner().invoke(app, ["evaluate", "classify", "--codebook", "ingo", "--agreement"])
    assert result.exit_code == 0, result.output
    assert "## ingo, batch 2: agreement between pass A and pass B" in result.output
    assert "mean kappa" in result.output
    bad = CliRunner().invoke(app, ["evaluate", "extraction", "--split", "nonsense"])
    assert bad.exit_code == 2 and "invalid choice" in bad.output


def test_run_module_returns_the_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    # a command that only reads and prints: tests never write into the checkout
    assert run_module("nlp_iom.evaluation.classify", ["--agreement", "--codebook", "ingo"]) == 0
    assert "partner" in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        run_module("nlp_iom.evaluation.classify", ["--no-such-option"])
    assert info.value.code == 2


def test_gold_ner_validate_accepts_the_gold_and_rejects_bad_offsets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the command as the docs give it, from the repository root
    good = CliRunner().invoke(app, ["gold", "ner-validate", "corpora/ner_gold/gold.jsonl"])
    assert good.exit_code == 0, good.output
    assert "sentences=" in good.output and "ERROR" not in good.output
    row = {"id": "x1", "text": "IOM in Sambas", "lang": "en", "source": "s",
           "entities": [[0, 3, "ORG", "IGO"], [7, 20, "LOC", None]]}  # the second span runs past the text
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(row) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["gold", "ner-validate", str(bad)])
    assert result.exit_code == 1
    assert "ERROR x1: bad offsets 7,20" in result.output


def test_gold_ner_mentions_turns_a_mention_list_into_offsets(tmp_path: Path) -> None:
    text = "IOM opened an office in Sambas; IOM and UNHCR met in Sambas in May 2019."
    texts = tmp_path / "texts.jsonl"
    texts.write_text(json.dumps({"id": "s1", "text": text, "lang": "en", "source": "t"}) + "\n", encoding="utf-8")
    annotations = tmp_path / "pass.txt"
    annotations.write_text("s1\tIOM|ORG/IGO ;; Sambas#2|LOC ;; May 2019|DATE\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["gold", "ner-mentions", str(texts), str(annotations), "-o", str(out)])
    assert result.exit_code == 0, result.output
    [row] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert row == {"id": "s1", "text": text, "lang": "en", "source": "t",
                   "entities": [[0, 3, "ORG", "IGO"], [53, 59, "LOC", None], [63, 71, "DATE", None]]}
    assert [text[s:e] for s, e, *_ in row["entities"]] == ["IOM", "Sambas", "May 2019"]
    annotations.write_text("s1\tWHO|ORG/IGO\n", encoding="utf-8")  # not in the sentence
    missing = CliRunner().invoke(app, ["gold", "ner-mentions", str(texts), str(annotations), "-o", str(out)])
    assert missing.exit_code == 1 and "'WHO' not found" in missing.output


def test_public_api_exports_every_stage_and_settings_class() -> None:
    for name in ("read", "annotate", "classify", "Document", "Corpus", "annotate_folder", "build_review",
                 "write_review", "ReadSettings", "NerSettings", "ClassifySettings", "CorpusSettings",
                 "BatchSettings", "ReviewSettings", "LayoutSettings", "OcrSettings", "TableSettings"):
        assert getattr(nlp_iom, name) is not None, name
    assert inspect.isfunction(nlp_iom.classify)  # a plain function, not a callable module
    importlib.import_module("nlp_iom.coding.api")  # importing the subpackage does not shadow the function

    assert inspect.isfunction(nlp_iom.classify)
    assert set(nlp_iom.__all__) <= set(dir(nlp_iom))


def test_a_missing_extra_names_the_extra_to_install() -> None:
    with pytest.raises(MissingExtraError, match=r"pip install 'nlp_iom\[review\]'"):
        require("matplotlib_that_is_not_there", "review")
    assert require("json", "none").dumps([1]) == "[1]"
