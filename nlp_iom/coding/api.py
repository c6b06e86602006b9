"""``classify(document)``: theory codes for every body passage, and a document-level profile.

Passages outside the body (front matter, abstracts, references, back matter) are left out. Codes
land in ``passage.codes`` as ``{"haas:socialization": 0.91, ...}`` (only codes over their threshold,
with their probability); ``document.stages["classify"]`` records the models, the embedder, how many
passages were coded and which passages were in a third language. :func:`profile` summarises one
codebook over a document: the share of passages per code and the strongest evidence passages per code
with their pages and matched indicator phrases.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

from nlp_iom.coding.codebook import BUILTIN, Codebook, load_codebook
from nlp_iom.coding.model import PassageClassifier
from nlp_iom.coding.settings import KNOWN_LANGUAGES, ClassifySettings
from nlp_iom.document import ZONE_BODY, Document
from nlp_iom.models import default_model

logger = logging.getLogger(__name__)

#: Evidence passages listed per code in a profile.
TOP_EVIDENCE = 3
#: Closest labelled examples recorded per coded passage and code, and the characters of each kept.
CLOSEST_EXAMPLES = 2
EXAMPLE_EXCERPT = 120


def model_dir(codebook: str) -> Path:
    """Folder of the trained classifier of a built-in codebook (:func:`nlp_iom.models.default_model`)."""
    return default_model(f"classifier_{codebook}")


@lru_cache(maxsize=16)
def load_classifier(spec: str, embedder: str = "e5-small", zero_shot: bool = False) -> PassageClassifier:
    """The classifier for a codebook spec.

    A trained-model folder loads as is; a built-in name loads ``models/classifier_<name>`` (or a
    zero-shot classifier if that is missing, with a warning, or if ``zero_shot``); a codebook file
    gives a zero-shot classifier.
    """
    path = Path(spec)
    if path.is_dir():
        return PassageClassifier.from_pretrained(path, embedder=None)
    if spec in BUILTIN and not zero_shot:
        folder = model_dir(spec)
        if (folder / "config.json").is_file():
            return PassageClassifier.from_pretrained(folder, embedder=embedder)
        logger.warning("no trained classifier in %s; using zero-shot for %r (train one with "
                       "`nlp-iom train classifier --codebook %s`)", folder, spec, spec)
    return PassageClassifier.zero_shot(load_codebook(spec), embedder)


def classify(document: Document, settings: ClassifySettings | None = None,
             classifiers: Sequence[PassageClassifier] | None = None) -> Document:
    """Label every body passage of ``document`` with the codes of each codebook.

    Args:
        document: A Document from :func:`nlp_iom.read`.
        settings: Codebooks, embedder and third-language handling.
        classifiers: Ready classifiers to use instead of ``settings.codebooks``.

    Returns:
        The same document, with ``passage.codes`` filled and ``stages["classify"]`` recorded.
    """
    settings = settings or ClassifySettings()
    models = list(classifiers) if classifiers else [
        load_classifier(spec, settings.embedder, settings.zero_shot) for spec in settings.codebooks]
    body = [p for p in document.passages if p.zone == ZONE_BODY and p.text.strip()]
    other = [p for p in body if p.language not in KNOWN_LANGUAGES]
    targets = [p for p in body if settings.other_language == "classify" or p.language in KNOWN_LANGUAGES]
    texts = [p.text for p in targets]
    record: dict[str, Any] = {"codebooks": [], "passages": len(targets),
                              "left_out_zones": len(document.passages) - len(body),
                              "other_language": [{"passage": p.id, "language": p.language} for p in other],
                              "other_language_mode": settings.other_language}
    vectors = models[0].embed(texts) if texts else None
    evidence: list[dict[str, Any]] = []
    for model in models:
        name = model.codebook.name
        for passage in targets:
            passage.codes = {k: v for k, v in passage.codes.items() if not k.startswith(f"{name}:")}
        if texts:
            X = vectors if getattr(model.embedder, "name", None) == getattr(models[0].embedder, "name", None) \
                else model.embed(texts)
            proba = model.predict_proba_vectors(X, texts)
            # each passage's language gets its own thresholds where the model has them, as evaluated
            thresholds = model.thresholds_for([p.language for p in targets])
            for passage, row, row_thresholds in zip(targets, proba, thresholds):
                for code, p, t in zip(model.code_ids, row, row_thresholds):
                    if p >= t:
                        passage.codes[f"{name}:{code}"] = round(float(p), 4)
            evidence.extend(closest_examples(model, X, targets))
        record["codebooks"].append({
            "name": name, "version": model.codebook.version,
            "mode": "trained" if model.linear is not None else "zero-shot",
            "zero_shot_codes": [c for c, t in zip(model.code_ids, model.trained_codes) if not t],
        })
    record["embedder"] = getattr(models[0].embedder, "name", settings.embedder)
    record["evidence"] = evidence
    if other:
        logger.info("%d passage(s) in a third language: %s", len(other), settings.other_language)
    document.stages["classify"] = record
    return document


def closest_examples(model: PassageClassifier, vectors: Any, passages: Sequence[Any],
                     per_code: int = CLOSEST_EXAMPLES) -> list[dict[str, Any]]:
    """For each code a passage was given, the labelled training passages of that code nearest to it.

    One record per (passage, code): ``passage``, ``code`` and ``examples`` (id, a short excerpt and the
    cosine similarity), the evidence a reviewer sees beside the code (the QDPX memo).
    """
    import numpy as np

    if not len(model.example_vectors) or vectors is None:
        return []
    sims = np.asarray(vectors) @ model.example_vectors.T
    prefix = f"{model.codebook.name}:"
    out = []
    for i, passage in enumerate(passages):
        for key in passage.codes:
            if not key.startswith(prefix):
                continue
            j = model.code_ids.index(key[len(prefix):])
            members = np.flatnonzero(model.example_labels[:, j])
            ranked = sorted(members, key=lambda r: -sims[i, r])[:per_code]
            examples = [model.example_texts[r] for r in ranked]
            out.append({"passage": passage.id, "code": key, "examples": [
                {"id": e.get("id"), "text": " ".join(str(e.get("text", "")).split())[:EXAMPLE_EXCERPT],
                 "similarity": round(float(sims[i, r]), 3)} for e, r in zip(examples, ranked)]})
    return out


@dataclass
class CodeProfile:
    """One code over a document."""

    code: str
    label: str
    passages: int
    share: float
    evidence: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Profile:
    """One codebook over a document."""

    codebook: str
    title: str
    passages: int
    uncoded: int
    codes: list[CodeProfile]


def profile(document: Document, codebook: str | Codebook = "haas", classifier: PassageClassifier | None = None,
            top: int = TOP_EVIDENCE) -> Profile:
    """Share of body passages per code and the strongest evidence passages (run :func:`classify` first).

    Evidence lists the passage id, pages, section, probability, an excerpt and the indicator phrases
    matched (``classifier`` supplies the matcher; the codebook's own is used otherwise).
    """
    from nlp_iom.coding.keywords import IndicatorMatcher

    book = classifier.codebook if classifier else load_codebook(codebook)
    matcher = classifier.matcher if classifier else IndicatorMatcher(book)
    body = [p for p in document.passages if p.zone == ZONE_BODY and p.text.strip()]
    prefix = f"{book.name}:"
    codes = []
    for code in book.codes:
        key = prefix + code.id
        hits = sorted((p for p in body if key in p.codes), key=lambda p: -p.codes[key])
        evidence = []
        for passage in hits[:top]:
            found = matcher.by_code(passage.text).get(code.id, [])
            evidence.append({"passage": passage.id, "pages": passage.pages, "section": " > ".join(passage.section_path),
                             "probability": passage.codes[key], "text": _excerpt(passage.text),
                             "indicators": sorted({passage.text[m.start:m.end] for m in found})})
        codes.append(CodeProfile(code.id, code.label.get("en", code.id), len(hits),
                                 round(len(hits) / len(body), 3) if body else 0.0, evidence))
    uncoded = sum(1 for p in body if not any(k.startswith(prefix) for k in p.codes))
    return Profile(book.name, book.title.get("en", book.name), len(body), uncoded, codes)


def render_profile(result: Profile, source: str = "") -> str:
    """Markdown of a profile: a share table, then the evidence passages per code."""
    lines = [f"## {result.title}{f' — {source}' if source else ''}", "",
             f"{result.passages} body passages, {result.uncoded} without a code.", "",
             "| code | passages | share |", "|---|---|---|"]
    lines += [f"| {c.label} | {c.passages} | {c.share:.1%} |" for c in result.codes]
    for c in result.codes:
        if not c.evidence:
            continue
        lines += ["", f"### {c.label}", ""]
        for ev in c.evidence:
            where = (f"p. {', '.join(str(p) for p in ev['pages'])}" if ev["pages"]
                     else f"§ {ev['section'].split(' > ')[-1]}" if ev["section"] else "–")
            indicators = f" · indicators: {', '.join(ev['indicators'])}" if ev["indicators"] else ""
            lines.append(f"- {where} (p={ev['probability']:.2f}{indicators}): {ev['text']}")
    return "\n".join(lines) + "\n"


def _excerpt(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"
