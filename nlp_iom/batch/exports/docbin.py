"""spaCy DocBin export: one Doc per passage, with its entities, its codes as spans and its metadata.

Each passage becomes a Doc tokenised by a blank pipeline of its language (``en``, ``id``, else
``xx``). ``doc.ents`` holds the passage's entities (aligned outward to token boundaries; where two
overlap, the longer is kept and every entity stays in ``user_data["entities"]`` with its subtype,
long form and region). Each codebook gets a span group ``doc.spans["iom_<codebook>"]`` with one
span over the whole passage per code it was coded with, labelled by the code id. ``doc.user_data``
carries the document and passage fields (``document``, ``file``, ``title``, ``year``, ``citation``,
``passage``, ``pages``, ``section``, ``zone``, ``language``, ``codes``). The file loads back with::

    DocBin().from_disk(path).get_docs(spacy.blank("xx").vocab)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nlp_iom.batch.layout import AnnotatedDocument, write_atomic
from nlp_iom.batch.exports.common import document_fields
from nlp_iom.coding.codebook import Codebook
from nlp_iom.document import Entity

#: Languages with their own blank spaCy tokenizer here; others use the multi-language one.
TOKENIZER_LANGUAGES = ("en", "id")
FALLBACK_LANGUAGE = "xx"
#: Prefix of the span group of a codebook's codes.
SPAN_GROUP_PREFIX = "iom_"


def span_group(codebook: str) -> str:
    """Name of the span group holding the codes of ``codebook`` (``iom_haas``, ``iom_ingo``)."""
    return f"{SPAN_GROUP_PREFIX}{codebook}"


def _entity_spans(doc: Any, entities: Sequence[Entity]) -> list[Any]:
    from spacy.util import filter_spans

    spans = []
    for entity in entities:
        span = doc.char_span(entity.start, entity.end, label=entity.label, alignment_mode="expand")
        if span is not None and len(span):
            spans.append(span)
    return filter_spans(spans)


def passage_doc(nlp: Any, item: AnnotatedDocument, passage: Any, codebooks: Sequence[Codebook]) -> Any:
    """The spaCy Doc of one passage, built with ``nlp``'s tokenizer."""
    from spacy.tokens import Span

    doc = nlp.make_doc(passage.text)
    doc.ents = _entity_spans(doc, passage.entities)
    for book in codebooks:
        prefix = f"{book.name}:"
        coded = [key[len(prefix):] for key in passage.codes if key.startswith(prefix)]
        doc.spans[span_group(book.name)] = [Span(doc, 0, len(doc), label=code) for code in coded] if len(doc) else []
    head = document_fields(item)
    doc.user_data.update({
        "document": head["document"], "file": head["file"], "title": head["title"], "authors": head["authors"],
        "year": head["year"], "citation": head["citation"], "passage": passage.id, "pages": list(passage.pages),
        "section": list(passage.section_path), "zone": passage.zone, "language": passage.language,
        "codes": dict(passage.codes), "entities": [e.to_dict() for e in passage.entities],
    })
    return doc


def write_docbin(docs: Sequence[AnnotatedDocument], path: Path, codebooks: Sequence[Codebook]) -> Path:
    """Write every passage with text of ``docs`` as a Doc into a ``.spacy`` DocBin at ``path``."""
    import spacy
    from spacy.tokens import DocBin

    tokenizers = {lang: spacy.blank(lang) for lang in (*TOKENIZER_LANGUAGES, FALLBACK_LANGUAGE)}
    binary = DocBin(store_user_data=True)
    for item in docs:
        for passage in item.document.passages:
            if not passage.text.strip():
                continue
            language = passage.language if passage.language in TOKENIZER_LANGUAGES else item.document.metadata.language
            nlp = tokenizers.get(language or FALLBACK_LANGUAGE, tokenizers[FALLBACK_LANGUAGE])
            binary.add(passage_doc(nlp, item, passage, codebooks))
    write_atomic(path, binary.to_bytes())
    return path
