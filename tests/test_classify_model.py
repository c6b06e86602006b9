"""The trained passage classifiers: predictions, calibration, evidence, safe persistence, fallbacks."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from nlp_iom.training import classifier_card as card
from nlp_iom.coding.api import load_classifier, model_dir
from nlp_iom.coding.model import MIN_POSITIVES, PassageClassifier
from nlp_iom.errors import ConfigError, ModelNotFoundError, TooFewExamplesError

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def haas() -> PassageClassifier:
    return load_classifier("haas")


@pytest.fixture(scope="session")
def ingo() -> PassageClassifier:
    return load_classifier("ingo")


def test_committed_models_are_trained_and_small() -> None:
    for name in ("haas", "ingo"):
        folder = model_dir(name)
        assert (folder / "head.safetensors").is_file() and (folder / "README.md").is_file()
        assert sum(f.stat().st_size for f in folder.iterdir()) < 5_000_000
        assert not list(folder.glob("*.pkl")) and not list(folder.glob("*.pickle"))
        scores = json.loads((folder / "scores.json").read_text(encoding="utf-8"))
        for part in ("dev", "test"):
            systems = scores[part]["systems"]
            assert systems["trained"]["macro_f1"] > systems["keywords"]["macro_f1"], (name, part)
        assert scores["dev"]["folds"] == 5 and scores["dev"]["documents"] > 100
        assert (folder / "README.md").read_text(encoding="utf-8") == card.render(folder)  # generated, not typed


def test_clear_passages_get_their_codes_in_both_languages(haas: PassageClassifier) -> None:
    texts = [
        "IOM conducted socialization in fifty villages and trained village heads on how to report "
        "trafficking cases to the task force.",
        "Pemerintah Daerah menyelenggarakan sosialisasi dan penyuluhan tentang bahaya perdagangan orang "
        "kepada pelajar dan masyarakat desa.",
        "The State Department downgraded Malaysia to Tier 3 in its annual report for failing to meet the "
        "minimum standards, and monitored its compliance the following year.",
        "This study used a qualitative approach with descriptive writing; data came from a literature "
        "review and interviews.",
    ]
    codes = haas.predict(texts)
    assert "socialization" in codes[0]
    assert "socialization" in codes[1]
    assert "rule-adjudication" in codes[2]
    assert codes[3] == []


def test_probabilities_are_calibrated_scores(haas: PassageClassifier) -> None:
    proba = haas.predict_proba(["IOM signed a cooperation agreement with the regency.", "Tabel 3 Jumlah penduduk"])
    assert proba.shape == (2, 8) and proba.dtype == np.float32
    assert np.all((proba >= 0) & (proba <= 1))
    thresholds = haas.thresholds()
    assert np.all((thresholds > 0.04) & (thresholds < 0.96))


def test_evidence_names_indicators_and_closest_gold_examples(ingo: PassageClassifier) -> None:
    text = ("IOM works closely with the provincial government and signed a memorandum of understanding "
            "with the police to handle trafficking victims together.")
    (prediction,) = ingo.explain([text])
    assert "partner" in prediction.codes
    assert "memorandum of understanding" in prediction.indicators["partner"]
    examples = prediction.examples["partner"]
    assert 1 <= len(examples) <= 3 and examples[0]["id"].startswith("cg-")
    assert examples[0]["similarity"] >= examples[-1]["similarity"]


def test_save_and_load_round_trip_without_pickle(ingo: PassageClassifier, tmp_path: Path) -> None:
    ingo.save_pretrained(tmp_path / "m")
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == [
        "config.json", "examples.jsonl", "examples.safetensors", "head.safetensors", "lexical.json"]
    again = PassageClassifier.from_pretrained(tmp_path / "m", embedder=ingo.embedder)
    texts = ["IOM memberikan bantuan pemulangan kepada korban.", "The paper has five sections."]
    assert np.allclose(again.predict_proba(texts), ingo.predict_proba(texts), atol=1e-6)


def test_missing_model_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="nlp-iom train classifier"):
        PassageClassifier.from_pretrained(tmp_path)


def test_user_codebook_trains_with_few_examples_and_falls_back_to_zero_shot(haas, caplog) -> None:
    texts = [
        "The United States used the organisation to push its national interest on border control.",
        "Member states treated the agency as a tool of their foreign policy.",
        "Jakarta memakai forum itu sebagai alat kepentingan nasional.",
        "Donor governments steered the organisation towards their own national interest.",
        "The council was a forum where states negotiated return policies.",
        "Sidang itu menjadi wadah negara anggota untuk berunding.",
        "Delegates met in the assembly to negotiate a common text.",
        "The annual meeting served as a meeting place for ministers to argue over quotas.",
        "IOM launched its own programme independently of member states.",
        "Cuaca hari ini cerah.",
    ]
    labels = [["instrument"]] * 4 + [["arena"]] * 4 + [["actor"], []]
    with caplog.at_level(logging.WARNING):
        clf = PassageClassifier(DATA / "archer_codebook.yaml", haas.embedder).fit(texts, labels)
    assert "actor" in caplog.text and "zero-shot" in caplog.text
    assert list(clf.trained_codes) == [True, True, False]
    assert clf.predict(["States argued and negotiated in the forum of the assembly."])[0] == ["arena"]
    with pytest.raises(TooFewExamplesError) as info:
        PassageClassifier(DATA / "archer_codebook.yaml", haas.embedder).fit(texts, labels, fallback="error")
    assert info.value.code == "actor" and info.value.needed == MIN_POSITIVES
    with pytest.raises(ConfigError, match="fallback"):
        PassageClassifier(DATA / "archer_codebook.yaml", haas.embedder).fit(texts, labels, fallback="ignore")


def test_zero_shot_from_the_codebook_alone(haas: PassageClassifier) -> None:
    clf = PassageClassifier.zero_shot(DATA / "archer_codebook.yaml", haas.embedder)
    assert clf.linear is None
    codes = clf.predict(["Negara anggota berunding di forum tahunan organisasi itu.", "Cuaca hari ini cerah."])
    assert "arena" in codes[0] and codes[1] == []


def test_empty_passage_is_a_clear_error_and_a_long_one_a_warning(ingo: PassageClassifier, caplog) -> None:
    from nlp_iom.errors import EmptyPassageError

    with pytest.raises(EmptyPassageError, match="passage 1 is empty"):
        ingo.predict(["IOM memberikan bantuan kepada korban.", "  \n"])
    long = "IOM bekerja sama dengan pemerintah daerah dalam perlindungan korban. " * 300  # about 20,000 characters
    with caplog.at_level(logging.WARNING):
        (codes,) = ingo.predict([long])
    assert "512 tokens" in caplog.text
    assert "partner" in codes
