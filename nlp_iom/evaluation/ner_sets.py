"""Score the NER stack on the other sets of ``corpora/ner_gold``: held-out, LAW test, ALL-CAPS.

Same code path as :mod:`nlp_iom.evaluation.ner` (its :func:`load_gold`, :func:`predict` and
:func:`score`: exact span and label; ORG subtype accuracy on ORG spans with the right boundaries)::

    nlp-iom evaluate ner-heldout [--heldout FILE] [--no-gold] [--json OUT] [--errors]
    nlp-iom evaluate ner-laws [--json OUT] [--errors]
    nlp-iom evaluate ner-caps [--json OUT]

* ``ner-heldout``: the full stack (statistical NER + domain layer) and the plain statistical models on
  ``heldout.jsonl`` next to the tuned ``gold.jsonl``. The held-out sentences come from sources that no
  domain rule was tuned on, so their scores are the unbiased estimate; ``gold.jsonl`` scores are
  optimistic (rules were tuned after reading its errors). ``--errors`` lists the full stack's held-out
  misses and false alarms for diagnosis only: changing rules after reading them turns the held-out set
  into another tuning set (add fresh held-out text instead).
* ``ner-laws``: the LAW rules on the fresh law test set ``law.jsonl`` (LAW annotated only), the
  adjudicated result of two independent LAW-only passes over ``law_pool.jsonl`` (``nlp-iom gold
  ner-law-pool``), annotated after the last law rules were written and before they were scored on it.
  Exact span match, and a lenient match where a predicted and a gold LAW span overlap (one-to-one),
  which separates boundary conventions from misses. ``--errors`` prints the misses and false alarms;
  reading them turns this set into a tuning set too, so do it only after a rule change is scored.
* ``ner-caps``: how much ALL-CAPS text hurts the stack, and how much ``iom_caps_recase`` wins back.
  The held-out and gold sentences are written in capitals (``str.upper``; offsets unchanged, sentences
  whose length would change are left out) and scored with the recasing component off, on for
  Indonesian (the default) and on for both languages, next to the same systems on the original text
  (where recasing must not cost anything: it only acts on sentences that are almost all capitals).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from nlp_iom.evaluation import scoring
from nlp_iom.evaluation.ner import LABELS, GoldSentence, load_gold, predict, score, split_by_language
from nlp_iom.evaluation.ner import errors as span_errors
from nlp_iom.ner.pipelines import NerSettings

NER_GOLD = Path(__file__).resolve().parents[2] / "corpora" / "ner_gold"
HELDOUT = NER_GOLD / "heldout.jsonl"
GOLD = NER_GOLD / "gold.jsonl"
LAW_SET = NER_GOLD / "law.jsonl"
#: The two systems compared on the held-out set.
SYSTEMS: dict[str, NerSettings] = {"full stack": NerSettings(), "statistical only": NerSettings(domain=False)}
#: The systems scored on text in capitals: statistical only and full stack, recasing off / id / id + en.
CAPS_SYSTEMS = {
    "statistical only, no recasing": NerSettings(domain=False, recase=()),
    "statistical only, recasing id (default)": NerSettings(domain=False),
    "statistical only, recasing id + en": NerSettings(domain=False, recase=("id", "en")),
    "full stack, no recasing": NerSettings(recase=()),
    "full stack, recasing id (default)": NerSettings(),
    "full stack, recasing id + en": NerSettings(recase=("id", "en")),
}
CAPS_SETS = {"heldout": HELDOUT, "gold": GOLD}
PARTS = ("all", "id", "en")

Spans = list[tuple[int, int, str, "str | None"]]


def _parser(command: str, description: str) -> argparse.ArgumentParser:
    return argparse.ArgumentParser(prog=f"nlp-iom evaluate {command}", description=description)


def _write_json(path: Path | None, data: object) -> None:
    if path:
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


# --- held-out set ---

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


def main_heldout(argv: list[str] | None = None) -> int:
    """``nlp-iom evaluate ner-heldout``: the held-out set (and the tuned gold) per label, system and language."""
    parser = _parser("ner-heldout", "Score the NER stack on the held-out set (heldout.jsonl) next to the tuned gold set.")
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
        print("\n" + "\n".join(span_errors(load_gold(args.heldout), held_pred["full stack"])))
    _write_json(args.json, by_set)
    return 0


# --- LAW test set ---

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
                         "overlap": scoring.prf_table(lenient["tp"], lenient["fp"], lenient["fn"])}
    return results, gold, predicted


def laws_markdown(results: dict[str, dict[str, object]]) -> str:
    """One row per part: sentences, gold LAW spans, exact and overlap P / R / F1."""
    lines = ["| part | sentences | gold LAW | exact P / R / F1 | overlap P / R / F1 |", "|---|---|---|---|---|"]
    for part, r in results.items():
        e, o = r["exact"], r["overlap"]  # type: ignore[index]
        lines.append(f"| {part} | {r['sentences']} | {e['support']} | {e['p']:.1f} / {e['r']:.1f} / **{e['f']:.1f}** | "  # type: ignore[index]
                     f"{o['p']:.1f} / {o['r']:.1f} / **{o['f']:.1f}** |")  # type: ignore[index]
    return "\n".join(lines)


def law_errors(gold: list[GoldSentence], predicted: list[Spans]) -> list[str]:
    """Missed (``-``) and spurious (``+``) LAW spans, one line each (:func:`nlp_iom.evaluation.ner.errors`)."""
    return span_errors(gold, predicted, ("LAW",))


def main_laws(argv: list[str] | None = None) -> int:
    """``nlp-iom evaluate ner-laws``: LAW P/R/F1 (exact and overlap) of the full stack on ``law.jsonl``."""
    parser = _parser("ner-laws", "Score the LAW rules on the fresh law test set (law.jsonl, LAW annotated only).")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--errors", action="store_true")
    args = parser.parse_args(argv)
    results, gold, predicted = evaluate_laws()
    print(laws_markdown(results))
    if args.errors:
        print("\n".join(law_errors(gold, predicted)))
    _write_json(args.json, results)
    return 0


# --- ALL-CAPS ---

def shouted(gold: list[GoldSentence]) -> list[GoldSentence]:
    """The sentences in capitals (those whose length ``upper`` would change are dropped)."""
    return [replace(g, text=g.text.upper()) for g in gold if len(g.text.upper()) == len(g.text)]


def evaluate_caps() -> dict[str, dict[str, dict[str, float]]]:
    """Micro F1 (all / id / en) per set, casing and system."""
    results: dict[str, dict[str, dict[str, float]]] = {}
    for set_name, path in CAPS_SETS.items():
        original = load_gold(path)
        for casing, gold in (("original", original), ("capitals", shouted(original))):
            row: dict[str, dict[str, float]] = {}
            for system, settings in CAPS_SYSTEMS.items():
                predicted = predict(gold, settings)
                row[system] = {part: score(g, p)["micro"]["f"]  # type: ignore[index]
                               for part, (g, p) in split_by_language(gold, predicted).items()}
            results[f"{set_name}, {casing} ({len(gold)} sentences)"] = row
    return results


def caps_markdown(results: dict[str, dict[str, dict[str, float]]]) -> str:
    """One table: a row per set/casing/system, micro F1 all / id / en."""
    lines = ["| text | system | micro F1 all | id | en |", "|---|---|---|---|---|"]
    for text, row in results.items():
        for system, scores in row.items():
            lines.append(f"| {text} | {system} | {scores['all']} | {scores['id']} | {scores['en']} |")
    return "\n".join(lines)


def main_caps(argv: list[str] | None = None) -> int:
    """``nlp-iom evaluate ner-caps``: micro F1 on the held-out and gold sets, original and in capitals."""
    parser = _parser("ner-caps", "How much ALL-CAPS text hurts the NER stack, and how much iom_caps_recase wins back.")
    parser.add_argument("--json", type=Path, default=None, help="also write the scores as JSON here")
    args = parser.parse_args(argv)
    results = evaluate_caps()
    print(caps_markdown(results))
    _write_json(args.json, results)
    return 0
