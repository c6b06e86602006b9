"""Literature review of a corpus for a research question: a table, a heatmap, evidence and entities.

``build_review(question, corpus, settings)`` gathers a :class:`Review`; ``write_review(review, out_dir)``
writes ``report.md``, a self-contained ``report.html`` and ``heatmap.png`` into ``out_dir``.
"""

from nlp_iom.review.api import HEATMAP_PNG, REPORT_HTML, REPORT_MD, ReviewFiles, build_review, write_review
from nlp_iom.review.model import Review
from nlp_iom.review.settings import ReviewSettings

__all__ = ["HEATMAP_PNG", "REPORT_HTML", "REPORT_MD", "Review", "ReviewFiles", "ReviewSettings", "build_review",
           "write_review"]
