"""Fine-tuning of the transformer NER tier: multilingual-e5-small as a token classifier.

:func:`train_transformer_ner` trains on :class:`nlp_iom.training.ner_data.Sentence` lists and saves a
Hugging Face folder (default: ``<cache>/ner_id_trf``, see :func:`nlp_iom.assets.e5.cache_dir`)
that :class:`nlp_iom.pipeline.transformer.TransformerTagger` loads. The word embeddings (250k x 384,
three quarters of the weights) stay frozen by default: they keep the multilingual vocabulary
intact, training needs much less memory and time, and the saved model omits them
(:mod:`nlp_iom.ner.trf_weights`). The command line and the model card are in
:mod:`nlp_iom.training.ner_transformer`.
"""

from __future__ import annotations

import json
import math
import os
import random
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from nlp_iom.errors import ConfigError
from nlp_iom.training.ner_data import Sentence
from nlp_iom.pipeline.transformer import (
    LABELS,
    SETTINGS_FILE,
    TransformerTagger,
    _collate,
    _encode_sentence,
    _special_ids,
    _Window,
    default_output,
    entity_f1,
)
from nlp_iom.ner.trf_weights import load_token_classifier, save_compact


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



def train_transformer_ner(
    train: list[Sentence],
    dev: list[Sentence],
    output: Path | None = None,
    settings: TransformerNerSettings | None = None,
    encoder: Path | None = None,
    log: object = None,
    init: Path | None = None,
) -> dict[str, object]:
    """Fine-tune e5 as a token classifier and save the model with the best dev F1.

    Args:
        train: Training sentences (unified BIO tags; types outside PER/ORG/LOC must be ``O``).
        dev: Dev sentences, scored after every epoch (entity micro F1, exact match); the best
            epoch is kept. Empty: the last epoch is kept.
        output: Target folder (replaced atomically); default ``<cache>/ner_id_trf``.
        settings: Hyper-parameters; default :class:`TransformerNerSettings()`.
        encoder: The rebuilt e5 folder; default: :func:`nlp_iom.assets.e5.build_e5` (built when missing).
        log: Callable receiving progress lines (default: print to stderr).
        init: A token classifier saved by this function (same BIO labels) to start from instead of
            e5 with a fresh head, e.g. a model trained on other NER sets (transfer; see
            ``nlp-iom train ner-transformer pretrain``).

    Returns:
        A summary: ``output``, ``seconds``, ``best_epoch``, ``dev_f`` per epoch, ``settings``.

    Raises:
        ConfigError: If a tag is outside the BIO label set, there is nothing to train on, or
            ``init`` is not a model with this label set.
    """
    import sys

    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer, get_linear_schedule_with_warmup

    from nlp_iom.assets.e5 import build_e5

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
    if init is not None:
        model = _load_init(Path(init), encoder)
    else:
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
    if init is not None:
        summary["init"] = _init_record(Path(init))
    _save(model, tokenizer, output, summary)
    return summary


def _load_init(folder: Path, encoder: Path) -> object:
    """Load a saved token classifier to continue training from, checking its labels."""
    if not (folder / "config.json").is_file():
        raise ConfigError("init", f"no trained model in {folder}")
    model = load_token_classifier(folder, encoder)
    labels = tuple(model.config.id2label[i] for i in range(len(model.config.id2label)))  # type: ignore[attr-defined]
    if labels != LABELS:
        raise ConfigError("init", f"{folder} has labels {labels}, not {LABELS}")
    return model


def _init_record(folder: Path) -> dict[str, object]:
    """Where a continued model started: the folder and what its own training summary says."""
    record: dict[str, object] = {"path": str(folder)}
    settings_file = folder / SETTINGS_FILE
    if settings_file.is_file():
        trained = json.loads(settings_file.read_text(encoding="utf-8"))
        for key in ("parts", "train_sentences", "dev_sentences", "best_epoch", "seconds", "settings"):
            if key in trained:
                record[key] = trained[key]
    return record


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



__all__ = ["TransformerNerSettings", "train_transformer_ner"]
