"""User YAML (codebooks, review cues) is bounded: alias bombs and huge files are refused fast (#19)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from nlp_iom.coding.codebook import load_codebook
from nlp_iom.errors import CodebookError, ConfigError
from nlp_iom.review.cues import load_cues
from nlp_iom.safe_yaml import YamlLimitError, expanded_size, load_yaml


def _laughs(levels: int = 9) -> str:
    """The "billion laughs": each level lists the previous one nine times."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        name, previous = chr(97 + level), chr(96 + level)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _long_string_repeated() -> str:
    """One 100 KB string referenced 2,000 times (200 MB once expanded; the report had 810 MB)."""
    return ("name: bomb\nlong: &s \"" + "x" * 100_000 + "\"\ncodes:\n"
            + "".join(f"  - {{id: c{i}, label: {{en: *s}}}}\n" for i in range(2_000)))


def test_alias_expansion_is_counted_without_expanding() -> None:
    import yaml

    started = time.perf_counter()
    nodes, chars = expanded_size(yaml.compose(_laughs(), Loader=yaml.SafeLoader))
    assert nodes > 400_000_000 and chars > 3 * 9**9  # the last level alone holds 9**9 "lol"s
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("text", [_laughs(), _long_string_repeated(), "a: &a [*a]\n"])
def test_bombs_and_recursion_are_refused(text: str) -> None:
    started = time.perf_counter()
    with pytest.raises(YamlLimitError):
        load_yaml(text)
    assert time.perf_counter() - started < 2.0


def test_ordinary_yaml_with_aliases_still_loads() -> None:
    assert load_yaml("base: &b {lang: id}\nuse: [*b, *b]\n") == {"base": {"lang": "id"},
                                                                 "use": [{"lang": "id"}, {"lang": "id"}]}
    assert load_yaml("") is None
    with pytest.raises(YamlLimitError, match="larger than"):
        load_yaml("a: " + "x" * (3 * 2**20))


def test_a_codebook_bomb_is_a_codebook_error(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(_long_string_repeated(), encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(CodebookError, match="refused"):
        load_codebook(path)
    assert time.perf_counter() - started < 2.0
    assert load_codebook("haas").codes and load_codebook("ingo").codes  # the built-in ones are untouched


def test_a_cues_bomb_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "cues.yaml"
    path.write_text(_laughs(), encoding="utf-8")
    with pytest.raises(ConfigError, match="refused"):
        load_cues(path)
    assert load_cues()  # the built-in cues load
