"""Train and evaluate the transformer NER tier (fine-tuned multilingual-e5-small).

Five commands::

    nlp-iom train ner-transformer fold --dataset nerui --fold 1 [--transfer]
    nlp-iom train ner-transformer pretrain --without nerui
    nlp-iom train ner-transformer final
    nlp-iom train ner-transformer score --model DIR [--model DIR2] [--dataset nerui --fold 1] [--decode argmax]
    nlp-iom train ner-transformer ensemble --dataset nerui --fold 1 --model DIR --model DIR2

``fold`` trains on fold k train of an IndoLEM set (NER-UI or NER-UGM, PER/ORG/LOC only),
keeps the epoch with the best fold k dev F1, scores fold k test and measures tagging speed.
``final`` trains on the committed CNN model's data (NER-UI full, NER-UGM full, NERGrit train,
IDNer train, NERP train; dev = NERGrit valid + IDNer dev) and scores NERGrit and IDNer test.
``pretrain --without SET`` trains the same way on the final model's data minus every sentence of
one IndoLEM set (no sentence of NER-UI occurs in the other sets; checked by
:func:`transfer_parts`); ``fold --transfer`` then starts from that model instead of plain e5
(more data per fold, transfer from the other Indonesian sets) and is reported apart from the
fold-only runs.
``ensemble`` scores the average of several fold models (e.g. two seeds: ``fold --seed 7`` keeps its
record and model apart, see :func:`fold_names`) on the fold's test split and stores it in the card. ``score`` re-scores a saved model or
an ensemble (a fold's test split, or without ``--fold`` the NERGrit and IDNer tests) and prints the
scores without touching the card, e.g. to compare decodings.
Scores are entity level, exact span and type, computed with spaCy's ``Scorer`` on gold
tokenisation (the same evaluation as the CNN's model card). The weights go to the cache
folder (``$NLP_IOM_CACHE`` or ``~/.cache/nlp_iom``); the results go to ``results.json`` and the
model card ``README.md`` in ``--card`` (default ``models/ner_id_trf``).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import date
from pathlib import Path

from nlp_iom.training.ner_data import FOLDS, Sentence
from nlp_iom.ner.labels import CORE_LABELS, NERP, NERUGM, NERUI
from nlp_iom.training.ner_cnn import CNN_DEV, CNN_TEST, CNN_TRAIN, evaluate, read_parts
from nlp_iom.pipeline.transformer import MODEL_DIRNAME, SETTINGS_FILE, transformer_pipeline
from nlp_iom.training.transformer_card import render_card
from nlp_iom.training.transformer_loop import TransformerNerSettings, train_transformer_ner

DEFAULT_CARD = Path("models/ner_id_trf")
RESULTS_FILE = "results.json"
MACHINE = "2-core CPU"
FOLD_DATASETS = (NERUI, NERUGM)
#: Epochs of a fold run (the final model keeps TransformerNerSettings.epochs).
FOLD_EPOCHS = 10
FINAL_TRAIN = CNN_TRAIN + ((NERP, "train"),)


#: Epochs of a fold run that starts from a pretrained NER model (it already knows the task).
TRANSFER_EPOCHS = 6
#: Learning rate of such a run (half the default: it adapts a trained model).
TRANSFER_LR = 1e-4
#: Epochs of the pretraining on the other sets (12,199 sentences, about 10 minutes each here).
PRETRAIN_EPOCHS = 2
#: The sentences a pretrained model saw (lower-cased, space-joined words), checked by ``fold --transfer``.
TRAINED_ON_FILE = "trained_on.json"


def transfer_parts(without: str) -> tuple[tuple[str, str], ...]:
    """The final model's training parts minus the IndoLEM set ``without`` (all of its splits)."""
    if without not in FOLD_DATASETS:
        raise ValueError(f"without must be one of {FOLD_DATASETS}, got {without!r}")
    return tuple(part for part in FINAL_TRAIN if part[0] != without)


def pretrain_output(without: str) -> Path:
    """Cache folder of the model pretrained on the other sets."""
    from nlp_iom.assets.e5 import cache_dir

    return cache_dir() / f"{MODEL_DIRNAME}-pretrain-without-{without}"


