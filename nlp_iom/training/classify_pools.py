"""Draw the passage pools of the classification gold corpus and assemble its ``gold.jsonl``.

    nlp-iom gold classify-pool [-o corpora/classify_gold/passages.jsonl]
    nlp-iom gold classify-web-pool [-o corpora/classify_gold/batch2/passages.jsonl]
    nlp-iom gold classify-gold [-o corpora/classify_gold/gold.jsonl] [--composition corpora/classify_gold/composition.json]

The pools need ``../shared`` beside the checkout (the repository root is found from this file). Each draw
is deterministic (fixed seed), so a file can be rebuilt and compared. Coding passes refer to passages by
id only.

**Batch 1** (``passages.jsonl``): one passage per line with an id, its text, its language, source file,
page and section. Units are body passages as ``nlp_iom.read`` produces them (the unit the classifier
labels at run time); passages longer than :data:`MAX_WORDS` are cut at sentence ends into pieces of about
:data:`TARGET_WORDS` words, passages shorter than :data:`MIN_WORDS` are dropped. Abstracts count as
passages too. Sentences of the Indonesian PUD treebank are grouped by source article into passages.

**Batch 2** (``batch2/passages.jsonl``): the same fields plus ``doc`` (the document a passage belongs to,
the unit of the by-document splits), ``kind`` (journal, skripsi, io_page, ngo_page, news, government,
report, regulation, other) and, for web pages, ``url`` and ``site``. Web excerpts
(``../shared/texts/web``): every paragraph; paragraphs shorter than :data:`WEB_JOIN_WORDS` words are
joined to the next one, longer than :data:`MAX_WORDS` cut at sentence ends. Development PDFs
(``../shared/pdfs/dev``): a quota of body passages per file, read with ``nlp_iom.read``.

**Gold** (:mod:`nlp_iom.evaluation.classify` reads it): batch 1 (``gold_batch1.jsonl``, 505 passages,
coded and adjudicated earlier) and batch 2 (``batch2/passages.jsonl`` with ``batch2/pass_a.jsonl``,
``pass_b.jsonl`` and ``adjudication.jsonl``) become one ``gold.jsonl``. Each row gets ``doc`` (its
document), ``source_group`` (web site, file or treebank: the unit of the test split), ``kind``, ``batch``
and ``split`` (``dev`` / ``test``, from :func:`nlp_iom.training.classify_gold.assign_test_split`). The
command also writes the corpus composition (``composition.json``) and prints its summary.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from collections import Counter
from pathlib import Path
from typing import Any

from nlp_iom.training.classify_gold import (
    GOLD,
    GOLD_DIR,
    ROOT,
    assign_test_split,
    composition,
    document_of,
    load_jsonl,
    source_of,
    write_jsonl,
)

MIN_WORDS = 12
MAX_WORDS = 220
TARGET_WORDS = 120
#: table residue and footnote lines come out as "und"/"mixed"/other languages: not passages to code
LANGUAGES = {"id", "en"}

SEED = 20261122
#: source (relative to the repository root) -> (short code, how many passages to draw; None = all)
SOURCES: dict[str, tuple[str, int | None]] = {
    "seeds/000_5c98c16164753270.txt": ("S0", None),
    "seeds/002_7a37dfcb71e53d69.txt": ("S2", None),
    "../shared/texts/scorecarddiplomacy_case_indonesia.md": ("TI", None),
    "../shared/texts/scorecarddiplomacy_case_malaysia.md": ("TM", None),
    "../shared/texts/scorecarddiplomacy_human-trafficking_overview.md": ("TO", None),
    "../shared/pdfs/en/lagon_2015_testimony_tip_tier_rankings.pdf": ("LG", 36),
    "../shared/pdfs/en/un_A_70_266_special_rapporteur_assembly_association_2015.pdf": ("UN", 44),
    "../shared/pdfs/en/mmner_acl2019.pdf": ("MM", 6),
    "../shared/pdfs/en/s2orc_N18-3011.pdf": ("SN", 5),
    "../shared/pdfs/en/grobid_Wang-paperAVE2008.pdf": ("GW", 4),
    "../shared/pdfs/id/perda_diy_6_2025_pencegahan_penanganan_korban_perdagangan_orang.pdf": ("PD", 110),
    "../shared/pdfs/id/pmi_strategy_report_C_supply_mapping.pdf": ("PC", 24),
    "../shared/pdfs/id/pmi_strategy_report_D_curriculum_transformation.pdf": ("PR", 24),
    "../shared/pdfs/id/ienaco2014_spk_sig_bantuan_korban_banjir.pdf": ("IE", 14),
    "../shared/pdfs/id/jurnal_analisis_sinkronisasi_whatsapp_poltekpos.pdf": ("WA", 10),
    "../shared/pdfs/id/ui_skripsi_2017_srl_bahasa_indonesia_bilingual.pdf": ("UI", 6),
}
PUD = "../shared/data/ud_id/UD_Indonesian-PUD/id_pud-ud-test.conllu"
PUD_PASSAGES = 56
#: PUD articles mentioning these (lower-cased) are preferred; the rest of the PUD draw is random.
PUD_TOPICAL = re.compile(
    r"pbb|perserikatan|organisasi|pemerintah|menteri|kementerian|migran|pengungsi|imigra|"
    r"perjanjian|konvensi|undang-undang|hukum|kerja sama|bantuan|komisi|dewan|uni eropa|nato"
)

WEB = ROOT.parent / "shared" / "texts" / "web"
DEV = "../shared/pdfs/dev/"
WEB_SEED = 20261206
#: development PDFs on international organisations, labour migration and law get larger quotas
DEV_QUOTAS: dict[str, int] = {
    "en_report_iom_2023_hoa_reintegration_evaluation.pdf": 50,
    "en_report_iom_isp_2023_case_management_reintegration.pdf": 40,
    "en_report_iom_2025_migration_data_asiapacific.pdf": 26,
    "en_report_iom_2024_aap_evaluation_brief.pdf": 8,
    "en_report_ned_2015_stifling_public_sphere.pdf": 30,
    "en_paper_jme_2020_migration_costs_returns.pdf": 6,
    "id_regulasi_uu_2003_13_ketenagakerjaan.pdf": 80,
    "id_regulasi_uu_1974_1_perkawinan.pdf": 20,
    "id_regulasi_perdes_paselloreng_2023_pendirian_bumdes.pdf": 10,
}
OTHER_QUOTA = 6
#: Passages that ../shared/heldout_guard/check.py flags (they share text with the hidden sets): left out.
EXCLUDED = frozenset({"cg-Wen_028-04"})
#: web paragraphs shorter than this are joined to the next one
WEB_JOIN_WORDS = 25
KINDS = {"regulasi": "regulation", "jurnal": "journal", "paper": "journal", "report": "report",
         "skripsi": "skripsi", "ta": "skripsi", "tesis": "skripsi", "scan": "other"}

BATCH2 = GOLD_DIR / "batch2"
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


def _shown(path: Path) -> Path:
    """``path`` relative to the repository root when it lies inside it (as printed), else as given."""
    try:
        return path.resolve().relative_to(ROOT)
    except ValueError:
        return path


def _parser(command: str, description: str, output: Path) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"nlp-iom gold {command}", description=description)
    parser.add_argument("-o", "--output", type=Path, default=output, help=f"default: {_shown(output)}")
    return parser


# --- passages of documents ---

def _chunks(text: str, language: str) -> list[str]:
    """Cut a long passage at sentence ends into pieces of about TARGET_WORDS words."""
    from nlp_iom.ner.sentences import split_sentences

    words = len(text.split())
    if words <= MAX_WORDS:
        return [text]
    lang = "id" if language == "id" else "en"
    sentences = [text[a:b] for a, b in split_sentences(text, lang)]
    pieces: list[str] = []
    current: list[str] = []
    for sentence in sentences:
        current.append(sentence.strip())
        if sum(len(s.split()) for s in current) >= TARGET_WORDS:
            pieces.append(" ".join(current))
            current = []
    if current:
        if pieces and sum(len(s.split()) for s in current) < MIN_WORDS * 2:
            pieces[-1] = pieces[-1] + " " + " ".join(current)
        else:
            pieces.append(" ".join(current))
    return pieces


def _document_units(source: str, **read_options: Any) -> list[dict[str, object]]:
    from nlp_iom import read

    document = read(ROOT / source, **read_options)
    units: list[dict[str, object]] = []
    for abstract in document.abstracts:
        units.append({"text": " ".join(abstract.text.split()), "lang": abstract.language,
                      "page": abstract.page, "section": "abstract"})
    for passage in document.body_passages():
        text = " ".join(passage.text.split())
        for piece in _chunks(text, passage.language):
            units.append({
                "text": piece,
                "lang": passage.language,
                "page": passage.pages[0] if passage.pages else None,
                "section": " > ".join(passage.section_path[-2:]),
            })
    return [u for u in units if len(str(u["text"]).split()) >= MIN_WORDS
            and u["lang"] in LANGUAGES and not str(u["text"]).startswith("[^")]


# --- batch 1 ---

def _pud_units() -> list[dict[str, object]]:
    articles: dict[str, list[str]] = {}
    sent_id = ""
    for line in (ROOT / PUD).read_text(encoding="utf-8").splitlines():
        if line.startswith("# sent_id = "):
            sent_id = line.split("=", 1)[1].strip()
        elif line.startswith("# text = "):
            articles.setdefault(sent_id[:6], []).append(line.split("=", 1)[1].strip())
    units = []
    for article, sentences in articles.items():
        for i in range(0, len(sentences), 4):
            text = " ".join(sentences[i:i + 4])
            if len(text.split()) >= MIN_WORDS:
                units.append({"text": text, "lang": "id", "page": None, "section": f"PUD {article}"})
    return units


def build_pool() -> list[dict[str, object]]:
    """Draw batch 1; returns the rows in file order."""
    rng = random.Random(SEED)
    rows: list[dict[str, object]] = []
    seen: set[str] = set()
    for source, (code, quota) in SOURCES.items():
        if not (ROOT / source).exists():
            raise SystemExit(f"missing source {source}: run from a checkout with ../shared beside it")
        units = _document_units(source)
        picked = list(range(len(units))) if quota is None or quota >= len(units) else sorted(
            rng.sample(range(len(units)), quota))
        for index in picked:
            unit = units[index]
            key = hashlib.sha1(str(unit["text"]).encode()).hexdigest()
            if key in seen:
                continue
            seen.add(key)
            rows.append({"id": f"cg-{code}-{index:03d}", "source": source, **unit})
    pud = _pud_units()
    topical = [i for i, u in enumerate(pud) if PUD_TOPICAL.search(str(u["text"]).lower())]
    other = [i for i in range(len(pud)) if i not in set(topical)]
    n_topical = min(len(topical), PUD_PASSAGES * 3 // 4)
    picked = sorted(rng.sample(topical, n_topical) + rng.sample(other, PUD_PASSAGES - n_topical))
    for index in picked:
        rows.append({"id": f"cg-UD-{index:03d}", "source": PUD, **pud[index]})
    return rows


def main_pool(argv: list[str] | None = None) -> int:
    """``nlp-iom gold classify-pool``: write batch 1's passages."""
    parser = _parser("classify-pool", "Draw the passages of the classification gold corpus from real documents.",
                     GOLD_DIR / "passages.jsonl")
    args = parser.parse_args(argv)
    rows = build_pool()
    write_jsonl(args.output, rows)
    languages = dict(Counter(str(row["lang"]) for row in rows))
    print(f"{len(rows)} passages -> {_shown(args.output)}; languages {languages}")
    return 0


