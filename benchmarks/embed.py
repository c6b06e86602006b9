"""Embedding speed and quality: fp32 sentence-transformers vs ONNX Runtime int8, in one run.

Passages: body passages of ``seeds/*.txt`` and ``../shared/pdfs/**/*.pdf`` (read with
``nlp_iom.read``), cut or merged at sentence ends into pieces of about 100 words, drawn in turn
from Indonesian and English documents (200 by default).

Printed:

* speed, passages/s: fp32 (sentence-transformers, batch 32) and int8 (ONNX Runtime, length
  bucketing, several batch sizes), and int8 behind a warm content-hash cache; best of
  ``--repeat`` interleaved rounds (the machine may be shared, so rounds alternate);
* agreement: mean and min cosine between fp32 and int8 passage vectors; neighbour agreement
  (recall@10 of int8's top 10 against fp32's top 10 for 100 passage queries, self excluded);
* quality on the classification gold corpus (``corpora/classify_gold/gold.jsonl``), when it is
  there: retrieval MAP x100 with each code's label and definition as the query (English and
  Indonesian queries; cross-lingual for passages in the other language), and the 5-fold
  cross-validated macro-F1 x100 of the project's trained classifier (``nlp_iom.classify``) for
  both codebooks;
* cross-lingual retrieval on the parallel UD Indonesian-PUD sentences (``../shared/data``): mean
  reciprocal rank x100 of each sentence's translation among 1,000, English -> Indonesian and back.

Usage: python benchmarks/embed.py [--limit N] [--repeat R] [--gold PATH] [--torch-int8]
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from nlp_iom.embed.cache import CachedEmbedder, EmbeddingCache
from nlp_iom.embed.embedder import Embedder
from nlp_iom.embed.registry import get_embedder
from nlp_iom.embed.sentence_transformer import SentenceTransformerEmbedder

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "corpora" / "classify_gold" / "gold.jsonl"
SOURCES = ("seeds/*.txt", "../shared/pdfs/**/*.pdf")
TARGET_WORDS = 100
MIN_WORDS = 70
MAX_WORDS = 130
DEFAULT_PASSAGES = 200
NEIGHBOUR_QUERIES = 100
TOP_K = 10
LABEL_FIELDS = ("labels", "haas", "ingo")
MIN_POSITIVES = 8
PUD = ROOT.parent / "shared" / "data" / "ud_id" / "UD_Indonesian-PUD" / "id_pud-ud-test.conllu"
PUD_PAIRS = 1000
FOLDS = 5
SEED = 0
INT8_BATCH_SIZES = (8, 16, 32)
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")


# ------------------------------------------------------------------ passages


def _chunks(sentences: list[str]) -> list[str]:
    """Merge sentences into pieces of about TARGET_WORDS words; cut very long sentences."""
    pieces: list[str] = []
    words: list[str] = []
    for sentence in sentences:
        words += sentence.split()
        while len(words) >= MAX_WORDS:
            pieces.append(" ".join(words[:TARGET_WORDS]))
            words = words[TARGET_WORDS:]
        if len(words) >= TARGET_WORDS - 10:
            pieces.append(" ".join(words))
            words = []
    if len(words) >= MIN_WORDS:
        pieces.append(" ".join(words))
    return pieces


def benchmark_passages(limit: int = DEFAULT_PASSAGES) -> list[tuple[str, str]]:
    """``(language, text)`` pieces of about 100 words from the seeds and shared PDFs."""
    import nlp_iom

    by_language: dict[str, list[list[str]]] = {}
    for pattern in SOURCES:
        for path in sorted(glob.glob(str(ROOT / pattern), recursive=True)):
            try:
                passages = nlp_iom.read(path).body_passages()
            except Exception as exc:  # noqa: BLE001 - a bad file only loses its passages
                print(f"skipped {path}: {exc}", file=sys.stderr)
                continue
            languages = [p.language for p in passages if p.language in ("id", "en")]
            if not languages:
                continue
            language = max(set(languages), key=languages.count)
            sentences = [s for p in passages for s in _SENTENCE_END.split(p.text) if s.strip()]
            pieces = _chunks(sentences)
            if pieces:
                by_language.setdefault(language, []).append(pieces)
    streams = {lang: _round_robin(docs) for lang, docs in sorted(by_language.items())}
    out: list[tuple[str, str]] = []
    while len(out) < limit and streams:
        for language in list(streams):
            if len(out) >= limit:
                break
            if streams[language]:
                out.append((language, streams[language].pop(0)))
            else:
                del streams[language]
    return out


def _round_robin(documents: list[list[str]]) -> list[str]:
    """Pieces taken in turn from each document (first of each, then second of each, ...)."""
    depth = max((len(doc) for doc in documents), default=0)
    return [doc[i] for i in range(depth) for doc in documents if i < len(doc)]


# ------------------------------------------------------------------ gold corpus


def load_gold(path: str | Path) -> tuple[list[str], list[str], list[set[str]]]:
    """Texts, languages and code sets of a gold file (``labels`` or per-codebook fields)."""
    texts, languages, labels = [], [], []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        codes = {f"{field}:{code}" if field != "labels" else code
                 for field in LABEL_FIELDS if isinstance(row.get(field), list) for code in row[field]}
        texts.append(row["text"])
        languages.append(row.get("lang", "und"))
        labels.append(codes)
    return texts, languages, labels


def code_queries(codes: list[str], language: str = "en") -> dict[str, str]:
    """Query text per code: label and definition from nlp_iom's codebooks, else the code id."""
    queries = {code: code.split(":")[-1].replace("-", " ") for code in codes}
    try:
        from nlp_iom.coding.codebook import load_codebook
    except ImportError:
        return queries
    for code in codes:
        book, _, code_id = code.rpartition(":")
        with contextlib.suppress(Exception):  # unknown codebook or code: the id stays the query
            queries[code] = load_codebook(book).code(code_id).description(language) if book else queries[code]
    return queries


