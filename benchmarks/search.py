"""Corpus store at scale: indexing rate, query latency, ANN recall, open() time and memory, in one run.

Passages: the body passages of ``seeds/*.txt`` and ``../shared/pdfs/**/*.pdf`` (read with
``nlp_iom.read``) are embedded once with e5-small (cached under the nlp_iom cache). Corpora of
``--sizes`` passages are made of perturbed copies: each copy drops 15% of its base passage's
words and swaps two of them, and its vector is the base vector plus Gaussian noise (sigma
``NOISE``), renormalised. Copies are grouped into synthetic documents of ``DOC_PASSAGES``
passages with varied kind and year, and carry a random ``haas:socialization`` probability and
organisation entities, so every filter selects something. Embedding is excluded from indexing
(the e5 rate is measured on its own) and query vectors are computed once, outside the timings.

Printed per size: indexing passages/s (SQLite + vector file + tokens; + BM25 build; + HNSW
build), query latency p50/p95 (ms) for vector, BM25 and hybrid search, without a filter, with
a broad one (language) and a selective one (kind + year), each against a brute-force baseline
measured in the same run (numpy dot over all vectors + full argsort, both single-threaded like the
store, since multi-threaded BLAS costs ~12 ms a call on a busy machine; exhaustive BM25 with numpy
over a document-term matrix), recall@10 of the HNSW index and of bm25s against brute force,
open() time, and peak memory (ru_maxrss).

Usage: python benchmarks/search.py [--sizes 10000,100000] [--backend embedded|qdrant] [--quick]
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import logging
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from nlp_iom.corpus import Corpus, SearchFilters
from nlp_iom.corpus.bm25 import BM25_B, BM25_K1, query_tokens, tokenize
from nlp_iom.corpus.glossary import default_glossary
from nlp_iom.corpus.search import CANDIDATE_FACTOR, MIN_CANDIDATES, fuse
from nlp_iom.document import Author, Document, Entity, Metadata, Passage
from nlp_iom.embed.embedder import Embedder
from nlp_iom.embed.registry import get_embedder

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("seeds/*.txt", "../shared/pdfs/**/*.pdf")
CACHE = Path(os.environ.get("NLP_IOM_CACHE", Path.home() / ".cache" / "nlp_iom")) / "benchmarks"
NOISE = 0.01
DROPOUT = 0.15
DOC_PASSAGES = 100
QUERIES = 50
QUICK_QUERIES = 15
TOP_K = 10
SEED = 0
KINDS = ("thesis", "paper", "report")
ORGS = ("IOM", "UNHCR", "ILO", "BNP2TKI", "UNODC")
SELECTIVE = SearchFilters(kind="report", year=(2020, 2022))


class Precomputed(Embedder):
    """Looks vectors up instead of embedding: passages by text, queries from a table filled in advance."""

    def __init__(self, real: Embedder, passages: dict[str, np.ndarray], queries: dict[str, np.ndarray]) -> None:
        self.name, self.dim, self.prompts = real.name, real.dim, real.prompts
        self._passages, self._queries = passages, queries

    def encode(self, texts: str | list[str], kind: str = "passage") -> np.ndarray:  # type: ignore[override]
        table = self._queries if kind == "query" else self._passages
        items = [texts] if isinstance(texts, str) else list(texts)
        return np.stack([table[t] for t in items]) if items else np.zeros((0, self.dim), dtype=np.float32)

    def _embed(self, texts: list[str]) -> np.ndarray:  # pragma: no cover - encode is overridden
        raise NotImplementedError


def base_passages(limit_files: int | None) -> tuple[list[str], list[str], list[int]]:
    """Texts, languages and source-document numbers of the real body passages."""
    from nlp_iom.reader import read

    files = [p for pattern in SOURCES for p in sorted(glob.glob(str(ROOT / pattern), recursive=True))]
    texts, languages, sources = [], [], []
    for n, path in enumerate(files[:limit_files]):
        try:
            doc = read(path)
        except Exception as exc:  # noqa: BLE001 - a benchmark skips what it cannot read
            print(f"  skipped {Path(path).name}: {exc}", file=sys.stderr)
            continue
        for p in doc.body_passages():
            if len(p.text.split()) >= 8:
                texts.append(p.text)
                languages.append(p.language if p.language in ("id", "en") else (doc.metadata.language or "und"))
                sources.append(n)
    return texts, languages, sources


def embedded_base(embedder: Embedder, limit_files: int | None) -> tuple[list[str], list[str], list[int], np.ndarray,
                                                                       float | None]:
    """Base passages with their e5 vectors, from the cache when the texts are unchanged; and the e5 rate."""
    texts, languages, sources = base_passages(limit_files)
    key = hashlib.sha256("\0".join(texts).encode()).hexdigest()[:16]
    path = CACHE / f"search_base_{key}.npy"
    if path.is_file():
        return texts, languages, sources, np.load(path, allow_pickle=False), None
    start = time.perf_counter()
    vectors = embedder.encode_passages(texts)
    rate = len(texts) / (time.perf_counter() - start)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors, allow_pickle=False)
    return texts, languages, sources, vectors, rate


def perturb(text: str, rng: np.random.Generator, copy: int) -> str:
    """Drop DROPOUT of the words, swap two, and tag the copy so every text is distinct."""
    words = text.split()
    kept = [w for w in words if rng.random() >= DROPOUT] or words[:1]
    if len(kept) > 3:
        i, j = rng.integers(0, len(kept), size=2)
        kept[i], kept[j] = kept[j], kept[i]
    return " ".join(kept) + f" ({copy})"


def synthetic_corpus(size: int, base: tuple[list[str], list[str], list[int], np.ndarray],
                     rng: np.random.Generator) -> tuple[list[Document], dict[str, np.ndarray]]:
    """``size`` perturbed passages in documents of DOC_PASSAGES, and the vector of each text."""
    texts, languages, _, vectors = base
    picks = rng.integers(0, len(texts), size=size)
    noisy = vectors[picks] + rng.normal(0.0, NOISE, size=(size, vectors.shape[1])).astype(np.float32)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    table, docs = {}, []
    for start in range(0, size, DOC_PASSAGES):
        d = start // DOC_PASSAGES
        passages = []
        for n, i in enumerate(range(start, min(size, start + DOC_PASSAGES))):
            text = perturb(texts[picks[i]], rng, i)
            table[text] = noisy[i]
            entities = [Entity(org, "ORG", 0, len(org)) for org in ORGS if rng.random() < 0.1]
            passages.append(Passage(id=n, text=text, start=0, end=len(text), pages=[n // 4 + 1],
                                    section_path=[f"BAB {n // 25 + 1}"], language=languages[picks[i]],
                                    codes={"haas:socialization": round(float(rng.random() ** 3), 3)},
                                    entities=entities))
        meta = Metadata(title=f"Synthetic document {d}", authors=[Author(f"Author {d}")], year=2000 + d % 25,
                        kind=KINDS[d % len(KINDS)], language=passages[0].language)
        docs.append(Document(metadata=meta, text="\n\n".join(p.text for p in passages), passages=passages))
    return docs, table


class BruteBM25:
    """Exhaustive BM25 (bm25s's Lucene variant) with numpy over a sparse document-term matrix."""

    def __init__(self, tokens: list[list[str]]) -> None:
        from scipy import sparse

        vocab: dict[str, int] = {}
        rows, cols = [], []
        for r, toks in enumerate(tokens):
            for t in toks:
                rows.append(r)
                cols.append(vocab.setdefault(t, len(vocab)))
        self.vocab = vocab
        self.tf = sparse.csc_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                                    shape=(len(tokens), len(vocab)))
        self.tf.sum_duplicates()
        lengths = np.array([len(t) for t in tokens], dtype=np.float32)
        self.norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths / lengths.mean())
        df = np.diff(self.tf.indptr)
        self.idf = np.log(1 + (len(tokens) - df + 0.5) / (df + 0.5)).astype(np.float32)

    def top(self, query: list[str], mask: np.ndarray | None, k: int) -> list[int]:
        scores = np.zeros(self.tf.shape[0], dtype=np.float32)
        for t in query:
            if t in self.vocab:
                col = self.tf[:, self.vocab[t]].toarray().ravel()
                scores += self.idf[self.vocab[t]] * col * (BM25_K1 + 1) / (col + self.norm)
        if mask is not None:
            scores[~mask] = 0
        order = np.argsort(-scores, kind="stable")[:k]
        return [int(i) for i in order if scores[i] > 0]