# --- batch 2 ---

def _front(text: str) -> tuple[dict[str, object], str]:
    """Split a web excerpt into its YAML header and body."""
    import yaml

    if text.startswith("---"):
        _, header, body = text.split("---", 2)
        return yaml.safe_load(header) or {}, body
    return {}, text


def web_units(path: Path) -> list[dict[str, object]]:
    """Passages of one web excerpt: paragraphs, short ones joined, long ones cut."""
    header, body = _front(path.read_text(encoding="utf-8"))
    lang = str(header.get("language", "en"))
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", body) if p.strip()]
    units: list[str] = []
    pending = ""
    for paragraph in paragraphs:
        pending = f"{pending} {paragraph}".strip()
        if len(pending.split()) >= WEB_JOIN_WORDS:
            units.extend(_chunks(pending, lang))
            pending = ""
    if pending:
        if units and len(pending.split()) < WEB_JOIN_WORDS and len(units[-1].split()) < MAX_WORDS:
            units[-1] = f"{units[-1]} {pending}"
        elif len(pending.split()) >= MIN_WORDS:
            units.append(pending)
    return [{"text": u, "lang": lang, "page": None, "section": str(header.get("title", ""))[:120],
             "kind": str(header.get("kind", "other")), "url": header.get("url"),
             "site": str(header.get("site", ""))} for u in units]


