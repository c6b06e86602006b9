"""Batch annotation of a folder: outputs, errors, resume, bad input, timeout, kill mid-run, workers."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import DATA, ROOT, SEED_SKRIPSI, shared_pdf
from reportlab.pdfgen import canvas

from nlp_iom.batch import BatchSettings, annotate_folder
from nlp_iom.coding.settings import ClassifySettings
from nlp_iom.reader import ReadSettings
from nlp_iom.batch.layout import HASH_DIGITS, finished, safe_stem
from nlp_iom.document import Document
from nlp_iom.errors import ConfigError
from nlp_iom.hashing import file_sha256

EXCERPT = DATA / "batch" / "iom_sambas_excerpt.txt"
CHAPTER = DATA / "skripsi_bab.txt"
SHARED_TEXTS = ROOT.parent / "shared" / "texts"
#: A damaged PDF: the signature, then junk where the objects should be.
CORRUPT_PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog junk junk \x00\x13\x8f"


def make_inputs(folder: Path) -> Path:
    """A realistic input folder: two good texts, a duplicate, bad files, and files to be ignored."""
    (folder / "sub").mkdir(parents=True)
    shutil.copy(EXCERPT, folder / "iom_sambas_excerpt.txt")
    shutil.copy(CHAPTER, folder / "sub" / "bab 1 (draft).txt")
    shutil.copy(EXCERPT, folder / "sub" / "copy of excerpt.txt")
    (folder / "broken.pdf").write_bytes(CORRUPT_PDF)
    (folder / "junk.pdf").write_bytes(bytes(range(256)) * 4)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "empty.pdf").write_bytes(b"")
    encrypted = canvas.Canvas(str(folder / "encrypted.pdf"), encrypt="secret")
    encrypted.drawString(72, 720, "IOM bekerja sama dengan Pemerintah Kabupaten Sambas.")
    encrypted.save()
    (folder / ".hidden.txt").write_text("not an input")
    (folder / "notes.docx").write_bytes(b"PK\x03\x04 not read")
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory):
    """One batch over the input folder, the output folder inside it (as users often do)."""
    inputs = make_inputs(tmp_path_factory.mktemp("batch") / "corpus")
    out = inputs / "annotated"
    report = annotate_folder(inputs, out, BatchSettings(), progress=False)
    return inputs, out, report, snapshot(out)


def test_report_lists_annotated_duplicate_and_failed_files(batch) -> None:
    _, _, report, _ = batch
    assert report.found == 8  # hidden file, .docx and the output folder are left out
    assert report.annotated == ["iom_sambas_excerpt.txt", "sub/bab 1 (draft).txt"]
    assert report.duplicates == ["sub/copy of excerpt.txt"]
    assert {f["path"]: f["kind"] for f in report.failed} == {
        "broken.pdf": "corrupt", "junk.pdf": "not_pdf", "empty.txt": "empty", "empty.pdf": "empty",
        "encrypted.pdf": "encrypted"}
    assert report.passages == sum(len(Document.load(p).passages) for p in report.documents)
    assert not report.ok


def test_errors_jsonl_names_each_failed_file_with_its_cause(batch) -> None:
    inputs, out, report, _ = batch
    lines = [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert lines == report.failed
    broken = next(line for line in lines if line["path"] == "broken.pdf")
    assert broken["sha256"] == file_sha256(inputs / "broken.pdf")
    assert "corrupt" in broken["error"].lower()


def test_one_json_per_document_with_entities_codes_and_hash(batch) -> None:
    inputs, out, report, _ = batch
    assert sorted(p.name for p in (out / "documents").iterdir()) == sorted(p.name for p in report.documents)
    paper = Document.load(report.documents[0])
    sha = file_sha256(inputs / "iom_sambas_excerpt.txt")
    assert report.documents[0].name == f"iom_sambas_excerpt-{sha[:HASH_DIGITS]}.json"
    assert paper.stages["batch"] == {"source": "iom_sambas_excerpt.txt", "sha256": sha}
    assert paper.metadata.title.startswith("The Role of International Organization for Migration")
    orgs = {e.text for p in paper.passages for e in p.entities if e.label == "ORG"}
    assert "IOM" in orgs
    assert any(k.startswith("haas:") for p in paper.body_passages() for k in p.codes)
    assert {"ner", "classify"} <= set(paper.stages)
    assert report.documents[1].name.startswith("bab_1_draft-")  # sanitised name


def test_corpus_csv_has_code_shares_and_main_entities(batch) -> None:
    _, out, report, _ = batch
    rows = list(csv.DictReader((out / "corpus.csv").open(encoding="utf-8", newline="")))
    assert [r["file"] for r in rows] == report.annotated
    paper = Document.load(report.documents[0])
    body = [p for p in paper.body_passages() if p.text.strip()]
    for code in ("haas:articulation", "haas:aggregation", "ingo:implementer", "ingo:partner"):
        expected = sum(1 for p in body if code in p.codes) / len(body)
        assert float(rows[0][code]) == pytest.approx(expected, abs=1e-4)
    assert rows[0]["organisations"].startswith("International Organization for Migration (")
    assert "Sambas" in rows[0]["places"]
    assert rows[0]["year"] == "2020" and rows[1]["language"] == "id"


def test_rerun_skips_by_hash_and_gives_identical_outputs(batch, capfd: pytest.CaptureFixture[str]) -> None:
    inputs, out, first, files = batch
    again = annotate_folder(inputs, out, BatchSettings(), progress=False)
    assert capfd.readouterr().err == ""  # no progress bar when disabled
    assert again.annotated == []
    assert again.skipped == first.annotated
    assert [f["path"] for f in again.failed] == [f["path"] for f in first.failed]  # failures are retried
    assert snapshot(out) == files
    annotate_folder(inputs, out, BatchSettings(), progress=True)
    assert "2 done before" in capfd.readouterr().err  # the progress bar goes to standard error
    assert snapshot(out) == files


def test_renamed_file_is_still_done(batch, tmp_path: Path) -> None:
    inputs, out, _, _ = batch
    renamed = tmp_path / "renamed"
    renamed.mkdir()
    shutil.copy(inputs / "iom_sambas_excerpt.txt", renamed / "paper.txt")
    shutil.copytree(out, tmp_path / "out")
    report = annotate_folder(renamed, tmp_path / "out", BatchSettings(exports=()), progress=False)
    assert report.skipped == ["paper.txt"] and report.annotated == []


def test_other_settings_in_the_same_output_folder_are_refused(batch) -> None:
    inputs, out, _, _ = batch
    with pytest.raises(ConfigError, match="other settings"):
        annotate_folder(inputs, out, BatchSettings(classify=ClassifySettings(codebooks=("haas",))), progress=False)


def test_bad_folders_get_clear_config_errors(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    with pytest.raises(ConfigError, match="does not exist"):
        annotate_folder(inputs, tmp_path / "out", progress=False)
    inputs.mkdir()
    (inputs / "readme.docx").write_bytes(b"x")
    with pytest.raises(ConfigError, match="no PDF, .txt or .md files"):
        annotate_folder(inputs, tmp_path / "out", progress=False)
    shutil.copy(SEED_SKRIPSI, inputs / "a.txt")
    with pytest.raises(ConfigError, match="must not be the input folder"):
        annotate_folder(inputs, inputs / "." , progress=False)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match="not a folder"):
        annotate_folder(inputs, tmp_path / "file", progress=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "documents").symlink_to(elsewhere)
    with pytest.raises(ConfigError, match="outside"):
        annotate_folder(inputs, tmp_path / "out", progress=False)
    assert not list(elsewhere.iterdir())


def test_input_folder_inside_the_output_folder(batch, tmp_path: Path) -> None:
    inputs = tmp_path / "out" / "sources"
    inputs.mkdir(parents=True)
    (inputs / "broken.pdf").write_bytes(CORRUPT_PDF)
    report = annotate_folder(inputs, tmp_path / "out", BatchSettings(exports=()), progress=False)
    assert report.found == 1 and [f["kind"] for f in report.failed] == ["corrupt"]
    assert report.documents == [] and report.exports == {}


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ConfigError, match="workers"):
        BatchSettings(workers=0)
    with pytest.raises(ConfigError, match="exports"):
        BatchSettings(exports=("jsonl", "xlsx"))
    with pytest.raises(ConfigError, match="timeout"):
        BatchSettings(timeout=0)
    with pytest.raises(ConfigError, match="qdpx_threshold"):
        BatchSettings(qdpx_threshold=1.5)
    with pytest.raises(ConfigError, match="codebooks"):
        BatchSettings(classify=ClassifySettings(codebooks=("haas", "haas")))
    with pytest.raises(ConfigError, match="ReadSettings"):
        BatchSettings(read="pdfplumber")  # type: ignore[arg-type]


def test_batch_settings_compose_the_stage_settings() -> None:
    settings = BatchSettings(read=ReadSettings(reader="pdfplumber"), classify=ClassifySettings(codebooks=("ingo",)))
    assert settings.fingerprint() == {"codebooks": ["ingo"], "zero_shot": False, "embedder": "e5-small",
                                      "ner_tier": "cnn", "reader": "pdfplumber"}
    with pytest.raises(ConfigError, match="reader"):
        ReadSettings(reader="nonsense")  # a stage's option is validated by its own class, once


def test_output_names_cannot_leave_the_folder() -> None:
    assert safe_stem("../../etc/passwd.txt") == "passwd"
    assert safe_stem("..\\..\\evil name?.pdf") == "evil_name"
    assert safe_stem("...pdf") == "document"
    assert safe_stem("Skripsi Ā B\u0000.pdf") == "Skripsi_Ā_B"


def test_a_pdf_past_the_timeout_is_recorded_and_the_batch_goes_on(batch, tmp_path: Path) -> None:
    # 88 pages: about 8 s with the pdfplumber reader (~11 pages/s), far past the 1 s limit on any machine
    slow = shared_pdf("id/ui_skripsi_2017_srl_bahasa_indonesia_bilingual.pdf")
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(slow, inputs / "slow.pdf")
    shutil.copy(CHAPTER, inputs / "bab.txt")
    report = annotate_folder(inputs, tmp_path / "out", BatchSettings(read=ReadSettings(reader="pdfplumber"), timeout=1.0, exports=()),
                             progress=False)
    assert report.annotated == ["bab.txt"]
    assert [(f["path"], f["kind"]) for f in report.failed] == [("slow.pdf", "timeout")]


def test_real_pdfs(batch, tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("en/grobid_dehypenisation1.pdf", "id/ienaco2014_spk_sig_bantuan_korban_banjir.pdf"):
        shutil.copy(shared_pdf(name), inputs / Path(name).name)
    report = annotate_folder(inputs, tmp_path / "out", BatchSettings(exports=("jsonl",)), progress=False)
    assert report.ok and len(report.annotated) == 2
    assert report.pages == sum(Document.load(p).metadata.pages for p in report.documents) > 2
    indonesian = Document.load(report.documents[1])
    assert indonesian.metadata.language == "id"
    assert any(e.label == "ORG" for p in indonesian.passages for e in p.entities)


KILL_SCRIPT = """
import sys
from nlp_iom.batch import BatchSettings, annotate_folder
annotate_folder(sys.argv[1], sys.argv[2], BatchSettings(exports=()), progress=False)
"""


@pytest.mark.slow
def test_killed_run_loses_nothing_and_a_rerun_completes(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(EXCERPT, inputs / "a_paper.txt")
    shutil.copy(CHAPTER, inputs / "b_bab.txt")
    shutil.copy(SEED_SKRIPSI, inputs / "c_skripsi.txt")
    for i, path in enumerate(sorted(SHARED_TEXTS.glob("*.md"))[:2]):
        shutil.copy(path, inputs / f"d{i}_{path.name}")
    out = tmp_path / "out"
    child = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(inputs), str(out)], cwd=ROOT,
                             start_new_session=True)
    deadline = time.monotonic() + 300
    while not finished(out) and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.05)
    os.killpg(child.pid, signal.SIGKILL)
    child.wait()
    done_before = {path.name: path.read_bytes() for path in finished(out).values()}
    assert 1 <= len(done_before) < 5, "the run was killed after its first document"
    report = annotate_folder(inputs, out, BatchSettings(exports=()), progress=False)
    assert len(report.skipped) == len(done_before)
    assert len(report.annotated) + len(report.skipped) == 5 and report.ok
    for name, data in done_before.items():
        assert (out / "documents" / name).read_bytes() == data
    for path in report.documents:
        Document.load(path)  # every JSON is whole
    assert len(list((out / "documents").glob("*.json"))) == 5


@pytest.mark.slow
def test_two_workers_give_the_same_documents_as_one(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(EXCERPT, inputs / "paper.txt")
    shutil.copy(CHAPTER, inputs / "bab.txt")
    shutil.copy(SEED_SKRIPSI, inputs / "skripsi.txt")
    (inputs / "broken.pdf").write_bytes(CORRUPT_PDF)
    one = annotate_folder(inputs, tmp_path / "one", BatchSettings(workers=1, exports=("jsonl",)), progress=False)
    two = annotate_folder(inputs, tmp_path / "two", BatchSettings(workers=2, exports=("jsonl",)), progress=False)
    assert sorted(two.annotated) == sorted(one.annotated) and len(one.annotated) == 3
    assert [f["kind"] for f in two.failed] == ["corrupt"]
    first, second = snapshot(tmp_path / "one"), snapshot(tmp_path / "two")
    first.pop("batch.json"), second.pop("batch.json")
    assert first == second


def test_a_damaged_result_is_redone_and_stale_export_files_go(batch, tmp_path: Path) -> None:
    """A truncated documents/*.json once counted as finished and broke every rerun's exports (#19)."""
    inputs, out, first, _ = batch
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    damaged = copy / "documents" / first.documents[0].name
    damaged.write_bytes(damaged.read_bytes()[:500])  # a killed disk, an edited file
    stale = [copy / "exports" / ".passages.jsonl.4242.tmp", copy / ".batch.json.4242.tmp"]
    for path in stale:
        path.write_text("half written", encoding="utf-8")
    report = annotate_folder(inputs, copy, BatchSettings(), progress=False)
    assert report.redone == [damaged.name]
    assert report.annotated == [first.annotated[0]] and report.skipped == first.annotated[1:]
    assert Document.load(damaged).passages  # annotated again, whole
    assert not any(path.exists() for path in stale)


def test_links_in_the_input_folder_are_skipped_unless_followed(tmp_path: Path) -> None:
    inputs, outside = tmp_path / "in", tmp_path / "elsewhere"
    inputs.mkdir()
    outside.mkdir()
    shutil.copy(EXCERPT, inputs / "paper.txt")
    shutil.copy(CHAPTER, outside / "private.txt")
    (inputs / "private.txt").symlink_to(outside / "private.txt")
    (inputs / "gone.txt").symlink_to(outside / "missing.txt")
    (inputs / "linked").symlink_to(outside, target_is_directory=True)
    settings = BatchSettings(exports=())
    report = annotate_folder(inputs, tmp_path / "out", settings, progress=False)
    assert report.annotated == ["paper.txt"]
    causes = {f["path"]: (f["kind"], f["error"]) for f in report.failed}
    assert causes["private.txt"][0] == "link" and "--follow-links" in causes["private.txt"][1]
    assert "dangling" in causes["gone.txt"][1] and "not searched" in causes["linked"][1]
    lines = [json.loads(line) for line in (tmp_path / "out" / "errors.jsonl").read_text("utf-8").splitlines()]
    assert {line["path"] for line in lines} == {"private.txt", "gone.txt", "linked"}
    followed = annotate_folder(inputs, tmp_path / "out2", BatchSettings(exports=(), follow_links=True), progress=False)
    assert followed.annotated == ["paper.txt", "private.txt"]
    assert {f["path"] for f in followed.failed} == {"gone.txt", "linked"}
