"""Train the passage classifier of a codebook on the gold corpus and save it.

    nlp-iom train classifier --codebook haas     # -> models/classifier_haas
    nlp-iom train classifier --codebook ingo     # -> models/classifier_ingo
    nlp-iom train classifier --codebook my_codes.yaml --gold my_gold.jsonl --output models/my_codes
    nlp-iom train classifier --codebook haas --corpus OUT_DIR --output models/mine   # + your corrections

The gold file has one JSON object per line with ``id``, ``text``, ``lang``, ``doc``, ``split`` and
the codebook's code list under the codebook's name (``"haas": [...]``). The model is fitted on every
gold passage (calibration grouped by document, per-language thresholds). The command also evaluates
(:func:`nlp_iom.evaluation.classify.evaluate_splits`: grouped folds on dev, then test once, beside the
previously saved model, zero-shot and keywords), writes ``scores.json`` and renders the model card
(:mod:`nlp_iom.training.classifier_card`). Deterministic (fixed seeds); the e5 model is rebuilt offline on first use.
With ``--corpus`` (a batch output folder with imported corrections) it learns from the person's corrections
too, and scores before and after on their held-back documents (:mod:`nlp_iom.training.user_classifier`).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from nlp_iom.training import classifier_card as card
from nlp_iom.coding.codebook import load_codebook
from nlp_iom.evaluation.classify import GOLD, PREVIOUS, evaluate_splits, label_matrix, load_jsonl, markdown
from nlp_iom.training.classify_gold import composition
from nlp_iom.coding.model import PassageClassifier


def train(codebook: str, gold: Path = GOLD, output: Path | None = None, embedder: str = "e5-small",
          evaluate: bool = True, old: Path | None = PREVIOUS) -> Path:
    """Fit on every gold passage, save to ``output``; returns the folder.

    ``old`` is a folder of ``classifier_<codebook>`` models scored beside the new one as they are
    (default: the model shipped before the broad gold corpus, kept in ``corpora/classify_gold/previous_model``).
    """
    book = load_codebook(codebook)
    rows = load_jsonl(gold)
    output = output or Path(__file__).resolve().parents[2] / "models" / f"classifier_{book.name}"
    clf = PassageClassifier(book, embedder)
    texts = [r["text"] for r in rows]
    vectors = clf.embed(texts)
    clf.fit(texts, label_matrix(rows, book), ids=[r["id"] for r in rows], vectors=vectors,
            groups=[str(r.get("doc") or r["id"]) for r in rows], languages=[r.get("lang") for r in rows])
    clf.meta = {"gold": str(gold.name), "passages": len(rows),
                "positives": {c: int(n) for c, n in zip(book.code_ids, label_matrix(rows, book).sum(axis=0))},
                "composition": composition(rows, {book.name: book.code_ids})}
    result = None
    if evaluate:
        old_folder = old / f"classifier_{book.name}" if old is not None else None
        previous = (PassageClassifier.from_pretrained(old_folder, clf.embedder)
                    if old_folder is not None and (old_folder / "config.json").is_file() else None)
        result = evaluate_splits(book, rows, clf.embedder, vectors=vectors, old=previous)
        clf.meta["evaluation"] = {part: {s: {k: v for k, v in r.items() if k not in ("codes", "by_language")}
                                         for s, r in result[part]["systems"].items()}
                                  for part in ("dev", "test") if part in result}
        print(markdown(result["dev"]))
    folder = clf.save_pretrained(output)
    if result is not None:
        (folder / "scores.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        card.write(folder)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nlp-iom train classifier", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--codebook", default="haas")
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("-o", "--output", type=Path)
    parser.add_argument("--embedder", default="e5-small")
    parser.add_argument("--no-eval", action="store_true", help="skip the cross-validation")
    parser.add_argument("--old", type=Path, default=PREVIOUS,
                        help="folder of classifier_<codebook> models to score beside the new one")
    parser.add_argument("--corpus", type=Path, help="a batch output folder whose imported corrections to learn from")
    parser.add_argument("--weight", type=int, default=3, help="how many times each corrected passage counts")
    args = parser.parse_args(argv)
    if args.corpus is not None:
        from nlp_iom.training.user_classifier import retrain

        if args.output is None:
            parser.error("--corpus needs --output (the shipped models are not overwritten)")
        folder, scores = retrain(args.corpus, args.codebook, args.output, args.weight, args.gold, args.embedder,
                                 evaluate=not args.no_eval)
        print(json.dumps({k: v for k, v in scores.items() if k != "before_after"}))
        for code, pair in (scores.get("before_after") or {}).items():
            print(f"{code:28s} kappa before {pair['before']}  after {pair['after']}")
        print(f"saved {folder}")
        return 0
    folder = train(args.codebook, args.gold, args.output, args.embedder, evaluate=not args.no_eval, old=args.old)
    print(f"saved {folder}")
    return 0
