"""The review as Markdown (``report.md``), every piece of document text escaped.

Document text is untrusted: it is escaped so that it can neither break a table (``|``, newlines)
nor inject markup or HTML when the file is rendered (``<``, ``>``, ``*``, ``_``, `` ` ``, ``[``, ``]``,
``#``...).
"""

from __future__ import annotations

import re

from nlp_iom.review import narrative as nv
from nlp_iom.review.model import EntityCount, Quote, Review

_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
#: A character that starts a block (heading, list) when it begins a line.
_BLOCK_START = re.compile(r"^([#+\-=])")
#: An ordered-list start ("1." or "1)") at the beginning of a line.
_ORDERED_START = re.compile(r"^(\d+)([.)])")
#: Characters shown before the rest of a long title in the table.
TITLE_CHARS = 160


def md_escape(text: str) -> str:
    """Escape ``text`` for a Markdown paragraph or table cell: one line, markup characters escaped."""
    text = " ".join(str(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIAL.sub(r"\\\1", text)
    text = _BLOCK_START.sub(r"\\\1", text)
    return _ORDERED_START.sub(r"\1\\\2", text)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(headers: tuple[str, ...], rows: list[list[str]]) -> list[str]:
    return [_row(list(headers)), _row(["---"] * len(headers))] + [_row(r) for r in rows]


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def literature_table(review: Review) -> list[str]:
    """The literature table as Markdown lines."""
    rows = []
    for n, row in enumerate(review.table, start=1):
        doc = row.doc
        cells = ["; ".join(doc.authors) or "–", str(doc.year or "n.d."), _clip(doc.title, TITLE_CHARS), doc.language,
                 nv.theory_cell(row), nv.method_cell(row), nv.findings_cell(row), nv.relevance_cell(row)]
        rows.append([str(n)] + [md_escape(cell) for cell in cells])
    return _table(nv.TABLE_HEADERS, rows)


def quote_lines(quote: Quote, score_name: str) -> list[str]:
    """A quoted passage: the text as a block quote, then its citation and score."""
    return [f"> {md_escape(quote.text)}", ">", f"> — {md_escape(quote.citation)} · {score_name} {quote.score:.3f}",
            ""]


def _entity_table(counts: list[EntityCount]) -> list[str]:
    if not counts:
        return ["None found.", ""]
    rows = [[md_escape(c.name), md_escape(c.acronym or "–"), c.label, md_escape(", ".join(c.subtypes) or "–"),
             str(c.mentions), str(c.documents)] for c in counts]
    return _table(nv.ENTITY_HEADERS, rows) + [""]


def agreement_lines(review: Review) -> list[str]:
    """The person–machine agreement table, when the review was given corrections."""
    if not review.agreement:
        return []
    rows = [[md_escape(r["code"]), str(r["passages"]), str(r["both"]), str(r["first_only"]), str(r["second_only"]),
             str(r["neither"]), f"{r['kappa']:.3f}", f"{r['alpha']:.3f}"] for r in review.agreement]
    return [f"## {nv.AGREEMENT_TITLE}", "", md_escape(review.agreement_note), ""] + _table(
        ("code", "passages", "both", "machine only", "person only", "neither", "κ", "α"), rows) + [""]


def render_markdown(review: Review, heatmap_name: str = "heatmap.png") -> str:
    """The whole report as Markdown.

    Args:
        review: From :func:`nlp_iom.review.api.build_review`.
        heatmap_name: File name of the heatmap image, next to the Markdown file.
    """
    out = [f"# {nv.TITLE}", "", f"**Research question:** {md_escape(review.question)}", "",
           md_escape(nv.summary_line(review)), ""]
    out += [f"> **Note:** {md_escape(note)}" for note in review.notes]
    if review.notes:
        out.append("")
    out += [f"## 1. {nv.TABLE_TITLE}", ""] + literature_table(review) + [""]
    out += [f"## 2. {nv.HEATMAP_TITLE}", "", f"![{nv.HEATMAP_TITLE}]({heatmap_name})", ""]
    out += [f"## 3. {nv.HITS_TITLE}", ""]
    if not review.hits:
        out += ["No passage matched.", ""]
    for n, quote in enumerate(review.hits, start=1):
        out += [f"**{n}.**", ""] + quote_lines(quote, "score")
    out += [f"## 4. {nv.EVIDENCE_TITLE}", ""]
    if not review.has_codes:
        out += [md_escape(nv.NO_CODES), ""]
    for column in review.columns:
        quotes = review.evidence.get(column.key, [])
        out += [f"### {md_escape(column.group)}: {md_escape(column.label)}", ""]
        if not quotes:
            out += ["No passage has this code.", ""]
        for quote in quotes:
            out += quote_lines(quote, "p")
    out += [f"## 5. {nv.ENTITIES_TITLE}", "", "### Organisations", ""] + _entity_table(review.organisations)
    out += ["### Places", ""] + _entity_table(review.places)
    out += agreement_lines(review)
    out += [f"## 6. {nv.METHOD_TITLE}", ""]
    for paragraph in nv.method_note(review):
        out += [md_escape(paragraph), ""]
    return "\n".join(out).rstrip() + "\n"
