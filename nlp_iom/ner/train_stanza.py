"""Train and evaluate the shipped Indonesian stanza tokenizer (sentence splitting and clitic MWTs).

Reproduce the shipped model (about 5 to 10 minutes on a 2-core CPU, one thread)::

    python -m nlp_iom.ner.train_stanza --output models/stanza_id_tokenizer

Measure sentence splitting on the UD Indonesian test sets, for the shipped stanza model, the
:mod:`nlp_iom.ner.sentences` API (the same model plus the abbreviation guard), spaCy's rule-based
``sentencizer`` on ``spacy.blank("id")``, nlp_iom's rule-based fallback and, where a user has them,
stanza's full downloaded Indonesian models, all in one run::

    python -m nlp_iom.ner.train_stanza evaluate

Data: ``<shared>/data/ud_id`` (``$NLP_IOM_SHARED`` or ``../shared/data`` beside the repository;
``--data`` overrides). Training uses stanza's own data preparation and training code:

* ``stanza.utils.datasets.prepare_tokenizer_treebank.split_train_file`` (seed 1234, ratio 0.1) splits
  UD_Indonesian-CSUI train and UD_Indonesian-GSD dev each into 90 % train / 10 % dev, the same split
  stanza's own ``process_partial_ud_treebank`` makes for CSUI; the dev parts (65 + 55 sentences) are
  used only for model selection (stanza's early stopping on dev score).
* ``augment_punct`` (stanza's train-set augmentation: apostrophes, quotes, ellipses, brackets) on the
  train part, ``common.convert_conllu_to_txt`` and ``common.prepare_tokenizer_dataset_labels`` to make
  the raw text, character labels and MWT json files.
* ``stanza.models.tokenizer.main`` with the arguments ``stanza.utils.training.run_tokenizer`` builds
  (``--max_seqlen`` from the average sentence length, ``--mwt_json_file`` of the dev set,
  ``--dev_conll_gold``), a fixed seed and a short schedule (``--steps``, default 2000).

Evaluation: for each test file the ``# text`` lines are joined with one space (the UD Indonesian
files have no ``# newdoc``/``# newpar`` marks, so each file is one running text); a sentence is its
end offset in that text (trailing spaces stripped), and precision/recall/F1 compare the predicted and
gold end offsets. The last offset of the file counts like any other.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import logging
import math
import os
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = ROOT / "models" / "stanza_id_tokenizer"
SHORTHAND = "id_iom"
MODEL_FILE = "id_iom_tokenizer.pt"
MWT_FILE = "id_iom-mwt.json"
TRAIN_FILES = {
    "csui": ("UD_Indonesian-CSUI", "id_csui-ud-train.conllu"),
    "gsd": ("UD_Indonesian-GSD", "id_gsd-ud-dev.conllu"),
}
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

logger = logging.getLogger("nlp_iom.train_stanza")


def ud_root(data: str | Path | None = None) -> Path:
    """The ``ud_id`` folder: the argument, else ``$NLP_IOM_SHARED/ud_id``, else ``../shared/data/ud_id``."""
    if data is not None:
        return Path(data)
    env = os.environ.get("NLP_IOM_SHARED")
    base = Path(env) if env else ROOT.parent / "shared" / "data"
    return base / "ud_id"


def _one_thread() -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(1)


# --------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------


def prepare_data(data: Path, workdir: Path, augment: bool = True) -> dict[str, Path]:
    """Write stanza's tokenizer inputs (``.txt``, ``.toklabels``, ``-mwt.json``, gold conllu) to ``workdir``."""
    from stanza.utils.datasets import common
    from stanza.utils.datasets.prepare_tokenizer_treebank import augment_punct, split_train_file

    workdir.mkdir(parents=True, exist_ok=True)
    train_sents: list[list[str]] = []
    dev_sents: list[list[str]] = []
    for key, (folder, name) in TRAIN_FILES.items():
        src = data / folder / name
        if not src.is_file():
            raise FileNotFoundError(f"{src} is missing; pass --data or set NLP_IOM_SHARED")
        tr, dv = workdir / f"{key}.train.conllu", workdir / f"{key}.dev.conllu"
        split_train_file(treebank=folder, train_input_conllu=str(src), train_output_conllu=str(tr),
                         dev_output_conllu=str(dv), xv_ratio=0.1)
        train_sents += common.read_sentences_from_conllu(str(tr))
        dev_sents += common.read_sentences_from_conllu(str(dv))
    random.seed(1234)
    train_sents = augment_punct(train_sents) if augment else train_sents  # stanza's MWT prep: no augment
    common.write_sentences_to_conllu(common.tokenizer_conllu_name(str(workdir), SHORTHAND, "train"), train_sents)
    common.write_sentences_to_conllu(common.tokenizer_conllu_name(str(workdir), SHORTHAND, "dev"), dev_sents)
    common.convert_conllu_to_txt(str(workdir), SHORTHAND, shards=("train", "dev"))
    for shard in ("train", "dev"):
        common.prepare_tokenizer_dataset_labels(f"{workdir}/{SHORTHAND}.{shard}.txt",
                                                common.tokenizer_conllu_name(str(workdir), SHORTHAND, shard),
                                                str(workdir), SHORTHAND, shard)
    logger.info("prepared %d train (augmented) and %d dev sentences in %s", len(train_sents), len(dev_sents), workdir)
    return {
        "train_txt": workdir / f"{SHORTHAND}.train.txt",
        "train_labels": workdir / f"{SHORTHAND}-ud-train.toklabels",
        "train_mwt": workdir / f"{SHORTHAND}-ud-train-mwt.json",
        "dev_txt": workdir / f"{SHORTHAND}.dev.txt",
        "dev_labels": workdir / f"{SHORTHAND}-ud-dev.toklabels",
        "dev_mwt": workdir / f"{SHORTHAND}-ud-dev-mwt.json",
        "dev_gold": Path(common.tokenizer_conllu_name(str(workdir), SHORTHAND, "dev")),
        "n_train": len(train_sents),  # type: ignore[dict-item]
        "n_dev": len(dev_sents),  # type: ignore[dict-item]
    }


