"""run.json: what made a batch's codes (and a corpus's index), and a rerun from it gives the same codes."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from conftest import DATA
from typer.testing import CliRunner

from nlp_iom.batch import BatchSettings, annotate_folder
from nlp_iom.batch.manifest import MANIFEST, settings_from_manifest
from nlp_iom.batch.layout import load_documents
from nlp_iom.cli import app
from nlp_iom.corpus import Corpus
from nlp_iom.errors import ConfigError
from nlp_iom.reader import ReadSettings

EXCERPT = DATA / "batch" / "iom_sambas_excerpt.txt"


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    inputs = tmp_path_factory.mktemp("manifest") / "in"
    inputs.mkdir()
    shutil.copy(EXCERPT, inputs / "excerpt.txt")
    out = inputs.parent / "out"
    settings = BatchSettings(read=ReadSettings(password="s3cret"), exports=("jsonl",))
    report = annotate_folder(inputs, out, settings, progress=False)
    assert report.ok and report.manifest == out / MANIFEST
    return inputs, out


def test_manifest_records_models_codebooks_settings_and_inputs(first_run: tuple[Path, Path]) -> None:
    inputs, out = first_run
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    names = [m["name"] for m in manifest["models"]]
    assert names[:2] == ["classifier:haas", "classifier:ingo"] and "ner:id:cnn" in names
    haas = manifest["models"][0]
    assert len(haas["sha256"]) == 64 and set(haas["card"]) == {"dev", "test"} and "socialization" in haas["thresholds"]
    assert [c["name"] for c in manifest["codebooks"]] == ["haas", "ingo"] and all(len(c["sha256"]) == 64
                                                                                for c in manifest["codebooks"])
    digest = hashlib.sha256((inputs / "excerpt.txt").read_bytes()).hexdigest()
    assert manifest["inputs"] == [{"path": "excerpt.txt", "sha256": digest}]
    assert manifest["settings"]["read"]["password"] == "<set>" and "s3cret" not in json.dumps(manifest)
    assert manifest["thresholds"]["qdpx"] == 0.5 and manifest["seeds"]


def test_rerun_from_the_manifest_gives_identical_codes(first_run: tuple[Path, Path], tmp_path: Path) -> None:
    inputs, out = first_run
    again = tmp_path / "again"
    result = CliRunner().invoke(app, ["annotate", str(inputs), "-o", str(again), "--manifest", str(out / MANIFEST),
                                      "--quiet", "--codebook", "ingo"])  # the manifest's settings win
    assert result.exit_code == 0, result.output
    before = load_documents(sorted((out / "documents").glob("*.json")))[0].document
    after = load_documents(sorted((again / "documents").glob("*.json")))[0].document
    assert [p.codes for p in after.passages] == [p.codes for p in before.passages]
    assert any(k.startswith("haas:") for p in after.passages for k in p.codes)  # not only --codebook ingo


def test_a_changed_model_refuses_the_manifest(first_run: tuple[Path, Path], tmp_path: Path) -> None:
    _, out = first_run
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    manifest["models"][0]["sha256"] = "0" * 64
    tampered = tmp_path / "run.json"
    tampered.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ConfigError, match="classifier:haas changed since"):
        settings_from_manifest(tampered)
    tampered.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a readable run.json"):
        settings_from_manifest(tampered)
    settings = settings_from_manifest(out / MANIFEST)
    assert settings.exports == ("jsonl",) and settings.read.password is None


def test_corpus_folder_gets_a_manifest(tmp_path: Path) -> None:
    with Corpus.open(tmp_path / "corpus") as corpus:
        corpus.add([EXCERPT])
    manifest = json.loads((tmp_path / "corpus" / "run.json").read_text(encoding="utf-8"))
    assert manifest["embedder"] == "e5-small" and manifest["passages"] > 0
    assert manifest["documents"][0]["path"].endswith("iom_sambas_excerpt.txt")
    assert len(manifest["search"]["glossary_sha256"]) == 64 and "qdrant_api_key" not in manifest["settings"]
