"""Scoring NER on the domain gold set (``corpora/ner_gold/gold.jsonl``): per-label P/R/F1.

Compares, side by side and in one run, the full stack (statistical NER + domain layer) with the
plain statistical models, each sentence routed to the pipeline of its language. Matching is
exact (same start, end and label). ORG subtypes are scored on ORG spans found with the right
boundaries.

Usage: nlp-iom evaluate ner [GOLD_JSONL] [--output scores.json]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from nlp_iom.errors import ConfigError
from nlp_iom.evaluation.scoring import prf_table, span_counts
from nlp_iom.ner.pipelines import NerSettings, load_pipeline

GOLD = Path(__file__).resolve().parents[2] / "corpora" / "ner_gold" / "gold.jsonl"
#: Labels scored; others the pipelines produce (NORP, EVENT) are ignored on both sides.
LABELS = ("PER", "ORG", "LOC", "LAW", "DATE")


@dataclass
class GoldSentence:
    """One annotated sentence."""

    id: str
    text: str
    lang: str
    entities: list[tuple[int, int, str, str | None]] = field(default_factory=list)
    #: ``dev``/``test`` in a gold file split by document, else None.
    split: str | None = None


def load_gold(path: Path = GOLD) -> list[GoldSentence]:
    """Read the gold JSONL, checking every span against its text.

    Raises:
        ConfigError: A line is not valid JSON or a span is out of range.
    """
    sentences = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            spans = [(int(s), int(e), str(label), sub) for s, e, label, sub in row["entities"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{path}:{number}", f"bad gold line: {exc}") from exc
        if any(not 0 <= s < e <= len(row["text"]) for s, e, _, _ in spans):
            raise ConfigError(f"{path}:{number}", "span outside the sentence")
        sentences.append(GoldSentence(row["id"], row["text"], row["lang"], spans, row.get("split")))
    return sentences


def score(gold: list[GoldSentence], predicted: list[list[tuple[int, int, str, str | None]]]) -> dict[str, object]:
    """Per-label and micro P/R/F1 over :data:`LABELS`, plus ORG subtype accuracy."""
    counts = span_counts([sentence.entities for sentence in gold], predicted, LABELS)
    subtypes = Counter()
    for sentence, spans in zip(gold, predicted):
        gold_sub = {(s, e): sub for s, e, label, sub in sentence.entities if label == "ORG"}
        for s, e, label, sub in spans:
            if label == "ORG" and (s, e) in gold_sub:
                subtypes["total"] += 1
                subtypes["right"] += int(sub == gold_sub[(s, e)])
    result: dict[str, object] = {label: prf_table(c["tp"], c["fp"], c["fn"]) for label, c in counts.items()}
    total = sum((c for c in counts.values()), Counter())
    result["micro"] = prf_table(total["tp"], total["fp"], total["fn"])
    result["org_subtype_accuracy"] = round(100 * subtypes["right"] / subtypes["total"], 1) if subtypes["total"] else None
    return result


def predict(gold: Iterable[GoldSentence], settings: NerSettings) -> list[list[tuple[int, int, str, str | None]]]:
    """Run the pipeline of each sentence's language and return its spans."""
    sentences = list(gold)
    output: dict[str, list[tuple[int, int, str, str | None]]] = {}
    for language in ("id", "en"):
        group = [s for s in sentences if s.lang == language]
        if not group:
            continue
        nlp = load_pipeline(language, settings)
        for sentence, doc in zip(group, nlp.pipe([s.text for s in group])):
            output[sentence.id] = [
                (e.start_char, e.end_char, e.label_, getattr(e._, "iom_subtype", None) if e.has_extension("iom_subtype") else None)
                for e in doc.ents
            ]
    return [output.get(s.id, []) for s in sentences]


def split_by_language(
    gold: list[GoldSentence], predicted: list[list[tuple[int, int, str, str | None]]]
) -> dict[str, tuple[list[GoldSentence], list[list[tuple[int, int, str, str | None]]]]]:
    """``{"all": (gold, predicted), "id": ..., "en": ...}``: the sentences of each language with their predictions."""
    parts = {"all": (gold, predicted)}
    for language in ("id", "en"):
        pairs = [(g, p) for g, p in zip(gold, predicted) if g.lang == language]
        parts[language] = ([g for g, _ in pairs], [p for _, p in pairs])
    return parts


def errors(
    gold: list[GoldSentence], predicted: list[list[tuple[int, int, str, str | None]]], labels: tuple[str, ...] = LABELS
) -> list[str]:
    """One line per missed (``-``) or spurious (``+``) span of ``labels``, for reading."""
    lines = []
    for sentence, spans in zip(gold, predicted):
        wanted = {(s, e, lab) for s, e, lab, _ in sentence.entities if lab in labels}
        found = {(s, e, lab) for s, e, lab, _ in spans if lab in labels}
        for sign, items in (("-", wanted - found), ("+", found - wanted)):
            for s, e, lab in sorted(items):
                lines.append(f"{sentence.id}\t{sign}{lab}\t{sentence.text[s:e]}")
    return lines


def evaluate(path: Path = GOLD, split: str | None = None) -> dict[str, dict[str, object]]:
    """Scores of the full stack and of the plain statistical models, per language and overall.

    ``split`` keeps only the ``dev`` or ``test`` sentences of a gold file split by document.

    Raises:
        ConfigError: ``split`` is given but the file has no split.
    """
    gold = load_gold(path)
    if split is not None:
        if all(sentence.split is None for sentence in gold):
            raise ConfigError("split", f"{path} has no dev/test split")
        gold = [sentence for sentence in gold if sentence.split == split]
    systems = {"full stack": NerSettings(), "statistical only": NerSettings(domain=False)}
    results: dict[str, dict[str, object]] = {}
    for name, settings in systems.items():
        predicted = predict(gold, settings)
        results[name] = {part: score(g, p) for part, (g, p) in split_by_language(gold, predicted).items()}
    return results


def to_markdown(results: dict[str, dict[str, object]]) -> str:
    """A table: label by system, F1 (P/R) for all sentences, Indonesian and English."""
    systems = list(results)
    lines = ["| label | " + " | ".join(f"{s}: all / id / en" for s in systems) + " |"]
    lines.append("|---|" + "---|" * len(systems))
    for label in (*LABELS, "micro"):
        cells = []
        for system in systems:
            parts = [results[system][part][label] for part in ("all", "id", "en")]  # type: ignore[index]
            cells.append(" / ".join(f"{p['f']:.1f}" for p in parts))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    subtype = " | ".join(str(results[s]["all"]["org_subtype_accuracy"]) for s in systems)  # type: ignore[index]
    lines.append(f"| ORG subtype accuracy | {subtype} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Score the pipelines on the domain gold and print a Markdown table."""
    parser = argparse.ArgumentParser(prog="nlp-iom evaluate ner", description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="?", type=Path, default=GOLD)
    parser.add_argument("--output", type=Path, default=None, help="write the scores as JSON here")
    parser.add_argument("--split", choices=("dev", "test"), help="only this part of a gold file split by document")
    args = parser.parse_args(argv)
    results = evaluate(args.gold, args.split)
    print(to_markdown(results))
    if args.output:
        args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0
