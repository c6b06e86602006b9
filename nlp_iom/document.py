"""The Document model: the spine that every stage of nlp_iom reads and extends.

A Document is made of plain dataclasses and serialises to JSON and back without
loss. It carries ``schema_version``; a reader refuses a document written by a
newer major version with :class:`~nlp_iom.errors.SchemaVersionError`.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from nlp_iom.errors import SchemaVersionError

SCHEMA_VERSION = "1.3"  # 1.3: Entity.source

#: Zones of a document; later stages leave out everything but ``body``.
ZONE_FRONT = "front_matter"
ZONE_ABSTRACT = "abstract"
ZONE_BODY = "body"
ZONE_REFERENCES = "references"
ZONE_BACK = "back_matter"
ZONES = (ZONE_FRONT, ZONE_ABSTRACT, ZONE_BODY, ZONE_REFERENCES, ZONE_BACK)


@dataclass
class Author:
    """A person credited on the title page."""

    name: str
    affiliation: str | None = None
    email: str | None = None


@dataclass
class Metadata:
    """Bibliographic facts about the document."""

    title: str | None = None
    authors: list[Author] = field(default_factory=list)
    affiliations: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    dates: dict[str, str] = field(default_factory=dict)
    year: int | None = None
    language: str | None = None
    kind: str = "unknown"
    institution: str | None = None
    source: str | None = None
    pages: int | None = None


@dataclass
class Abstract:
    """One abstract with its own language and keyword list."""

    text: str
    language: str
    heading: str = ""
    keywords: list[str] = field(default_factory=list)
    page: int | None = None


@dataclass
class Section:
    """A node of the section tree.

    ``start``/``end`` are character offsets into :attr:`Document.text` covering
    the heading and everything under it.
    """

    title: str
    level: int
    number: str | None = None
    zone: str = ZONE_BODY
    kind: str = "section"
    page: int | None = None
    start: int = 0
    end: int = 0
    children: list[Section] = field(default_factory=list)

    def walk(self) -> Iterator[Section]:
        """Yield this section and all its descendants, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Entity:
    """A named entity in a passage: ``start``/``end`` are character offsets into the passage text.

    The domain layer adds what it knows: ``subtype`` of an organisation (IGO, INGO, NGO, GOV,
    ACADEMIC), ``long_form`` of an acronym, ``region`` (an Indonesian region: id, level, name),
    ``law`` (kind, number, year, ...) and ``informant`` (role, date, kind of a personal source).
    ``source`` says what made the span: ``"model"`` (a statistical model) or the domain component
    (``"iom_orgs"``, ``"iom_regions"``, ``"iom_laws"``, ...). It serialises as a dict holding only
    the fields that are set.
    """

    text: str
    label: str
    start: int
    end: int
    subtype: str | None = None
    long_form: str | None = None
    region: dict[str, Any] | None = None
    law: dict[str, Any] | None = None
    informant: dict[str, Any] | None = None
    source: str | None = None

    @property
    def confirmed(self) -> bool:
        """Whether more than a statistical model vouches for it (see :func:`entity_confirmed`)."""
        return entity_confirmed(self.to_dict())

    @property
    def display_label(self) -> str:
        """``ORG/IGO``-style label, with the subtype when known."""
        return f"{self.label}/{self.subtype}" if self.subtype else self.label

    @property
    def name(self) -> str:
        """The name a count or a listing shows: the long form of an acronym, else the text."""
        return self.long_form or self.text

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: text, label, start and end, then only the optional fields that are set."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if getattr(self, f.name) is not None or f.name in _ENTITY_REQUIRED}


_ENTITY_REQUIRED = ("text", "label", "start", "end")
#: Fields only the domain layer fills: an entity carrying one was matched by a gazetteer or a rule.
_DOMAIN_FIELDS = ("subtype", "long_form", "region", "law", "informant")


def entity_confirmed(record: dict[str, Any]) -> bool:
    """Whether an entity (its JSON form) was made or vouched for by a domain component.

    True when a rule or gazetteer made it (``source`` other than ``"model"``) or gave it a subtype,
    long form, region, law or informant record: what a report may show as reliable. Entities of
    files written before ``source`` existed count as confirmed only through those fields.
    """
    source = record.get("source")
    return (isinstance(source, str) and source != "model") or any(record.get(key) for key in _DOMAIN_FIELDS)


