"""Corpus store and hybrid search: ``Corpus.open(folder)``, ``corpus.add(paths)``, ``corpus.search(query)``."""

from nlp_iom.corpus.search import Hit, SearchFilters
from nlp_iom.corpus.store import AddReport, Corpus, CorruptCorpusError

__all__ = ["AddReport", "Corpus", "CorruptCorpusError", "Hit", "SearchFilters"]
