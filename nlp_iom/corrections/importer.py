"""Import a person's corrections of the machine codes: from an edited REFI-QDA project, or from a table.

``import_qdpx(project, batch_dir)`` reads a ``.qdpx`` that started as the batch's own export
(``exports/project.qdpx``) and was edited in a QDA tool:

* its sources are matched to the batch's documents by the GUID the export gave them (the content
  hash); sources of another project are listed in :attr:`ImportReport.unknown_sources` and skipped;
* each coded selection is mapped to the passages it covers: by its offsets read as code points (as
  the export, QualCoder and ATLAS.ti write them) or as UTF-16 units (NVivo), whichever gives back text
  found in the document, and else by its text in the project's copy of the source (MAXQDA may reflow
  line ends); a passage counts when the selection covers at least half of it, or lies inside it (a
  narrowed span);
* codings by users other than ``nlp_iom`` are human codes (``added``, or ``accepted`` where the machine
  had the same code); a machine code at or above the threshold whose ``nlp_iom`` coding is gone is
  ``rejected``; one still there is ``kept``;
* codes outside the codebooks are kept as ``user:<name>`` codes and listed in
  :attr:`ImportReport.user_codes`.

``import_table(path, batch_dir)`` does the same from CSV or JSONL rows ``passage_id, code, decision``
(``passage_id`` is ``<document key>:<passage id>``, as in ``exports/passages.csv``; ``decision`` is
``accept``/``accepted``, ``reject``/``rejected`` or ``add``/``added``, rows with an empty one skipped;
optional ``user`` and ``when``).

Nothing is written before the whole import has been read and validated; then the batch's
``corrections/codes.jsonl`` is rewritten in one atomic step (:mod:`nlp_iom.corrections.store`).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlp_iom.batch.exports.qdpx import UNCERTAIN, USER_NAME, guid
from nlp_iom.batch.layout import AnnotatedDocument
from nlp_iom.batch.settings import DEFAULT_QDPX_THRESHOLD
from nlp_iom.corrections.project import Project, Selection, read_project
from nlp_iom.corrections.store import USER_PREFIX, HumanCode, batch_documents, save_codes
from nlp_iom.document import ZONE_BODY
from nlp_iom.errors import ConfigError, InputError

#: A passage counts for a selection covering at least this share of it.
MIN_COVER = 0.5
TABLE_DECISIONS = {"accept": "accepted", "accepted": "accepted", "reject": "rejected", "rejected": "rejected",
                   "add": "added", "added": "added"}


@dataclass
class ImportReport:
    """What an import did: decisions per kind, and what it could not use."""

    codes: list[HumanCode] = field(default_factory=list)
    written: Path | None = None
    unknown_sources: list[str] = field(default_factory=list)
    user_codes: list[str] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Decisions per kind."""
        counts: dict[str, int] = {}
        for code in self.codes:
            counts[code.decision] = counts.get(code.decision, 0) + 1
        return dict(sorted(counts.items()))


