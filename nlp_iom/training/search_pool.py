"""Build the passage corpus and the judging pools of the search gold (``corpora/search_gold/``).

    nlp-iom gold search-passages [-o corpora/search_gold/passages.jsonl]
    nlp-iom gold search-pool [-o corpora/search_gold/pool.jsonl] [--depth 20]
    nlp-iom gold search-qrels [-o corpora/search_gold/qrels.jsonl]

**Corpus.** Every passage of the coding gold (``corpora/classify_gold/gold.jsonl``: web excerpts,
development PDFs, the seeds, shared PDFs and texts) plus every other body passage of the shared PDFs on
international organisations, migration, trafficking and labour law (:data:`FULL_SOURCES`), read with
``nlp_iom.read`` and cut as the coding pools cut them. The extra passages are written to
``passages.jsonl`` with their source file, page and section, so the corpus does not change when
extraction does; :func:`corpus_rows` joins both files. Passages whose text is already in the corpus are
left out.

**Pool.** Each query is run against the corpus in every ranking the evaluation compares (vector, BM25,
BM25 with the bilingual glossary, RRF hybrid and the weighted fusion); the union of their top
``--depth`` passages, over both language forms of an information need, is what the judges see
(``pool.jsonl``: one row per need with its queries and passage ids).

**Judgments.** Two independent passes grade every pooled passage 0/1/2 against ``GUIDE.md``
(``pass_a.jsonl``, ``pass_b.jsonl``: one row per need); disagreements are decided with a reason in
``adjudication.jsonl``; ``search-qrels`` writes their agreement (``agreement.json``) and the gold
``qrels.jsonl``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any

from nlp_iom.training.classify_gold import GOLD, ROOT, load_jsonl, write_jsonl

SEARCH_GOLD = ROOT / "corpora" / "search_gold"
PASSAGES = SEARCH_GOLD / "passages.jsonl"
QUERIES = SEARCH_GOLD / "queries.jsonl"
POOL = SEARCH_GOLD / "pool.jsonl"
#: Shared documents read whole (beyond the coding gold's quotas): source -> kind.
FULL_SOURCES: dict[str, str] = {
    "../shared/pdfs/dev/en_report_iom_2023_hoa_reintegration_evaluation.pdf": "report",
    "../shared/pdfs/dev/en_report_iom_isp_2023_case_management_reintegration.pdf": "report",
    "../shared/pdfs/dev/en_report_iom_2025_migration_data_asiapacific.pdf": "report",
    "../shared/pdfs/dev/en_report_iom_2024_aap_evaluation_brief.pdf": "report",
    "../shared/pdfs/dev/en_report_ned_2015_stifling_public_sphere.pdf": "report",
    "../shared/pdfs/dev/en_paper_jme_2020_migration_costs_returns.pdf": "journal",
    "../shared/pdfs/dev/id_regulasi_uu_2003_13_ketenagakerjaan.pdf": "regulation",
    "../shared/pdfs/dev/id_regulasi_uu_1974_1_perkawinan.pdf": "regulation",
    "../shared/pdfs/en/lagon_2015_testimony_tip_tier_rankings.pdf": "government",
    "../shared/pdfs/en/un_A_70_266_special_rapporteur_assembly_association_2015.pdf": "report",
    "../shared/pdfs/id/perda_diy_6_2025_pencegahan_penanganan_korban_perdagangan_orang.pdf": "regulation",
    "../shared/pdfs/id/pmi_strategy_report_C_supply_mapping.pdf": "report",
    "../shared/pdfs/id/pmi_strategy_report_D_curriculum_transformation.pdf": "report",
}
#: Passages the held-out guard flags: left out.
EXCLUDED: frozenset[str] = frozenset()
#: At most this many extra passages per document, evenly spaced through it (a few long reports and laws
#: would otherwise make up most of the corpus).
MAX_PER_DOC = 100
FIELDS = ("id", "text", "lang", "doc", "kind", "source", "page", "section")


def _key(text: str) -> str:
    return hashlib.sha1(" ".join(text.split()).lower().encode()).hexdigest()


def extra_rows(known: set[str]) -> list[dict[str, Any]]:
    """Body passages of :data:`FULL_SOURCES` whose text is not in ``known`` (text keys; updated)."""
    from nlp_iom.training.classify_pools import _document_units

    rows: list[dict[str, Any]] = []
    for source, kind in FULL_SOURCES.items():
        stem = Path(source).stem
        units = _document_units(source, ocr="off")
        fresh = [i for i, unit in enumerate(units) if _key(str(unit["text"])) not in known]
        if len(fresh) > MAX_PER_DOC:
            fresh = [fresh[round(k * (len(fresh) - 1) / (MAX_PER_DOC - 1))] for k in range(MAX_PER_DOC)]
        for index in fresh:
            unit = units[index]
            key = _key(str(unit["text"]))
            row_id = f"sp-{stem[:40]}-{index:03d}"
            if key in known or row_id in EXCLUDED:
                continue
            known.add(key)
            rows.append({"id": row_id, "text": unit["text"], "lang": unit["lang"], "doc": f"file/{stem}",
                         "kind": kind, "source": source, "page": unit["page"], "section": unit["section"]})
    return rows


def gold_rows(gold: Path = GOLD) -> list[dict[str, Any]]:
    """The coding gold's passages in the corpus form (:data:`FIELDS`)."""
    return [{"id": r["id"], "text": r["text"], "lang": r["lang"], "doc": r["doc"], "kind": r["kind"],
             "source": r["source"], "page": r.get("page"), "section": r.get("section") or ""}
            for r in load_jsonl(gold)]


