"""classify(document), the document profile, the CLI command and the spaCy component."""

from __future__ import annotations

import copy

import numpy as np

import pytest
import spacy

import nlp_iom
from nlp_iom.coding.api import ClassifySettings, classify, profile, render_profile
from nlp_iom.cli import classify_files
from nlp_iom.document import ZONE_BODY, Document, Passage
from nlp_iom.errors import CodebookError, ConfigError

from conftest import DATA, SEED_PAPER


@pytest.fixture(scope="module")
def classified(seed_paper: Document) -> Document:
    return classify(copy.deepcopy(seed_paper))


def test_only_body_passages_are_coded(classified: Document) -> None:
    coded = [p for p in classified.passages if p.codes]
    assert coded and all(p.zone == ZONE_BODY for p in coded)
    assert all(not p.codes for p in classified.passages if p.zone != ZONE_BODY)
    stage = classified.stages["classify"]
    assert [c["name"] for c in stage["codebooks"]] == ["haas", "ingo"]
    assert all(c["mode"] == "trained" for c in stage["codebooks"])
    assert stage["passages"] == len([p for p in classified.body_passages() if p.text.strip()])



def test_nlp_iom_classify_is_callable_on_a_document(seed_skripsi: Document) -> None:
    doc = nlp_iom.classify(copy.deepcopy(seed_skripsi))
    assert doc.stages["classify"]["codebooks"][0]["name"] == "haas"
    assert nlp_iom.coding.profile(doc).codebook == "haas"


def test_profile_of_the_seed_paper_finds_haas_input_functions(classified: Document) -> None:
    result = profile(classified, "haas")
    shares = {c.code: c for c in result.codes}
    for code in ("aggregation", "socialization", "transaction"):
        assert shares[code].passages >= 2, code
        assert shares[code].evidence[0]["probability"] >= shares[code].evidence[-1]["probability"]
    assert 0 < result.uncoded < result.passages
    assert abs(shares["socialization"].share - shares["socialization"].passages / result.passages) < 1e-3
    text = render_profile(result, "seed")
    assert "| Socialization |" in text and "### Socialization" in text


def test_third_language_passage_is_coded_and_reported() -> None:
    doc = Document(passages=[
        Passage(0, "L'OIM a organisé des formations pour les agents de police sur l'identification des victimes.",
                0, 90, language="fr"),
        Passage(1, "IOM trained police officers on victim identification and referral.", 91, 160, language="en"),
    ])
    classify(doc)
    assert doc.stages["classify"]["other_language"] == [{"passage": 0, "language": "fr"}]
    skipped = classify(copy.deepcopy(doc), ClassifySettings(other_language="skip"))
    assert skipped.passages[0].codes == {} and skipped.stages["classify"]["passages"] == 1
    with pytest.raises(ConfigError):
        ClassifySettings(other_language="guess")


def test_cli_function_prints_the_profile_and_rejects_a_bad_codebook(tmp_path) -> None:
    ((path, text),) = classify_files([SEED_PAPER], ["ingo"])
    assert path == SEED_PAPER and "Roles of an INGO" in text and "| Partner |" in text
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nsource: s\ncodes: []\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="'codes'"):
        classify_files([SEED_PAPER], [str(bad)])
    ((_, zero),) = classify_files([SEED_PAPER], [str(DATA / "archer_codebook.yaml")], fmt="json")
    assert '"codebook": "archer"' in zero


def test_spacy_component_puts_codes_on_doc_spans() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("iom_passage_classifier", config={"codebook": "ingo"})
    doc = nlp("IOM signed a memorandum of understanding with the provincial government and works closely "
              "with local NGOs as partners in victim protection.")
    spans = doc.spans["iom_ingo"]
    assert "partner" in {s.label_ for s in spans}
    assert all(s.start == 0 and s.end == len(doc) for s in spans)
    assert doc._.iom_codes["ingo:partner"] == next(s._.iom_code_score for s in spans if s.label_ == "partner")


def test_cli_command_goes_on_past_a_bad_file(tmp_path) -> None:
    from typer.testing import CliRunner

    from nlp_iom.cli import app

    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 this is not really a pdf")
    result = CliRunner().invoke(app, ["classify", str(bad), str(SEED_PAPER), "--codebook", "ingo"])
    assert result.exit_code == 1
    assert "FAILED" in result.output and "broken.pdf" in result.output
    assert "| Partner |" in result.output


def test_codes_use_each_passages_language_thresholds(classified: Document) -> None:
    from nlp_iom.coding.api import load_classifier

    haas = load_classifier("haas")
    targets = [p for p in classified.body_passages() if p.text.strip()]
    languages = [p.language for p in targets]
    assert set(languages) & {"id", "en"}
    own = haas.thresholds_for(languages)
    assert not np.allclose(own, np.tile(haas.thresholds(), (len(targets), 1)))  # the languages differ from global
    expected = haas.decide(haas.predict_proba([p.text for p in targets]), languages)
    got = np.array([[f"haas:{c}" in p.codes for c in haas.code_ids] for p in targets], np.int8)
    assert np.array_equal(got, expected)


def test_spacy_component_leaves_an_empty_doc_uncoded() -> None:
    nlp = spacy.blank("id")
    nlp.add_pipe("iom_passage_classifier", config={"codebook": "ingo"})
    empty, full = nlp.pipe(["   ", "IOM bekerja sama dengan kepolisian dan menandatangani nota kesepahaman."])
    assert list(empty.spans["iom_ingo"]) == [] and not empty._.iom_codes
    assert "partner" in {s.label_ for s in full.spans["iom_ingo"]}


def test_each_code_carries_its_closest_labelled_examples(classified: Document) -> None:
    from nlp_iom.coding.api import CLOSEST_EXAMPLES, load_classifier

    evidence = {(e["passage"], e["code"]): e["examples"] for e in classified.stages["classify"]["evidence"]}
    coded = {(p.id, k) for p in classified.passages for k in p.codes}
    assert coded and set(evidence) == coded
    haas = load_classifier("haas")
    labelled = {row["id"]: set(haas.code_ids[j] for j in np.flatnonzero(haas.example_labels[n]))
                for n, row in enumerate(haas.example_texts)}
    for (pid, key), examples in evidence.items():
        assert 1 <= len(examples) <= CLOSEST_EXAMPLES
        sims = [e["similarity"] for e in examples]
        assert sims == sorted(sims, reverse=True)
        if key.startswith("haas:"):  # each example is a training passage labelled with that very code
            assert all(key.split(":")[1] in labelled[e["id"]] for e in examples)
