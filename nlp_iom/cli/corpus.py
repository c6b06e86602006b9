"""Corpus commands of ``nlp-iom``: ``annotate``, ``index add``, ``search``, ``review``. Thin wrappers over plain functions."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Optional

import typer

from nlp_iom.batch.settings import EXPORT_FORMATS
from nlp_iom.cli.app import app
from nlp_iom.corpus import AddReport, Corpus, FusionSettings, Hit, SearchFilters
from nlp_iom.errors import ConfigError, NlpIomError
from nlp_iom.reader import DEFAULT_TIMEOUT

#: Characters of a passage shown in the Markdown hit list.
SNIPPET_CHARS = 400
SEARCH_FORMATS = ("md", "json")

index_app = typer.Typer(add_completion=False, help="Build a corpus folder.")
app.add_typer(index_app, name="index")


def index_paths(paths: list[Path], corpus_path: Path, annotate: bool = True, classify: bool = True,
                timeout: float | None = DEFAULT_TIMEOUT) -> AddReport:
    """Add files and folders to the corpus in ``corpus_path`` (created if needed).

    Args:
        paths: Files or folders (PDF, .txt, .md; folders are searched recursively).
        corpus_path: The corpus folder.
        annotate: Run named-entity recognition first, so searches can filter by entity.
        classify: Run the Haas and INGO classifiers first, so searches can filter by code.
        timeout: Seconds allowed to read one file (a PDF that hangs the parser is stopped and reported).

    Returns:
        What was added, skipped (same content hash already stored) and failed (with the cause).
    """
    with Corpus.open(corpus_path) as corpus:
        return corpus.add(paths, annotate=annotate, classify=classify, timeout=timeout)


def parse_year(text: str | None) -> int | tuple[int | None, int | None] | None:
    """``"2019"`` -> 2019, ``"2015-2020"`` / ``"2015-"`` / ``"-2020"`` -> an inclusive range.

    Raises:
        ConfigError: Not a year or a range of years.
    """
    if not text:
        return None
    low, sep, high = text.partition("-")
    try:
        if not sep:
            return int(low)
        return (int(low) if low.strip() else None, int(high) if high.strip() else None)
    except ValueError as exc:
        raise ConfigError("year", f"expected YEAR or FROM-TO, got {text!r}") from exc


def search_corpus(query: str, corpus_path: Path, top_k: int = 10, filters: SearchFilters | None = None,
                  mode: str = "hybrid", glossary: Path | None = None) -> list[Hit]:
    """Search an existing corpus folder (with a glossary file of your own instead of the shipped one).

    Raises:
        ConfigError: The folder holds no corpus, or a bad query / option.
    """
    if not (corpus_path / "corpus.sqlite").is_file():
        raise ConfigError("corpus", f"{corpus_path} is not a corpus folder (run `nlp-iom index add` first)")
    with Corpus.open(corpus_path) as corpus:
        fusion = FusionSettings(glossary=str(glossary)) if glossary is not None else None
        return corpus.search(query, top_k=top_k, filters=filters, mode=mode, fusion=fusion)


def cite(hit: Hit) -> str:
    """``Nugrahaningsih (2021), p. 5`` style citation of a hit (section when there is no page)."""
    names = [name.split()[-1] for name in hit.authors if name.split()]
    who = names[0] if len(names) == 1 else f"{names[0]} & {names[1]}" if len(names) == 2 else \
        f"{names[0]} et al." if names else (hit.title or "untitled")
    where = f"p. {hit.page}" if hit.page is not None else (f"§ {hit.section}" if hit.section else "")
    return f"{who} ({hit.year or 'n.d.'})" + (f", {where}" if where else "")


def _as_hit(source: dict[str, object]) -> Hit:
    """A citable stand-in for a near-duplicate listed in :attr:`Hit.also_in`."""
    return Hit(passage_id=int(source["passage_id"]), text="", score=0.0, title=source.get("title"),  # type: ignore[arg-type]
               authors=list(source.get("authors") or []), year=source.get("year"),  # type: ignore[arg-type]
               pages=list(source.get("pages") or []), section="", section_path=[], language="",  # type: ignore[arg-type]
               kind=str(source.get("kind") or ""), path=source.get("path"), doc_id=int(source["doc_id"]))  # type: ignore[arg-type]


def render_hits(hits: list[Hit], fmt: str = "md") -> str:
    """Hits as Markdown (ranked list with citations) or JSON."""
    if fmt not in SEARCH_FORMATS:
        raise ConfigError("format", f"must be one of {', '.join(SEARCH_FORMATS)}, got {fmt!r}")
    if fmt == "json":
        return json.dumps([asdict(hit) for hit in hits], ensure_ascii=False, indent=1)
    if not hits:
        return "No passages found."
    lines = []
    for rank, hit in enumerate(hits, start=1):
        text = " ".join(hit.text.split())
        snippet = text if len(text) <= SNIPPET_CHARS else text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
        codes = ", ".join(code for code, p in sorted(hit.codes.items(), key=lambda kv: -kv[1]) if p >= 0.5)
        lines += [f"{rank}. **{cite(hit)}** — {hit.title or 'untitled'} [{hit.language}, {hit.kind}]"
                  f"{f' · codes: {codes}' if codes else ''} · score {hit.score:.4f}", f"   > {snippet}"]
        if hit.also_in:
            lines.append("   also in: " + "; ".join(f"{cite(_as_hit(other))} — {other['title'] or 'untitled'}"
                                                  for other in hit.also_in))
        lines.append("")
    return "\n".join(lines).rstrip()


@index_app.command("add")
def index_add(
    paths: list[Path] = typer.Argument(..., help="Files or folders to add."),
    corpus: Path = typer.Option(..., "--corpus", "-c", help="Corpus folder (created if needed)."),
    no_annotate: bool = typer.Option(False, "--no-annotate", help="Skip named-entity recognition."),
    no_classify: bool = typer.Option(False, "--no-classify", help="Skip the Haas/INGO passage classifier."),
    timeout: float = typer.Option(DEFAULT_TIMEOUT, help="Seconds allowed to read one file."),
) -> None:
    """Add documents to a corpus: extract, annotate, classify, embed and index them."""
    try:
        report = index_paths(paths, corpus, annotate=not no_annotate, classify=not no_classify, timeout=timeout)
    except NlpIomError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    for path in report.added:
        count = report.passages.get(path, 0)
        typer.echo(f"added {path} ({count} passages)" if count else f"added {path}: WARNING no body passage indexed",
                   err=True)
    for path in report.skipped:
        typer.echo(f"skipped {path} (already in the corpus)", err=True)
    for path, cause in report.failed.items():
        typer.echo(f"FAILED {path}: {cause}", err=True)
    typer.echo(f"{len(report.added)} added, {len(report.skipped)} skipped, {len(report.failed)} failed", err=True)
    if report.failed:
        raise typer.Exit(1)


@index_app.command("check")
def index_check(corpus: Path = typer.Option(..., "--corpus", "-c", help="Corpus folder.")) -> None:
    """Check a corpus folder without writing to it: SQLite integrity, counts, and every stored vector."""
    from nlp_iom.corpus.check import check_corpus

    try:
        report = check_corpus(corpus)
    except NlpIomError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"{report.documents} documents, {report.passages} passages, {report.vector_rows} vectors")
    for problem in report.problems:
        typer.echo(f"PROBLEM {problem}")
    typer.echo("ok" if report.ok else f"{len(report.problems)} problems found")
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def search(
    query: str = typer.Argument(..., help="The query, in English or Indonesian."),
    corpus: Path = typer.Option(..., "--corpus", "-c", help="Corpus folder."),
    top_k: int = typer.Option(10, "--top-k", "-k", help="Number of passages."),
    mode: str = typer.Option("hybrid", help="hybrid, vector or bm25."),
    language: Optional[str] = typer.Option(None, help="Only passages in this language (id, en)."),
    kind: Optional[str] = typer.Option(None, help="Only documents of this kind (thesis, paper, report...)."),
    year: Optional[str] = typer.Option(None, help="A year or a range such as 2015-2020."),
    code: Optional[str] = typer.Option(None, help="Only passages with this code, e.g. haas:socialization."),
    entity: Optional[str] = typer.Option(None, help="Only passages mentioning this entity, e.g. IOM."),
    format: str = typer.Option("md", "--format", "-f", help="md or json."),
    glossary: Optional[Path] = typer.Option(None, help="Bilingual glossary file (indonesian<TAB>english lines) "
                                                        "to use instead of the shipped one."),
) -> None:
    """Search a corpus: hybrid (vector + BM25) by default, cross-lingual, with filters."""
    try:
        filters = SearchFilters(language=language, kind=kind, year=parse_year(year), code=code, entity=entity)
        typer.echo(render_hits(search_corpus(query, corpus, top_k, filters, mode, glossary), format))
    except NlpIomError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


def review_corpus(question: str, corpus_path: Path, out_dir: Path, top_k: int = 10, mode: str = "hybrid",
                  confirmed_entities: bool = False, corrections: Path | None = None) -> object:
    """Write the literature-review report (report.md, report.html, heatmap.png) for ``question`` into ``out_dir``.

    Returns:
        The :class:`nlp_iom.review.ReviewFiles` written.

    Raises:
        ConfigError: No corpus in ``corpus_path``, an empty corpus, a bad question or output folder.
    """
    from nlp_iom.review import ReviewSettings, build_review, write_review

    settings = ReviewSettings(top_passages=top_k, search_mode=mode, confirmed_entities=confirmed_entities,
                              corrections=str(corrections) if corrections is not None else None)
    review = build_review(question, corpus_path, settings)
    return write_review(review, out_dir)


@app.command()
def review(
    question: str = typer.Argument(..., help="The research question."),
    corpus: Path = typer.Option(..., "--corpus", "-c", help="Corpus folder."),
    out: Path = typer.Option(..., "--out", "-o", help="Report folder (report.md, report.html, heatmap.png)."),
    top_k: int = typer.Option(10, "--top-k", "-k", help="Passages most relevant to the question."),
    mode: str = typer.Option("hybrid", help="Search mode for the relevant passages: hybrid, vector or bm25."),
    confirmed_entities: bool = typer.Option(False, "--confirmed-entities",
                                            help="List only entities a gazetteer or rule made or vouched for."),
    corrections: Optional[Path] = typer.Option(None, help="A batch output folder with imported corrections: "
                                                           "the report adds their agreement with the machine."),
) -> None:
    """Write a literature-review report of a corpus for a research question (Markdown and HTML)."""
    try:
        files = review_corpus(question, corpus, out, top_k, mode, confirmed_entities, corrections)
    except NlpIomError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    for path in (files.markdown, files.html, files.heatmap):  # type: ignore[attr-defined]
        typer.echo(f"wrote {path}", err=True)


@app.command()
def annotate(
    input_dir: Path = typer.Argument(..., help="Folder of PDF, .txt and .md files (searched recursively)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder (resumable: finished files are skipped)."),
    workers: int = typer.Option(1, "--workers", "-w", help="Parallel worker processes."),
    codebook: list[str] = typer.Option(["haas", "ingo"], "--codebook", "-c", help="Codebooks; repeatable."),
    export: str = typer.Option(",".join(EXPORT_FORMATS), "--export", "-e",
                               help="Comma-separated exports: jsonl, csv, docbin, qdpx, bibtex, ris ('' for none)."),
    timeout: float = typer.Option(DEFAULT_TIMEOUT, help="Seconds allowed to read one file."),
    reader: str = typer.Option("pdfium", help="PDF reader: pdfium (fast) or pdfplumber (reference)."),
    zero_shot: bool = typer.Option(False, "--zero-shot", help="Classify from the codebooks alone."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    follow_links: bool = typer.Option(False, "--follow-links",
                                      help="Read files that symbolic links point to (skipped by default)."),
    confirmed_entities: bool = typer.Option(False, "--confirmed-entities",
                                            help="corpus.csv lists only entities a gazetteer or rule made or vouched for."),
    manifest: Optional[Path] = typer.Option(None, "--manifest",
                                            help="Rerun with the settings of an earlier run.json (its models must be "
                                                 "unchanged); the other options are then ignored."),
) -> None:
    """Annotate a folder: extraction, NER and classification of every file; per-document JSON, corpus.csv, exports,
    and run.json (the reproducibility manifest)."""
    from nlp_iom.batch import BatchSettings, annotate_folder
    from nlp_iom.coding.settings import ClassifySettings
    from nlp_iom.reader import ReadSettings

    try:
        settings = BatchSettings(read=ReadSettings(reader=reader),
                                 classify=ClassifySettings(codebooks=tuple(codebook), zero_shot=zero_shot),
                                 workers=workers, timeout=timeout, follow_links=follow_links,
                                 confirmed_entities=confirmed_entities,
                                 exports=tuple(x.strip() for x in export.split(",") if x.strip()))
        if manifest is not None:
            from nlp_iom.batch.manifest import settings_from_manifest

            settings = settings_from_manifest(manifest)
        report = annotate_folder(input_dir, out, settings, progress=not quiet)
    except NlpIomError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    for name in report.redone:
        typer.echo(f"REDONE {name}: the earlier result was damaged", err=True)
    for failure in report.failed:
        typer.echo(f"FAILED {failure['path']}: [{failure['kind']}] {failure['error']}", err=True)
    typer.echo(f"{len(report.annotated)} annotated, {len(report.skipped)} already done, "
               f"{len(report.duplicates)} duplicates, {len(report.failed)} failed ({report.seconds:.0f} s); "
               f"outputs in {out}", err=True)
    if not report.ok:
        raise typer.Exit(1)
