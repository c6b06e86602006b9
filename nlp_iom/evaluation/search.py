"""Evaluate corpus search on the judged query set (``corpora/search_gold``).

    nlp-iom evaluate search                          # dev and test, every ranker, per query language
    nlp-iom evaluate search --fit                    # fit the fusion weights on dev (prints them)
    nlp-iom evaluate search --json corpora/search_gold/scores.json --card corpora/search_gold/CARD.md
    python -m nlp_iom.evaluation.search             # the same as the first

The corpus (:func:`nlp_iom.training.search_gold.corpus_rows`, about 2,400 passages) is indexed once into an
embedded :class:`~nlp_iom.corpus.Corpus` under the cache (``$NLP_IOM_CACHE/search_gold/<hash>``) with the
shipped embedder. Each query is ranked by every ranker of :data:`RANKERS`, built from the corpus's own
dense and keyword rankings and :mod:`nlp_iom.corpus.search`'s fusion functions, so what is scored is what
``Corpus.search`` does (:func:`check_against_search` asserts it for the shipped modes).

Metrics over the top 10: recall (capped: relevant hits over ``min(10, relevant)``, so a need with 40
relevant passages can reach 1), nDCG with gains 1 (partly relevant) and 3 (relevant), and MRR of the
first relevant hit; passages not judged count as not relevant, and the share of judged hits in the top
10 is printed. Relevance is graded 0/1/2 by two passes and adjudicated (``qrels.jsonl``); recall and
MRR count grade ≥ 1.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

from nlp_iom.corpus.search import (
    CANDIDATE_FACTOR,
    DEFAULT_FUSION,
    DUPLICATE_FACTOR,
    MIN_CANDIDATES,
    FusionSettings,
    fuse,
    hybrid_round,
    vector_round,
)
from nlp_iom.training.classify_gold import ROOT, load_jsonl

SEARCH_GOLD = ROOT / "corpora" / "search_gold"
QRELS = SEARCH_GOLD / "qrels.jsonl"
QUERIES = SEARCH_GOLD / "queries.jsonl"
SCORES = SEARCH_GOLD / "scores.json"
AGREEMENT = SEARCH_GOLD / "agreement.json"
CARD = SEARCH_GOLD / "CARD.md"
TOP = 10
#: Candidates taken from each side before fusion: what ``Corpus.search`` takes for a top 10 (it ranks twice
#: as many as it returns, to collapse near-duplicates, and takes CANDIDATE_FACTOR times that from each side).
DEPTH = max(TOP * DUPLICATE_FACTOR * CANDIDATE_FACTOR, MIN_CANDIDATES)
GAINS = {1: 1.0, 2: 3.0}
#: ranker -> description. ``vector``, ``bm25`` and ``hybrid`` are what ``Corpus.search`` does in each mode.
RANKERS: dict[str, str] = {
    "vector": "e5-small cosine, the query's vector averaged with its glossary gloss's, with feedback (shipped)",
    "vector-plain": "e5-small cosine of the query alone (before)",
    "bm25": "BM25 with the bilingual glossary (shipped)",
    "bm25-plain": "BM25 without the glossary (before)",
    "hybrid": "weighted fusion of the shipped vector and BM25 rankings, with pseudo-relevance feedback (shipped)",
    "hybrid-no-feedback": "the same fusion without the feedback round",
    "hybrid-rrf": "plain RRF of vector-plain and bm25-plain (before)",
    "hybrid-rrf-glossary": "plain RRF of the shipped vector and BM25 rankings",
}
#: The fusion grid searched on dev by ``--fit``.
GRID = {"keyword_weight": (0.25, 0.5, 0.75, 1.0, 1.5), "other_language_weight": (0.0, 0.25, 0.5, 1.0),
        "coverage_power": (0.0, 1.0, 2.0), "min_coverage": (0.0, 0.34, 0.5, 0.67), "feedback": (0.0, 0.3, 0.5, 0.8)}


def load_queries(path: Path = QUERIES) -> list[dict[str, Any]]:
    """The judged queries: id, need, lang, text, narrative, split."""
    return load_jsonl(path)


def _cache_root() -> Path:
    from nlp_iom.models import cache_dir

    return cache_dir().parent / "search_gold"  # beside the cached models, under $NLP_IOM_CACHE


class EvalCorpus:
    """The search corpus indexed in an embedded store, with per-query rankings cached in memory.

    Args:
        corpus: The opened store.
        ids: Gold passage id of each stored passage, in store order.
    """

    def __init__(self, corpus: Any, ids: list[str]) -> None:
        self.corpus = corpus
        self.ids = ids
        self._cache: dict[str, dict[str, Any]] = {}

    @classmethod
    def build(cls, rows: list[dict[str, Any]], folder: Path | None = None) -> EvalCorpus:
        """Index ``rows`` (or reuse the index of the same rows in the cache)."""
        from nlp_iom.corpus import Corpus
        from nlp_iom.document import Document, Metadata, Passage

        digest = hashlib.sha1(json.dumps([[r["id"], r["text"], r["lang"]] for r in rows]).encode()).hexdigest()[:16]
        folder = folder or _cache_root() / digest
        by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            by_doc[row["doc"]].append(row)
        ids = [r["id"] for group in by_doc.values() for r in group]
        corpus = Corpus.open(folder)
        if corpus.passage_count != len(ids):
            if corpus.passage_count:
                raise RuntimeError(f"{folder} holds {corpus.passage_count} passages, expected {len(ids)}: delete it")
            docs = []
            for doc, group in by_doc.items():
                passages = [Passage(id=n, text=r["text"], start=0, end=len(r["text"]), language=r["lang"],
                                    pages=[r["page"]] if r.get("page") else [], section_path=[r.get("section") or ""])
                            for n, r in enumerate(group)]
                docs.append(Document(metadata=Metadata(title=doc, kind=group[0]["kind"], source=f"gold:{doc}"),
                                     text="\n\n".join(r["text"] for r in group), passages=passages))
            corpus.add_documents(docs)
            if corpus.passage_count != len(ids):
                raise RuntimeError(f"indexed {corpus.passage_count} passages of {len(ids)}")
        return cls(corpus, ids)

    def _sides(self, query: str) -> dict[str, Any]:
        """Dense and keyword rankings of one query, with the keyword hits' coverage and language."""
        from nlp_iom.corpus.bm25 import query_tokens
        from nlp_iom.corpus.search import hit_weights, keyword_query, query_vector

        if query not in self._cache:
            corpus = self.corpus
            qvec = query_vector(corpus, query, FusionSettings(translate=True))
            dense = corpus.dense_ranking(qvec, None, DEPTH)
            plain_dense = corpus.dense_ranking(query_vector(corpus, query, FusionSettings(translate=False)), None, DEPTH)
            plain = corpus.keyword_ranking(query_tokens(query), None, DEPTH)
            expanded = corpus.keyword_ranking(keyword_query(query, FusionSettings(expand=True)), None, DEPTH)
            covered, same = hit_weights(corpus, query, expanded)
            self._cache[query] = {"dense": dense, "plain_dense": plain_dense, "plain": plain, "expanded": expanded,
                                  "coverage": covered, "same": same, "qvec": qvec}
        return self._cache[query]

    def rank(self, query: str, ranker: str, top: int = TOP, fusion: FusionSettings = DEFAULT_FUSION,
             collapse: bool = True) -> list[str]:
        """Gold ids of the best ``top`` passages of ``ranker`` (see :data:`RANKERS`).

        As ``Corpus.search`` does, ``top * DUPLICATE_FACTOR`` are ranked and near-duplicates collapsed
        (for every ranker alike); ``collapse=False`` gives the raw ranking (used for the judging pool).
        """
        from nlp_iom.corpus.duplicates import collapse as collapse_hits

        if not collapse:
            return [self.ids[pid] for pid, _ in self._ranked(query, ranker, top, fusion)]
        ranked = self._ranked(query, ranker, top * DUPLICATE_FACTOR, fusion)
        return [self.ids[hit.passage_id] for hit in collapse_hits(self.corpus.hits(ranked), top)]

    def _ranked(self, query: str, ranker: str, top: int, fusion: FusionSettings) -> list[tuple[int, float]]:
        sides = self._sides(query)
        if ranker == "vector":
            ranked = vector_round(self.corpus, sides["qvec"], sides["dense"], top, fusion, None, DEPTH)
        elif ranker == "vector-plain":
            ranked = sides["plain_dense"][:top]
        elif ranker == "bm25":
            ranked = sides["expanded"][:top]
        elif ranker == "bm25-plain":
            ranked = sides["plain"][:top]
        elif ranker == "hybrid-rrf":
            ranked = fuse([sides["plain_dense"], sides["plain"]], top)
        elif ranker == "hybrid-rrf-glossary":
            ranked = fuse([sides["dense"], sides["expanded"]], top)
        elif ranker in ("hybrid", "hybrid-no-feedback"):
            settings = fusion if ranker == "hybrid" else replace(fusion, feedback=0.0)
            ranked = hybrid_round(self.corpus, sides["qvec"], sides["dense"], sides["expanded"], sides["coverage"],
                                  sides["same"], top, settings, None, DEPTH)
        else:
            raise ValueError(f"unknown ranker {ranker!r}")
        return ranked


