"""The NER card, ``corpora/ner_gold/CARD.md``, rendered from the scores files the NER evaluators write.

Nothing in the card is typed by hand: each table comes from one JSON file, and each file from one
command (re-run it, then ``nlp-iom evaluate ner-card``):

| file (in ``corpora/ner_gold/``) | command |
|---|---|
| ``heldout_scores.json`` | ``nlp-iom evaluate ner-heldout --json corpora/ner_gold/heldout_scores.json`` |
| ``web/scores_dev.json``, ``web/scores_test.json`` | ``nlp-iom evaluate ner corpora/ner_gold/web/gold.jsonl --split dev|test --output ...`` |
| ``pdf/scores_dev.json``, ``pdf/scores_test.json`` | ``nlp-iom evaluate ner corpora/ner_gold/pdf/gold.jsonl --split dev|test --output ...`` |
| ``law_scores.json`` (``law_scores_before.json``: the rules before the law change) | ``nlp-iom evaluate ner-laws --json corpora/ner_gold/law_scores.json`` |
| ``caps_scores.json`` | ``nlp-iom evaluate ner-caps --json corpora/ner_gold/caps_scores.json`` |

Usage: nlp-iom evaluate ner-card [--output CARD.md]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

GOLD_DIR = Path(__file__).resolve().parents[2] / "corpora" / "ner_gold"
CARD = GOLD_DIR / "CARD.md"
LABELS = ("PER", "ORG", "LOC", "LAW", "DATE", "micro")
PARTS = ("all", "id", "en")
#: Scores file -> (section title, what it measures). ``heldout_scores.json`` holds two sets, described apart.
SECTIONS: dict[str, tuple[str, str]] = {
    "heldout_scores.json": ("Domain gold", ""),
    "web/scores_dev.json": ("Web excerpts, dev split",
                            "`web/gold.jsonl`, documents of the dev split (rules may be tuned on its errors)."),
    "web/scores_test.json": ("Web excerpts, test split",
                             "`web/gold.jsonl`, documents of the test split (scored once, nothing tuned on it)."),
    "pdf/scores_dev.json": ("Development PDFs, dev split",
                            "`pdf/gold.jsonl`, sentences of the development PDFs in the extraction gold's dev split."),
    "pdf/scores_test.json": ("Development PDFs, test split",
                             "`pdf/gold.jsonl`, sentences of the development PDFs in the extraction gold's test "
                             "split (nothing tuned on it)."),
}


GROUPS = {
    "heldout": "`heldout.jsonl`: sentences from sources no rule was tuned on, the unbiased estimate (except LAW: "
               "the law rules were later extended from its misses; the LAW test set below measures that change).",
    "gold (tuned)": "`gold.jsonl`: the set the domain rules were written against, so optimistic for the full stack.",
}


def _load(name: str) -> Any:
    path = GOLD_DIR / name
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _cell(scores: dict[str, Any], label: str) -> str:
    return " / ".join(f"{scores[part][label]['f']:.1f}" for part in PARTS)


def label_table(systems: dict[str, dict[str, Any]]) -> list[str]:
    """Per-label F1 (all / id / en) of each system, with gold support, and ORG subtype accuracy."""
    names = list(systems)
    first = systems[names[0]]
    lines = ["| label | support (all) | " + " | ".join(f"{name}: F1 all / id / en" for name in names) + " |",
             "|---|---:|" + "---|" * len(names)]
    for label in LABELS:
        lines.append(f"| {label} | {first['all'][label]['support']} | "
                     + " | ".join(_cell(systems[name], label) for name in names) + " |")
    subtype = " | ".join(str(systems[name]["all"].get("org_subtype_accuracy")) if name == "full stack" else "—"
                         for name in names)
    lines.append(f"| ORG subtype accuracy | | {subtype} |")
    return lines


def laws_table(after: dict[str, Any], before: dict[str, Any] | None) -> list[str]:
    """LAW exact and overlap P / R / F1 per part, after (and before) the law-rule change."""
    lines = ["| rules | part | sentences | gold LAW | exact P / R / F1 | overlap P / R / F1 |", "|---|---|---:|---:|---|---|"]
    for name, scores in (("before", before), ("after", after)):
        if not scores:
            continue
        for part in PARTS:
            r = scores[part]
            e, o = r["exact"], r["overlap"]
            lines.append(f"| {name} | {part} | {r['sentences']} | {e['support']} | {e['p']:.1f} / {e['r']:.1f} / "
                         f"{e['f']:.1f} | {o['p']:.1f} / {o['r']:.1f} / {o['f']:.1f} |")
    return lines


def caps_table(caps: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    """Micro F1 (all / id / en) per set, casing and system."""
    lines = ["| text | system | micro F1 all / id / en |", "|---|---|---|"]
    for text, systems in caps.items():
        for system, scores in systems.items():
            lines.append(f"| {text} | {system} | {scores['all']:.1f} / {scores['id']:.1f} / {scores['en']:.1f} |")
    return lines


def render_card() -> str:
    """The card's Markdown, from whichever scores files exist."""
    out = ["# NER on the domain gold sets", "",
           "Generated by `nlp-iom evaluate ner-card` from the scores files in `corpora/ner_gold/`; each table "
           "names its file, and the module docstring of `nlp_iom/evaluation/ner_card.py` the command that "
           "writes it. Exact match of start, end and label; ORG subtypes are scored on ORG spans found with the "
           "right boundaries. \"full stack\" is the statistical model of each language plus the domain layer; "
           "\"statistical only\" the models with the label mapping. The gold sets were annotated by two "
           "independent AI-assistant passes and adjudicated (see the README); AI coders agree with each other "
           "more than human coders do.", ""]
    for name, (title, what) in SECTIONS.items():
        data = _load(name)
        if not data:
            continue
        groups = data if "heldout" in data else {title: data}
        for group, systems in groups.items():
            what = GROUPS.get(group, what)
            out += [f"## {title}: {group}" if group != title else f"## {title}", "", f"{what} (`{name}`)", ""]
            out += label_table(systems) + [""]
    laws = _load("law_scores.json")
    if laws:
        out += ["## LAW test set", "",
                "`law.jsonl` (LAW annotated only), drawn and annotated before the law rules were extended, "
                "scored after; overlap counts a predicted and a gold span that overlap (one to one) "
                "(`law_scores.json`, `law_scores_before.json`).", ""]
        out += laws_table(laws, _load("law_scores_before.json")) + [""]
    caps = _load("caps_scores.json")
    if caps:
        out += ["## Text in capitals", "",
                "The held-out and gold sentences written in capitals (`str.upper`, offsets unchanged), with "
                "the recasing component off, on for Indonesian (the default) and on for both languages "
                "(`caps_scores.json`).", ""]
        out += caps_table(caps) + [""]
    return "\n".join(out).rstrip() + "\n"


def write_card(path: Path = CARD) -> Path:
    """Render the card into ``path``."""
    path.write_text(render_card(), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="nlp-iom evaluate ner-card", description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=CARD, help="where to write the card")
    args = parser.parse_args(argv)
    print(f"wrote {write_card(args.output)}")
    return 0
