"""REFI-QDA project export (``.qdpx``): the coded passages, ready to open in QDA software.

A ``.qdpx`` file is a zip holding ``project.qde`` (XML in the namespace ``urn:QDA-XML:project:1.0``,
REFI-QDA Project standard 1.0, schema ``Project.xsd`` of March 2019) and the plain text of each
source under ``sources/<guid>.txt``. This writer puts in:

* ``Users``: one user, ``nlp_iom``, who made every coding (the machine's suggestions, for a person to
  accept, delete or change in the QDA tool; ``nlp-iom corrections import`` reads the result back);
* ``CodeBook``: each codebook as a code that cannot be coded itself, with its codes under it
  (name = English label, description = definitions in English and Indonesian, a colour each), and the
  code ``nlp_iom: uncertain``;
* ``Variables``: year, language, document kind and citation of each source;
* ``Sources``: one ``TextSource`` per document (``plainTextPath="internal://<guid>.txt"``; the
  text is the Document's full text), with a ``PlainTextSelection`` per body passage coded at or
  above the threshold: ``startPosition``/``endPosition`` are character offsets (Unicode code
  points, end exclusive) of the passage in that text, and one ``Coding`` per code with a
  ``CodeRef`` to it; then the variable values. A passage with a code whose probability lies within
  :data:`UNCERTAIN_MARGIN` of the threshold (either side) is also coded ``nlp_iom: uncertain``, so a
  reviewer can take those first. Each selection's ``Description`` (its memo in QDA tools) gives the
  page, each code's probability, the code's indicator phrases found in the passage and the labelled
  training passages of the code closest to it (recorded by :func:`nlp_iom.coding.api.classify`).

GUIDs are UUID5s of stable names (code ids, content hashes, passage ids), and every date is the
batch's creation time, so exporting the same documents again gives the same project.
"""

from __future__ import annotations

import io
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nlp_iom import __version__
from nlp_iom.batch.layout import AnnotatedDocument, write_atomic
from nlp_iom.batch.exports.common import citation
from nlp_iom.coding.codebook import Codebook
from nlp_iom.document import ZONE_BODY

NAMESPACE = "urn:QDA-XML:project:1.0"
SCHEMA_LOCATION = f"{NAMESPACE} http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
PROJECT_FILE = "project.qde"
SOURCES_DIR = "sources"
#: Root of every GUID this writer makes (UUID5 names hang under it).
GUID_ROOT = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/nlp_iom/qdpx")
USER_NAME = "nlp_iom"
#: Colours given to codes in turn.
PALETTE = ("#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B", "#E377C2", "#7F7F7F",
           "#BCBD22", "#17BECF")
#: Characters of passage text in a selection's name.
NAME_EXCERPT = 60
#: Variables of each source: name -> REFI type.
VARIABLES = {"Year": "Integer", "Language": "Text", "Document kind": "Text", "Citation": "Text"}
#: Codes within this distance of the threshold mark a passage ``nlp_iom: uncertain``.
UNCERTAIN_MARGIN = 0.1
UNCERTAIN = "nlp_iom:uncertain"
UNCERTAIN_NAME = "nlp_iom: uncertain"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def guid(*parts: object) -> str:
    """A stable GUID for the thing named by ``parts``."""
    return str(uuid.uuid5(GUID_ROOT, ":".join(str(p) for p in parts)))


def xml_text(text: str) -> str:
    """``text`` without the control characters XML 1.0 forbids."""
    return _NOT_XML.sub(" ", text)


def _el(parent: ET.Element | None, tag: str, attrs: dict[str, Any] | None = None,
        text: str | None = None) -> ET.Element:
    name = f"{{{NAMESPACE}}}{tag}"
    values = {k: xml_text(str(v)) for k, v in (attrs or {}).items() if v is not None}
    element = ET.Element(name, values) if parent is None else ET.SubElement(parent, name, values)
    if text is not None:
        element.text = xml_text(text)
    return element


def _codebook(root: ET.Element, codebooks: Sequence[Codebook]) -> dict[str, str]:
    """Add the ``CodeBook``; return ``<codebook>:<code>`` -> code GUID."""
    codes = _el(_el(root, "CodeBook"), "Codes")
    refs: dict[str, str] = {}
    colour = 0
    for book in codebooks:
        group = _el(codes, "Code", {"guid": guid("codebook", book.name), "name": book.title.get("en", book.name),
                                    "isCodable": "false"})
        _el(group, "Description", text=f"{book.name} v{book.version}. {book.source}")
        for code in book.codes:
            key = f"{book.name}:{code.id}"
            refs[key] = guid("code", key)
            node = _el(group, "Code", {"guid": refs[key], "name": code.label.get("en", code.id), "isCodable": "true",
                                       "color": PALETTE[colour % len(PALETTE)]})
            colour += 1
            _el(node, "Description", text=" ".join(f"[{lang}] {text}" for lang, text in code.definition.items()))
    refs[UNCERTAIN] = guid("code", UNCERTAIN)
    node = _el(codes, "Code", {"guid": refs[UNCERTAIN], "name": UNCERTAIN_NAME, "isCodable": "true",
                               "color": "#BBBBBB"})
    _el(node, "Description", text=f"nlp_iom: a code's probability is within {UNCERTAIN_MARGIN} of the threshold; "
                                  "review these passages first.")
    return refs


