"""Draw the sentence pools of the NER gold sets: the LAW test pool and the web-text pool.

    nlp-iom gold ner-law-pool [-o corpora/ner_gold/law_pool.jsonl]
    nlp-iom gold ner-web-pool [-o corpora/ner_gold/web/pool.jsonl]

**LAW test pool** (``law_pool.jsonl``), from text no NER rule was tuned on. Issue #3 left the held-out
LAW score (13 mentions) as the only unbiased estimate of the law rules, and new law rules were then
written after reading those held-out misses. This pool is the next, untouched test: sentences from
sources in neither ``gold.jsonl`` nor ``heldout.jsonl`` (UD Indonesian-CSUI train and GSD dev; the
Indonesian NER sets' news sentences, rebuilt from their tokens, whose PER/ORG/LOC tags train the
statistical models but which have no LAW tags and were never read for rules; the UN rapporteur report
and the Lagon testimony outside the held-out sentences; the Indonesian PDFs not used elsewhere), chosen
by legal cue words so that the pool is dense in laws, plus cue-less sentences for false alarms. Fixed
seed; the sampling never looks at what the NER stack predicts.

**Web pool** (``web/pool.jsonl``), from ``../shared/texts/web``: up to two sentences per web excerpt (8
to 60 words, at least one capitalised word after the first, so that most sentences name something),
drawn with a fixed seed; each sentence keeps its file, and takes the dev/test split of that document in
the coding gold (``corpora/classify_gold/gold.jsonl``, split by source), so that a document is test for
every component or for none.

Both read ``../shared`` beside the checkout (the repository root is found from this file).
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
NER_GOLD = ROOT / "corpora" / "ner_gold"
SHARED = ROOT.parent / "shared"
WEB = SHARED / "texts" / "web"

LAW_SEED = 20261204
CUES = {
    "en": re.compile(r"\b(?:Acts?|Law|Bill|Convention|Covenant|Declaration|Protocol|[Rr]esolution|Decree|Ordinance|"
                     r"Code|Constitution|Charter|Treaty|Regulations?|Guidelines|Principles|Statute)\b"),
    "id": re.compile(r"\b(?:Undang|UU|Peraturan|Perpres|Perppu|Perda|Permen\w*|Keputusan|Keppres|Inpres|Konvensi|"
                     r"Protokol|Deklarasi|Piagam|Kovenan|Instruksi|KUHP|UUD)\b"),
}
#: Sentences drawn per language: with a legal cue, and without one (false alarms).
WITH_CUE = {"en": 70, "id": 70}
WITHOUT_CUE = {"en": 20, "id": 20}
UD_FILES = (
    "ud_id/UD_Indonesian-CSUI/id_csui-ud-train.conllu",
    "ud_id/UD_Indonesian-GSD/id_gsd-ud-dev.conllu",
)
#: Indonesian NER sets (cased news) whose sentences join the Indonesian pool (NERP is lower-cased).
NER_PARTS = (("nergrit", "train"), ("nergrit", "dev"), ("nergrit", "test"), ("idner", "train"), ("idner", "dev"),
             ("idner", "test"), ("nerugm", "full"), ("nerui", "full"))
PDFS = {
    "en": ("pdfs/en/un_A_70_266_special_rapporteur_assembly_association_2015.pdf",
           "pdfs/en/lagon_2015_testimony_tip_tier_rankings.pdf"),
    "id": ("pdfs/id/ienaco2014_spk_sig_bantuan_korban_banjir.pdf",
           "pdfs/id/jurnal_analisis_sinkronisasi_whatsapp_poltekpos.pdf",
           "pdfs/id/ui_skripsi_2017_srl_bahasa_indonesia_bilingual.pdf"),
}
MIN_CHARS, MAX_CHARS = 40, 400

WEB_SEED = 20261206
PER_FILE = 2
CAPITALISED = re.compile(r"\s[A-Z][\w'’.-]+")


# --- LAW test pool ---

def _ud_sentences(path: Path) -> list[tuple[str, str]]:
    out, sent_id = [], ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# sent_id = "):
            sent_id = line.split("= ", 1)[1]
        elif line.startswith("# text = "):
            out.append((sent_id, line.split("= ", 1)[1].strip()))
    return out


def _ner_sentences(dataset: str, split: str) -> list[tuple[str, str]]:
    from nlp_iom.training.ner_data import guess_spaces, read_split

    sentences, _ = read_split(dataset, split)
    return [(f"{split}{i}", "".join(w + (" " if space else "") for w, space in zip(s.words, guess_spaces(s.words))))
            for i, s in enumerate(sentences)]


def _pdf_sentences(path: Path, language: str) -> list[tuple[str, str]]:
    from nlp_iom import read
    from nlp_iom.extract.tables import TableSettings
    from nlp_iom.ner.sentences import split_sentences

    # the pool was drawn before OCR, tables and footnotes were taken out of the text: read as then
    document = read(path, ocr="off", tables=TableSettings(enabled=False), footnotes=False)
    out = []
    for i, passage in enumerate(p for p in document.passages if p.zone == "body"):
        for j, (a, b) in enumerate(split_sentences(passage.text, language)):
            out.append((f"p{i}s{j}", " ".join(passage.text[a:b].split())))
    return out


def law_candidates() -> dict[str, list[dict[str, str]]]:
    """Every usable sentence per language, minus those already in the gold and held-out sets."""
    from nlp_iom.training.ner_data import split_path

    used = {json.loads(line)["text"] for name in ("gold.jsonl", "heldout.jsonl")
            for line in (NER_GOLD / name).read_text(encoding="utf-8").splitlines() if line.strip()}
    pools: dict[str, list[dict[str, str]]] = {"en": [], "id": []}
    sources = [("id", SHARED / "data" / f, _ud_sentences(SHARED / "data" / f)) for f in UD_FILES]
    sources += [("id", split_path(name, split, root=SHARED / "data").resolve(), _ner_sentences(name, split))
                for name, split in NER_PARTS]
    sources += [(lang, SHARED / f, _pdf_sentences(SHARED / f, lang)) for lang, files in PDFS.items() for f in files]
    for language, path, sentences in sources:
        for key, text in sentences:
            if MIN_CHARS <= len(text) <= MAX_CHARS and text not in used:
                pools[language].append({"text": text, "lang": language, "key": key,
                                        "source": "../shared/" + str(path.relative_to(SHARED))})
    return pools


def draw_law_pool(pools: dict[str, list[dict[str, str]]], seed: int = LAW_SEED) -> list[dict[str, str]]:
    """The fixed-seed sample: cue sentences and cue-less ones per language, deduplicated."""
    rng = random.Random(seed)
    chosen: list[dict[str, str]] = []
    for language in ("en", "id"):
        seen: set[str] = set()
        unique = [r for r in pools[language] if not (r["text"] in seen or seen.add(r["text"]))]  # type: ignore[func-returns-value]
        cue = [r for r in unique if CUES[language].search(r["text"])]
        plain = [r for r in unique if not CUES[language].search(r["text"])]
        picked = rng.sample(cue, min(WITH_CUE[language], len(cue))) + rng.sample(plain, WITHOUT_CUE[language])
        rng.shuffle(picked)
        chosen.extend(picked)
    for n, record in enumerate(chosen):
        record["id"] = f"nerlaw-{record['lang']}-{n:03d}"
    return chosen


def main_law(argv: list[str] | None = None) -> int:
    """``nlp-iom gold ner-law-pool``: write the LAW test pool."""
    parser = argparse.ArgumentParser(prog="nlp-iom gold ner-law-pool",
                                     description="Draw the fresh LAW test pool (law_pool.jsonl) from text no NER rule was tuned on.")
    parser.add_argument("-o", "--output", type=Path, default=NER_GOLD / "law_pool.jsonl")
    args = parser.parse_args(argv)
    pools = law_candidates()
    rows = draw_law_pool(pools)
    with args.output.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps({k: r[k] for k in ("id", "text", "lang", "source", "key")}, ensure_ascii=False) + "\n")
    cue_counts = {lang: sum(bool(CUES[lang].search(r["text"])) for r in pool) for lang, pool in pools.items()}
    print(f"{len(rows)} sentences -> {args.output}; candidates {({k: len(v) for k, v in pools.items()})}, with cue {cue_counts}")
    return 0


# --- web pool ---

def web_splits() -> dict[str, str]:
    """Web file stem -> ``dev``/``test``, from the coding gold's split by source."""
    from nlp_iom.training.classify_gold import GOLD as CODING_GOLD
    from nlp_iom.training.classify_gold import load_jsonl

    return {row["doc"][4:]: row["split"] for row in load_jsonl(CODING_GOLD) if row["doc"].startswith("web/")}


