"""Train and evaluate the Indonesian CNN NER (spaCy tok2vec + ner, efficiency config).

Two commands::

    nlp-iom train ner-cnn cnn --output models/ner_id_cnn
    nlp-iom train ner-cnn folds --dataset nerui      # or nerugm

``cnn`` builds the committed model: PER/ORG/LOC from NER-UI (full), NER-UGM (full),
NERGrit train and IDNer-news-2k train; dev (early stopping, model choice) = NERGrit valid +
IDNer dev; test = NERGrit test and IDNer test. With ``--nerp auto`` (default) it trains once
without and once with NERP train (lower-cased news) and keeps the better one on dev.
``folds`` runs IndoLEM's 5-fold protocol on one set with its own labels (NER-UGM keeps
TIME as DATE and QUANTITY as QTY) and stores the scores next to the model. Both commands
rewrite the model card ``README.md`` from ``scores.json`` and ``folds.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from nlp_iom.errors import ConfigError

from nlp_iom.training.ner_data import FOLDS, Sentence, entity_counts, guess_spaces, read_split, to_doc, write_docbin
from nlp_iom.ner.labels import CORE_LABELS, IDNER, NERGRIT, NERP, NERUGM, NERUI, own_labels

CONFIG_PATH = Path(__file__).resolve().parent / "configs" / "ner_id_cnn.cfg"
DEFAULT_OUTPUT = Path("models/ner_id_cnn")
SCORES_FILE = "scores.json"
FOLDS_FILE = "folds.json"
MACHINE = "2-core CPU"
FOLD_DATASETS = (NERUI, NERUGM)
NERP_CHOICES = ("auto", "with", "without")
#: The committed model's training sets: (set, split).
CNN_TRAIN: tuple[tuple[str, str], ...] = ((NERUI, "full"), (NERUGM, "full"), (NERGRIT, "train"), (IDNER, "train"))
CNN_DEV: tuple[tuple[str, str], ...] = ((NERGRIT, "dev"), (IDNER, "dev"))
CNN_TEST: tuple[tuple[str, str], ...] = ((NERGRIT, "test"), (IDNER, "test"))


@dataclass(frozen=True)
class TrainSettings:
    """Budget and seed of one spaCy training run (passed as config overrides).

    Attributes:
        max_steps: ``training.max_steps``: hard limit on optimizer steps.
        eval_frequency: ``training.eval_frequency``: steps between dev evaluations.
        patience: ``training.patience``: stop after this many steps without a better dev score.
        batch_size: ``nlp.batch_size``: docs per batch when the pipeline runs (evaluation).
        seed: ``system.seed``.
    """

    max_steps: int = 6000
    eval_frequency: int = 250
    patience: int = 2000
    batch_size: int = 256
    seed: int = 42

    def __post_init__(self) -> None:
        for name in ("max_steps", "eval_frequency", "patience", "batch_size"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ConfigError(name, f"must be a positive integer, got {getattr(self, name)!r}")
        if self.eval_frequency > self.max_steps:
            raise ConfigError("eval_frequency", f"must not exceed max_steps ({self.max_steps}), got {self.eval_frequency}")
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ConfigError("seed", f"must be a non-negative integer, got {self.seed!r}")

    def overrides(self) -> dict[str, object]:
        """Return the spaCy config overrides for these settings."""
        return {
            "training.max_steps": self.max_steps,
            "training.eval_frequency": self.eval_frequency,
            "training.patience": self.patience,
            "nlp.batch_size": self.batch_size,
            "system.seed": self.seed,
        }


#: Budgets measured to fit the brief on a 2-core CPU: ~3 min per fold, <= ~10 min per final run.
FOLD_SETTINGS = TrainSettings(max_steps=1500, eval_frequency=250, patience=1000)
CNN_SETTINGS = TrainSettings(max_steps=4000, eval_frequency=400, patience=2000)


SOURCES = (
    ("NER-UI (IndoLEM, `nerui/`)", "full set", "CC BY 4.0"),
    ("NER-UGM (IndoLEM, `nerugm/`)", "full set", "CC BY 4.0"),
    ("NERGrit (IndoNLU, `nergrit_ner-grit/`)", "train; valid = dev; test", "Apache-2.0 (IndoNLU); credit to the NERGrit contributors"),
    ("IDNer-news-2k (`idner-news-2k/`)", "train; dev; test", "MIT"),
)
NERP_SOURCE = ("NERP (IndoNLU, `nerp_ner-prosa/`)", "train", "CC BY-SA 4.0")
#: Published IndoBERT-base F1 (Koto et al., COLING 2020, IndoLEM), not measured here.
PUBLISHED_INDOBERT = {NERUI: 90.1, NERUGM: 74.9}


def _score_rows(result: dict[str, object]) -> list[str]:
    rows = [f"| {label} | {v['p']:.2f} | {v['r']:.2f} | {v['f']:.2f} | {v['gold']} |"
            for label, v in result["per_type"].items()]  # type: ignore[union-attr]
    return rows + [f"| **micro** | {result['p']:.2f} | {result['r']:.2f} | **{result['f']:.2f}** | |"]


def render_card(scores: dict, folds: dict) -> str:  # type: ignore[type-arg]
    """Render the model card (Markdown) from ``scores.json`` and ``folds.json`` contents."""
    nerp = scores["nerp"]
    sources = SOURCES + ((NERP_SOURCE,) if nerp["chosen"] == "with" else ())
    lines = [
        "# ner_id_cnn: Indonesian CNN NER (PER, ORG, LOC)", "",
        "spaCy pipeline `tok2vec` + `ner` from spaCy's efficiency NER config for `id` "
        "(`nlp_iom/training/configs/ner_id_cnn.cfg`), hash embeddings only, no pretrained vectors, "
        f"seed {scores['settings']['seed']}. Size on disk: {scores['size_bytes'] / 1e6:.1f} MB. "
        "Load with `spacy.load(\"models/ner_id_cnn\")`.", "",
        "## Rebuild", "", "```", scores["command"], "```", "",
        f"Measured {scores['date']} on a {scores['machine']} (no GPU). Settings (spaCy overrides): "
        + ", ".join(f"`{k}={v}`" for k, v in scores["settings"].items()) + ".", "",
        "## Data", "", "| source | used | licence |", "|---|---|---|",
        *[f"| {name} | {used} | {licence} |" for name, used, licence in sources], "",
        "Every set is mapped to PER/ORG/LOC (`nlp_iom/ner/labels.py`); NER-UGM TIME/QUANTITY and "
        f"NERP EVT/FNB become O. {scores['train_sentences']} training sentences "
        f"({', '.join(f'{k} {v}' for k, v in sorted(scores['train_entities'].items()))} mentions); "
        f"dev = NERGrit valid + IDNer dev ({scores['dev_sentences']} sentences).", "",
        "### NERP (lower-cased news): measured on dev", "", "| variant | train sentences | dev P | dev R | dev F1 | train time |",
        "|---|---|---|---|---|---|",
        *[f"| {name} NERP | {run['train_sentences']} | {run['dev']['p']:.2f} | {run['dev']['r']:.2f} | "
          f"{run['dev']['f']:.2f} | {run['train_seconds'] / 60:.1f} min |" for name, run in nerp["runs"].items()], "",
        f"Kept: **{nerp['chosen']} NERP**" + (" (higher dev F1)." if len(nerp["runs"]) > 1 else "."), "",
        "## Test scores", "", "Entity level, exact span and type, spaCy `Scorer`, gold tokenisation.", "",
    ]
    for dataset, result in scores["test"].items():
        lines += [f"### {dataset} test ({result['sentences']} sentences)", "", "| label | P | R | F1 | gold mentions |",
                  "|---|---|---|---|---|", *_score_rows(result), ""]
    if folds:
        lines += ["## IndoLEM 5-fold protocol", "",
                  "Same config; fold k train, dev for early stopping, fold k test; each set with its own labels "
                  "(NER-UGM: TIME as DATE, QUANTITY as QTY). Micro F1 per fold:", "",
                  "| set | labels | " + " | ".join(f"fold {k}" for k in FOLDS) + " | mean ± sd | IndoBERT-base (published) |",
                  "|---|---|" + "---|" * (len(FOLDS) + 2)]
        for dataset, summary in folds.items():
            per_fold = " | ".join(f"{item['f']:.2f}" for item in summary["folds"])
            lines.append(f"| {dataset} | {', '.join(summary['labels'])} | {per_fold} | "
                         f"**{summary['mean_f']:.2f}** ± {summary['stdev_f']:.2f} | {PUBLISHED_INDOBERT[dataset]} |")
        lines += ["", "IndoBERT-base figures are the published IndoLEM results (Koto et al., COLING 2020), "
                  "not measured here. Fold runs: " + "; ".join(
                      f"{d} `{s['command']}`, {sum(i['train_seconds'] for i in s['folds']) / 60:.1f} min of training, "
                      f"settings {s['settings']}, {s['date']}, {s['machine']}" for d, s in folds.items()) + ".", ""]
    lines += ["## Limits", "",
              "Trained on news and Wikipedia text; scores above are on those domains, not on academic papers. "
              "Predicts PER, ORG, LOC only (no dates, amounts, laws). Derived from the sets above: keep their "
              "licences and credits with the model.", ""]
    with_nerp = scores.get("nerp", {}).get("chosen") == "with"  # type: ignore[union-attr]
    lines += ["## Licence", "",
              f"Distributed under **{'CC BY-SA 4.0' if with_nerp else 'CC BY 4.0'}** (recorded in `meta.json`), "
              "with credit to the data sets above"
              + (": NERP's ShareAlike terms carry over; rebuild with `--nerp without` to avoid them." if with_nerp else "."),
              ""]
    lines += ["## On the domain gold sets", "",
              "In nlp_iom the model runs with the domain layer (`nlp_iom.ner.pipelines`). Its scores on the "
              "hand-annotated domain gold sets (held-out, tuned gold, web excerpts split by document, laws, text in "
              "capitals), alone and with the domain layer, are in the generated card `corpora/ner_gold/CARD.md` "
              "(`nlp-iom evaluate ner-card`).", ""]
    return "\n".join(lines)


def read_parts(parts: tuple[tuple[str, str], ...], keep: tuple[str, ...], fold: int | None = None) -> list[Sentence]:
    """Read and concatenate several (set, split) parts, printing what each contributed."""
    sentences: list[Sentence] = []
    for dataset, split in parts:
        part, report = read_split(dataset, split, fold if split != "full" else None, keep)
        print(f"  {dataset} {split}: {report.sentences} sentences, {report.skipped} skipped, "
              f"{report.repaired_tags} I- tags repaired", file=sys.stderr)
        sentences.extend(part)
    return sentences


def train_pipeline(train: list[Sentence], dev: list[Sentence], output: Path, settings: TrainSettings) -> float:
    """Train a pipeline with :data:`CONFIG_PATH` and copy ``model-best`` to ``output``.

    Args:
        train: Training sentences.
        dev: Dev sentences (scored every ``eval_frequency`` steps; the best is kept).
        output: Folder that receives the best pipeline (replaced if present).
        settings: Step budget and seed.

    Returns:
        Wall-clock seconds of the training.
    """
    from spacy.cli.train import train as spacy_train

    with tempfile.TemporaryDirectory(prefix="ner_id_") as tmp:
        work = Path(tmp)
        write_docbin(train, work / "train.spacy")
        write_docbin(dev, work / "dev.spacy")
        overrides = {"paths.train": str(work / "train.spacy"), "paths.dev": str(work / "dev.spacy")}
        overrides.update(settings.overrides())
        start = time.perf_counter()
        spacy_train(CONFIG_PATH, work / "run", use_gpu=-1, overrides=overrides)
        seconds = time.perf_counter() - start
        if output.exists():
            shutil.rmtree(output)
        shutil.copytree(work / "run" / "model-best", output)
    return seconds


def evaluate(model: object, sentences: list[Sentence]) -> dict[str, object]:
    """Score a pipeline on gold-tokenised sentences with spaCy's scorer (entity level, exact spans).

    Args:
        model: A loaded spaCy ``Language`` or a path to one.
        sentences: Gold sentences.

    Returns:
        ``p``, ``r``, ``f`` (micro, in %), ``per_type`` ({label: {p, r, f, gold}}) and ``sentences``.
    """
    import spacy
    from spacy.tokens import Doc
    from spacy.training import Example

    nlp = spacy.load(model) if isinstance(model, (str, Path)) else model
    examples = [
        Example(Doc(nlp.vocab, words=list(s.words), spaces=guess_spaces(s.words)), to_doc(nlp.vocab, s))
        for s in sentences
    ]
    scores = nlp.evaluate(examples)
    gold = entity_counts(sentences)
    per_type = {
        label: {key: round(100 * value[key], 2) for key in ("p", "r", "f")} | {"gold": gold.get(label, 0)}
        for label, value in sorted((scores.get("ents_per_type") or {}).items())
    }
    return {
        "p": round(100 * scores["ents_p"], 2),
        "r": round(100 * scores["ents_r"], 2),
        "f": round(100 * scores["ents_f"], 2),
        "per_type": per_type,
        "sentences": len(sentences),
    }


def _load_json(path: Path) -> dict[str, object]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _write_json(path: Path, data: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


#: Version written into the model's meta.json.
MODEL_VERSION = "0.1.0"
#: Data sets and their licences, for meta.json (the model inherits the strictest: NERP's ShareAlike).
SOURCE_LICENCES = (
    ("NER-UI (IndoLEM)", "CC BY 4.0"),
    ("NER-UGM (IndoLEM)", "CC BY 4.0"),
    ("NERGrit (IndoNLU)", "Apache-2.0, credit to the NERGrit contributors"),
    ("IDNer-news-2k", "MIT"),
    ("NERP (IndoNLU)", "CC BY-SA 4.0"),
)


def _write_meta(output: Path, with_nerp: bool) -> None:
    """Name, version, licence and sources in the pipeline's meta.json."""
    path = output / "meta.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta.update(
        name="ner_id_cnn",
        version=MODEL_VERSION,
        description="Indonesian NER (PER, ORG, LOC), spaCy CNN trained by nlp_iom from public data sets",
        license="CC BY-SA 4.0" if with_nerp else "CC BY 4.0",
        sources=[{"name": name, "license": licence} for name, licence in SOURCE_LICENCES if with_nerp or name != "NERP"],
    )
    path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def run_cnn(output: Path, nerp: str, settings: TrainSettings, command: str) -> dict[str, object]:
    """Build the committed model in ``output`` and write its scores and card (see module doc)."""
    if nerp not in NERP_CHOICES:
        raise ConfigError("nerp", f"must be one of {NERP_CHOICES}, got {nerp!r}")
    keep_files = {name: (output / name).read_bytes() for name in (FOLDS_FILE,) if (output / name).exists()}
    print("reading data", file=sys.stderr)
    train = read_parts(CNN_TRAIN, CORE_LABELS)
    dev = read_parts(CNN_DEV, CORE_LABELS)
    variants = {"without": train}
    if nerp != "without":
        variants["with"] = train + read_parts(((NERP, "train"),), CORE_LABELS)
    if nerp == "with":
        del variants["without"]
    runs: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="ner_id_cnn_") as tmp:
        for name, sentences in variants.items():
            print(f"training {name} NERP: {len(sentences)} sentences", file=sys.stderr)
            seconds = train_pipeline(sentences, dev, Path(tmp) / name, settings)
            runs[name] = {"dev": evaluate(Path(tmp) / name, dev), "train_seconds": round(seconds, 1),
                          "train_sentences": len(sentences)}
            print(f"  dev F1 {runs[name]['dev']['f']} in {seconds:.0f} s", file=sys.stderr)
        chosen = max(runs, key=lambda key: runs[key]["dev"]["f"])  # type: ignore[index]
        if output.exists():
            shutil.rmtree(output)
        shutil.copytree(Path(tmp) / chosen, output)
    for name, content in keep_files.items():
        (output / name).write_bytes(content)
    _write_meta(output, with_nerp=chosen == "with")
    chosen_train = variants[chosen]
    scores = {
        "date": date.today().isoformat(),
        "machine": MACHINE,
        "command": command,
        "settings": asdict(settings),
        "labels": list(CORE_LABELS),
        "nerp": {"choice": nerp, "chosen": chosen, "runs": runs},
        "train_entities": dict(entity_counts(chosen_train)),
        "train_sentences": len(chosen_train),
        "dev_sentences": len(dev),
        "test": {dataset: evaluate(output, read_split(dataset, split)[0]) for dataset, split in CNN_TEST},
        "size_bytes": _dir_size(output),
    }
    _write_json(output / SCORES_FILE, scores)
    (output / "README.md").write_text(render_card(scores, _load_json(output / FOLDS_FILE)), encoding="utf-8")
    return scores


