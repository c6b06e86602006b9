"""Passage coding by theory codes (Haas functions, INGO roles, user codebooks).

``nlp_iom.classify(document)`` (:func:`nlp_iom.coding.api.classify`) codes a Document's body passages;
:class:`~nlp_iom.coding.model.PassageClassifier` is the model (an e5 body and a linear head per code),
:mod:`~nlp_iom.coding.codebook` reads codebooks. The embedding-based parts load on first use.
"""

from __future__ import annotations

from typing import Any

from nlp_iom.coding.codebook import Code, Codebook, load_codebook
from nlp_iom.coding.settings import ClassifySettings

__all__ = ["ClassifySettings", "Code", "Codebook", "PassageClassifier", "classify", "load_codebook", "profile"]


def __getattr__(name: str) -> Any:
    """Load the embedding-based parts lazily."""
    if name in ("classify", "profile"):
        from nlp_iom.coding import api

        return getattr(api, name)
    if name == "PassageClassifier":
        from nlp_iom.coding.model import PassageClassifier

        return PassageClassifier
    raise AttributeError(f"module 'nlp_iom.coding' has no attribute {name!r}")
