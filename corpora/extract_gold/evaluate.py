"""Score extraction against the truth in ``gold/``: per field and per file, dev and test.

    python corpora/extract_gold/evaluate.py                      # this checkout's nlp_iom
    python corpora/extract_gold/evaluate.py --json scores.json   # also write the scores
    python corpora/extract_gold/evaluate.py --agreement          # pass A against pass B (before adjudication)

Reads every PDF named in ``gold/*.json`` from ``../shared/pdfs`` (files that are absent are skipped)
with ``nlp_iom.read`` in a child process with a time limit, scores it with
:mod:`nlp_iom.evaluation.extraction`, and prints the per-field means and per-file means for the dev and
test files of ``split.json``. ``--code DIR`` imports ``nlp_iom`` from another checkout (to score an
earlier version of the code on the same files); the scoring code is always this checkout's.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PDFS = ROOT.parent / "shared" / "pdfs"
TIMEOUT = 600.0


def _load(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[name] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


# the scorer is loaded from this checkout by path, so that --code can swap only nlp_iom.read
_text = _load("nlp_iom_eval_text", ROOT / "nlp_iom" / "evaluation" / "text.py")
_source = (ROOT / "nlp_iom" / "evaluation" / "extraction.py").read_text(encoding="utf-8")
scoring = SimpleNamespace()
exec(compile(_source.replace("from nlp_iom.evaluation.text import", "from nlp_iom_eval_text import"),
             "extraction.py", "exec"), scoring.__dict__)


def _score_one(args: tuple[str, str, str]) -> tuple[str, dict[str, float], str]:
    name, code, truth_dir = args
    if code:
        sys.path.insert(0, code)
    import nlp_iom
    from nlp_iom.reader import read_with_timeout

    truth = json.loads((HERE / truth_dir / name).read_text(encoding="utf-8"))
    try:
        doc = read_with_timeout(PDFS / truth["file"], TIMEOUT)
    except Exception as error:  # noqa: BLE001 - an unreadable file scores 0 and is reported
        return name, {f: 0.0 for f in scoring.FIELDS if f in truth and truth[f] not in (None, [])}, f"{type(error).__name__}: {error}"
    del nlp_iom
    return name, scoring.score_document(truth, doc), ""


def agreement() -> dict[str, Any]:
    """Field scores of pass B read as a 'prediction' of pass A (before adjudication)."""
    from nlp_iom.document import Abstract, Author, Document, Metadata, Reference, Section

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
        out[path.name] = scoring.score_document(a, doc)
    return scoring.summarise(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--code", default="", help="a checkout whose nlp_iom is scored (default: this one)")
    parser.add_argument("--json", type=Path, help="write per-file and summary scores here")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--agreement", action="store_true")
    parser.add_argument("--files", nargs="*", help="only these truth files (names in gold/)")
    parser.add_argument("--split", choices=("dev", "test"), help="only this split")
    parser.add_argument("--truth", default="gold", help="folder of truth files under corpora/extract_gold")
    args = parser.parse_args(argv)
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
        report[part] = scoring.summarise(part_files)
        print(f"## {part}: {report[part]['files']} files, mean {report[part]['mean']}")
        print("  " + "  ".join(f"{f} {v}" for f, v in report[part]["fields"].items()))
        for n, s in sorted(part_files.items()):
            mean = sum(s.values()) / len(s) if s else 0.0
            low = ", ".join(f"{f} {v:.2f}" for f, v in s.items() if v < 0.999)
            print(f"  {mean:.3f}  {n[:-5]}" + (f"   [{low}]" if low else "") + (f"  ERROR {report['files'][n]['error']}" if report["files"][n].get("error") else ""))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
