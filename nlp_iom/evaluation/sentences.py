"""Sentence-splitting evaluation on the UD Indonesian test sets, for every available splitter.

Compared in one run: the shipped stanza model, the :mod:`nlp_iom.ner.sentences` API (the same
model plus the abbreviation guard), spaCy's rule-based ``sentencizer`` on ``spacy.blank("id")``,
nlp_iom's rule-based fallback and, where a user has them, stanza's full downloaded Indonesian
models. Run through ``nlp-iom train stanza-tokenizer evaluate`` (:mod:`nlp_iom.training.stanza_tokenizer`).

Evaluation: for each test file the ``# text`` lines are joined with one space (the UD Indonesian
files have no ``# newdoc``/``# newpar`` marks, so each file is one running text); a sentence is its
end offset in that text (trailing spaces stripped), and precision/recall/F1 compare the predicted and
gold end offsets. The last offset of the file counts like any other.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

TEST_FILES = {
    "CSUI test": ("UD_Indonesian-CSUI", "id_csui-ud-test.conllu"),
    "GSD test": ("UD_Indonesian-GSD", "id_gsd-ud-test.conllu"),
    "PUD test": ("UD_Indonesian-PUD", "id_pud-ud-test.conllu"),
}
#: Real-looking sentences with abbreviations that must stay inside one sentence.
ABBREVIATION_CASES: list[tuple[str, int]] = [
    ("UU No. 21 Tahun 2007 berlaku di Kab. Sambas. Penelitian Nugrahaningsih dkk. (2020) membahasnya.", 2),
    ("Kantor IOM berada di Jl. Sudirman No. 5, Kec. Menteng, Kab. Bogor, Prov. Jawa Barat. "
     "Kepala kantornya adalah Dr. Budi Santoso, S.H., M.Si. yang ditunjuk tahun lalu.", 2),
    ("Menurut Prof. Hikmahanto, pengungsi dilindungi UU No. 6 Tahun 2011 tentang Keimigrasian. "
     "Lihat juga Wahyudi dkk. (2019, hlm. 45) untuk rincian.", 2),
    ("Bantuan berupa beras, minyak, dll. dikirim ke Kab. Aceh Timur. Warga menerimanya pada Senin.", 2),
    ("Penelitian ini mengikuti Nugrahaningsih dkk. Mereka mewawancarai 40 pengungsi.", 2),
]


def one_thread() -> None:
    """Run torch (and stanza) on one CPU thread, as the measurements in the model card were."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(1)


def read_texts(conllu: Path) -> list[str]:
    """The ``# text`` line of each sentence, in file order."""
    texts = []
    with open(conllu, encoding="utf-8") as f:
        for line in f:
            if line.startswith("# text = "):
                texts.append(line[len("# text = "):].rstrip("\n").strip())
    return texts


def gold_document(conllu: Path) -> tuple[str, set[int]]:
    """The running text (sentences joined with one space) and the gold sentence end offsets."""
    parts, ends, pos = [], set(), 0
    for text in read_texts(conllu):
        if parts:
            pos += 1
        parts.append(text)
        pos += len(text)
        ends.add(pos)
    return " ".join(parts), ends


def _ends(text: str, spans: Iterable[tuple[int, int]]) -> set[int]:
    out = set()
    for start, end in spans:
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            out.add(end)
    return out


@dataclass
class Score:
    tp: int = 0
    n_pred: int = 0
    n_gold: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(text: str, gold: set[int], spans: Iterable[tuple[int, int]]) -> Score:
    pred = _ends(text, spans)
    return Score(tp=len(pred & gold), n_pred=len(pred), n_gold=len(gold))


def spacy_sentencizer_splitter() -> Callable[[str], list[tuple[int, int]]]:
    import spacy

    nlp = spacy.blank("id")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 5_000_000

    def split(text: str) -> list[tuple[int, int]]:
        return [(s.start_char, s.end_char) for s in nlp(text).sents]

    return split


