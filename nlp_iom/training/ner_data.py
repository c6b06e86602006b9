"""Readers for the five public Indonesian NER sets and their conversion to spaCy docs.

Each reader returns sentences (words plus BIO tags in the unified scheme of
:mod:`nlp_iom.ner.labels`) and a :class:`ReadReport` that counts what was skipped or
repaired. Formats (checked on the files themselves):

* NER-UI, NER-UGM (IndoLEM): ``token<TAB>tag``; 5 folds ``{train,dev,test}.0k.tsv`` and
  a full file (``nergithub.txt``, ``nerugm.txt``).
* NERGrit, NERP (IndoNLU): ``token<TAB>tag``; ``{train,valid,test}_preprocess.txt``.
  NERP has lower-cased text and some multi-word tokens (``salah satu``), split here.
* IDNer-news-2k: ``token UPOS tag`` separated by spaces, CRLF line ends; no blank line
  after the last sentence.

The shared data live in ``<workspace>/shared/data``; set ``NLP_IOM_SHARED`` (or pass
``root``) to read them from elsewhere.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from nlp_iom.errors import ConfigError
from nlp_iom.ner.bio import Sentence
from nlp_iom.ner.labels import CORE_LABELS, IDNER, NERGRIT, NERP, NERUGM, NERUI, OUTSIDE, map_tag, repair_bio

SHARED_ENV = "NLP_IOM_SHARED"
DEFAULT_SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
NER_SUBDIR = "ner_id"
FOLDS: tuple[int, ...] = (1, 2, 3, 4, 5)
SPLITS: tuple[str, ...] = ("train", "dev", "test", "full")
LANG = "id"

#: Folder of each set under ``shared/data/ner_id``.
FOLDERS = {
    NERUI: "nerui",
    NERUGM: "nerugm",
    NERGRIT: "nergrit_ner-grit",
    NERP: "nerp_ner-prosa",
    IDNER: "idner-news-2k",
}
#: Whole-set files of the two IndoLEM sets (``full`` split).
FULL_FILES = {NERUI: "nergithub.txt", NERUGM: "nerugm.txt"}
INDONLU_NAMES = {"train": "train_preprocess.txt", "dev": "valid_preprocess.txt", "test": "test_preprocess.txt"}
#: Tokens written without a space before them / after them when rebuilding the text.
NO_SPACE_BEFORE = frozenset({",", ".", ";", ":", "!", "?", ")", "]", "}", "%", "...", "'s"})
NO_SPACE_AFTER = frozenset({"(", "[", "{"})


@dataclass
class ReadReport:
    """What reading a file kept, skipped and repaired.

    Attributes:
        sentences: Sentences kept.
        skipped: Malformed sentences left out.
        repaired_tags: Orphan ``I-`` tags turned into ``B-``.
        split_tokens: Multi-word tokens split at their spaces.
        reasons: Why sentences were skipped, with counts.
    """

    sentences: int = 0
    skipped: int = 0
    repaired_tags: int = 0
    split_tokens: int = 0
    reasons: Counter[str] = field(default_factory=Counter)


def shared_root(root: str | Path | None = None) -> Path:
    """Locate the shared data folder: the argument, else ``$NLP_IOM_SHARED``, else the default."""
    if root is not None:
        return Path(root)
    env = os.environ.get(SHARED_ENV)
    return Path(env) if env else DEFAULT_SHARED


def split_path(dataset: str, split: str, fold: int | None = None, root: str | Path | None = None) -> Path:
    """Return the file holding one split of a set.

    Args:
        dataset: One of ``nerui``, ``nerugm``, ``nergrit``, ``nerp``, ``idner``.
        split: ``train``, ``dev``, ``test``, or ``full`` (IndoLEM sets only).
        fold: IndoLEM fold 1-5; required for their train/dev/test splits, refused otherwise.
        root: Shared data folder (see :func:`shared_root`).

    Raises:
        ConfigError: On an unknown set or split, or a missing/unexpected fold.
    """
    if dataset not in FOLDERS:
        raise ConfigError("dataset", f"must be one of {tuple(FOLDERS)}, got {dataset!r}")
    if split not in SPLITS:
        raise ConfigError("split", f"must be one of {SPLITS}, got {split!r}")
    folder = shared_root(root) / NER_SUBDIR / FOLDERS[dataset]
    indolem = dataset in FULL_FILES
    if split == "full":
        if not indolem:
            raise ConfigError("split", f"'full' exists only for {tuple(FULL_FILES)}")
        return folder / FULL_FILES[dataset]
    if indolem:
        if fold not in FOLDS:
            raise ConfigError("fold", f"{dataset} {split} needs a fold in {FOLDS}, got {fold!r}")
        return folder / f"{split}.{fold:02d}.tsv"
    if fold is not None:
        raise ConfigError("fold", f"{dataset} has no folds, got {fold!r}")
    return folder / (INDONLU_NAMES[split] if dataset in (NERGRIT, NERP) else f"{split}.txt")


def _blocks(path: Path) -> list[list[str]]:
    """Split a file into sentences (lists of lines), at blank lines; CRLF tolerated."""
    blocks: list[list[str]] = []
    current: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for raw in handle:
            line = raw.rstrip("\r\n")
            if line.strip():
                current.append(line)
            elif current:
                blocks.append(current)
                current = []
    if current:
        blocks.append(current)
    return blocks


def _parse_line(line: str, dataset: str) -> tuple[str, str]:
    """Return (token, source tag) of one line; raise ValueError when malformed."""
    if dataset == IDNER:
        parts = line.split(" ")
        if len(parts) != 3 or not all(parts):
            raise ValueError("expected 'token UPOS tag'")
        return parts[0], parts[2]
    parts = line.split("\t")
    if len(parts) != 2 or not parts[0].strip() or not parts[1]:
        raise ValueError("expected 'token<TAB>tag'")
    return parts[0], parts[1]


def _skip(report: ReadReport, reason: str) -> None:
    report.skipped += 1
    report.reasons[reason] += 1


def parse_sentence(lines: list[str], dataset: str, keep: tuple[str, ...], report: ReadReport) -> Sentence | None:
    """Turn the lines of one sentence into a :class:`Sentence`, or ``None`` when malformed.

    Args:
        lines: Non-blank lines of the sentence.
        dataset: Source set (decides the column layout and tag map).
        keep: Unified types to keep; others become ``O``.
        report: Updated with skips, repairs and token splits.
    """
    words: list[str] = []
    tags: list[str] = []
    for line in lines:
        try:
            token, source_tag = _parse_line(line, dataset)
        except ValueError:
            return _skip(report, "bad columns")
        try:
            tag = map_tag(source_tag, dataset, keep)
        except ValueError:
            return _skip(report, f"unknown tag {source_tag!r}")
        pieces = token.split()
        if len(pieces) > 1:
            report.split_tokens += 1
        inside = OUTSIDE if tag == OUTSIDE else f"I-{tag[2:]}"
        words.extend(pieces)
        tags.extend([tag] + [inside] * (len(pieces) - 1))
    fixed, changes = repair_bio(tags)
    report.repaired_tags += changes
    report.sentences += 1
    return Sentence(tuple(words), tuple(fixed), dataset)


def read_file(path: str | Path, dataset: str, keep: tuple[str, ...] = CORE_LABELS) -> tuple[list[Sentence], ReadReport]:
    """Read one file of a set.

    Args:
        path: The file.
        dataset: The set it belongs to (one of :data:`FOLDERS`).
        keep: Unified types to keep.

    Returns:
        The sentences kept and the report.

    Raises:
        FileNotFoundError: If the file does not exist.
    """
    report = ReadReport()
    sentences = [s for s in (parse_sentence(b, dataset, keep, report) for b in _blocks(Path(path))) if s]
    return sentences, report


def read_split(
    dataset: str,
    split: str,
    fold: int | None = None,
    keep: tuple[str, ...] = CORE_LABELS,
    root: str | Path | None = None,
) -> tuple[list[Sentence], ReadReport]:
    """Read one split of a set (see :func:`split_path` for the arguments)."""
    return read_file(split_path(dataset, split, fold, root), dataset, keep)


def guess_spaces(words: tuple[str, ...] | list[str]) -> list[bool]:
    """Guess which tokens are followed by a space, so the rebuilt text reads naturally."""
    spaces = [True] * len(words)
    for i, word in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else None
        if nxt is None or word in NO_SPACE_AFTER or nxt in NO_SPACE_BEFORE:
            spaces[i] = False
    return spaces


def to_doc(vocab: object, sentence: Sentence) -> object:
    """Build a spaCy ``Doc`` with the sentence's words and gold entities.

    Args:
        vocab: A spaCy ``Vocab`` (e.g. ``spacy.blank("id").vocab``).
        sentence: The annotated sentence.

    Returns:
        The ``Doc``; ``doc.ents`` holds one span per BIO entity.
    """
    from spacy.tokens import Doc

    return Doc(vocab, words=list(sentence.words), spaces=guess_spaces(sentence.words), ents=list(sentence.tags))


def doc_to_bio(doc: object) -> list[str]:
    """Return the BIO tags of a ``Doc``'s entities (``O`` outside them)."""
    return [f"{t.ent_iob_}-{t.ent_type_}" if t.ent_iob_ in ("B", "I") else OUTSIDE for t in doc]  # type: ignore[attr-defined]


def write_docbin(sentences: list[Sentence], path: str | Path) -> int:
    """Write sentences as a spaCy ``DocBin`` file.

    Args:
        sentences: Annotated sentences.
        path: Target ``.spacy`` file (its folder is created).

    Returns:
        The number of docs written.
    """
    import spacy
    from spacy.tokens import DocBin

    vocab = spacy.blank(LANG).vocab
    docbin = DocBin(attrs=["ORTH", "ENT_IOB", "ENT_TYPE"], store_user_data=False)
    for sentence in sentences:
        docbin.add(to_doc(vocab, sentence))
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    docbin.to_disk(target)
    return len(docbin)


def entity_counts(sentences: list[Sentence]) -> Counter[str]:
    """Count entity mentions (``B-`` tags) per unified type."""
    return Counter(tag[2:] for s in sentences for tag in s.tags if tag.startswith("B-"))
