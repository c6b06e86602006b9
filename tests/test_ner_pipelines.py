"""NER pipelines: label scheme, routing by language, long and foreign passages, missing models."""

from __future__ import annotations

import pytest

import nlp_iom
from conftest import SEED_PAPER
from nlp_iom import errors
from nlp_iom.document import Document, Passage
from nlp_iom.ner.annotate import _chunks, annotate
from nlp_iom.ner.pipelines import NerSettings, load_pipeline, route

ENGLISH_ONLY = NerSettings(domain=False)


@pytest.fixture(scope="session")
def english():
    return load_pipeline("en", ENGLISH_ONLY)


def test_english_labels_are_unified(english) -> None:
    doc = english("The International Organization for Migration met officials in Pontianak on 12 March 2019 with 3 staff.")
    labels = {ent.text: ent.label_ for ent in doc.ents}
    assert labels["Pontianak"] == "LOC"
    assert labels["12 March 2019"] == "DATE"
    assert "3" not in labels  # CARDINAL is dropped
    assert "iom_unify_labels" in english.pipe_names


def test_routing() -> None:
    settings = NerSettings()
    assert route("id", "en", settings) == "id"
    assert route("mixed", "en", settings) == "mixed"
    assert route("und", "id", settings) == "id"
    assert route("und", None, settings) == "en"
    assert route("de", "en", settings) is None
    assert route("de", "en", NerSettings(other_language="english")) == "en"
    with pytest.raises(errors.UnsupportedLanguageError, match="'de'"):
        route("de", "en", NerSettings(other_language="error"))


def test_settings_are_validated() -> None:
    with pytest.raises(errors.ConfigError, match="other_language"):
        NerSettings(other_language="french")
    with pytest.raises(errors.ConfigError, match="exclude_domain"):
        NerSettings(exclude_domain=("iom_everything",))
    with pytest.raises(errors.UnsupportedLanguageError):
        load_pipeline("fr")


def test_missing_model_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(errors.ModelNotFoundError, match="nlp-iom train ner-cnn"):
        load_pipeline("id", NerSettings(indonesian_model=str(tmp_path / "nothing")))


@pytest.mark.parametrize("language", ["en", "id"])
def test_long_passages_are_cut_at_sentence_ends(language: str) -> None:
    sentence = "IOM trained village paralegals in Sambas Regency. "
    text = sentence * 400
    pieces = list(_chunks(text, 1000, language))
    assert all(len(piece) <= 1000 for _, piece in pieces)
    assert all(text[start : start + len(piece)] == piece for start, piece in pieces)
    assert all(piece.startswith("IOM") for _, piece in pieces)


def test_annotate_english_passages_and_skip_a_third_language() -> None:
    doc = Document(
        passages=[
            Passage(0, "Human trafficking cases in Sambas Regency were handled by the Sambas Regional Police in 2018.", 0, 0, language="en"),
            Passage(1, "Der Menschenhandel ist ein zentrales Problem der Globalisierung.", 0, 0, language="de"),
            Passage(2, "", 0, 0, language="und"),
        ]
    )
    doc.metadata.language = "en"
    annotate(doc, ENGLISH_ONLY)
    first = doc.passages[0]
    assert any(e.label == "DATE" and e.text == "2018" for e in first.entities)
    for entity in first.entities:
        assert first.text[entity.start : entity.end] == entity.text
    assert doc.passages[1].entities == [] and doc.passages[2].entities == []
    assert doc.stages["ner"]["skipped"] == [{"passage": 1, "language": "de", "reason": "unsupported language"}]
    with pytest.raises(errors.UnsupportedLanguageError):
        annotate(doc, NerSettings(domain=False, other_language="error"))


def test_annotate_seed_paper_offsets_and_json() -> None:
    doc = nlp_iom.annotate(nlp_iom.read(SEED_PAPER))
    entities = [(p, e) for p in doc.passages for e in p.entities]
    assert len(entities) > 300
    for passage, entity in entities:
        assert passage.text[entity.start : entity.end] == entity.text
    assert Document.from_json(doc.to_json()) == doc


def test_entities_serialise_as_plain_dicts_and_old_files_load() -> None:
    """Entity is a dataclass; the JSON holds only the fields that are set, and ``source`` (schema 1.3)."""
    doc = nlp_iom.annotate(nlp_iom.read(SEED_PAPER))
    records = [e for p in doc.to_dict()["passages"] for e in p["entities"]]
    assert records and all({"text", "label", "start", "end", "source"} <= set(e) for e in records)
    sources = {e["source"] for e in records}
    assert {"model", "iom_orgs", "iom_acronyms"} <= sources
    confirmed = [e for p in doc.passages for e in p.entities if e.confirmed]
    assert confirmed and all(e.source != "model" or e.subtype or e.long_form for e in confirmed)
    assert any(not e.confirmed for p in doc.passages for e in p.entities)
    assert not any(value is None for e in records for value in e.values())
    assert any("subtype" in e for e in records) and any("subtype" not in e for e in records)
    old = {"passages": [{"id": 0, "text": "IOM di Sambas", "start": 0, "end": 13,
                         "entities": [{"text": "IOM", "label": "ORG", "start": 0, "end": 3, "subtype": "IGO"}]}]}
    entity = Document.from_dict(old).passages[0].entities[0]
    assert isinstance(entity, nlp_iom.Entity) and entity.display_label == "ORG/IGO" and entity.region is None
    assert entity.source is None and entity.confirmed  # a file from before ``source``: its subtype vouches


def test_transformer_tier_settings_and_missing_model(tmp_path) -> None:
    with pytest.raises(errors.ConfigError, match="tier"):
        NerSettings(tier="huge")
    with pytest.raises(errors.ModelNotFoundError, match="train ner-transformer final"):
        load_pipeline("id", NerSettings(tier="trf", transformer_model=str(tmp_path / "absent")))


def test_articles_and_possessives_are_trimmed() -> None:
    """Guide rule 2: "the IOM" -> IOM, "Clinton's" -> Clinton (en_core_web_sm keeps both inside its spans)."""
    import spacy

    from nlp_iom.pipeline.unify import trim_span

    nlp = spacy.blank("en")
    doc = nlp("the Middle East and Bill Clinton’s aides met the IOM 's staff")
    assert trim_span(doc[0:3], "LOC").text == "Middle East"
    assert trim_span(doc[4:7], "PER").text == "Bill Clinton"
    assert trim_span(doc[9:12], "ORG").text == "IOM"
    assert trim_span(doc[0:1], "ORG") is None
    kept = doc[1:3]
    assert trim_span(kept, "") is kept
    # guide: e-mail addresses and URLs are not entities ("Indonesia ratu_lutfie@yahoo.com" was one ORG)
    doc = nlp("Pontianak, Indonesia ratu_lutfie@yahoo.com https://example.org/x")
    assert trim_span(doc[2:4], "LOC").text == "Indonesia"
    assert trim_span(doc[3:5], "ORG") is None