def body_of(path: Path) -> str:
    """The excerpt without its YAML header."""
    text = path.read_text(encoding="utf-8")
    return text.split("---", 2)[2] if text.startswith("---") else text


def web_candidates(path: Path, language: str) -> list[str]:
    """Sentences of one excerpt that may go into the pool."""
    from nlp_iom.ner.sentences import split_sentences

    text = body_of(path)
    out = []
    for start, end in split_sentences(text, "id" if language == "id" else "en"):
        sentence = " ".join(text[start:end].split())
        words = sentence.split()
        if 8 <= len(words) <= 60 and CAPITALISED.search(sentence) and "[email]" not in sentence:
            out.append(sentence)
    return out


def web_pool(seed: int = WEB_SEED) -> list[dict[str, str]]:
    """The fixed-seed draw: up to :data:`PER_FILE` sentences of every web excerpt, in text order."""
    rng = random.Random(seed)
    split = web_splits()
    rows = []
    for path in sorted(WEB.glob("*_*.md")):
        language = path.stem.split("_")[0]
        pool = web_candidates(path, language)
        for k, sentence in enumerate(sorted(rng.sample(pool, min(PER_FILE, len(pool))), key=pool.index)):
            rows.append({"id": f"nerweb-{path.stem}-{k}", "text": sentence, "lang": language,
                         "source": f"../shared/texts/web/{path.name}", "split": split.get(path.stem, "dev")})
    return rows