def _code_keys(docs: list[AnnotatedDocument], batch_dir: str | Path) -> set[str]:
    """Every code the batch could have given: its codebooks' codes (``batch.json``) and those on its passages."""
    from nlp_iom.batch.exports import resolve_codebooks
    from nlp_iom.batch.layout import BATCH_FILE

    names: list[str] = ["haas", "ingo"]
    try:
        names = list(json.loads((Path(batch_dir) / BATCH_FILE).read_text(encoding="utf-8"))["settings"]["codebooks"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        books = resolve_codebooks(names)
    except ConfigError:
        books = []
    return {f"{b.name}:{c.id}" for b in books for c in b.codes} | {k for d in docs for p in d.document.passages
                                                                    for k in p.codes}


def machine_codes(item: AnnotatedDocument, threshold: float) -> dict[int, set[str]]:
    """Body passage id -> the codes the machine gave it at or above ``threshold``."""
    return {p.id: {k for k, v in p.codes.items() if v >= threshold}
            for p in item.document.passages if p.zone == ZONE_BODY}


def _utf16_to_points(text: str, offset: int) -> int:
    units = 0
    for index, char in enumerate(text):
        if units >= offset:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(text)


def _on_word_edges(text: str, start: int, end: int) -> int:
    """How many ends of ``[start, end)`` fall on a word edge (a selection made by hand starts and ends on one)."""
    def edge(i: int) -> bool:
        return i <= 0 or i >= len(text) or not (text[i - 1].isalnum() and text[i].isalnum())

    return int(edge(start)) + int(edge(end))


def locate(selection: Selection, text: str, source_text: str | None) -> tuple[int, int] | None:
    """The selection's span in the document text (code points), or ``None`` when it cannot be found.

    The offsets are tried as code points and as UTF-16 units; where both give text of the document (a
    source with characters outside the Basic Multilingual Plane before the span), the reading whose span
    starts and ends on word edges wins, code points on a tie.
    """
    reference = source_text if source_text is not None else text
    readings = dict.fromkeys([(selection.start, selection.end),
                              (_utf16_to_points(reference, selection.start), _utf16_to_points(reference, selection.end))])
    found_spans: list[tuple[int, int, int]] = []
    for start, end in readings:
        if not 0 <= start < end <= len(reference):
            continue
        span = reference[start:end]
        if text[start:end] == span:
            found_spans.append((_on_word_edges(text, start, end), start, end))
            continue
        flat = " ".join(span.split())
        at = text.find(span)
        if at < 0 and flat:
            at, span = text.find(flat), flat  # reflowed line ends (MAXQDA, Windows tools)
        if at >= 0:
            found_spans.append((_on_word_edges(text, at, at + len(span)), at, at + len(span)))
    if not found_spans:
        return None
    best = max(found_spans, key=lambda item: item[0])  # max keeps the first (code points) on a tie
    return best[1], best[2]


def covered_passages(item: AnnotatedDocument, start: int, end: int) -> list[int]:
    """Body passages covered at least :data:`MIN_COVER` by ``[start, end)``, or holding the whole span."""
    hits = []
    for passage in item.document.passages:
        if passage.zone != ZONE_BODY or passage.end <= start or passage.start >= end:
            continue
        overlap = min(end, passage.end) - max(start, passage.start)
        inside = passage.start <= start and end <= passage.end
        if inside or overlap >= MIN_COVER * max(1, passage.end - passage.start):
            hits.append(passage.id)
    return hits


def _decisions(project: Project, docs: dict[str, AnnotatedDocument], keys: dict[str, str], threshold: float,
               origin: str, report: ImportReport) -> list[HumanCode]:
    by_name = project.users
    machine_of = {key: machine_codes(item, threshold) for key, item in
                  ((docs[g].key, docs[g]) for g in project.sources if g in docs)}
    machine_user = next((g for g, n in by_name.items() if n == USER_NAME), None)
    found: dict[tuple[str, int, str, str], HumanCode] = {}
    left: dict[tuple[str, int], set[str]] = {}  # machine codings still in the project
    reviewed: list[AnnotatedDocument] = []
    for source_guid, source in project.sources.items():
        if source_guid not in docs:
            report.unknown_sources.append(source.name or source_guid)
    for source_guid in project.sources:
        if source_guid in docs:
            reviewed.append(docs[source_guid])
    for selection in project.selections:
        item = docs.get(selection.source)
        if item is None:
            continue
        span = locate(selection, item.document.text, project.sources[selection.source].text)
        passages = covered_passages(item, *span) if span else []
        if not passages:
            report.unplaced.append(f"{project.sources[selection.source].name}: [{selection.start}, {selection.end})")
            continue
        machine = machine_of[item.key]
        for coding in selection.codings:
            key = keys.get(coding.code) or f"{USER_PREFIX}{project.codes.get(coding.code, coding.code)}"
            if key == UNCERTAIN:
                continue
            if key.startswith(USER_PREFIX) and key not in report.user_codes:
                report.user_codes.append(key)
            user = coding.user or selection.user
            for pid in passages:
                if user == machine_user or (user is None and key in machine.get(pid, set())):
                    left.setdefault((item.key, pid), set()).add(key)
                    continue
                name = by_name.get(user or "", user or "unknown")
                decision = "accepted" if key in machine.get(pid, set()) else "added"
                found[(item.key, pid, key, name)] = HumanCode(item.key, pid, key, decision, name, coding.when, origin)
    reviewer = next((n for g, n in by_name.items() if g != machine_user), "unknown")
    decided = {k[:3] for k in found}
    for item in reviewed:
        for pid, codes in machine_of[item.key].items():
            for key in sorted(codes):
                if (item.key, pid, key) in decided:
                    continue
                decision = "kept" if key in left.get((item.key, pid), set()) else "rejected"
                found[(item.key, pid, key, reviewer)] = HumanCode(item.key, pid, key, decision, reviewer, None, origin)
    return sorted(found.values(), key=lambda c: (c.document, c.passage, c.code, c.user))


def import_qdpx(project_path: str | Path, batch_dir: str | Path, threshold: float = DEFAULT_QDPX_THRESHOLD,
                write: bool = True) -> ImportReport:
    """Import an edited REFI-QDA project into a batch's human codes (see the module docstring).

    Raises:
        CorruptProjectError: The project cannot be read (damaged, too big, not REFI-QDA).
        ConfigError: ``batch_dir`` is not a batch output folder.
    """
    items = batch_documents(batch_dir)
    project = read_project(project_path)
    docs = {guid("source", item.sha256 or item.source): item for item in items}
    keys = {guid("code", key): key for key in _code_keys(items, batch_dir) | {UNCERTAIN}}
    report = ImportReport()
    origin = f"qdpx:{Path(project_path).name}"
    report.codes = _decisions(project, docs, keys, threshold, origin, report)
    if write:
        report.written = save_codes(batch_dir, report.codes, origin)
    return report


def _table_rows(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot read the corrections table: {exc}") from exc
    if path.suffix.lower() == ".jsonl":
        rows = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise InputError(path, f"line {number} is not JSON: {exc}") from exc
        return rows
    return list(csv.DictReader(io.StringIO(text)))


def import_table(path: str | Path, batch_dir: str | Path, user: str = "reviewer", write: bool = True) -> ImportReport:
    """Import ``passage_id, code, decision`` rows (CSV or JSONL) into a batch's human codes.

    Raises:
        InputError: The table cannot be read, or a row names an unknown passage or decision (with its number).
        ConfigError: ``batch_dir`` is not a batch output folder.
    """
    path = Path(path)
    items = {item.key: item for item in batch_documents(batch_dir)}
    known = _code_keys(list(items.values()), batch_dir)
    report = ImportReport()
    origin = f"table:{path.name}"
    for number, row in enumerate(_table_rows(path), start=2 if path.suffix.lower() != ".jsonl" else 1):
        if not str(row.get("decision") or "").strip():
            continue  # a queue row not coded yet (nlp-iom review-queue --output leaves the cell empty)
        pid = str(row.get("passage_id") or f"{row.get('document', '')}:{row.get('passage', '')}")
        document, _, passage = pid.rpartition(":")
        decision = TABLE_DECISIONS.get(str(row.get("decision", "")).strip().lower())
        code = str(row.get("code", "")).strip()
        item = items.get(document)
        if item is None or not passage.isdigit() or not any(p.id == int(passage) for p in item.document.passages):
            raise InputError(path, f"row {number}: no passage {pid!r} in {batch_dir}")
        if decision is None:
            raise InputError(path, f"row {number}: decision must be accept, reject or add, got {row.get('decision')!r}")
        if not code:
            raise InputError(path, f"row {number}: no code")
        if code not in known and not code.startswith(USER_PREFIX):
            code = f"{USER_PREFIX}{code}"
            if code not in report.user_codes:
                report.user_codes.append(code)
        report.codes.append(HumanCode(document, int(passage), code, decision, str(row.get("user") or user),
                                      row.get("when") or None, origin))
    if not report.codes:
        raise ConfigError("table", f"{path} holds no rows")
    if write:
        report.written = save_codes(batch_dir, report.codes, origin)
    return report
