"""The plain-text parts of a report shared by the Markdown and HTML renderers: method note and headings.

Texts here are plain (no markup); each renderer escapes them for its format.
"""

from __future__ import annotations

from nlp_iom.review.findings import AIM_PENALTY, FALLBACK_PASSAGES, RESULT_BONUS
from nlp_iom.review.model import Review, TableRow
from nlp_iom.review.table import SCOPE_ABSTRACT, SCOPE_FULL_TEXT, SCOPE_METHOD_SECTION

TITLE = "Literature review"
TABLE_TITLE = "Literature table (Ringkasan Kajian Pustaka)"
HEATMAP_TITLE = "Haas functions and INGO roles by document"
EVIDENCE_TITLE = "Strongest evidence per code"
ENTITIES_TITLE = "Organisations and places most mentioned"
HITS_TITLE = "Passages most relevant to the question"
METHOD_TITLE = "How this report was made"
AGREEMENT_TITLE = "Agreement between people and the machine"
TABLE_HEADERS = ("No", "Author", "Year", "Title", "Language", "Theory / framework", "Method", "Main findings",
                 "Relevance")
ENTITY_HEADERS = ("Name", "Acronym", "Label", "Subtype", "Mentions", "Documents")
#: Explicitly mentioned theories listed per document (the most mentioned; the rest are counted).
SHOWN_THEORIES = 5
NONE_FOUND = "none found"
NO_CODES = ("No passage in this corpus carries classifier codes: its documents were added without the "
            "classifier (corpus.add(..., classify=True)). The heatmap, the code evidence and the classifier "
            "profiles are empty; the literature table, the entities and the search results are complete.")


def summary_line(review: Review) -> str:
    """One line on what the review covers."""
    passages = sum(doc.passages for doc in review.documents)
    return (f"{len(review.documents)} documents, {passages} body passages, corpus {review.corpus}, "
            f"made {review.created}.")


def theory_cell(row: TableRow) -> str:
    """The theory/framework column as plain text: explicit mentions, then the classifier profile."""
    parts = []
    if row.theories:
        more = len(row.theories) - SHOWN_THEORIES
        parts.append("Explicit: " + "; ".join(row.theories[:SHOWN_THEORIES])
                     + (f"; {more} more, mentioned as often or less" if more > 0 else ""))
    if row.code_profile:
        parts.append("Classifier profile: " + ", ".join(f"{label} {share:.0%}" for label, share in row.code_profile))
    return ". ".join(parts) if parts else NONE_FOUND


def method_cell(row: TableRow) -> str:
    """The method column as plain text, with the scope the cues were found in."""
    if not row.methods:
        return NONE_FOUND
    return f"{', '.join(row.methods)} [{row.method_scope}]"


def relevance_cell(row: TableRow) -> str:
    """The relevance column as plain text: label and score."""
    return row.relevance_label if row.relevance is None else f"{row.relevance_label} ({row.relevance:.3f})"


def findings_cell(row: TableRow) -> str:
    """The main-findings column as plain text: each quoted sentence with its source."""
    return " ".join(f"“{f.text}” ({f.source})" for f in row.findings) or NONE_FOUND


def method_note(review: Review) -> list[str]:
    """Paragraphs saying how every column and list of the report was derived."""
    s = review.settings
    codebooks = ", ".join(s.codebooks)
    return [
        ("Author, year, title and language are the document metadata stored in the corpus (as extracted "
        "from the source files; nothing is corrected by hand)."),
        ("Theory / framework: 'Explicit' lists theories and frameworks whose cue phrases (English and "
        "Indonesian, in nlp_iom/review/theories.yaml) occur in the document's abstracts, keywords, section "
        "titles and stored passages, with the number of matches and the phrases as written. A mention is not "
        "proof of use: a theory cited in a literature review is counted too. 'Classifier profile' is the "
        f"share of the document's body passages the passage classifier ({codebooks} codebooks) gave each "
        f"code at probability >= {s.code_threshold:.2f}, the most frequent codes first."),
        (f"Method: method cue phrases counted in the first scope with any match: the abstracts "
        f"[{SCOPE_ABSTRACT}], then passages of a section titled like a method section [{SCOPE_METHOD_SECTION}], "
        f"then all stored text [{SCOPE_FULL_TEXT}]; the scope is given in brackets."),
        ("Main findings are extractive: the document's own sentences, taken from its abstracts and conclusion "
        f"(or, without either, from its {FALLBACK_PASSAGES} passages most similar to the question), ranked by "
        f"the cosine similarity of their e5 embedding to the question, +{RESULT_BONUS} for a sentence stating a "
        f"result (found, shows, menunjukkan...) and -{AIM_PENALTY} for one stating only an aim or method; the "
        f"best {s.findings_per_document} are shown in document order."),
        ("Relevance: the mean cosine similarity of the question to the document's best passages (vector search "
        f"over the corpus, grouped by document); 'high' from {s.relevance_high:.2f}, 'medium' from "
        f"{s.relevance_medium:.2f}, 'low' below, 'n/a' for a document with no stored text. The thresholds were "
        "set on this project's corpus (on-topic documents 0.86-0.90, unrelated questions below 0.80)."),
        (f"Heatmap: rows are documents, columns the codes grouped as Haas input, Haas output and INGO role; a "
        f"cell is the share of the document's body passages with the code at probability >= "
        f"{s.code_threshold:.2f}. A grey row is a document without stored body passages (e.g. front matter only)."),
        (f"Evidence per code: the passages with the highest probability for the code, at most "
        f"{s.evidence_per_document} per document. Citations give the page where the source has pages, else "
        "the section (marked §)."),
        ("Organisations and places: entity mentions in the stored passages, counted over all documents; an "
        "acronym and its long form (as linked by the entity recogniser) count as one organisation, and places "
        "of one Indonesian administrative region as one place."),
        (f"Relevant passages: the corpus search ({s.search_mode}; hybrid = vector and BM25 ranks fused by "
        f"reciprocal rank fusion, each keyword hit weighted by how much of the question it covers; both sides "
        f"widened across Indonesian and English by a glossary of the field) for the question, top "
        f"{s.top_passages}; a passage found in several documents is shown once. The score shown is the search "
        f"score."),
    ]
