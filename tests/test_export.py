"""The batch exports load back: passages JSONL/CSV, spaCy DocBin, REFI-QDA project, BibTeX and RIS."""

from __future__ import annotations

import csv
import json
import re
import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from conftest import DATA

from nlp_iom.batch import BatchSettings, annotate_folder
from nlp_iom.batch.exports.bibliography import bibtex_escape, collect, entry_kind, write_bibtex, write_ris
from nlp_iom.batch.exports import resolve_codebooks
from nlp_iom.batch.layout import AnnotatedDocument, load_documents
from nlp_iom.batch.exports.qdpx import NAMESPACE, UNCERTAIN_MARGIN, UNCERTAIN_NAME, write_qdpx
from nlp_iom.document import Document, Metadata, Reference

EXCERPT = DATA / "batch" / "iom_sambas_excerpt.txt"
XSD = DATA / "batch" / "Project.xsd"
NS = {"q": NAMESPACE}
#: Element order of a REFI-QDA Project (Project.xsd, 2019).
PROJECT_ORDER = ["Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "Links", "Sets", "Graphs",
                 "Description", "NoteRef"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory):
    inputs = tmp_path_factory.mktemp("export") / "in"
    inputs.mkdir()
    shutil.copy(EXCERPT, inputs / "iom_sambas_excerpt.txt")
    shutil.copy(DATA / "skripsi_bab.txt", inputs / "skripsi_bab1.txt")
    out = inputs.parent / "out"
    report = annotate_folder(inputs, out, BatchSettings(), progress=False)
    assert report.ok and len(report.documents) == 2
    return report, load_documents(report.documents)


def test_jsonl_has_one_line_per_passage_with_citation_entities_and_codes(exported) -> None:
    report, docs = exported
    lines = [json.loads(line) for line in report.exports["jsonl"].read_text(encoding="utf-8").splitlines()]
    assert len(lines) == sum(len(d.document.passages) for d in docs)
    first = lines[0]
    assert first["citation"] == "Nugrahaningsih et al. (2020)" and first["file"] == "iom_sambas_excerpt.txt"
    assert first["year"] == 2020 and first["authors"][0] == "Nurfitri Nugrahaningsih"
    for line in lines:
        for entity in line["entities"]:
            assert line["text"][entity["start"]:entity["end"]] == entity["text"]
    coded = [line for line in lines if line["codes"]]
    assert coded and all(line["zone"] == "body" for line in coded)


def test_passage_csv_has_one_row_per_passage_and_a_probability_column_per_code(exported) -> None:
    report, docs = exported
    rows = list(csv.DictReader(report.exports["csv"].open(encoding="utf-8", newline="")))
    passages = [p for d in docs for p in d.document.passages]
    assert len(rows) == len(passages)
    for row, passage in zip(rows, passages):
        assert row["text"] == passage.text
        assert row["haas:socialization"] == str(passage.codes.get("haas:socialization", ""))
        assert row["entities"].count("[") == len(passage.entities)


def test_docbin_loads_into_spacy_with_entities_code_spans_and_metadata(exported) -> None:
    import spacy
    from spacy.tokens import DocBin

    report, docs = exported
    loaded = list(DocBin().from_disk(report.exports["docbin"]).get_docs(spacy.blank("xx").vocab))
    passages = [(d, p) for d in docs for p in d.document.passages if p.text.strip()]
    assert len(loaded) == len(passages)
    for doc, (item, passage) in zip(loaded, passages):
        assert doc.text == passage.text
        assert doc.user_data["passage"] == passage.id and doc.user_data["document"] == item.key
        assert sorted(s.label_ for s in doc.spans["iom_haas"]) == sorted(
            k.split(":", 1)[1] for k in passage.codes if k.startswith("haas:"))
        assert sorted(s.label_ for s in doc.spans["iom_ingo"]) == sorted(
            k.split(":", 1)[1] for k in passage.codes if k.startswith("ingo:"))
        entity_ranges = {(e.start, e.end, e.label) for e in passage.entities}
        for ent in doc.ents:
            assert any(s >= ent.start_char and e <= ent.end_char and lab == ent.label_ for s, e, lab in entity_ranges)
    assert sum(len(d.ents) for d in loaded) > 20
    assert any(len(d.spans["iom_haas"]) for d in loaded)


def _qdpx(path: Path) -> tuple[ET.Element, dict[str, str], list[str]]:
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        root = ET.fromstring(archive.read("project.qde"))
        texts = {n: archive.read(n).decode("utf-8") for n in names if n.startswith("sources/")}
    return root, texts, names


