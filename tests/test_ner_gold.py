"""The NER gold set, its second annotation pass, adjudication and held-out part (corpora/ner_gold)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import ModuleType

import pytest

from nlp_iom.evaluation import ner_agreement, ner_sets
from nlp_iom.evaluation.scoring import cohen_kappa
from nlp_iom.training import ner_gold_files, ner_pools

ROOT = Path(__file__).resolve().parent.parent
NER_GOLD = ROOT / "corpora" / "ner_gold"
LABELS = {"PER", "ORG", "LOC", "LAW", "DATE"}
SUBTYPES = {"IGO", "INGO", "NGO", "GOV", "ACADEMIC", "OTHER"}
FILES = ("gold.jsonl", "pass_a.jsonl", "pass_b.jsonl", "heldout.jsonl", "heldout_pass_a.jsonl", "heldout_pass_b.jsonl",
         "law.jsonl", "law_pass_a.jsonl", "law_pass_b.jsonl")
#: (pass A, pass B, adjudication, adjudicated result) of the gold set, the held-out set and the LAW test set.
ADJUDICATED = (
    ("pass_a.jsonl", "pass_b.jsonl", "adjudication.jsonl", "gold.jsonl"),
    ("heldout_pass_a.jsonl", "heldout_pass_b.jsonl", "heldout_adjudication.jsonl", "heldout.jsonl"),
    ("law_pass_a.jsonl", "law_pass_b.jsonl", "law_adjudication.jsonl", "law.jsonl"),
)
ADJUDICATED_IDS = ("gold", "heldout", "law")


@pytest.fixture(scope="module")
def agreement() -> ModuleType:
    return ner_agreement


@pytest.fixture(scope="module")
def mentions() -> ModuleType:
    return ner_gold_files


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (NER_GOLD / name).read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("name", FILES)
def test_file_schema_offsets_and_labels(name: str) -> None:
    rows = _rows(name)
    assert rows
    assert len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        assert set(row) == {"id", "text", "lang", "source", "entities"}
        assert row["lang"] in ("id", "en")
        text, previous_end = row["text"], 0
        for start, end, label, subtype in sorted(row["entities"]):
            assert 0 <= start < end <= len(text), row["id"]
            assert start >= previous_end, f"overlap in {row['id']}"
            previous_end = end
            span = text[start:end]
            assert span == span.strip(), row["id"]
            assert not (start > 0 and text[start - 1].isalnum()), f"{row['id']}: {span!r} cuts a word"
            assert not (end < len(text) and text[end].isalnum()), f"{row['id']}: {span!r} cuts a word"
            assert label in LABELS
            assert (subtype in SUBTYPES) if label == "ORG" else subtype is None


@pytest.mark.parametrize("name", FILES)
def test_validate_accepts_file(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert ner_gold_files.main_validate([str(NER_GOLD / name)]) == 0
    assert f"sentences={len(_rows(name))}" in capsys.readouterr().err


def test_validate_rejects_bad_offsets(tmp_path: Path) -> None:
    row = {"id": "x", "text": "IOM in Sambas", "lang": "en", "source": "s", "entities": [[0, 4, "ORG", "IGO"], [7, 13, "LOC", "GOV"]]}
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(row) + "\n", encoding="utf-8")
    assert ner_gold_files.main_validate([str(bad)]) == 1


@pytest.mark.parametrize("files", ADJUDICATED, ids=ADJUDICATED_IDS)
def test_passes_and_result_cover_the_same_sentences(files: tuple[str, ...]) -> None:
    pass_a, pass_b, _, result = files
    texts = [{r["id"]: r["text"] for r in _rows(name)} for name in (result, pass_a, pass_b)]
    assert texts[0] == texts[1] == texts[2]


def _letters(text: str) -> str:
    """Text without spaces and punctuation, lower-cased, for overlap checks."""
    return re.sub(r"\W+", "", text).lower()


def test_heldout_is_new_text_with_enough_indonesian() -> None:
    gold, held = _rows("gold.jsonl"), _rows("heldout.jsonl")
    assert 100 <= len(held) <= 150
    assert not {r["id"] for r in gold} & {r["id"] for r in held}
    gold_texts = {_letters(r["text"]) for r in gold}
    assert not [r["id"] for r in held if _letters(r["text"]) in gold_texts]
    assert not {r["source"] for r in gold} & {r["source"] for r in held}
    assert sum(r["lang"] == "id" for r in held) / len(held) >= 0.4


def test_heldout_avoids_ner_training_sources() -> None:
    training = ("ner_id/", "ner_en/", "nerui", "nerugm", "nergrit", "nerp", "idner")
    assert not [r["source"] for r in _rows("heldout.jsonl") if any(t in r["source"] for t in training)]


@pytest.mark.parametrize("files", ADJUDICATED, ids=ADJUDICATED_IDS)
def test_adjudication_covers_every_disagreement_and_is_applied(agreement: ModuleType, files: tuple[str, ...]) -> None:
    pass_a, pass_b, adjudication, result = files
    cases = agreement.disagreements(agreement.load(NER_GOLD / pass_a), agreement.load(NER_GOLD / pass_b))
    decisions = _rows(adjudication)
    assert [(c["id"], c["span"]) for c in cases] == [(d["id"], d["span"]) for d in decisions]
    gold = {r["id"]: {tuple(e) for e in r["entities"]} for r in _rows(result)}
    for decision in decisions:
        assert decision["decision"] in ("pass_a", "pass_b") and decision["reason"].strip()
        kept = decision[decision["decision"]]
        dropped = decision["pass_b" if decision["decision"] == "pass_a" else "pass_a"]
        assert all(tuple(span[:4]) in gold[decision["id"]] for span in kept)
        assert not any(tuple(span[:4]) in gold[decision["id"]] for span in dropped)


@pytest.mark.parametrize("files", ADJUDICATED, ids=ADJUDICATED_IDS)
def test_adjudicated_result_differs_from_pass_a_only_where_adjudicated(files: tuple[str, ...]) -> None:
    pass_a_file, _, adjudication, result = files
    decided = {d["id"] for d in _rows(adjudication)}
    pass_a = {r["id"]: r["entities"] for r in _rows(pass_a_file)}
    changed = {r["id"] for r in _rows(result) if sorted(r["entities"]) != sorted(pass_a[r["id"]])}
    assert changed <= decided


def test_law_set_is_the_pool_with_law_only_and_new_text() -> None:
    pool, law = _rows("law_pool.jsonl"), _rows("law.jsonl")
    assert [(r["id"], r["text"], r["lang"], r["source"]) for r in pool] == [
        (r["id"], r["text"], r["lang"], r["source"]) for r in law
    ]
    assert {e[2] for r in law for e in r["entities"]} == {"LAW"}
    assert sum(len(r["entities"]) for r in law) >= 100
    assert {r["lang"] for r in law} == {"id", "en"}
    earlier = {_letters(r["text"]) for name in ("gold.jsonl", "heldout.jsonl") for r in _rows(name)}
    assert not [r["id"] for r in law if _letters(r["text"]) in earlier]


@pytest.mark.slow
def test_law_pool_is_reproducible(tmp_path: Path) -> None:
    if not (ner_pools.SHARED / "pdfs").is_dir():
        pytest.skip("../shared not available")
    ner_pools.main_law(["-o", str(tmp_path / "pool.jsonl")])
    again, committed = ((p.read_text(encoding="utf-8").splitlines()) for p in (tmp_path / "pool.jsonl", NER_GOLD / "law_pool.jsonl"))
    again, committed = list(again), list(committed)
    # The committed pool is a frozen draw. Extraction has changed since (block repairs mend a few passages
    # of the English PDFs), so a few sentences drawn again differ; ids, sources and nearly all text stay.
    assert [json.loads(a)["id"] for a in again] == [json.loads(c)["id"] for c in committed]
    assert [json.loads(a)["source"] for a in again] == [json.loads(c)["source"] for c in committed]
    assert sum(a == c for a, c in zip(again, committed)) >= 0.95 * len(committed)


def test_law_overlap_counts_match_one_to_one() -> None:
    from nlp_iom.evaluation.ner import GoldSentence

    text = "Law No. 84 of 2002 and the Income Tax Act (1955) apply."
    gold = [GoldSentence("s", text, "en", [(0, 18, "LAW", None), (27, 41, "LAW", None)])]
    # one exact, one longer (overlapping) and one spurious prediction; "Law No. 84" overlaps the first gold
    # span too but that span is already matched
    predicted = [[(0, 18, "LAW", None), (0, 10, "LAW", None), (27, 48, "LAW", None), (50, 55, "ORG", None)]]
    assert ner_sets.overlap_counts(gold, predicted) == {"tp": 2, "fp": 1, "fn": 0}
    assert ner_sets.law_errors(gold, predicted) == ["s\t-LAW\tIncome Tax Act", "s\t+LAW\tLaw No. 84",
                                                     "s\t+LAW\tIncome Tax Act (1955)"]


# --- agreement measures on constructed examples (answers worked out by hand) ---

def _row(agreement: ModuleType, text: str, spans: list, sentence_id: str = "s1", lang: str = "en"):
    return agreement.Row(sentence_id, text, lang, tuple(tuple(s) for s in spans))


TEXT = "IOM works in Sambas Regency with UNHCR."
IOM, SAMBAS, UNHCR = (0, 3, "ORG", "IGO"), (13, 27, "LOC", None), (33, 38, "ORG", "IGO")


def test_bio_tags(agreement: ModuleType) -> None:
    tags = agreement.bio_tags(TEXT, [IOM, SAMBAS])
    assert tags == ["B-ORG", "O", "O", "B-LOC", "I-LOC", "O", "O", "O"]


def test_identical_passes_agree_perfectly(agreement: ModuleType) -> None:
    a = {"s1": _row(agreement, TEXT, [IOM, SAMBAS, UNHCR])}
    result = agreement.agreement(a, dict(a))["all"]
    assert result["span_f1"]["micro"]["f"] == 1.0
    assert result["kappa_all_tokens"] == 1.0 and result["kappa_entity_tokens"] == 1.0
    assert result["org_subtype"] == {"matched_org": 2, "agreement": 1.0, "kappa": 1.0}


def test_one_missed_span_gives_hand_computed_f1(agreement: ModuleType) -> None:
    # A: 3 spans, B misses UNHCR -> tp 2, fn 1, fp 0: P 1, R 2/3, F1 0.8; ORG alone: P 1, R 1/2, F1 2/3
    a = {"s1": _row(agreement, TEXT, [IOM, SAMBAS, UNHCR])}
    b = {"s1": _row(agreement, TEXT, [IOM, SAMBAS])}
    f1 = agreement.agreement(a, b)["all"]["span_f1"]
    assert f1["micro"]["p"] == 1.0 and f1["micro"]["r"] == pytest.approx(2 / 3)
    assert f1["micro"]["f"] == pytest.approx(0.8)
    assert f1["ORG"]["f"] == pytest.approx(2 / 3)
    assert f1["LOC"]["f"] == 1.0


def test_cohen_kappa_by_hand() -> None:
    # observed 3/4; expected (1*1 + 3*2) / 16 = 7/16; kappa = (12/16 - 7/16) / (9/16) = 5/9
    first = ["B-PER", "O", "O", "O"]
    second = ["B-PER", "O", "B-LOC", "O"]
    assert cohen_kappa(first, second) == pytest.approx(5 / 9)
    # only the tokens either pass tagged: [B-PER, O] vs [B-PER, B-LOC] -> observed 1/2, expected 1/4 -> 1/3
    tagged = [(a, b) for a, b in zip(first, second) if a != "O" or b != "O"]
    assert cohen_kappa([a for a, _ in tagged], [b for _, b in tagged]) == pytest.approx(1 / 3)
    with pytest.raises(ValueError):
        cohen_kappa(["O"], ["O", "O"])


def test_subtype_agreement_on_matched_org_spans(agreement: ModuleType) -> None:
    a = [_row(agreement, TEXT, [IOM, SAMBAS, UNHCR])]
    b = [_row(agreement, TEXT, [(0, 3, "ORG", "NGO"), SAMBAS, UNHCR])]
    result = agreement.subtype_agreement(a, b)
    assert result["matched_org"] == 2 and result["agreement"] == 0.5


def test_boundary_disagreement_is_one_case(agreement: ModuleType) -> None:
    text = "Pembentukan Daerah Provinsi Daerah Istimewa Jogjakarta"
    a = {"s1": _row(agreement, text, [(28, 54, "LOC", None)], lang="id")}
    b = {"s1": _row(agreement, text, [(19, 54, "LOC", None)], lang="id")}
    cases = agreement.disagreements(a, b)
    assert len(cases) == 1
    assert cases[0]["span"] == "Provinsi Daerah Istimewa Jogjakarta"
    assert cases[0]["pass_a"][0][-1] == "Daerah Istimewa Jogjakarta"


def test_real_passes_agreement_is_high_but_not_perfect(agreement: ModuleType) -> None:
    result = agreement.agreement(agreement.load(NER_GOLD / "pass_a.jsonl"), agreement.load(NER_GOLD / "pass_b.jsonl"))
    for part in ("all", "id", "en"):
        assert 0.0 < result[part]["kappa_entity_tokens"] <= result[part]["kappa_all_tokens"] <= 1.0
    assert 0.9 < result["all"]["span_f1"]["micro"]["f"] < 1.0
    assert result["id"]["sentences"] + result["en"]["sentences"] == result["all"]["sentences"]


# --- turning written mentions into offsets ---

def test_locate_resolves_repeats_in_order_and_by_number(mentions: ModuleType) -> None:
    text = "penjaga perbatasan Ceko menembak petani yang menyeberang ke Ceko pada bulan Mei."
    spans = mentions.locate(text, [("Ceko#2", "LOC", None), ("Mei", "DATE", None)])
    assert [text[s:e] for s, e, _, _ in spans] == ["Ceko", "Mei"]
    assert spans[0][0] == text.rindex("Ceko")
    text = "IOM and the IOM's office"
    spans = mentions.locate(text, [("IOM", "ORG", "IGO"), ("IOM", "ORG", "IGO")])
    assert [s for s, *_ in spans] == [0, 12]


def test_locate_needs_whole_words(mentions: ModuleType) -> None:
    with pytest.raises(mentions.MentionError):
        mentions.locate("Sambasan is not Sambas", [("Sambas", "LOC", None), ("Sambas", "LOC", None)])
    assert mentions.locate("Sambasan is not Sambas", [("Sambas", "LOC", None)])[0][0] == 16


def test_parse_line_checks_labels(mentions: ModuleType) -> None:
    sentence_id, parsed = mentions.parse_line("x1\tIOM|ORG/IGO ;; 2019|DATE")
    assert sentence_id == "x1" and parsed == [("IOM", "ORG", "IGO"), ("2019", "DATE", None)]
    for bad in ("x\tIOM|ORG", "x\tSambas|LOC/GOV", "x\tIOM|COMPANY"):
        with pytest.raises(mentions.MentionError):
            mentions.parse_line(bad)


@pytest.mark.slow
def test_evaluate_heldout_scores_both_systems() -> None:
    results, predictions = ner_sets.evaluate_set(NER_GOLD / "heldout.jsonl")
    held = _rows("heldout.jsonl")
    assert set(results) == {"full stack", "statistical only"}
    assert results["full stack"]["all"]["micro"]["support"] == sum(len(r["entities"]) for r in held)
    for system in results.values():
        for part in ("all", "id", "en"):
            assert 0.0 <= system[part]["micro"]["f"] <= 100.0
    assert len(predictions["full stack"]) == len(held)
    assert "| micro |" in ner_sets.prf_table(results)


def test_evaluate_caps_writes_sentences_in_capitals() -> None:
    from nlp_iom.evaluation.ner import load_gold

    gold = load_gold(NER_GOLD / "heldout.jsonl")
    upper = ner_sets.shouted(gold)
    assert len(upper) == len(gold)  # no held-out sentence changes length in capitals
    for original, shouted in zip(gold, upper):
        assert shouted.text == original.text.upper() and shouted.entities == original.entities
    table = ner_sets.caps_markdown({"heldout, capitals (1 sentences)": {"full stack": {"all": 50.0, "id": 40.0, "en": 60.0}}})
    assert table.splitlines()[-1] == "| heldout, capitals (1 sentences) | full stack | 50.0 | 40.0 | 60.0 |"


def test_web_gold_is_split_by_document_and_adjudicated() -> None:
    web = Path(__file__).resolve().parents[1] / "corpora" / "ner_gold" / "web"
    rows = [json.loads(line) for line in (web / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 340 and sum(r["lang"] == "id" for r in rows) >= 0.45 * len(rows)
    by_source: dict[str, set[str]] = {}
    for row in rows:
        by_source.setdefault(row["source"], set()).add(row["split"])
        for start, end, label, subtype in row["entities"]:
            assert 0 <= start < end <= len(row["text"]) and label in {"PER", "ORG", "LOC", "LAW", "DATE"}
            assert (subtype is not None) == (label == "ORG")
    assert all(len(splits) == 1 for splits in by_source.values())  # one document, one split
    test = [r for r in rows if r["split"] == "test"]
    assert 0.2 <= len(test) / len(rows) <= 0.35 and {r["lang"] for r in test} == {"id", "en"}
    decided = [json.loads(line) for line in (web / "adjudication.jsonl").read_text(encoding="utf-8").splitlines()]
    disagreements = (web / "disagreements.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(decided) == len(disagreements) and all(d["reason"] and d["decision"] in ("pass A", "pass B") for d in decided)


def test_evaluate_ner_scores_one_split_of_a_split_gold(tmp_path: Path) -> None:
    from nlp_iom.errors import ConfigError
    from nlp_iom.evaluation.ner import evaluate, load_gold

    web = Path(__file__).resolve().parents[1] / "corpora" / "ner_gold" / "web" / "gold.jsonl"
    assert {sentence.split for sentence in load_gold(web)} == {"dev", "test"}
    unsplit = Path(__file__).resolve().parents[1] / "corpora" / "ner_gold" / "gold.jsonl"
    with pytest.raises(ConfigError, match="split"):
        evaluate(unsplit, "test")


def test_the_ner_card_is_generated_from_the_committed_scores_files() -> None:
    """corpora/ner_gold/CARD.md is exactly what `nlp-iom evaluate ner-card` renders (never edited by hand)."""
    from nlp_iom.evaluation.ner_card import CARD, render_card

    card = render_card()
    assert CARD.read_text(encoding="utf-8") == card
    for section in ("Domain gold: heldout", "Web excerpts, test split", "LAW test set", "Text in capitals"):
        assert f"## {section}" in card


def test_merging_the_web_passes_and_adjudication_rebuilds_the_committed_gold(tmp_path) -> None:
    import json

    from nlp_iom.training.ner_gold_files import MentionError, main_merge, merge_passes

    web = ROOT / "corpora" / "ner_gold" / "web"
    out = tmp_path / "gold.jsonl"
    argv = [str(web / name) for name in ("pool.jsonl", "pass_a.jsonl", "pass_b.jsonl", "adjudication.jsonl")]
    assert main_merge([*argv, "-o", str(out)]) == 0
    assert out.read_bytes() == (web / "gold.jsonl").read_bytes()
    load = lambda name: [json.loads(line) for line in (web / name).read_text("utf-8").splitlines()]  # noqa: E731
    with pytest.raises(MentionError, match="no decision"):
        merge_passes(load("pool.jsonl"), load("pass_a.jsonl"), load("pass_b.jsonl"), load("adjudication.jsonl")[1:])
