"""The corpus store: ``Corpus.open(folder)``, ``corpus.add(paths)``, ``corpus.search(query)``.

:class:`Corpus` is the interface; :meth:`Corpus.open` returns one of its two backends:

* ``backend="embedded"`` (default, no server; :class:`nlp_iom.corpus.embedded.EmbeddedCorpus`):
  everything in the folder: SQLite for documents, passages, codes and entities (the source of
  truth), an append-only vector file, a FAISS HNSW index for large corpora and a bm25s index.
* ``backend="qdrant"`` (:class:`nlp_iom.corpus.qdrant.QdrantCorpus`): passages, their dense and
  BM25-sparse vectors and payloads, and the document records, in Qdrant collections (local mode
  with a path or ``":memory:"``, or a server/cluster URL with an API key). The folder keeps only
  its settings in ``corpus.sqlite``'s meta table.

Both store each document atomically, skip a document whose content hash is stored, and
search the same way: each ranks by cosine and by BM25 over the passages that pass the filters,
and :func:`nlp_iom.corpus.search.run_search` fuses the two rankings by reciprocal rank fusion.
"""

from __future__ import annotations

import abc
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import numpy as np

from nlp_iom.corpus.bm25 import tokenize
from nlp_iom.corpus.info import document_hash
from nlp_iom.corpus.open import backend_class
from nlp_iom.corpus.schema import (
    DB_NAME,
    META_BACKEND,
    META_EMBEDDER,
    CorruptCorpusError,
    DocumentRow,
    PassageRow,
    open_db,
    set_meta,
)
from nlp_iom.corpus.search import DEFAULT_FUSION, FusionSettings, Hit, SearchFilters, run_search
from nlp_iom.corpus.settings import (
    BACKEND_ENV,
    DEFAULT_COLLECTION,
    QDRANT_LOCATION_ENV,
    QDRANT_URL_ENV,
    CorpusSettings,
)
from nlp_iom.document import Document, Passage
from nlp_iom.embed.registry import LazyEmbedder
from nlp_iom.errors import ConfigError, CorpusRefusedError, NlpIomError, printable_path
from nlp_iom.hashing import file_sha256

log = logging.getLogger(__name__)

__all__ = ["DB_NAME", "AddReport", "Corpus", "CorruptCorpusError", "DocumentRow", "PassageRow", "document_hash"]

DEFAULT_EMBEDDER = "e5-small"
#: Meta keys under which a Qdrant-backed folder records where its data lives (never the API key).
QDRANT_META = ("qdrant_location", "qdrant_url", "collection")


@dataclass
class AddReport:
    """What :meth:`Corpus.add` did: sources added, skipped as duplicates, and failed with cause.

    ``passages`` gives, per added source, how many body passages were indexed; ``empty`` lists the
    added sources that gave none (nothing to search or code; a warning is logged for each).
    """

    added: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    passages: dict[str, int] = field(default_factory=dict)
    empty: list[str] = field(default_factory=list)

    def record(self, name: str, indexed: int | None) -> None:
        """Note one source: ``indexed`` passages, or None when its content was already stored."""
        if indexed is None:
            self.skipped.append(name)
            return
        self.added.append(name)
        self.passages[name] = indexed
        if indexed == 0:
            self.empty.append(name)
            log.warning("%s: no body passage to index (front matter, references or empty text only)", name)


def _embedder_name(embedder: Any) -> str:
    return embedder if isinstance(embedder, str) else embedder.name


