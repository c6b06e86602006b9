"""Settings of a batch run (:class:`BatchSettings`) and what it reports back (:class:`BatchReport`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlp_iom.errors import ConfigError
from nlp_iom.extract.pdf import DEFAULT_READER, READERS
from nlp_iom.ner.pipelines import TIERS
from nlp_iom.reader import DEFAULT_TIMEOUT

#: Export formats :func:`nlp_iom.batch.annotate_folder` can write at the end of a run.
EXPORT_FORMATS = ("jsonl", "csv", "docbin", "qdpx", "bibtex", "ris")
#: Probability at or above which a passage's code goes into the QDPX project.
DEFAULT_QDPX_THRESHOLD = 0.5
#: Most worker processes a batch may start.
MAX_WORKERS = 64


@dataclass(frozen=True)
class BatchSettings:
    """How :func:`nlp_iom.batch.annotate_folder` runs.

    Attributes:
        workers: Worker processes (1 runs in this process). Each loads the NER pipelines and the
            classifiers once; ONNX Runtime, BLAS and torch get ``cores // workers`` threads each.
        codebooks: Built-in codebook names (``haas``, ``ingo``), codebook files or trained-model folders.
        exports: Formats written from the per-document JSONs at the end (see :data:`EXPORT_FORMATS`).
        timeout: Seconds one file's extraction may take (it runs in a child process that is stopped
            after that and recorded as failed); None reads in the worker without a limit.
        reader: PDF backend (``pdfium`` or ``pdfplumber``).
        password: Password of encrypted PDFs, if they share one.
        zero_shot: Classify from the codebooks alone, ignoring trained models.
        embedder: Embedder spec of the classifiers.
        ner_tier: Indonesian NER tier (``cnn`` or ``trf``).
        qdpx_threshold: Codes at or above this probability become codings in the QDPX project.
        top_entities: Organisations and places listed per document in ``corpus.csv``.
        recursive: Look for input files in sub-folders too.
    """

    workers: int = 1
    codebooks: tuple[str, ...] = ("haas", "ingo")
    exports: tuple[str, ...] = EXPORT_FORMATS
    timeout: float | None = DEFAULT_TIMEOUT
    reader: str = DEFAULT_READER
    password: str | None = None
    zero_shot: bool = False
    embedder: str = "e5-small"
    ner_tier: str = "cnn"
    qdpx_threshold: float = DEFAULT_QDPX_THRESHOLD
    top_entities: int = 5
    recursive: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.workers, int) or not 1 <= self.workers <= MAX_WORKERS:
            raise ConfigError("workers", f"must be an integer from 1 to {MAX_WORKERS}, got {self.workers!r}")
        if not self.codebooks:
            raise ConfigError("codebooks", "name at least one codebook")
        if len(set(self.codebooks)) != len(self.codebooks):
            raise ConfigError("codebooks", f"a codebook is named twice: {list(self.codebooks)}")
        unknown = [f for f in self.exports if f not in EXPORT_FORMATS]
        if unknown:
            raise ConfigError("exports", f"unknown format(s) {unknown}; choose from {', '.join(EXPORT_FORMATS)}")
        if self.timeout is not None and not self.timeout > 0:
            raise ConfigError("timeout", f"must be positive seconds or None, got {self.timeout!r}")
        if self.reader not in READERS:
            raise ConfigError("reader", f"unknown PDF reader {self.reader!r}; choose one of {sorted(READERS)}")
        if self.ner_tier not in TIERS:
            raise ConfigError("ner_tier", f"must be one of {TIERS}, got {self.ner_tier!r}")
        if not 0.0 <= self.qdpx_threshold <= 1.0:
            raise ConfigError("qdpx_threshold", f"must be a probability in [0, 1], got {self.qdpx_threshold!r}")
        if self.top_entities < 0:
            raise ConfigError("top_entities", f"must be zero or more, got {self.top_entities!r}")

    def fingerprint(self) -> dict[str, Any]:
        """The settings that change a document's annotations; a resumed run must use the same ones."""
        return {"codebooks": list(self.codebooks), "zero_shot": self.zero_shot, "embedder": self.embedder,
                "ner_tier": self.ner_tier, "reader": self.reader}


@dataclass
class BatchReport:
    """What one run of :func:`nlp_iom.batch.annotate_folder` did.

    Attributes:
        input_dir: The input folder.
        out_dir: The output folder.
        found: Input files found (PDF, .txt, .md).
        annotated: Source paths (relative to ``input_dir``) annotated in this run.
        skipped: Source paths skipped because a previous run finished them (same content hash).
        duplicates: Source paths whose content equals an earlier file's; annotated once.
        failed: One dict per failed file: ``path``, ``sha256``, ``kind``, ``error`` (as in ``errors.jsonl``).
        documents: Per-document JSON files of every finished input, in input order.
        exports: Format -> file written (``corpus`` is always there when a document finished).
        pages: Pages of the PDFs annotated in this run.
        passages: Passages annotated in this run.
        seconds: Wall-clock time of the run.
    """

    input_dir: Path
    out_dir: Path
    found: int = 0
    annotated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    documents: list[Path] = field(default_factory=list)
    exports: dict[str, Path] = field(default_factory=dict)
    pages: int = 0
    passages: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when no file failed."""
        return not self.failed
