"""Passage classification by theory codes (Haas functions, INGO roles, user codebooks).

The package itself is callable, so ``nlp_iom.classify(document)`` works although
``nlp_iom.classify`` is also this subpackage: calling it runs :func:`nlp_iom.classify.api.classify`.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from nlp_iom.classify.codebook import Code, Codebook, load_codebook

__all__ = ["Code", "Codebook", "PassageClassifier", "classify", "load_codebook", "profile"]


def __getattr__(name: str) -> Any:
    """Load the embedding-based parts lazily."""
    if name in ("classify", "profile"):
        from nlp_iom.classify import api

        return getattr(api, name)
    if name == "PassageClassifier":
        from nlp_iom.classify.model import PassageClassifier

        return PassageClassifier
    raise AttributeError(f"module 'nlp_iom.classify' has no attribute {name!r}")


class _CallableModule(types.ModuleType):
    def __call__(self, document: Any, settings: Any = None, classifiers: Any = None) -> Any:
        from nlp_iom.classify.api import classify

        return classify(document, settings, classifiers)


sys.modules[__name__].__class__ = _CallableModule