def train(output: Path, data: Path, steps: int = 2000, seed: int = 1234, workdir: Path | None = None,
          keep_workdir: bool = False) -> dict:
    """Prepare the data and train the tokenizer with stanza's own code; return the training record."""
    _one_thread()
    from stanza.models import tokenizer
    from stanza.utils.avg_sent_len import avg_sent_len

    tmp = None
    if workdir is None:
        tmp = tempfile.mkdtemp(prefix="stanza_id_tok_")
        workdir = Path(tmp)
    try:
        files = prepare_data(data, workdir)
        seqlen = str(math.ceil(avg_sent_len(str(files["train_labels"])) * 3 / 100) * 100)
        ckpt_dir = workdir / "saved"
        args = [
            "--label_file", str(files["train_labels"]), "--txt_file", str(files["train_txt"]),
            "--lang", "id", "--max_seqlen", seqlen, "--mwt_json_file", str(files["dev_mwt"]),
            "--dev_txt_file", str(files["dev_txt"]), "--dev_label_file", str(files["dev_labels"]),
            "--dev_conll_gold", str(files["dev_gold"]), "--shorthand", SHORTHAND,
            "--save_dir", str(ckpt_dir), "--save_name", MODEL_FILE,
            "--steps", str(steps), "--eval_steps", "200", "--report_steps", "100",
            "--seed", str(seed), "--cpu",
        ]
        logger.info("stanza.models.tokenizer.main %s", " ".join(args))
        captured: list[str] = []
        handler = _ListHandler(captured)
        logging.getLogger("stanza").addHandler(handler)
        start = time.time()
        try:
            tokenizer.main(args)
        finally:
            logging.getLogger("stanza").removeHandler(handler)
        seconds = time.time() - start
        best = [m for m in captured if m.startswith("Best dev score")]
        dev_lines = [m for m in captured if "sentence F1" in m]
        output.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ckpt_dir / MODEL_FILE, output / MODEL_FILE)
        shutil.copyfile(files["train_mwt"], output / MWT_FILE)
        # an empty resources index: lets stanza.Pipeline load the model without stanza's resources dir
        (output / "resources.json").write_text("{}\n", encoding="utf-8")
        record = {  # workdir paths are replaced by <workdir> below
            "date": _dt.date.today().isoformat(),
            "stanza": _stanza_version(),
            "train_sentences_augmented": files["n_train"],
            "dev_sentences": files["n_dev"],
            "steps": steps,
            "max_seqlen": int(seqlen),
            "seed": seed,
            "train_seconds": round(seconds, 1),
            "threads": 1,
            "tokenizer_args": args,
            "model_bytes": (output / MODEL_FILE).stat().st_size,
            "best_dev": best[-1] if best else None,
            "dev_history": dev_lines,
            "command": f"python -m nlp_iom.ner.train_stanza --output {_rel(output)}"
                       + (f" --steps {steps}" if steps != 2000 else "") + (f" --seed {seed}" if seed != 1234 else ""),
        }
        record = json.loads(json.dumps(record, default=str).replace(str(workdir), "<workdir>"))
        (output / "training.json").write_text(json.dumps(record, indent=2, default=str) + "\n", encoding="utf-8")
        return record
    finally:
        if tmp is not None and not keep_workdir:
            shutil.rmtree(tmp, ignore_errors=True)


class _ListHandler(logging.Handler):
    def __init__(self, sink: list[str]):
        super().__init__(logging.INFO)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record.getMessage())


def _stanza_version() -> str:
    try:
        import stanza

        return stanza.__version__
    except ImportError:  # pragma: no cover
        return "missing"


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------


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
    _one_thread()
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


def command_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """The arguments the stanza training commands share (``train``/``evaluate``, folders, seed, report)."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("command", nargs="?", default="train", choices=["train", "evaluate"])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="model folder to write (train)")
    parser.add_argument("--model", type=Path, default=DEFAULT_OUTPUT, help="model folder to score (evaluate)")
    parser.add_argument("--data", type=Path, default=None, help="the ud_id folder (default ../shared/data/ud_id)")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--workdir", type=Path, default=None, help="keep stanza's prepared files here")
    parser.add_argument("--treebanks", nargs="*", choices=list(TEST_FILES), default=None)
    parser.add_argument("--json", type=Path, default=None, help="also write the evaluation record here")
    return parser


def print_evaluation(report: str, record: dict[str, Any], json_path: Path | None) -> int:
    """Print an evaluation report and, with ``json_path``, write its record there; return 0."""
    print(report)
    if json_path:
        json_path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = command_parser("python -m nlp_iom.ner.train_stanza", __doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=2000)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    data = ud_root(args.data)
    if args.command == "train":
        record = train(args.output, data, steps=args.steps, seed=args.seed, workdir=args.workdir,
                       keep_workdir=args.workdir is not None)
        print(json.dumps({k: v for k, v in record.items() if k != "tokenizer_args"}, indent=2))
        return 0
    record = evaluate(args.model, data, args.treebanks)
    return print_evaluation(format_report(record), record, args.json)

if __name__ == "__main__":
    sys.exit(main())