def measure_speed(nlp: object, sentences: list[Sentence], batch_size: int = 64) -> dict[str, float]:
    """Tag the sentences' texts (gold tokens) with ``nlp.pipe`` and return words/s."""
    from spacy.tokens import Doc

    from nlp_iom.training.ner_data import guess_spaces

    docs = [Doc(nlp.vocab, words=list(s.words), spaces=guess_spaces(s.words)) for s in sentences]  # type: ignore[attr-defined]
    words = sum(len(d) for d in docs)
    start = time.perf_counter()
    for _ in nlp.pipe(docs, batch_size=batch_size):  # type: ignore[attr-defined]
        pass
    seconds = time.perf_counter() - start
    return {"words": words, "seconds": round(seconds, 2), "words_per_s": round(words / seconds)}


def run_fold(
    dataset: str, fold: int, settings: TransformerNerSettings, output: Path, init: Path | None = None
) -> dict[str, object]:
    """Train on one fold (from ``init`` when given), score its test split, measure speed; return the record."""
    train = read_parts(((dataset, "train"),), CORE_LABELS, fold)
    dev = read_parts(((dataset, "dev"),), CORE_LABELS, fold)
    test = read_parts(((dataset, "test"),), CORE_LABELS, fold)
    if init is not None:
        _check_disjoint(init, [*train, *dev, *test])
    summary = train_transformer_ner(train, dev, output, settings, init=init)
    nlp = transformer_pipeline(output)
    scores = evaluate(nlp, test)  # BIO-constrained Viterbi decoding, the component's default
    speed = measure_speed(nlp, test)
    return {
        "kind": "fold",
        "dataset": dataset,
        "fold": fold,
        "train_sentences": len(train),
        "dev_sentences": len(dev),
        "test": {f"{dataset} fold {fold} test": scores},
        "transfer": init is not None,
        "decode": "viterbi",
        "speed": speed,
        "training": summary,
        "date": date.today().isoformat(),
        "machine": MACHINE,
    }


def run_final(settings: TransformerNerSettings, output: Path, without: str | None = None) -> dict[str, object]:
    """Train on the combined data (minus the set ``without``: pretraining), score NERGrit and IDNer test."""
    parts = transfer_parts(without) if without else FINAL_TRAIN
    train = read_parts(parts, CORE_LABELS)
    dev = read_parts(CNN_DEV, CORE_LABELS)
    if without:
        held = {_sentence_key(s) for s in read_parts(((without, "full"),), CORE_LABELS)}
        train = [s for s in train if _sentence_key(s) not in held]
    summary = train_transformer_ner(train, dev, output, settings)
    if without:
        (output / TRAINED_ON_FILE).write_text(json.dumps(sorted(_sentence_key(s) for s in train)) + "\n", encoding="utf-8")
    nlp = transformer_pipeline(output)
    tests, all_test = _score_parts(nlp, CNN_TEST)
    return {
        "kind": "pretrain" if without else "final",
        "parts": [f"{name} {split}" for name, split in parts],
        "train_sentences": len(train),
        "dev_sentences": len(dev),
        "test": tests,
        "decode": "viterbi",
        "speed": measure_speed(nlp, all_test),
        "training": summary,
        "date": date.today().isoformat(),
        "machine": MACHINE,
    }


def _sentence_key(sentence: Sentence) -> str:
    return " ".join(w.lower() for w in sentence.words)


def _check_disjoint(init: Path, sentences: list[Sentence]) -> None:
    """Refuse a starting model that was trained on any of the fold's sentences."""
    listed = init / TRAINED_ON_FILE
    if not listed.is_file():
        raise SystemExit(f"{init}: no {TRAINED_ON_FILE}; pretrain it with `pretrain --without SET`")
    seen = set(json.loads(listed.read_text(encoding="utf-8")))
    shared = sum(_sentence_key(s) in seen for s in sentences)
    if shared:
        raise SystemExit(f"{init} was trained on {shared} sentences of this fold; pretrain without its set")


