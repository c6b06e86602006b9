"""Agreement between a person's coding and the machine's, and between two people, per code.

The unit is the passage: each body passage either has a code or not, for the machine (probability at or
above the threshold) and for a person (their decisions in :mod:`nlp_iom.corrections.store`). Uncoded
text does not count, so a long document with one coded paragraph does not inflate agreement. A passage
is compared only where the person reviewed it: every body passage of a document that came back through
a QDA project (the person saw it whole), and the passages named in an imported table.

Per code: Cohen's κ, Krippendorff's α (nominal, the ``krippendorff`` package), the confusion counts
(both, machine only, person only, neither) and the number of passages; then the mean over codes. Where
two people coded the same documents, the same figures between them. The passages where person and
machine disagree are listed with their page, the machine's probability and the indicator phrases found.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nlp_iom.batch.layout import AnnotatedDocument, write_atomic
from nlp_iom.batch.settings import DEFAULT_QDPX_THRESHOLD
from nlp_iom.corrections.store import (
    CORRECTIONS_DIR,
    POSITIVE,
    HumanCode,
    batch_documents,
    load_codes,
)
from nlp_iom.document import ZONE_BODY
from nlp_iom.errors import ConfigError
from nlp_iom.stats import cohen_kappa, krippendorff_alpha

REPORT_JSON = "agreement.json"
REPORT_MD = "agreement.md"
EXCERPT = 160


@dataclass
class CodeAgreement:
    """Agreement on one code between two coders over the passages both reviewed."""

    code: str
    passages: int
    both: int
    first_only: int
    second_only: int
    neither: int
    kappa: float
    alpha: float


@dataclass
class AgreementReport:
    """Human–machine agreement per code (and between people), with the disagreeing passages."""

    machine: list[CodeAgreement] = field(default_factory=list)
    humans: dict[str, list[CodeAgreement]] = field(default_factory=dict)
    disagreements: list[dict[str, Any]] = field(default_factory=list)
    reviewers: list[str] = field(default_factory=list)

    def mean_kappa(self) -> float:
        """Mean κ over the codes compared with the machine (NaN when none)."""
        values = [c.kappa for c in self.machine if not np.isnan(c.kappa)]
        return float(np.mean(values)) if values else float("nan")


def compare(code: str, first: list[int], second: list[int]) -> CodeAgreement:
    """κ, α and the confusion counts of two 0/1 codings of the same passages."""
    a, b = np.asarray(first, dtype=int), np.asarray(second, dtype=int)
    return CodeAgreement(code, len(a), int(((a == 1) & (b == 1)).sum()), int(((a == 1) & (b == 0)).sum()),
                         int(((a == 0) & (b == 1)).sum()), int(((a == 0) & (b == 0)).sum()),
                         round(float(cohen_kappa(a, b)), 4) if len(a) else float("nan"),
                         round(krippendorff_alpha(a, b), 4) if len(a) else float("nan"))


def _reviewed(codes: list[HumanCode], items: dict[str, AnnotatedDocument]) -> dict[str, set[tuple[str, int]]]:
    """Reviewer -> the (document, passage) pairs they reviewed."""
    seen: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for code in codes:
        if code.document not in items:
            continue
        if code.origin.startswith("qdpx:"):
            seen[code.user] |= {(code.document, p.id) for p in items[code.document].document.passages
                                if p.zone == ZONE_BODY}
        else:
            seen[code.user].add((code.document, code.passage))
    return seen


def _labels(codes: list[HumanCode], user: str) -> dict[tuple[str, int, str], int]:
    return {(c.document, c.passage, c.code): int(c.decision in POSITIVE) for c in codes if c.user == user}


def person_labels(batch_dir: str | Path, threshold: float = DEFAULT_QDPX_THRESHOLD
                  ) -> tuple[dict[tuple[str, int], set[str]], list[HumanCode], dict[str, AnnotatedDocument]]:
    """Every reviewed body passage ``(document, passage)`` -> the codes people hold it to have; with the human
    codes and the batch's documents by key, as loaded for it.

    A document that came back through a QDA project records every machine code as kept or rejected, so a
    code without a decision there is absent; a table names only what it changes, so a machine code it does
    not mention stands. With several reviewers, the decision imported last wins.
    """
    items = {item.key: item for item in batch_documents(batch_dir)}
    codes = load_codes(batch_dir)
    if not codes:
        raise ConfigError("corpus", f"{batch_dir} has no human codes yet (run `nlp-iom corrections import`)")
    from_projects = {c.document for c in codes if c.origin.startswith("qdpx:")}
    decided: dict[tuple[str, int], dict[str, int]] = defaultdict(dict)
    for code in codes:
        decided[(code.document, code.passage)][code.code] = int(code.decision in POSITIVE)
    body = {(key, p.id): p for key, item in items.items() for p in item.document.passages if p.zone == ZONE_BODY}
    labels: dict[tuple[str, int], set[str]] = {}
    for key in sorted(set().union(*_reviewed(codes, items).values())):
        passage = body.get(key)
        if passage is None:
            continue
        machine = {c for c, v in passage.codes.items() if v >= threshold} if key[0] not in from_projects else set()
        own = decided.get(key, {})
        labels[key] = {c for c in machine if own.get(c, 1)} | {c for c, v in own.items() if v}
    return labels, codes, items


def agreement(batch_dir: str | Path, threshold: float = DEFAULT_QDPX_THRESHOLD) -> AgreementReport:
    """Agreement of people with the machine, and between people (see the module docstring).

    Raises:
        ConfigError: Not a batch folder, or no human codes imported yet.
    """
    labels, codes, items = person_labels(batch_dir, threshold)
    reviewed = _reviewed(codes, items)
    passages = {(key, p.id): p for key, item in items.items() for p in item.document.passages if p.zone == ZONE_BODY}
    code_ids = sorted({k for p in passages.values() for k in p.codes} | {c.code for c in codes})
    report = AgreementReport(reviewers=sorted(reviewed))
    pairs = sorted(labels)
    for code in code_ids:
        machine = [int(passages[k].codes.get(code, 0.0) >= threshold) for k in pairs]
        person = [int(code in labels[k]) for k in pairs]
        report.machine.append(compare(code, machine, person))
        for n, (d, p) in enumerate(pairs):
            if machine[n] != person[n]:
                report.disagreements.append(_disagreement(items[d], passages[(d, p)], code, machine[n], person[n]))
    for i, first in enumerate(report.reviewers):
        for second in report.reviewers[i + 1:]:
            shared = sorted(reviewed[first] & reviewed[second])
            if not shared:
                continue
            a, b = _labels(codes, first), _labels(codes, second)
            report.humans[f"{first} vs {second}"] = [
                compare(code, [a.get((d, p, code), 0) for d, p in shared], [b.get((d, p, code), 0) for d, p in shared])
                for code in code_ids]
    return report


def _disagreement(item: AnnotatedDocument, passage: Any, code: str, machine: int, person: int) -> dict[str, Any]:
    from nlp_iom.coding.keywords import IndicatorMatcher

    book, _, code_id = code.partition(":")
    phrases: list[str] = []
    try:
        phrases = sorted({m.phrase for m in IndicatorMatcher(book).find(passage.text) if m.code == code_id})
    except ConfigError:  # a user code or a codebook not installed: no indicators to show
        pass
    text = " ".join(passage.text.split())
    return {"document": item.key, "source": item.source, "passage": passage.id, "pages": passage.pages,
            "code": code, "machine": machine, "person": person,
            "probability": round(float(passage.codes.get(code, 0.0)), 3), "indicators": phrases,
            "text": text if len(text) <= EXCERPT else text[:EXCERPT] + " …"}


def render(report: AgreementReport) -> str:
    """The report as Markdown: per-code table with the machine, then between people, then disagreements."""
    def table(rows: list[CodeAgreement], first: str, second: str) -> list[str]:
        lines = [f"| code | passages | both | {first} only | {second} only | neither | κ | α |",
                 "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for r in rows:
            lines.append(f"| {r.code} | {r.passages} | {r.both} | {r.first_only} | {r.second_only} | {r.neither} "
                         f"| {r.kappa:.3f} | {r.alpha:.3f} |")
        return lines

    lines = ["# Agreement between people and the machine", "",
             f"Reviewers: {', '.join(report.reviewers)}. Counted over the body passages each reviewed; "
             f"mean κ over codes {report.mean_kappa():.3f}.", "", "## Person and machine", "",
             *table(report.machine, "machine", "person"), ""]
    for pair, rows in report.humans.items():
        first, second = pair.split(" vs ")
        lines += [f"## {pair}", "", *table(rows, first, second), ""]
    lines += ["## Disagreements", ""]
    for d in report.disagreements:
        page = f"p. {d['pages'][0]}" if d["pages"] else "no page"
        cue = f"; indicators: {', '.join(d['indicators'])}" if d["indicators"] else ""
        lines.append(f"- {d['source']} ¶{d['passage']} ({page}) `{d['code']}`: machine {d['machine']} "
                     f"(p={d['probability']}), person {d['person']}{cue}. {d['text']}")
    return "\n".join(lines) + "\n"


def write_report(batch_dir: str | Path, report: AgreementReport) -> tuple[Path, Path]:
    """Write ``corrections/agreement.json`` and ``agreement.md``."""
    folder = Path(batch_dir) / CORRECTIONS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    data = {"reviewers": report.reviewers, "mean_kappa": report.mean_kappa(),
            "machine": [vars(r) for r in report.machine],
            "humans": {pair: [vars(r) for r in rows] for pair, rows in report.humans.items()},
            "disagreements": report.disagreements}
    json_path, md_path = folder / REPORT_JSON, folder / REPORT_MD
    write_atomic(json_path, json.dumps(data, indent=1, ensure_ascii=False, default=float) + "\n")
    write_atomic(md_path, render(report))
    return json_path, md_path
