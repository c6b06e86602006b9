"""The interface of sentence embedders: :class:`Embedder` and the helpers every backend shares.

:class:`Embedder` is what the rest of nlp_iom asks for: ``encode_queries`` and ``encode_passages``
turn texts into L2-normalised float32 rows of ``dim`` columns. The backends are
:class:`nlp_iom.embed.onnx.OnnxEmbedder` (default, int8) and
:class:`nlp_iom.embed.sentence_transformer.SentenceTransformerEmbedder`; :func:`nlp_iom.embed.registry.get_embedder`
names them. This module imports no backend.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Literal

import numpy as np

Kind = Literal["query", "passage"]
#: Prompts multilingual-e5 was trained with.
E5_PROMPTS: dict[str, str] = {"query": "query: ", "passage": "passage: "}


def as_text_list(texts: str | Sequence[str]) -> list[str]:
    """Return ``texts`` as a list (a lone string becomes a list of one).

    Raises:
        TypeError: If an item is not a string.
    """
    items = [texts] if isinstance(texts, str) else list(texts)
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"texts must be strings, got {type(item).__name__}")
    return items


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Scale rows to unit length (zero rows stay zero) and return float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)


class Embedder(abc.ABC):
    """A sentence embedder: texts in, L2-normalised float32 rows out.

    Attributes:
        name: Identifies the model and precision (used in cache keys).
        dim: Width of a vector.
        batch_size: Texts per forward pass.
        prompts: Prefix per kind (``"query"``, ``"passage"``) put before each text.
    """

    name: str = ""
    dim: int = 0
    batch_size: int = 8
    prompts: dict[str, str]

    def prompt(self, kind: Kind) -> str:
        """The prefix put before texts of ``kind``.

        Raises:
            ValueError: If ``kind`` is neither ``"query"`` nor ``"passage"``.
        """
        if kind not in ("query", "passage"):
            raise ValueError(f"kind must be 'query' or 'passage', got {kind!r}")
        return getattr(self, "prompts", {}).get(kind, "")

    def encode(self, texts: str | Sequence[str], kind: Kind = "passage") -> np.ndarray:
        """Embed texts of one kind.

        Args:
            texts: The texts (a lone string counts as one).
            kind: ``"query"`` or ``"passage"``; selects the prompt.

        Returns:
            ``float32`` array ``[len(texts), dim]``, rows of unit length, in input order.
        """
        items = as_text_list(texts)
        prefix = self.prompt(kind)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        return l2_normalise(self._embed([prefix + text for text in items]))

    def encode_queries(self, texts: str | Sequence[str]) -> np.ndarray:
        """Embed search queries (short questions, code definitions)."""
        return self.encode(texts, "query")

    def encode_passages(self, texts: str | Sequence[str]) -> np.ndarray:
        """Embed passages (the texts that are searched or classified)."""
        return self.encode(texts, "passage")

    @abc.abstractmethod
    def _embed(self, texts: list[str]) -> np.ndarray:
        """Embed texts that already carry their prompt; rows need not be normalised."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, dim={self.dim})"
