"""The ``nlp-iom`` command line: one typer app, each command a thin wrapper over a tested function.

* :mod:`nlp_iom.cli.documents`: ``extract``, ``ner``, ``classify``;
* :mod:`nlp_iom.cli.corpus`: ``annotate``, ``index add``, ``search``, ``review``;
* :mod:`nlp_iom.cli.review_loop`: ``corrections import``, ``corrections import-table``, ``agreement``, ``review-queue``;
* :mod:`nlp_iom.cli.tools`: ``train``, ``evaluate``, ``build`` and ``gold`` (models, scores, cached assets
  and the gold corpora's pools, checks and agreement).
"""

from __future__ import annotations

from nlp_iom.cli import corpus, documents, review_loop, tools  # noqa: F401 (the modules register their commands)
from nlp_iom.cli.app import app
from nlp_iom.cli.corpus import cite, parse_year, search_corpus
from nlp_iom.cli.documents import classify_files, extract_files, ner_files

__all__ = ["app", "cite", "classify_files", "extract_files", "ner_files", "parse_year", "search_corpus"]
