"""Indonesian sentence segmentation: shipped stanza tokenizer, abbreviation guard, rule-based fallback."""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import pytest
import spacy

from nlp_iom.ner import sentences as S

ROOT = Path(__file__).resolve().parent.parent
UD_ID = ROOT.parent / "shared" / "data" / "ud_id"
HAS_STANZA = importlib.util.find_spec("stanza") is not None
HAS_MODEL = S.find_model(S.DEFAULT_MODEL_DIR) is not None

ABBREVIATION_TEXT = "UU No. 21 Tahun 2007 berlaku di Kab. Sambas. Penelitian Nugrahaningsih dkk. (2020) membahasnya."
CASES = [
    (ABBREVIATION_TEXT, ["UU No. 21 Tahun 2007 berlaku di Kab. Sambas.",
                         "Penelitian Nugrahaningsih dkk. (2020) membahasnya."]),
    ("Kantor IOM berada di Jl. Sudirman No. 5, Kec. Menteng, Kab. Bogor, Prov. Jawa Barat. "
     "Kepala kantornya adalah Dr. Budi Santoso, S.H., M.Si. yang ditunjuk tahun lalu.",
     ["Kantor IOM berada di Jl. Sudirman No. 5, Kec. Menteng, Kab. Bogor, Prov. Jawa Barat.",
      "Kepala kantornya adalah Dr. Budi Santoso, S.H., M.Si. yang ditunjuk tahun lalu."]),
    ("Menurut Prof. Hikmahanto, pengungsi dilindungi UU No. 6 Tahun 2011. Lihat Wahyudi dkk. (2019, hlm. 45) "
     "untuk rincian, e.g. tabel 2.",
     ["Menurut Prof. Hikmahanto, pengungsi dilindungi UU No. 6 Tahun 2011.",
      "Lihat Wahyudi dkk. (2019, hlm. 45) untuk rincian, e.g. tabel 2."]),
    ("Penelitian ini mengikuti Nugrahaningsih dkk. Mereka mewawancarai 40 pengungsi.",
     ["Penelitian ini mengikuti Nugrahaningsih dkk.", "Mereka mewawancarai 40 pengungsi."]),
]
BACKENDS = ["rules"] + (["shipped"] if HAS_STANZA and HAS_MODEL else [])


@functools.lru_cache(maxsize=None)
def _blank(backend: str | None = None) -> spacy.language.Language:
    nlp = spacy.blank("id")
    nlp.add_pipe("iom_sentences", config={"backend": backend})
    return nlp


def _texts(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[a:b] for a, b in spans]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("text,expected", CASES)
def test_abbreviations_stay_inside_one_sentence(backend, text, expected):
    assert _texts(text, S.split_sentences(text, backend=backend)) == expected


@pytest.mark.parametrize("backend", BACKENDS)
def test_offsets_slice_the_text_exactly(backend):
    text = ("  Warga Kab. Sambas menerima bantuan.\n\n\"Kami senang!\" kata Ibu Ani.   Apakah cukup? "
            "Belum… Besok, tim Dr. Rina datang lagi.  ")
    spans = S.split_sentences(text, backend=backend)
    assert spans, "no sentence found"
    prev_end = 0
    for start, end in spans:
        piece = text[start:end]
        assert piece and piece == piece.strip()
        assert start >= prev_end
        assert text[prev_end:start].strip() == ""  # nothing but whitespace between sentences
        prev_end = end
    assert text[prev_end:].strip() == ""
    assert _texts(text, spans)[0] == "Warga Kab. Sambas menerima bantuan."
    assert "kata Ibu Ani." in _texts(text, spans)[1]


def test_empty_and_blank_text():
    assert S.split_sentences("") == []
    assert S.split_sentences("   \n ") == []


def test_rule_based_splitter_basics():
    text = "Ini kalimat pertama. Ini kedua! Apa ini ketiga? ya, masih ketiga.\n\nParagraf baru tanpa titik"
    assert _texts(text, S.rule_based_spans(text)) == [
        "Ini kalimat pertama.", "Ini kedua!", "Apa ini ketiga? ya, masih ketiga.", "Paragraf baru tanpa titik"]


def test_guard_joins_stanza_style_spans():
    text = "Bantuan dikirim ke Kab. Sambas. \"Terima kasih.\" Warga senang."
    raw = [(0, 23), (24, 31), (32, 46), (46, 47), (48, 61)]  # what an unguarded model may return
    assert _texts(text, S.guard_abbreviations(text, raw)) == [
        "Bantuan dikirim ke Kab. Sambas.", "\"Terima kasih.\"", "Warga senang."]


def test_fallback_when_model_path_missing(monkeypatch, tmp_path):
    monkeypatch.setenv(S.MODEL_ENV, str(tmp_path / "missing"))
    assert S.find_model() is None
    assert S.load_stanza_pipeline() is None
    name, pipe = S.active_backend("shipped")
    assert name == "rules" and pipe is None
    assert _texts(ABBREVIATION_TEXT, S.split_sentences(ABBREVIATION_TEXT, backend="shipped")) == CASES[0][1]


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError):
        S.split_sentences("Satu. Dua.", backend="magic")


def test_other_languages_use_the_rules():
    assert S.active_backend(None, language="en") == ("rules", None)
    text = "See Smith et al. (2020), e.g. page 3. Then stop."
    assert _texts(text, S.split_sentences(text, language="en")) == ["See Smith et al. (2020), e.g. page 3.",
                                                                    "Then stop."]


def test_full_stanza_models_detected_without_error():
    # Absent here (no stanza.download("id")): must come back as None, never raise or download.
    pipe = S.load_full_stanza_pipeline()
    assert pipe is None or hasattr(pipe, "processors")


@pytest.mark.parametrize("backend", BACKENDS)
def test_spacy_component_sets_sentence_starts(backend):
    doc = _blank(backend)(ABBREVIATION_TEXT)
    assert [s.text for s in doc.sents] == CASES[0][1]
    starts = [t.text for t in doc if t.is_sent_start]
    assert starts == ["UU", "Penelitian"]
    assert all(t.is_sent_start is False for t in doc if t.text in {"Sambas", "(", "2020"})


def test_spacy_component_on_empty_doc():
    assert len(_blank("rules")("")) == 0


@pytest.mark.skipif(not HAS_STANZA, reason="stanza not installed")
@pytest.mark.skipif(not HAS_MODEL, reason="shipped stanza tokenizer missing")
def test_shipped_model_is_small_and_loads():
    model = S.find_model(S.DEFAULT_MODEL_DIR)
    assert model is not None and model.stat().st_size < 5 * 1024 * 1024
    assert S.active_backend("shipped")[0] == "shipped"


@pytest.mark.slow
@pytest.mark.skipif(not HAS_STANZA, reason="stanza not installed")
@pytest.mark.skipif(not HAS_MODEL, reason="shipped stanza tokenizer missing")
def test_ud_csui_stanza_beats_sentencizer():
    from nlp_iom.evaluation import sentences as T

    path = UD_ID / "UD_Indonesian-CSUI" / "id_csui-ud-test.conllu"
    if not path.is_file():
        pytest.skip(f"{path} not available")
    text, gold = T.gold_document(path)
    pipe = S.load_stanza_pipeline()
    stanza_score = T.score(text, gold, S.stanza_spans(pipe, text))
    guarded = T.score(text, gold, S.split_sentences(text, backend="shipped"))
    spacy_score = T.score(text, gold, T.spacy_sentencizer_splitter()(text))
    assert stanza_score.f1 > spacy_score.f1
    assert guarded.f1 > spacy_score.f1
    assert guarded.f1 > 0.9
