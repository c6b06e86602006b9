"""Simulate the review queue on the coding gold: how many corrections to a given κ, queue against random.

    nlp-iom evaluate review-queue --codebook haas [--json F] [--plot F.png] [--seed 0]

The gold's dev split stands in for a person coding their own documents. Its documents are split (seeded,
by document) into a pool the "person" codes from and held-back documents the classifier is scored on.
Both strategies start from the same :data:`START` random pool passages; each round the classifier is
fitted on what is coded so far, scored on the held-back documents (mean Cohen's κ over the codebook's
codes), and :data:`BATCH` more pool passages are coded: the ones the review queue ranks first
(:func:`nlp_iom.corrections.queue.rank_queue` on the classifier's probabilities for the rest of the pool),
or random ones. The learning curves go to a JSON file and a PNG, as ASReview reports work saved: the
corrections each strategy needed to reach κ :data:`TARGET` (or, when neither does, random's final κ).
The test split is not used.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from nlp_iom.coding.codebook import load_codebook
from nlp_iom.coding.model import PassageClassifier, labels_to_matrix
from nlp_iom.corrections.queue import rank_queue
from nlp_iom.stats import cohen_kappa
from nlp_iom.training.classify_gold import GOLD, GOLD_DIR, load_jsonl

START = 40
BATCH = 60
ROUNDS = 12
HELD_BACK = 0.3
TARGET = 0.7
OUTPUT = GOLD_DIR / "review_queue"


def _kappa(book: Any, truth: np.ndarray, predicted: np.ndarray) -> float:
    values = [cohen_kappa(truth[:, j], predicted[:, j]) for j in range(truth.shape[1]) if truth[:, j].any()]
    return float(np.mean(values)) if values else float("nan")


def simulate(codebook: str = "haas", seed: int = 0, gold: Path = GOLD) -> dict[str, Any]:
    """Learning curves of the queue and of random order (see the module docstring)."""
    book = load_codebook(codebook)
    rows = [r for r in load_jsonl(gold) if r.get("split") == "dev"]
    docs = sorted({r["doc"] for r in rows})
    rng = np.random.default_rng(seed)
    held = set(rng.choice(docs, size=int(len(docs) * HELD_BACK), replace=False).tolist())
    pool = [i for i, r in enumerate(rows) if r["doc"] not in held]
    test = [i for i, r in enumerate(rows) if r["doc"] in held]
    probe = PassageClassifier(book)
    vectors = probe.embed([r["text"] for r in rows])
    truth = labels_to_matrix([r.get(book.name, []) for r in rows], book.code_ids)
    start = rng.choice(pool, size=START, replace=False).tolist()
    curves: dict[str, list[dict[str, float]]] = {}
    for strategy in ("queue", "random"):
        coded = list(start)
        order = np.random.default_rng(seed + 1)
        curve = []
        for _ in range(ROUNDS + 1):
            clf = PassageClassifier(book, probe.embedder)
            clf.fit([rows[i]["text"] for i in coded], truth[coded], vectors=vectors[coded],
                    groups=[rows[i]["doc"] for i in coded], languages=[rows[i]["lang"] for i in coded])
            predicted = clf.decide(clf.predict_proba_vectors(vectors[test], [rows[i]["text"] for i in test]),
                                   [rows[i]["lang"] for i in test])
            curve.append({"coded": len(coded), "kappa": round(_kappa(book, truth[test], predicted), 4)})
            rest = [i for i in pool if i not in set(coded)]
            if not rest:
                break
            if strategy == "queue":
                probs = clf.predict_proba_vectors(vectors[rest], [rows[i]["text"] for i in rest])
                picked = rank_queue(probs, [rows[i]["doc"] for i in rest], [rows[i]["lang"] for i in rest], BATCH,
                                    seed=seed)
                coded += [rest[k] for k in picked]
            else:
                coded += order.choice(rest, size=min(BATCH, len(rest)), replace=False).tolist()
        curves[strategy] = curve
    return {"codebook": book.name, "seed": seed, "pool_passages": len(pool), "held_back_passages": len(test),
            "held_back_documents": len(held), "start": START, "batch": BATCH, "target": TARGET, "curves": curves,
            "to_target": {s: _first_reaching(c, TARGET) for s, c in curves.items()},
            "to_random_final": {s: _first_reaching(c, curves["random"][-1]["kappa"]) for s, c in curves.items()}}


def _first_reaching(curve: list[dict[str, float]], level: float) -> int | None:
    return next((int(point["coded"]) for point in curve if point["kappa"] >= level), None)


def plot(result: dict[str, Any], path: Path) -> Path:
    """The two learning curves and the target as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=110)
    for strategy, curve in result["curves"].items():
        ax.plot([p["coded"] for p in curve], [p["kappa"] for p in curve], marker="o", label=strategy)
    ax.axhline(result["target"], color="grey", linestyle="--", linewidth=1, label=f"κ {result['target']}")
    ax.set_xlabel("passages coded")
    ax.set_ylabel("mean κ on held-back documents")
    ax.set_title(f"{result['codebook']}: review queue against random order (seed {result['seed']})",
                 fontsize=10)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> int:
    """``nlp-iom evaluate review-queue``."""
    parser = argparse.ArgumentParser(prog="nlp-iom evaluate review-queue", description=__doc__.split("\n")[0])
    parser.add_argument("--codebook", default="haas")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=OUTPUT.with_suffix(".json"))
    parser.add_argument("--plot", type=Path, default=OUTPUT.with_suffix(".png"))
    args = parser.parse_args(argv)
    logging.getLogger("nlp_iom.coding.model").setLevel(logging.ERROR)  # zero-shot fallbacks in the first rounds
    result = simulate(args.codebook, args.seed)
    args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    plot(result, args.plot)
    for strategy, curve in result["curves"].items():
        print(strategy, " ".join(f"{p['coded']}:{p['kappa']:.3f}" for p in curve))
    print("to kappa", result["target"], result["to_target"], "| to random's final kappa", result["to_random_final"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
