"""NER speed (words/s) of each pipeline on the seeds and a shared PDF, all in one run.

Baseline: plain en_core_web_sm (its own labels, no nlp_iom components). Compared: the
English pipeline with the domain layer; the Indonesian CNN alone, with the stanza sentence
splitter, and with both the splitter and the domain layer; and ``nlp_iom.annotate`` end to end
(routing by language) on each document.

Usage: python benchmarks/ner.py [--repeat N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [
    ROOT / "seeds" / "000_5c98c16164753270.txt",
    ROOT / "seeds" / "002_7a37dfcb71e53d69.txt",
    ROOT.parent / "shared" / "pdfs" / "id" / "perda_diy_6_2025_pencegahan_penanganan_korban_perdagangan_orang.pdf",
]


def best_time(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    import spacy

    import nlp_iom
    from nlp_iom.ner.pipelines import ENGLISH_MODEL, NerSettings, load_pipeline

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    docs = {path.name: nlp_iom.read(path) for path in DOCUMENTS if path.exists()}
    texts = {name: [p.text for p in doc.passages] for name, doc in docs.items()}
    plain = spacy.load(ENGLISH_MODEL)
    pipelines = {
        "en_core_web_sm, plain (baseline)": plain,
        "English + domain layer": load_pipeline("en"),
        "Indonesian CNN alone": load_pipeline("id", NerSettings(domain=False, sentences=False)),
        "Indonesian CNN + stanza sentences": load_pipeline("id", NerSettings(domain=False)),
        "Indonesian CNN + sentences + domain": load_pipeline("id"),
    }
    for nlp in pipelines.values():  # warm up
        list(nlp.pipe(["IOM bekerja sama dengan Pemerintah Kabupaten Sambas."]))
    print(f"{'document':42} {'pipeline':36} {'words/s':>9} {'x baseline':>10}")
    for name, passages in texts.items():
        words = sum(len(t.split()) for t in passages)
        base = None
        for label, nlp in pipelines.items():
            seconds = best_time(lambda nlp=nlp: list(nlp.pipe(passages, batch_size=64)), args.repeat)
            rate = words / seconds
            base = base or rate
            print(f"{name[:42]:42} {label:36} {rate:9.0f} {rate / base:9.2f}x")
        seconds = best_time(lambda name=name: nlp_iom.annotate(docs[name]), args.repeat)
        print(f"{name[:42]:42} {'nlp_iom.annotate (routed by language)':36} {words / seconds:9.0f} {words / seconds / base:9.2f}x")


if __name__ == "__main__":
    main()
