"""Draw the second batch of the classification gold pool: web excerpts and the development PDFs.

Run from the repository root (needs ``../shared`` beside it)::

    python corpora/classify_gold/build_pool_web.py

Writes ``corpora/classify_gold/batch2/passages.jsonl`` with the same fields as ``passages.jsonl``
(``id``, ``source``, ``text``, ``lang``, ``page``, ``section``) plus ``doc`` (the document a passage
belongs to, the unit of the by-document splits), ``kind`` (journal, skripsi, io_page, ngo_page,
news, government, report, regulation, other) and, for web pages, ``url`` and ``site``. Deterministic
(fixed seed).

Web excerpts (``../shared/texts/web``): every paragraph; paragraphs shorter than :data:`MIN_WORDS`
words are joined to the next one, longer than :data:`MAX_WORDS` cut at sentence ends. Development
PDFs (``../shared/pdfs/dev``): a quota of body passages per file, read with ``nlp_iom.read``.
"""

from __future__ import annotations

import hashlib
import random
import re
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from build_pool import MAX_WORDS, MIN_WORDS, _chunks, _document_units  # noqa: E402

from nlp_iom.training.classify_gold import write_jsonl  # noqa: E402

WEB = ROOT.parent / "shared" / "texts" / "web"
DEV = "../shared/pdfs/dev/"
OUT = Path(__file__).with_name("batch2") / "passages.jsonl"
SEED = 20261206

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


def _front(text: str) -> tuple[dict[str, object], str]:
    """Split a web excerpt into its YAML header and body."""
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


def build() -> list[dict[str, object]]:
    """Draw the pool; returns the rows in file order."""
    rng = random.Random(SEED)
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


def main() -> int:
    rows = build()
    OUT.parent.mkdir(exist_ok=True)
    write_jsonl(OUT, rows)
    languages = dict(Counter(str(row["lang"]) for row in rows))
    print(f"{len(rows)} passages from {len({r['doc'] for r in rows})} documents -> "
          f"{OUT.relative_to(ROOT)}; languages {languages}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
