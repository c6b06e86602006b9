"""The ``iom_`` extensions of the domain layer, registered in one place, and the shared merge policy.

Every domain component (``iom_orgs``, ``iom_regions``, ``iom_laws``, ``iom_acronyms``,
``iom_informants``) imports this module, so the extensions exist as soon as any of them
does. Registration is idempotent: an extension already present is left alone.

Span extensions (default ``None``):

* ``iom_subtype``: organisation subtype, one of :data:`ORG_SUBTYPES`.
* ``iom_canonical``: canonical gazetteer name of an organisation.
* ``iom_long_form``: the expansion of an acronym mention.
* ``iom_region``: ``{"id", "level", "name"}`` of an Indonesian region (Kemendagri code).
* ``iom_law``: ``{"kind", "number", "year", ...}`` of a legal instrument.
* ``iom_informant``: ``{"role", "date", "kind"}`` of a person cited as a personal source.
* ``iom_rule``: name of the component that made the span (None for statistical spans).

Doc extensions (default ``None``): ``iom_abbreviations``, a ``{short: long}`` dict known for the
whole document (e.g. its DAFTAR SINGKATAN), read by ``iom_acronyms``; ``iom_people``, the names the
document declares (its authors), read by ``iom_known_people``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from spacy.tokens import Doc, Span
from spacy.util import filter_spans

SPAN_EXTENSIONS: tuple[str, ...] = (
    "iom_subtype",
    "iom_canonical",
    "iom_long_form",
    "iom_region",
    "iom_law",
    "iom_informant",
    "iom_rule",
)
DOC_EXTENSIONS: tuple[str, ...] = ("iom_abbreviations", "iom_people")
#: Organisation subtypes of the gazetteer.
ORG_SUBTYPES: tuple[str, ...] = ("IGO", "INGO", "NGO", "GOV", "ACADEMIC")
#: Entity labels the domain layer produces.
ORG = "ORG"
LOC = "LOC"
LAW = "LAW"
PER = "PER"
#: Words that open a caption or a cross-reference ("Tabel 3", "Figure 2", "Gambar 4.8"), never a name.
CAPTION_HEADS = frozenset({"tabel", "table", "gambar", "figure", "fig", "grafik", "chart", "lampiran", "appendix",
                           "persamaan", "equation", "diagram", "bagan"})
#: Characters that occur in code, formulas and identifiers but not in names.
CODE_CHARACTERS = frozenset("=<>{}[]();_\\|^~`#$")
#: Words a statistical entity may start with that a rule span leaves out.
LEADING_DETERMINERS = frozenset({"the", "a", "an"})


def register_extensions() -> None:
    """Register every ``iom_`` extension on ``Doc`` and ``Span`` (idempotent)."""
    for name in SPAN_EXTENSIONS:
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)
    for name in DOC_EXTENSIONS:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


def make_span(
    doc: Doc, start_char: int, end_char: int, label: str, rule: str, exact: bool = False, **attributes: Any
) -> Span | None:
    """A span over characters ``start_char:end_char`` with ``label`` and ``iom_`` attributes.

    The span is snapped to token boundaries (contracted first, expanded if contraction
    leaves nothing). Attributes are given without the ``iom_`` prefix.

    Returns:
        The span, or None when the characters cover no token, or (with ``exact``) when
        the token boundaries do not fall on ``start_char`` and ``end_char``.
    """
    if exact:
        span = doc.char_span(start_char, end_char, label=label)
        return set_attributes(span, rule=rule, **attributes) if span is not None else None
    span = doc.char_span(start_char, end_char, label=label, alignment_mode="contract")
    if span is None or not len(span):
        span = doc.char_span(start_char, end_char, label=label, alignment_mode="expand")
    if span is None or not len(span):
        return None
    set_attributes(span, rule=rule, **attributes)
    return span


def set_attributes(span: Span, **attributes: Any) -> Span:
    """Set ``iom_<name>`` extension values on ``span`` (None values are skipped)."""
    for name, value in attributes.items():
        if value is not None:
            setattr(span._, f"iom_{name}", value)
    return span


def copy_attributes(source: Span, target: Span, skip: tuple[str, ...] = ("iom_rule",)) -> None:
    """Copy every non-empty ``iom_`` span attribute of ``source`` that ``target`` lacks (but ``skip``)."""
    for name in SPAN_EXTENSIONS:
        if name in skip:
            continue
        value = getattr(source._, name)
        if value is not None and getattr(target._, name) is None:
            setattr(target._, name, value)


def _core_extent(span: Span) -> tuple[int, int]:
    """Token extent of ``span`` without leading determiners ("the Ministry of X" -> "Ministry of X")."""
    start = span.start
    while start < span.end - 1 and span.doc[start].lower_ in LEADING_DETERMINERS:
        start += 1
    return start, span.end


def merge_entities(doc: Doc, spans: Iterable[Span | None], override: bool = False) -> Doc:
    """Merge rule ``spans`` into ``doc.ents`` (in place).

    Policy: a rule span that covers exactly the tokens of an existing entity (leading
    determiners such as "the" aside) replaces it, i.e. re-labels it; otherwise overlaps
    are resolved by :func:`spacy.util.filter_spans`, which keeps the longer span and, at
    equal length, the rule span. A longer statistical entity that wins over a rule span
    of the same label inherits the rule span's ``iom_`` attributes ("NGO Save the
    Children" keeps subtype INGO). With ``override``, statistical entities (those without
    ``iom_rule``) that overlap a rule span are dropped instead.

    Returns:
        ``doc``.
    """
    rules = [span for span in spans if span is not None]
    if not rules:
        return doc
    extents = {(span.start, span.end) for span in rules}
    kept = [ent for ent in doc.ents if (ent.start, ent.end) not in extents and _core_extent(ent) not in extents]
    if override:
        taken = {i for span in rules for i in range(span.start, span.end)}
        kept = [ent for ent in kept if ent._.iom_rule is not None or not taken.intersection(range(ent.start, ent.end))]
    merged = filter_spans(rules + kept)
    chosen = {(span.start, span.end, span.label) for span in merged}
    for span in merged:
        if span._.iom_rule is not None:
            continue
        inside = [
            rule for rule in rules
            if (rule.start, rule.end, rule.label) not in chosen
            and rule.label == span.label and span.start <= rule.start and rule.end <= span.end
        ]  # fmt: skip
        if inside:
            copy_attributes(max(inside, key=len), span, skip=("iom_rule", "iom_long_form"))
    doc.ents = sorted(merged, key=lambda span: span.start)
    return doc


register_extensions()


def revise_entities(doc: Doc, label: str, revise: Callable[[Span], Span | None], rules: tuple[str, ...] = ()) -> Doc:
    """Pass each ``label`` entity a statistical model made (or one of ``rules``) through ``revise``.

    ``revise`` returns the entity itself, a replacement span (trimmed or relabelled), or None to drop
    it; other entities are kept as they are. ``doc.ents`` is set again only when something changed.
    """
    kept: list[Span] = []
    changed = False
    for ent in doc.ents:
        if ent.label_ != label or ent._.iom_rule not in (None, *rules):
            kept.append(ent)
            continue
        revised = revise(ent)
        changed = changed or revised is not ent
        if revised is not None:
            kept.append(revised)
    if changed:
        doc.ents = kept
    return doc


def looks_like_code(word: str) -> bool:
    """Whether a token is code or a formula rather than a word: operator or bracket characters, or a
    dot joining letters ("fp.readLine", "Current_State==0", "Y1" is not code but has a digit)."""
    if any(ch in CODE_CHARACTERS for ch in word):
        return True
    inner = word.strip(".")
    return any(inner[i] == "." and inner[i - 1].isalpha() and inner[i + 1].isalpha() and inner[i + 1].islower()
               for i in range(1, len(inner) - 1))


def not_a_name(span: Span) -> bool:
    """A statistical span that names nothing: it opens with a caption word or holds code."""
    return span[0].lower_.strip(".") in CAPTION_HEADS or any(looks_like_code(token.text) for token in span)
