"""Readers, tag maps and Doc conversion of the Indonesian NER data; the trained CNN model (slow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp_iom.errors import ConfigError
from nlp_iom.training.ner_data import (
    DEFAULT_SHARED,
    NER_SUBDIR,
    SHARED_ENV,
    Sentence,
    doc_to_bio,
    entity_counts,
    guess_spaces,
    read_file,
    read_split,
    shared_root,
    split_path,
    to_doc,
    write_docbin,
)
from nlp_iom.ner.labels import ALL_LABELS, CORE_LABELS, map_tag, own_labels, repair_bio
from nlp_iom.training.ner_cnn import TrainSettings

MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "ner_id_cnn"


@pytest.fixture(scope="module")
def data_root() -> Path:
    """The shared data folder; skips the test when it is not on this machine."""
    root = shared_root()
    if not (root / NER_SUBDIR).is_dir():
        pytest.skip(f"shared NER data not found under {root}")
    return root


@pytest.fixture(scope="module")
def vocab():  # type: ignore[no-untyped-def]
    spacy = pytest.importorskip("spacy")
    return spacy.blank("id").vocab


# Counts verified on the files (sentences; B- mentions after mapping and I- repair).
@pytest.mark.parametrize(
    ("dataset", "split", "fold", "sentences", "entities"),
    [
        ("nerui", "full", None, 2126, {"PER": 1870, "ORG": 1949, "LOC": 1236}),
        ("nerui", "train", 1, 1530, {"PER": 1389, "ORG": 1417, "LOC": 886}),
        ("nerugm", "full", None, 2343, {"PER": 1496, "ORG": 823, "LOC": 1020, "DATE": 433, "QTY": 481}),
        ("nergrit", "train", None, 1672, {"PER": 1618, "ORG": 1015, "LOC": 2688}),
        ("nergrit", "dev", None, 209, {"PER": 213, "ORG": 121, "LOC": 328}),
        ("nergrit", "test", None, 209, {"PER": 207, "ORG": 124, "LOC": 357}),
        ("nerp", "dev", None, 840, {"PER": 644, "ORG": 373, "LOC": 523}),
        ("idner", "train", None, 1464, {"PER": 896, "ORG": 721, "LOC": 579}),
        ("idner", "dev", None, 367, {"PER": 221, "ORG": 189, "LOC": 152}),
        ("idner", "test", None, 509, {"PER": 515, "ORG": 401, "LOC": 103}),
    ],
)
def test_real_files_counts(data_root: Path, dataset: str, split: str, fold: int | None, sentences: int,
                           entities: dict[str, int]) -> None:
    result, report = read_split(dataset, split, fold, keep=ALL_LABELS, root=data_root)
    assert len(result) == sentences == report.sentences
    assert report.skipped == 0
    assert dict(entity_counts(result)) == entities
    assert all(len(s.words) == len(s.tags) for s in result)


def test_real_files_repairs_and_splits(data_root: Path) -> None:
    _, ugm = read_split("nerugm", "full", keep=ALL_LABELS, root=data_root)
    assert ugm.repaired_tags == 13  # I- after O in the source, read as B-
    _, nerp = read_split("nerp", "dev", root=data_root)
    assert nerp.split_tokens == 75  # multi-word tokens such as "salah satu"


def test_core_mapping_drops_other_types(data_root: Path) -> None:
    sentences, _ = read_split("nerugm", "test", 1, keep=CORE_LABELS, root=data_root)
    labels = {tag[2:] for s in sentences for tag in s.tags if tag != "O"}
    assert labels == set(CORE_LABELS)
    idner, _ = read_split("idner", "test", root=data_root)
    assert idner[-1].words[-1] == "."  # last sentence has no trailing blank line


def test_tag_maps() -> None:
    assert map_tag("B-ORGANISATION", "nergrit") == "B-ORG"
    assert map_tag("I-PLACE", "nergrit") == "I-LOC"
    assert map_tag("B-IND", "nerp") == "B-ORG"
    assert map_tag("B-EVT", "nerp") == "O"
    assert map_tag("B-TIME", "nerugm") == "O"
    assert map_tag("B-TIME", "nerugm", keep=ALL_LABELS) == "B-DATE"
    assert map_tag("I-QUANTITY", "nerugm", keep=ALL_LABELS) == "I-QTY"
    assert map_tag("O", "idner") == "O"
    with pytest.raises(ValueError):
        map_tag("B-PLACE", "nerui")
    with pytest.raises(ValueError):
        map_tag("X-PER", "idner")
    assert own_labels("nerui") == ("PER", "ORG", "LOC")
    assert own_labels("nerugm") == ALL_LABELS
    with pytest.raises(ConfigError):
        own_labels("conll")


def test_repair_bio() -> None:
    assert repair_bio(["O", "I-PER", "I-PER", "I-ORG", "B-LOC", "I-LOC"]) == (
        ["O", "B-PER", "I-PER", "B-ORG", "B-LOC", "I-LOC"],
        2,
    )


def test_bio_doc_round_trip(vocab, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sentence = Sentence(
        ("Presiden", "Joko", "Widodo", "tiba", "di", "Kalimantan", "Barat", "(", "Kalbar", ")", "."),
        ("O", "B-PER", "I-PER", "O", "O", "B-LOC", "I-LOC", "O", "B-LOC", "O", "O"),
    )
    doc = to_doc(vocab, sentence)
    assert doc.text == "Presiden Joko Widodo tiba di Kalimantan Barat (Kalbar)."
    assert [(e.text, e.label_) for e in doc.ents] == [("Joko Widodo", "PER"), ("Kalimantan Barat", "LOC"),
                                                     ("Kalbar", "LOC")]
    assert doc_to_bio(doc) == list(sentence.tags)
    from spacy.tokens import DocBin

    assert write_docbin([sentence, sentence], tmp_path / "x" / "a.spacy") == 2
    docs = list(DocBin().from_disk(tmp_path / "x" / "a.spacy").get_docs(vocab))
    assert doc_to_bio(docs[1]) == list(sentence.tags)
    assert guess_spaces(["a", ",", "b"]) == [False, True, False]


def test_malformed_sentences_skipped(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(
        "Budi\tB-PERSON\nada\tO\n\n"  # good
        "tiga\tkolom\tlagi\n\n"  # bad columns
        "Jakarta\tB-CITY\n\n"  # unknown tag
        "\tO\n\n\n"  # empty token
        "salah satu\tO\nPartai\tI-ORGANISATION\nGolkar\tI-ORGANISATION\n",  # split + orphan I-
        encoding="utf-8",
    )
    sentences, report = read_file(path, "nergrit")
    assert report.sentences == 2 and report.skipped == 3
    assert report.reasons["bad columns"] == 2 and report.reasons["unknown tag 'B-CITY'"] == 1
    assert sentences[1].words == ("salah", "satu", "Partai", "Golkar")
    assert sentences[1].tags == ("O", "O", "B-ORG", "I-ORG")
    assert report.split_tokens == 1 and report.repaired_tags == 1


def test_idner_format_crlf(tmp_path: Path) -> None:
    path = tmp_path / "idner.txt"
    path.write_bytes(b"Joko PROPN B-PER\r\nWidodo PROPN I-PER\r\n\r\nbad line\r\n\r\nDi ADP O\r\nBali PROPN B-LOC\r\n")
    sentences, report = read_file(path, "idner")
    assert [s.tags for s in sentences] == [("B-PER", "I-PER"), ("O", "B-LOC")]
    assert report.skipped == 1


def test_paths_and_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert DEFAULT_SHARED.parts[-2:] == ("shared", "data")
    monkeypatch.setenv(SHARED_ENV, str(tmp_path))
    assert split_path("nerui", "test", 3) == tmp_path / "ner_id" / "nerui" / "test.03.tsv"
    assert split_path("nergrit", "dev").name == "valid_preprocess.txt"
    assert split_path("idner", "train", root="/x") == Path("/x/ner_id/idner-news-2k/train.txt")
    for args in (("nerui", "train", None), ("nerui", "train", 6), ("idner", "full", None), ("idner", "dev", 1),
                 ("conll", "train", None), ("nerui", "valid", 1)):
        with pytest.raises(ConfigError):
            split_path(*args)
    with pytest.raises(ConfigError, match="max_steps"):
        TrainSettings(max_steps=0)
    with pytest.raises(ConfigError, match="eval_frequency"):
        TrainSettings(max_steps=100, eval_frequency=200)
    assert TrainSettings().overrides()["training.max_steps"] == TrainSettings().max_steps


@pytest.mark.slow
def test_trained_model_finds_entities() -> None:
    spacy = pytest.importorskip("spacy")
    if not (MODEL_DIR / "meta.json").exists():
        pytest.skip("models/ner_id_cnn not built: nlp-iom train ner-cnn cnn")
    nlp = spacy.load(MODEL_DIR)
    doc = nlp(
        "Presiden Joko Widodo meminta Kementerian Luar Negeri membantu warga yang terdampak banjir "
        "di Kalimantan Barat."
    )
    found = {(e.text, e.label_) for e in doc.ents}
    assert {("Joko Widodo", "PER"), ("Kementerian Luar Negeri", "ORG"), ("Kalimantan Barat", "LOC")} <= found
