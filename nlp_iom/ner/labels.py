"""The unified entity scheme of the Indonesian NER and each source set's tag map.

Five public Indonesian sets use four spellings for the same three core types. They are
mapped onto one scheme: ``PER``, ``ORG`` and ``LOC``. NER-UGM alone also marks dates and
times (``TIME``, here ``DATE``) and amounts (``QUANTITY``, here ``QTY``); those two are
kept only where the set has them, for its own cross-validation, and dropped to ``O`` for
the committed model, which predicts the three core types only.

Every map sends a source type either to a unified type or to ``None`` (dropped to ``O``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from nlp_iom.errors import ConfigError

PER = "PER"
ORG = "ORG"
LOC = "LOC"
DATE = "DATE"
QTY = "QTY"

#: Types of the committed model (every set mapped to these three).
CORE_LABELS: tuple[str, ...] = (PER, ORG, LOC)
#: Every type the scheme knows.
ALL_LABELS: tuple[str, ...] = (PER, ORG, LOC, DATE, QTY)
OUTSIDE = "O"
BEGIN = "B"
INSIDE = "I"

NERUI = "nerui"
NERUGM = "nerugm"
NERGRIT = "nergrit"
NERP = "nerp"
IDNER = "idner"
DATASETS: tuple[str, ...] = (NERUI, NERUGM, NERGRIT, NERP, IDNER)

#: Source type -> unified type, per set. ``None`` drops the type to ``O``.
TAG_MAPS: Mapping[str, Mapping[str, str | None]] = MappingProxyType(
    {
        NERUI: MappingProxyType({"PERSON": PER, "ORGANIZATION": ORG, "LOCATION": LOC}),
        NERUGM: MappingProxyType(
            {"PERSON": PER, "ORGANIZATION": ORG, "LOCATION": LOC, "TIME": DATE, "QUANTITY": QTY}
        ),
        NERGRIT: MappingProxyType({"PERSON": PER, "ORGANISATION": ORG, "PLACE": LOC}),
        # NERP: PPL person, IND organisation (institution), PLC place; EVT events and FNB
        # food-and-beverage brands have no counterpart in the scheme.
        NERP: MappingProxyType({"PPL": PER, "IND": ORG, "PLC": LOC, "EVT": None, "FNB": None}),
        IDNER: MappingProxyType({"PER": PER, "ORG": ORG, "LOC": LOC}),
    }
)


def own_labels(dataset: str) -> tuple[str, ...]:
    """Return the unified types a set annotates (its own label set, renamed).

    Args:
        dataset: One of :data:`DATASETS`.

    Returns:
        The unified types in scheme order, e.g. all five for NER-UGM.

    Raises:
        ConfigError: If the set is unknown.
    """
    tag_map = _tag_map(dataset)
    mapped = {target for target in tag_map.values() if target is not None}
    return tuple(label for label in ALL_LABELS if label in mapped)


def _tag_map(dataset: str) -> Mapping[str, str | None]:
    if dataset not in TAG_MAPS:
        raise ConfigError("dataset", f"must be one of {DATASETS}, got {dataset!r}")
    return TAG_MAPS[dataset]


def map_tag(tag: str, dataset: str, keep: tuple[str, ...] = CORE_LABELS) -> str:
    """Translate one source BIO tag into the unified scheme.

    Args:
        tag: The tag as written in the source file, e.g. ``B-ORGANISATION`` or ``O``.
        dataset: The set the tag comes from.
        keep: Unified types to keep; any other type becomes ``O``.

    Returns:
        The unified tag, e.g. ``B-ORG``, or ``O``.

    Raises:
        ValueError: If the tag is not ``O`` nor ``B-``/``I-`` plus a type the set's map knows.
    """
    if tag == OUTSIDE:
        return OUTSIDE
    prefix, sep, source_type = tag.partition("-")
    tag_map = _tag_map(dataset)
    if not sep or prefix not in (BEGIN, INSIDE) or source_type not in tag_map:
        raise ValueError(f"unknown tag {tag!r} for {dataset}")
    target = tag_map[source_type]
    if target is None or target not in keep:
        return OUTSIDE
    return f"{prefix}-{target}"


def repair_bio(tags: list[str]) -> tuple[list[str], int]:
    """Turn every ``I-X`` that does not continue an ``X`` entity into ``B-X``.

    NER-UGM and NERP contain a few such orphans (an ``I-`` after ``O`` or after another
    type); reading them as the start of a new entity is the usual IOB1 convention.

    Args:
        tags: Unified BIO tags of one sentence.

    Returns:
        The repaired tags and how many were changed.
    """
    repaired: list[str] = []
    changes = 0
    previous = OUTSIDE
    for tag in tags:
        if tag.startswith(f"{INSIDE}-") and previous[2:] != tag[2:]:
            tag = f"{BEGIN}-{tag[2:]}"
            changes += 1
        repaired.append(tag)
        previous = tag
    return repaired, changes


def validate_labels(labels: tuple[str, ...], field: str = "labels") -> tuple[str, ...]:
    """Check that every label belongs to the scheme.

    Args:
        labels: Unified types.
        field: Setting name reported in the error.

    Returns:
        The labels unchanged.

    Raises:
        ConfigError: If the tuple is empty or holds an unknown type.
    """
    unknown = [label for label in labels if label not in ALL_LABELS]
    if not labels or unknown:
        raise ConfigError(field, f"must be a non-empty subset of {ALL_LABELS}, got {labels!r}")
    return labels
