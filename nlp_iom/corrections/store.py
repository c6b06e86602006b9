"""Human codes stored beside a batch's machine codes: ``<batch>/corrections/codes.jsonl``.

One line per decision a person made on one passage and one code:

* ``accepted``: a machine code the person also applied (or confirmed in a table);
* ``kept``: a machine suggestion left in place in the QDA tool (neither deleted nor re-applied);
* ``rejected``: a machine suggestion the person deleted (or marked rejected in a table);
* ``added``: a code the person applied where the machine had not.

Each line names the document (the batch's 16-digit key), the passage id, the code (``haas:...``,
``ingo:...``, or ``user:<name>`` for a code outside the codebooks), the decision, who and when, and the
import it came from (``origin``). A new import of the same origin replaces that origin's lines; the file
is written whole, atomically, after the import has validated.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from nlp_iom.batch.layout import DOCUMENTS_DIR, AnnotatedDocument, load_documents, write_atomic
from nlp_iom.errors import ConfigError

CORRECTIONS_DIR = "corrections"
CODES_FILE = "codes.jsonl"
DECISIONS = ("accepted", "kept", "rejected", "added")
#: Decisions that mean "the person holds this passage to have this code".
POSITIVE = frozenset({"accepted", "kept", "added"})
USER_PREFIX = "user:"


@dataclass(frozen=True)
class HumanCode:
    """One person's decision on one passage and one code."""

    document: str
    passage: int
    code: str
    decision: str
    user: str
    when: str | None
    origin: str

    def __post_init__(self) -> None:
        if self.decision not in DECISIONS:
            raise ConfigError("decision", f"must be one of {', '.join(DECISIONS)}, got {self.decision!r}")


def codes_path(batch_dir: str | Path) -> Path:
    """Where a batch's human codes live."""
    return Path(batch_dir) / CORRECTIONS_DIR / CODES_FILE


def load_codes(batch_dir: str | Path) -> list[HumanCode]:
    """The human codes stored for a batch (none when nothing was imported yet)."""
    path = codes_path(batch_dir)
    if not path.is_file():
        return []
    return [HumanCode(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def save_codes(batch_dir: str | Path, codes: list[HumanCode], origin: str) -> Path:
    """Replace the lines of ``origin`` by ``codes`` (all of that origin), keep the others; write atomically."""
    kept = [c for c in load_codes(batch_dir) if c.origin != origin]
    rows = sorted(kept + codes, key=lambda c: (c.origin, c.document, c.passage, c.code, c.user))
    path = codes_path(batch_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(asdict(c), ensure_ascii=False) + "\n" for c in rows)
    write_atomic(path, text)
    return path


def batch_documents(batch_dir: str | Path) -> list[AnnotatedDocument]:
    """The annotated documents of a batch output folder.

    Raises:
        ConfigError: The folder holds no ``documents/*.json`` (not a batch output of ``nlp-iom annotate``).
    """
    folder = Path(batch_dir) / DOCUMENTS_DIR
    paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
    if not paths:
        raise ConfigError("corpus", f"{batch_dir} is not a batch output folder (no {DOCUMENTS_DIR}/*.json; "
                                    "run `nlp-iom annotate` first)")
    return load_documents(paths)