def _resolve_settings(folder: Path, meta: dict[str, str], settings: CorpusSettings | None,
                      overrides: dict[str, Any]) -> CorpusSettings:
    """The settings to open with: the caller's (arguments, else the environment the user set).

    A folder's metadata only confirms them. It never chooses the Qdrant backend, a Qdrant location
    (local mode unpickles what it finds there) or a server URL (which would receive the user's API
    key): a folder that records one the caller did not give is refused.

    Raises:
        CorpusRefusedError: The folder asks for a backend or a Qdrant place the caller did not choose.
        ConfigError: The caller's backend differs from the folder's.
    """
    chosen = (settings or CorpusSettings.from_env()).with_overrides(**overrides)
    stored_backend = meta.get(META_BACKEND)
    if stored_backend == "qdrant" and chosen.backend != "qdrant":
        raise CorpusRefusedError(folder, "its metadata names a Qdrant backend, which only the caller may choose: "
                                         "open it with backend='qdrant' and its qdrant_location or qdrant_url "
                                         f"(or set ${BACKEND_ENV}=qdrant and ${QDRANT_URL_ENV} or "
                                         f"${QDRANT_LOCATION_ENV})")
    if stored_backend and stored_backend != chosen.backend:
        raise ConfigError("backend", f"corpus {folder} uses the {stored_backend!r} backend, not {chosen.backend!r}")
    if chosen.backend == "qdrant" and chosen.qdrant_url is None and chosen.qdrant_location is None:
        default = str((folder / "qdrant").resolve())
        recorded = meta.get("qdrant_url") or meta.get("qdrant_location")
        if recorded and recorded != default:
            raise CorpusRefusedError(folder, f"its metadata points at Qdrant data in {recorded!r}; pass that "
                                             "qdrant_url or qdrant_location yourself to open it")
    if chosen.collection == DEFAULT_COLLECTION and meta.get("collection"):
        chosen = chosen.with_overrides(collection=meta["collection"])  # a name, not a place: safe to take
    return chosen


