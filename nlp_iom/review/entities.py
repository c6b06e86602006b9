"""The organisations and places a corpus mentions most, with acronyms merged into their long forms.

Two mentions are the same organisation when they share a normalised name: an entity with a
``long_form`` joins its acronym and its long form, so ``IOM`` (long form *International
Organization for Migration*) and a written-out *International Organization for Migration* count
together, and so do two long forms given for one acronym. Places with a ``region`` (an Indonesian
administrative region) merge by region code, so *Sambas* and *Sambas Regency* count as *Kabupaten Sambas*.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from nlp_iom.review.model import EntityCount
from nlp_iom.document import entity_confirmed

#: Entity labels counted as organisations.
ORG_LABELS = ("ORG",)
#: Entity labels counted as places.
PLACE_LABELS = ("LOC", "GPE")
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s?$")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&.\-]{1,11}$")


def normalise(name: str) -> str:
    """Comparison key of an entity name: case-folded, without article, possessive, or dots in one word.

    ``the IOM's`` gives ``iom``; ``U.S.`` and ``US`` give ``us``.
    """
    name = " ".join(name.split())
    name = _LEADING_ARTICLE.sub("", name)
    name = _POSSESSIVE.sub("", name)
    if " " not in name:
        name = name.replace(".", "")
    return name.casefold().strip()


class _Groups:
    """Union-find over normalised names."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, a: str, b: str) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[root_b] = root_a


def _keys(entity: dict[str, Any]) -> list[str]:
    """The normalised names an entity is known by (its text, its long form, its region code)."""
    region = entity.get("region")
    if isinstance(region, dict) and region.get("id"):
        return [f"region:{region['id']}"]
    keys = [normalise(str(entity.get("text", "")))]
    long_form = entity.get("long_form")
    if isinstance(long_form, str) and long_form.strip():
        keys.append(normalise(long_form))
    return [k for k in keys if k]


def _display(entity: dict[str, Any]) -> tuple[str, str]:
    """``(name, acronym)`` an entity contributes to its group's display."""
    region = entity.get("region")
    if isinstance(region, dict) and region.get("name"):
        level = str(region.get("level", "")).replace("_", " ").strip()
        return (f"{region['name']} ({level})" if level else str(region["name"])), ""
    text = " ".join(str(entity.get("text", "")).split())
    long_form = entity.get("long_form")
    if isinstance(long_form, str) and long_form.strip():
        return " ".join(long_form.split()), text if _ACRONYM.match(text) else ""
    if _ACRONYM.match(text):
        return "", text
    return _LEADING_ARTICLE.sub("", text), ""


def count_entities(mentions: Iterable[tuple[int, dict[str, Any]]], labels: tuple[str, ...],
                   top: int) -> list[EntityCount]:
    """Count entities with one of ``labels`` over ``(doc_id, entity)`` pairs, merging names.

    Returns:
        The ``top`` groups by mentions (then documents, then name): the most frequent full name,
        the most frequent acronym, the label, ORG subtypes seen (most frequent first), the number
        of mentions and of distinct documents.
    """
    picked = [(doc_id, e) for doc_id, e in mentions if e.get("label") in labels and _keys(e)]
    groups = _Groups()
    for _, entity in picked:
        keys = _keys(entity)
        for key in keys[1:]:
            groups.union(keys[0], key)
    names: dict[str, Counter[str]] = defaultdict(Counter)
    acronyms: dict[str, Counter[str]] = defaultdict(Counter)
    subtypes: dict[str, Counter[str]] = defaultdict(Counter)
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    docs: dict[str, set[int]] = defaultdict(set)
    mentions_per: Counter[str] = Counter()
    for doc_id, entity in picked:
        root = groups.find(_keys(entity)[0])
        name, acronym = _display(entity)
        if name:
            names[root][name] += 1
        if acronym:
            acronyms[root][acronym] += 1
        if entity.get("subtype"):
            subtypes[root][str(entity["subtype"])] += 1
        kinds[root][str(entity["label"])] += 1
        docs[root].add(doc_id)
        mentions_per[root] += 1
    counts = []
    for root, n in mentions_per.items():
        acronym = acronyms[root].most_common(1)[0][0] if acronyms[root] else ""
        name = names[root].most_common(1)[0][0] if names[root] else acronym
        counts.append(EntityCount(name=name, acronym=acronym if acronym != name else "",
                                  label=kinds[root].most_common(1)[0][0],
                                  subtypes=[s for s, _ in subtypes[root].most_common()], mentions=n,
                                  documents=len(docs[root])))
    counts.sort(key=lambda c: (-c.mentions, -c.documents, c.name.casefold()))
    return counts[:top]


def corpus_mentions(corpus: Any, confirmed: bool = False) -> list[tuple[int, dict[str, Any]]]:
    """Every ``(doc_id, entity)`` of the corpus passages (with ``confirmed``, only those a domain
    component made or vouched for: :func:`nlp_iom.document.entity_confirmed`)."""
    return [(row.doc_id, entity) for row in corpus.passage_rows for entity in row.entities
            if isinstance(entity, dict) and (not confirmed or entity_confirmed(entity))]
