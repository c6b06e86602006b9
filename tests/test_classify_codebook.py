"""Codebooks as data: the built-ins, user codebooks, and errors that name the bad field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nlp_iom.coding.codebook import codebook_from_dict, load_codebook
from nlp_iom.errors import CodebookError, ConfigError

DATA = Path(__file__).parent / "data"
HAAS = ["articulation", "aggregation", "socialization", "recruitment", "transaction",
        "rule-making", "rule-application", "rule-adjudication"]


def test_builtin_haas_and_ingo_are_complete_and_bilingual() -> None:
    haas, ingo = load_codebook("haas"), load_codebook("ingo")
    assert haas.code_ids == HAAS
    assert ingo.code_ids == ["implementer", "facilitator", "partner"]
    assert {c.group for c in haas.codes} == {"input", "output"}
    for book in (haas, ingo):
        assert "Haas" in book.source or "Soghe" in book.source
        for code in book.codes:
            assert set(code.definition) == {"en", "id"}, code.id
            assert code.indicators.get("en") and code.indicators.get("id"), code.id
            assert {e.lang for e in code.positive} == {"en", "id"}, code.id
            assert code.negative, code.id


def test_user_codebook_loads_from_a_path() -> None:
    book = load_codebook(DATA / "archer_codebook.yaml")
    assert book.name == "archer" and book.code_ids == ["instrument", "arena", "actor"]
    assert book.code("arena").description("id").startswith("Arena: Organisasi menjadi tempat")


def _archer() -> dict:
    return yaml.safe_load((DATA / "archer_codebook.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("edit", "field"), [
    (lambda d: d["codes"][1].pop("definition"), "codes[1].definition"),
    (lambda d: d["codes"][0]["definition"].update({"fr": "Outil"}), "codes[0].definition.fr"),
    (lambda d: d["codes"][2].update({"id": "Actor!"}), "codes[2].id"),
    (lambda d: d["codes"][2].update({"id": "arena"}), "codes[2].id"),
    (lambda d: d["codes"][0]["indicators"].update({"en": "tool of"}), "codes[0].indicators.en"),
    (lambda d: d["codes"][1]["examples"]["positive"].append({"lang": "en", "text": ""}),
     "codes[1].examples.positive[2].text"),
    (lambda d: d.update({"codes": d["codes"][:1]}), "codes"),
    (lambda d: d.pop("source"), "source"),
    (lambda d: d.update({"version": "one"}), "version"),
])
def test_invalid_codebook_names_the_bad_field(edit, field: str) -> None:
    data = _archer()
    edit(data)
    with pytest.raises(CodebookError) as info:
        codebook_from_dict(data, "archer.yaml")
    assert info.value.field == field
    assert "archer.yaml" in str(info.value) and field in str(info.value)
    assert isinstance(info.value, ConfigError)


def test_missing_or_unparsable_codebook_file(tmp_path: Path) -> None:
    with pytest.raises(CodebookError, match="no such file"):
        load_codebook(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="not valid YAML"):
        load_codebook(bad)


def test_codebook_round_trips_through_its_dict() -> None:
    book = load_codebook("haas")
    again = codebook_from_dict(book.to_dict())
    assert again.codes == book.codes and again.source == book.source
