"""Draw the passages of the classification gold corpus from real documents.

Run from the repository root (needs ``../shared`` beside it)::

    python corpora/classify_gold/build_pool.py

Writes ``corpora/classify_gold/passages.jsonl``: one passage per line with an id, its text, its
language, source file, page and section. The draw is deterministic (fixed seed), so the file can be
rebuilt and compared. Coding passes refer to passages by id only.

Units are body passages as ``nlp_iom.read`` produces them (the unit the classifier labels at run
time); passages longer than :data:`MAX_WORDS` are cut at sentence ends into pieces of about
:data:`TARGET_WORDS` words, passages shorter than :data:`MIN_WORDS` are dropped. Abstracts count as
passages too. Sentences of the Indonesian PUD treebank are grouped by source article into passages.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from nlp_iom import read  # noqa: E402
from nlp_iom.ner.sentences import split_sentences  # noqa: E402

SHARED = ROOT.parent / "shared"
OUT = Path(__file__).with_name("passages.jsonl")
SEED = 20261122
MIN_WORDS = 12
MAX_WORDS = 220
TARGET_WORDS = 120

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
#: table residue and footnote lines come out as "und"/"mixed"/other languages: not passages to code
LANGUAGES = {"id", "en"}
#: PUD articles mentioning these (lower-cased) are preferred; the rest of the PUD draw is random.
PUD_TOPICAL = re.compile(
    r"pbb|perserikatan|organisasi|pemerintah|menteri|kementerian|migran|pengungsi|imigra|"
    r"perjanjian|konvensi|undang-undang|hukum|kerja sama|bantuan|komisi|dewan|uni eropa|nato"
)


def _chunks(text: str, language: str) -> list[str]:
    """Cut a long passage at sentence ends into pieces of about TARGET_WORDS words."""
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


def _document_units(source: str, **read_options: object) -> list[dict[str, object]]:
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


def build() -> list[dict[str, object]]:
    """Draw the pool; returns the rows in file order."""
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


def main() -> int:
    rows = build()
    with OUT.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    languages: dict[str, int] = {}
    for row in rows:
        languages[str(row["lang"])] = languages.get(str(row["lang"]), 0) + 1
    print(f"{len(rows)} passages -> {OUT.relative_to(ROOT)}; languages {languages}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