def run_folds(dataset: str, output: Path, settings: TrainSettings, command: str) -> dict[str, object]:
    """Run IndoLEM's 5-fold protocol on ``dataset`` and store the result in ``output/folds.json``."""
    if dataset not in FOLD_DATASETS:
        raise ConfigError("dataset", f"folds exist for {FOLD_DATASETS}, got {dataset!r}")
    labels = own_labels(dataset)
    folds: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix=f"ner_{dataset}_") as tmp:
        for fold in FOLDS:
            train, _ = read_split(dataset, "train", fold, labels)
            dev, _ = read_split(dataset, "dev", fold, labels)
            test, _ = read_split(dataset, "test", fold, labels)
            print(f"{dataset} fold {fold}: {len(train)}/{len(dev)}/{len(test)} sentences", file=sys.stderr)
            seconds = train_pipeline(train, dev, Path(tmp) / f"fold{fold}", settings)
            result = evaluate(Path(tmp) / f"fold{fold}", test) | {"fold": fold, "train_seconds": round(seconds, 1)}
            print(f"  test F1 {result['f']} ({seconds:.0f} s)", file=sys.stderr)
            folds.append(result)
    f_scores = [float(item["f"]) for item in folds]  # type: ignore[arg-type]
    summary = {
        "date": date.today().isoformat(),
        "machine": MACHINE,
        "command": command,
        "settings": asdict(settings),
        "labels": list(labels),
        "mean_f": round(statistics.mean(f_scores), 2),
        "stdev_f": round(statistics.stdev(f_scores), 2),
        "mean_p": round(statistics.mean(float(item["p"]) for item in folds), 2),  # type: ignore[arg-type]
        "mean_r": round(statistics.mean(float(item["r"]) for item in folds), 2),  # type: ignore[arg-type]
        "folds": folds,
    }
    all_folds = _load_json(output / FOLDS_FILE) | {dataset: summary}
    _write_json(output / FOLDS_FILE, all_folds)
    scores = _load_json(output / SCORES_FILE)
    if scores:
        (output / "README.md").write_text(render_card(scores, all_folds), encoding="utf-8")
    return summary


