"""Assemble ``gold.jsonl`` from both batches: adjudicated codes, documents, sources and the test split.

    python corpora/classify_gold/build_gold.py

Batch 1 (``gold_batch1.jsonl``, 505 passages, coded and adjudicated earlier) and batch 2
(``batch2/passages.jsonl`` with ``batch2/pass_a.jsonl``, ``pass_b.jsonl`` and ``adjudication.jsonl``)
become one ``gold.jsonl``. Each row gets ``doc`` (its document), ``source_group`` (web site, file or
treebank: the unit of the test split), ``kind``, ``batch`` and ``split`` (``dev`` / ``test``, from
:func:`nlp_iom.training.classify_gold.assign_test_split`). It also prints the corpus composition and the
agreement of batch 2's passes before adjudication.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from nlp_iom.coding.codebook import load_codebook  # noqa: E402
from nlp_iom.training.classify_gold import (  # noqa: E402
    assign_test_split,
    composition,
    document_of,
    load_jsonl,
    source_of,
    write_jsonl,
)

HERE = Path(__file__).parent
BATCH2 = HERE / "batch2"
#: kind of each batch-1 source file (batch 2 rows carry their own)
BATCH1_KINDS = {
    "000_5c98c16164753270.txt": "journal", "002_7a37dfcb71e53d69.txt": "skripsi",
    "scorecarddiplomacy_case_indonesia.md": "other", "scorecarddiplomacy_case_malaysia.md": "other",
    "scorecarddiplomacy_human-trafficking_overview.md": "other",
    "lagon_2015_testimony_tip_tier_rankings.pdf": "government",
    "un_A_70_266_special_rapporteur_assembly_association_2015.pdf": "report",
    "perda_diy_6_2025_pencegahan_penanganan_korban_perdagangan_orang.pdf": "regulation",
    "pmi_strategy_report_C_supply_mapping.pdf": "report", "pmi_strategy_report_D_curriculum_transformation.pdf": "report",
    "ienaco2014_spk_sig_bantuan_korban_banjir.pdf": "journal",
    "jurnal_analisis_sinkronisasi_whatsapp_poltekpos.pdf": "journal", "mmner_acl2019.pdf": "journal",
    "s2orc_N18-3011.pdf": "journal", "grobid_Wang-paperAVE2008.pdf": "journal",
    "ui_skripsi_2017_srl_bahasa_indonesia_bilingual.pdf": "skripsi", "id_pud-ud-test.conllu": "news",
}
FIELDS = ("id", "text", "lang", "source", "page", "section", "url")


def batch2_rows() -> list[dict[str, object]]:
    """Batch 2 with final codes: agreed passes, else the adjudication."""
    passages = load_jsonl(BATCH2 / "passages.jsonl")
    a, b = load_jsonl(BATCH2 / "pass_a.jsonl"), load_jsonl(BATCH2 / "pass_b.jsonl")
    adjudicated = {r["id"]: r for r in load_jsonl(BATCH2 / "adjudication.jsonl")} if (
        BATCH2 / "adjudication.jsonl").exists() else {}
    rows = []
    for p, x, y in zip(passages, a, b, strict=True):
        if not p["id"] == x["id"] == y["id"]:
            raise SystemExit(f"pass files out of order at {p['id']}")
        agreed = sorted(x["haas"]) == sorted(y["haas"]) and sorted(x["ingo"]) == sorted(y["ingo"])
        if not agreed and p["id"] not in adjudicated:
            raise SystemExit(f"{p['id']}: passes differ and there is no adjudication")
        final = x if agreed else adjudicated[p["id"]]
        row = {k: p.get(k) for k in FIELDS}
        row.update(haas=final["haas"], ingo=final["ingo"], resolution="agreed" if agreed else "adjudicated",
                   doc=p["doc"], source_group=source_of(p, p.get("site") or None), kind=p["kind"], batch="batch2")
        rows.append(row)
    return rows


def batch1_rows() -> list[dict[str, object]]:
    """Batch 1 gold with its documents and sources."""
    rows = []
    for r in load_jsonl(HERE / "gold_batch1.jsonl"):
        name = str(r["source"]).rsplit("/", 1)[-1]
        row = {k: r.get(k) for k in FIELDS}
        row.update(haas=r["haas"], ingo=r["ingo"], resolution=r.get("resolution"), doc=document_of(r),
                   source_group=source_of(r), kind=BATCH1_KINDS[name], batch="batch1")
        rows.append(row)
    return rows


def main() -> int:
    rows = batch1_rows() + batch2_rows()
    split = assign_test_split(rows)
    for row in rows:
        row["split"] = split[row["source_group"]]
    write_jsonl(HERE / "gold.jsonl", rows)
    books = {name: load_codebook(name).code_ids for name in ("haas", "ingo")}
    summary = {"all": composition(rows, books)}
    for part in ("dev", "test"):
        summary[part] = composition([r for r in rows if r["split"] == part], books)
    (HERE / "composition.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: {x: v[x] for x in ("passages", "documents", "sources", "languages", "no_code")}
                      for k, v in summary.items()}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
