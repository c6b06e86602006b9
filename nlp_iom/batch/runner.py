"""``annotate_folder``: extraction, NER and classification of every PDF and text file of a folder.

The batch is resumable: each document's JSON is named by the hash of its input file and written
atomically, and a rerun skips every file whose JSON is there. Files that fail (corrupt,
encrypted, empty, a PDF that hangs the parser past the timeout) go to ``errors.jsonl`` and the
batch goes on. The exports are rebuilt from all the per-document JSONs at the end of each run,
so a resumed run leaves them complete. They cover the input files of the current run (a JSON left
from a file since removed from the input folder stays in ``documents/`` but is not exported).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from nlp_iom.batch.exports import resolve_codebooks, write_exports
from nlp_iom.batch.layout import (
    DOCUMENTS_DIR,
    HASH_DIGITS,
    SourceFile,
    check_folders,
    document_path,
    find_inputs,
    finished,
    open_batch,
    remove_stale,
    target,
    write_errors,
)
from nlp_iom.batch.settings import BatchReport, BatchSettings
from nlp_iom.batch.worker import annotate_file, init_worker, worker_threads
from nlp_iom.hashing import file_sha256
from nlp_iom.errors import printable_path

logger = logging.getLogger(__name__)

#: Files queued per worker at a time (a crashed worker takes only these with it).
QUEUE_PER_WORKER = 2
#: Error kinds recorded by the runner itself.
UNREADABLE = "unreadable"
WORKER_CRASHED = "worker_crashed"
#: Content hash of an empty file.
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def annotate_folder(input_dir: str | Path, out_dir: str | Path, settings: BatchSettings | None = None,
                    progress: bool = True) -> BatchReport:
    """Annotate every PDF, .txt and .md file under ``input_dir`` into ``out_dir``.

    Writes ``out_dir/documents/<stem>-<hash16>.json`` (the Document with entities and codes) per
    input file, ``corpus.csv`` (one row per document), ``errors.jsonl`` (the files that failed in
    this run, with the cause) and the exports named in ``settings.exports`` under ``exports/``.

    Args:
        input_dir: Folder of input files (searched recursively unless ``settings.recursive`` is off;
            hidden files and the output folder, if it lies inside, are left out).
        out_dir: Output folder; created if missing. Reusing it resumes the batch.
        settings: Workers, codebooks, exports, timeout and models.
        progress: Show a progress bar on standard error.

    Returns:
        What was annotated, skipped, duplicated and failed, and the files written.

    Raises:
        ConfigError: Bad settings; a missing, empty or unusable input folder; an output folder that
            is the input folder, holds a batch made with other settings, or would be written outside
            itself (through a link).
        CodebookError: A codebook cannot be loaded.
        ModelNotFoundError: A NER pipeline or classifier is missing (the batch stops: every file would fail).
    """
    started = time.monotonic()
    settings = settings or BatchSettings()
    input_dir, out_dir = Path(input_dir), Path(out_dir)
    check_folders(input_dir, out_dir)
    codebooks = resolve_codebooks(settings.classify.codebooks, settings.classify.zero_shot)
    links: list[dict[str, Any]] = []
    paths = find_inputs(input_dir, out_dir, settings.recursive, settings.follow_links, links)
    out_dir.mkdir(parents=True, exist_ok=True)
    target(out_dir, DOCUMENTS_DIR)
    created = open_batch(out_dir, settings.fingerprint())
    remove_stale(out_dir)
    report = BatchReport(input_dir=input_dir, out_dir=out_dir, found=len(paths))
    failures: list[dict[str, Any]] = list(links)
    sources = _hash_all(paths, input_dir, failures)
    done = finished(out_dir, report.redone)
    for name in report.redone:
        logger.warning("%s: damaged (it does not load as a Document); its source is annotated again", name)
    todo: list[SourceFile] = []
    unique: dict[str, SourceFile] = {}
    for source in sources:
        if source.sha256 == EMPTY_SHA256:  # every empty file fails on its own, none is a duplicate
            todo.append(source)
        elif source.key in unique:
            report.duplicates.append(source.relative)
        elif source.key in done:
            unique[source.key] = source
            report.skipped.append(source.relative)
        else:
            unique[source.key] = source
            todo.append(source)
    write_errors(out_dir, failures)
    written: dict[str, Path] = {}
    with ProgressBar(progress, len(todo), len(report.skipped)) as (bar, task):
        for result in _results(todo, out_dir, settings):
            if "error" in result:
                failures.append(result)
                write_errors(out_dir, failures)
            else:
                report.annotated.append(result["path"])
                written[result["sha256"][:HASH_DIGITS]] = Path(result["output"])
                report.pages += int(result["pages"])
                report.passages += int(result["passages"])
            bar.update(task, advance=1, current=_label(result["path"]))
    order = {source.relative: i for i, source in enumerate(sources)}
    report.annotated.sort(key=order.__getitem__)  # input order, whichever worker finished first
    report.failed = sorted(failures, key=lambda f: str(f["path"]))
    report.documents = [written.get(key) or done[key] for key in unique if key in written or key in done]
    report.exports = write_exports(out_dir, report.documents, codebooks, settings, created) if report.documents else {}
    from nlp_iom.batch.manifest import build_manifest, write_manifest

    report.manifest = write_manifest(out_dir, build_manifest(settings, list(unique.values()), created))
    report.seconds = round(time.monotonic() - started, 3)
    logger.info("annotated %d, skipped %d, failed %d in %.1f s", len(report.annotated), len(report.skipped),
                len(report.failed), report.seconds)
    return report


def _hash_all(paths: list[Path], input_dir: Path, failures: list[dict[str, Any]]) -> list[SourceFile]:
    """Content hashes of the input files; a file that cannot be read is recorded as failed."""
    sources = []
    for path in paths:
        relative = printable_path(path.relative_to(input_dir).as_posix())
        try:
            sources.append(SourceFile(path, relative, file_sha256(path)))
        except OSError as exc:
            failures.append({"path": relative, "sha256": None, "kind": UNREADABLE,
                             "error": f"{type(exc).__name__}: {exc.strerror or exc}"})
    return sources


def _results(todo: list[SourceFile], out_dir: Path, settings: BatchSettings) -> Iterator[dict[str, Any]]:
    """Annotate ``todo`` in this process (one worker) or in a pool; yield one result per file as it ends."""
    if settings.workers == 1 or len(todo) <= 1:
        for source in todo:
            yield annotate_file(source, document_path(out_dir, source), settings)
        return
    pending = deque(todo)
    threads = worker_threads(settings.workers)
    while pending:
        pool = ProcessPoolExecutor(settings.workers, mp_context=get_context("spawn"),
                                   initializer=init_worker, initargs=(threads,))
        inflight: dict[Future[dict[str, Any]], SourceFile] = {}
        broken = False
        try:
            while (pending or inflight) and not broken:
                while pending and len(inflight) < settings.workers * QUEUE_PER_WORKER:
                    source = pending.popleft()
                    inflight[pool.submit(annotate_file, source, document_path(out_dir, source), settings)] = source
                ended, _ = wait(inflight, return_when=FIRST_COMPLETED)
                for future in ended:
                    source = inflight.pop(future)
                    try:
                        yield future.result()
                    except BrokenProcessPool:
                        broken = True
                        yield _crashed(source)
            for source in inflight.values() if broken else ():
                yield _crashed(source)
        finally:
            pool.shutdown(wait=not broken, cancel_futures=True)


def _crashed(source: SourceFile) -> dict[str, Any]:
    logger.warning("a worker process died while %s was being annotated", source.relative)
    return {"path": source.relative, "sha256": source.sha256, "kind": WORKER_CRASHED,
            "error": "a worker process died while this file was in progress (this file or one annotated "
                     "beside it crashed it); rerun the batch to retry"}


def _label(path: str, width: int = 40) -> str:
    return path if len(path) <= width else "…" + path[-(width - 1):]


class ProgressBar:
    """A rich progress bar on standard error, or a silent stand-in when ``enabled`` is false."""

    def __init__(self, enabled: bool, total: int, skipped: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), TimeRemainingColumn(), TextColumn("{task.fields[current]}"),
                                 console=Console(stderr=True), disable=not enabled)
        note = f" ({skipped} done before)" if skipped else ""
        self.task = self.progress.add_task(f"annotating{note}", total=total, current="")

    def __enter__(self) -> tuple[Any, Any]:
        self.progress.start()
        return self.progress, self.task

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()