def average_precision(scores: np.ndarray, relevant: np.ndarray) -> float:
    """Average precision of ranking by ``scores`` (descending) against a boolean mask."""
    order = np.argsort(-scores, kind="stable")
    hits = relevant[order]
    if not hits.any():
        return 0.0
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float(precision[hits].mean())


def retrieval_map(gold_path: str | Path, embedder: Embedder, language: str = "en") -> float:
    """Mean average precision x100: each code's description (in ``language``) ranks all passages."""
    texts, _, labels = load_gold(gold_path)
    codes = sorted({code for row in labels for code in row})
    queries = code_queries(codes, language)
    passages = embedder.encode_passages(texts)
    query_vectors = embedder.encode_queries([queries[code] for code in codes])
    scores = query_vectors @ passages.T
    aps = [average_precision(scores[i], np.array([code in row for row in labels])) for i, code in enumerate(codes)]
    return 100.0 * float(np.mean(aps))


def classification_f1(gold_path: str | Path, embedder: Embedder, codebook: str = "haas") -> float:
    """Macro-F1 x100 of the project's trained classifier (5-fold, as in nlp_iom.evaluation.classify)."""
    import logging

    from nlp_iom.evaluation.classify import cross_validate, load_jsonl

    logging.getLogger("nlp_iom.coding.model").setLevel(logging.ERROR)
    result = cross_validate(codebook, load_jsonl(Path(gold_path)), embedder)
    return float(result["systems"]["trained"]["macro_f1"])


def pud_pairs(limit: int = PUD_PAIRS) -> list[tuple[str, str]]:
    """(Indonesian, English) sentence pairs of the parallel UD Indonesian-PUD treebank, if present."""
    if not PUD.is_file():
        return []
    pairs, text = [], None
    for line in PUD.read_text(encoding="utf-8").splitlines():
        if line.startswith("# text = "):
            text = line.split("=", 1)[1].strip()
        elif line.startswith("# text_en = ") and text:
            pairs.append((text, line.split("=", 1)[1].strip()))
            text = None
    return pairs[:limit]


