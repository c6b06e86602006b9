"""``iom_org_evidence``: statistical ORG spans that name no organisation are dropped or trimmed (#15)."""

from __future__ import annotations

import spacy

from nlp_iom.pipeline.org_evidence import OrgEvidence, OrgEvidenceSettings


def _judged(text: str, spans: list[str], settings: OrgEvidenceSettings | None = None,
            rule: str | None = None) -> list[tuple[str, str]]:
    doc = spacy.blank("id")(text)
    ents = []
    for words in spans:
        start = text.index(words)
        span = doc.char_span(start, start + len(words), label="ORG")
        span._.iom_rule = rule
        ents.append(span)
    doc.ents = ents
    return [(e.text, e.label_) for e in OrgEvidence(settings or OrgEvidenceSettings())(doc).ents]


def test_concept_acronyms_and_generic_words_are_not_organisations() -> None:
    text = "Kasus TPPO dan PMI ditangani NGO bersama Migrant CARE."
    assert _judged(text, ["TPPO", "PMI", "NGO", "Migrant CARE"]) == [("Migrant CARE", "ORG")]


def test_bullets_counts_and_unclosed_parentheses_are_trimmed() -> None:
    text = "• Women , Polda Sumut 12 kasus , World Health Organization (WHO menyebut"
    judged = _judged(text, ["• Women", "Polda Sumut 12", "World Health Organization (WHO"])
    assert judged == [("Women", "ORG"), ("Polda Sumut", "ORG"), ("World Health Organization", "ORG")]


def test_rule_spans_and_switched_off_steps_are_left_alone() -> None:
    text = "Kasus TPPO ditangani Satgas."
    assert _judged(text, ["TPPO"], rule="iom_orgs") == [("TPPO", "ORG")]
    assert _judged(text, ["TPPO"], OrgEvidenceSettings(drop_concepts=False)) == [("TPPO", "ORG")]


def test_captions_and_code_are_not_organisations() -> None:
    from nlp_iom.pipeline.extensions import looks_like_code

    text = "Tabel 3 menunjukkan hasil fp.readLine dari Universitas Tanjungpura ."
    assert _judged(text, ["Tabel 3", "fp.readLine", "Universitas Tanjungpura"]) == [("Universitas Tanjungpura", "ORG")]
    assert looks_like_code("Current_State==0") and looks_like_code("=User::find(1")
    assert not any(looks_like_code(w) for w in ("U.S.", "J.D.", "McKinley", "F1-score", "St."))
