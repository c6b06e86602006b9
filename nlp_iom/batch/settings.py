"""Settings of a batch run (:class:`BatchSettings`) and what it reports back (:class:`BatchReport`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlp_iom.errors import ConfigError
from nlp_iom.coding.settings import ClassifySettings
from nlp_iom.ner.pipelines import NerSettings
from nlp_iom.reader import DEFAULT_TIMEOUT, ReadSettings

#: Export formats :func:`nlp_iom.batch.annotate_folder` can write at the end of a run.
EXPORT_FORMATS = ("jsonl", "csv", "docbin", "qdpx", "bibtex", "ris")
#: Probability at or above which a passage's code goes into the QDPX project.
DEFAULT_QDPX_THRESHOLD = 0.5
#: Most worker processes a batch may start.
MAX_WORKERS = 64


@dataclass(frozen=True)
class BatchSettings:
    """How :func:`nlp_iom.batch.annotate_folder` runs: the settings of each stage, and the batch's own.

    ``BatchSettings(read=ReadSettings(reader="pdfplumber"), classify=ClassifySettings(codebooks=("haas",)),
    workers=2)``. Each option is declared once, in its stage's settings class.

    Attributes:
        read: How files are read (PDF reader, password, OCR, tables, footnotes).
        ner: Which NER pipelines annotate the passages (the Indonesian tier, domain components).
        classify: Which codebooks code the passages, with which embedder, zero-shot or not.
        workers: Worker processes (1 runs in this process). Each loads the NER pipelines and the
            classifiers once; ONNX Runtime, BLAS and torch get ``cores // workers`` threads each.
        exports: Formats written from the per-document JSONs at the end (see :data:`EXPORT_FORMATS`).
        timeout: Seconds one file's extraction may take (it runs in a child process that is stopped
            after that and recorded as failed); None reads in the worker without a limit.
        qdpx_threshold: Codes at or above this probability become codings in the QDPX project.
        top_entities: Organisations and places listed per document in ``corpus.csv``.
        confirmed_entities: List in ``corpus.csv`` only entities a gazetteer or rule made or vouched
            for (:func:`nlp_iom.document.entity_confirmed`).
        recursive: Look for input files in sub-folders too.
        follow_links: Read files that symbolic links in the input folder point to (by default such
            links are skipped and listed in ``errors.jsonl``; linked folders are never searched).
    """

    read: ReadSettings = ReadSettings()
    ner: NerSettings = NerSettings()
    classify: ClassifySettings = ClassifySettings()
    workers: int = 1
    exports: tuple[str, ...] = EXPORT_FORMATS
    timeout: float | None = DEFAULT_TIMEOUT
    qdpx_threshold: float = DEFAULT_QDPX_THRESHOLD
    top_entities: int = 5
    confirmed_entities: bool = False
    recursive: bool = True
    follow_links: bool = False

    def __post_init__(self) -> None:
        for name, kind in (("read", ReadSettings), ("ner", NerSettings), ("classify", ClassifySettings)):
            if not isinstance(getattr(self, name), kind):
                raise ConfigError(name, f"must be a {kind.__name__}, got {type(getattr(self, name)).__name__}")
        if not isinstance(self.workers, int) or not 1 <= self.workers <= MAX_WORKERS:
            raise ConfigError("workers", f"must be an integer from 1 to {MAX_WORKERS}, got {self.workers!r}")
        codebooks = self.classify.codebooks
        if len(set(codebooks)) != len(codebooks):
            raise ConfigError("codebooks", f"a codebook is named twice: {list(codebooks)}")
        unknown = [f for f in self.exports if f not in EXPORT_FORMATS]
        if unknown:
            raise ConfigError("exports", f"unknown format(s) {unknown}; choose from {', '.join(EXPORT_FORMATS)}")
        if self.timeout is not None and not self.timeout > 0:
            raise ConfigError("timeout", f"must be positive seconds or None, got {self.timeout!r}")
        if not 0.0 <= self.qdpx_threshold <= 1.0:
            raise ConfigError("qdpx_threshold", f"must be a probability in [0, 1], got {self.qdpx_threshold!r}")
        if self.top_entities < 0:
            raise ConfigError("top_entities", f"must be zero or more, got {self.top_entities!r}")

    def fingerprint(self) -> dict[str, Any]:
        """The settings that change a document's annotations; a resumed run must use the same ones."""
        return {"codebooks": list(self.classify.codebooks), "zero_shot": self.classify.zero_shot,
                "embedder": self.classify.embedder, "ner_tier": self.ner.tier, "reader": self.read.reader}


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
        manifest: The run's ``run.json`` (:mod:`nlp_iom.batch.manifest`).
        pages: Pages of the PDFs annotated in this run.
        passages: Passages annotated in this run.
        seconds: Wall-clock time of the run.
        redone: Finished-document files of an earlier run that no longer loaded (damaged): they
            were removed and their sources annotated again.
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
    manifest: Path | None = None
    pages: int = 0
    passages: int = 0
    seconds: float = 0.0
    redone: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no file failed."""
        return not self.failed
