"""OCR word accuracy: scans rendered here from known text, and the scanned development PDFs.

    python benchmarks/ocr.py

1. Known text: an Indonesian and an English page are typeset, rendered at 200 dpi, rotated by a small
   angle and given Gaussian noise (``tests/scan_factory.py``), then read by ``nlp_iom.read`` (OCR
   ``auto``). Word accuracy is 1 - WER over normalised words (``nlp_iom.evaluation.text``).
2. Real scans: for each scanned PDF under ``../shared/pdfs/dev`` with truth in
   ``corpora/extract_gold/gold``, the share of the truth's passages (copied by a person from the page
   images) that OCR finds on their page, and the mean word accuracy of each truth passage against the
   best-matching window of the OCR'd page text.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import nlp_iom  # noqa: E402
from nlp_iom.evaluation.text import contains_words, norm_words, word_accuracy  # noqa: E402
from scan_factory import EN_TEXT, ID_TEXT, build_scan  # noqa: E402

SETTINGS = [(0.0, 0.0), (0.7, 18.0), (1.5, 30.0)]


def best_window(reference: str, page_text: str) -> float:
    """Word accuracy of ``reference`` against the page window of the same length that fits it best."""
    ref, words = norm_words(reference), norm_words(page_text)
    n = len(ref)
    if not words:
        return 0.0
    return max(word_accuracy(" ".join(ref), " ".join(words[i:i + n])) for i in range(max(1, len(words) - n + 1)))


def synthetic() -> None:
    print("known text, 200 dpi: skew (degrees), noise (grey levels) -> word accuracy id / en, seconds per page")
    with tempfile.TemporaryDirectory() as folder:
        for skew, noise in SETTINGS:
            path = Path(folder) / f"scan_{skew}_{noise}.pdf"
            build_scan(path, [ID_TEXT, EN_TEXT], skew=skew, noise=noise)
            start = time.perf_counter()
            doc = nlp_iom.read(path)
            seconds = (time.perf_counter() - start) / 2
            pages = {n: " ".join(p.text for p in doc.passages if p.pages == [n]) for n in (1, 2)}
            print(f"  skew {skew:3.1f}, noise {noise:4.1f}: {word_accuracy(ID_TEXT, pages[1]):.3f} / "
                  f"{word_accuracy(EN_TEXT, pages[2]):.3f}, {seconds:.1f} s")


def real() -> None:
    gold = ROOT / "corpora" / "extract_gold" / "gold"
    shared = ROOT.parent / "shared" / "pdfs"
    print("real scans: passages found on their page, mean word accuracy of the truth passages")
    for truth_path in sorted(gold.glob("id_scan_*.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        pdf = shared / truth["file"]
        if not pdf.is_file():
            continue
        doc = nlp_iom.read(pdf)
        flagged = doc.stages.get("ocr", {}).get("flagged", [])
        found, accuracy = 0, []
        for passage in truth["passages"]:
            page_text = " ".join(p.text for p in doc.passages if passage["page"] in p.pages)
            found += contains_words(page_text, passage["text"])
            accuracy.append(best_window(passage["text"], page_text))
        print(f"  {truth_path.stem}: {found}/{len(truth['passages'])} found, word accuracy "
              f"{sum(accuracy) / max(1, len(accuracy)):.3f}, flagged pages {flagged}")


if __name__ == "__main__":
    synthetic()
    real()
