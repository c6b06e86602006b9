"""Extraction speed on ../shared/pdfs, all measured in one run and printed as ratios.

Baseline: pdfplumber's raw ``extract_text``. Compared: pypdfium2 raw text, our full
structured extraction with the pdfium reader (the default), and with the pdfplumber reader.

Usage: python benchmarks/extract.py [PDF_DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT.parent / "shared" / "pdfs"


def pdfplumber_raw(path: Path) -> int:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            page.extract_text()
        return len(pdf.pages)


def pdfium_raw(path: Path) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        for page in document:
            page.get_textpage().get_text_range()
        return len(document)
    finally:
        document.close()


def structured(reader: str) -> Callable[[Path], int]:
    import nlp_iom

    def run(path: Path) -> int:
        return nlp_iom.read(path, reader=reader).metadata.pages or 0

    return run


def measure(fn: Callable[[Path], int], files: list[Path], repeat: int) -> tuple[int, float]:
    best = float("inf")
    pages = 0
    for _ in range(repeat):
        start = time.perf_counter()
        pages = sum(fn(f) for f in files)
        best = min(best, time.perf_counter() - start)
    return pages, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf_dir", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--repeat", type=int, default=1, help="runs per method; the fastest counts")
    args = parser.parse_args()
    files = sorted(args.pdf_dir.rglob("*.pdf"))
    if not files:
        raise SystemExit(f"no PDFs under {args.pdf_dir}")
    methods = {
        "pdfplumber raw text (baseline)": pdfplumber_raw,
        "pypdfium2 raw text": pdfium_raw,
        "nlp_iom.read, pdfium reader (default)": structured("pdfium"),
        "nlp_iom.read, pdfplumber reader": structured("pdfplumber"),
    }
    structured("pdfium")(files[0])  # warm up imports and the language model
    results = {name: measure(fn, files, args.repeat) for name, fn in methods.items()}
    base_pages, base_time = results["pdfplumber raw text (baseline)"]
    base_rate = base_pages / base_time
    print(f"{len(files)} PDFs, {base_pages} pages, best of {args.repeat}")
    print(f"{'method':42} {'pages/s':>9} {'x baseline':>11}")
    for name, (pages, seconds) in results.items():
        rate = pages / seconds
        print(f"{name:42} {rate:9.1f} {rate / base_rate:10.1f}x")


if __name__ == "__main__":
    main()