def systems(model: Path) -> dict[str, Callable[[str], list[tuple[int, int]]] | str]:
    """The compared splitters; a string value says why that system is not available."""
    from nlp_iom.ner import sentences as S

    out: dict[str, Callable[[str], list[tuple[int, int]]] | str] = {}
    model_file = S.find_model(model)
    if model_file is None:
        out["stanza shipped (raw)"] = f"no model under {model}"
        out["nlp_iom split_sentences (stanza + guard)"] = f"no model under {model}"
    else:
        pipe = S.load_stanza_pipeline(model_file)
        out["stanza shipped (raw)"] = lambda t: S.stanza_spans(pipe, t)
        out["nlp_iom split_sentences (stanza + guard)"] = lambda t: S.guard_abbreviations(t, S.stanza_spans(pipe, t))
    out["spaCy sentencizer (blank id)"] = spacy_sentencizer_splitter()
    out["nlp_iom rule-based fallback"] = S.rule_based_spans
    full = S.load_full_stanza_pipeline()
    if full is None:
        out["stanza full downloaded id models"] = "not installed in stanza's resources dir"
    else:
        out["stanza full downloaded id models"] = lambda t: S.stanza_spans(full, t)
    return out


def evaluate(model: Path, data: Path, treebanks: list[str] | None = None) -> dict:
    """Score every system on every test treebank; return a JSON-able record."""
    one_thread()
    logging.getLogger("stanza").setLevel(logging.WARNING)
    names = treebanks or list(TEST_FILES)
    docs = {}
    for name in names:
        folder, fname = TEST_FILES[name]
        path = data / folder / fname
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing; pass --data or set NLP_IOM_SHARED")
        docs[name] = gold_document(path)
    results: dict[str, dict] = {}
    for sys_name, split in systems(model).items():
        results[sys_name] = {}
        for tb, (text, gold) in docs.items():
            if isinstance(split, str):
                results[sys_name][tb] = {"unavailable": split}
                continue
            start = time.time()
            s = score(text, gold, split(text))
            s.seconds = time.time() - start
            results[sys_name][tb] = {"precision": s.precision, "recall": s.recall, "f1": s.f1, "tp": s.tp,
                                     "pred": s.n_pred, "gold": s.n_gold, "seconds": round(s.seconds, 2)}
    abbrev = abbreviation_check(model)
    return {"date": _dt.date.today().isoformat(), "machine": f"{os.cpu_count()}-core CPU, 1 torch thread",
            "results": results, "abbreviations": abbrev}


def abbreviation_check(model: Path) -> dict:
    """Split the abbreviation cases with every system; report the sentences and whether the count is right."""
    out: dict[str, list[dict]] = {}
    for sys_name, split in systems(model).items():
        if isinstance(split, str):
            continue
        rows = []
        for text, expected in ABBREVIATION_CASES:
            sents = [text[a:b] for a, b in split(text)]
            rows.append({"text": text, "expected": expected, "got": len(sents), "ok": len(sents) == expected,
                         "sentences": sents})
        out[sys_name] = rows
    return out


def format_report(record: dict) -> str:
    lines = [f"Sentence splitting, end-offset P/R/F1 ({record['date']}, {record['machine']})", ""]
    tbs = list(next(iter(record["results"].values())).keys())
    header = "| system | " + " | ".join(f"{tb} P / R / F1" for tb in tbs) + " |"
    lines += [header, "|" + "---|" * (len(tbs) + 1)]
    for sys_name, per in record["results"].items():
        cells = []
        for tb in tbs:
            r = per[tb]
            cells.append(r["unavailable"] if "unavailable" in r else
                         f"{100 * r['precision']:.1f} / {100 * r['recall']:.1f} / **{100 * r['f1']:.1f}**")
        lines.append(f"| {sys_name} | " + " | ".join(cells) + " |")
    lines += ["", "Abbreviation cases (expected sentence count; '⏎' marks a predicted boundary):"]
    for sys_name, rows in record["abbreviations"].items():
        ok = sum(r["ok"] for r in rows)
        lines.append(f"- {sys_name}: {ok}/{len(rows)} right")
        for r in rows:
            if not r["ok"] or sys_name.startswith("nlp_iom split"):
                lines.append(f"    {'ok ' if r['ok'] else 'BAD'} {r['got']}/{r['expected']}: " + " ⏎ ".join(r["sentences"]))
    return "\n".join(lines)



def print_evaluation(report: str, record: dict[str, Any], json_path: Path | None) -> int:
    """Print an evaluation report and, with ``json_path``, write its record there; return 0."""
    print(report)
    if json_path:
        json_path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


__all__ = [
    "ABBREVIATION_CASES",
    "TEST_FILES",
    "Score",
    "abbreviation_check",
    "evaluate",
    "format_report",
    "gold_document",
    "one_thread",
    "print_evaluation",
    "read_texts",
    "score",
    "spacy_sentencizer_splitter",
    "systems",
]