def score_model(
    model: Path | list[Path], dataset: str | None, fold: int | None, constrained: bool = True
) -> dict[str, object]:
    """Score a saved model, or the ensemble of several, on a fold's test split (``dataset`` and
    ``fold``) or on the final test sets."""
    models = [Path(m) for m in (model if isinstance(model, list) else [model])]
    nlp = transformer_pipeline(models[0], constrained=constrained, ensemble=models[1:])
    if dataset and fold:
        scores, _ = _score_parts(nlp, ((dataset, "test"),), fold)
    else:
        scores, _ = _score_parts(nlp, CNN_TEST)
    return {"model": [str(m) for m in models] if len(models) > 1 else str(models[0]),
            "decode": "viterbi" if constrained else "argmax", "test": scores}


def run_ensemble(dataset: str, fold: int, models: list[Path]) -> dict[str, object]:
    """Score the ensemble of a fold's models (e.g. two seeds) on its test split; return the record."""
    if len(models) < 2:
        raise SystemExit("ensemble: give at least two --model folders")
    members = []
    for model in models:
        trained = json.loads((model / SETTINGS_FILE).read_text(encoding="utf-8"))
        members.append({"path": str(model), "settings": trained["settings"], "best_epoch": trained.get("best_epoch"),
                        "transfer": "init" in trained})
    nlp = transformer_pipeline(models[0], ensemble=models[1:])
    scores, test = _score_parts(nlp, ((dataset, "test"),), fold)
    return {
        "kind": "ensemble",
        "dataset": dataset,
        "fold": fold,
        "members": members,
        "transfer": all(m["transfer"] for m in members),
        "test": scores,
        "decode": "viterbi",
        "speed": measure_speed(nlp, test),
        "date": date.today().isoformat(),
        "machine": MACHINE,
    }


def _score_parts(
    nlp: object, parts: tuple[tuple[str, str], ...], fold: int | None = None
) -> tuple[dict[str, object], list[Sentence]]:
    """Scores per (set, split) part, keyed ``"<set> fold <k> test"`` or ``"<set> <split>"``, and all their sentences."""
    scores: dict[str, object] = {}
    sentences: list[Sentence] = []
    for name, split in parts:
        part = read_parts(((name, split),), CORE_LABELS, fold)
        scores[f"{name} fold {fold} {split}" if fold else f"{name} {split}"] = evaluate(nlp, part)
        sentences.extend(part)
    return scores, sentences


def _store(card: Path, key: str, result: dict[str, object]) -> None:
    card.mkdir(parents=True, exist_ok=True)
    path = card / RESULTS_FILE
    results = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    results[key] = result
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (card / "README.md").write_text(render_card(results), encoding="utf-8")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nlp-iom train ner-transformer", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    defaults = TransformerNerSettings()
    for name in ("fold", "pretrain", "final"):
        cmd = sub.add_parser(name)
        if name == "fold":
            cmd.add_argument("--dataset", choices=FOLD_DATASETS, default=NERUI)
            cmd.add_argument("--fold", type=int, choices=FOLDS, default=1)
            cmd.add_argument("--transfer", action="store_true",
                             help="start from the model of `pretrain --without DATASET` (in the cache)")
            cmd.add_argument("--init", type=Path, default=None, help="start from this saved model instead")
        if name == "pretrain":
            cmd.add_argument("--without", choices=FOLD_DATASETS, required=True,
                             help="leave out every sentence of this IndoLEM set")
        cmd.add_argument("--output", type=Path, default=None, help="model folder (default: in the cache folder)")
        cmd.add_argument("--card", type=Path, default=DEFAULT_CARD, help="folder of README.md and results.json")
        # IndoLEM folds are small (about 1,500 sentences): 10 epochs there (960 steps) against 4 on the
        # 14,325 sentences of the final model (3,600 steps); on NER-UI fold 1, 10 epochs gave +1.7 F1.
        # A transfer fold run defaults to TRANSFER_EPOCHS and TRANSFER_LR (None: resolved in main).
        epochs = {"fold": None, "pretrain": PRETRAIN_EPOCHS, "final": defaults.epochs}[name]
        cmd.add_argument("--epochs", type=int, default=epochs)
        cmd.add_argument("--batch-size", type=int, default=defaults.batch_size)
        cmd.add_argument("--lr", type=float, default=None if name == "fold" else defaults.lr)
        cmd.add_argument("--max-length", type=int, default=defaults.max_length)
        cmd.add_argument("--no-freeze", action="store_true", help="train the word embeddings too")
        cmd.add_argument("--seed", type=int, default=defaults.seed)
        cmd.add_argument("--threads", type=int, default=defaults.threads, help="torch threads (0: default)")
    score = sub.add_parser("score", help="score a saved model; prints JSON, leaves the card alone")
    score.add_argument("--model", type=Path, action="append", required=True,
                       help="a folder saved by fold or final (repeat it to score the ensemble)")
    score.add_argument("--dataset", choices=FOLD_DATASETS, default=None)
    score.add_argument("--fold", type=int, choices=FOLDS, default=None)
    score.add_argument("--decode", choices=("viterbi", "argmax"), default="viterbi")
    ensemble = sub.add_parser("ensemble", help="score the ensemble of a fold's models and store it in the card")
    ensemble.add_argument("--dataset", choices=FOLD_DATASETS, default=NERUI)
    ensemble.add_argument("--fold", type=int, choices=FOLDS, default=1)
    ensemble.add_argument("--model", type=Path, action="append", required=True, help="a fold model folder (2 or more)")
    ensemble.add_argument("--card", type=Path, default=DEFAULT_CARD, help="folder of README.md and results.json")
    return parser


