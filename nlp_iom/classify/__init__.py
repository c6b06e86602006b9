"""Passage classification by theory codes (Haas functions, INGO roles, user codebooks)."""

from __future__ import annotations

from nlp_iom.classify.codebook import Code, Codebook, load_codebook

__all__ = ["Code", "Codebook", "load_codebook"]