def test_qdpx_project_is_well_formed_and_every_coding_resolves(exported) -> None:
    report, docs = exported
    root, texts, names = _qdpx(report.exports["qdpx"])
    assert names[0] == "project.qde" and root.tag == f"{{{NAMESPACE}}}Project"
    assert root.get("name") and root.get("creationDateTime", "").endswith("Z")
    order = [child.tag.split("}")[1] for child in root]
    assert order == sorted(order, key=PROJECT_ORDER.index)
    codes = {c.get("guid"): c for c in root.iterfind(".//q:CodeBook//q:Code", NS)}
    codable = {g for g, c in codes.items() if c.get("isCodable") == "true"}
    assert len(codable) == 12  # 8 Haas functions + 3 INGO roles + "nlp_iom: uncertain"
    uncertain = next(g for g, c in codes.items() if c.get("name") == UNCERTAIN_NAME)
    users = {u.get("guid") for u in root.iterfind("q:Users/q:User", NS)}
    sources = root.findall("q:Sources/q:TextSource", NS)
    assert [s.get("name") for s in sources] == [d.source for d in docs]
    selections = 0
    for source, item in zip(sources, docs):
        guid = source.get("guid")
        assert source.get("plainTextPath") == f"internal://{guid}.txt"
        text = texts[f"sources/{guid}.txt"]
        assert text == item.document.text
        passages = {p.id: p for p in item.document.passages}
        for selection in source.iterfind("q:PlainTextSelection", NS):
            selections += 1
            passage = passages[int(selection.get("name").split(":")[0].lstrip("¶"))]
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            assert text[start:end] == passage.text
            refs = [c.find("q:CodeRef", NS).get("targetGUID") for c in selection.iterfind("q:Coding", NS)]
            assert set(refs) <= codable and selection.get("creatingUser") in users
            expected = {k for k, p in passage.codes.items() if p >= 0.5}
            near = {k for k, p in passage.codes.items() if abs(p - 0.5) < UNCERTAIN_MARGIN}
            assert {_code_key(codes[r], root) for r in refs if r != uncertain} == expected
            assert (uncertain in refs) == bool(near)
            memo = selection.find("q:Description", NS).text
            for key in expected | near:  # the memo gives every code's probability
                assert f"{key} p={passage.codes[key]:.2f}" in memo
            for key in expected:  # and the labelled passages of the code closest to this one
                assert re.search(rf"{re.escape(key)} p=[0-9.]+[^;]*closest examples: cg-", memo), memo
    assert selections > 0


def _code_key(code: ET.Element, root: ET.Element) -> str:
    for group in root.iterfind("q:CodeBook/q:Codes/q:Code", NS):
        if code in list(group):
            name = group.find("q:Description", NS).text.split(" ")[0]
            book = resolve_codebooks([name])[0]
            return f"{name}:{next(c.id for c in book.codes if c.label['en'] == code.get('name'))}"
    raise AssertionError("code outside a codebook group")


def test_qdpx_threshold_keeps_only_strong_codes(exported, tmp_path: Path) -> None:
    _, docs = exported
    books = resolve_codebooks(["haas", "ingo"])
    write_qdpx(docs, tmp_path / "strict.qdpx", books, 0.9, "2026-01-02T03:04:05Z")
    root, _, _ = _qdpx(tmp_path / "strict.qdpx")
    body = [p for d in docs for p in d.document.passages if p.zone == "body"]
    strong = sum(1 for p in body for v in p.codes.values() if v >= 0.9)
    near = sum(1 for p in body if any(abs(v - 0.9) < UNCERTAIN_MARGIN for v in p.codes.values()))
    assert len(root.findall(".//q:Coding", NS)) == strong + near


def test_qdpx_validates_against_the_refi_qda_schema(exported) -> None:
    etree = pytest.importorskip("lxml.etree")
    report, _ = exported
    with zipfile.ZipFile(report.exports["qdpx"]) as archive:
        project = etree.fromstring(archive.read("project.qde"))
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(project), schema.error_log


def _bibtex_entries(text: str) -> list[tuple[str, str, str]]:
    return re.findall(r"^@(\w+)\{([^,\n]+),\n(.*?)\n\}$", text, flags=re.DOTALL | re.MULTILINE)


