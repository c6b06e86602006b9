"""End-to-end batch annotation speed (pages/s, documents/hour) on ../shared/pdfs with 1 and 2 workers.

Each run is ``nlp_iom.batch.annotate_folder`` from a cold output folder: extraction, NER,
classification (haas + ingo), per-document JSON, corpus.csv and every export, model loading
included (in this process for one worker, in each worker process for two).

Usage: python benchmarks/annotate.py [--limit N] [--workers 1 2] [--timeout S]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PDFS = ROOT.parent / "shared" / "pdfs"
SECONDS_PER_HOUR = 3600


def main() -> None:
    from nlp_iom.batch import BatchSettings, annotate_folder

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="use the first N PDFs (0: all)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    pdfs = sorted(PDFS.glob("*/*.pdf"))
    if args.limit:
        pdfs = pdfs[: args.limit]
    if not pdfs:
        raise SystemExit(f"no PDFs in {PDFS}")
    with tempfile.TemporaryDirectory() as tmp:
        inputs = Path(tmp) / "in"
        inputs.mkdir()
        for pdf in pdfs:
            (inputs / f"{pdf.parent.name}_{pdf.name}").symlink_to(pdf)
        print(f"{len(pdfs)} PDFs from {PDFS}")
        print(f"{'workers':>7} {'docs':>5} {'failed':>6} {'pages':>6} {'passages':>8} {'seconds':>8} "
              f"{'pages/s':>8} {'docs/hour':>9}")
        for workers in args.workers:
            settings = BatchSettings(workers=workers, timeout=args.timeout)
            started = time.perf_counter()
            report = annotate_folder(inputs, Path(tmp) / f"out{workers}", settings, progress=False)
            seconds = time.perf_counter() - started
            docs = len(report.annotated)
            print(f"{workers:7d} {docs:5d} {len(report.failed):6d} {report.pages:6d} {report.passages:8d} "
                  f"{seconds:8.1f} {report.pages / seconds:8.2f} {docs / seconds * SECONDS_PER_HOUR:9.0f}")
            for failure in report.failed:
                print(f"        failed {failure['path']}: [{failure['kind']}] {failure['error'][:80]}")


if __name__ == "__main__":
    main()
