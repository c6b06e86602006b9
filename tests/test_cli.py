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


def _bad_name(folder: Path, stem: bytes, source: Path) -> Path:
    """A copy of ``source`` under a file name that is not UTF-8 (bytes ``stem`` + its suffix)."""
    import os

    target = os.path.join(os.fsencode(folder), stem + os.fsencode(source.suffix))
    with open(target, "wb") as handle:
        handle.write(source.read_bytes())
    return Path(os.fsdecode(target))


def test_a_file_name_that_is_not_utf8_is_read_stored_and_printed(tmp_path: Path) -> None:
    """Bytes such as 0xff in a name once aborted the whole batch at the same file on every rerun (#19 item 6)."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    odd = _bad_name(inputs, b"lap\xffor", SEED_PAPER)
    (inputs / "good.txt").write_bytes(SEED_SKRIPSI.read_bytes())
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["extract", str(odd), str(inputs / "good.txt"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = {p.name for p in out.iterdir()}
    assert written == {"lap\\xffor.json", "good.json"}
    doc = Document.load(out / "lap\\xffor.json")
    assert doc.metadata.source.endswith("lap\\xffor.txt") and doc.passages
    annotated = tmp_path / "annotated"
    result = CliRunner().invoke(app, ["annotate", str(inputs), "-o", str(annotated)])
    assert result.exit_code == 0, result.output
    documents = [Document.load(p) for p in (annotated / "documents").glob("*.json")]
    assert sorted(Path(d.metadata.source).name for d in documents) == ["good.txt", "lap\\xffor.txt"]
    assert "lap\\xffor.txt" in (annotated / "corpus.csv").read_text(encoding="utf-8")


def test_two_inputs_of_one_name_get_two_outputs(tmp_path: Path) -> None:
    """``a/paper.txt`` and ``b/paper.md`` once both wrote ``out/paper.json`` and the first was lost (#19 item 7)."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = tmp_path / "a" / "paper.txt", tmp_path / "b" / "paper.md"
    first.write_bytes(SEED_PAPER.read_bytes())
    second.write_bytes(SEED_SKRIPSI.read_bytes())
    out = tmp_path / "out"
    results = extract_files([first, second], out, "json", timeout=None)
    outputs = [Path(r.output) for r in results]
    assert len(set(outputs)) == 2 and all(p.exists() and p.name.startswith("paper-") for p in outputs)
    sources = {Document.load(p).metadata.source for p in outputs}
    assert sources == {str(first), str(second)}
    alone = extract_files([first], tmp_path / "alone", "json", timeout=None)  # no clash: the plain name
    assert Path(alone[0].output).name == "paper.json"
