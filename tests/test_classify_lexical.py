"""The classifier's lexical block: TF-IDF fitted on training passages, saved without pickle, restored exactly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from nlp_iom.coding.lexical import LexicalFeatures, LexicalSettings
from nlp_iom.coding.model import LEXICAL_FILE, PassageClassifier
from nlp_iom.errors import ConfigError, ModelNotFoundError
from nlp_iom.evaluation.classify import PREVIOUS
from nlp_iom.training.classify_gold import load_gold


@pytest.fixture(scope="module")
def gold_texts() -> list[str]:
    return [r["text"] for r in load_gold()[:400]]


def test_features_restore_to_the_same_matrix(gold_texts: list[str]) -> None:
    features = LexicalFeatures().fit(gold_texts)
    vocabularies = json.loads(json.dumps(features.vocabularies()))  # as saved: plain JSON
    again = LexicalFeatures.restore(features.settings, vocabularies, features.tensors())
    unseen = ["IOM menandatangani nota kesepahaman dengan BP2MI.", "The ministry monitored compliance."]
    a, b = features.transform(unseen), again.transform(unseen)
    assert a.shape == b.shape == (2, features.dim)
    assert np.allclose(a.toarray(), b.toarray())
    assert features.dim <= LexicalSettings().word_max_features + LexicalSettings().char_max_features


def test_rows_are_weighted_unit_vectors_per_part(gold_texts: list[str]) -> None:
    settings = LexicalSettings(weight=0.5)
    features = LexicalFeatures(settings).fit(gold_texts)
    row = features.transform(["Pemerintah daerah melakukan pengawasan terhadap perusahaan penempatan."])
    # word, character and glossary-concept blocks are each L2-normalised, then weighted
    assert float(row.multiply(row).sum()) == pytest.approx(2 * 0.5 ** 2 + 0.3 ** 2, rel=1e-4)


def test_concepts_are_shared_across_languages(gold_texts: list[str]) -> None:
    features = LexicalFeatures().fit(gold_texts)
    concepts = features.vocabularies()["concept"]
    assert "perdagangan_orang" in concepts and "pekerja_migran" in concepts
    start = features.dim - len(concepts)
    rows = features.transform(["Korban perdagangan orang dipulangkan.", "Victims of human trafficking returned."])
    column = start + concepts.index("perdagangan_orang")
    assert rows[0, column] > 0 and rows[1, column] > 0


def test_models_saved_before_the_concept_block_load_without_it() -> None:
    old = LexicalSettings.from_dict({"weight": 0.5, "word_ngrams": [1, 2], "char_ngrams": [3, 5]})
    assert old.concept_weight == 0 and old.parts == ("word", "char")
    assert LexicalSettings().parts == ("word", "char", "concept")


def test_a_handful_of_texts_still_gets_a_vocabulary() -> None:
    features = LexicalFeatures().fit(["IOM trains officers.", "Pelatihan petugas."])
    assert features.dim > 0
    assert features.transform([""]).nnz == 0


def test_settings_are_validated() -> None:
    with pytest.raises(ConfigError, match="weight"):
        LexicalSettings(weight=0)
    with pytest.raises(ConfigError, match="char_ngrams"):
        LexicalSettings(char_ngrams=(5, 3))
    with pytest.raises(ConfigError, match="unknown"):
        LexicalSettings.from_dict({"weight": 0.5, "colour": "red"})
    assert LexicalSettings.from_dict(LexicalSettings().to_dict()) == LexicalSettings()


def test_restore_refuses_a_vocabulary_that_does_not_match_its_idf(gold_texts: list[str]) -> None:
    features = LexicalFeatures().fit(gold_texts[:50])
    vocabularies = features.vocabularies()
    vocabularies["word"] = vocabularies["word"][:-1]
    with pytest.raises(ConfigError, match="word vocabulary"):
        LexicalFeatures.restore(features.settings, vocabularies, features.tensors())


def test_model_without_its_vocabulary_file_is_a_clear_error(tmp_path: Path) -> None:
    rows = load_gold()[:120]
    clf = PassageClassifier("ingo", "e5-small").fit([r["text"] for r in rows], [r["ingo"] for r in rows])
    clf.save_pretrained(tmp_path / "m")
    (tmp_path / "m" / LEXICAL_FILE).unlink()
    with pytest.raises(ModelNotFoundError, match=LEXICAL_FILE):
        PassageClassifier.from_pretrained(tmp_path / "m", clf.embedder)


def test_models_saved_before_the_lexical_block_still_load(tmp_path: Path) -> None:
    folder = shutil.copytree(PREVIOUS / "classifier_ingo", tmp_path / "old")
    clf = PassageClassifier.from_pretrained(folder)
    assert clf.lexical is None
    (codes,) = clf.predict(["IOM bekerja sama dengan kepolisian dan menandatangani nota kesepahaman."])
    assert "partner" in codes
