"""Abbreviation lists (seed skripsi DAFTAR SINGKATAN) and in-text definitions (seed paper)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp_iom.document import Abbreviation
from nlp_iom.extract.abbreviations import find_definitions, match_long_form, parse_abbreviation_list

SEEDS = Path(__file__).parent.parent / "seeds"


@pytest.fixture(scope="module")
def skripsi_list() -> list[Abbreviation]:
    lines = (SEEDS / "002_7a37dfcb71e53d69.txt").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if "DAFTAR SINGKATAN**" in line)
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("YEP"))
    return parse_abbreviation_list(lines[start : end + 1])


def test_seed_list_entries(skripsi_list: list[Abbreviation]) -> None:
    mapping = {a.short: a.long for a in skripsi_list}
    assert len(skripsi_list) == 56
    assert mapping["IOM"] == "International Organization for Migration"
    assert mapping["GT-PPTPPO"] == "Gugus Tugas Pencegahan dan Penanganan Tindak Pidana Perdagangan Orang"
    assert mapping["UNTOC"] == "United Nations Convention Against Transnational Organized Crime"
    assert mapping["ICM"] == "Intergovernmental Committe for Migrant"
    assert {a.source for a in skripsi_list} == {"list"}
    assert skripsi_list[0].short == "APD" and skripsi_list[-1].short == "YEP"


def test_dirty_glued_prefix_is_removed(skripsi_list: list[Abbreviation]) -> None:
    shorts = [a.short for a in skripsi_list]
    assert "NGO" in shorts and "kerjaNGO" not in shorts


def test_separators_and_skipped_lines() -> None:
    lines = [
        "## **DAFTAR SINGKATAN**",
        "",
        "IOM : International Organization for Migration",
        "UNHCR  United Nations High Commissioner for Refugees",
        "ILO – International Labour Organization",
        "DAFTAR SINGKATAN.....\txvi",
        "NIM : 2070750014",
        "Polri = Kepolisian Negara Republik Indonesia",
        "xvii",
    ]
    result = parse_abbreviation_list(lines)
    assert [(a.short, a.long) for a in result] == [
        ("IOM", "International Organization for Migration"),
        ("UNHCR", "United Nations High Commissioner for Refugees"),
        ("ILO", "International Labour Organization"),
        ("Polri", "Kepolisian Negara Republik Indonesia"),
    ]


@pytest.mark.parametrize(
    ("text", "short", "long"),
    [
        (
            "The International Organization for Migration (IOM) is one of the international organizations",
            "IOM",
            "International Organization for Migration",
        ),
        (
            "Gugus Tugas Pencegahan dan Penanganan Tindak Pidana Perdagangan Orang (GT-PPTPPO) di tingkat kabupaten",
            "GT-PPTPPO",
            "Gugus Tugas Pencegahan dan Penanganan Tindak Pidana Perdagangan Orang",
        ),
        ("kasus Tindak Pidana Perdagangan Orang (TPPO) di Sambas", "TPPO", "Tindak Pidana Perdagangan Orang"),
        (
            "handled by the Integrated Service Center for the Empowerment of Women and Children (P2TP2A) of West",
            "P2TP2A",
            "Integrated Service Center for the Empowerment of Women and Children",
        ),
        ("Unlike the United Nations Children's Fund (UNICEF) and", "UNICEF", "United Nations Children's Fund"),
        ("peran UNTOC (United Nations Convention against Transnational Organized Crime) dalam", "UNTOC",
         "United Nations Convention against Transnational Organized Crime"),
    ],
)
def test_definitions(text: str, short: str, long: str) -> None:
    assert find_definitions(text) == [Abbreviation(short=short, long=long, source="text")]


def test_shortest_long_form_is_kept() -> None:
    assert match_long_form("TPPO", "kejahatan Tindak Pidana Perdagangan Orang") == "Tindak Pidana Perdagangan Orang"
    assert match_long_form("IOM", "human trafficking") is None


def test_non_definitions_are_ignored() -> None:
    text = (
        "a high level of human trafficking (TPPO), data (2016-2023), (Haas, 1965), (1) first, "
        "Isu-Isu Global Kontemporer (Vol. XVII) and the chapter (II)."
    )
    assert find_definitions(text) == []


def test_whole_seed_paper_definitions() -> None:
    text = (SEEDS / "000_5c98c16164753270.txt").read_text(encoding="utf-8")
    mapping = {a.short: a.long for a in find_definitions(text)}
    assert mapping["IOM"] == "International Organization for Migration"
    assert mapping["UNHCR"] == "United Nations High Commissioner for Refugees"
    assert mapping["LBH"] == "Legal Aid Institute"
    assert "Vol. XVII" not in mapping
