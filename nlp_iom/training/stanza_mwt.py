"""Train and evaluate the shipped Indonesian stanza MWT expander (clitics: *menyetujuinya* -> *menyetujui nya*).

Reproduce the shipped model (about 30 s on a 2-core CPU, one thread)::

    nlp-iom train stanza-mwt --output models/stanza_id_tokenizer

Score it on the UD Indonesian test sets (CSUI, GSD, PUD)::

    nlp-iom train stanza-mwt evaluate

Data: the same as the shipped tokenizer (:mod:`nlp_iom.training.stanza_tokenizer`): UD_Indonesian-CSUI train and
UD_Indonesian-GSD dev, each split 90 % train / 10 % dev by stanza's ``split_train_file`` (seed 1234),
written by :func:`nlp_iom.training.stanza_tokenizer.prepare_data` with ``augment=False``, as stanza's own
``prepare_mwt_treebank`` does (it prepares the tokenizer data without augmentation). Then, as in
``prepare_mwt_treebank`` and ``stanza.utils.training.run_mwt``: the train gold conllu is the train input,
the dev gold conllu is contracted with ``contract_mwt`` into the dev input, ``--max_dec_len`` is
``ceil(1.1 * longest expansion + 1)``, and ``stanza.models.mwt_expander.main`` trains with stanza's
defaults (30 epochs, batch 50, dictionary ensembled with the neural model, the best dev epoch kept).

Evaluation, for each test set:

* *gold tokens*: the gold conllu is contracted (``contract_mwt``: each multi-word token becomes one
  token marked ``MWT=Yes``), the pipeline's ``mwt`` processor expands the marked tokens, and the
  accuracy is the share of gold MWTs whose predicted words equal the gold words exactly. The same is
  measured for the expander's dictionary alone and for a suffix rule (split a final
  ``nya/lah/kah/pun/ku/mu``).
* *end to end*: the ``# text`` lines joined with one space are run through the shipped tokenizer with
  and without the expander; the output (with stanza's fake dependencies) is scored against the gold
  conllu with stanza's UD scorer (``stanza.models.common.utils.ud_scores``, the CoNLL 2018 / UD
  evaluation script): Tokens, Sentences and Words F1.
"""

from __future__ import annotations

import argparse
import copy
import datetime as _dt
import io
import json
import logging
import math
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from nlp_iom.errors import ModelNotFoundError
from nlp_iom.training import stanza_tokenizer as TS
from nlp_iom.evaluation.sentences import TEST_FILES, one_thread, print_evaluation, read_texts

DEFAULT_OUTPUT = TS.DEFAULT_OUTPUT
MODEL_FILE = "id_iom_mwt_expander.pt"
RECORD_FILE = "mwt_training.json"
DEFAULT_EPOCHS = 30  # stanza's default --num_epoch
#: Indonesian clitics split off the end of a word in UD Indonesian (the suffix-rule baseline).
CLITIC_SUFFIX = re.compile(r"^(.+?)(nya|lah|kah|pun|ku|mu)$", re.IGNORECASE)

logger = logging.getLogger("nlp_iom.train_stanza_mwt")


# --------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------


def prepare_mwt_data(data: Path, workdir: Path) -> dict[str, Any]:
    """Write stanza's MWT inputs to ``workdir`` (``train.in``, ``dev.in``, ``dev.gold``) and the decoder length.

    Args:
        data: The ``ud_id`` folder.
        workdir: A scratch folder; ``tokenize/`` and ``mwt/`` are made inside it.

    Returns:
        The paths ``train_in``, ``dev_in``, ``dev_gold`` and the counts ``max_dec_len``, ``n_train``,
        ``n_dev``, ``train_mwts``, ``dev_mwts``.
    """
    from stanza.utils.conll import CoNLL
    from stanza.utils.datasets.contract_mwt import contract_mwt
    from stanza.utils.max_mwt_length import max_mwt_length

    tok = TS.prepare_data(data, workdir / "tokenize", augment=False)
    mwt_dir = workdir / "mwt"
    mwt_dir.mkdir(parents=True, exist_ok=True)
    train_in = mwt_dir / f"{TS.SHORTHAND}.train.in.conllu"
    dev_gold = mwt_dir / f"{TS.SHORTHAND}.dev.gold.conllu"
    dev_in = mwt_dir / f"{TS.SHORTHAND}.dev.in.conllu"
    shutil.copyfile(workdir / "tokenize" / f"{TS.SHORTHAND}.train.gold.conllu", train_in)
    shutil.copyfile(tok["dev_gold"], dev_gold)
    contract_mwt(str(dev_gold), str(dev_in))
    max_len = max_mwt_length([str(tok["train_mwt"]), str(tok["dev_mwt"])])
    return {
        "train_in": train_in, "dev_in": dev_in, "dev_gold": dev_gold,
        "max_dec_len": math.ceil(max_len * 1.1 + 1),
        "n_train": tok["n_train"], "n_dev": tok["n_dev"],
        "train_mwts": len(CoNLL.conll2doc(str(train_in)).get_mwt_expansions(False)),
        "dev_mwts": len(CoNLL.conll2doc(str(dev_gold)).get_mwt_expansions(False)),
    }