def cross_lingual_retrieval(pairs: list[tuple[str, str]], embedder: Embedder) -> tuple[float, float]:
    """Mean reciprocal rank x100 of finding each sentence's translation: en query -> id, id query -> en."""
    ids = embedder.encode_passages([i for i, _ in pairs])
    ens = embedder.encode_passages([e for _, e in pairs])
    out = []
    for queries, targets in ((embedder.encode_queries([e for _, e in pairs]), ids),
                             (embedder.encode_queries([i for i, _ in pairs]), ens)):
        scores = queries @ targets.T
        ranks = (scores > scores[np.arange(len(pairs)), np.arange(len(pairs))][:, None]).sum(axis=1) + 1
        out.append(100.0 * float(np.mean(1.0 / ranks)))
    return out[0], out[1]


# ------------------------------------------------------------------ speed and agreement


def best_rate(runs: dict[str, Callable[[], object]], count: int, repeat: int) -> dict[str, float]:
    """Passages/s of each run: best of ``repeat`` rounds, the runs interleaved within a round."""
    best = {name: float("inf") for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: count / seconds for name, seconds in best.items()}


def neighbour_recall(reference: tuple[np.ndarray, np.ndarray], other: tuple[np.ndarray, np.ndarray],
                     k: int = TOP_K) -> float:
    """Mean recall@k x100 of ``other``'s top k against ``reference``'s, self excluded.

    Each argument is ``(query vectors, passage vectors)``; query ``i`` is passage ``i``.
    """
    recalls = []
    sims_a, sims_b = reference[0] @ reference[1].T, other[0] @ other[1].T
    for row in range(len(sims_a)):
        sims_a[row, row] = sims_b[row, row] = -np.inf
        top_a = set(np.argsort(-sims_a[row], kind="stable")[:k].tolist())
        top_b = set(np.argsort(-sims_b[row], kind="stable")[:k].tolist())
        recalls.append(len(top_a & top_b) / k)
    return 100.0 * float(np.mean(recalls))


