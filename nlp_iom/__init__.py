"""nlp_iom: structured evidence from Indonesian and English documents about international organisations."""

from __future__ import annotations

from nlp_iom.document import SCHEMA_VERSION, Document
from nlp_iom.reader import ReadSettings, read

__version__ = "0.1.0"

__all__ = ["Document", "ReadSettings", "SCHEMA_VERSION", "__version__", "annotate", "classify", "read"]


def __getattr__(name: str) -> object:
    """Import the NER and classification stages lazily, so that extraction alone loads neither."""
    if name == "annotate":
        from nlp_iom.ner.annotate import annotate

        return annotate
    if name == "classify":
        import nlp_iom.classify as classify  # a callable module: nlp_iom.classify(document)

        return classify
    raise AttributeError(f"module 'nlp_iom' has no attribute {name!r}")