def train(output: Path, data: Path, epochs: int = DEFAULT_EPOCHS, seed: int = 1234, workdir: Path | None = None,
          keep_workdir: bool = False) -> dict[str, Any]:
    """Prepare the data, train the expander with ``stanza.models.mwt_expander`` and write it to ``output``.

    Args:
        output: The model folder (the tokenizer's); gets :data:`MODEL_FILE` and :data:`RECORD_FILE`.
        data: The ``ud_id`` folder.
        epochs: ``--num_epoch``.
        seed: ``--seed``.
        workdir: Where to write stanza's prepared files (a temporary folder by default).
        keep_workdir: Keep a temporary ``workdir`` after training.

    Returns:
        The training record also written to ``output/mwt_training.json``.
    """
    one_thread()
    import torch
    from stanza.models import mwt_expander

    with TS.scratch_dir(workdir, "stanza_id_mwt_", keep_workdir) as workdir:
        files = prepare_mwt_data(data, workdir)
        ckpt_dir = workdir / "saved"
        args = [
            "--train_file", str(files["train_in"]), "--eval_file", str(files["dev_in"]),
            "--gold_file", str(files["dev_gold"]), "--lang", "id", "--shorthand", TS.SHORTHAND,
            "--mode", "train", "--max_dec_len", str(files["max_dec_len"]),
            "--save_dir", str(ckpt_dir), "--save_name", MODEL_FILE,
            "--num_epoch", str(epochs), "--seed", str(seed), "--cpu",
        ]
        captured, seconds = TS.run_stanza(mwt_expander.main, args, "stanza.models.mwt_expander.main")
        output.mkdir(parents=True, exist_ok=True)
        # drop the scratch paths stanza stores in the checkpoint's config; the weights are unchanged
        params = torch.load(ckpt_dir / MODEL_FILE, map_location="cpu", weights_only=True)
        params["config"] = {k: (v.replace(str(workdir), "<workdir>") if isinstance(v, str) else v)
                            for k, v in params["config"].items()}
        torch.save(params, output / MODEL_FILE, _use_new_zipfile_serialization=False)
        config = params["config"]
        keep = ("Dev F1", "dev_score", "Best dev", "Ensemble dev", "Train MWTs entirely")
        log = "\n".join(captured)
        found = {key: re.search(pat, log, re.MULTILINE) for key, pat in (
            ("dict", r"^Dev F1 = ([\d.]+)"), ("epoch", r"at epoch = (\d+)"),
            ("ensemble", r"Ensemble dev F1 = ([\d.]+)"))}
        dev_acc = _dev_accuracy(output, files["dev_gold"], workdir)
        record = {
            "date": _dt.date.today().isoformat(),
            "stanza": TS._stanza_version(),
            "train_sentences": files["n_train"], "dev_sentences": files["n_dev"],
            "train_mwts": files["train_mwts"], "dev_mwts": files["dev_mwts"],
            "epochs": epochs, "seed": seed, "max_dec_len": files["max_dec_len"],
            "force_exact_pieces": config.get("force_exact_pieces"), "num_layers": config.get("num_layers"),
            "hidden_dim": config.get("hidden_dim"), "emb_dim": config.get("emb_dim"),
            "ensemble_dict": config.get("ensemble_dict"), "dictionary_entries": len(params["dict"]),
            "train_seconds": round(seconds, 1), "threads": 1,
            "mwt_expander_args": args,
            "model_bytes": (output / MODEL_FILE).stat().st_size,
            "best_epoch": int(found["epoch"].group(1)) if found["epoch"] else None,
            "dev_words_f1_dictionary": float(found["dict"].group(1)) if found["dict"] else None,
            "dev_words_f1_ensemble": float(found["ensemble"].group(1)) if found["ensemble"] else None,
            "dev_mwt_accuracy": dev_acc,
            "dev_log": [m for m in captured if any(k in m for k in keep)],
            "command": f"nlp-iom train stanza-mwt --output {TS._rel(output)}"
                       + (f" --epochs {epochs}" if epochs != DEFAULT_EPOCHS else "")
                       + (f" --seed {seed}" if seed != 1234 else ""),
        }
        record = json.loads(json.dumps(record, default=str).replace(str(workdir), "<workdir>"))
        (output / RECORD_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        return record


def _dev_accuracy(output: Path, dev_gold: Path, workdir: Path) -> dict[str, Any] | None:
    """Exact-match accuracy on the dev MWTs (gold tokens) of the model just written, when a tokenizer is there."""
    from nlp_iom.ner import clitics

    try:
        pipeline = clitics.load_word_pipeline(output)
    except ModelNotFoundError as exc:  # no tokenizer in ``output`` yet: the record says so
        logger.warning("dev MWT accuracy not measured: %s", exc)
        return None
    res = gold_token_accuracy(pipeline, dev_gold, workdir)
    return {k: (round(100 * v, 2) if isinstance(v, float) else v) for k, v in res.items()}


# --------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------


def _expansions(doc: Any) -> list[tuple[str, tuple[str, ...]]]:
    """``(token text, word texts)`` for every multi-word token of a stanza document, in order."""
    return [(t.text, tuple(w.text for w in t.words)) for s in doc.sentences for t in s.tokens if len(t.words) > 1]


def _suffix_rule(token: str) -> tuple[str, ...]:
    m = CLITIC_SUFFIX.match(token)
    return (m.group(1), m.group(2)) if m else (token,)


def gold_token_accuracy(pipeline: Any, gold: Path, workdir: Path) -> dict[str, Any]:
    """Expand the gold multi-word tokens of ``gold`` with the pipeline's ``mwt`` processor.

    Args:
        pipeline: A ``tokenize,mwt`` stanza pipeline (only its ``mwt`` processor is used).
        gold: A gold UD conllu file.
        workdir: Scratch folder for the contracted file.

    Returns:
        ``n`` gold MWTs and the exact-match accuracy of the pipeline's expander (``expander``), of its
        dictionary alone (``dictionary``) and of the suffix rule (``suffix_rule``), plus a few errors.
    """
    from stanza.utils.conll import CoNLL
    from stanza.utils.datasets.contract_mwt import contract_mwt

    contracted = workdir / f"{gold.stem}.in.conllu"
    contract_mwt(str(gold), str(contracted))
    gold_pairs = _expansions(CoNLL.conll2doc(str(gold)))
    processor = pipeline.processors["mwt"]
    doc = CoNLL.conll2doc(str(contracted))
    marked = doc.get_mwt_expansions(evaluation=True)
    at = [(i, j) for i, s in enumerate(doc.sentences) for j, t in enumerate(s.tokens)
          if t.misc and "MWT=Yes" in t.misc.split("|")]  # the processor removes the mark
    pred_doc = processor.process(copy.deepcopy(doc))
    pred = [tuple(w.text for w in pred_doc.sentences[i].tokens[j].words) for i, j in at]
    dict_pred = [tuple(x.split()) for x in processor.trainer.predict_dict(marked)]
    if not (len(gold_pairs) == len(marked) == len(pred)):
        raise ValueError(f"{gold}: {len(gold_pairs)} gold MWTs, {len(marked)} marked, {len(pred)} predicted")
    n = len(gold_pairs)

    def acc(preds: list[tuple[str, ...]]) -> float:
        return sum(p == g for p, (_, g) in zip(preds, gold_pairs)) / n if n else 0.0

    errors = [f"{t}: {' '.join(p)} (gold {' '.join(g)})" for p, (t, g) in zip(pred, gold_pairs) if p != g]
    return {"n": n, "expander": acc(pred), "dictionary": acc(dict_pred),
            "suffix_rule": acc([_suffix_rule(t) for t, _ in gold_pairs]), "errors": errors[:10]}


def end_to_end(pipeline: Any, gold: Path) -> dict[str, float]:
    """Tokens, Sentences and Words F1 of ``pipeline`` on the joined ``# text`` of ``gold`` (UD scorer)."""
    from stanza.models.common.utils import ud_scores

    doc = pipeline(" ".join(read_texts(gold)))
    for sentence in doc.sentences:
        sentence.build_fake_dependencies()
    system = io.StringIO(f"{doc:C}\n\n")
    scores = ud_scores(str(gold), system)
    return {k: scores[k].f1 for k in ("Tokens", "Sentences", "Words")}


def evaluate(model: Path, data: Path, treebanks: list[str] | None = None) -> dict[str, Any]:
    """Score the tokenizer + expander in ``model`` on the UD Indonesian test sets.

    Args:
        model: The model folder (tokenizer and expander).
        data: The ``ud_id`` folder.
        treebanks: Keys of :data:`nlp_iom.evaluation.sentences.TEST_FILES` (all by default).

    Returns:
        A JSON-able record: per test set ``gold_tokens`` (see :func:`gold_token_accuracy`) and
        ``end_to_end`` for ``tokenize`` and ``tokenize,mwt``.
    """
    one_thread()
    from nlp_iom.ner import clitics, sentences

    logging.getLogger("stanza").setLevel(logging.WARNING)
    tok_file, mwt_file = sentences.find_model(model), clitics.find_mwt_model(model)
    if tok_file is None or mwt_file is None:
        raise FileNotFoundError(f"no tokenizer or MWT expander under {model}; train them first")
    with_mwt = clitics.load_word_pipeline(tok_file, mwt_file)
    without = sentences.load_stanza_pipeline(tok_file)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="stanza_id_mwt_eval_") as tmp:
        for name in treebanks or list(TEST_FILES):
            folder, fname = TEST_FILES[name]
            gold = data / folder / fname
            if not gold.is_file():
                raise FileNotFoundError(f"{gold} is missing; pass --data or set NLP_IOM_SHARED")
            start = time.time()
            results[name] = {
                "gold_tokens": gold_token_accuracy(with_mwt, gold, Path(tmp)),
                "end_to_end": {"tokenize": end_to_end(without, gold), "tokenize,mwt": end_to_end(with_mwt, gold)},
            }
            results[name]["seconds"] = round(time.time() - start, 1)
    return {"date": _dt.date.today().isoformat(), "machine": f"{os.cpu_count()}-core CPU, 1 torch thread",
            "results": results}


