"""``annotate(document)``: named entities for every passage of a Document, routed by language.

Indonesian passages go to the Indonesian pipeline, English ones to the English pipeline.
A ``mixed`` passage is cut into sentences and each sentence goes to its own language's
pipeline. Undetermined passages (short headings, tables) follow the document's language.
Passages in a third language are skipped and listed in ``document.stages["ner"]``, or
handled as the settings say. Over-long passages are cut at sentence ends.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from nlp_iom.document import Document, Entity, Passage
from nlp_iom.extract.language import detect_language
from nlp_iom.ner.pipelines import NerSettings, load_pipeline, route

#: Span extensions copied into the Entity fields, if the domain layer registered them.
SPAN_ATTRIBUTES = {
    "iom_subtype": "subtype",
    "iom_long_form": "long_form",
    "iom_region": "region",
    "iom_law": "law",
    "iom_informant": "informant",
}


@dataclass
class _Piece:
    passage: Passage
    offset: int
    text: str
    language: str


def _sentences(text: str, language: str = "id") -> Iterator[tuple[int, str]]:
    """Sentences with their offsets, from :func:`nlp_iom.ner.sentences.split_sentences` for ``language``."""
    from nlp_iom.ner.sentences import split_sentences

    for start, end in split_sentences(text, language):
        yield start, text[start:end]


def _chunks(text: str, max_chars: int, language: str = "id") -> Iterator[tuple[int, str]]:
    """Cut ``text`` at sentence ends into pieces of at most ``max_chars`` (a longer sentence is cut hard)."""
    if len(text) <= max_chars:
        yield 0, text
        return
    piece_start, piece_end = 0, 0
    for start, sentence in _sentences(text, language):
        end = start + len(sentence)
        if end - piece_start > max_chars and piece_end > piece_start:
            yield piece_start, text[piece_start:piece_end]
            piece_start = start
        while end - piece_start > max_chars:
            yield piece_start, text[piece_start : piece_start + max_chars]
            piece_start += max_chars
        piece_end = end
    if piece_end > piece_start:
        yield piece_start, text[piece_start:piece_end]


def _pieces(document: Document, settings: NerSettings, skipped: list[dict[str, Any]]) -> list[_Piece]:
    pieces: list[_Piece] = []
    doc_language = document.metadata.language
    for passage in document.passages:
        if not passage.text.strip():
            continue
        target = route(passage.language, doc_language, settings)
        if target is None:
            skipped.append({"passage": passage.id, "language": passage.language, "reason": "unsupported language"})
            continue
        # English text is cut by the English (rule) splitter; Indonesian and mixed text by the Indonesian one.
        split_language = "en" if target == "en" else "id"
        for offset, text in _chunks(passage.text, settings.max_chars, split_language):
            if target != "mixed":
                pieces.append(_Piece(passage, offset, text, target))
                continue
            for start, sentence in _sentences(text, split_language):
                language = route(detect_language(sentence), doc_language, settings) or "en"
                language = language if language != "mixed" else (doc_language if doc_language in ("id", "en") else "en")
                pieces.append(_Piece(passage, offset + start, sentence, language))
    return pieces


def _entity(span: Any, offset: int) -> Entity:
    known: dict[str, Any] = {}
    for attribute, key in SPAN_ATTRIBUTES.items():
        if span.has_extension(attribute):
            value = getattr(span._, attribute)
            if value:
                known[key] = value
    rule = span._.iom_rule if span.has_extension("iom_rule") else None
    return Entity(span.text, span.label_, offset + span.start_char, offset + span.end_char, **known,
                  source=rule or "model")


def annotate(document: Document, settings: NerSettings | None = None) -> Document:
    """Add named entities to every passage of ``document`` (in place) and return it.

    Each entity is an :class:`~nlp_iom.document.Entity`: ``text``, ``label`` (PER, ORG, LOC, DATE,
    LAW, ...), ``start`` and ``end`` (character offsets in the passage text) and, where the domain
    layer knows them, ``subtype`` (IGO, INGO, NGO, GOV, ACADEMIC), ``long_form``, ``region``, ``law``
    and ``informant``.

    Raises:
        ModelNotFoundError: A needed pipeline is not installed or built.
        UnsupportedLanguageError: A passage in a third language, with ``other_language="error"``.
    """
    from spacy.tokens import Doc

    settings = settings or NerSettings()
    skipped: list[dict[str, Any]] = []
    pieces = _pieces(document, settings, skipped)
    abbreviations = document.abbreviation_map()
    people = [a.name for a in document.metadata.authors if a.name]
    found: dict[int, list[Entity]] = {}
    for language in ("id", "en"):
        group = [p for p in pieces if p.language == language]
        if not group:
            continue
        nlp = load_pipeline(language, settings)
        docs = []
        for piece in group:
            doc = nlp.make_doc(piece.text)
            if Doc.has_extension("iom_abbreviations"):
                doc._.iom_abbreviations = abbreviations
            if Doc.has_extension("iom_people"):
                doc._.iom_people = people
            docs.append(doc)
        for piece, doc in zip(group, nlp.pipe(docs, batch_size=settings.batch_size)):
            found.setdefault(piece.passage.id, []).extend(_entity(ent, piece.offset) for ent in doc.ents)
    for passage in document.passages:
        passage.entities = sorted(found.get(passage.id, []), key=lambda e: (e.start, e.end))
    labels = Counter(e.label for p in document.passages for e in p.entities)
    document.stages["ner"] = {
        "models": {"en": settings.english_model, "id": Path(settings.indonesian_model).name},
        "domain": settings.domain,
        "entities": dict(labels),
        "skipped": skipped,
    }
    return document
