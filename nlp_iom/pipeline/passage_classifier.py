"""spaCy component ``iom_passage_classifier``: theory codes of a Doc as ``doc.spans`` and extensions.

    nlp.add_pipe("iom_passage_classifier", config={"codebook": "haas"})
    doc = nlp(text)
    doc.spans["iom_haas"]          # one span over the whole Doc per predicted code, label = code id
    doc._.iom_codes                # {"haas:socialization": 0.91, ...}
    span._.iom_code_score          # probability of that span's code

``codebook`` is a built-in name, a codebook file (zero-shot) or a trained-model folder; a Doc is
treated as one passage (the unit the classifier was trained on). Several instances (one per codebook)
can sit in one pipeline; their codes share ``doc._.iom_codes`` under their codebook's prefix.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp_iom.coding.api import load_classifier
from nlp_iom.coding.settings import ClassifySettings

SPANS_PREFIX = "iom_"


def _register_extensions() -> None:
    if not Doc.has_extension("iom_codes"):
        Doc.set_extension("iom_codes", default=None)
    if not Span.has_extension("iom_code_score"):
        Span.set_extension("iom_code_score", default=None)


class PassageCodes:
    """Puts the predicted codes of a Doc on ``doc.spans[f"iom_{codebook}"]`` and ``doc._.iom_codes``."""

    def __init__(self, codebook: str, embedder: str, zero_shot: bool, batch_size: int) -> None:
        _register_extensions()
        self.classifier = load_classifier(codebook, embedder, zero_shot)
        self.key = SPANS_PREFIX + self.classifier.codebook.name
        self.batch_size = batch_size

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: object, batch_size: int | None = None) -> object:
        """Classify Docs in batches (one embedding call per batch)."""
        size = batch_size or self.batch_size
        batch: list[Doc] = []
        for doc in docs:  # type: ignore[attr-defined]
            batch.append(doc)
            if len(batch) >= size:
                yield from self._apply(batch)
                batch = []
        if batch:
            yield from self._apply(batch)

    def _apply(self, docs: list[Doc]) -> list[Doc]:
        coded = [doc for doc in docs if doc.text.strip()]
        proba = self.classifier.predict_proba([doc.text for doc in coded])
        scored = iter(zip(proba, self.classifier.thresholds_for([doc.lang_ for doc in coded])))
        name = self.classifier.codebook.name
        for doc in docs:
            if not doc.text.strip():  # nothing to code: no spans, no codes
                doc.spans[self.key] = []
                continue
            row, thresholds = next(scored)
            codes = dict(doc._.iom_codes or {})
            spans = []
            for code, p, t in zip(self.classifier.code_ids, row, thresholds):
                if p >= t and len(doc):
                    span = Span(doc, 0, len(doc), label=code)
                    span._.iom_code_score = round(float(p), 4)
                    spans.append(span)
                    codes[f"{name}:{code}"] = round(float(p), 4)
            doc.spans[self.key] = spans
            doc._.iom_codes = codes
        return docs


@Language.factory(
    "iom_passage_classifier",
    default_config={"codebook": "haas", "embedder": ClassifySettings.embedder, "zero_shot": ClassifySettings.zero_shot,
                    "batch_size": 32},
)
def make_passage_classifier(nlp: Language, name: str, codebook: str, embedder: str, zero_shot: bool,
                            batch_size: int) -> PassageCodes:
    """Factory of :class:`PassageCodes` (entry point ``iom_passage_classifier``)."""
    return PassageCodes(codebook, embedder, zero_shot, batch_size)