def load_qrels(path: Path = QRELS) -> dict[str, dict[str, int]]:
    """need -> passage id -> grade (0, 1, 2)."""
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for row in load_jsonl(path):
        qrels[row["need"]][row["passage"]] = int(row["grade"])
    return dict(qrels)


def query_metrics(ranked: list[str], grades: dict[str, int], top: int = TOP) -> dict[str, float]:
    """Capped recall, nDCG and MRR at ``top``, and the share of judged passages among the hits."""
    ranked = ranked[:top]
    relevant = {p for p, g in grades.items() if g >= 1}
    found = sum(1 for p in ranked if p in relevant)
    recall = found / min(top, len(relevant)) if relevant else 0.0
    dcg = sum(GAINS.get(grades.get(p, 0), 0.0) / math.log2(i + 2) for i, p in enumerate(ranked))
    ideal = sorted((GAINS.get(g, 0.0) for g in grades.values()), reverse=True)[:top]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    rr = next((1.0 / (i + 1) for i, p in enumerate(ranked) if p in relevant), 0.0)
    judged = sum(1 for p in ranked if p in grades) / len(ranked) if ranked else 1.0
    return {"recall@10": recall, "ndcg@10": dcg / idcg if idcg else 0.0, "mrr@10": rr, "judged@10": judged}


