"""Score the LAW rules on the fresh law test set (``law.jsonl``, LAW annotated only).

``law.jsonl`` is the adjudicated result of two independent LAW-only passes over
``law_pool.jsonl`` (see ``build_law_pool.py``), annotated after the last law rules were written
and before they were scored on it. Only LAW is scored (the set has no other labels): exact span
match, as in :func:`nlp_iom.evaluation.ner.score`, and a lenient match where a predicted and a gold
LAW span overlap (one-to-one), which separates boundary conventions from misses.

Usage: python corpora/ner_gold/evaluate_laws.py [--json OUT] [--errors]

``--errors`` prints the misses and false alarms; reading them turns this set into a tuning set
too, so do it only after the scores of a rule change are recorded.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from nlp_iom.evaluation.ner import GoldSentence, load_gold, predict, score, split_by_language
from nlp_iom.evaluation.scoring import prf_table
from nlp_iom.evaluation.ner import errors as evaluate_errors
from nlp_iom.ner.pipelines import NerSettings

HERE = Path(__file__).resolve().parent
LAW_SET = HERE / "law.jsonl"

Spans = list[tuple[int, int, str, "str | None"]]


def _laws(spans: Spans) -> list[tuple[int, int]]:
    return sorted((s, e) for s, e, label, _ in spans if label == "LAW")


def overlap_counts(gold: list[GoldSentence], predicted: list[Spans]) -> dict[str, int]:
    """True positives by one-to-one overlap (greedy in reading order), false positives, false negatives."""
    tp = fp = fn = 0
    for sentence, spans in zip(gold, predicted):
        wanted = _laws(list(sentence.entities))
        found = _laws(spans)
        used: set[int] = set()
        for s, e in found:
            match = next((i for i, (gs, ge) in enumerate(wanted) if i not in used and s < ge and gs < e), None)
            if match is None:
                fp += 1
            else:
                used.add(match)
                tp += 1
        fn += len(wanted) - len(used)
    return {"tp": tp, "fp": fp, "fn": fn}


def evaluate_laws(path: Path = LAW_SET) -> tuple[dict[str, dict[str, object]], list[GoldSentence], list[Spans]]:
    """LAW scores (exact and overlap) of the full stack per part, with the gold and the predictions."""
    gold = load_gold(path)
    predicted = predict(gold, NerSettings())
    results: dict[str, dict[str, object]] = {}
    for part, (g_part, p_part) in split_by_language(gold, predicted).items():
        lenient = overlap_counts(g_part, p_part)
        results[part] = {"sentences": len(g_part), "exact": score(g_part, p_part)["LAW"],
                         "overlap": prf_table(lenient["tp"], lenient["fp"], lenient["fn"])}
    return results, gold, predicted


def to_markdown(results: dict[str, dict[str, object]]) -> str:
    lines = ["| part | sentences | gold LAW | exact P / R / F1 | overlap P / R / F1 |", "|---|---|---|---|---|"]
    for part, r in results.items():
        e, o = r["exact"], r["overlap"]  # type: ignore[index]
        lines.append(f"| {part} | {r['sentences']} | {e['support']} | {e['p']:.1f} / {e['r']:.1f} / **{e['f']:.1f}** | "  # type: ignore[index]
                     f"{o['p']:.1f} / {o['r']:.1f} / **{o['f']:.1f}** |")  # type: ignore[index]
    return "\n".join(lines)


def errors(gold: list[GoldSentence], predicted: list[Spans]) -> list[str]:
    """Missed (``-``) and spurious (``+``) LAW spans, one line each (:func:`nlp_iom.evaluation.ner.errors`)."""
    return evaluate_errors(gold, predicted, ("LAW",))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--errors", action="store_true")
    args = parser.parse_args(argv)
    results, gold, predicted = evaluate_laws()
    print(to_markdown(results))
    if args.errors:
        print("\n".join(errors(gold, predicted)))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
