"""The researcher's loop: export for review, edit as a QDA tool does, import, and measure agreement."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from nlp_iom.batch.exports import resolve_codebooks
from nlp_iom.batch.exports.qdpx import UNCERTAIN_NAME, write_qdpx
from nlp_iom.batch.layout import load_documents
from nlp_iom.cli import app
from nlp_iom.corrections import agreement, import_qdpx, import_table, load_codes, write_report
from nlp_iom.corrections.importer import locate
from nlp_iom.corrections.project import Selection, read_project
from nlp_iom.corrections.store import codes_path
from nlp_iom.document import Document, Metadata, Passage
from nlp_iom.errors import ConfigError, CorruptProjectError, InputError

ID_PASSAGES = [
    ("IOM bersama pemerintah desa melaksanakan sosialisasi bahaya perdagangan orang kepada warga desa Jawai.",
     {"haas:socialization": 0.91, "ingo:partner": 0.55}),
    ("Pemerintah kabupaten menganggarkan dana untuk perbaikan jalan di wilayah perbatasan.",
     {"haas:socialization": 0.08}),
    ("Korban perdagangan orang yang dipulangkan dari Malaysia mendapat pendampingan psikososial dari IOM.",
     {"ingo:implementer": 0.82, "haas:rule-application": 0.45}),
    ("IOM melatih penyidik Polda tentang identifikasi korban dan rujukan ke rumah aman.",
     {"haas:socialization": 0.71, "ingo:facilitator": 0.2}),
]
EN_PASSAGES = [
    ("The task force adopted a regional action plan drafted with IOM's technical advice.",
     {"haas:rule-making": 0.77}),
    ("Remittances reached several billion dollars, spent on housing and school fees. 😀 noted by officials.",
     {"haas:socialization": 0.1}),
    ("IOM and the district government signed a memorandum of understanding to run shelters together.",
     {"ingo:partner": 0.88}),
]


def _document(name: str, passages: list[tuple[str, dict[str, float]]], language: str) -> tuple[Document, str]:
    text, items, offset = "", [], 0
    for n, (body, codes) in enumerate(passages):
        start = len(text)
        text += body + "\n\n"
        items.append(Passage(id=n, text=body, start=start, end=start + len(body), pages=[n + 1], language=language,
                             codes=dict(codes)))
        offset = len(text)
    sha = hashlib.sha256(text.encode()).hexdigest()
    doc = Document(metadata=Metadata(title=name, language=language, kind="thesis", source=f"{name}.txt"),
                   text=text[:offset], passages=items)
    doc.stages["batch"] = {"source": f"{name}.txt", "sha256": sha}
    return doc, sha


@pytest.fixture()
def batch(tmp_path: Path) -> Path:
    """A batch output folder of two coded documents and its REFI-QDA export."""
    out = tmp_path / "batch"
    (out / "documents").mkdir(parents=True)
    for name, passages, language in (("skripsi_iom", ID_PASSAGES, "id"), ("report_iom", EN_PASSAGES, "en")):
        doc, sha = _document(name, passages, language)
        doc.save(out / "documents" / f"{name}-{sha[:16]}.json")
    docs = load_documents(sorted((out / "documents").glob("*.json")))
    write_qdpx(docs, out / "exports" / "project.qdpx", resolve_codebooks(["haas", "ingo"]), 0.5,
               "2026-12-06T10:00:00Z", name="batch")
    return out


def _edit(project: Path, target: Path, edit) -> Path:
    """Rewrite project.qde as a QDA tool would save it, keeping the sources."""
    with zipfile.ZipFile(project) as archive:
        entries = {n: archive.read(n) for n in archive.namelist()}
    xml = edit(entries["project.qde"].decode("utf-8"))
    entries["project.qde"] = xml.encode("utf-8")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return target


def _selection(xml: str, name_prefix: str) -> re.Match[str]:
    return re.search(rf'<PlainTextSelection guid="[^"]+" name="{re.escape(name_prefix)}[^"]*" '
                     rf'startPosition="(\d+)" endPosition="(\d+)"[^>]*>(.*?)</PlainTextSelection>', xml, re.S)


def test_export_marks_uncertain_passages_and_writes_evidence(batch: Path) -> None:
    project = read_project(batch / "exports" / "project.qdpx")
    uncertain = next(g for g, n in project.codes.items() if n == UNCERTAIN_NAME)
    flagged = {s.description.split(";")[0] for s in project.selections if any(c.code == uncertain for c in s.codings)}
    assert flagged == {"p. 1", "p. 3"}  # ingo:partner 0.55 and rule-application 0.45 sit near 0.5
    memo = next(s.description for s in project.selections if s.description.startswith("p. 1")
                and "sosialisasi" in s.description)
    assert "haas:socialization p=0.91 (indicators: " in memo and "sosialisasi" in memo
    assert {project.users[s.user] for s in project.selections} == {"nlp_iom"}


def _round_trip_edit(xml: str) -> str:
    """A person adds a code, deletes a machine code and narrows a span, as QualCoder would save it."""
    xml = xml.replace("</Users>", '<User guid="11111111-2222-3333-4444-555555555555" name="Rina"/></Users>')
    # 1. delete the machine's ingo:partner on the Indonesian passage 0 (keep its socialization)
    first = _selection(xml, "¶0: IOM bersama")
    codings = re.findall(r"<Coding [^>]*>.*?</Coding>", first.group(3), re.S)
    assert len(codings) >= 3  # socialization, partner, uncertain
    body = first.group(3).replace(codings[1], "")
    xml = xml.replace(first.group(3), body)
    # 2. narrow the English passage 0 selection to its first words
    narrow = _selection(xml, "¶0: The task force")
    start = int(narrow.group(1))
    next_passage = int(narrow.group(2)) + 2  # English passage 1 follows after a blank line
    xml = xml.replace(f'startPosition="{start}" endPosition="{narrow.group(2)}"',
                      f'startPosition="{start + 4}" endPosition="{start + 30}"')
    # 3. Rina codes English passage 1 (machine: nothing) as haas:articulation, and with a code of her own
    articulation = re.search(r'<Code guid="([^"]+)" name="Articulation"', xml).group(1)
    narrow = _selection(xml, "¶0: The task force")
    text_start = next_passage
    sel = (f'<PlainTextSelection guid="aaaaaaaa-0000-0000-0000-000000000001" name="Rina 1" '
           f'startPosition="{text_start}" endPosition="{text_start + 40}" '
           f'creatingUser="11111111-2222-3333-4444-555555555555" creationDateTime="2026-12-07T09:00:00Z">'
           f'<Coding guid="aaaaaaaa-0000-0000-0000-000000000002" creatingUser="11111111-2222-3333-4444-555555555555">'
           f'<CodeRef targetGUID="{articulation}"/></Coding>'
           f'<Coding guid="aaaaaaaa-0000-0000-0000-000000000003" creatingUser="11111111-2222-3333-4444-555555555555">'
           f'<CodeRef targetGUID="bbbbbbbb-0000-0000-0000-000000000001"/></Coding></PlainTextSelection>')
    xml = xml.replace(narrow.group(0), narrow.group(0) + sel, 1)
    xml = xml.replace("</Codes>", '<Code guid="bbbbbbbb-0000-0000-0000-000000000001" name="Remittances" '
                                  'isCodable="true"/></Codes>')
    return xml


def test_round_trip_with_edits(batch: Path, tmp_path: Path) -> None:
    edited = _edit(batch / "exports" / "project.qdpx", tmp_path / "edited.qdpx", _round_trip_edit)
    report = import_qdpx(edited, batch)
    rows = {(c.document[:4], c.passage, c.code): c for c in report.codes}
    docs = {d.source: d.key[:4] for d in load_documents(sorted((batch / "documents").glob("*.json")))}
    skripsi, paper = docs["skripsi_iom.txt"], docs["report_iom.txt"]
    assert rows[(skripsi, 0, "ingo:partner")].decision == "rejected"
    assert rows[(skripsi, 0, "haas:socialization")].decision == "kept"
    assert rows[(paper, 0, "haas:rule-making")].decision == "kept"  # the narrowed span still maps to it
    added = rows[(paper, 1, "haas:articulation")]
    assert (added.decision, added.user, added.when) == ("added", "Rina", "2026-12-07T09:00:00Z")
    assert rows[(paper, 1, "user:Remittances")].decision == "added"
    assert report.user_codes == ["user:Remittances"] and not report.unknown_sources and not report.unplaced
    assert load_codes(batch) == report.codes
    # re-importing the same project replaces its rows instead of adding them twice
    import_qdpx(edited, batch)
    assert len(load_codes(batch)) == len(report.codes)


def test_sources_of_another_project_are_listed_and_skipped(batch: Path, tmp_path: Path) -> None:
    def add_source(xml: str) -> str:
        return xml.replace("</Sources>", '<TextSource guid="cccccccc-0000-0000-0000-000000000001" name="other.txt" '
                                         'plainTextPath="internal://x.txt"><PlainTextSelection guid="cccccccc-0000-'
                                         '0000-0000-000000000002" startPosition="0" endPosition="5"><Coding guid="'
                                         'cccccccc-0000-0000-0000-000000000003"><CodeRef targetGUID="cccccccc-0000-'
                                         '0000-0000-000000000004"/></Coding></PlainTextSelection></TextSource></Sources>')
    report = import_qdpx(_edit(batch / "exports" / "project.qdpx", tmp_path / "mixed.qdpx", add_source), batch)
    assert report.unknown_sources == ["other.txt"]
    assert {c.decision for c in report.codes} == {"kept"}  # nothing changed in the batch's own sources


def test_nvivo_utf16_offsets_are_placed() -> None:
    text = "Intro 😀 line.\n\nIOM and the district government signed a memorandum."
    start = text.index("IOM")
    utf16 = start + 1  # the emoji is two UTF-16 units
    span = locate(Selection("g", "s", utf16, utf16 + 20, None, None), text, text)
    assert span == (start, start + 20)
    reflowed = text.replace("IOM and the", "IOM and\r\nthe")
    assert locate(Selection("g", "s", start, start + 30, None, None), text, reflowed) is not None


def test_damaged_and_hostile_projects_are_typed_errors(batch: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.qdpx"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CorruptProjectError, match="junk.qdpx"):
        import_qdpx(junk, batch)
    bomb = tmp_path / "bomb.qdpx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("project.qde", "w") as stream:
            for _ in range(160):
                stream.write(b"\0" * (1 << 20))
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(CorruptProjectError, match="unpacks to more than"):
        import_qdpx(bomb, batch)
    dtd = _edit(batch / "exports" / "project.qdpx", tmp_path / "dtd.qdpx",
                lambda xml: xml.replace("<Project", '<!DOCTYPE p [<!ENTITY a "aaaa">]><Project', 1))
    with pytest.raises(CorruptProjectError, match="DTD"):
        import_qdpx(dtd, batch)
    assert not codes_path(batch).exists()  # nothing written by a failed import


def test_table_route_and_an_invalid_table_changes_nothing(batch: Path, tmp_path: Path) -> None:
    key = load_documents(sorted((batch / "documents").glob("*.json")))
    ids = {d.source: d.key for d in key}
    table = tmp_path / "review.csv"
    table.write_text("passage_id,code,decision\n"
                     f"{ids['skripsi_iom.txt']}:0,haas:socialization,accept\n"
                     f"{ids['skripsi_iom.txt']}:1,haas:socialization,add\n"
                     f"{ids['skripsi_iom.txt']}:3,haas:socialization,reject\n"
                     f"{ids['report_iom.txt']}:2,Partnership,add\n", encoding="utf-8")
    report = import_table(table, batch, user="Ayu")
    assert [c.decision for c in report.codes] == ["accepted", "added", "rejected", "added"]
    assert report.user_codes == ["user:Partnership"] and {c.user for c in report.codes} == {"Ayu"}
    before = codes_path(batch).read_bytes()
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"passage_id": f"{ids['report_iom.txt']}:0", "code": "haas:rule-making",
                               "decision": "reject"}) + "\n" + json.dumps({"passage_id": "nope:3", "code": "x",
                                                                          "decision": "add"}) + "\n")
    with pytest.raises(InputError, match="row 2: no passage 'nope:3'"):
        import_table(bad, batch)
    assert codes_path(batch).read_bytes() == before


def test_agreement_against_hand_computed_kappa_and_alpha(batch: Path, tmp_path: Path) -> None:
    ids = {d.source: d.key for d in load_documents(sorted((batch / "documents").glob("*.json")))}
    s, r = ids["skripsi_iom.txt"], ids["report_iom.txt"]
    # haas:socialization, machine at 0.5: skripsi 0 yes, 1 no, 3 yes; report 1 no; report 0 no
    table = tmp_path / "t.csv"
    table.write_text("passage_id,code,decision\n"
                     f"{s}:0,haas:socialization,accept\n"
                     f"{s}:3,haas:socialization,reject\n"
                     f"{s}:1,haas:rule-making,reject\n"
                     f"{r}:1,haas:rule-making,reject\n"
                     f"{r}:0,haas:socialization,add\n", encoding="utf-8")
    import_table(table, batch)
    report = agreement(batch)
    row = next(c for c in report.machine if c.code == "haas:socialization")
    # passages reviewed: s0, s1, s3, r0, r1; machine 1,0,1,0,0; person 1,0,0,1,0
    assert (row.passages, row.both, row.first_only, row.second_only, row.neither) == (5, 1, 1, 1, 2)
    # kappa: po = 3/5, pe = (2/5)(2/5) + (3/5)(3/5) = 13/25 -> (0.6 - 0.52) / 0.48
    assert row.kappa == pytest.approx((0.6 - 0.52) / 0.48, abs=1e-4)
    # alpha (nominal): Do = 4/10, De = 2 * 4 * 6 / (10 * 9) -> 1 - 0.4 / (48 / 90)
    assert row.alpha == pytest.approx(1 - 0.4 / (48 / 90), abs=1e-4)
    assert {(d["passage"], d["code"]) for d in report.disagreements if d["code"] == "haas:socialization"} == {(3, "haas:socialization"), (0, "haas:socialization")}
    json_path, md_path = write_report(batch, report)
    assert "| haas:socialization | 5 | 1 | 1 | 1 | 2 |" in md_path.read_text(encoding="utf-8")
    assert json.loads(json_path.read_text())["reviewers"] == ["reviewer"]


def test_two_people_are_compared_with_each_other(batch: Path, tmp_path: Path) -> None:
    ids = {d.source: d.key for d in load_documents(sorted((batch / "documents").glob("*.json")))}
    s = ids["skripsi_iom.txt"]
    for user, decisions in (("Ayu", ("accept", "reject")), ("Budi", ("accept", "accept"))):
        table = tmp_path / f"{user}.csv"
        table.write_text("passage_id,code,decision,user\n"
                         f"{s}:0,haas:socialization,{decisions[0]},{user}\n"
                         f"{s}:3,haas:socialization,{decisions[1]},{user}\n", encoding="utf-8")
        import_table(table, batch)
    report = agreement(batch)
    pair = next(c for c in report.humans["Ayu vs Budi"] if c.code == "haas:socialization")
    assert (pair.passages, pair.both, pair.second_only) == (2, 1, 1)


def test_cli_import_and_agreement(batch: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    edited = _edit(batch / "exports" / "project.qdpx", tmp_path / "edited.qdpx", _round_trip_edit)
    result = runner.invoke(app, ["corrections", "import", str(edited), "--corpus", str(batch)])
    assert result.exit_code == 0, result.output
    assert "1 rejected" in result.output and "kept code outside the codebooks: user:Remittances" in result.output
    result = runner.invoke(app, ["agreement", "--corpus", str(batch)])
    assert result.exit_code == 0, result.output
    assert "| ingo:partner |" in result.output and "disagreements; written:" in result.output
    result = runner.invoke(app, ["agreement", "--corpus", str(tmp_path / "nothing")])
    assert result.exit_code == 2 and "not a batch output folder" in result.output


def test_no_human_codes_yet_is_a_config_error(batch: Path) -> None:
    with pytest.raises(ConfigError, match="no human codes"):
        agreement(batch)



def test_review_queue_is_deterministic_diverse_and_bilingual(batch: Path, tmp_path: Path) -> None:
    from nlp_iom.corrections.queue import rank_queue, review_queue, write_queue

    first = review_queue(batch, "haas", n=4, seed=7)
    assert [q.passage_id for q in first] == [q.passage_id for q in review_queue(batch, "haas", n=4, seed=7)]
    assert [q.language for q in first][:2] in (["id", "en"], ["en", "id"])  # languages take turns
    # the skripsi's rule-application at 0.45 is the passage nearest the threshold in Indonesian
    assert next(q for q in first if q.language == "id").nearest_code == "haas:rule-application"
    # one document's many uncertain passages do not crowd out another's
    probs = np.array([[0.5], [0.51], [0.49], [0.45]])
    assert rank_queue(probs, ["a", "a", "a", "b"], ["en"] * 4, 2) == [0, 3]  # 0.51 of "a" loses to 0.45 of "b"
    assert rank_queue(probs, ["a", "b", "c", "d"], ["en"] * 4, 2) == [0, 1]  # without repeats: the nearest
    # the queue is a table to fill in and import; rows left empty are skipped
    path = write_queue(first, tmp_path / "queue.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(f",{first[0].nearest_code},,", f",{first[0].nearest_code},accept,", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_table(path, batch)
    assert [(c.code, c.decision) for c in report.codes] == [(first[0].nearest_code, "accepted")]
    assert first[0].passage_id not in [q.passage_id for q in review_queue(batch, "haas", n=10)]