def _mean(rows: list[dict[str, float]]) -> dict[str, float]:
    return {k: round(sum(r[k] for r in rows) / len(rows), 4) for k in rows[0]} if rows else {}


def score(corpus: EvalCorpus, queries: list[dict[str, Any]], qrels: dict[str, dict[str, int]],
          rankers: list[str] | tuple[str, ...] = tuple(RANKERS), fusion: FusionSettings = DEFAULT_FUSION
          ) -> dict[str, dict[str, dict[str, float]]]:
    """ranker -> group (``all``, ``en``, ``id``) -> mean metrics over the queries that have a relevant passage."""
    result: dict[str, dict[str, dict[str, float]]] = {}
    for ranker in rankers:
        per: dict[str, list[dict[str, float]]] = defaultdict(list)
        for query in queries:
            grades = qrels.get(query["need"], {})
            if not any(g >= 1 for g in grades.values()):
                continue
            metrics = query_metrics(corpus.rank(query["text"], ranker, fusion=fusion), grades)
            per["all"].append(metrics)
            per[query["lang"]].append(metrics)
        result[ranker] = {group: {**_mean(rows), "queries": len(rows)} for group, rows in sorted(per.items())}
    return result


def objective(scores: dict[str, dict[str, dict[str, float]]], ranker: str = "hybrid") -> float:
    """What ``--fit`` maximises: recall@10 and nDCG@10 averaged over the two query languages."""
    groups = [scores[ranker][lang] for lang in ("en", "id") if lang in scores[ranker]]
    return sum((g["recall@10"] + g["ndcg@10"]) / 2 for g in groups) / len(groups)