def brute_vector(vectors: np.ndarray, q: np.ndarray, mask: np.ndarray | None, k: int) -> list[int]:
    """Numpy baseline: dot over all vectors (one thread, like the store), full argsort, then the filter."""
    scores = np.einsum("ij,j->i", vectors, q)
    order = np.argsort(-scores, kind="stable")
    if mask is not None:
        order = order[mask[order]]
    return [int(i) for i in order[:k]]


def latency(run: Callable[[str], object], queries: list[str]) -> tuple[float, float]:
    """p50 and p95 in ms of ``run`` over ``queries`` (after one warm-up)."""
    run(queries[0])
    times = []
    for q in queries:
        start = time.perf_counter()
        run(q)
        times.append(1000 * (time.perf_counter() - start))
    return float(np.percentile(times, 50)), float(np.percentile(times, 95))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_size(size: int, args: argparse.Namespace, base: tuple, real: Embedder, queries: list[str],
               qvecs: dict[str, np.ndarray]) -> None:
    rng = np.random.default_rng(SEED + size)
    docs, table = synthetic_corpus(size, base, rng)
    embedder = Precomputed(real, table, qvecs)
    folder = Path(tempfile.mkdtemp(prefix=f"bench_search_{size}_"))
    extra = {"backend": "qdrant", "qdrant_location": ":memory:"} if args.backend == "qdrant" else {}
    corpus = Corpus.open(folder, embedder=embedder, **extra)
    start = time.perf_counter()
    corpus.add_documents(docs)
    store_s = time.perf_counter() - start
    start = time.perf_counter()
    corpus.search(queries[0], mode="bm25")  # builds (embedded) or exercises (qdrant) the keyword side
    bm25_s = time.perf_counter() - start
    print(f"\n== {size:,} passages, {len(docs)} documents, backend {args.backend} ==")
    print(f"indexing (store: SQLite/Qdrant + vectors + stemming): {size / store_s:8.0f} passages/s ({store_s:.1f} s)")
    print(f"BM25 index build (first keyword query):              {bm25_s:8.2f} s  -> store + BM25 "
          f"{size / (store_s + bm25_s):.0f} passages/s")
    if args.backend == "embedded":
        corpus.close()
        start = time.perf_counter()
        corpus = Corpus.open(folder, embedder=embedder)
        open_s = time.perf_counter() - start
        start = time.perf_counter()
        corpus.search(queries[0], mode="hybrid")
        print(f"open(): {open_s:.2f} s; first hybrid query after open (loads BM25 index): "
              f"{time.perf_counter() - start:.2f} s")
        vectors = corpus.vectors
    else:
        vectors = np.stack([table[d.passages[i].text] for d in docs for i in range(len(d.passages))])
    tokens = [tokenize(p.text, p.language) for d in docs for p in d.passages]
    brute = BruteBM25(tokens)
    masks = {"none": None, "language=en": np.array([p.language == "en" for d in docs for p in d.passages]),
             "kind+year": np.array([d.metadata.kind == "report" and 2020 <= d.metadata.year <= 2022
                                    for d in docs for _ in d.passages])}
    filters = {"none": None, "language=en": SearchFilters(language="en"), "kind+year": SELECTIVE}
    limit = max(TOP_K * CANDIDATE_FACTOR, MIN_CANDIDATES)
    print(f"\n{'query latency ms (p50 / p95)':34} {'store':>15} {'brute force':>15} {'x faster':>9}")
    for fname, flt in filters.items():
        mask = masks[fname]
        share = 100.0 * (mask.mean() if mask is not None else 1.0)
        for mode in ("vector", "bm25", "hybrid"):
            ours = latency(lambda q, m=mode, f=flt: corpus.search(q, top_k=TOP_K, mode=m, filters=f), queries)

            def baseline(q: str, mode: str = mode, mask: np.ndarray | None = mask) -> object:
                ranked = []
                if mode in ("vector", "hybrid"):
                    ranked.append([(i, 0.0) for i in brute_vector(vectors, qvecs[q], mask, limit)])
                if mode in ("bm25", "hybrid"):
                    ranked.append([(i, 0.0) for i in brute.top(query_tokens(q), mask, limit)])
                return fuse(ranked, TOP_K)

            ref = latency(baseline, queries[: max(5, len(queries) // 3)])
            label = f"{mode}, filter {fname} ({share:.0f}%)"
            print(f"{label:34} {ours[0]:7.1f} /{ours[1]:6.1f} {ref[0]:7.1f} /{ref[1]:6.1f} {ref[0] / ours[0]:8.2f}x")
    agree = [len({h.passage_id for h in corpus.search(q, top_k=TOP_K, mode="bm25")}
                 & set(brute.top(query_tokens(q), None, TOP_K))) / TOP_K for q in queries]
    print(f"BM25 top-{TOP_K} agreement with exhaustive BM25: {100 * np.mean(agree):.1f}%")
    if args.backend == "embedded":
        bench_hnsw(folder, embedder, vectors, queries, qvecs, masks["language=en"])
    corpus.close()
    print(f"peak memory so far (ru_maxrss): {peak_mb():.0f} MB")


def bench_hnsw(folder: Path, embedder: Embedder, vectors: np.ndarray, queries: list[str],
               qvecs: dict[str, np.ndarray], mask: np.ndarray) -> None:
    """Build the FAISS HNSW index over the same vectors; its latency and recall@10 against exact."""
    start = time.perf_counter()
    ann = Corpus.open(folder, embedder=embedder, index="hnsw")
    ann._flush()  # builds and saves vectors.hnsw
    build_s = time.perf_counter() - start
    flt = SearchFilters(language="en")
    for name, f, m in (("no filter", None, None), ("language=en", flt, mask)):
        recall = np.mean([len({h.passage_id for h in ann.search(q, top_k=TOP_K, mode="vector", filters=f)}
                              & set(brute_vector(vectors, qvecs[q], m, TOP_K))) / TOP_K for q in queries])
        p50, p95 = latency(lambda q, f=f: ann.search(q, top_k=TOP_K, mode="vector", filters=f), queries)
        print(f"HNSW vector, {name:12} p50 {p50:6.2f} ms p95 {p95:6.2f} ms  recall@{TOP_K} vs brute force "
              f"{100 * recall:5.1f}%")
    print(f"HNSW build + save: {build_s:.1f} s ({len(vectors) / build_s:.0f} passages/s)")
    ann.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="corpus sizes in passages (comma-separated)")
    parser.add_argument("--backend", choices=("embedded", "qdrant"), default="embedded")
    parser.add_argument("--quick", action="store_true", help="seeds and 4 PDFs, 2,000 passages, fewer queries")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    sizes = [2000] if args.quick and args.sizes == parser.get_default("sizes") else \
        [int(s) for s in args.sizes.split(",")]
    real = get_embedder("e5-small")
    texts, languages, sources, vectors, rate = embedded_base(real, 6 if args.quick else None)
    print(f"base: {len(texts)} real body passages from {len(set(sources))} documents "
          f"({sum(x == 'id' for x in languages)} id, {sum(x == 'en' for x in languages)} en), embedded once with "
          f"e5-small{' (cached)' if rate is None else ''}")
    print("corpora: perturbed copies (15% word dropout + a swap; vector + N(0, 0.01) noise, renormalised)")
    rng = np.random.default_rng(SEED)
    sample = rng.choice(len(texts), size=200, replace=False) if len(texts) > 200 else np.arange(len(texts))
    if rate is None:
        start = time.perf_counter()
        real.encode_passages([texts[i] for i in sample])
        rate = len(sample) / (time.perf_counter() - start)
    print(f"e5-small embedding rate (excluded from indexing): {rate:.0f} passages/s")
    picks = rng.choice(len(texts), size=QUICK_QUERIES if args.quick else QUERIES, replace=False)
    queries = [" ".join(texts[i].split()[:8]) for i in picks]
    start = time.perf_counter()
    qvecs = dict(zip(queries, real.encode_queries(queries)))
    glosses = [default_glossary().translate(q) for q in queries]  # the search embeds each query's gloss too
    qvecs.update(zip(glosses, real.encode_queries(glosses)))
    print(f"{len(queries)} queries (first 8 words of random base passages); e5 query embedding "
          f"{1000 * (time.perf_counter() - start) / len(queries):.1f} ms each, excluded from the latencies below")
    for size in sizes:
        bench_size(size, args, (texts, languages, sources, vectors), real, queries, qvecs)


if __name__ == "__main__":
    main()
