"""Settings of passage coding (:class:`ClassifySettings`), apart from the model so that they import lightly."""

from __future__ import annotations

from dataclasses import dataclass

from nlp_iom.errors import ConfigError

#: Languages the classifier was trained on; others are coded (e5 is multilingual) but flagged.
KNOWN_LANGUAGES = ("id", "en", "mixed", "und")
OTHER_LANGUAGE_MODES = ("classify", "skip")

@dataclass(frozen=True)
class ClassifySettings:
    """How :func:`nlp_iom.coding.api.classify` runs.

    Args:
        codebooks: Built-in names, codebook paths, or trained-model folders.
        embedder: Embedder spec (see :func:`nlp_iom.embed.registry.get_embedder`).
        other_language: ``"classify"`` (code passages in a third language too, and list them in
            the stage record) or ``"skip"``.
        zero_shot: Use zero-shot heads even where a trained model exists.
    """

    codebooks: tuple[str, ...] = ("haas", "ingo")
    embedder: str = "e5-small"
    other_language: str = "classify"
    zero_shot: bool = False

    def __post_init__(self) -> None:
        if not self.codebooks:
            raise ConfigError("codebooks", "name at least one codebook")
        if self.other_language not in OTHER_LANGUAGE_MODES:
            raise ConfigError("other_language", f"must be one of {', '.join(OTHER_LANGUAGE_MODES)}")
