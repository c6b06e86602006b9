"""Theory/framework and method cue phrases, and counting them in a document's text.

The phrases live in ``nlp_iom/review/theories.yaml`` (English and Indonesian). A phrase matches
case-insensitively on word boundaries, with any run of whitespace between its words; a trailing
``*`` lets the last word continue (``constructivis*`` matches *constructivism* and *constructivist*).
A user may pass their own file with the same schema.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from nlp_iom.errors import ConfigError
from nlp_iom.safe_yaml import YamlLimitError, load_yaml

#: Kinds of cue a file may hold.
CUE_KINDS = ("theory", "method")
#: Languages a cue file lists phrases in.
CUE_LANGUAGES = ("en", "id")
#: Name of the built-in cue file inside the package.
BUILTIN_CUES = "theories.yaml"
_WILDCARD = "*"


@dataclass(frozen=True)
class Cue:
    """One theory/framework or method and the phrases that name it."""

    id: str
    kind: str
    label: str
    phrases: tuple[str, ...]
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class CueMatch:
    """How often a cue was found in a text, and the phrases that matched (as written there)."""

    cue: Cue
    count: int
    phrases: tuple[str, ...]


def _phrase_regex(phrase: str) -> str:
    """Regex source of one cue phrase (word boundaries, flexible whitespace, optional wildcard)."""
    wildcard = phrase.endswith(_WILDCARD)
    words = phrase.rstrip(_WILDCARD).split()
    body = r"\s+".join(re.escape(word) for word in words)
    tail = r"\w*" if wildcard else ""
    return rf"(?<!\w){body}{tail}(?!\w)"


def _cue(raw: Any, source: str, where: str) -> Cue:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}:{where}", "must be a mapping with id, kind, label and phrases")
    cue_id, kind, label = raw.get("id"), raw.get("kind"), raw.get("label")
    if not isinstance(cue_id, str) or not cue_id:
        raise ConfigError(f"{source}:{where}.id", "must be a non-empty string")
    if kind not in CUE_KINDS:
        raise ConfigError(f"{source}:{where}.kind", f"must be one of {', '.join(CUE_KINDS)}")
    if not isinstance(label, str) or not label.strip():
        raise ConfigError(f"{source}:{where}.label", "must be a non-empty string")
    by_language = raw.get("phrases")
    if not isinstance(by_language, dict):
        raise ConfigError(f"{source}:{where}.phrases", f"must map a language ({'/'.join(CUE_LANGUAGES)}) to phrases")
    unknown = sorted(set(by_language) - set(CUE_LANGUAGES))
    if unknown:
        raise ConfigError(f"{source}:{where}.phrases", f"unknown language(s) {', '.join(map(str, unknown))}")
    phrases: list[str] = []
    for language in CUE_LANGUAGES:
        listed = by_language.get(language, []) or []
        if not isinstance(listed, list) or not all(isinstance(p, str) and p.strip(_WILDCARD).strip()
                                                   for p in listed):
            raise ConfigError(f"{source}:{where}.phrases.{language}", "must be a list of non-empty phrases")
        phrases.extend(" ".join(p.split()) for p in listed)
    if not phrases:
        raise ConfigError(f"{source}:{where}", "lists no phrase in en or id")
    pattern = re.compile("|".join(_phrase_regex(p) for p in phrases), re.IGNORECASE)
    return Cue(id=cue_id, kind=kind, label=label.strip(), phrases=tuple(phrases), pattern=pattern)


@lru_cache(maxsize=8)
def load_cues(path: str | None = None) -> tuple[Cue, ...]:
    """Load the cue file (the built-in one when ``path`` is ``None``).

    Raises:
        ConfigError: The file is missing, not YAML, or a cue is malformed (the field is named).
    """
    if path is None:
        source = f"nlp_iom/review/{BUILTIN_CUES}"
        raw_text = resources.files("nlp_iom.review").joinpath(BUILTIN_CUES).read_text("utf-8")
    else:
        source = path
        try:
            raw_text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError("cues", f"cannot read {path}: {exc}") from exc
    try:
        data = load_yaml(raw_text)
    except YamlLimitError as exc:
        raise ConfigError("cues", f"{source} refused: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError("cues", f"{source} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("cues"), list):
        raise ConfigError("cues", f"{source} must hold a 'cues' list")
    cues = tuple(_cue(raw, source, f"cues[{i}]") for i, raw in enumerate(data["cues"]))
    ids = Counter(c.id for c in cues)
    duplicates = sorted(cue_id for cue_id, n in ids.items() if n > 1)
    if duplicates:
        raise ConfigError("cues", f"{source} repeats cue ids {', '.join(duplicates)}")
    return cues


def match_cues(texts: Iterable[str], cues: Iterable[Cue], kind: str) -> list[CueMatch]:
    """Count each cue of ``kind`` over ``texts``; cues never found are left out.

    Returns:
        Matches, most frequent first (ties in cue-file order).
    """
    texts = [t for t in texts if t]
    found: list[CueMatch] = []
    for cue in cues:
        if cue.kind != kind:
            continue
        seen: Counter[str] = Counter()
        for text in texts:
            seen.update(" ".join(m.group(0).split()) for m in cue.pattern.finditer(text))
        if seen:
            phrases = tuple(phrase for phrase, _ in seen.most_common())
            found.append(CueMatch(cue=cue, count=sum(seen.values()), phrases=phrases))
    return sorted(found, key=lambda m: -m.count)
