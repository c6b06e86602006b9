"""Train the passage classifier of a codebook on the gold corpus and save it.

    python -m nlp_iom.classify.train --codebook haas     # -> models/classifier_haas
    python -m nlp_iom.classify.train --codebook ingo     # -> models/classifier_ingo
    python -m nlp_iom.classify.train --codebook my_codes.yaml --gold my_gold.jsonl --output models/my_codes

The gold file has one JSON object per line with ``id``, ``text`` and the codebook's code list under
the codebook's name (``"haas": [...]``). The command also cross-validates the classifier, zero-shot
and the keyword baseline (:mod:`nlp_iom.classify.evaluate`) and writes the scores to ``scores.json``
in the output folder. Everything is deterministic (fixed seeds); the e5 model is rebuilt offline on
first use.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from nlp_iom.classify.codebook import load_codebook
from nlp_iom.classify.evaluate import GOLD, cross_validate, label_matrix, load_jsonl, markdown
from nlp_iom.classify.model import PassageClassifier


def train(codebook: str, gold: Path = GOLD, output: Path | None = None, embedder: str = "e5-small",
          evaluate: bool = True) -> Path:
    """Fit on every gold passage, save to ``output``; returns the folder."""
    book = load_codebook(codebook)
    rows = load_jsonl(gold)
    output = output or Path(__file__).resolve().parents[2] / "models" / f"classifier_{book.name}"
    clf = PassageClassifier(book, embedder)
    texts = [r["text"] for r in rows]
    vectors = clf.embed(texts)
    clf.fit(texts, label_matrix(rows, book), ids=[r["id"] for r in rows], vectors=vectors)
    clf.meta = {"gold": str(gold.name), "passages": len(rows),
                "positives": {c: int(n) for c, n in zip(book.code_ids, label_matrix(rows, book).sum(axis=0))}}
    if evaluate:
        result = cross_validate(book, rows, clf.embedder, vectors=vectors)
        clf.meta["cross_validation"] = {s: {k: v for k, v in r.items() if k != "codes"}
                                        for s, r in result["systems"].items()}
        output.mkdir(parents=True, exist_ok=True)
        (output / "scores.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(markdown(result))
    return clf.save_pretrained(output)


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--codebook", default="haas")
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--output", type=Path)
    parser.add_argument("--embedder", default="e5-small")
    parser.add_argument("--no-eval", action="store_true", help="skip the cross-validation")
    args = parser.parse_args(argv)
    folder = train(args.codebook, args.gold, args.output, args.embedder, evaluate=not args.no_eval)
    print(f"saved {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
