"""Read a REFI-QDA project (``.qdpx``) that a person edited in QualCoder, NVivo, ATLAS.ti or MAXQDA.

Only what the corrections need is read: users, codes (with their parent code, to place a code in a
codebook), text sources (with their plain text when the archive carries it) and their coded plain-text
selections, each coding with the user who made it. The reader is bounded: the archive may hold at most
:data:`MAX_ENTRIES` entries and :data:`MAX_TOTAL_BYTES` of uncompressed data (read in chunks, so a zip
bomb stops at the limit rather than filling memory), and ``project.qde`` may not declare a DTD (no
entity expansion). Anything else is a :class:`~nlp_iom.errors.CorruptProjectError` naming the file.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from nlp_iom.errors import CorruptProjectError

NAMESPACE = "urn:QDA-XML:project:1.0"
PROJECT_FILE = "project.qde"
MAX_ENTRIES = 100_000
MAX_TOTAL_BYTES = 512 * 1024 * 1024
MAX_PROJECT_BYTES = 128 * 1024 * 1024
CHUNK = 1 << 20


@dataclass
class Coding:
    """One code applied to a selection, by one user."""

    code: str
    user: str | None
    when: str | None


@dataclass
class Selection:
    """A coded span of a text source (character offsets as the tool wrote them)."""

    guid: str
    source: str
    start: int
    end: int
    user: str | None
    when: str | None
    codings: list[Coding] = field(default_factory=list)
    description: str = ""


@dataclass
class Source:
    """A text source: its GUID, name and plain text (``None`` when the archive does not carry it)."""

    guid: str
    name: str
    text: str | None


@dataclass
class Project:
    """What a REFI-QDA project says about who coded what.

    Attributes:
        users: User GUID -> name.
        codes: Code GUID -> name.
        parents: Code GUID -> its parent code's GUID (codes nested under a codebook group).
        sources: Source GUID -> :class:`Source`.
        selections: Every plain-text selection with at least one coding.
    """

    users: dict[str, str]
    codes: dict[str, str]
    parents: dict[str, str]
    sources: dict[str, Source]
    selections: list[Selection]


def _tag(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int], path: Path) -> bytes:
    """An entry's bytes, read in chunks against the remaining byte budget."""
    limit = min(budget[0], MAX_PROJECT_BYTES if info.filename == PROJECT_FILE else budget[0])
    parts: list[bytes] = []
    size = 0
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise CorruptProjectError(path, f"{info.filename} unpacks to more than {limit // (1024 * 1024)} MB")
            parts.append(chunk)
    budget[0] -= size
    return b"".join(parts)


def read_project(path: str | Path) -> Project:
    """Read the users, codes, sources and coded selections of a ``.qdpx`` file.

    Raises:
        CorruptProjectError: Not a zip, no ``project.qde``, malformed XML, a DTD, or over the size limits.
    """
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        raise CorruptProjectError(path, f"not a readable .qdpx (zip) file: {exc}") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise CorruptProjectError(path, f"{len(infos)} entries in the archive; at most {MAX_ENTRIES} are read")
        names = {info.filename: info for info in infos}
        if PROJECT_FILE not in names:
            raise CorruptProjectError(path, f"no {PROJECT_FILE} in the archive")
        budget = [MAX_TOTAL_BYTES]
        try:
            xml = _read_entry(archive, names[PROJECT_FILE], budget, path)
            root = _parse(xml, path)
            project = _project(root, path)
            for source in project.sources.values():
                entry = next((n for n in (f"sources/{source.guid}.txt", f"Sources/{source.guid}.txt") if n in names),
                             None)
                if entry is not None:
                    source.text = _read_entry(archive, names[entry], budget, path).decode("utf-8", "replace")
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:  # zlib/CRC errors surface as these
            raise CorruptProjectError(path, f"damaged archive: {exc}") from exc
    return project


def _parse(xml: bytes, path: Path) -> ET.Element:
    head = xml[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in xml.lower():
        raise CorruptProjectError(path, f"{PROJECT_FILE} declares a DTD or entities; refused")
    try:
        return ET.fromstring(xml)
    except ET.ParseError as exc:
        raise CorruptProjectError(path, f"{PROJECT_FILE} is not well-formed XML: {exc}") from exc


def _int(value: str | None, what: str, path: Path) -> int:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise CorruptProjectError(path, f"{what} is not an integer: {value!r}") from exc


def _project(root: ET.Element, path: Path) -> Project:
    if _tag(root) != "Project":
        raise CorruptProjectError(path, f"the root element is {_tag(root)!r}, not a REFI-QDA Project")
    users = {u.get("guid", ""): u.get("name", "") for u in root.iter() if _tag(u) == "User"}
    codes: dict[str, str] = {}
    parents: dict[str, str] = {}

    def walk(code: ET.Element, parent: str | None) -> None:
        guid = code.get("guid", "")
        codes[guid] = code.get("name", "")
        if parent:
            parents[guid] = parent
        for child in code:
            if _tag(child) == "Code":
                walk(child, guid)

    for element in root:
        if _tag(element) == "CodeBook":
            for codes_el in element:
                for code in codes_el:
                    if _tag(code) == "Code":
                        walk(code, None)
    sources: dict[str, Source] = {}
    selections: list[Selection] = []
    for source in root.iter():
        if _tag(source) != "TextSource":
            continue
        guid = source.get("guid", "")
        sources[guid] = Source(guid, source.get("name", ""), None)
        for selection in source:
            if _tag(selection) != "PlainTextSelection":
                continue
            item = Selection(selection.get("guid", ""), guid,
                             _int(selection.get("startPosition"), "a selection's startPosition", path),
                             _int(selection.get("endPosition"), "a selection's endPosition", path),
                             selection.get("creatingUser"), selection.get("creationDateTime"))
            for child in selection:
                if _tag(child) == "Description":
                    item.description = child.text or ""
                elif _tag(child) == "Coding":
                    ref = next((c.get("targetGUID", "") for c in child if _tag(c) == "CodeRef"), "")
                    item.codings.append(Coding(ref, child.get("creatingUser") or item.user,
                                               child.get("creationDateTime") or item.when))
            if item.codings:
                selections.append(item)
    return Project(users, codes, parents, sources, selections)