def test_bibtex_and_ris_of_the_extracted_references(exported) -> None:
    report, docs = exported
    references = docs[0].document.references
    bib = report.exports["bibtex"].read_text(encoding="utf-8")
    entries = _bibtex_entries(bib)
    assert len(entries) == len(collect(docs)) > 20
    keys = [key for _, key, _ in entries]
    assert len(set(keys)) == len(keys) and all(re.fullmatch(r"[a-z0-9]+", k) for k in keys)
    haas = next(body for kind, key, body in entries if key.startswith("haas1965"))
    assert "journal = {The Journal of Politics}" in haas and "author = {Haas, M.}" in haas
    assert "Malmö" in bib  # non-ASCII kept as UTF-8
    for _, _, body in entries:
        assert body.count("{") - body.count(r"\{") == body.count("}") - body.count(r"\}")
    ris = report.exports["ris"].read_bytes().decode("utf-8")
    records = [r for r in ris.split("ER  - \r\n") if r.strip()]
    assert len(records) == len(entries)
    for record in records:
        lines = record.strip("\r\n").split("\r\n")
        assert lines[0].startswith("TY  - ") and all(re.match(r"^[A-Z][A-Z0-9]  - ", line) for line in lines)
    first = records[0].split("\r\n")
    assert [line[6:] for line in first if line.startswith("AU")] == references[0].authors


def _doc_with(references: list[Reference], source: str = "x.txt") -> AnnotatedDocument:
    return AnnotatedDocument(source, source * 8, Document(metadata=Metadata(title="T"), references=references))


def test_bibtex_escapes_special_characters_and_keeps_keys_unique(tmp_path: Path) -> None:
    same: dict = {"authors": ["Müller, J."], "year": 2019, "title": "Migration & Work"}
    refs = [Reference(0, "raw", **same, venue="Journal of $ and % #1_2", doi="10.1/x_{y}"),
            Reference(1, "raw2", authors=["Müller, J."], year=2019, title="Migration ~ Work ^ again"),
            Reference(2, "raw3", **same)]
    docs = [_doc_with(refs, "a.txt"), _doc_with(refs[:1], "b.txt")]
    entries = collect(docs)
    assert [e.key for e in entries] == ["muller2019migration", "muller2019migrationa", "muller2019migrationb"]
    assert entries[0].cited_in == ["a.txt", "b.txt"]
    assert bibtex_escape("A & B 50% $5 #1 a_b {x} ~ ^ \\") == (
        r"A \& B 50\% \$5 \#1 a\_b \{x\} \textasciitilde{} \textasciicircum{} \textbackslash{}")
    write_bibtex(docs, tmp_path / "r.bib")
    text = (tmp_path / "r.bib").read_text(encoding="utf-8")
    assert "author = {Müller, J.}" in text and r"title = {Migration \& Work}" in text
    assert r"journal = {Journal of \$ and \% \#1\_2}" in text and "doi = {10.1/x_y}" in text
    write_ris(docs, tmp_path / "r.ris")
    assert "TI  - Migration & Work\r\n" in (tmp_path / "r.ris").read_bytes().decode("utf-8")


def test_entry_types_follow_the_parsed_fields() -> None:
    assert entry_kind(Reference(0, "A. (2016). T. Jurnal X, 4(1), 32-37.", venue="Jurnal X")) == "article"
    assert entry_kind(Reference(0, "A. (2001). T. New York: Routledge.", venue="Routledge")) == "book"
    assert entry_kind(Reference(0, "A. (2018). T. Retrieved from http://x", url="http://x")) == "web"
    assert entry_kind(Reference(0, "A. (2018). T.")) == "misc"


def test_corpus_csv_top_entities_can_be_confirmed_only() -> None:
    from nlp_iom.batch.exports import ORG_LABELS, top_entities
    from nlp_iom.document import Document, Entity, Passage

    text = "IOM, IOM dan Tindak Pidana Center."
    passage = Passage(id=0, text=text, start=0, end=len(text), entities=[
        Entity("IOM", "ORG", 0, 3, source="iom_orgs"), Entity("IOM", "ORG", 5, 8, source="iom_orgs"),
        Entity("Tindak Pidana Center", "ORG", 13, 33, source="model")])
    doc = Document(text=text, passages=[passage])
    assert top_entities(doc, ORG_LABELS, 5) == [("IOM", 2), ("Tindak Pidana Center", 1)]
    assert top_entities(doc, ORG_LABELS, 5, confirmed=True) == [("IOM", 2)]
