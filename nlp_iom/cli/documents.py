"""The document commands of ``nlp-iom``: ``extract``, ``ner`` and ``classify``, each a thin wrapper over a plain function."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import typer

from nlp_iom.cli.app import app
from nlp_iom.errors import ConfigError, InputError, NlpIomError, printable_path
from nlp_iom.extract.ocr import OcrSettings
from nlp_iom.reader import DEFAULT_TIMEOUT, ReadSettings, read, read_with_timeout
from nlp_iom.render import to_markdown

FORMATS = ("json", "md")
ERRORS_FILE = "errors.jsonl"

@dataclass
class ExtractResult:
    """The outcome for one input file."""

    path: str
    output: str | None = None
    error: str | None = None
    kind: str | None = None


def output_path(source: Path, out_dir: Path, fmt: str, distinct: bool = False) -> Path:
    """Where the output for ``source`` goes: ``out_dir/<stem>.<fmt>``, never outside ``out_dir``.

    With ``distinct``, the stem is followed by a short hash of the source's full path, so that two
    inputs of one name (``a/paper.txt``, ``b/paper.md``) never write one file.
    """
    stem = printable_path(source.stem)
    if distinct:
        stem += "-" + hashlib.sha256(os.fsencode(source.resolve())).hexdigest()[:8]
    target = (out_dir / f"{stem}.{fmt}").resolve()
    if out_dir.resolve() not in target.parents:
        raise ConfigError("out", f"output for {printable_path(source)} would escape {out_dir}")
    return target


def output_paths(paths: list[Path], out_dir: Path, fmt: str) -> list[Path]:
    """Output files for ``paths``: ``<stem>.<fmt>``, or ``<stem>-<hash>.<fmt>`` where stems collide."""
    stems = Counter(printable_path(path.stem).casefold() for path in paths)
    return [output_path(path, out_dir, fmt, distinct=stems[printable_path(path.stem).casefold()] > 1)
            for path in paths]


def extract_files(
    paths: list[Path],
    out_dir: Path | None,
    fmt: str = "json",
    settings: ReadSettings | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> list[ExtractResult]:
    """Extract every file; a bad file is recorded (and appended to ``errors.jsonl``) and the batch goes on.

    Args:
        paths: Input files (PDF, .txt, .md).
        out_dir: Folder for the outputs; None prints to standard output.
        fmt: ``json`` or ``md``.
        settings: Reading options.
        timeout: Seconds allowed per file (the reader runs in a child process that is stopped
            after that); None reads in this process without a limit.
    """
    if fmt not in FORMATS:
        raise ConfigError("format", f"must be one of {FORMATS}, got {fmt!r}")
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    results: list[ExtractResult] = []
    targets = output_paths(paths, out_dir, fmt) if out_dir is not None else [None] * len(paths)
    for path, target in zip(paths, targets):
        result = ExtractResult(printable_path(path))
        try:
            doc = read(path, settings) if timeout is None else read_with_timeout(path, timeout, settings)
            text = doc.to_json() if fmt == "json" else to_markdown(doc)
            if out_dir is None:
                sys.stdout.write(text + "\n")
            elif target is not None:
                tmp = target.with_suffix(target.suffix + ".tmp")
                tmp.write_text(text, encoding="utf-8")
                tmp.replace(target)
                result.output = str(target)
        except InputError as exc:
            result.error, result.kind = exc.cause, exc.kind
        except NlpIomError as exc:
            result.error, result.kind = str(exc), type(exc).__name__
        # A batch boundary: whatever one file raises is recorded and the batch goes on.
        except Exception as exc:  # noqa: BLE001
            result.error, result.kind = f"{type(exc).__name__}: {exc}", "unexpected"
        results.append(result)
        if result.error and out_dir is not None:
            with (out_dir / ERRORS_FILE).open("a", encoding="utf-8") as handle:
                handle.write(json.dumps({"path": result.path, "kind": result.kind, "error": result.error}) + "\n")
    return results


def ocr_progress(done: int, total: int) -> None:
    """Show OCR progress on standard error: "OCR page 3/500" (one line, rewritten)."""
    typer.echo(f"\rOCR page {done}/{total}", err=True, nl=done == total)


@app.command()
def extract(
    files: list[Path] = typer.Argument(..., help="PDF, .txt or .md files."),
    format: str = typer.Option("json", "--format", "-f", help="json or md."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder (default: print)."),
    reader: str = typer.Option("pdfium", help="PDF reader: pdfium (fast) or pdfplumber (reference)."),
    password: Optional[str] = typer.Option(None, help="Password of encrypted PDFs."),
    timeout: float = typer.Option(DEFAULT_TIMEOUT, help="Seconds per file before its reader is stopped (OCR included)."),
    ocr: str = typer.Option("auto", help="OCR pages without text: auto (image-only pages), force (every page) or off."),
    ocr_languages: str = typer.Option("ind+eng", help="tesseract languages, joined by '+'."),
) -> None:
    """Extract structured documents (metadata, abstracts, sections, passages, references, tables, footnotes)."""
    try:
        settings = ReadSettings(reader=reader, password=password, ocr=ocr,
                                ocr_options=OcrSettings(languages=ocr_languages, on_page=ocr_progress))
        results = extract_files(files, out, format, settings, timeout)
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    failed = [r for r in results if r.error]
    for r in results:
        if r.error:
            typer.echo(f"FAILED {r.path}: [{r.kind}] {r.error}", err=True)
        elif r.output:
            typer.echo(f"wrote {r.output}", err=True)
    if failed:
        raise typer.Exit(1)


def ner_files(paths: list[Path], fmt: str = "text", settings: ReadSettings | None = None) -> list[tuple[Path, str]]:
    """Extract and annotate each file; return ``(path, rendered entities)`` pairs.

    Raises:
        InputError: A file cannot be read (the CLI reports it and goes on).
        ModelNotFoundError: A NER model is missing.
    """
    from nlp_iom.ner.annotate import annotate
    from nlp_iom.ner.report import ner_report

    if fmt not in ("text", "json"):
        raise ConfigError("format", f"must be text or json, got {fmt!r}")
    results = []
    for path in paths:
        doc = annotate(read(path, settings))
        if fmt == "json":
            entities = [{"passage": p.id, "pages": p.pages, **e.to_dict()} for p in doc.passages for e in p.entities]
            results.append((path, json.dumps(entities, ensure_ascii=False, indent=1)))
        else:
            results.append((path, ner_report(doc)))
    return results


@app.command()
def ner(
    files: list[Path] = typer.Argument(..., help="PDF, .txt or .md files."),
    format: str = typer.Option("text", "--format", "-f", help="text or json."),
    reader: str = typer.Option("pdfium", help="PDF reader: pdfium (fast) or pdfplumber (reference)."),
) -> None:
    """Print the named entities of each file: organisations (with subtype), places, laws, people, dates."""
    _print_each(files, lambda path: ner_files([path], format, ReadSettings(reader=reader)))


def _print_each(files: list[Path], render: Callable[[Path], list[tuple[Path, str]]]) -> None:
    """Print ``render(path)`` for each file; a bad file is reported and skipped (exit 1), other errors stop (exit 2)."""
    failed = False
    for path in files:
        try:
            for _, text in render(path):
                typer.echo(text)
        except InputError as exc:
            typer.echo(f"FAILED {path}: [{exc.kind}] {exc.cause}", err=True)
            failed = True
        except NlpIomError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
    if failed:
        raise typer.Exit(1)


def classify_files(paths: list[Path], codebooks: list[str], fmt: str = "md", zero_shot: bool = False,
                   settings: ReadSettings | None = None) -> list[tuple[Path, str]]:
    """Extract and classify each file; return ``(path, rendered profile)`` pairs.

    Raises:
        InputError: A file cannot be read (the CLI reports it and goes on).
        CodebookError: A codebook file is invalid.
    """
    from dataclasses import asdict

    from nlp_iom.coding.api import ClassifySettings, classify, load_classifier, profile, render_profile

    if fmt not in FORMATS:
        raise ConfigError("format", f"must be one of {', '.join(FORMATS)}, got {fmt!r}")
    options = ClassifySettings(codebooks=tuple(codebooks), zero_shot=zero_shot)
    models = [load_classifier(spec, options.embedder, zero_shot) for spec in codebooks]
    results = []
    for path in paths:
        doc = classify(read(path, settings), options, classifiers=models)
        profiles = [profile(doc, classifier=model) for model in models]
        if fmt == "json":
            results.append((path, json.dumps({"file": str(path), "title": doc.metadata.title,
                                              "stage": doc.stages.get("classify"),
                                              "profiles": [asdict(p) for p in profiles]},
                                             ensure_ascii=False, indent=1)))
        else:
            title = doc.metadata.title or path.name
            results.append((path, "\n".join(render_profile(p, title) for p in profiles)))
    return results


@app.command()
def classify(
    files: list[Path] = typer.Argument(..., help="PDF, .txt or .md files."),
    codebook: list[str] = typer.Option(["haas"], "--codebook", "-c",
                                       help="haas, ingo, a codebook YAML/JSON (zero-shot) or a trained-model folder; repeatable."),
    format: str = typer.Option("md", "--format", "-f", help="md or json."),
    zero_shot: bool = typer.Option(False, "--zero-shot", help="Ignore trained models; classify from the codebook alone."),
    reader: str = typer.Option("pdfium", help="PDF reader: pdfium (fast) or pdfplumber (reference)."),
) -> None:
    """Print each file's profile by theory codes: share of body passages per code and the strongest evidence."""
    _print_each(files, lambda path: classify_files([path], codebook, format, zero_shot, ReadSettings(reader=reader)))