def main_web(argv: list[str] | None = None) -> int:
    """``nlp-iom gold ner-web-pool``: write the web-text pool."""
    return _pool_command(argv, "ner-web-pool", "the web-text sentence pool of the NER domain gold from ../shared/texts/web",
                         NER_GOLD / "web" / "pool.jsonl", web_pool, "excerpts")


def _pool_command(argv: list[str] | None, command: str, what: str, default: Path,
                  build: Callable[[], list[dict[str, str]]], sources: str) -> int:
    """A ``nlp-iom gold <command>`` that draws ``what`` with ``build`` and writes it (``-o``, default ``default``)."""
    parser = argparse.ArgumentParser(prog=f"nlp-iom gold {command}", description=f"Draw {what}.")
    parser.add_argument("-o", "--output", type=Path, default=default)
    args = parser.parse_args(argv)
    write_pool(build(), args.output, sources)
    return 0


def write_pool(rows: list[dict[str, str]], output: Path, sources: str) -> None:
    """Write a sentence pool as JSON lines and print its size, languages and test share."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} sentences from {len({r['source'] for r in rows})} {sources}; "
          f"{sum(r['lang'] == 'id' for r in rows)} id; {sum(r['split'] == 'test' for r in rows)} test")


# --- PDF pool ---

PDF_DEV = SHARED / "pdfs" / "dev"
PDF_SEED = 20261207
#: Sentences drawn per language, and at most this many from one PDF (so that many documents count).
PDF_PER_LANGUAGE = 127
PDF_PER_FILE = 9


def pdf_splits() -> dict[str, str]:
    """Dev/test of each development PDF, as the extraction gold splits them (by document)."""
    raw = json.loads((ROOT / "corpora" / "extract_gold" / "split.json").read_text(encoding="utf-8"))
    return {name.removesuffix(".json"): split for name, split in raw.items()}


def pdf_candidates(path: Path) -> list[tuple[str, str]]:
    """``(language, sentence)`` of the body passages of one PDF that may go into the pool (no OCR)."""
    from nlp_iom.errors import InputError
    from nlp_iom.ner.sentences import split_sentences
    from nlp_iom.reader import read

    try:
        document = read(path, ocr="off", max_seconds=120)
    except InputError:
        return []
    out = []
    for passage in document.body_passages():
        if passage.language not in ("id", "en"):
            continue
        for start, end in split_sentences(passage.text, passage.language):
            sentence = " ".join(passage.text[start:end].split())
            if 8 <= len(sentence.split()) <= 60 and CAPITALISED.search(sentence):
                out.append((passage.language, sentence))
    return out


def pdf_pool(seed: int = PDF_SEED) -> list[dict[str, str]]:
    """The fixed-seed draw: up to :data:`PDF_PER_FILE` sentences a PDF, :data:`PDF_PER_LANGUAGE` a language."""
    rng = random.Random(seed)
    split = pdf_splits()
    chosen: dict[str, list[dict[str, str]]] = {"id": [], "en": []}
    files = sorted(PDF_DEV.glob("*.pdf"))
    rng.shuffle(files)
    for path in files:
        by_language: dict[str, list[str]] = {"id": [], "en": []}
        for language, sentence in pdf_candidates(path):
            by_language[language].append(sentence)
        for language, pool in by_language.items():
            room = PDF_PER_LANGUAGE - len(chosen[language])
            for k, sentence in enumerate(sorted(rng.sample(pool, min(PDF_PER_FILE, len(pool), max(room, 0))),
                                                key=pool.index)):
                chosen[language].append({"id": f"nerpdf-{path.stem}-{language}{k}", "text": sentence,
                                         "lang": language, "source": f"../shared/pdfs/dev/{path.name}",
                                         "split": split.get(path.stem, "dev")})
    return sorted(chosen["id"] + chosen["en"], key=lambda row: row["id"])


def main_pdf(argv: list[str] | None = None) -> int:
    """``nlp-iom gold ner-pdf-pool``: write the development-PDF pool."""
    return _pool_command(argv, "ner-pdf-pool", "the PDF sentence pool of the NER domain gold from ../shared/pdfs/dev",
                         NER_GOLD / "pdf" / "pool.jsonl", pdf_pool, "PDFs")