def corpus_rows(passages: Path = PASSAGES, gold: Path = GOLD) -> list[dict[str, Any]]:
    """The whole search corpus: the coding gold's passages, then the extra ones."""
    return gold_rows(gold) + load_jsonl(passages)


def main_passages(argv: list[str] | None = None) -> int:
    """``nlp-iom gold search-passages``: write the extra corpus passages."""
    parser = argparse.ArgumentParser(prog="nlp-iom gold search-passages",
                                     description="Write the search corpus's passages beyond the coding gold.")
    parser.add_argument("-o", "--output", type=Path, default=PASSAGES)
    args = parser.parse_args(argv)
    known = {_key(r["text"]) for r in gold_rows()}
    rows = extra_rows(known)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    write_jsonl(args.output, [{k: r[k] for k in FIELDS} for r in rows])
    total = len(known)
    print(f"{len(rows)} extra passages -> {args.output}; corpus {total} passages")
    return 0


def pool_rows(depth: int = 20) -> list[dict[str, Any]]:
    """The judging pool of every information need (see the module docstring)."""
    from nlp_iom.evaluation.search import RANKERS, EvalCorpus, load_queries

    queries = load_queries(QUERIES)
    corpus = EvalCorpus.build(corpus_rows())
    needs: dict[str, dict[str, Any]] = {}
    for query in queries:
        need = needs.setdefault(query["need"], {"need": query["need"], "queries": [], "passages": []})
        need["queries"].append({"id": query["id"], "lang": query["lang"], "text": query["text"]})
        for ranker in RANKERS:
            for passage in corpus.rank(query["text"], ranker, depth, collapse=False):
                if passage not in need["passages"]:
                    need["passages"].append(passage)
    return list(needs.values())


def main_pool(argv: list[str] | None = None) -> int:
    """``nlp-iom gold search-pool``: write the judging pools."""
    parser = argparse.ArgumentParser(prog="nlp-iom gold search-pool",
                                     description="Pool every ranking's top passages for each information need.")
    parser.add_argument("-o", "--output", type=Path, default=POOL)
    parser.add_argument("--depth", type=int, default=20)
    args = parser.parse_args(argv)
    rows = pool_rows(args.depth)
    write_jsonl(args.output, rows)
    sizes = sorted(len(r["passages"]) for r in rows)
    print(f"{len(rows)} needs, {sum(sizes)} passages to judge (median {sizes[len(sizes) // 2]}) -> {args.output}")
    return 0


