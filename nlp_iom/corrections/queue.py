"""Which passages a person should code first: those whose coding would teach the classifier most.

    nlp-iom review-queue --corpus OUT_DIR --codebook haas -n 50 [--seed 0] [--output queue.csv]

Three things decide the order (:func:`rank_queue`):

* **uncertainty**: how close the passage's nearest code is to the decision threshold (1 at the
  threshold, 0 at certainty either way); the classifier learns most where it hesitates;
* **diversity across documents**: each passage already taken from a document lowers the next one's
  score by :data:`SAME_DOCUMENT_PENALTY`, so one long report does not fill the queue;
* **both languages**: the queue takes from each language in turn while both have passages left.

Ties are broken by a seeded random draw, so a queue is the same for the same batch and seed. Passages a
person has already reviewed are left out. ``--output`` writes the queue as a table with empty
``decision`` cells, ready to fill in and import with ``nlp-iom corrections import-table``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nlp_iom.batch.layout import write_atomic
from nlp_iom.batch.settings import DEFAULT_QDPX_THRESHOLD
from nlp_iom.coding.codebook import load_codebook
from nlp_iom.corrections.store import batch_documents, load_codes
from nlp_iom.document import ZONE_BODY
from nlp_iom.errors import ConfigError

SAME_DOCUMENT_PENALTY = 0.15
LANGUAGES = ("id", "en")
EXCERPT = 200


@dataclass
class QueueItem:
    """One passage to code, with why it is in the queue."""

    passage_id: str
    source: str
    page: int | None
    language: str
    uncertainty: float
    nearest_code: str
    probability: float
    text: str


def uncertainty(probs: np.ndarray, threshold: float) -> np.ndarray:
    """Per row, 1 minus the scaled distance of the code nearest the threshold (1 = right at it)."""
    scale = max(threshold, 1.0 - threshold)
    return 1.0 - np.min(np.abs(probs - threshold), axis=1) / scale


def rank_queue(probs: np.ndarray, docs: list[str], languages: list[str], n: int, threshold: float = 0.5,
               seed: int = 0) -> list[int]:
    """Row indices of the ``n`` passages to code first (see the module docstring)."""
    if not len(docs):
        return []
    rng = np.random.default_rng(seed)
    base = uncertainty(np.asarray(probs, dtype=float), threshold) + rng.random(len(docs)) * 1e-9
    taken_per_doc: dict[str, int] = {}
    left = set(range(len(docs)))
    order: list[int] = []
    present = [lang for lang in LANGUAGES if any(languages[i] == lang for i in left)]
    turn = 0
    while left and len(order) < n:
        wanted = present[turn % len(present)] if present else None
        pool = [i for i in left if languages[i] == wanted] or list(left)
        best = max(pool, key=lambda i: (base[i] - SAME_DOCUMENT_PENALTY * taken_per_doc.get(docs[i], 0), -i))
        order.append(best)
        left.discard(best)
        taken_per_doc[docs[best]] = taken_per_doc.get(docs[best], 0) + 1
        present = [lang for lang in LANGUAGES if any(languages[i] == lang for i in left)]
        turn += 1
    return order


def review_queue(batch_dir: str | Path, codebook: str = "haas", n: int = 50, seed: int = 0,
                 threshold: float = DEFAULT_QDPX_THRESHOLD) -> list[QueueItem]:
    """The batch's not-yet-reviewed body passages to code first for ``codebook``.

    Raises:
        ConfigError: Not a batch folder, ``n`` below 1, or the batch has no probabilities for the codebook.
    """
    if not isinstance(n, int) or n < 1:
        raise ConfigError("n", f"must be a positive whole number, got {n!r}")
    book = load_codebook(codebook)
    keys = [f"{book.name}:{c}" for c in book.code_ids]
    reviewed = {(c.document, c.passage) for c in load_codes(batch_dir)}
    rows: list[tuple[Any, Any]] = [(item, p) for item in batch_documents(batch_dir) for p in item.document.passages
                                   if p.zone == ZONE_BODY and (item.key, p.id) not in reviewed
                                   and any(k in p.codes for k in keys)]
    if not rows:
        raise ConfigError("codebook", f"no unreviewed passage in {batch_dir} carries {book.name} probabilities")
    probs = np.array([[p.codes.get(k, 0.0) for k in keys] for _, p in rows])
    order = rank_queue(probs, [item.key for item, _ in rows], [p.language for _, p in rows], n, threshold, seed)
    scores = uncertainty(probs, threshold)
    queue = []
    for i in order:
        item, passage = rows[i]
        j = int(np.argmin(np.abs(probs[i] - threshold)))
        text = " ".join(passage.text.split())
        queue.append(QueueItem(f"{item.key}:{passage.id}", item.source, passage.pages[0] if passage.pages else None,
                               passage.language, round(float(scores[i]), 4), keys[j], round(float(probs[i, j]), 4),
                               text if len(text) <= EXCERPT else text[:EXCERPT] + " …"))
    return queue


def write_queue(queue: list[QueueItem], path: str | Path) -> Path:
    """The queue as a CSV to fill in: ``passage_id, code, decision`` first (decision left empty)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["passage_id", "code", "decision", "probability", "uncertainty", "language", "source", "page",
                     "text"])
    for q in queue:
        writer.writerow([q.passage_id, q.nearest_code, "", q.probability, q.uncertainty, q.language, q.source,
                         q.page if q.page is not None else "", q.text])
    path = Path(path)
    write_atomic(path, buffer.getvalue())
    return path
