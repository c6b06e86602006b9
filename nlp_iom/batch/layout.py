"""The output folder of a batch: where each file goes, atomic writes, and what a previous run finished.

Layout of ``OUT_DIR``::

    batch.json                        settings fingerprint and creation time of the batch
    run.json                          the reproducibility manifest (:mod:`nlp_iom.batch.manifest`)
    errors.jsonl                      one line per file that failed in the latest run
    corpus.csv                        one row per document
    documents/<stem>-<hash16>.json    the annotated Document of each input file
    exports/                          passages.jsonl, passages.csv, passages.spacy, project.qdpx,
                                      references.bib, references.ris

A document is finished when its JSON exists: the name ends in the first 16 hex digits of the
SHA-256 of the input file's bytes, so a rerun skips it whatever the file is called now. Every
file is written to a temporary name and moved into place with :func:`os.replace`, so a run
killed at any moment leaves only whole files behind.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nlp_iom.document import Document
from nlp_iom.errors import ConfigError, NlpIomError, printable_path
from nlp_iom.reader import SUPPORTED_SUFFIXES

BATCH_FILE = "batch.json"
ERRORS_FILE = "errors.jsonl"
CORPUS_FILE = "corpus.csv"
DOCUMENTS_DIR = "documents"
EXPORTS_DIR = "exports"
#: ``kind`` of an ``errors.jsonl`` line for a symbolic link that was not followed.
LINK_SKIPPED = "link"
#: Hex digits of the content hash kept in a document's file name.
HASH_DIGITS = 16
#: Characters of an input file's stem kept in its output name.
MAX_STEM = 80
_UNSAFE = re.compile(r"[^\w.-]+")
_DONE = re.compile(rf"-([0-9a-f]{{{HASH_DIGITS}}})\.json$")


@dataclass(frozen=True)
class SourceFile:
    """One input file: its path, its path relative to the input folder, and its content hash."""

    path: Path
    relative: str
    sha256: str

    @property
    def key(self) -> str:
        """The short hash that names its outputs."""
        return self.sha256[:HASH_DIGITS]


def safe_stem(name: str) -> str:
    """A file-name stem made of letters, digits, ``.``, ``_`` and ``-`` only (no path parts, no dot start)."""
    stem = unicodedata.normalize("NFKC", Path(name).stem)
    stem = _UNSAFE.sub("_", stem).strip("._-")
    return stem[:MAX_STEM] or "document"


def inside(path: Path, folder: Path) -> bool:
    """True when ``path`` resolves to ``folder`` or somewhere below it."""
    path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents


def check_folders(input_dir: Path, out_dir: Path) -> None:
    """Refuse input and output folders that cannot work together.

    Raises:
        ConfigError: The input folder is missing or not a folder, the output folder is the input
            folder itself, or the output path exists and is not a folder.
    """
    if not input_dir.exists():
        raise ConfigError("input_dir", f"{input_dir} does not exist")
    if not input_dir.is_dir():
        raise ConfigError("input_dir", f"{input_dir} is not a folder")
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError("out_dir", f"{out_dir} exists and is not a folder")
    if out_dir.resolve() == input_dir.resolve():
        raise ConfigError("out_dir", f"the output folder must not be the input folder {input_dir}; "
                                     "name a new folder, for example OUT_DIR=<input>/annotated")


def find_inputs(input_dir: Path, out_dir: Path, recursive: bool = True, follow_links: bool = False,
                skipped: list[dict[str, Any]] | None = None) -> list[Path]:
    """PDF, .txt and .md files under ``input_dir`` in a stable order, leaving out hidden files and ``out_dir``.

    A symbolic link to a file is read only with ``follow_links``; otherwise it is left out and, like
    a dangling link or a linked folder (never searched), recorded in ``skipped`` (the
    ``errors.jsonl`` form: ``path``, ``sha256``, ``kind``, ``error``).

    Raises:
        ConfigError: No such file is there.
    """
    pattern = "**/*" if recursive else "*"
    skip_out = inside(out_dir, input_dir)  # an output folder inside the input folder is not input
    found = []
    for path in sorted(input_dir.glob(pattern)):
        relative = path.relative_to(input_dir)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_symlink():
            cause = _link_cause(path, follow_links)
            if cause is None:
                found.append(path)
            elif skipped is not None and (path.is_dir() or path.suffix.lower() in SUPPORTED_SUFFIXES):
                skipped.append({"path": printable_path(relative.as_posix()), "sha256": None, "kind": LINK_SKIPPED,
                                "error": cause})
            continue
        if not path.is_file():
            continue
        if path.suffix.lower() in SUPPORTED_SUFFIXES and not (skip_out and inside(path, out_dir)):
            found.append(path)
    if not found:
        raise ConfigError("input_dir", f"no PDF, .txt or .md files in {input_dir}"
                                       f"{'' if recursive else ' (sub-folders not searched)'}")
    return found


def _link_cause(path: Path, follow_links: bool) -> str | None:
    """Why the link ``path`` is skipped, or None when it is read."""
    where = printable_path(os.readlink(path))
    if not path.exists():
        return f"a dangling symbolic link (to {where}): skipped"
    if path.is_dir():
        return f"a linked folder (to {where}): not searched"
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        return "not a PDF, .txt or .md file"
    return None if follow_links else f"a symbolic link (to {where}): skipped; pass --follow-links to read it"


def target(out_dir: Path, *parts: str) -> Path:
    """``out_dir/<parts>``, refused when it would land outside ``out_dir`` (``..``, a link leading out).

    Raises:
        ConfigError: The path escapes the output folder.
    """
    path = out_dir.joinpath(*parts)
    if not inside(path, out_dir) or path.resolve() == out_dir.resolve():
        raise ConfigError("out_dir", f"{'/'.join(parts)} would be written outside {out_dir} "
                                     f"(to {path.resolve()}); remove the link or pick another output folder")
    return path


def document_path(out_dir: Path, source: SourceFile) -> Path:
    """Where the annotated JSON of ``source`` goes."""
    return target(out_dir, DOCUMENTS_DIR, f"{safe_stem(source.path.name)}-{source.key}.json")


def finished(out_dir: Path, damaged: list[str] | None = None) -> dict[str, Path]:
    """Short content hash -> JSON file of every document a previous run finished.

    With ``damaged`` given, each file is checked to load as a Document: one that does not (a
    truncated or edited file) is removed, so its source is annotated again, and its name is
    appended to ``damaged``.
    """
    folder = out_dir / DOCUMENTS_DIR
    if not folder.is_dir():
        return {}
    done = {}
    for path in sorted(folder.glob("*.json")):
        match = _DONE.search(path.name)
        if not match:
            continue
        if damaged is not None and not _loads(path):
            damaged.append(path.name)
            path.unlink(missing_ok=True)
            continue
        done[match.group(1)] = path
    return done


def _loads(path: Path) -> bool:
    try:
        Document.load(path)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, NlpIomError):
        return False
    return True


def remove_stale(out_dir: Path) -> int:
    """Delete the temporary files a killed run left (documents, exports, batch records); return how many."""
    stale = [path for folder in (out_dir / DOCUMENTS_DIR, out_dir / EXPORTS_DIR) if folder.is_dir()
             for path in folder.rglob(".*.tmp")]
    stale += list(out_dir.glob(".*.tmp")) if out_dir.is_dir() else []
    for path in stale:
        if path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
    return len(stale)


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, flush it to disk and move it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with tmp.open("wb") as handle:
        handle.write(payload)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def open_batch(out_dir: Path, fingerprint: dict[str, Any]) -> str:
    """Create or check ``batch.json``; return the batch's creation time (ISO 8601, UTC).

    The creation time is kept across resumed runs, so exports that carry a date are the same
    whichever run wrote them.

    Raises:
        ConfigError: The folder holds a batch made with other settings (codebooks, models, reader).
    """
    path = target(out_dir, BATCH_FILE)
    if path.is_file():
        try:
            previous = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ConfigError("out_dir", f"{path} is not a batch record ({exc}); pick another output folder") from exc
        if previous.get("settings") != fingerprint:
            raise ConfigError("out_dir", f"{out_dir} holds a batch made with other settings "
                                         f"{previous.get('settings')}; this run uses {fingerprint}. "
                                         "Pick another output folder to annotate with these settings")
        return str(previous["created"])
    created = datetime.now(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    write_atomic(path, json.dumps({"created": created, "settings": fingerprint}, indent=2) + "\n")
    return created


def write_errors(out_dir: Path, failures: list[dict[str, Any]]) -> None:
    """Rewrite ``errors.jsonl`` with this run's failures, by path (an empty file when there are none)."""
    ordered = sorted(failures, key=lambda f: str(f["path"]))
    lines = "".join(json.dumps(f, ensure_ascii=False) + "\n" for f in ordered)
    write_atomic(target(out_dir, ERRORS_FILE), lines)


@dataclass
class AnnotatedDocument:
    """A finished document of the batch, as the exports read it."""

    source: str
    sha256: str
    document: Document

    @property
    def key(self) -> str:
        """The short hash that names its outputs."""
        return self.sha256[:HASH_DIGITS]


def load_documents(paths: list[Path]) -> list[AnnotatedDocument]:
    """Load per-document JSON files written by the batch, in the given order."""
    loaded = []
    for path in paths:
        document = Document.load(path)
        record = document.stages.get("batch", {})
        loaded.append(AnnotatedDocument(str(record.get("source", document.metadata.source or path.name)),
                                        str(record.get("sha256", "")), document))
    return loaded
