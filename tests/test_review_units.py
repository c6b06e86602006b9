"""The review's parts without a corpus: cue matching, citation labels, escaping, entity merging, settings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nlp_iom.errors import ConfigError
from nlp_iom.review.cues import load_cues, match_cues
from nlp_iom.review.entities import count_entities
from nlp_iom.review.evidence import relevance_scores
from nlp_iom.review.findings import CONCLUSION_TITLE, sentence_score
from nlp_iom.review.heatmap import scale_top
from nlp_iom.review.html import highlight
from nlp_iom.review.markdown import md_escape
from nlp_iom.review.model import DocRef, doc_labels, excerpt, locator, surname
from nlp_iom.review.settings import ReviewSettings

SKRIPSI_METHOD = ("Penelitian ini menggunakan metode kualitatif dengan pendekatan deskriptif. Data dikumpulkan "
                  "melalui wawancara dengan staf IOM dan studi pustaka, dalam sebuah studi kasus di Sambas.")


def _labels(matches) -> list[str]:
    return [m.cue.label for m in matches]


def test_method_cues_are_found_in_indonesian_text() -> None:
    found = _labels(match_cues([SKRIPSI_METHOD], load_cues(), "method"))
    assert set(found) == {"qualitative", "descriptive", "interviews", "library research / literature study",
                          "case study"}


def test_theory_cues_match_words_and_wildcards_not_parts_of_words() -> None:
    cues = load_cues()
    text = ("Drawing on Haas's functions of international organizations and a constructivist reading of norm "
            "diffusion, the Haasan school and unrealism are not theories.")
    matches = {m.cue.id: m for m in match_cues([text], cues, "theory")}
    assert matches["haas-functions"].count == 2  # "Haas" and the phrase; "Haasan" is another word
    assert "constructivist" in matches["constructivism"].phrases
    assert "realism" not in matches
    assert match_cues(["Kajian ini memakai teori fungsi organisasi internasional (Haas)."], cues, "theory")[0] \
        .cue.id == "haas-functions"


def test_a_malformed_cue_file_names_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "cues.yaml"
    bad.write_text("cues:\n  - id: x\n    kind: theory\n    label: X\n    phrases: {fr: [bonjour]}\n", "utf-8")
    with pytest.raises(ConfigError) as error:
        load_cues(str(bad))
    assert "cues[0].phrases" in error.value.field and "fr" in error.value.cause
    with pytest.raises(ConfigError):
        load_cues(str(tmp_path / "missing.yaml"))


def test_labels_cite_surnames_institutions_and_disambiguate_years() -> None:
    assert surname("Nurfitri Nugrahaningsih") == "Nugrahaningsih"
    assert surname("Kelley, Judith G.") == "Kelley"
    assert surname("International Organization for Migration") == "International Organization for Migration"
    labels = doc_labels([(1, ["Siti Rahma"], 2021, "A"), (2, ["Budi Rahma"], 2021, "B"),
                         (3, ["A Kelley", "B Simmons"], None, "C"),
                         (4, [], 2019, "Trafficking in Persons Report 2019 Indonesia")])
    assert labels == {1: "Rahma (2021a)", 2: "Rahma (2021b)", 3: "Kelley & Simmons (n.d.)",
                      4: "Trafficking in Persons Report 2019 … (2019)"}
    assert locator([5], "Intro") == "p. 5" and locator([7, 5, 6], "") == "pp. 5–7"
    assert locator([], "CONCLUSION") == "§ CONCLUSION" and locator([], "") == ""


def test_excerpt_keeps_only_entities_inside_the_cut() -> None:
    text = "IOM works in Sambas. " * 10 + "UNHCR works in Malaysia."
    entities = [{"text": "IOM", "label": "ORG", "start": 0, "end": 3},
                {"text": "UNHCR", "label": "ORG", "start": text.index("UNHCR"), "end": text.index("UNHCR") + 5}]
    clipped, kept = excerpt(text, entities, 100)
    assert clipped.endswith(" …") and len(clipped) <= 102 and kept == entities[:1]
    assert clipped[:3] == "IOM"


def test_highlight_escapes_text_drops_overlaps_and_bad_offsets() -> None:
    text = "IOM <b>helped</b> Sambas"
    entities = [{"text": "IOM", "label": "ORG", "start": 0, "end": 3},
                {"text": "IO", "label": "ORG", "start": 0, "end": 2},
                {"text": "Sambas", "label": "LOC", "start": 18, "end": 24},
                {"text": "x", "label": "LOC", "start": 20, "end": 99}]
    out = highlight(text, entities)
    assert out.count("<mark") == 2 and "&lt;b&gt;helped&lt;/b&gt;" in out and "<b>" not in out
    assert '<mark class="ent ent-loc">Sambas<span class="ent-label">LOC</span></mark>' in out


def test_markdown_escape_keeps_cells_on_one_line() -> None:
    escaped = md_escape("a | b\nc <script>x</script> *y* [l](u)")
    assert "\n" not in escaped and "\\|" in escaped and "<" not in escaped and "\\*y\\*" in escaped
    assert md_escape("# heading") == "\\# heading" and md_escape("1. item") == "1\\. item"


def test_entities_merge_acronyms_long_forms_and_regions() -> None:
    iom = "International Organization for Migration"
    unhcr = "United Nations High Commissioner for Refugees"
    sambas = {"id": "61.01", "level": "regency", "name": "Kabupaten Sambas"}
    mentions = [
        (1, {"text": "IOM", "label": "ORG", "long_form": iom, "subtype": "IGO"}),
        (1, {"text": iom, "label": "ORG", "subtype": "IGO"}),
        (2, {"text": "the International Organization for Migration", "label": "ORG"}),
        (2, {"text": "UNHCR", "label": "ORG", "long_form": unhcr}),
        (3, {"text": "UNHCR", "label": "ORG", "long_form": f"Office of the {unhcr}"}),
        (3, {"text": "Sambas", "label": "LOC", "region": sambas}),
        (3, {"text": "Sambas Regency", "label": "LOC", "region": sambas}),
        (3, {"text": "U.S.", "label": "LOC"}), (1, {"text": "US", "label": "LOC"}), (1, {"text": "US", "label": "LOC"}),
    ]
    orgs = count_entities(mentions, ("ORG",), 10)
    assert [(o.name, o.acronym, o.mentions, o.documents) for o in orgs] == [
        (iom, "IOM", 3, 2), (unhcr, "UNHCR", 2, 2)]  # ties: first seen
    assert orgs[0].subtypes == ["IGO"]
    places = count_entities(mentions, ("LOC",), 10)
    assert [(p.name, p.mentions, p.documents) for p in places] == [("US", 3, 2), ("Kabupaten Sambas (regency)", 2, 1)]


def test_settings_are_validated_and_label_relevance() -> None:
    settings = ReviewSettings()
    assert [settings.relevance_label(s) for s in (0.9, 0.84, 0.5, None)] == ["high", "medium", "low", "n/a"]
    for bad in ({"top_passages": 0}, {"code_threshold": 1.5}, {"search_mode": "fuzzy"}, {"codebooks": ()},
                {"relevance_high": 0.7, "relevance_medium": 0.8}, {"excerpt_chars": 10}):
        with pytest.raises(ConfigError):
            ReviewSettings(**bad)


def test_relevance_scores_average_best_passages_or_fall_back() -> None:
    docs = [DocRef(i, f"D{i}", [], None, "t", "en", "paper", 1) for i in (1, 2, 3)]
    scores = relevance_scores({1: [(10, 0.9), (11, 0.8), (12, 0.7), (13, 0.1)]}, docs, 3, {2: 0.85})
    assert scores == {1: pytest.approx(0.8), 2: 0.85, 3: None}


def test_findings_prefer_result_sentences_and_conclusion_titles() -> None:
    assert sentence_score(0.8, "The study found that IOM coordinated the task force.") > 0.8
    assert sentence_score(0.8, "Penelitian ini bertujuan untuk mendeskripsikan peran IOM.") < 0.8
    assert all(CONCLUSION_TITLE.match(t) for t in ("CONCLUSION", "BAB V PENUTUP", "5. Kesimpulan dan Saran"))
    assert not CONCLUSION_TITLE.match("INTRODUCTION")


def test_colour_scale_top_rounds_up_the_largest_share() -> None:
    assert scale_top(np.array([[0.05, 0.31], [np.nan, 0.0]])) == pytest.approx(0.4)
    assert scale_top(np.array([[np.nan]])) == pytest.approx(0.2)
    assert scale_top(np.array([[1.0]])) == pytest.approx(1.0)


def test_confirmed_entities_leave_out_the_models_guesses(tmp_path: Path) -> None:
    """ReviewSettings(confirmed_entities=True) lists only what a gazetteer or rule made or vouched for (#15)."""
    from nlp_iom.corpus import Corpus
    from nlp_iom.document import Document, Entity, Metadata, Passage
    from nlp_iom.review import build_review
    from nlp_iom.review.entities import ORG_LABELS, corpus_mentions

    text = "IOM dan Yayasan Sinar bekerja sama dengan Tindak Pidana Center di Kabupaten Sambas."
    passage = Passage(id=0, text=text, start=0, end=len(text), language="id", entities=[
        Entity("IOM", "ORG", 0, 3, subtype="IGO", long_form="International Organization for Migration",
               source="iom_acronyms"),
        Entity("Yayasan Sinar", "ORG", 8, 21, source="model"),
        Entity("Tindak Pidana Center", "ORG", 42, 62, source="model"),
    ])
    doc = Document(metadata=Metadata(title="Laporan", language="id"), text=text, passages=[passage])
    with Corpus.open(tmp_path / "corpus") as corpus:
        assert corpus.add_documents([doc]).added
        everything = count_entities(corpus_mentions(corpus), ORG_LABELS, 10)
        confirmed = count_entities(corpus_mentions(corpus, confirmed=True), ORG_LABELS, 10)
        review = build_review("kerja sama IOM", corpus, ReviewSettings(confirmed_entities=True))
    assert len(everything) == 3
    assert [c.name for c in confirmed] == ["International Organization for Migration"]
    assert [c.name for c in review.organisations] == ["International Organization for Migration"]
