"""The Qdrant corpus backend: the same interface as the embedded store, for corpora that outgrow one machine.

Where things live. A corpus that outgrows one machine cannot keep its passages in a local
SQLite file, so with this backend Qdrant is the source of truth for everything but settings:

* ``<collection>_passages``: one point per passage (id = passage id), with a dense vector
  ``dense`` (cosine) and a sparse vector ``bm25``, and a payload holding the passage (text,
  pages, section path, codes, entities) and the filter fields (``language``, ``kind``,
  ``year``, ``coded``: codes with probability >= ``CODE_THRESHOLD``, ``entity_keys``:
  case-folded entity texts and long forms).
* ``<collection>_documents``: one vector-less point per document (id = document id) whose
  payload is the document row (content hash, path, title, authors, year, kind, language,
  ``info``) plus ``first_passage`` and ``passages``. The content-hash skip reads these.
* the corpus folder keeps only ``corpus.sqlite``'s ``meta`` (schema version, embedder,
  backend, Qdrant location or URL, collection prefix; never the API key), so
  ``Corpus.open(folder)`` reopens the same collections.

Atomicity: a document's passages are upserted first (``wait=True``) and its document point
last, so the document point is the commit mark. Passages of a document whose point was never
written (a crash in between) lie at or past the next free passage id; they are deleted when the
corpus opens and overwritten by the next add.

Search: dense and sparse ranking each run in Qdrant with the payload filter (so a filtered
search ranks only passages that pass), and the two rankings are fused client-side by the
same :func:`nlp_iom.corpus.search.rrf` as the embedded store. BM25 is computed client-side as
sparse vectors over the same stemmed tokens as the embedded index: term id = the first 31 bits
of the token's BLAKE2b hash, document weight = the BM25 term-frequency part with a fixed
average length (:data:`AVG_PASSAGE_TOKENS`, since the true average changes as the corpus grows),
query weight 1 per distinct stem, and Qdrant's ``Modifier.IDF`` supplies the IDF. Scores
therefore differ slightly from the embedded bm25s index; rankings agree on the tests.

Qdrant local mode (``qdrant_location`` = a path) persists with pickle in that folder: point it
only at folders you created. Local mode searches by brute force; a server uses HNSW and the
payload indexes this backend creates.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nlp_iom.corpus.bm25 import BM25_B, BM25_K1
from nlp_iom.corpus.columns import year_bounds
from nlp_iom.corpus.info import document_info
from nlp_iom.corpus.schema import CorruptCorpusError, DocumentRow, PassageRow, entity_keys, set_meta
from nlp_iom.corpus.search import CODE_THRESHOLD, Hit, SearchFilters
from nlp_iom.corpus.settings import CorpusSettings
from nlp_iom.corpus.store import QDRANT_META, Corpus
from nlp_iom.document import Document, Passage
from nlp_iom.errors import require

log = logging.getLogger(__name__)

DENSE = "dense"
SPARSE = "bm25"
#: Average passage length in stems assumed by the BM25 length normalisation (body passages of
#: the seed paper and the shared PDFs average 60 to 90 stems).
AVG_PASSAGE_TOKENS = 75.0
#: Points per upsert request and per scroll page.
BATCH = 256
TERM_ID_MASK = 0x7FFFFFFF
KEYWORD_FIELDS = ("language", "kind", "coded", "entity_keys", "content_hash")
INTEGER_FIELDS = ("year", "doc_id")


def term_id(token: str) -> int:
    """Stable 31-bit id of a stem (the same in every process, unlike ``hash``)."""
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=4).digest(), "little") & TERM_ID_MASK


def sparse_document(tokens: Sequence[str]) -> tuple[list[int], list[float]]:
    """BM25 document-side weights: ``tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avg))`` per term id."""
    counts = Counter(term_id(t) for t in tokens)
    norm = BM25_K1 * (1.0 - BM25_B + BM25_B * len(tokens) / AVG_PASSAGE_TOKENS)
    ids = sorted(counts)
    return ids, [counts[i] * (BM25_K1 + 1.0) / (counts[i] + norm) for i in ids]


def qdrant_filter(filters: SearchFilters | None) -> Any:
    """The Qdrant payload filter for ``filters`` (``None`` when nothing is filtered)."""
    from qdrant_client import models

    if filters is None:
        return None
    must: list[Any] = []
    for name in ("language", "kind"):
        value = getattr(filters, name)
        if value is not None:
            wanted = [value] if isinstance(value, str) else list(value)
            must.append(models.FieldCondition(key=name, match=models.MatchAny(any=wanted)))
    if filters.year is not None:
        low, high = year_bounds(filters.year)
        must.append(models.FieldCondition(key="year", range=models.Range(gte=low, lte=high)))
    if filters.code is not None:
        must.append(models.FieldCondition(key="coded", match=models.MatchValue(value=filters.code)))
    if filters.entity is not None:
        must.append(models.FieldCondition(key="entity_keys", match=models.MatchValue(value=filters.entity.casefold())))
    return models.Filter(must=must) if must else None


def _row(payload: dict[str, Any]) -> PassageRow:
    return PassageRow(payload["pid"], payload["doc_id"], payload["ordinal"], payload["text"], payload["language"],
                      list(payload["pages"]), list(payload["section_path"]), dict(payload["codes"]),
                      list(payload["entities"]))


class _QdrantRows(Sequence[PassageRow]):
    """Passages read from Qdrant on demand: by id, or all in id order when iterated."""

    def __init__(self, corpus: QdrantCorpus) -> None:
        self._corpus = corpus

    def __len__(self) -> int:
        return self._corpus.passage_count

    def __getitem__(self, index: int) -> PassageRow:  # type: ignore[override]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._corpus.passages([index])[index]

    def __iter__(self) -> Iterator[PassageRow]:
        yield from self._corpus.scroll_passages()


class QdrantCorpus(Corpus):
    """A corpus whose passages and documents live in Qdrant. Use ``Corpus.open(folder, backend="qdrant")``."""

    def __init__(self, folder: Path, conn: sqlite3.Connection, meta: dict[str, str], embedder: Any,
                 settings: CorpusSettings) -> None:
        super().__init__(folder, embedder, settings)
        QdrantClient = require("qdrant_client", "qdrant").QdrantClient  # noqa: N806

        if settings.qdrant_url:
            self._client = QdrantClient(url=settings.qdrant_url, api_key=settings.api_key)
            self._where = settings.qdrant_url
        else:
            location = settings.qdrant_location or str(folder / "qdrant")
            self._client = (QdrantClient(location=":memory:") if location == ":memory:"
                            else QdrantClient(path=str(Path(location).resolve())))
            self._where = location
            settings = settings.with_overrides(qdrant_location=location if location == ":memory:"
                                               else str(Path(location).resolve()))
            self.settings = settings
        for key in QDRANT_META:
            value = getattr(settings, key)
            if value:
                set_meta(conn, key, str(value))
        conn.close()
        self._passages_name = f"{settings.collection}_passages"
        self._documents_name = f"{settings.collection}_documents"
        self._next_pid = 0
        self._load()

    def _load(self) -> None:
        from qdrant_client import models

        if not self._client.collection_exists(self._documents_name):
            self._client.create_collection(self._documents_name, vectors_config={})
            if self.settings.qdrant_url:
                self._client.create_payload_index(self._documents_name, "content_hash",
                                                  models.PayloadSchemaType.KEYWORD)
        self.documents, self._hashes = {}, set()
        offset = None
        while True:
            records, offset = self._client.scroll(self._documents_name, limit=BATCH, offset=offset, with_payload=True)
            for record in records:
                p = record.payload or {}
                try:
                    row = DocumentRow(int(record.id), p["content_hash"], p.get("path"), p.get("title"),
                                      list(p.get("authors") or []), p.get("year"), p.get("kind") or "unknown",
                                      p.get("language"), dict(p.get("info") or {}))
                    self._next_pid = max(self._next_pid, int(p["first_passage"]) + int(p["passages"]))
                except (KeyError, TypeError, ValueError) as exc:
                    raise CorruptCorpusError(self._where, f"document point {record.id} of {self._documents_name} "
                                                          f"is malformed: {exc}") from exc
                self.documents[row.id] = row
                self._hashes.add(row.content_hash)
            if offset is None:
                break
        if self._client.collection_exists(self._passages_name):
            self._drop_uncommitted()

    def _drop_uncommitted(self) -> None:
        """Delete passages at or past the next free id: written by an add whose document point never came."""
        from qdrant_client import models

        orphans = models.Filter(must=[models.FieldCondition(key="pid", range=models.Range(gte=self._next_pid))])
        if self._client.count(self._passages_name, count_filter=orphans, exact=True).count:
            log.warning("corpus %s: deleting passages of an unfinished add from %s", self._where, self._passages_name)
            self._client.delete(self._passages_name, points_selector=models.FilterSelector(filter=orphans), wait=True)

    def _ensure_passages(self, dim: int) -> None:
        from qdrant_client import models

        if self._client.collection_exists(self._passages_name):
            return
        self._client.create_collection(
            self._passages_name,
            vectors_config={DENSE: models.VectorParams(size=dim, distance=models.Distance.COSINE)},
            sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)})
        if self.settings.qdrant_url:  # local mode has no payload indexes (it scans)
            for name in KEYWORD_FIELDS[:-1]:
                self._client.create_payload_index(self._passages_name, name, models.PayloadSchemaType.KEYWORD)
            for name in (*INTEGER_FIELDS, "pid"):
                self._client.create_payload_index(self._passages_name, name, models.PayloadSchemaType.INTEGER)

    # -- properties ------------------------------------------------------
    @property
    def passage_count(self) -> int:
        return self._next_pid

    @property
    def passage_rows(self) -> Sequence[PassageRow]:
        return _QdrantRows(self)

    def close(self) -> None:
        self._client.close()

    def has_hash(self, content_hash: str) -> bool:
        return content_hash in self._hashes

    # -- adding ----------------------------------------------------------
    def _store(self, doc: Document, content_hash: str, path: str | None, passages: list[Passage],
               vectors: np.ndarray, tokens: list[list[str]]) -> None:
        from qdrant_client import models

        meta = doc.metadata
        doc_id = max(self.documents, default=0) + 1
        first = self._next_pid
        kind = meta.kind or "unknown"
        row = DocumentRow(doc_id, content_hash, path, meta.title, [a.name for a in meta.authors], meta.year, kind,
                          meta.language, document_info(doc))
        points = []
        for n, p in enumerate(passages):
            ids, values = sparse_document(tokens[n])
            entities = [e.to_dict() for e in p.entities]
            payload = {"pid": first + n, "doc_id": doc_id, "ordinal": n, "text": p.text, "language": p.language,
                       "pages": list(p.pages), "section_path": list(p.section_path), "codes": dict(p.codes),
                       "entities": entities, "kind": kind,
                       "coded": [c for c, v in p.codes.items() if v >= CODE_THRESHOLD],
                       "entity_keys": entity_keys(entities)}
            if meta.year is not None:
                payload["year"] = meta.year
            vector: dict[str, Any] = {DENSE: vectors[n].tolist()}
            if ids:
                vector[SPARSE] = models.SparseVector(indices=ids, values=values)
            points.append(models.PointStruct(id=first + n, vector=vector, payload=payload))
        try:
            if points:
                self._ensure_passages(int(vectors.shape[1]))
                for start in range(0, len(points), BATCH):
                    self._client.upsert(self._passages_name, points=points[start: start + BATCH], wait=True)
            doc_payload = {"content_hash": content_hash, "path": path, "title": row.title, "authors": row.authors,
                           "year": row.year, "kind": kind, "language": row.language, "info": row.info,
                           "first_passage": first, "passages": len(passages)}
            self._client.upsert(self._documents_name, wait=True,
                                points=[models.PointStruct(id=doc_id, vector={}, payload=doc_payload)])
        except BaseException:
            if points and self._client.collection_exists(self._passages_name):
                self._drop_uncommitted()
            raise
        self.documents[doc_id] = row
        self._hashes.add(content_hash)
        self._next_pid = first + len(passages)

    # -- searching -------------------------------------------------------
    def _query(self, query: Any, using: str, filters: SearchFilters | None, limit: int) -> list[tuple[int, float]]:
        if not self._client.collection_exists(self._passages_name):
            return []
        result = self._client.query_points(self._passages_name, query=query, using=using,
                                           query_filter=qdrant_filter(filters), limit=limit, with_payload=False)
        return [(int(p.id), float(p.score)) for p in result.points]

    def dense_ranking(self, query_vector: np.ndarray, filters: SearchFilters | None,
                      limit: int) -> list[tuple[int, float]]:
        return self._query(np.asarray(query_vector, dtype=np.float32).tolist(), DENSE, filters, limit)

    def keyword_ranking(self, tokens: list[str], filters: SearchFilters | None,
                        limit: int) -> list[tuple[int, float]]:
        from qdrant_client import models

        ids = sorted({term_id(t) for t in tokens})
        if not ids:
            return []
        query = models.SparseVector(indices=ids, values=[1.0] * len(ids))
        return [(pid, score) for pid, score in self._query(query, SPARSE, filters, limit) if score > 0]

    def passage_vectors(self, ids: list[int]) -> np.ndarray:
        records = {int(r.id): r for r in self._client.retrieve(self._passages_name, ids=ids, with_vectors=[DENSE])}
        return np.asarray([records[i].vector[DENSE] for i in ids], dtype=np.float32)

    def passages(self, ids: list[int]) -> dict[int, PassageRow]:
        """The stored passages with these ids."""
        records = self._client.retrieve(self._passages_name, ids=ids, with_payload=True)
        return {int(r.id): _row(r.payload or {}) for r in records}

    def scroll_passages(self) -> Iterator[PassageRow]:
        """Every stored passage, in id order, read page by page."""
        if not self._client.collection_exists(self._passages_name):
            return
        offset = None
        while True:
            records, offset = self._client.scroll(self._passages_name, limit=BATCH, offset=offset, with_payload=True)
            yield from (_row(r.payload or {}) for r in records if int(r.id) < self._next_pid)
            if offset is None:
                return

    def hits(self, scored: list[tuple[int, float]]) -> list[Hit]:
        rows = self.passages([pid for pid, _ in scored]) if scored else {}
        return [self._hit(rows[pid], score) for pid, score in scored]