class Corpus(abc.ABC):
    """A searchable store of documents and their passages. Use :meth:`open`.

    Attributes:
        folder: The corpus folder.
        settings: Backend and index settings.
        documents: Stored documents by id.
    """

    def __init__(self, folder: Path, embedder: Any, settings: CorpusSettings) -> None:
        self.folder = folder
        self.settings = settings
        self._embedder_spec = embedder
        self._embedder: Any = None if isinstance(embedder, str) else embedder
        self.documents: dict[int, DocumentRow] = {}

    # -- opening ---------------------------------------------------------
    @classmethod
    def open(cls, folder: str | Path, embedder: Any = DEFAULT_EMBEDDER, settings: CorpusSettings | None = None,
             **overrides: Any) -> Corpus:
        """Open the corpus in ``folder``, creating it if needed.

        Args:
            folder: The corpus folder.
            embedder: An embedder spec for :func:`nlp_iom.embed.registry.get_embedder`
                (loaded on first use) or an Embedder object.
            settings: Backend and index settings (default: the embedded backend, or what the user
                set in ``$NLP_IOM_CORPUS_BACKEND``, ``$NLP_IOM_QDRANT_URL`` or
                ``$NLP_IOM_QDRANT_LOCATION``; the folder's own record only confirms them).
            **overrides: Fields of :class:`~nlp_iom.corpus.settings.CorpusSettings`, e.g.
                ``backend="qdrant", qdrant_location=":memory:"`` or ``qdrant_url=...``.

        Raises:
            SchemaVersionError: The folder was written by a newer corpus schema.
            ConfigError: Bad settings, or the folder was built with another embedder or backend.
            CorpusRefusedError: The folder records a Qdrant backend or place the caller did not give.
            CorruptCorpusError: The store's source of truth is damaged beyond repair.
        """
        folder = Path(folder)
        if folder.exists() and not folder.is_dir():
            raise ConfigError("folder", f"{folder} exists and is not a folder")
        folder.mkdir(parents=True, exist_ok=True)
        name = _embedder_name(embedder)
        conn, meta, _ = open_db(folder, name)
        try:
            chosen = _resolve_settings(folder, meta, settings, overrides)
            if meta.get(META_EMBEDDER, name) != name:
                raise ConfigError("embedder", f"corpus {folder} was built with {meta[META_EMBEDDER]!r}, not {name!r}")
            if META_BACKEND not in meta:
                if chosen.backend != "embedded" and conn.execute("SELECT 1 FROM documents LIMIT 1").fetchone():
                    raise ConfigError("backend", f"corpus {folder} holds documents in the embedded store; "
                                                 f"it cannot be opened as {chosen.backend!r}")
                set_meta(conn, META_BACKEND, chosen.backend)
            return backend_class(chosen.backend)(folder, conn, meta, embedder, chosen)
        except BaseException:
            conn.close()
            raise

    # -- properties ------------------------------------------------------
    #: The embedder, loaded from the spec on first use.
    embedder = LazyEmbedder()

    @property
    @abc.abstractmethod
    def passage_count(self) -> int:
        """Number of stored passages (ids run from 0 to this minus one)."""

    @property
    @abc.abstractmethod
    def passage_rows(self) -> Sequence[PassageRow]:
        """Every stored passage, indexable by passage id (read in full on first use)."""

    def __len__(self) -> int:
        return len(self.documents)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @abc.abstractmethod
    def close(self) -> None:
        """Release files and connections."""

    @abc.abstractmethod
    def has_hash(self, content_hash: str) -> bool:
        """Whether a document with this content hash is stored."""

    # -- adding ----------------------------------------------------------
    def add(self, paths: str | Path | Iterable[str | Path], annotate: bool = False,
            classify: bool = False, timeout: float | None = None, follow_links: bool = False) -> AddReport:
        """Read, embed and store files; folders are searched for readable files.

        Args:
            paths: Files or folders.
            annotate: Run named-entity recognition on each document first.
            classify: Run the passage classifier on each document first.
            timeout: Seconds allowed to read one file (in a child process that is stopped after
                that, so a PDF that hangs the parser fails with ``ExtractionTimeoutError``);
                None reads in this process without a limit.
            follow_links: Read the files that symbolic links inside a given folder point to (by
                default they are skipped and listed as failed; a file named directly is read).

        Returns:
            Which files were added, skipped (already stored) and failed (with the cause).
            A failed file does not stop the batch. Derived indexes are saved once, at the end.
        """
        from nlp_iom.reader import SUPPORTED_SUFFIXES, read, read_with_timeout

        items = [paths] if isinstance(paths, (str, Path)) else list(paths)
        files: list[Path] = []
        report = AddReport()
        for item in map(Path, items):
            if not item.is_dir():
                files.append(item)
                continue
            for path in sorted(p for p in item.rglob("*") if p.suffix.lower() in SUPPORTED_SUFFIXES):
                if path.is_symlink() and not follow_links:  # a link inside a folder may lead anywhere
                    report.failed[printable_path(path)] = "a symbolic link: skipped (follow_links=True reads it)"
                elif path.is_file():
                    files.append(path)
        try:
            for path in files:
                name = printable_path(path)
                try:
                    content_hash = file_sha256(path) if path.is_file() else None
                    if content_hash and self.has_hash(content_hash):
                        report.skipped.append(name)
                        continue
                    doc = read(path) if timeout is None else read_with_timeout(path, timeout)
                    if annotate:
                        from nlp_iom.ner.annotate import annotate as run_ner

                        run_ner(doc)
                    if classify:
                        from nlp_iom.coding.api import classify as run_classifier

                        run_classifier(doc)
                    report.record(name, self._add_one(doc, content_hash or document_hash(doc), name))
                except (NlpIomError, OSError) as exc:
                    report.failed[name] = str(exc)
        finally:
            self._flush()
            self._write_manifest()
        return report

    def _write_manifest(self) -> None:
        from nlp_iom.corpus.manifest import write_corpus_manifest

        try:
            write_corpus_manifest(self)
        except OSError as exc:  # a read-only folder still searches; the manifest is a record, not the data
            log.warning("corpus %s: run.json not written (%s)", self.folder, exc)

    def add_documents(self, docs: Iterable[Document]) -> AddReport:
        """Store already-processed Documents (for instance annotated and classified ones).

        The content hash is that of the source file when it exists, else of the text.
        """
        report = AddReport()
        try:
            for i, doc in enumerate(docs):
                name = doc.metadata.source or doc.metadata.title or f"document {i}"
                try:
                    report.record(name, self._add_one(doc, document_hash(doc), doc.metadata.source))
                except (NlpIomError, OSError) as exc:
                    report.failed[name] = str(exc)
        finally:
            self._flush()
            self._write_manifest()
        return report

    def _add_one(self, doc: Document, content_hash: str, path: str | None) -> int | None:
        """Embed and store one document atomically; return its indexed passages, None when its hash is stored."""
        if self.has_hash(content_hash):
            return None
        passages = [p for p in doc.body_passages() if p.text.strip()]
        vectors = (np.asarray(self.embedder.encode_passages([p.text for p in passages]), dtype=np.float32)
                   if passages else np.zeros((0, 0), dtype=np.float32))
        tokens = [tokenize(p.text, p.language) for p in passages]
        self._store(doc, content_hash, path, passages, vectors, tokens)
        return len(passages)

    @abc.abstractmethod
    def _store(self, doc: Document, content_hash: str, path: str | None, passages: list[Passage],
               vectors: np.ndarray, tokens: list[list[str]]) -> None:
        """Write one document, its passages, vectors and tokens atomically."""

    def _flush(self) -> None:
        """Save derived indexes after an add batch (a no-op where there are none)."""

    # -- searching -------------------------------------------------------
    @abc.abstractmethod
    def dense_ranking(self, query_vector: np.ndarray, filters: SearchFilters | None,
                      limit: int) -> list[tuple[int, float]]:
        """Best ``limit`` ``(passage id, cosine)`` among passages that pass ``filters``, best first."""

    @abc.abstractmethod
    def keyword_ranking(self, tokens: list[str], filters: SearchFilters | None,
                        limit: int) -> list[tuple[int, float]]:
        """Best ``limit`` ``(passage id, BM25)`` with a positive score among passages that pass ``filters``."""

    @abc.abstractmethod
    def passages(self, ids: list[int]) -> dict[int, PassageRow]:
        """The stored passages with these ids."""

    @abc.abstractmethod
    def passage_vectors(self, ids: list[int]) -> np.ndarray:
        """The stored unit vectors of these passages, one row each, in the given order."""

    @abc.abstractmethod
    def hits(self, scored: list[tuple[int, float]]) -> list[Hit]:
        """The :class:`Hit` of each ``(passage id, score)``, in the given order."""

    def hit(self, passage_id: int, score: float) -> Hit:
        """Build the :class:`Hit` for one stored passage."""
        return self.hits([(passage_id, score)])[0]

    def _hit(self, row: PassageRow, score: float) -> Hit:
        doc = self.documents[row.doc_id]
        return Hit(passage_id=row.id, text=row.text, score=float(score), title=doc.title, authors=list(doc.authors),
                   year=doc.year, pages=list(row.pages), section=row.section_path[-1] if row.section_path else "",
                   section_path=list(row.section_path), language=row.language, kind=doc.kind, path=doc.path,
                   doc_id=doc.id, codes=dict(row.codes), entities=list(row.entities))

    def search(self, query: str, top_k: int = 10, filters: SearchFilters | None = None,
               mode: str = "hybrid", fusion: FusionSettings | None = None, collapse: bool = True) -> list[Hit]:
        """Search the stored passages.

        Args:
            query: The query, in Indonesian or English (e5 is multilingual).
            top_k: How many hits to return (1 to 1000).
            filters: Restrictions applied before ranking.
            mode: ``"hybrid"`` (vector and BM25 fused by weighted reciprocal rank fusion),
                ``"vector"`` or ``"bm25"`` (both widened across languages by the glossary).
            fusion: How the hybrid mode fuses (default: the weights fitted on the search gold).
            collapse: Return a passage found in several documents once, the others listed in
                :attr:`Hit.also_in` (near-duplicates, :mod:`nlp_iom.corpus.duplicates`).

        Returns:
            Hits, best first.

        Raises:
            ConfigError: Empty or over-long query, bad ``top_k``, ``mode`` or filter.
        """
        return run_search(self, query, top_k=top_k, filters=filters, mode=mode, fusion=fusion or DEFAULT_FUSION,
                          collapse=collapse)
