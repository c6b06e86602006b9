"""Build the passage corpus and the judging pools of the search gold (``corpora/search_gold/``).

    nlp-iom gold search-passages [-o corpora/search_gold/passages.jsonl]
    nlp-iom gold search-pool [-o corpora/search_gold/pool.jsonl] [--depth 20]

**Corpus.** Every passage of the coding gold (``corpora/classify_gold/gold.jsonl``: web excerpts,
development PDFs, the seeds, shared PDFs and texts) plus every other body passage of the shared PDFs on
international organisations, migration, trafficking and labour law (:data:`FULL_SOURCES`), read with
``nlp_iom.read`` and cut as the coding pools cut them. The extra passages are written to
``passages.jsonl`` with their source file, page and section, so the corpus does not change when
extraction does; :func:`~nlp_iom.training.search_gold.corpus_rows` joins both files. Passages whose text is
already in the corpus are left out.

**Pool.** Each query is run against the corpus in every ranking the evaluation compares (vector, BM25,
BM25 with the bilingual glossary, RRF hybrid and the weighted fusion); the union of their top
``--depth`` passages, over both language forms of an information need, is what the judges see
(``pool.jsonl``: one row per need with its queries and passage ids). The committed pool has two rounds:
``passages``, drawn with the rankers of the first judging round, and ``round2``, the passages the later
rankers (the glossary gloss on the vector side, the refitted fusion) brought into a top ``--depth``; a
fresh draw with today's rankers covers both, less a few of round 1's.

The judgments and the corpus as a whole are in :mod:`nlp_iom.training.search_gold`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from nlp_iom.training.classify_gold import write_jsonl
from nlp_iom.training.search_gold import FIELDS, PASSAGES, POOL, QUERIES, _key, gold_rows

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
    from nlp_iom.training.search_gold import corpus_rows

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
