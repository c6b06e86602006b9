"""``nlp-iom corrections import|import-table``, ``nlp-iom agreement`` and ``nlp-iom review-queue``: a person's
corrections of the machine codes, how far they agree with it, and what to code first."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from nlp_iom.batch.settings import DEFAULT_QDPX_THRESHOLD
from nlp_iom.cli.app import app
from nlp_iom.errors import NlpIomError

corrections_app = typer.Typer(add_completion=False, help="Bring a person's corrections of the machine codes back.")
app.add_typer(corrections_app, name="corrections")


def _fail(exc: NlpIomError) -> None:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(2) from exc


def _summary(report: object) -> None:
    counts = report.counts()  # type: ignore[attr-defined]
    typer.echo(", ".join(f"{n} {kind}" for kind, n in counts.items()) or "no decisions")
    for source in report.unknown_sources:  # type: ignore[attr-defined]
        typer.echo(f"skipped source not in this batch: {source}")
    for code in report.user_codes:  # type: ignore[attr-defined]
        typer.echo(f"kept code outside the codebooks: {code}")
    for span in report.unplaced:  # type: ignore[attr-defined]
        typer.echo(f"could not place selection: {span}")
    typer.echo(f"written: {report.written}")  # type: ignore[attr-defined]


@corrections_app.command("import")
def import_project(
    project: Path = typer.Argument(..., help="The .qdpx project edited in a QDA tool."),
    corpus: Path = typer.Option(..., "--corpus", "-c", help="The batch output folder it was exported from."),
    threshold: float = typer.Option(DEFAULT_QDPX_THRESHOLD, help="Probability at which the export coded a passage."),
) -> None:
    """Import a REFI-QDA project a person edited: their codes, and the machine codes they deleted."""
    from nlp_iom.corrections import import_qdpx

    try:
        _summary(import_qdpx(project, corpus, threshold))
    except NlpIomError as exc:
        _fail(exc)


@corrections_app.command("import-table")
def import_rows(
    table: Path = typer.Argument(..., help="CSV or JSONL with passage_id, code, decision (accept/reject/add)."),
    corpus: Path = typer.Option(..., "--corpus", "-c", help="The batch output folder."),
    user: str = typer.Option("reviewer", help="Who made the decisions (unless the table has a user column)."),
) -> None:
    """Import corrections from a table, for users without a QDA tool."""
    from nlp_iom.corrections import import_table

    try:
        _summary(import_table(table, corpus, user))
    except NlpIomError as exc:
        _fail(exc)


@app.command("agreement")
def agreement_command(
    corpus: Path = typer.Option(..., "--corpus", "-c", help="The batch output folder with imported corrections."),
    threshold: float = typer.Option(DEFAULT_QDPX_THRESHOLD, help="Probability at which the machine codes a passage."),
) -> None:
    """Agreement per code between people and the machine (κ, α, confusion), and where they disagree."""
    from nlp_iom.corrections import agreement, write_report
    from nlp_iom.corrections.agreement import render

    try:
        report = agreement(corpus, threshold)
        json_path, md_path = write_report(corpus, report)
    except NlpIomError as exc:
        _fail(exc)
        return
    typer.echo(render(report).split("## Disagreements")[0].rstrip())
    typer.echo(f"\n{len(report.disagreements)} disagreements; written: {md_path}, {json_path}")


@app.command("review-queue")
def review_queue_command(
    corpus: Path = typer.Option(..., "--corpus", "-c", help="The batch output folder."),
    codebook: str = typer.Option("haas", help="The codebook whose coding should improve."),
    n: int = typer.Option(50, "-n", help="How many passages."),
    seed: int = typer.Option(0, help="Seed of the tie breaks (the same seed gives the same queue)."),
    output: Optional[Path] = typer.Option(None, help="Write the queue as a CSV to fill in and import."),
) -> None:
    """The passages to code first: where the classifier hesitates, across documents and both languages."""
    from nlp_iom.corrections.queue import review_queue, write_queue

    try:
        queue = review_queue(corpus, codebook, n, seed)
    except NlpIomError as exc:
        _fail(exc)
        return
    for rank, item in enumerate(queue, start=1):
        page = f"p. {item.page}" if item.page is not None else "no page"
        typer.echo(f"{rank}. {item.passage_id} [{item.language}] {item.source} {page}: {item.nearest_code} "
                   f"p={item.probability} (uncertainty {item.uncertainty}) {item.text}")
    if output is not None:
        typer.echo(f"written: {write_queue(queue, output)}")
