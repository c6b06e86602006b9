"""``nlp-iom train|evaluate|build`` hand their arguments to the modules' own parsers; the public API of nlp_iom."""

from __future__ import annotations

import importlib
import inspect

import pytest
from typer.testing import CliRunner

import nlp_iom
from nlp_iom.cli import app
from nlp_iom.cli.tools import BUILD, EVALUATE, TRAIN, run_module
from nlp_iom.errors import MissingExtraError, require


@pytest.mark.parametrize("group, table", [("train", TRAIN), ("evaluate", EVALUATE), ("build", BUILD)])
def test_every_command_names_a_module_with_a_main(group: str, table: dict[str, tuple[str, str]]) -> None:
    for command, (module, _) in table.items():
        main = importlib.import_module(module).main
        assert list(inspect.signature(main).parameters) == ["argv"], f"{group} {command}"


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


def test_run_module_returns_the_exit_status() -> None:
    assert run_module("nlp_iom.evaluation.extraction_gold", ["--card"]) == 0


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
