"""Score the NER stack on the held-out set (``heldout.jsonl``) next to the tuned gold set.

Same code path as :mod:`nlp_iom.evaluation.ner`: its :func:`load_gold`, :func:`predict` and
:func:`score` (exact span and label; ORG subtype accuracy on ORG spans with the right boundaries),
for the full stack (statistical NER + domain layer) and for the plain statistical models. The
held-out sentences come from sources that no domain rule was tuned on, so their scores are the
unbiased estimate; ``gold.jsonl`` scores are optimistic (rules were tuned after reading its errors).

Usage: python corpora/ner_gold/evaluate_heldout.py [--no-gold] [--json OUT] [--errors]

``--errors`` lists the full stack's held-out misses and false alarms for diagnosis only: changing rules
after reading them turns the held-out set into another tuning set (add fresh held-out text instead).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from nlp_iom.evaluation.ner import LABELS, errors, load_gold, predict, score, split_by_language
from nlp_iom.ner.pipelines import NerSettings

HERE = Path(__file__).resolve().parent
HELDOUT = HERE / "heldout.jsonl"
GOLD = HERE / "gold.jsonl"
SYSTEMS: dict[str, NerSettings] = {"full stack": NerSettings(), "statistical only": NerSettings(domain=False)}
PARTS = ("all", "id", "en")

Spans = list[tuple[int, int, str, "str | None"]]


def evaluate_set(path: Path) -> tuple[dict[str, dict[str, object]], dict[str, list[Spans]]]:
    """Scores per system and part (all / id / en) and the raw predictions per system."""
    gold = load_gold(path)
    results: dict[str, dict[str, object]] = {}
    predictions: dict[str, list[Spans]] = {}
    for name, settings in SYSTEMS.items():
        predicted = predict(gold, settings)
        predictions[name] = predicted
        results[name] = {part: score(g, p) for part, (g, p) in split_by_language(gold, predicted).items()}
    return results, predictions


def prf_table(results: dict[str, dict[str, object]], part: str = "all") -> str:
    """Per-label P / R / F1 (percent) of every system on one part, with gold support."""
    systems = list(results)
    header = "| label | support | " + " | ".join(f"{s} P / R / F1" for s in systems) + " |"
    lines = [header, "|---|---|" + "---|" * len(systems)]
    for label in (*LABELS, "micro"):
        first = results[systems[0]][part][label]  # type: ignore[index]
        cells = []
        for system in systems:
            s = results[system][part][label]  # type: ignore[index]
            cells.append(f"{s['p']:.1f} / {s['r']:.1f} / **{s['f']:.1f}**")
        lines.append(f"| {label} | {first['support']} | " + " | ".join(cells) + " |")
    subtype = " | ".join(str(results[s][part]["org_subtype_accuracy"]) for s in systems)  # type: ignore[index]
    lines.append(f"| ORG subtype accuracy | | {subtype} |")
    return "\n".join(lines)


def f1_overview(by_set: dict[str, dict[str, dict[str, object]]]) -> str:
    """Micro F1 per set, system and language in one small table."""
    lines = ["| set | system | micro F1 all | id | en |", "|---|---|---|---|---|"]
    for set_name, results in by_set.items():
        for system, parts in results.items():
            cells = " | ".join(f"{parts[p]['micro']['f']:.1f}" for p in PARTS)  # type: ignore[index]
            lines.append(f"| {set_name} | {system} | {cells} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heldout", type=Path, default=HELDOUT)
    parser.add_argument("--no-gold", action="store_true", help="score only the held-out set")
    parser.add_argument("--json", type=Path, default=None, help="write all scores as JSON here")
    parser.add_argument("--errors", action="store_true", help="list held-out errors of the full stack (diagnosis only; do not tune on them)")
    args = parser.parse_args(argv)
    held, held_pred = evaluate_set(args.heldout)
    by_set = {"heldout": held}
    if not args.no_gold:
        by_set["gold (tuned)"] = evaluate_set(GOLD)[0]
    for set_name, results in by_set.items():
        for part in PARTS:
            print(f"\n### {set_name}: {part}\n\n{prf_table(results, part)}")
    print(f"\n### micro F1 overview\n\n{f1_overview(by_set)}")
    if args.errors:
        print("\n" + "\n".join(errors(load_gold(args.heldout), held_pred["full stack"])))
    if args.json:
        args.json.write_text(json.dumps(by_set, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
