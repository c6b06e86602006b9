"""Indonesian clitic expansion: the shipped stanza tokenizer + MWT expander (nlp_iom.ner.clitics)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest

from nlp_iom.errors import ModelNotFoundError
from nlp_iom.ner import clitics as C
from nlp_iom.ner import sentences as S
from nlp_iom.training import stanza_mwt as M

HAS_STANZA = importlib.util.find_spec("stanza") is not None
MODEL_DIR = S.DEFAULT_MODEL_DIR
HAS_MODELS = S.find_model(MODEL_DIR) is not None and C.find_mwt_model(MODEL_DIR) is not None
needs_stanza = pytest.mark.skipif(not (HAS_STANZA and HAS_MODELS), reason="stanza or the shipped models missing")


@needs_stanza
def test_clitics_are_split_off_their_hosts():
    text = "Menurutnya, kebijakan itu disetujui oleh menterinya."
    assert C.expand_words(text) == [["Menurut", "nya", ",", "kebijakan", "itu", "disetujui", "oleh", "menteri",
                                     "nya", "."]]


@needs_stanza
def test_kah_pun_and_ordinary_words():
    words = C.expand_words("Apakah pengungsi itu mendapatkan haknya? Pemerintah pun belum menjawabnya.")
    assert words == [["Apa", "kah", "pengungsi", "itu", "mendapatkan", "hak", "nya", "?"],
                     ["Pemerintah", "pun", "belum", "menjawab", "nya", "."]]


@needs_stanza
def test_sentences_follow_split_sentences_and_words_cover_the_text():
    text = "UU No. 21 Tahun 2007 berlaku di Kab. Sambas. Penelitian Nugrahaningsih dkk. (2020) membahasnya."
    words = C.expand_words(text)
    assert len(words) == len(S.split_sentences(text, backend="shipped")) == 2
    assert words[0][0] == "UU" and words[1][0] == "Penelitian"
    assert words[1][-3:] == ["membahas", "nya", "."]
    # Indonesian clitics are plain suffixes: the words spell the text again
    assert "".join(w for s in words for w in s) == text.replace(" ", "")


def test_blank_text_needs_no_model():
    assert C.expand_words("") == [] and C.expand_words("  \n ") == []


def test_missing_models_raise_a_typed_error(tmp_path, monkeypatch):
    monkeypatch.setenv(C.MWT_MODEL_ENV, str(tmp_path / "nowhere"))
    assert C.find_mwt_model() is None
    with pytest.raises(ModelNotFoundError):
        C.load_word_pipeline()
    with pytest.raises(ModelNotFoundError):
        C.expand_words("Menurutnya begitu.", model=tmp_path)  # an empty folder: neither model


@pytest.mark.skipif(not HAS_MODELS, reason="shipped models missing")
def test_missing_stanza_raises_a_typed_error(tmp_path, monkeypatch):
    for name in ("id_iom_tokenizer.pt", C.MWT_MODEL_FILE, "resources.json"):
        shutil.copyfile(MODEL_DIR / name, tmp_path / name)  # a new path: not in the pipeline cache
    monkeypatch.setitem(sys.modules, "stanza", None)  # "import stanza" now raises ImportError
    with pytest.raises(ModelNotFoundError) as info:
        C.expand_words("Menurutnya begitu.", model=tmp_path)
    assert info.value.name == "stanza"


@needs_stanza
def test_sentence_splitting_never_loads_the_expander(monkeypatch):
    def boom(*args: object) -> None:
        raise AssertionError("split_sentences loaded the MWT expander")

    monkeypatch.setattr(C, "_load", boom)
    text = "Menurutnya, kebijakan itu disetujui. Bukunya hilang."
    assert len(S.split_sentences(text, backend="shipped")) == 2


@pytest.mark.skipif(not HAS_MODELS, reason="shipped models missing")
def test_shipped_files_are_small_and_documented():
    mwt = C.find_mwt_model(MODEL_DIR)
    assert mwt is not None and mwt.name == C.MWT_MODEL_FILE
    assert mwt.stat().st_size < 5 * 1024 * 1024
    record = json.loads((MODEL_DIR / M.RECORD_FILE).read_text(encoding="utf-8"))
    assert record["model_bytes"] == mwt.stat().st_size
    assert record["dev_mwt_accuracy"]["expander"] > 90
    assert "<workdir>" not in json.dumps(record["command"]) and "/tmp" not in json.dumps(record)
    assert "MWT expander" in (MODEL_DIR / "README.md").read_text(encoding="utf-8")


def test_rebuild_command_line():
    args = M.build_parser().parse_args(["--output", "models/stanza_id_tokenizer"])
    assert args.command == "train" and args.output == Path("models/stanza_id_tokenizer")
    assert args.epochs == M.DEFAULT_EPOCHS == 30 and args.seed == 1234
    args = M.build_parser().parse_args(["evaluate", "--treebanks", "CSUI test", "PUD test"])
    assert args.command == "evaluate" and args.treebanks == ["CSUI test", "PUD test"]
    with pytest.raises(SystemExit):
        M.build_parser().parse_args(["evaluate", "--treebanks", "Klingon test"])


def test_suffix_rule_baseline():
    assert M._suffix_rule("menyetujuinya") == ("menyetujui", "nya")
    assert M._suffix_rule("Apakah") == ("Apa", "kah")
    assert M._suffix_rule("rumah") == ("rumah",)
