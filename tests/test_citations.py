"""In-text citations on sentences of the seed paper, and linking to its reference list."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp_iom.document import Reference
from nlp_iom.extract.citations import find_citations, link_citations
from nlp_iom.extract.references import parse_reference, split_references

SEED_PAPER = Path(__file__).parent.parent / "seeds" / "000_5c98c16164753270.txt"


@pytest.fixture(scope="module")
def seed() -> tuple[str, list[Reference]]:
    text = SEED_PAPER.read_text(encoding="utf-8")
    body, zone = text.split("## REFERENCE\n", 1)
    entries = split_references([b for b in zone.split("\n\n") if b.strip()])
    return body, [parse_reference(raw, i) for i, raw in enumerate(entries)]


def test_parenthetical_citation_span_and_offset() -> None:
    text = "human trafficking is viewed as a crime endangering human security (Winarno, 2011). Human"
    [c] = find_citations(text, offset=1000, passage_id=7)
    assert c.text == "(Winarno, 2011)"
    assert (c.start, c.end) == (text.index("(Winarno") + 1000, text.index(")") + 1 + 1000)
    assert (c.authors, c.year, c.kind, c.passage_id) == (["Winarno"], 2011, "reference", 7)


def test_multi_part_parenthesis_gives_one_citation_per_part() -> None:
    text = "as argued before (Wallace and Singer, 1970; Archer, 2001)."
    cites = find_citations(text)
    assert [c.text for c in cites] == ["Wallace and Singer, 1970", "Archer, 2001"]
    assert cites[0].authors == ["Wallace", "Singer"]
    assert all(text[c.start : c.end] == c.text for c in cites)


def test_narrative_citations() -> None:
    text = "Whereas Wallace and Singer (1970) stated, and Haas (1965) as well as Siegel et al. (2018) said"
    cites = find_citations(text)
    assert [(c.text, c.year) for c in cites] == [
        ("Wallace and Singer (1970)", 1970),
        ("Haas (1965)", 1965),
        ("Siegel et al. (2018)", 2018),
    ]
    assert cites[2].authors == ["Siegel"]


@pytest.mark.parametrize(
    ("text", "authors", "year"),
    [
        ("(Alif Oktavian dkk., 2018)", ["Alif Oktavian"], 2018),
        ("(Archer, 2001: 35)", ["Archer"], 2001),
        ("(Archer, 2001, p. 35)", ["Archer"], 2001),
        ("(Jackson & Sørensen, 2013)", ["Jackson", "Sørensen"], 2013),
        ("(P2TP2A, 2018)", ["P2TP2A"], 2018),
        (
            "(Secretariat of Prevention Task Force and Handling of TPPO, 2018)",
            ["Secretariat of Prevention Task Force and Handling of TPPO"],
            2018,
        ),
    ],
)
def test_parenthetical_forms(text: str, authors: list[str], year: int) -> None:
    [c] = find_citations(f"see {text} here")
    assert (c.text, c.authors, c.year, c.kind) == (text, authors, year, "reference")


def test_personal_communication_dates() -> None:
    text = (
        "helping both provide an expert witness and be a guest speaker” (Umar, Personal Communication, July 30, 2019). "
        '"...so far, the obstacle is on costing or implementation budget" (Musta\'im, Personal Communication, October 2, 2019).'
    )
    umar, mustaim = find_citations(text)
    assert (umar.kind, umar.authors, umar.year, umar.date) == ("personal_communication", ["Umar"], 2019, "2019-07-30")
    assert (mustaim.authors, mustaim.date) == (["Musta'im"], "2019-10-02")


def test_indonesian_interviews() -> None:
    named, anonymous = find_citations(
        "korban dipulangkan (Wawancara dengan Bapak Yohanes, 12 Maret 2023). Data lain (Hasil wawancara, 2023)."
    )
    assert (named.kind, named.authors, named.date, named.year) == ("interview", ["Yohanes"], "2023-03-12", 2023)
    assert (anonymous.kind, anonymous.authors, anonymous.year, anonymous.date) == ("interview", [], 2023, None)


def test_non_citations_are_ignored() -> None:
    text = (
        "IOM's role in Indonesia (2010-2014) by the International Organization for Migration (IOM) and "
        "(P2TP2A) namely: (1) International organizations present information; In (2018) the Tahun (2019)."
    )
    assert find_citations(text) == []


def test_linking_with_accents_and_unresolved(seed: tuple[str, list[Reference]]) -> None:
    _, refs = seed
    cites = find_citations(
        "(Jackson & Sørensen, 2013) and (Haas, 1965) and (P2TP2A, 2018) and "
        "(Umar, Personal Communication, July 30, 2019) and Ikbar (2014)"
    )
    link_citations(cites, refs)
    by_text = {c.text: c for c in cites}
    jackson = by_text["(Jackson & Sørensen, 2013)"]
    assert refs[jackson.reference_id].raw.startswith("Jackson, R & Sorensen, G. (2013)")
    assert jackson.kind == "reference"
    assert refs[by_text["(Haas, 1965)"].reference_id].authors == ["Haas, M."]
    assert refs[by_text["Ikbar (2014)"].reference_id].year == 2014
    assert (by_text["(P2TP2A, 2018)"].kind, by_text["(P2TP2A, 2018)"].reference_id) == ("unresolved", None)
    umar = by_text["(Umar, Personal Communication, July 30, 2019)"]
    assert (umar.kind, umar.reference_id) == ("personal_communication", None)


def test_year_suffix_must_match() -> None:
    refs = [
        Reference(id=1, raw="", authors=["Wang, R.", "Neumann, G."], year=2007, year_suffix="a"),
        Reference(id=2, raw="", authors=["Wang, R.", "Neumann, G."], year=2007, year_suffix="b"),
    ]
    cites = find_citations("(Wang and Neumann, 2007b) and (Wang and Neumann, 2007a, 2007b)")
    link_citations(cites, refs)
    assert [c.reference_id for c in cites] == [2, 1, 2]


def test_whole_seed_paper(seed: tuple[str, list[Reference]]) -> None:
    body, refs = seed
    cites = find_citations(body)
    link_citations(cites, refs)
    assert all(body[c.start : c.end] == c.text for c in cites)
    haas = [c for c in cites if c.text == "(Haas, 1965)"]
    assert len(haas) == 14 and {c.kind for c in haas} == {"reference"}
    personal = [c for c in cites if c.kind == "personal_communication"]
    assert {c.date for c in personal} == {"2019-10-02", "2019-07-30", "2019-07-31", "2019-09-10", "2019-10-03"}
    assert all(c.reference_id is None for c in personal)
    unresolved = {c.text for c in cites if c.kind == "unresolved"}
    assert "(International Organization for Migration, 2019)" in unresolved
    assert "(Secretariat of Prevention Task Force and Handling of TPPO, 2018)" in unresolved
