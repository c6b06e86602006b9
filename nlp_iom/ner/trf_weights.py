"""Compact weights for the transformer NER tier: the frozen word embeddings are not saved twice.

Fine-tuning keeps e5's word embeddings frozen (250,037 x 384 floats, 384 MB of the 470 MB model),
so they equal the e5 encoder's own. :func:`save_compact` writes every other tensor to
``model.safetensors`` and records in ``shared_weights.json`` which tensor comes from where, with a
checksum; :func:`load_token_classifier` rebuilds the full model from the folder plus the e5 encoder
in the cache (``nlp-iom build e5``). Folders saved in full still load as before.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from nlp_iom.errors import ConfigError

WEIGHTS_FILE = "model.safetensors"
SHARED_FILE = "shared_weights.json"
#: Name of the frozen tensor in the token classifier and in the plain encoder.
CLASSIFIER_KEY = "bert.embeddings.word_embeddings.weight"
ENCODER_KEY = "embeddings.word_embeddings.weight"
#: Bytes of the tensor hashed for the checksum (the start and the end are enough to tell builds apart).
CHECKSUM_BYTES = 1 << 20


def tensor_checksum(tensor: Any) -> str:
    """A SHA-256 over the shape and the first and last :data:`CHECKSUM_BYTES` of a tensor's bytes."""
    raw = tensor.detach().contiguous().cpu().numpy().tobytes()
    digest = hashlib.sha256(str(tuple(tensor.shape)).encode())
    digest.update(raw[:CHECKSUM_BYTES])
    digest.update(raw[-CHECKSUM_BYTES:])
    return digest.hexdigest()


def save_compact(model: Any, folder: Path) -> int:
    """Save ``model``'s config and every tensor but the frozen word embeddings into ``folder``.

    Returns:
        Bytes of the weights file written.
    """
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    model.config.save_pretrained(str(folder))
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items() if k != CLASSIFIER_KEY}
    save_file(state, str(folder / WEIGHTS_FILE), metadata={"format": "pt"})
    shared = {CLASSIFIER_KEY: {"from": "e5-small encoder", "key": ENCODER_KEY,
                               "checksum": tensor_checksum(model.state_dict()[CLASSIFIER_KEY])}}
    (folder / SHARED_FILE).write_text(json.dumps(shared, indent=2) + "\n", encoding="utf-8")
    return (folder / WEIGHTS_FILE).stat().st_size


def load_token_classifier(folder: Path, encoder: Path | None = None) -> Any:
    """Load a token classifier saved in full or by :func:`save_compact`.

    Args:
        folder: The model folder.
        encoder: The e5 encoder folder for shared tensors (default: built in the cache).

    Raises:
        ConfigError: The shared tensor is missing from the encoder or does not match its checksum.
    """
    from transformers import AutoConfig, AutoModelForTokenClassification

    shared_path = folder / SHARED_FILE
    if not shared_path.is_file():
        return AutoModelForTokenClassification.from_pretrained(str(folder), local_files_only=True)
    import torch
    from safetensors import safe_open
    from safetensors.torch import load_file

    from nlp_iom.assets.e5 import build_e5

    shared = json.loads(shared_path.read_text(encoding="utf-8"))
    encoder = encoder or build_e5()
    config = AutoConfig.from_pretrained(str(folder), local_files_only=True)
    model = AutoModelForTokenClassification.from_config(config)
    state = load_file(str(folder / WEIGHTS_FILE))
    with safe_open(str(encoder / WEIGHTS_FILE), framework="pt") as source:
        for key, spec in shared.items():
            if spec["key"] not in source.keys():
                raise ConfigError("model_path", f"{folder}: {spec['key']} is not in {encoder / WEIGHTS_FILE}")
            tensor = source.get_tensor(spec["key"])
            if tensor_checksum(tensor) != spec["checksum"]:
                raise ConfigError("model_path", f"{folder}: {key} does not match the e5 encoder in {encoder} "
                                                "(rebuilt differently?); retrain with nlp-iom train ner-transformer")
            state[key] = tensor
    missing, unexpected = model.load_state_dict(state, strict=False)
    # Position ids are buffers that transformers may or may not store; every weight must be there.
    missing = [k for k in missing if not k.endswith("position_ids")]
    if missing or unexpected:
        raise ConfigError("model_path", f"{folder}: weights do not fit the config (missing {missing[:3]}, "
                                        f"unexpected {unexpected[:3]})")
    with torch.no_grad():
        model.eval()
    return model


def compact_folder(folder: Path) -> tuple[int, int]:
    """Rewrite a fully saved model folder in compact form, in place; return bytes before and after."""
    before = (folder / WEIGHTS_FILE).stat().st_size
    if (folder / SHARED_FILE).is_file():
        return before, before
    model = load_token_classifier(folder)
    staged = folder / (WEIGHTS_FILE + ".full")
    (folder / WEIGHTS_FILE).rename(staged)
    try:
        after = save_compact(model, folder)
    except BaseException:
        staged.rename(folder / WEIGHTS_FILE)
        raise
    staged.unlink()
    return before, after
