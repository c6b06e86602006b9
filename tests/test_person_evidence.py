"""``iom_person_evidence``: statistical PER spans must look like names (#15)."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Span

from nlp_iom.ner.pipelines import NerSettings, load_pipeline
from nlp_iom.pipeline.person_evidence import PersonEvidence, PersonEvidenceSettings, common_word, name_like


def _judged(text: str, spans: list[tuple[str, str]], settings: PersonEvidenceSettings | None = None):
    """Run the component on ``text`` whose entities are ``spans`` (substring, label), as a model would set them."""
    nlp = spacy.blank("id")
    doc = nlp(text)
    ents = []
    for words, label in spans:
        start = text.index(words)
        ents.append(doc.char_span(start, start + len(words), label=label))
    doc.ents = ents
    doc = PersonEvidence(settings or PersonEvidenceSettings())(doc)
    return [(e.text, e.label_) for e in doc.ents]


def test_headings_and_common_words_are_not_people() -> None:
    text = "Bab I Pendahuluan Tulisan ini membahas Penyalur Tenaga Kerja dan Aku bersama Siti Rahmawati."
    judged = _judged(text, [("Pendahuluan Tulisan", "PER"), ("Penyalur Tenaga Kerja", "PER"), ("Aku", "PER"),
                            ("Siti Rahmawati", "PER")])
    assert judged == [("Siti Rahmawati", "PER")]


def test_roles_are_trimmed_and_organisation_heads_relabelled() -> None:
    text = "Iptu Adityo Wijanarko dari Yayasan Dian Desa bertemu Presiden Joko Widodo."
    judged = _judged(text, [("Iptu Adityo Wijanarko", "PER"), ("Yayasan Dian Desa", "PER"),
                            ("Presiden Joko Widodo", "PER")])
    assert judged == [("Adityo Wijanarko", "PER"), ("Yayasan Dian Desa", "ORG"), ("Joko Widodo", "PER")]


def test_settings_switch_each_step_off() -> None:
    text = "Kepala Dinas Sosial Tindak Pidana"
    off = PersonEvidenceSettings(trim_roles=False, org_heads=False, require_name=False)
    assert _judged(text, [("Kepala Dinas Sosial", "PER")], off) == [("Kepala Dinas Sosial", "PER")]
    assert _judged(text, [("Kepala Dinas Sosial", "PER")]) == [("Dinas Sosial", "ORG")]


def test_names_made_of_words_stay_names() -> None:
    """Indonesian given names are often words: only affixed forms and usually lower-case words are common."""
    assert common_word("penyalur") and common_word("tulisan") and common_word("Aku")
    for name in ("Ayu", "Wulandari", "Kurniawan", "Setiawan", "Nugraha", "Lukman", "Rahmawati", "Maharani"):
        assert name_like(name), name


def test_rule_spans_are_kept_and_other_labels_untouched() -> None:
    nlp = spacy.blank("id")
    doc = nlp("Kantor Imigrasi Entikong dan Sambas")
    rule = Span(doc, 0, 3, label="PER")
    rule._.iom_rule = "iom_known_people"
    doc.ents = [rule, Span(doc, 4, 5, label="LOC")]
    doc = PersonEvidence(PersonEvidenceSettings())(doc)
    assert [(e.text, e.label_) for e in doc.ents] == [("Kantor Imigrasi Entikong", "PER"), ("Sambas", "LOC")]


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_component_is_in_the_default_pipelines(language: str) -> None:
    assert load_pipeline(language, NerSettings()).pipe_names[-1] == "iom_person_evidence"
    without = NerSettings(exclude_domain=("iom_person_evidence",))
    assert "iom_person_evidence" not in load_pipeline(language, without).pipe_names


def test_captions_code_and_digits_are_not_people() -> None:
    text = "Gambar 4.8 Source dan Current_State==0 serta Y1 oleh Budi Santoso."
    judged = _judged(text, [("Gambar 4.8 Source", "PER"), ("Current_State==0", "PER"), ("Y1", "PER"),
                            ("Budi Santoso", "PER")])
    assert judged == [("Budi Santoso", "PER")]
