"""Extraction speed on ../shared/pdfs, all measured in one run and printed as ratios.

Baseline: pdfplumber's raw ``extract_text``. Compared: pypdfium2 raw text, our full
structured extraction with the pdfium reader (the default), and with the pdfplumber reader, on the
PDFs that have a text layer, with OCR off (pages without text are not OCR'd here). OCR is measured
apart, as pages/s over the pages it reads in the scanned and partly scanned PDFs.

Usage: python benchmarks/extract.py [PDF_DIR ...] [--repeat N] [--no-ocr]
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
        return nlp_iom.read(path, reader=reader, ocr="off").metadata.pages or 0

    return run


def has_text(path: Path) -> bool:
    """Whether any page of the PDF has a text layer."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        return any(page.get_textpage().get_text_range().strip() for page in document)
    finally:
        document.close()


def ocr_rate(files: list[Path]) -> tuple[int, float]:
    """Pages OCR'd and seconds spent reading the files with OCR on, minus their text-layer reading."""
    import nlp_iom

    pages, seconds = 0, 0.0
    for path in files:
        start = time.perf_counter()
        doc = nlp_iom.read(path, ocr="auto")
        with_ocr = time.perf_counter() - start
        read_pages = len(doc.stages.get("ocr", {}).get("pages", {}))
        if not read_pages:
            continue
        if has_text(path):
            start = time.perf_counter()
            nlp_iom.read(path, ocr="off")
            with_ocr -= time.perf_counter() - start
        pages += read_pages
        seconds += with_ocr
    return pages, seconds


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
    parser.add_argument("pdf_dir", nargs="*", type=Path, default=[DEFAULT_DIR], help="folders searched for PDFs")
    parser.add_argument("--repeat", type=int, default=1, help="runs per method; the fastest counts")
    parser.add_argument("--no-ocr", action="store_true", help="skip the OCR measurement")
    args = parser.parse_args()
    every = sorted(f for folder in args.pdf_dir for f in folder.rglob("*.pdf"))
    if not every:
        raise SystemExit(f"no PDFs under {args.pdf_dir}")
    files = [f for f in every if has_text(f)]
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
    scanned = [f for f in every if "scan" in f.name or f not in files or "ubsi" in f.name]
    if not args.no_ocr and scanned:
        pages, seconds = ocr_rate(scanned)
        if pages:
            print(f"OCR (tesseract, ind+eng, 300 dpi): {pages} pages in {len(scanned)} PDFs, {pages / seconds:.2f} pages/s")


if __name__ == "__main__":
    main()