@dataclass
class Passage:
    """A paragraph (or list item) of running text in reading order."""

    id: int
    text: str
    start: int
    end: int
    pages: list[int] = field(default_factory=list)
    section_path: list[str] = field(default_factory=list)
    zone: str = ZONE_BODY
    kind: str = "paragraph"
    language: str = "und"
    entities: list[Entity] = field(default_factory=list)
    codes: dict[str, float] = field(default_factory=dict)
    ocr: bool = False
    ocr_confidence: float | None = None


@dataclass
class Reference:
    """One entry of the reference list, split into its parts."""

    id: int
    raw: str
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    year_suffix: str = ""
    title: str | None = None
    venue: str | None = None
    url: str | None = None
    doi: str | None = None
    page: int | None = None


@dataclass
class Footnote:
    """A footnote at the foot of a page, out of the body text.

    ``passage_id`` is the passage whose text carries the footnote's marker; ``reference`` is the
    source it cites, parsed like a reference entry, where it cites one.
    """

    number: str
    text: str
    page: int | None = None
    passage_id: int | None = None
    reference: Reference | None = None


@dataclass
class Table:
    """A table: page, box ``[x0, top, x1, bottom]`` in points, caption, and cells row by row."""

    page: int
    bbox: list[float] = field(default_factory=list)
    caption: str | None = None
    rows: list[list[str | None]] = field(default_factory=list)


@dataclass
class Citation:
    """An in-text citation, linked to a reference or typed as a personal source."""

    text: str
    start: int
    end: int
    passage_id: int | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    kind: str = "reference"
    reference_id: int | None = None
    date: str | None = None


@dataclass
class Abbreviation:
    """A short form and its expansion."""

    short: str
    long: str
    source: str = "list"


@dataclass
class Document:
    """A structured document: metadata, abstracts, sections, passages and apparatus.

    ``stages`` records what each later stage did (models used, passages skipped and why).
    """

    metadata: Metadata = field(default_factory=Metadata)
    text: str = ""
    abstracts: list[Abstract] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    abbreviations: list[Abbreviation] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)
    schema_version: str = SCHEMA_VERSION

    # -- convenience -----------------------------------------------------
    def iter_sections(self) -> Iterator[Section]:
        """Yield every section of the tree, depth first."""
        for section in self.sections:
            yield from section.walk()

    def body_passages(self) -> list[Passage]:
        """Passages of the body zone only (no front matter, abstracts or references)."""
        return [p for p in self.passages if p.zone == ZONE_BODY]

    def abstract(self, language: str) -> Abstract | None:
        """Return the abstract in ``language`` (``"id"`` or ``"en"``), if any."""
        return next((a for a in self.abstracts if a.language == language), None)

    def abbreviation_map(self) -> dict[str, str]:
        """Short form -> long form."""
        return {a.short: a.long for a in self.abbreviations}

    # -- serialisation ---------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (entities hold only the fields that are set, as :meth:`Entity.to_dict`)."""
        data = dataclasses.asdict(self)
        for passage, record in zip(self.passages, data["passages"]):
            record["entities"] = [entity.to_dict() for entity in passage.entities]
        return data

    def to_json(self, indent: int | None = 2) -> str:
        """Serialise to a JSON string."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    def save(self, path: str | Path) -> None:
        """Write the JSON form to ``path`` (UTF-8)."""
        Path(path).write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        """Rebuild a Document from :meth:`to_dict` output.

        Raises:
            SchemaVersionError: The data comes from a newer major schema version.
        """
        version = str(data.get("schema_version", SCHEMA_VERSION))
        if int(version.split(".")[0]) > int(SCHEMA_VERSION.split(".")[0]):
            raise SchemaVersionError(
                f"document schema {version} is newer than this nlp_iom ({SCHEMA_VERSION}); upgrade nlp_iom"
            )
        return _build(cls, data)

    @classmethod
    def from_json(cls, text: str) -> Document:
        """Parse the JSON produced by :meth:`to_json`."""
        return cls.from_dict(json.loads(text))

    @classmethod
    def load(cls, path: str | Path) -> Document:
        """Read a Document saved with :meth:`save`."""
        return cls.from_json(Path(path).read_text(encoding="utf-8"))


def _build(tp: Any, value: Any) -> Any:
    """Recursively turn JSON values into the dataclass type ``tp``."""
    if value is None:
        return None
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        kwargs = {
            f.name: _build(hints[f.name], value[f.name]) for f in dataclasses.fields(tp) if f.name in value
        }
        return tp(**kwargs)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _build(inner[0], value) if len(inner) == 1 else value
    if origin is list:
        return [_build(args[0], v) for v in value]
    if origin is dict:
        return {k: _build(args[1], v) for k, v in value.items()}
    return value
