"""Score extraction against the PDF truth set ``corpora/extract_gold/``: per field and per file, dev and test.

    nlp-iom evaluate extraction                      # this install's nlp_iom
    nlp-iom evaluate extraction --split dev          # only dev (what rules are written from)
    nlp-iom evaluate extraction --json scores.json   # also write the scores
    nlp-iom evaluate extraction --code ../other      # another checkout's reader, scored the same way
    nlp-iom evaluate extraction --agreement          # pass B read as a prediction of pass A

Reads every PDF named in ``gold/*.json`` from ``../shared/pdfs`` (absent files are skipped) in a child
process with a time limit, scores it with :mod:`nlp_iom.evaluation.extraction` and prints the per-field
and per-file means of the dev and test files of ``split.json``. With ``--code DIR`` the documents come
from ``nlp-iom extract --format json`` run with ``DIR`` first on ``PYTHONPATH`` (an earlier version of
the code); the scoring is always this version's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from nlp_iom.document import Abstract, Author, Document, Metadata, Reference, Section
from nlp_iom.evaluation.extraction import FIELDS, score_document, summarise
from nlp_iom.reader import read_with_timeout

HERE = Path(__file__).resolve().parents[2] / "corpora" / "extract_gold"
PDFS = HERE.parents[2] / "shared" / "pdfs"
TIMEOUT = 600.0


def read_with_code(pdf: Path, code: str, timeout: float = TIMEOUT) -> Document:
    """The Document another checkout's ``nlp-iom extract`` makes of ``pdf`` (loaded by this version)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([code, os.environ.get("PYTHONPATH", "")])}
    script = "import sys; from nlp_iom.cli import app; sys.argv[0] = 'nlp-iom'; app()"
    run = subprocess.run([sys.executable, "-c", script, "extract", str(pdf), "--format", "json"], env=env,
                         capture_output=True, text=True, timeout=timeout + 60, cwd=code)
    if run.returncode != 0:
        raise RuntimeError(run.stderr.strip().splitlines()[-1] if run.stderr.strip() else f"exit {run.returncode}")
    return Document.from_json(run.stdout)


def _score_one(args: tuple[str, str, str]) -> tuple[str, dict[str, float], str]:
    name, code, truth_dir = args
    truth = json.loads((HERE / truth_dir / name).read_text(encoding="utf-8"))
    try:
        pdf = PDFS / truth["file"]
        doc = read_with_code(pdf, code) if code else read_with_timeout(pdf, TIMEOUT)
    except Exception as error:  # noqa: BLE001 - an unreadable file scores 0 and is reported
        return name, {f: 0.0 for f in FIELDS if f in truth and truth[f] not in (None, [])}, f"{type(error).__name__}: {error}"
    return name, score_document(truth, doc), ""


def agreement() -> dict[str, Any]:
    """Field scores of pass B read as a 'prediction' of pass A (before adjudication)."""
    out = {}
    for path in sorted((HERE / "pass_a").glob("*.json")):
        a = json.loads(path.read_text(encoding="utf-8"))
        b = json.loads((HERE / "pass_b" / path.name).read_text(encoding="utf-8"))
        doc = Document(metadata=Metadata(title=b.get("title"), authors=[Author(n) for n in b.get("authors") or []],
                                         year=b.get("year")))
        for lang in ("id", "en"):
            if b.get(f"abstract_{lang}") is not None:
                doc.abstracts.append(Abstract(b[f"abstract_{lang}"], lang, keywords=b.get(f"keywords_{lang}") or []))
        doc.sections = [Section(c, 1) for c in b.get("chapters") or []]
        refs = b.get("references")
        if refs:
            doc.references = [Reference(i, refs["first"] if i == 0 else refs["last"] if i == refs["count"] - 1 else "")
                              for i in range(refs["count"])]
        a = {k: v for k, v in a.items() if k not in ("passages", "footnotes", "tables")}
        out[path.name] = score_document(a, doc)
    return summarise(out)


CARD = "CARD.md"