def format_report(record: dict[str, Any]) -> str:
    """A Markdown report of an :func:`evaluate` record."""
    res = record["results"]
    tbs = list(res)
    lines = [f"MWT expander, UD Indonesian test sets ({record['date']}, {record['machine']})", "",
             "| gold MWT tokens, exact-match accuracy | " + " | ".join(f"{tb} (n={res[tb]['gold_tokens']['n']})"
                                                          for tb in tbs) + " |",
             "|" + "---|" * (len(tbs) + 1)]
    for key, label in (("expander", "stanza MWT expander (shipped)"), ("dictionary", "its dictionary alone"),
                       ("suffix_rule", "suffix rule (-nya/-lah/-kah/-pun/-ku/-mu)")):
        lines.append(f"| {label} | " + " | ".join(f"{100 * res[tb]['gold_tokens'][key]:.1f}" for tb in tbs) + " |")
    lines += ["", "| end to end, F1 Tokens / Sentences / **Words** | " + " | ".join(tbs) + " |",
              "|" + "---|" * (len(tbs) + 1)]
    for system in ("tokenize", "tokenize,mwt"):
        cells = [res[tb]["end_to_end"][system] for tb in tbs]
        lines.append(f"| {system} | " + " | ".join(
            f"{100 * c['Tokens']:.2f} / {100 * c['Sentences']:.2f} / **{100 * c['Words']:.2f}**" for c in cells) + " |")
    for tb in tbs:
        if res[tb]["gold_tokens"]["errors"]:
            lines.append(f"\n{tb} expander errors (first 10): " + "; ".join(res[tb]["gold_tokens"]["errors"]))
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser of ``nlp-iom train stanza-mwt``."""
    parser = TS.command_parser("nlp-iom train stanza-mwt", (__doc__ or "").split("\n")[0])
    parser.add_argument("--epochs", type=int, default=DEFAULT_EPOCHS)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Train (default) or evaluate; see the module doc."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    data = TS.ud_root(args.data)
    if args.command == "train":
        record = train(args.output, data, epochs=args.epochs, seed=args.seed, workdir=args.workdir,
                       keep_workdir=args.workdir is not None)
        print(json.dumps({k: v for k, v in record.items() if k != "mwt_expander_args"}, indent=2))
        return 0
    record = evaluate(args.model, data, args.treebanks)
    return print_evaluation(format_report(record), record, args.json)
