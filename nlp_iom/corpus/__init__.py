"""Corpus store and hybrid search: ``Corpus.open(folder)``, ``corpus.add(paths)``, ``corpus.search(query)``.

Backends: ``"embedded"`` (default; SQLite, vector file, FAISS, bm25s in the folder) and
``"qdrant"`` (Qdrant local mode or a server); see :mod:`nlp_iom.corpus.store`.
"""

from nlp_iom.corpus.schema import CorruptCorpusError, DocumentRow, PassageRow
from nlp_iom.corpus.search import FusionSettings, Hit, SearchFilters
from nlp_iom.corpus.settings import CorpusSettings
from nlp_iom.corpus.store import AddReport, Corpus

__all__ = ["AddReport", "Corpus", "CorpusSettings", "CorruptCorpusError", "DocumentRow", "FusionSettings", "Hit", "PassageRow",
           "SearchFilters"]
