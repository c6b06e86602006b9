"""One place that finds the models nlp_iom ships or builds.

``model_path(name)`` looks, in order, at:

1. an explicit path, when one is given (then nothing else);
2. ``$NLP_IOM_MODELS/<name>``;
3. the cache, ``$NLP_IOM_CACHE/models/<name>`` (default ``~/.cache/nlp_iom/models/<name>``);
4. the package data, ``nlp_iom/_models/<name>``: in a wheel, the small committed models travel inside
   the package; in a source checkout ``nlp_iom/_models`` links to the repository's ``models/``.

A model found nowhere raises :class:`~nlp_iom.errors.ModelNotFoundError` naming the command that
builds it.
"""

from __future__ import annotations

import os
from pathlib import Path

from nlp_iom.errors import ModelNotFoundError

PACKAGED = Path(__file__).resolve().parent / "_models"
MODELS_ENV = "NLP_IOM_MODELS"
CACHE_ENV = "NLP_IOM_CACHE"
#: How to rebuild each shipped model.
BUILD_COMMANDS: dict[str, str] = {
    "ner_id_cnn": "nlp-iom train ner-cnn cnn --output models/ner_id_cnn",
    "stanza_id_tokenizer": "nlp-iom train stanza-tokenizer --output models/stanza_id_tokenizer",
    "classifier_haas": "nlp-iom train classifier --codebook haas",
    "classifier_ingo": "nlp-iom train classifier --codebook ingo",
}


def cache_dir() -> Path:
    """Where built models are cached: ``$NLP_IOM_CACHE/models`` or ``~/.cache/nlp_iom/models``."""
    base = os.environ.get(CACHE_ENV) or os.path.join(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "nlp_iom")
    return Path(base) / "models"


def candidates(name: str, explicit: str | Path | None = None) -> list[Path]:
    """The folders searched for model ``name``, in order."""
    found: list[Path] = []
    if explicit is not None:
        found.append(Path(explicit))
    if os.environ.get(MODELS_ENV):
        found.append(Path(os.environ[MODELS_ENV]) / name)
    found += [cache_dir() / name, PACKAGED / name]
    return found


def find_model(name: str, explicit: str | Path | None = None) -> Path | None:
    """The first existing folder for model ``name`` (see :func:`candidates`), or None.

    An explicit path is the only place looked at: a wrong path is an error, not a fallback.
    """
    if explicit is not None:
        return Path(explicit) if Path(explicit).exists() else None
    return next((path for path in candidates(name) if path.exists()), None)


def model_path(name: str, explicit: str | Path | None = None) -> Path:
    """The folder of model ``name``.

    Raises:
        ModelNotFoundError: It is in none of the places searched; the message names its build command.
    """
    path = find_model(name, explicit)
    if path is None:
        command = BUILD_COMMANDS.get(name, "see the model card of the model")
        searched = ", ".join(str(p) for p in candidates(name, explicit))
        raise ModelNotFoundError(name, f"not found in {searched}: build it with `{command}`")
    return path


def default_model(name: str) -> Path:
    """Where model ``name`` is found now, else where the package expects it (for settings defaults)."""
    return find_model(name) or PACKAGED / name
