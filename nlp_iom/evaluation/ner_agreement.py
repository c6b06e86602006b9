"""Inter-annotator agreement between two annotation passes of the NER gold set.

Pass A (``pass_a.jsonl``) is treated as the reference and pass B (``pass_b.jsonl``) as the
prediction; span F1 is symmetric, so the choice only swaps precision and recall. Reported:

* exact-span-and-label P/R/F1 per label and micro over all labels;
* Cohen's kappa over token BIO tags, on all tokens and on the tokens that at least one pass
  tagged (without the tokens both left ``O``, which otherwise inflate kappa);
* ORG subtype agreement (raw and kappa) on ORG spans with identical boundaries in both passes;

each for all sentences and per language. ``--disagreements`` writes every disagreement (overlapping
spans grouped into one case) for adjudication::

    nlp-iom evaluate ner-agreement [PASS_A] [PASS_B] [--json OUT] [--disagreements OUT]

The passes default to ``corpora/ner_gold/pass_a.jsonl`` and ``pass_b.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nlp_iom.evaluation.scoring import cohen_kappa, prf_counts, span_counts

NER_GOLD = Path(__file__).resolve().parents[2] / "corpora" / "ner_gold"
LABELS = ("PER", "ORG", "LOC", "LAW", "DATE")
#: Tag for tokens outside every span.
OUTSIDE = "O"
#: Tokens: runs of word characters, or single other non-space characters.
TOKEN = re.compile(r"\w+|[^\w\s]")
PARTS = ("all", "id", "en")

Span = tuple[int, int, str, "str | None"]


@dataclass(frozen=True)
class Row:
    """One annotated sentence."""

    id: str
    text: str
    lang: str
    entities: tuple[Span, ...]


def load(path: Path) -> dict[str, Row]:
    """Read a gold-schema JSONL file into rows keyed by id."""
    rows = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            spans = tuple((int(s), int(e), str(lab), sub) for s, e, lab, sub in raw["entities"])
            rows[raw["id"]] = Row(raw["id"], raw["text"], raw["lang"], spans)
    return rows


def span_f1(reference: Sequence[Iterable[Span]], other: Sequence[Iterable[Span]]) -> dict[str, dict[str, float]]:
    """Exact span+label P/R/F1 per label and micro, ``other`` scored against ``reference``.

    Each score is ``{"p", "r", "f"}`` as fractions (:func:`nlp_iom.evaluation.scoring.prf_counts`) with
    the counts ``{"tp", "fp", "fn"}``.
    """
    counts = span_counts(reference, other, LABELS)
    counts["micro"] = sum(counts.values(), Counter())
    return {label: dict(zip("prf", prf_counts(c["tp"], c["fp"], c["fn"])), tp=c["tp"], fp=c["fp"], fn=c["fn"])
            for label, c in counts.items()}


def bio_tags(text: str, spans: Iterable[Span]) -> list[str]:
    """BIO tag per token of ``text``; a token belongs to a span if it starts inside it."""
    ordered = sorted(spans)
    tags = []
    for match in TOKEN.finditer(text):
        tag = OUTSIDE
        for s, e, lab, _ in ordered:
            if s <= match.start() < e:
                tag = ("B-" if match.start() == s or not text[s:match.start()].strip() else "I-") + lab
                break
        tags.append(tag)
    return tags


def token_kappa(rows_a: Sequence[Row], rows_b: Sequence[Row]) -> dict[str, float]:
    """Token BIO kappa on all tokens and on tokens tagged by at least one pass."""
    tags_a: list[str] = []
    tags_b: list[str] = []
    for row_a, row_b in zip(rows_a, rows_b, strict=True):
        tags_a += bio_tags(row_a.text, row_a.entities)
        tags_b += bio_tags(row_b.text, row_b.entities)
    tagged = [(a, b) for a, b in zip(tags_a, tags_b) if a != OUTSIDE or b != OUTSIDE]
    return {
        "kappa_all_tokens": cohen_kappa(tags_a, tags_b),
        "kappa_entity_tokens": cohen_kappa([a for a, _ in tagged], [b for _, b in tagged]) if tagged else 1.0,
        "tokens": len(tags_a),
        "entity_tokens": len(tagged),
    }


def subtype_agreement(rows_a: Sequence[Row], rows_b: Sequence[Row]) -> dict[str, float | int]:
    """Agreement on ORG subtypes over ORG spans with the same boundaries in both passes."""
    pairs = []
    for row_a, row_b in zip(rows_a, rows_b, strict=True):
        subs_b = {(s, e): sub for s, e, lab, sub in row_b.entities if lab == "ORG"}
        pairs += [(sub, subs_b[(s, e)]) for s, e, lab, sub in row_a.entities if lab == "ORG" and (s, e) in subs_b]
    if not pairs:
        return {"matched_org": 0, "agreement": 1.0, "kappa": 1.0}
    agree = sum(a == b for a, b in pairs) / len(pairs)
    return {"matched_org": len(pairs), "agreement": agree,
            "kappa": cohen_kappa([str(a) for a, _ in pairs], [str(b) for _, b in pairs])}


def agreement(pass_a: dict[str, Row], pass_b: dict[str, Row]) -> dict[str, dict[str, object]]:
    """All agreement figures for all sentences and per language (languages without sentences left out).

    Raises:
        ValueError: The passes do not cover the same ids with the same texts.
    """
    if set(pass_a) != set(pass_b) or any(pass_a[i].text != pass_b[i].text for i in pass_a):
        raise ValueError("the two passes must annotate the same ids and texts")
    ids = list(pass_a)
    result: dict[str, dict[str, object]] = {}
    for part in PARTS:
        chosen = [i for i in ids if part == "all" or pass_a[i].lang == part]
        if not chosen:
            continue
        rows_a, rows_b = [pass_a[i] for i in chosen], [pass_b[i] for i in chosen]
        result[part] = {
            "sentences": len(chosen),
            "spans_a": sum(len(r.entities) for r in rows_a),
            "spans_b": sum(len(r.entities) for r in rows_b),
            "span_f1": span_f1([r.entities for r in rows_a], [r.entities for r in rows_b]),
            **token_kappa(rows_a, rows_b),
            "org_subtype": subtype_agreement(rows_a, rows_b),
        }
    return result


def disagreements(pass_a: dict[str, Row], pass_b: dict[str, Row]) -> list[dict[str, object]]:
    """Every difference between the passes; overlapping differing spans form one case."""
    cases = []
    for sentence_id, row_a in pass_a.items():
        row_b = pass_b[sentence_id]
        only_a = sorted(set(row_a.entities) - set(row_b.entities))
        only_b = sorted(set(row_b.entities) - set(row_a.entities))
        tagged = [("a", span) for span in only_a] + [("b", span) for span in only_b]
        tagged.sort(key=lambda item: (item[1][0], item[1][1]))
        groups: list[list[tuple[str, Span]]] = []
        for item in tagged:
            if groups and item[1][0] < max(span[1] for _, span in groups[-1]):
                groups[-1].append(item)
            else:
                groups.append([item])
        for group in groups:
            start = min(span[0] for _, span in group)
            end = max(span[1] for _, span in group)
            cases.append({
                "id": sentence_id,
                "span": row_a.text[start:end],
                "pass_a": [[*span, row_a.text[span[0]:span[1]]] for side, span in group if side == "a"],
                "pass_b": [[*span, row_a.text[span[0]:span[1]]] for side, span in group if side == "b"],
            })
    return cases


def to_markdown(result: dict[str, dict[str, object]]) -> str:
    """Agreement table: F1 per label, token kappas and ORG subtype agreement, all / id / en."""
    parts = [p for p in PARTS if p in result]
    lines = ["| measure | " + " | ".join(parts) + " |", "|---|" + "---|" * len(parts)]
    lines.append("| sentences | " + " | ".join(str(result[p]["sentences"]) for p in parts) + " |")
    lines.append("| spans A / B | " + " | ".join(f"{result[p]['spans_a']} / {result[p]['spans_b']}" for p in parts) + " |")
    for label in (*LABELS, "micro"):
        cells = []
        for part in parts:
            score = result[part]["span_f1"][label]  # type: ignore[index]
            support = score["tp"] + score["fn"]
            cells.append(f"{score['f']:.3f} (n={support})")
        name = "span F1 micro (all labels)" if label == "micro" else f"span F1 {label}"
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    for key, name in (("kappa_all_tokens", "token kappa, all tokens"), ("kappa_entity_tokens", "token kappa, entity tokens only")):
        lines.append(f"| {name} | " + " | ".join(f"{result[p][key]:.3f}" for p in parts) + " |")
    cells = []
    for part in parts:
        sub = result[part]["org_subtype"]
        cells.append(f"{sub['agreement']:.3f} / κ {sub['kappa']:.3f} (n={sub['matched_org']})")  # type: ignore[index]
    lines.append("| ORG subtype agreement / kappa (matched ORG spans) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``nlp-iom evaluate ner-agreement``: print the agreement table, optionally write JSON and the cases."""
    parser = argparse.ArgumentParser(prog="nlp-iom evaluate ner-agreement", description=__doc__.splitlines()[0])
    parser.add_argument("pass_a", nargs="?", type=Path, default=NER_GOLD / "pass_a.jsonl")
    parser.add_argument("pass_b", nargs="?", type=Path, default=NER_GOLD / "pass_b.jsonl")
    parser.add_argument("--json", type=Path, default=None, help="write the figures as JSON here")
    parser.add_argument("--disagreements", type=Path, default=None, help="write disagreement cases (JSONL)")
    args = parser.parse_args(argv)
    pass_a, pass_b = load(args.pass_a), load(args.pass_b)
    result = agreement(pass_a, pass_b)
    print(to_markdown(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if args.disagreements:
        cases = disagreements(pass_a, pass_b)
        args.disagreements.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
        print(f"{len(cases)} disagreement cases -> {args.disagreements}")
    return 0