def beats_parts(scores: dict[str, dict[str, dict[str, float]]], metric: str = "recall@10") -> bool:
    """Whether hybrid is at least as good as vector and BM25 for each query language."""
    return all(scores["hybrid"][lang][metric] >= max(scores["vector"][lang][metric], scores["bm25"][lang][metric])
               for lang in ("en", "id") if lang in scores["hybrid"])


def fit(corpus: EvalCorpus, queries: list[dict[str, Any]], qrels: dict[str, dict[str, int]]
        ) -> tuple[FusionSettings, list[dict[str, Any]]]:
    """Grid-search the fusion weights (:data:`GRID`) on ``queries`` (the dev split).

    The chosen settings maximise :func:`objective` among those where hybrid beats both its parts on
    recall@10 in each language (among all, if none does). Returns them and every grid point's result.
    """
    parts = score(corpus, queries, qrels, ("vector", "bm25"))
    trials: list[dict[str, Any]] = []
    names = list(GRID)
    for values in itertools.product(*(GRID[n] for n in names)):
        settings = FusionSettings(**dict(zip(names, values)))
        scores = {**parts, **score(corpus, queries, qrels, ("hybrid",), fusion=settings)}
        trials.append({"settings": settings.to_dict(), "objective": round(objective(scores), 4),
                       "beats_parts": beats_parts(scores)})
    eligible = [t for t in trials if t["beats_parts"]] or trials
    best = max(eligible, key=lambda t: (t["objective"], -abs(t["settings"]["keyword_weight"] - 1)))
    return FusionSettings(**best["settings"]), trials


def evaluate(corpus: EvalCorpus | None = None, fusion: FusionSettings = DEFAULT_FUSION) -> dict[str, Any]:
    """Scores of every ranker on dev and test, with the collection's size and the fusion scored."""
    from nlp_iom.training.search_gold import corpus_rows

    rows = corpus_rows()
    corpus = corpus or EvalCorpus.build(rows)
    queries = load_queries()
    qrels = load_qrels()
    splits = {split: score(corpus, [q for q in queries if q["split"] == split], qrels, fusion=fusion)
              for split in ("dev", "test")}
    relevant = [sum(1 for g in qrels.get(need, {}).values() if g >= 1) for need in sorted({q["need"] for q in queries})]
    return {
        "collection": {"passages": len(rows), "passages_by_language": _count(r["lang"] for r in rows),
                       "queries": len(queries), "queries_by_language": _count(q["lang"] for q in queries),
                       "needs": len(relevant), "judged": sum(len(v) for v in qrels.values()),
                       "relevant_per_need_median": sorted(relevant)[len(relevant) // 2] if relevant else 0,
                       "embedder": getattr(corpus.corpus.embedder, "name", type(corpus.corpus.embedder).__name__)},
        "agreement": json.loads(AGREEMENT.read_text(encoding="utf-8")) if AGREEMENT.is_file() else None,
        "fusion": fusion.to_dict(),
        "rankers": RANKERS,
        "scores": splits,
        "hybrid_beats_parts": {split: beats_parts(scores) for split, scores in splits.items()},
    }


def _count(values: Any) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))