# --- judgments ---

PASSES = (SEARCH_GOLD / "pass_a.jsonl", SEARCH_GOLD / "pass_b.jsonl")
ADJUDICATION = SEARCH_GOLD / "adjudication.jsonl"
QRELS = SEARCH_GOLD / "qrels.jsonl"
AGREEMENT = SEARCH_GOLD / "agreement.json"


def _grades(path: Path) -> dict[tuple[str, str], int]:
    return {(row["need"], pid): int(grade) for row in load_jsonl(path) for pid, grade in row["grades"].items()}


def agreement(first: dict[tuple[str, str], int], second: dict[tuple[str, str], int]) -> dict[str, Any]:
    """Agreement of two judging passes over the same (need, passage) pairs, before adjudication.

    Exact agreement and Cohen's kappa on the three grades, on relevance (grade ≥ 1) and on grade 2,
    and Krippendorff's alpha (ordinal) on the grades.
    """
    import krippendorff
    import numpy as np

    from nlp_iom.evaluation.scoring import cohen_kappa

    keys = sorted(first)
    if set(keys) != set(second):
        raise ValueError("the passes judged different (need, passage) pairs")
    a = [first[k] for k in keys]
    b = [second[k] for k in keys]
    alpha = float(krippendorff.alpha(reliability_data=np.array([a, b]), level_of_measurement="ordinal"))
    return {
        "pairs": len(keys),
        "exact": round(sum(x == y for x, y in zip(a, b)) / len(keys), 4),
        "kappa_grades": round(cohen_kappa(a, b), 4),
        "kappa_relevant": round(cohen_kappa([x >= 1 for x in a], [y >= 1 for y in b]), 4),
        "kappa_grade2": round(cohen_kappa([x == 2 for x in a], [y == 2 for y in b]), 4),
        "alpha_ordinal": round(alpha, 4),
        "disagreements": sum(x != y for x, y in zip(a, b)),
    }


def qrels_rows(passes: tuple[Path, Path] = PASSES, adjudication: Path = ADJUDICATION) -> list[dict[str, Any]]:
    """The gold judgments: the grade both passes gave, else the adjudicated one (with its reason).

    Raises:
        ValueError: A disagreement without an adjudication, or an adjudication of an agreed pair.
    """
    first, second = _grades(passes[0]), _grades(passes[1])
    decided = {(r["need"], r["passage"]): r for r in load_jsonl(adjudication)} if adjudication.is_file() else {}
    rows = []
    for key in sorted(first):
        if first[key] == second[key]:
            if key in decided:
                raise ValueError(f"{key} is adjudicated but both passes agree")
            rows.append({"need": key[0], "passage": key[1], "grade": first[key], "source": "agreed"})
        elif key in decided:
            rows.append({"need": key[0], "passage": key[1], "grade": int(decided[key]["grade"]),
                         "source": "adjudicated"})
        else:
            raise ValueError(f"{key}: the passes disagree ({first[key]} vs {second[key]}) and nothing is adjudicated")
    return rows


def main_qrels(argv: list[str] | None = None) -> int:
    """``nlp-iom gold search-qrels``: agreement of the passes, and the adjudicated qrels."""
    parser = argparse.ArgumentParser(prog="nlp-iom gold search-qrels",
                                     description="Merge the two judging passes and the adjudication into qrels.jsonl.")
    parser.add_argument("-o", "--output", type=Path, default=QRELS)
    parser.add_argument("--agreement", type=Path, default=AGREEMENT)
    args = parser.parse_args(argv)
    stats = agreement(_grades(PASSES[0]), _grades(PASSES[1]))
    args.agreement.write_text(json.dumps(stats, indent=1) + "\n", encoding="utf-8")
    rows = qrels_rows()
    write_jsonl(args.output, rows)
    print(json.dumps(stats))
    print(f"{len(rows)} judgments -> {args.output}")
    return 0