def torch_int8(fp32: Embedder) -> Embedder:
    """The fp32 model with torch dynamic int8 Linear layers (the issue's earlier attempt)."""
    import copy

    import torch

    model = copy.deepcopy(fp32.model)  # type: ignore[attr-defined]
    model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    return SentenceTransformerEmbedder(model, "e5-small-torch-int8", prompts=fp32.prompts, batch_size=fp32.batch_size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=DEFAULT_PASSAGES, help="passages to embed (default 200)")
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds per backend (best counts)")
    parser.add_argument("--gold", type=Path, default=GOLD, help="classification gold corpus (JSONL)")
    parser.add_argument("--torch-int8", action="store_true", help="also time torch dynamic int8")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # everything is local: fail fast instead of retrying

    pieces = benchmark_passages(args.limit)
    texts = [text for _, text in pieces]
    words = np.array([len(t.split()) for t in texts])
    counts = {lang: sum(1 for lang_, _ in pieces if lang_ == lang) for lang in ("id", "en")}
    print(f"{len(texts)} passages ({counts['id']} id, {counts['en']} en), words mean {words.mean():.0f} "
          f"min {words.min()} max {words.max()}")
    fp32 = get_embedder("e5-small-fp32")
    int8 = get_embedder("e5-small")
    from nlp_iom.embed.onnx import OnnxEmbedder

    assert isinstance(int8, OnnxEmbedder)
    tokens = np.array([len(ids) for ids in int8.token_ids(["passage: " + t for t in texts])])
    print(f"tokens mean {tokens.mean():.0f} max {tokens.max()}; onnxruntime threads {int8.threads}")
    variants = {f"int8 batch {size}": OnnxEmbedder(int8.folder, batch_size=size) for size in INT8_BATCH_SIZES}
    warm = CachedEmbedder(int8, EmbeddingCache(":memory:"))
    warm.encode_passages(texts)
    runs: dict[str, Callable[[], object]] = {"fp32 sentence-transformers": lambda: fp32.encode_passages(texts)}
    runs.update({name: (lambda e=e: e.encode_passages(texts)) for name, e in variants.items()})
    if args.torch_int8:
        quantised = torch_int8(fp32)
        runs["torch dynamic int8"] = lambda: quantised.encode_passages(texts)
    runs["int8 + warm cache"] = lambda: warm.encode_passages(texts)
    for run in runs.values():  # warm up
        run()
    rates = best_rate(runs, len(texts), args.repeat)
    base = rates["fp32 sentence-transformers"]
    print(f"\n{'speed':32} {'passages/s':>10} {'x fp32':>7}")
    for name, rate in rates.items():
        print(f"{name:32} {rate:10.1f} {rate / base:6.2f}x")

    vectors = {"fp32": fp32.encode_passages(texts), "int8": int8.encode_passages(texts)}
    cosine = (vectors["fp32"] * vectors["int8"]).sum(axis=1)
    if args.torch_int8:
        torch_cosine = (vectors["fp32"] * quantised.encode_passages(texts)).sum(axis=1)
        print(f"torch dynamic int8 cosine to fp32: mean {torch_cosine.mean():.4f} min {torch_cosine.min():.4f}")
    n_queries = min(NEIGHBOUR_QUERIES, len(texts))
    pairs = {name: (e.encode_queries(texts[:n_queries]), vectors[name]) for name, e in (("fp32", fp32), ("int8", int8))}
    recall = neighbour_recall(pairs["fp32"], pairs["int8"])

    rows: list[tuple[str, float | None, float, str]] = [
        ("cosine fp32-int8, mean", None, float(cosine.mean()), "{:.4f}"),
        ("cosine fp32-int8, min", None, float(cosine.min()), "{:.4f}"),
        (f"neighbour recall@{TOP_K} x100 ({n_queries} queries)", None, recall, "{:.1f}"),
    ]
    if args.gold.is_file():
        cached = {name: CachedEmbedder(e, EmbeddingCache(":memory:")) for name, e in (("fp32", fp32), ("int8", int8))}
        for language in ("en", "id"):
            ref, ours = (retrieval_map(args.gold, cached[name], language) for name in ("fp32", "int8"))
            rows.append((f"retrieval MAP x100 ({language} queries)", ref, ours, "{:.1f}"))
        for codebook in ("haas", "ingo"):
            ref, ours = (classification_f1(args.gold, cached[name], codebook) for name in ("fp32", "int8"))
            rows.append((f"classifier macro-F1 x100, {codebook} ({FOLDS}-fold)", ref, ours, "{:.1f}"))
    else:
        print(f"\nretrieval MAP, classification F1: skipped (no gold corpus yet: {args.gold})")
    pairs = pud_pairs()
    if pairs:
        (ref_en, ref_id), (our_en, our_id) = (cross_lingual_retrieval(pairs, e) for e in (fp32, int8))
        rows.append((f"PUD en->id translation MRR x100 ({len(pairs)})", ref_en, our_en, "{:.1f}"))
        rows.append((f"PUD id->en translation MRR x100 ({len(pairs)})", ref_id, our_id, "{:.1f}"))

    fast = rates[f"int8 batch {INT8_BATCH_SIZES[0]}"]
    print(f"\n{'figure':40} {'fp32':>8} {'int8':>8} {'delta':>7}")
    print(f"{'passages/s':40} {base:8.1f} {fast:8.1f} {fast / base:6.2f}x")
    cached_rate = rates["int8 + warm cache"]
    print(f"{'passages/s, warm cache':40} {'':8} {cached_rate:8.0f} {cached_rate / base:6.0f}x")
    for label, ref, ours, fmt in rows:
        shown = "(ref)" if ref is None else fmt.format(ref)
        delta = "" if ref is None else f"{ours - ref:+7.1f}"
        print(f"{label:40} {shown:>8} {fmt.format(ours):>8} {delta:>7}")


if __name__ == "__main__":
    main()
