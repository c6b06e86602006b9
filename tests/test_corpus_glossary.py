"""The bilingual glossary: parsing with errors that name the line, expansion both ways, query concepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp_iom.corpus.bm25 import stem_en, stem_indonesian, tokenize
from nlp_iom.corpus.glossary import GLOSSARY_PATH, Glossary, coverage, default_glossary, parse_glossary, query_concepts
from nlp_iom.errors import ConfigError


def test_shipped_glossary_parses_and_is_two_sided() -> None:
    glossary = default_glossary()
    assert len(glossary.entries) >= 100
    assert all(entry.indonesian and entry.english for entry in glossary.entries)


@pytest.mark.parametrize(("query", "expected"), [
    ("perdagangan orang di Indonesia", {stem_en("trafficking")}),
    ("human trafficking in Southeast Asia", {stem_indonesian("perdagangan"), stem_indonesian("asia")}),
    ("perlindungan pekerja migran", {stem_en("migrant"), stem_en("workers"), stem_en("protection")}),
    ("legal protection of migrant workers", {stem_indonesian("pekerja"), stem_indonesian("migran")}),
    ("pengungsi Rohingya", {stem_en("refugees")}),
])
def test_expansion_goes_both_ways(query: str, expected: set[str]) -> None:
    assert expected <= set(default_glossary().expand(query))


def test_inflected_query_words_match_on_stems() -> None:
    # "memberantas" is the verb of the glossary's "pemberantasan"; "trafficked" stems with "trafficking"
    assert stem_en("combating") in default_glossary().expand("upaya memberantas perdagangan")
    assert stem_indonesian("perdagangan") in default_glossary().expand("people trafficked abroad")


def test_expansion_leaves_out_stop_words_and_unknown_words() -> None:
    glossary = Glossary(parse_glossary("perdagangan orang\ttrafficking in persons\n"))
    assert glossary.expand("perdagangan orang") == [stem_en("trafficking"), stem_en("persons")]
    assert glossary.expand("xylophone zeppelin") == []


@pytest.mark.parametrize(("text", "line"), [
    ("pengungsi\trefugees\nno tab on this line\n", 2),
    ("# comment\n\npengungsi\trefugees\textra\n", 3),
    ("pengungsi\t | \n", 1),
])
def test_bad_entry_names_its_line(text: str, line: int, tmp_path: Path) -> None:
    path = tmp_path / "mine.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=f"mine.tsv:{line}"):
        Glossary.load(path)


def test_unreadable_glossary_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        Glossary.load(tmp_path / "missing.tsv")
    assert GLOSSARY_PATH.is_file()


def test_concepts_drop_stop_words_and_carry_translations() -> None:
    concepts = query_concepts("peran IOM dalam pencegahan perdagangan orang")
    assert len(concepts) == 5  # peran, iom, pencegahan, perdagangan, orang ("dalam" is a stop word)
    english = set(tokenize("The role of IOM in the prevention of trafficking", "en"))
    assert coverage(concepts, english) == 1.0  # every concept met through its translation
    assert coverage(concepts, {"iom"}) == pytest.approx(0.2)
    assert coverage([], english) == 0.0
