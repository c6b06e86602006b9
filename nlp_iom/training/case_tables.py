"""Case tables of the ``iom_caps_recase`` component, counted on the cased NER and UD training text.

``nlp-iom train case-tables`` rebuilds ``nlp_iom/pipeline/data/truecase_<lang>.json`` from ``../shared/data``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from nlp_iom.ner.labels import CORE_LABELS
from nlp_iom.pipeline.truecase import DATA_DIR, LANGUAGES, TABLE_FILE, count_forms, table_from_counts
from nlp_iom.training.ner_cnn import CNN_TRAIN, read_parts
from nlp_iom.training.ner_data import _blocks, shared_root


def training_sentences(language: str) -> list[list[str]]:
    """Word lists of the cased training text of ``language``.

    Indonesian: the NER sets the CNN tier trains on (NER-UI, NER-UGM, NERGrit train, IDNer train;
    NERP is lower-cased and left out) and the UD Indonesian CSUI train and GSD dev files (test files
    are left out: the NER held-out set uses them). English: CrossNER politics (all splits).
    """
    root = shared_root()
    if language == "id":
        sentences = [list(s.words) for s in read_parts(CNN_TRAIN, CORE_LABELS)]
        for name in ("UD_Indonesian-CSUI/id_csui-ud-train.conllu", "UD_Indonesian-GSD/id_gsd-ud-dev.conllu"):
            for block in _blocks(root / "ud_id" / name):
                rows = [line.split("\t") for line in block if not line.startswith("#")]
                sentences.append([r[1] for r in rows if len(r) > 1 and r[0].isdigit()])
        return sentences
    out = []
    for split in ("train", "dev", "test"):
        for block in _blocks(root / "ner_en" / "crossner_politics" / f"{split}.txt"):
            out.append([line.split("\t")[0] for line in block])
    return out


def build_table(language: str) -> dict[str, list[str]]:
    """Build the case table of ``language`` from :func:`training_sentences` and spaCy's stop words."""
    import importlib

    stop_words = importlib.import_module(f"spacy.lang.{language}.stop_words").STOP_WORDS
    return table_from_counts(count_forms(training_sentences(language)), frozenset(w.lower() for w in stop_words))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nlp-iom train case-tables", description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=DATA_DIR)
    args = parser.parse_args(argv)
    for language in LANGUAGES:
        table = build_table(language)
        path = args.output / TABLE_FILE.format(language=language)
        path.write_text(json.dumps(table, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"{path}: " + ", ".join(f"{name} {len(words)}" for name, words in table.items()))
    return 0