def markdown(result: dict[str, Any]) -> str:
    """The scores as Markdown tables, one per split (the body of the card)."""
    lines: list[str] = []
    for split, scores in result["scores"].items():
        lines += [f"### {split}", "", "| ranker | recall@10 all | en | id | nDCG@10 all | en | id | MRR@10 all | judged@10 |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for ranker, groups in scores.items():
            cell = {g: groups.get(g, {}) for g in ("all", "en", "id")}
            lines.append(f"| {ranker} | " + " | ".join(
                f"{cell[g].get('recall@10', 0):.3f}" for g in ("all", "en", "id")) + " | " + " | ".join(
                f"{cell[g].get('ndcg@10', 0):.3f}" for g in ("all", "en", "id")) +
                f" | {cell['all'].get('mrr@10', 0):.3f} | {cell['all'].get('judged@10', 0):.2f} |")
        lines.append("")
    return "\n".join(lines)


def render_card(result: dict[str, Any]) -> str:
    """``corpora/search_gold/CARD.md``, generated from the scores file."""
    c = result["collection"]
    rankers = "\n".join(f"- `{name}`: {text}" for name, text in result["rankers"].items())
    fusion = ", ".join(f"{k}={v}" for k, v in result["fusion"].items())
    beats = ", ".join(f"{s}: {'yes' if v else 'no'}" for s, v in result["hybrid_beats_parts"].items())
    a = result.get("agreement")
    agreement = (f"\n- Two independent passes before adjudication: exact agreement {a['exact']:.3f}, Cohen's kappa "
                 f"{a['kappa_grades']:.3f} on the grades and {a['kappa_relevant']:.3f} on relevance, Krippendorff's "
                 f"alpha (ordinal) {a['alpha_ordinal']:.3f}; {a['disagreements']} disagreements adjudicated. The "
                 f"judges are AI assistants, which agree more than human judges do.") if a else ""
    return f"""# Search evaluation card

Generated by `nlp-iom evaluate search --json corpora/search_gold/scores.json --card corpora/search_gold/CARD.md`
from `scores.json`; do not edit by hand.

- Corpus: {c['passages']} passages ({', '.join(f'{k} {v}' for k, v in c['passages_by_language'].items())}),
  embedder `{c['embedder']}`.
- Queries: {c['queries']} ({', '.join(f'{k} {v}' for k, v in c['queries_by_language'].items())}), {c['needs']} information
  needs each asked in both languages; split into dev and test by need.
- Judgments: {c['judged']} (need, passage) pairs, pooled in two rounds from the rankers' top 20
  (`pool.jsonl`); median relevant passages per need {c['relevant_per_need_median']}.{agreement}
- Fusion settings scored (fitted on dev only): {fusion}.
- Hybrid at least as good as both its parts on recall@10 in each query language: {beats}.

Rankers:
{rankers}

Recall@10 is capped (relevant hits over min(10, relevant passages)); gains for nDCG are 1 (partly
relevant) and 3 (relevant); unjudged passages count as not relevant (judged@10 is the share judged).

{markdown(result)}"""


def main(argv: list[str] | None = None) -> int:
    """``nlp-iom evaluate search``."""
    parser = argparse.ArgumentParser(prog="nlp-iom evaluate search", description=__doc__.split("\n")[0])
    parser.add_argument("--json", type=Path, help="write the scores here")
    parser.add_argument("--card", type=Path, help="render the card here (from --json's result)")
    parser.add_argument("--fit", action="store_true", help="fit the fusion weights on dev and print them")
    args = parser.parse_args(argv)
    from nlp_iom.training.search_gold import corpus_rows

    corpus = EvalCorpus.build(corpus_rows())
    if args.fit:
        queries = [q for q in load_queries() if q["split"] == "dev"]
        best, trials = fit(corpus, queries, load_qrels())
        for trial in sorted(trials, key=lambda t: -t["objective"])[:10]:
            print(json.dumps(trial))
        print("best:", json.dumps(best.to_dict()))
        return 0
    result = evaluate(corpus)
    print(markdown(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.card:
        args.card.write_text(render_card(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
