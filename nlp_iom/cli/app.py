"""The one typer app of ``nlp-iom``; the command modules of :mod:`nlp_iom.cli` register on it."""

from __future__ import annotations

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="nlp_iom: structured evidence from documents about international organisations.")


@app.callback()
def main() -> None:
    """nlp_iom command line."""
