"""ALL-CAPS recasing before statistical NER (nlp_iom.pipeline.truecase, component iom_caps_recase)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from nlp_iom.errors import ConfigError
from nlp_iom.pipeline import truecase
from nlp_iom.training import case_tables
from nlp_iom.ner.pipelines import NerSettings, load_pipeline
from nlp_iom.pipeline.truecase import (
    CaseTable,
    count_forms,
    is_shouting,
    load_table,
    recase_words,
    table_from_counts,
)

#: The title page of the seed skripsi, as its PDF prints it.
TITLE = (
    "PERAN INTERNATIONAL ORGANIZATION FOR MIGRATION (IOM) DALAM MENGATASI HUMAN TRAFFICKING DI WILAYAH "
    "PERBATASAN SAMBAS (KALIMANTAN BARAT) DAN BELU,TTU,MALAKA (PULAU TIMOR NTT) INDONESIA TAHUN 2016-2023"
)
HEADING = "BAB IV PERAN IOM DALAM MENANGANI PERDAGANGAN ORANG DI KABUPATEN SAMBAS"


@pytest.fixture(scope="module")
def tables() -> tuple[CaseTable, CaseTable]:
    return load_table("id"), load_table("en")


def test_is_shouting() -> None:
    assert is_shouting(TITLE) and is_shouting(HEADING)
    assert not is_shouting("Peran IOM dalam menangani perdagangan orang di Kabupaten Sambas")
    assert not is_shouting("IOM dan UNHCR")  # 73% capitals
    assert is_shouting("SKRIPSI") and is_shouting("TESIS") and not is_shouting("IOM")  # at least 5 capitals
    assert is_shouting("KABUPATEN SAMBAS, KALIMANTAN Barat")  # mostly capitals
    assert not is_shouting("KABUPATEN SAMBAS, Kalbar")  # 79% capitals


def test_count_forms_and_majority_table() -> None:
    sentences = [["Kantor", "IOM", "di", "Sambas"], ["Pejabat", "IOM", "di", "Sambas", "dan", "Kantor"], ["Warga", "di", "kantor"]]
    counts = count_forms(sentences)
    assert "pejabat" not in counts  # sentence-initial words say nothing about their case
    assert counts["iom"] == Counter({"upper": 2}) and counts["di"] == Counter({"lower": 3})
    table = table_from_counts(counts, stop_words=frozenset({"dan"}))
    assert table["upper"] == ["iom"] and table["title"] == ["sambas"]
    assert "dan" in table["lower"] and "di" in table["lower"]
    assert "kantor" in table["lower"]  # 1 title + 1 lower: a tie goes to lower case
    assert table_from_counts({"x": Counter({"title": 1})}) == {"lower": [], "upper": [], "title": []}


def test_recase_words(tables: tuple[CaseTable, CaseTable]) -> None:
    words = ["BAB", "IV", "PERAN", "IOM", "DALAM", "MENANGANI", "PERDAGANGAN", "ORANG", "DI", "KABUPATEN", "SAMBAS"]
    recased = recase_words(words, tables)
    assert recased[words.index("IOM")] == "IOM"  # a known acronym stays
    assert recased[words.index("DALAM")] == "dalam" and recased[words.index("DI")] == "di"
    assert recased[words.index("SAMBAS")] == "Sambas"
    assert recased[0] == "BAB"  # unseen, three letters: kept as if an acronym
    assert recase_words(["PERAN", "IOM", "DALAM"], tables) == ["Peran", "IOM", "dalam"]  # first word capitalised
    assert [len(w) for w in recased] == [len(w) for w in words]
    assert recase_words(["Sudah", "ada", "NTT", "2016-2023", "("], tables) == ["Sudah", "ada", "NTT", "2016-2023", "("]
    assert recase_words(["ZQXW"], tables) == ["ZQXW"]  # unseen and short: taken for an acronym
    assert recase_words(["DI", "ZQXWVBN"], tables) == ["Di", "Zqxwvbn"]  # unseen and long: a name


def test_committed_tables_are_small_and_sane(tables: tuple[CaseTable, CaseTable]) -> None:
    indonesian, english = tables
    assert indonesian.usual("dan") == "lower" and indonesian.usual("Jakarta") == "title"
    assert english.usual("the") == "lower"
    for language in ("id", "en"):
        path = truecase.DATA_DIR / truecase.TABLE_FILE.format(language=language)
        assert path.stat().st_size < 200_000
        assert set(json.loads(path.read_text(encoding="utf-8"))) == {"lower", "upper", "title"}


def test_tables_rebuild_from_the_shared_data() -> None:
    from nlp_iom.training.ner_data import shared_root

    if not (shared_root() / "ner_id").is_dir():
        pytest.skip("../shared/data is absent")
    for language in ("id", "en"):
        path = truecase.DATA_DIR / truecase.TABLE_FILE.format(language=language)
        assert case_tables.build_table(language) == json.loads(path.read_text(encoding="utf-8"))


def test_recase_setting_is_validated() -> None:
    with pytest.raises(ConfigError) as info:
        NerSettings(recase=("fr",))
    assert info.value.field == "recase"
    with pytest.raises(ConfigError):
        NerSettings(recase="id")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def pipelines():
    return load_pipeline("id", NerSettings()), load_pipeline("id", NerSettings(recase=()))


def test_indonesian_title_page_entities(pipelines) -> None:
    recasing, plain = pipelines
    assert "iom_caps_recase" in recasing.pipe_names and "iom_caps_recase" not in plain.pipe_names
    found = {e.text: e.label_ for e in recasing(TITLE).ents}
    before = {e.text: e.label_ for e in plain(TITLE).ents}
    assert before.get("PERAN") == "ORG"  # what the CNN does on capitals
    assert "PERAN" not in found and "PERBATASAN" not in found
    assert found["INDONESIA"] == "LOC" and found["SAMBAS"] == "LOC"
    assert found["INTERNATIONAL ORGANIZATION FOR MIGRATION"] == "ORG"
    doc = recasing(HEADING)
    assert doc.text == HEADING  # the text is never changed
    assert {e.text for e in doc.ents} >= {"IOM", "KABUPATEN SAMBAS"}
    assert not {"PERAN", "DALAM"} & {e.text for e in doc.ents}
    assert plain("SKRIPSI").ents and not recasing("SKRIPSI").ents  # a title-page word, not an ORG


def test_recasing_leaves_ordinary_sentences_alone(pipelines) -> None:
    recasing, plain = pipelines
    text = "Peran IOM dalam menangani perdagangan orang di Kabupaten Sambas, Kalimantan Barat, sejak tahun 2016."
    assert [(e.start_char, e.end_char, e.label_) for e in recasing(text).ents] == [
        (e.start_char, e.end_char, e.label_) for e in plain(text).ents
    ]
