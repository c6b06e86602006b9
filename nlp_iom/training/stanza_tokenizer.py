"""Train and evaluate the shipped Indonesian stanza tokenizer (sentence splitting and clitic MWTs).

Reproduce the shipped model (about 5 to 10 minutes on a 2-core CPU, one thread)::

    nlp-iom train stanza-tokenizer --output models/stanza_id_tokenizer

Measure sentence splitting on the UD Indonesian test sets (:mod:`nlp_iom.evaluation.sentences`)::

    nlp-iom train stanza-tokenizer evaluate

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
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import json
import logging
import math
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from nlp_iom.evaluation.sentences import (
    TEST_FILES,
    evaluate,
    format_report,
    one_thread,
    print_evaluation,
)

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = ROOT / "models" / "stanza_id_tokenizer"
SHORTHAND = "id_iom"
MODEL_FILE = "id_iom_tokenizer.pt"
MWT_FILE = "id_iom-mwt.json"
TRAIN_FILES = {
    "csui": ("UD_Indonesian-CSUI", "id_csui-ud-train.conllu"),
    "gsd": ("UD_Indonesian-GSD", "id_gsd-ud-dev.conllu"),
}
logger = logging.getLogger("nlp_iom.train_stanza")


def ud_root(data: str | Path | None = None) -> Path:
    """The ``ud_id`` folder: the argument, else ``$NLP_IOM_SHARED/ud_id``, else ``../shared/data/ud_id``."""
    if data is not None:
        return Path(data)
    env = os.environ.get("NLP_IOM_SHARED")
    base = Path(env) if env else ROOT.parent / "shared" / "data"
    return base / "ud_id"


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
    one_thread()
    from stanza.models import tokenizer
    from stanza.utils.avg_sent_len import avg_sent_len

    with scratch_dir(workdir, "stanza_id_tok_", keep_workdir) as workdir:
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
        captured, seconds = run_stanza(tokenizer.main, args, "stanza.models.tokenizer.main")
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
            "command": f"nlp-iom train stanza-tokenizer --output {_rel(output)}"
                       + (f" --steps {steps}" if steps != 2000 else "") + (f" --seed {seed}" if seed != 1234 else ""),
        }
        record = json.loads(json.dumps(record, default=str).replace(str(workdir), "<workdir>"))
        (output / "training.json").write_text(json.dumps(record, indent=2, default=str) + "\n", encoding="utf-8")
        return record


@contextlib.contextmanager
def scratch_dir(workdir: Path | None, prefix: str, keep: bool = False) -> Iterator[Path]:
    """``workdir``, or a temporary folder removed afterwards unless ``keep``."""
    if workdir is not None:
        yield workdir
        return
    tmp = tempfile.mkdtemp(prefix=prefix)
    try:
        yield Path(tmp)
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


def run_stanza(main: Callable[[list[str]], object], args: list[str], name: str) -> tuple[list[str], float]:
    """Run a stanza trainer's ``main(args)``; return the messages stanza logged and the seconds it took."""
    logger.info("%s %s", name, " ".join(args))
    captured: list[str] = []
    handler = _ListHandler(captured)
    logging.getLogger("stanza").addHandler(handler)
    start = time.time()
    try:
        main(args)
    finally:
        logging.getLogger("stanza").removeHandler(handler)
    return captured, time.time() - start


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


def main(argv: list[str] | None = None) -> int:
    parser = command_parser("nlp-iom train stanza-tokenizer", __doc__.split("\n")[0])
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
