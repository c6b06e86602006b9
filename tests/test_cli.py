"""The extract command: batch over good and bad files, JSON and Markdown output."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from conftest import SEED_PAPER, SEED_SKRIPSI
from nlp_iom.cli import app, extract_files
from nlp_iom.document import Document


def test_batch_goes_on_past_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_text("not a pdf")
    out = tmp_path / "out"
    results = extract_files([SEED_PAPER, bad, SEED_SKRIPSI], out, "json")
    assert [r.error is None for r in results] == [True, False, True]
    assert results[1].kind == "not_pdf"
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert errors == [{"path": str(bad), "kind": "not_pdf", "error": results[1].error}]
    doc = Document.load(out / f"{SEED_PAPER.stem}.json")
    assert doc.metadata.authors[0].name == "Nurfitri Nugrahaningsih"


def test_cli_markdown(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["extract", str(SEED_SKRIPSI), "--format", "md", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    text = (tmp_path / f"{SEED_SKRIPSI.stem}.md").read_text()
    assert text.startswith("# PERAN INTERNATIONAL ORGANIZATION FOR MIGRATION (IOM)")
    assert "## ABSTRAK (id)" in text and "## ABSTRACT (en)" in text
    assert "| IOM | International Organization for Migration | list |" in text


def test_cli_reports_failure(tmp_path: Path) -> None:
    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"")
    result = CliRunner().invoke(app, ["extract", str(bad), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "FAILED" in result.output and "empty" in result.output
    result = CliRunner().invoke(app, ["extract", str(SEED_PAPER), "--format", "xml"])
    assert result.exit_code == 2
