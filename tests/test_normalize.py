"""Dehyphenation and Unicode normalisation."""

from __future__ import annotations

import pytest

from nlp_iom.extract.normalize import dehyphenate_join, is_reduplication, normalize_text
from nlp_iom.extract.pdf import normalize_word


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("We test the dehypenisa-", "tion of a short text.", "We test the dehypenisation of a short text."),
        ("kerja sama negara-", "negara ASEAN", "kerja sama negara-negara ASEAN"),
        ("menangani kasus-", "kasus perdagangan", "menangani kasus-kasus perdagangan"),
        ("anak-anak dan ber-", "main-main", "anak-anak dan bermain-main"),
        ("berhati-", "hati di perbatasan", "berhati-hati di perbatasan"),
        ("pandemi COVID-", "19 di Indonesia", "pandemi COVID-19 di Indonesia"),
        ("the Asia-", "Pacific region", "the Asia-Pacific region"),
        ("tahun 2016-", "2023", "tahun 2016-2023"),
        ("ends with a dash -", "and goes on", "ends with a dash - and goes on"),
        ("no hyphen", "here", "no hyphen here"),
    ],
)
def test_dehyphenate_join(left: str, right: str, expected: str) -> None:
    assert dehyphenate_join(left, right) == expected


def test_vocabulary_keeps_known_compounds() -> None:
    assert dehyphenate_join("a well-", "known case", vocabulary={"well-known"}) == "a well-known case"
    assert dehyphenate_join("inter-", "national law", vocabulary={"international"}) == "international law"


def test_reduplication() -> None:
    assert is_reduplication("negara", "negara")
    assert is_reduplication("sayur", "sayuran")
    assert not is_reduplication("litera", "ture")
    assert not is_reduplication("govern", "ment")


def test_ligatures_and_odd_characters() -> None:
    assert normalize_word("e\ufb00ects") == "effects"
    assert normalize_word("sufﬁcient") == "sufficient"
    assert normalize_word("litera\ufffe") == "litera-"
    assert normalize_word("soft\u00adhyphen") == "softhyphen"
    assert normalize_word("(cid:13)2017") == "2017"
    assert normalize_text("a\u00a0b  c") == "a b c"
