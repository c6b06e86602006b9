"""BIO tag sequences: reading them as spans, decoding them under the BIO constraints, scoring them.

Shared by the transformer NER tier (:mod:`nlp_iom.pipeline.transformer`) and its training
(:mod:`nlp_iom.training.transformer_loop`): :func:`viterbi_bio` turns per-word log-probabilities into the best
well-formed tag sequence (no ``I-X`` after ``O`` or after another type), :func:`bio_to_spans`
reads tags as spans, :func:`entity_f1` scores them (exact span and type).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nlp_iom.ner.labels import BEGIN, INSIDE, OUTSIDE


@dataclass(frozen=True)
class Sentence:
    """One annotated sentence.

    Attributes:
        words: The tokens, as in the source file.
        tags: One unified BIO tag per token (``B-PER``, ``I-ORG``, ``O``...).
        source: The set it comes from.
    """

    words: tuple[str, ...]
    tags: tuple[str, ...]
    source: str = ""


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


def allowed_transitions(labels: Sequence[str]) -> tuple[list[bool], list[list[bool]]]:
    """Return the BIO constraints over ``labels``: ``(start[j], follows[i][j])``.

    ``I-X`` cannot start a sequence and may only follow ``B-X`` or ``I-X``; every other tag
    may start a sequence and follow any tag.
    """
    def inside_of(tag: str) -> str:
        prefix, _, kind = tag.partition("-")
        return kind if prefix == INSIDE else ""

    start = [not inside_of(t) for t in labels]
    follows = [
        [not inside_of(b) or (a.partition("-")[2] == inside_of(b)) for b in labels] for a in labels
    ]
    return start, follows


def viterbi_bio(emissions: object, labels: Sequence[str]) -> list[int]:
    """Return the best label index per position under the BIO constraints.

    Args:
        emissions: ``(n, len(labels))`` array of per-position log-probabilities.
        labels: The tag of each column.
    """
    import numpy as np

    scores = np.asarray(emissions, dtype=np.float64)
    n = scores.shape[0]
    if n == 0:
        return []
    start, follows = allowed_transitions(labels)
    transition = np.where(np.array(follows), 0.0, -np.inf)
    best = np.where(np.array(start), scores[0], -np.inf)
    back = np.zeros((n, len(labels)), dtype=np.int64)
    for i in range(1, n):
        total = best[:, None] + transition  # from (rows) -> to (columns)
        back[i] = total.argmax(0)
        best = total.max(0) + scores[i]
    path = [int(best.argmax())]
    for i in range(n - 1, 0, -1):
        path.append(int(back[i, path[-1]]))
    return path[::-1]


def entity_f1(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> float:
    """Entity micro F1 (0-1) with exact span and type match, seqeval-style (BIO read by :func:`bio_to_spans`)."""
    tp = fp = fn = 0
    for g, p in zip(gold, predicted, strict=True):
        gs, ps = set(bio_to_spans(g)), set(bio_to_spans(p))
        tp += len(gs & ps)
        fp += len(ps - gs)
        fn += len(gs - ps)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


__all__ = ["allowed_transitions", "bio_to_spans", "entity_f1", "viterbi_bio"]