def _settings_from(args: argparse.Namespace, defaults: TrainSettings) -> TrainSettings:
    values = asdict(defaults)
    values.update({key: getattr(args, key) for key in values if getattr(args, key, None) is not None})
    return TrainSettings(**values)


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser (``cnn`` and ``folds`` sub-commands)."""
    parser = argparse.ArgumentParser(prog="nlp-iom train ner-cnn", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    cnn = commands.add_parser("cnn", help="train the committed PER/ORG/LOC model")
    cnn.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    cnn.add_argument("--nerp", choices=NERP_CHOICES, default="auto", help="add NERP train; auto = keep the better on dev")
    folds = commands.add_parser("folds", help="IndoLEM 5-fold cross-validation on one set")
    folds.add_argument("--dataset", choices=FOLD_DATASETS, required=True)
    folds.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="folder of folds.json and the card")
    for sub in (cnn, folds):
        for name in ("max_steps", "eval_frequency", "patience", "batch_size", "seed"):
            sub.add_argument(f"--{name.replace('_', '-')}", dest=name, type=int, default=None)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    command = "nlp-iom train ner-cnn " + " ".join(sys.argv[1:] if argv is None else argv)
    try:
        if args.command == "cnn":
            scores = run_cnn(args.output, args.nerp, _settings_from(args, CNN_SETTINGS), command)
            print(json.dumps({k: scores[k] for k in ("nerp", "test", "size_bytes")}, indent=2))
        else:
            summary = run_folds(args.dataset, args.output, _settings_from(args, FOLD_SETTINGS), command)
            print(json.dumps({k: summary[k] for k in ("labels", "mean_f", "stdev_f")}, indent=2))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
