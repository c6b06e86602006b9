"""The model resolver, and a wheel that works outside the checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SEEDS
from nlp_iom import models
from nlp_iom.errors import ModelNotFoundError


def test_search_order_explicit_env_cache_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(models.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(models.MODELS_ENV, raising=False)
    assert models.model_path("classifier_haas") == models.PACKAGED / "classifier_haas"
    (tmp_path / "cache" / "models" / "classifier_haas").mkdir(parents=True)
    assert models.model_path("classifier_haas") == tmp_path / "cache" / "models" / "classifier_haas"
    (tmp_path / "env" / "classifier_haas").mkdir(parents=True)
    monkeypatch.setenv(models.MODELS_ENV, str(tmp_path / "env"))
    assert models.model_path("classifier_haas") == tmp_path / "env" / "classifier_haas"
    assert models.model_path("classifier_haas", tmp_path) == tmp_path


def test_missing_model_names_its_build_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(models.CACHE_ENV, str(tmp_path))
    with pytest.raises(ModelNotFoundError, match="nlp-iom train ner-cnn cnn"):
        models.model_path("ner_id_cnn", tmp_path / "nowhere")
    assert models.find_model("no_such_model") is None


def test_packaged_models_are_the_committed_ones() -> None:
    assert (models.PACKAGED / "ner_id_cnn" / "config.cfg").is_file()
    assert (models.PACKAGED / "classifier_ingo" / "head.safetensors").is_file()


@pytest.mark.slow
def test_built_wheel_annotates_from_another_folder(tmp_path: Path) -> None:
    """pip wheel, pip install --no-deps --target, then annotate the seeds from elsewhere (as a user would)."""
    wheel_dir, site = tmp_path / "wheel", tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(wheel_dir)],
                   check=True, capture_output=True, timeout=600)
    (wheel,) = wheel_dir.glob("nlp_iom-*.whl")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, timeout=600)
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop(models.MODELS_ENV, None)
    where = subprocess.run([sys.executable, "-c", "import nlp_iom.models as m; print(m.PACKAGED)"], cwd=tmp_path,
                           env=env, capture_output=True, text=True, check=True)
    assert Path(where.stdout.strip()).is_relative_to(site)
    out = tmp_path / "out"
    result = subprocess.run([str(site / "bin" / "nlp-iom"), "annotate", str(SEEDS), "-o", str(out)], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-2000:]
    documents = sorted((out / "documents").glob("*.json"))
    assert len(documents) == 2
    annotated = [json.loads(p.read_text(encoding="utf-8")) for p in documents]
    assert any(e["label"] == "ORG" for d in annotated for p in d["passages"] for e in p["entities"])
    assert any(p["codes"] for d in annotated for p in d["passages"])  # the packaged classifiers ran
