"""How much ALL-CAPS text hurts the NER stack, and how much ``iom_caps_recase`` wins back.

Title pages and chapter headings of Indonesian skripsi are written in capitals. This script takes the
held-out and gold sentences, writes them in capitals (``str.upper``; offsets unchanged, sentences whose
length would change are left out), and scores the statistical models and the full stack with the
recasing component off, on for Indonesian (the default) and on for both languages, next to the same systems on the original text (where recasing must
not cost anything: it only acts on sentences that are almost all capitals).

Usage: python corpora/ner_gold/evaluate_caps.py [--json OUT]
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from nlp_iom.evaluation.ner import GoldSentence, load_gold, predict, score
from nlp_iom.ner.pipelines import NerSettings

HERE = Path(__file__).resolve().parent
SETS = {"heldout": HERE / "heldout.jsonl", "gold": HERE / "gold.jsonl"}
SYSTEMS = {
    "statistical only, no recasing": NerSettings(domain=False, recase=()),
    "statistical only, recasing id (default)": NerSettings(domain=False),
    "statistical only, recasing id + en": NerSettings(domain=False, recase=("id", "en")),
    "full stack, no recasing": NerSettings(recase=()),
    "full stack, recasing id (default)": NerSettings(),
    "full stack, recasing id + en": NerSettings(recase=("id", "en")),
}


def shouted(gold: list[GoldSentence]) -> list[GoldSentence]:
    """The sentences in capitals (those whose length ``upper`` would change are dropped)."""
    return [replace(g, text=g.text.upper()) for g in gold if len(g.text.upper()) == len(g.text)]


def run() -> dict[str, dict[str, dict[str, float]]]:
    """Micro F1 (all / id / en) per set, casing and system."""
    results: dict[str, dict[str, dict[str, float]]] = {}
    for set_name, path in SETS.items():
        original = load_gold(path)
        for casing, gold in (("original", original), ("capitals", shouted(original))):
            row: dict[str, dict[str, float]] = {}
            for system, settings in SYSTEMS.items():
                predicted = predict(gold, settings)
                row[system] = {"all": score(gold, predicted)["micro"]["f"]}  # type: ignore[index]
                for language in ("id", "en"):
                    pairs = [(g, p) for g, p in zip(gold, predicted) if g.lang == language]
                    row[system][language] = score([g for g, _ in pairs], [p for _, p in pairs])["micro"]["f"]  # type: ignore[index]
            results[f"{set_name}, {casing} ({len(gold)} sentences)"] = row
    return results


def to_markdown(results: dict[str, dict[str, dict[str, float]]]) -> str:
    """One table: a row per set/casing/system, micro F1 all / id / en."""
    lines = ["| text | system | micro F1 all | id | en |", "|---|---|---|---|---|"]
    for text, row in results.items():
        for system, scores in row.items():
            lines.append(f"| {text} | {system} | {scores['all']} | {scores['id']} | {scores['en']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, default=None, help="also write the scores as JSON here")
    args = parser.parse_args()
    results = run()
    print(to_markdown(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