def fold_names(dataset: str, fold: int, transfer: bool, seed: int) -> tuple[str, str]:
    """The results key and the cache folder name of a fold run: ``"nerui fold 1 transfer seed 7"``,
    ``"ner_id_trf-nerui-fold1-transfer-seed7"`` (the seed only when it is not the default), so runs
    with other seeds keep their own record and model beside the default one."""
    other_seed = seed != TransformerNerSettings().seed
    key = f"{dataset} fold {fold}" + (" transfer" if transfer else "") + (f" seed {seed}" if other_seed else "")
    folder = f"{MODEL_DIRNAME}-{dataset}-fold{fold}" + ("-transfer" if transfer else "") + (f"-seed{seed}" if other_seed else "")
    return key, folder


def resolve_settings(args: argparse.Namespace) -> tuple[TransformerNerSettings, Path | None]:
    """Training settings and starting model of a ``fold``, ``pretrain`` or ``final`` command.

    A fold run without ``--epochs``/``--lr`` gets :data:`FOLD_EPOCHS` and the default learning
    rate, or :data:`TRANSFER_EPOCHS` and :data:`TRANSFER_LR` when it starts from a pretrained model.
    """
    init = None
    if args.command == "fold":
        init = pretrain_output(args.dataset) if args.transfer else args.init
    settings = TransformerNerSettings(
        epochs=args.epochs or (TRANSFER_EPOCHS if init else FOLD_EPOCHS),
        batch_size=args.batch_size,
        lr=args.lr or (TRANSFER_LR if init else TransformerNerSettings().lr),
        max_length=args.max_length,
        freeze_embeddings=not args.no_freeze,
        seed=args.seed,
        threads=args.threads,
    )
    return settings, init


def main(argv: list[str] | None = None) -> int:
    from nlp_iom.assets.e5 import cache_dir

    args = build_parser().parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.command == "score":
        if (args.dataset is None) != (args.fold is None):
            raise SystemExit("score: give --dataset and --fold together, or neither (final test sets)")
        print(json.dumps(score_model(args.model, args.dataset, args.fold, args.decode == "viterbi"), indent=2))
        return 0
    if args.command == "ensemble":
        result = run_ensemble(args.dataset, args.fold, args.model)
        _store(args.card, f"{args.dataset} fold {args.fold} ensemble", result)
        print(json.dumps({"test": result["test"], "speed": result["speed"]}, indent=2))
        return 0
    settings, init = resolve_settings(args)
    if args.command == "fold":
        key, folder = fold_names(args.dataset, args.fold, init is not None, settings.seed)
        output = args.output or cache_dir() / folder
        result = run_fold(args.dataset, args.fold, settings, output, init)
    elif args.command == "pretrain":
        key = f"pretrain without {args.without}"
        output = args.output or pretrain_output(args.without)
        result = run_final(settings, output, without=args.without)
    else:
        key = "final"
        output = args.output or cache_dir() / MODEL_DIRNAME
        result = run_final(settings, output)
    _store(args.card, key, result)
    print(json.dumps({"test": result["test"], "speed": result["speed"], "seconds": result["training"]["seconds"]}, indent=2))  # type: ignore[index]
    return 0