def build_web_pool() -> list[dict[str, object]]:
    """Draw batch 2; returns the rows in file order."""
    rng = random.Random(WEB_SEED)
    rows: list[dict[str, object]] = []
    seen: set[str] = set()

    def add(row: dict[str, object]) -> None:
        key = hashlib.sha1(str(row["text"]).encode()).hexdigest()
        if key not in seen and row["id"] not in EXCLUDED:
            seen.add(key)
            rows.append(row)

    for path in sorted(WEB.glob("*_*.md")):
        for index, unit in enumerate(web_units(path)):
            add({"id": f"cg-W{path.stem}-{index:02d}", "source": f"../shared/texts/web/{path.name}",
                 "doc": f"web/{path.stem}", **unit})
    for pdf in sorted((ROOT / DEV).glob("*.pdf")):
        if "_scan_" in pdf.name:
            continue
        try:
            units = _document_units(DEV + pdf.name, ocr="off")  # the pool was drawn before OCR existed
        except Exception as error:  # noqa: BLE001 - a file that cannot be read is reported, not fatal
            print(f"skip {pdf.name}: {error}")
            continue
        quota = DEV_QUOTAS.get(pdf.name, OTHER_QUOTA)
        picked = range(len(units)) if quota >= len(units) else sorted(rng.sample(range(len(units)), quota))
        kind = KINDS.get(pdf.name.split("_")[1], "other")
        for index in picked:
            add({"id": f"cg-D{pdf.stem[:40]}-{index:03d}", "source": DEV + pdf.name,
                 "doc": f"dev/{pdf.stem}", "kind": kind, **units[index]})
    return rows


