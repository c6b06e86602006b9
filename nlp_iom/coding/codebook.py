"""Codebooks as data: codes with bilingual definitions, indicator phrases and examples.

A codebook is a YAML (or JSON) file. The two built in, ``haas`` and ``ingo``, ship in
``nlp_iom/coding/codebooks/``; a user passes a path to load their own (for example Archer's IO
roles: instrument, arena, actor). Loading validates every field and raises
:class:`~nlp_iom.errors.CodebookError` naming the file and the dotted path of the bad field.

Schema (required unless marked optional)::

    name: haas                      # [a-z0-9_-]+
    version: 1                      # int
    title: {en: ..., id: ...}       # at least one language
    source: "Haas (1965) ..."       # text
    unit: "..."                     # optional: what one coded unit is
    codes:                          # >= 2 codes, unique ids
      - id: articulation            # [a-z0-9_-]+
        group: input                # optional
        label: {en: ..., id: ...}
        definition: {en: ..., id: ...}          # at least one language, non-empty
        indicators: {en: [...], id: [...]}      # optional lists of phrases
        examples: {positive: [{lang, text}], negative: [{lang, text}]}   # optional
        source: "..."               # optional
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from nlp_iom.errors import CodebookError
from nlp_iom.safe_yaml import YamlLimitError, load_yaml

#: Languages a codebook text may be written in.
LANGUAGES = ("en", "id")
#: Names of the codebooks shipped with the package.
BUILTIN = ("haas", "ingo")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class Example:
    """One illustrative passage of a codebook."""

    text: str
    lang: str


@dataclass(frozen=True)
class Code:
    """One code of a codebook."""

    id: str
    label: dict[str, str]
    definition: dict[str, str]
    indicators: dict[str, tuple[str, ...]] = field(default_factory=dict)
    positive: tuple[Example, ...] = ()
    negative: tuple[Example, ...] = ()
    group: str = ""
    source: str = ""

    def description(self, language: str | None = None) -> str:
        """Label and definition(s) as one text (both languages unless ``language`` is given)."""
        languages = [language] if language else [lang for lang in LANGUAGES if lang in self.definition]
        parts = [f"{self.label.get(lang, self.id)}: {self.definition[lang]}" for lang in languages
                 if lang in self.definition]
        return " ".join(parts) or self.id

    def all_indicators(self) -> list[tuple[str, str]]:
        """``(language, phrase)`` pairs of every indicator."""
        return [(lang, phrase) for lang, phrases in self.indicators.items() for phrase in phrases]


@dataclass(frozen=True)
class Codebook:
    """A named, versioned set of codes."""

    name: str
    version: int
    title: dict[str, str]
    source: str
    codes: tuple[Code, ...]
    unit: str = ""
    path: str = ""

    @property
    def code_ids(self) -> list[str]:
        """Code ids in codebook order."""
        return [code.id for code in self.codes]

    def code(self, code_id: str) -> Code:
        """Return the code ``code_id``; ``KeyError`` if the codebook has none."""
        for code in self.codes:
            if code.id == code_id:
                return code
        raise KeyError(f"codebook {self.name!r} has no code {code_id!r}")

    def to_dict(self) -> dict[str, Any]:
        """The codebook in its file schema (for saving next to a trained model)."""
        return {
            "name": self.name, "version": self.version, "title": dict(self.title), "source": self.source,
            "unit": self.unit,
            "codes": [{
                "id": c.id, "group": c.group, "label": dict(c.label), "definition": dict(c.definition),
                "indicators": {k: list(v) for k, v in c.indicators.items()},
                "examples": {"positive": [{"lang": e.lang, "text": e.text} for e in c.positive],
                             "negative": [{"lang": e.lang, "text": e.text} for e in c.negative]},
                "source": c.source,
            } for c in self.codes],
        }


def load_codebook(spec: str | Path | Codebook) -> Codebook:
    """Load a built-in codebook by name (``"haas"``, ``"ingo"``) or a YAML/JSON file by path.

    Raises:
        CodebookError: The file is missing, unreadable or has an invalid field.
    """
    if isinstance(spec, Codebook):
        return spec
    text_spec = str(spec)
    if text_spec in BUILTIN:
        source = f"nlp_iom/coding/codebooks/{text_spec}.yaml"
        raw = resources.files("nlp_iom.coding").joinpath("codebooks", f"{text_spec}.yaml").read_text("utf-8")
    else:
        path = Path(text_spec)
        source = str(path)
        if not path.is_file():
            raise CodebookError(source, "<file>", f"no such file (built-in codebooks: {', '.join(BUILTIN)})")
        try:
            raw = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CodebookError(source, "<file>", f"cannot read: {exc}") from exc
    try:
        data = json.loads(raw) if source.endswith(".json") else load_yaml(raw)
    except YamlLimitError as exc:
        raise CodebookError(source, "<file>", f"refused: {exc}") from exc
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise CodebookError(source, "<file>", f"not valid YAML/JSON: {exc}") from exc
    return codebook_from_dict(data, source)


def codebook_from_dict(data: Any, source: str = "<dict>") -> Codebook:
    """Validate a parsed codebook and build it; errors name the dotted field path."""
    if not isinstance(data, dict):
        raise CodebookError(source, "<root>", "must be a mapping")
    name = data.get("name")
    if not isinstance(name, str) or not _ID.match(name):
        raise CodebookError(source, "name", "must be a lower-case identifier such as 'haas'")
    version = data.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool):
        raise CodebookError(source, "version", "must be an integer")
    title = _texts(data.get("title", {"en": name}), source, "title")
    src = data.get("source")
    if not isinstance(src, str) or not src.strip():
        raise CodebookError(source, "source", "must name where the codes come from")
    raw_codes = data.get("codes")
    if not isinstance(raw_codes, list) or len(raw_codes) < 2:
        raise CodebookError(source, "codes", "must be a list of at least two codes")
    codes = tuple(_code(raw, source, f"codes[{i}]") for i, raw in enumerate(raw_codes))
    seen: set[str] = set()
    for i, code in enumerate(codes):
        if code.id in seen:
            raise CodebookError(source, f"codes[{i}].id", f"duplicate code id {code.id!r}")
        seen.add(code.id)
    unit = data.get("unit", "")
    return Codebook(name=name, version=version, title=title, source=src.strip(), codes=codes,
                    unit=unit if isinstance(unit, str) else "", path=source)


def _texts(value: Any, source: str, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not value:
        raise CodebookError(source, where, f"must map a language ({'/'.join(LANGUAGES)}) to text")
    out: dict[str, str] = {}
    for lang, text in value.items():
        if lang not in LANGUAGES:
            raise CodebookError(source, f"{where}.{lang}", f"unknown language; use {' or '.join(LANGUAGES)}")
        if not isinstance(text, str) or not text.strip():
            raise CodebookError(source, f"{where}.{lang}", "must be non-empty text")
        out[lang] = " ".join(text.split())
    return out


def _code(raw: Any, source: str, where: str) -> Code:
    if not isinstance(raw, dict):
        raise CodebookError(source, where, "must be a mapping")
    code_id = raw.get("id")
    if not isinstance(code_id, str) or not _ID.match(code_id):
        raise CodebookError(source, f"{where}.id", "must be a lower-case identifier such as 'rule-making'")
    definition = _texts(raw.get("definition"), source, f"{where}.definition")
    label = _texts(raw.get("label", {"en": code_id}), source, f"{where}.label")
    indicators: dict[str, tuple[str, ...]] = {}
    raw_ind = raw.get("indicators", {}) or {}
    if not isinstance(raw_ind, dict):
        raise CodebookError(source, f"{where}.indicators", "must map a language to a list of phrases")
    for lang, phrases in raw_ind.items():
        key = f"{where}.indicators.{lang}"
        if lang not in LANGUAGES:
            raise CodebookError(source, key, f"unknown language; use {' or '.join(LANGUAGES)}")
        if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip() for p in phrases):
            raise CodebookError(source, key, "must be a list of non-empty phrases")
        indicators[lang] = tuple(" ".join(p.split()) for p in phrases)
    examples = raw.get("examples", {}) or {}
    if not isinstance(examples, dict):
        raise CodebookError(source, f"{where}.examples", "must have 'positive' and/or 'negative' lists")
    positive = _examples(examples.get("positive", []), source, f"{where}.examples.positive")
    negative = _examples(examples.get("negative", []), source, f"{where}.examples.negative")
    group = raw.get("group", "")
    code_source = raw.get("source", "")
    return Code(id=code_id, label=label, definition=definition, indicators=indicators, positive=positive,
                negative=negative, group=group if isinstance(group, str) else str(group),
                source=code_source if isinstance(code_source, str) else "")


def _examples(raw: Any, source: str, where: str) -> tuple[Example, ...]:
    if not isinstance(raw, list):
        raise CodebookError(source, where, "must be a list of {lang, text}")
    out = []
    for i, item in enumerate(raw):
        if isinstance(item, str):
            item = {"lang": "en", "text": item}
        if not isinstance(item, dict) or not isinstance(item.get("text"), str) or not item["text"].strip():
            raise CodebookError(source, f"{where}[{i}].text", "must be non-empty text")
        lang = item.get("lang", "en")
        if lang not in LANGUAGES:
            raise CodebookError(source, f"{where}[{i}].lang", f"unknown language; use {' or '.join(LANGUAGES)}")
        out.append(Example(text=" ".join(item["text"].split()), lang=lang))
    return tuple(out)
