"""Retrain a passage classifier on the gold corpus plus a person's corrections of a batch.

    nlp-iom train classifier --codebook haas --corpus OUT_DIR --output models/mine [--weight 3]

The person's passages are the body passages they reviewed in ``OUT_DIR`` (imported with
``nlp-iom corrections import`` or ``import-table``), labelled as they hold them
(:func:`nlp_iom.corrections.agreement.person_labels`): their accepted and added codes are positives,
machine codes they rejected are negatives. Each of their passages counts ``--weight`` times (repeated
rows, kept in one group so that no fold splits them) beside every gold passage once.

Before the final fit, the command measures what the corrections teach on documents held back: the
person's documents are split into grouped folds; for each fold, the classifier trained on the gold
alone ("before") and on the gold plus the other folds' corrections ("after") predict the fold's
passages, and Cohen's κ per code against the person's labels is printed and written to
``user_scores.json`` in the output folder. Then the classifier is fitted on the gold and all the
corrections and saved; ``nlp-iom classify --codebook OUTPUT`` and ``nlp-iom annotate --codebook
OUTPUT`` use it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from nlp_iom.batch.settings import DEFAULT_QDPX_THRESHOLD
from nlp_iom.coding.codebook import load_codebook
from nlp_iom.coding.model import PassageClassifier, labels_to_matrix
from nlp_iom.corrections.agreement import person_labels
from nlp_iom.errors import ConfigError
from nlp_iom.stats import cohen_kappa
from nlp_iom.training.classify_gold import GOLD, load_jsonl

DEFAULT_WEIGHT = 3
MAX_FOLDS = 5
SCORES_FILE = "user_scores.json"


def user_rows(batch_dir: str | Path, codebook: str, threshold: float = DEFAULT_QDPX_THRESHOLD) -> list[dict[str, Any]]:
    """The reviewed passages of a batch as gold-like rows (``text``, ``lang``, ``doc`` and the codebook's codes)."""
    book = load_codebook(codebook)
    labels, _, items = person_labels(batch_dir, threshold)
    passages = {(key, p.id): p for key, item in items.items() for p in item.document.passages}
    prefix = f"{book.name}:"
    return [{"id": f"{doc}:{pid}", "text": passages[(doc, pid)].text, "lang": passages[(doc, pid)].language,
             "doc": f"user:{doc}", book.name: sorted(c[len(prefix):] for c in codes if c.startswith(prefix))}
            for (doc, pid), codes in sorted(labels.items())]


def _fit(book: Any, embedder: Any, rows: list[dict[str, Any]], vectors: np.ndarray) -> PassageClassifier:
    clf = PassageClassifier(book, embedder)
    clf.fit([r["text"] for r in rows], [r.get(book.name, []) for r in rows], vectors=vectors,
            groups=[str(r.get("doc") or r["id"]) for r in rows], languages=[r.get("lang") for r in rows])
    return clf


def _kappas(book: Any, truth: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    return {code: round(float(cohen_kappa(truth[:, j], predicted[:, j])), 4) for j, code in enumerate(book.code_ids)
            if truth[:, j].any() or predicted[:, j].any()}


def retrain(batch_dir: str | Path, codebook: str, output: str | Path, weight: int = DEFAULT_WEIGHT,
            gold: Path = GOLD, embedder: str = "e5-small", threshold: float = DEFAULT_QDPX_THRESHOLD,
            evaluate: bool = True) -> tuple[Path, dict[str, Any]]:
    """Fit on the gold and the person's corrections, save to ``output``; return it and the before/after scores.

    Raises:
        ConfigError: ``weight`` below 1, or no reviewed passage in the batch.
    """
    if not isinstance(weight, int) or weight < 1:
        raise ConfigError("weight", f"must be a whole number of at least 1, got {weight!r}")
    book = load_codebook(codebook)
    gold_rows = load_jsonl(gold)
    mine = user_rows(batch_dir, codebook, threshold)
    if not mine:
        raise ConfigError("corpus", f"{batch_dir}: no reviewed passage to learn from")
    probe = PassageClassifier(book, embedder)
    gold_vectors = probe.embed([r["text"] for r in gold_rows])
    my_vectors = probe.embed([r["text"] for r in mine])
    scores: dict[str, Any] = {"codebook": book.name, "gold_passages": len(gold_rows), "user_passages": len(mine),
                              "weight": weight}
    if evaluate:
        scores.update(_before_after(book, probe.embedder, gold_rows, gold_vectors, mine, my_vectors, weight))
    rows = gold_rows + [r for r in mine for _ in range(weight)]
    vectors = np.vstack([gold_vectors] + [my_vectors[i:i + 1] for i in range(len(mine)) for _ in range(weight)])
    clf = _fit(book, probe.embedder, rows, vectors)
    clf.meta = {"gold": str(Path(gold).name), "passages": len(gold_rows), "user_passages": len(mine),
                "user_batch": str(Path(batch_dir).resolve().name), "user_weight": weight}
    folder = clf.save_pretrained(output)
    (folder / SCORES_FILE).write_text(json.dumps(scores, indent=1) + "\n", encoding="utf-8")
    return folder, scores


def _before_after(book: Any, embedder: Any, gold_rows: list[dict[str, Any]], gold_vectors: np.ndarray,
                  mine: list[dict[str, Any]], my_vectors: np.ndarray, weight: int) -> dict[str, Any]:
    """κ per code on held-back documents of the person, before and after learning from their other ones."""
    docs = sorted({r["doc"] for r in mine})
    folds = min(MAX_FOLDS, len(docs))
    if folds < 2:
        return {"before_after": None, "note": "one reviewed document: no held-back documents to score on"}
    truth = labels_to_matrix([r.get(book.name, []) for r in mine], book.code_ids)
    before_clf = _fit(book, embedder, gold_rows, gold_vectors)
    languages = [r.get("lang") for r in mine]
    before = before_clf.decide(before_clf.predict_proba_vectors(my_vectors, [r["text"] for r in mine]), languages)
    after = np.zeros_like(before)
    for k in range(folds):
        held = {d for n, d in enumerate(docs) if n % folds == k}
        test = [i for i, r in enumerate(mine) if r["doc"] in held]
        train = [i for i, r in enumerate(mine) if r["doc"] not in held]
        rows = gold_rows + [mine[i] for i in train for _ in range(weight)]
        vectors = np.vstack([gold_vectors] + [my_vectors[i:i + 1] for i in train for _ in range(weight)])
        clf = _fit(book, embedder, rows, vectors)
        probs = clf.predict_proba_vectors(my_vectors[test], [mine[i]["text"] for i in test])
        after[test] = clf.decide(probs, [languages[i] for i in test])
    kb, ka = _kappas(book, truth, before), _kappas(book, truth, after)
    return {"folds": folds, "documents": len(docs),
            "before_after": {code: {"before": kb.get(code), "after": ka.get(code)} for code in sorted(set(kb) | set(ka))},
            "mean_kappa_before": round(float(np.mean(list(kb.values()))), 4) if kb else None,
            "mean_kappa_after": round(float(np.mean(list(ka.values()))), 4) if ka else None}
