"""spaCy component ``iom_sentences``: sentence starts from :func:`nlp_iom.ner.sentences.split_sentences`.

Add it before a parser: ``nlp.add_pipe("iom_sentences", first=True)``; abbreviations such as "No.",
"Kab." and "dkk." do not end a sentence.
"""

from __future__ import annotations

import bisect

from spacy.language import Language
from spacy.tokens import Doc

from nlp_iom.ner.sentences import split_sentences


class SentenceSetter:
    """Sets ``token.is_sent_start`` for every token from :func:`split_sentences`."""

    def __init__(self, language: str = "id", backend: str | None = None):
        self.language = language
        self.backend = backend

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) == 0:
            return doc
        starts = [s for s, _ in split_sentences(doc.text, self.language, self.backend)]
        for i, token in enumerate(doc):
            if i == 0:
                token.is_sent_start = True
                continue
            prev = doc[i - 1].idx
            # a start in (previous token start, this token start] begins a sentence at this token
            k = bisect.bisect_right(starts, token.idx)
            token.is_sent_start = k > 0 and starts[k - 1] > prev
        return doc


@Language.factory("iom_sentences", default_config={"language": "id", "backend": None})
def make_sentence_setter(nlp: Language, name: str, language: str, backend: str | None) -> SentenceSetter:
    return SentenceSetter(language=language, backend=backend)