def selections(item: AnnotatedDocument, threshold: float,
               codes: dict[str, str]) -> list[tuple[Any, int, int, list[str], list[str]]]:
    """``(passage, start, end, code keys, near-threshold keys)`` for each body passage to put in the project:
    those coded at or above ``threshold``, and those with a code within :data:`UNCERTAIN_MARGIN` of it.

    The offsets locate the passage in the document text; a passage whose offsets do not give back its
    text is looked up by its text, and left out if it is not found.
    """
    text = item.document.text
    found = []
    for passage in item.document.passages:
        keys = [k for k, p in passage.codes.items() if p >= threshold and k in codes]
        near = [k for k, p in passage.codes.items() if abs(p - threshold) < UNCERTAIN_MARGIN and k in codes]
        if passage.zone != ZONE_BODY or not (keys or near):
            continue
        start, end = passage.start, passage.end
        if text[start:end] != passage.text:
            start = text.find(passage.text)
            if start < 0:
                continue
            end = start + len(passage.text)
        order = list(codes).index
        found.append((passage, start, end, sorted(keys, key=order), sorted(near, key=order)))
    return found


def memo(passage: Any, keys: list[str], near: list[str], matchers: dict[str, Any],
         examples: dict[tuple[int, str], list[dict[str, Any]]] | None = None) -> str:
    """The memo of a machine selection: page, each code's probability, its indicator phrases found and the
    closest labelled examples of the code (recorded by the classify stage)."""
    parts = [f"p. {', '.join(str(n) for n in passage.pages)}"] if passage.pages else []
    for key in dict.fromkeys(keys + near):
        book, _, code = key.partition(":")
        phrases = sorted({m.phrase for m in matchers[book].find(passage.text) if m.code == code}) \
            if book in matchers else []
        cue = f" (indicators: {', '.join(phrases[:6])})" if phrases else ""
        mark = "" if key in keys else ", near the threshold, not coded"
        close = (examples or {}).get((passage.id, key), [])
        like = (" (closest examples: " + " | ".join(f"{e['id']} ({e['similarity']:.2f}): {e['text']}" for e in close)
                + ")") if close else ""
        parts.append(f"{key} p={passage.codes[key]:.2f}{mark}{cue}{like}")
    return "; ".join(parts)


def project_xml(docs: Sequence[AnnotatedDocument], codebooks: Sequence[Codebook], threshold: float, created: str,
                name: str) -> tuple[bytes, dict[str, str]]:
    """The ``project.qde`` XML and the plain texts by GUID of a REFI-QDA project of ``docs``."""
    ET.register_namespace("", NAMESPACE)
    ET.register_namespace("xsi", XSI)
    user = guid("user", USER_NAME)
    root = _el(None, "Project", {"name": name, "origin": f"nlp_iom {__version__}", "creatingUserGUID": user,
                                 "creationDateTime": created, "modifyingUserGUID": user, "modifiedDateTime": created})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    _el(_el(root, "Users"), "User", {"guid": user, "name": USER_NAME})
    codes = _codebook(root, codebooks)
    from nlp_iom.coding.keywords import IndicatorMatcher

    matchers = {book.name: IndicatorMatcher(book) for book in codebooks}
    variables = _el(root, "Variables")
    for variable, kind in VARIABLES.items():
        _el(variables, "Variable", {"guid": guid("variable", variable), "name": variable, "typeOfVariable": kind})
    sources = _el(root, "Sources")
    texts: dict[str, str] = {}
    stamp = {"creatingUser": user, "creationDateTime": created}
    for item in docs:
        meta = item.document.metadata
        source_guid = guid("source", item.sha256 or item.source)
        texts[source_guid] = item.document.text
        source = _el(sources, "TextSource", {"guid": source_guid, "name": item.source,
                                             "plainTextPath": f"internal://{source_guid}.txt", **stamp})
        _el(source, "Description", text=f"{citation(item.document, item.source)}. {meta.title or ''}".strip())
        examples = {(int(e["passage"]), str(e["code"])): list(e.get("examples", []))
                    for e in item.document.stages.get("classify", {}).get("evidence", [])}
        for passage, start, end, keys, near in selections(item, threshold, codes):
            excerpt = " ".join(passage.text.split())[:NAME_EXCERPT]
            selection = _el(source, "PlainTextSelection", {
                "guid": guid("selection", source_guid, passage.id), "name": f"¶{passage.id}: {excerpt}",
                "startPosition": start, "endPosition": end, **stamp})
            _el(selection, "Description", text=memo(passage, keys, near, matchers, examples))
            for key in keys + ([UNCERTAIN] if near else []):
                coding = _el(selection, "Coding", {"guid": guid("coding", source_guid, passage.id, key), **stamp})
                _el(coding, "CodeRef", {"targetGUID": codes[key]})
        values = {"Year": meta.year, "Language": meta.language, "Document kind": meta.kind,
                  "Citation": citation(item.document, item.source)}
        for variable, value in values.items():
            if value in (None, ""):
                continue
            holder = _el(source, "VariableValue")
            _el(holder, "VariableRef", {"targetGUID": guid("variable", variable)})
            _el(holder, f"{VARIABLES[variable]}Value", text=str(value))
    tree = ET.ElementTree(root)
    ET.indent(tree, space=" ")
    buffer = io.BytesIO()
    tree.write(buffer, encoding="utf-8", xml_declaration=True)
    return buffer.getvalue(), texts


def write_qdpx(docs: Sequence[AnnotatedDocument], path: Path, codebooks: Sequence[Codebook], threshold: float,
               created: str, name: str = "nlp_iom") -> Path:
    """Write a REFI-QDA ``.qdpx`` project of ``docs`` to ``path`` (see the module docstring)."""
    xml, texts = project_xml(docs, codebooks, threshold, created, name)
    date_time = tuple(int(n) for n in re.findall(r"\d+", created)[:6])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        entries = [(PROJECT_FILE, xml)] + [(f"{SOURCES_DIR}/{g}.txt", t.encode("utf-8")) for g, t in texts.items()]
        for entry, data in entries:
            info = zipfile.ZipInfo(entry, date_time=date_time)  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    write_atomic(path, buffer.getvalue())
    return path