def render_card(scores: dict[str, Any], before: dict[str, Any] | None = None) -> str:
    """The extraction score card (Markdown) from ``--json`` outputs: this version, and an earlier one."""
    parts = [part for part in ("dev", "test") if part in scores]
    head = ["field"] + [f"{part} {label}" for part in parts for label in (("before", "now") if before else ("now",))]
    rows = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
    for field in [*FIELDS, "mean"]:
        cells = []
        for part in parts:
            for source in ((before, scores) if before else (scores,)):
                summary = source.get(part, {}) if source else {}
                value = summary.get("mean") if field == "mean" else summary.get("fields", {}).get(field)
                cells.append("" if value is None else f"{value:.3f}")
        name = "**mean of files**" if field == "mean" else field
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    files = ", ".join(f"{part} {scores[part]['files']} files" for part in parts)
    return ("# Extraction scores\n\nGenerated by `nlp-iom evaluate extraction --card` from `scores.json`"
            + (" and `scores_before.json`" if before else "") + f" ({files}). Each field scores 0 to 1 "
            "(`nlp_iom/evaluation/extraction.py`); rules are written from dev errors only.\n\n"
            + "\n".join(rows) + "\n")


def write_card(folder: Path = HERE) -> Path:
    """Write ``CARD.md`` of ``folder`` from its ``scores.json`` (and ``scores_before.json`` when present)."""
    scores = json.loads((folder / "scores.json").read_text(encoding="utf-8"))
    before_path = folder / "scores_before.json"
    before = json.loads(before_path.read_text(encoding="utf-8")) if before_path.is_file() else None
    (folder / CARD).write_text(render_card(scores, before), encoding="utf-8")
    return folder / CARD


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nlp-iom evaluate extraction", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--code", default="", help="a checkout whose nlp_iom is scored (default: this one)")
    parser.add_argument("--json", type=Path, help="write per-file and summary scores here")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--agreement", action="store_true")
    parser.add_argument("--card", action="store_true", help="write CARD.md from scores.json (no scoring)")
    parser.add_argument("--files", nargs="*", help="only these truth files (names in gold/)")
    parser.add_argument("--split", choices=("dev", "test"), help="only this split")
    parser.add_argument("--truth", default="gold", help="folder of truth files under corpora/extract_gold")
    args = parser.parse_args(argv)
    if not (HERE / "split.json").is_file():
        print(f"no truth set at {HERE}: run this from a checkout of the repository", file=sys.stderr)
        return 2
    if args.card:
        print(write_card())
        return 0
    if args.agreement:
        print(json.dumps(agreement(), indent=1))
        return 0
    split = json.loads((HERE / "split.json").read_text(encoding="utf-8"))
    names = [n for n in sorted(split) if (HERE / args.truth / n).is_file() and (not args.files or n in args.files)
             and (not args.split or split[n] == args.split)]
    names = [n for n in names if (PDFS / json.loads((HERE / args.truth / n).read_text())["file"]).is_file()]
    with ProcessPoolExecutor(args.workers) as pool:
        results = list(pool.map(_score_one, [(n, args.code, args.truth) for n in names]))
    per_file = {n: s for n, s, _ in results}
    report: dict[str, Any] = {"files": {n: {"split": split[n], "scores": {k: round(v, 3) for k, v in s.items()},
                                            **({"error": e} if e else {})} for n, s, e in results}}
    for part in ("dev", "test"):
        part_files = {n: s for n, s in per_file.items() if split[n] == part}
        if not part_files:
            continue
        report[part] = summarise(part_files)
        print(f"## {part}: {report[part]['files']} files, mean {report[part]['mean']}")
        print("  " + "  ".join(f"{f} {v}" for f, v in report[part]["fields"].items()))
        for n, s in sorted(part_files.items()):
            mean = sum(s.values()) / len(s) if s else 0.0
            low = ", ".join(f"{f} {v:.2f}" for f, v in s.items() if v < 0.999)
            print(f"  {mean:.3f}  {n[:-5]}" + (f"   [{low}]" if low else "") + (f"  ERROR {report['files'][n]['error']}" if report["files"][n].get("error") else ""))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0