def main_web_pool(argv: list[str] | None = None) -> int:
    """``nlp-iom gold classify-web-pool``: write batch 2's passages."""
    parser = _parser("classify-web-pool", "Draw the second batch of the classification gold pool: web excerpts "
                     "and the development PDFs.", BATCH2 / "passages.jsonl")
    args = parser.parse_args(argv)
    rows = build_web_pool()
    args.output.parent.mkdir(exist_ok=True)
    write_jsonl(args.output, rows)
    languages = dict(Counter(str(row["lang"]) for row in rows))
    print(f"{len(rows)} passages from {len({r['doc'] for r in rows})} documents -> "
          f"{_shown(args.output)}; languages {languages}")
    return 0


# --- gold ---

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
    for r in load_jsonl(GOLD_DIR / "gold_batch1.jsonl"):
        name = str(r["source"]).rsplit("/", 1)[-1]
        row = {k: r.get(k) for k in FIELDS}
        row.update(haas=r["haas"], ingo=r["ingo"], resolution=r.get("resolution"), doc=document_of(r),
                   source_group=source_of(r), kind=BATCH1_KINDS[name], batch="batch1")
        rows.append(row)
    return rows


def main_gold(argv: list[str] | None = None) -> int:
    """``nlp-iom gold classify-gold``: write ``gold.jsonl`` and ``composition.json``, print the summary."""
    from nlp_iom.coding.codebook import load_codebook

    parser = _parser("classify-gold", "Assemble gold.jsonl from both batches: adjudicated codes, documents, "
                     "sources and the test split.", GOLD)
    parser.add_argument("--composition", type=Path, default=GOLD_DIR / "composition.json",
                        help="where the counts per language, kind, split and code go")
    args = parser.parse_args(argv)
    rows = batch1_rows() + batch2_rows()
    split = assign_test_split(rows)
    for row in rows:
        row["split"] = split[row["source_group"]]
    write_jsonl(args.output, rows)
    books = {name: load_codebook(name).code_ids for name in ("haas", "ingo")}
    summary = {"all": composition(rows, books)}
    for part in ("dev", "test"):
        summary[part] = composition([r for r in rows if r["split"] == part], books)
    args.composition.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: {x: v[x] for x in ("passages", "documents", "sources", "languages", "no_code")}
                      for k, v in summary.items()}, indent=1))
    return 0
