"""The review as one self-contained HTML page (``report.html``).

Inline CSS, the heatmap embedded as a base64 ``data:`` URI, no script and no external resource
(a Content-Security-Policy forbids loading any). Every piece of document text is escaped with
:func:`html.escape`.

Passages show their entities displaCy-style, as ``spacy.displacy.render(..., style="ent", manual=True)``
would: each entity a ``<mark>`` with a coloured background and its label after it. The marks are
made here rather than by displaCy so that overlapping or out-of-range offsets (from an untrusted
corpus file) are dropped instead of garbling the page, labels are sanitised too, and the colours
come from the page's own stylesheet.
"""

from __future__ import annotations

import base64
import html
import re
from typing import Any

from nlp_iom.review import narrative as nv
from nlp_iom.review.model import EntityCount, Finding, Quote, Review

#: Entity colours, as in displaCy's default palette (PER takes displaCy's PERSON colour).
ENTITY_COLOURS = {
    "ORG": "#7aecec",
    "PER": "#aa9cfc",
    "LOC": "#ff9561",
    "GPE": "#feca74",
    "NORP": "#c887fb",
    "DATE": "#bfe1d9",
    "LAW": "#ff8197",
    "EVENT": "#ffeb80",
}
#: Colour of any other label.
DEFAULT_COLOUR = "#dddddd"
#: Labels shown as they are; anything else is shown as ``ENT``.
_LABEL = re.compile(r"^[A-Z][A-Z_]{0,15}$")
#: Entity extras shown in the mark's tooltip.
TOOLTIP_FIELDS = ("long_form", "subtype")


def label_of(entity: dict[str, Any]) -> str:
    """The entity's label if it is a plain upper-case tag, else ``"ENT"``."""
    label = str(entity.get("label", ""))
    return label if _LABEL.match(label) else "ENT"


def css_class(label: str) -> str:
    """CSS class of a label's mark (``ent-org``...); unknown labels share ``ent-other``."""
    return f"ent-{label.lower()}" if label in ENTITY_COLOURS else "ent-other"


def entity_css() -> str:
    """The stylesheet rules of the entity marks (one per label in :data:`ENTITY_COLOURS`)."""
    rules = [(".ent{padding:0.1em 0.35em;margin:0 0.1em;line-height:1.9;border-radius:0.35em;"
             "box-decoration-break:clone;-webkit-box-decoration-break:clone}"),
             ".ent-label{font-size:0.7em;font-weight:bold;margin-left:0.35em;vertical-align:middle}",
             f".ent-other{{background:{DEFAULT_COLOUR}}}"]
    rules += [f".{css_class(label)}{{background:{colour}}}" for label, colour in ENTITY_COLOURS.items()]
    return "\n".join(rules)


def _spans(text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Valid, non-overlapping entities sorted by start (the first of overlapping ones is kept)."""
    valid = [e for e in entities if isinstance(e, dict) and isinstance(e.get("start"), int)
             and isinstance(e.get("end"), int) and 0 <= e["start"] < e["end"] <= len(text)]
    valid.sort(key=lambda e: (e["start"], -e["end"]))
    kept: list[dict[str, Any]] = []
    for entity in valid:
        if not kept or entity["start"] >= kept[-1]["end"]:
            kept.append(entity)
    return kept


def _tooltip(entity: dict[str, Any]) -> str:
    parts = [f"{key.replace('_', ' ')}: {entity[key]}" for key in TOOLTIP_FIELDS
             if isinstance(entity.get(key), str) and entity[key]]
    return f' title="{html.escape("; ".join(parts), quote=True)}"' if parts else ""


def highlight(text: str, entities: list[dict[str, Any]]) -> str:
    """HTML of ``text`` with its entities marked; all text, labels and tooltips are escaped.

    Args:
        text: The passage text (untrusted).
        entities: Dicts with ``start``/``end`` offsets into ``text`` and a ``label``.
    """
    out: list[str] = []
    cursor = 0
    for entity in _spans(text, entities):
        start, end = entity["start"], entity["end"]
        out.append(html.escape(text[cursor:start]))
        label = label_of(entity)
        out.append(f'<mark class="ent {css_class(label)}"{_tooltip(entity)}>{html.escape(text[start:end])}'
                   f'<span class="ent-label">{label}</span></mark>')
        cursor = end
    out.append(html.escape(text[cursor:]))
    return "".join(out)


#: Blocks every external load and every script; allows inline styles and data: images only.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
PAGE_CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:0;background:#f7f7f5;color:#222;font-size:15px}
main{max-width:1240px;margin:0 auto;padding:24px 28px;background:#fff}
h1{font-size:1.7em;margin:0.2em 0}
h2{font-size:1.3em;border-bottom:2px solid #ddd;padding-bottom:0.2em;margin-top:1.6em}
h3{font-size:1.05em;margin:1.2em 0 0.4em}
.question{font-size:1.15em;background:#eef4fb;border-left:5px solid #4a7fc1;padding:0.6em 0.9em}
.meta{color:#666;font-size:0.9em}
.notice{background:#fff4d6;border-left:5px solid #e0a800;padding:0.6em 0.9em;margin:0.8em 0}
table{border-collapse:collapse;width:100%;font-size:0.82em;margin:0.5em 0}
th,td{border:1px solid #ccc;padding:0.35em 0.5em;vertical-align:top;text-align:left}
th{background:#f0f0f0}
td.num{text-align:right;white-space:nowrap}
.rel-high{background:#d4f1d4}.rel-medium{background:#fdf3c4}.rel-low{background:#f6dede}.rel-na{background:#eee}
.finding{margin:0 0 0.4em}
.src{color:#666;font-size:0.9em}
blockquote{margin:0.4em 0 0.9em;padding:0.5em 0.9em;border-left:4px solid #bbb;background:#fafafa}
.cite{display:block;color:#555;font-size:0.88em;margin-top:0.3em}
.group{color:#777;font-weight:normal}
img.heatmap{max-width:100%;height:auto;border:1px solid #ddd}
table.lit th:nth-child(2){width:9%}table.lit th:nth-child(4){width:14%}
table.lit th:nth-child(6){width:20%}table.lit th:nth-child(8){width:32%}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _findings(row_findings: list[Finding]) -> str:
    if not row_findings:
        return nv.NONE_FOUND
    return "".join(f'<p class="finding">“{_e(f.text)}” <span class="src">({_e(f.source)})</span></p>'
                   for f in row_findings)


def literature_table(review: Review) -> str:
    """The literature table as an HTML table."""
    head = "".join(f"<th>{_e(h)}</th>" for h in nv.TABLE_HEADERS)
    body = []
    for n, row in enumerate(review.table, start=1):
        doc = row.doc
        label = row.relevance_label.replace("/", "")
        cells = [f'<td class="num">{n}</td>', f"<td>{_e('; '.join(doc.authors) or '–')}</td>",
                 f'<td class="num">{_e(doc.year or "n.d.")}</td>', f"<td>{_e(doc.title)}</td>",
                 f"<td>{_e(doc.language)}</td>", f"<td>{_e(nv.theory_cell(row))}</td>",
                 f"<td>{_e(nv.method_cell(row))}</td>", f"<td>{_findings(row.findings)}</td>",
                 f'<td class="rel-{_e(label)}">{_e(nv.relevance_cell(row))}</td>']
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table class=\"lit\"><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def quote_block(quote: Quote, score_name: str) -> str:
    """A passage as a block quote with its entities highlighted, its citation and its score."""
    return (f"<blockquote>{highlight(quote.text, quote.entities)}"
            f'<span class="cite">— {_e(quote.citation)} · {_e(score_name)} {quote.score:.3f}</span></blockquote>')


def entity_table(counts: list[EntityCount]) -> str:
    """Organisation or place counts as an HTML table."""
    if not counts:
        return "<p>None found.</p>"
    head = "".join(f"<th>{_e(h)}</th>" for h in nv.ENTITY_HEADERS)
    rows = "".join(
        f"<tr><td>{_e(c.name)}</td><td>{_e(c.acronym or '–')}</td><td>{_e(c.label)}</td>"
        f"<td>{_e(', '.join(c.subtypes) or '–')}</td><td class=\"num\">{c.mentions}</td>"
        f"<td class=\"num\">{c.documents}</td></tr>" for c in counts)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _evidence(review: Review) -> list[str]:
    out = []
    if not review.has_codes:
        out.append(f'<p class="notice">{_e(nv.NO_CODES)}</p>')
    for column in review.columns:
        out.append(f'<h3><span class="group">{_e(column.group)}:</span> {_e(column.label)}</h3>')
        quotes = review.evidence.get(column.key, [])
        out.append("".join(quote_block(q, "p") for q in quotes) or "<p>No passage has this code.</p>")
    return out


def agreement_html(review: Review) -> list[str]:
    """The person–machine agreement table, when the review was given corrections."""
    if not review.agreement:
        return []
    head = "".join(f"<th>{_e(h)}</th>" for h in ("code", "passages", "both", "machine only", "person only",
                                                   "neither", "κ", "α"))
    rows = "".join("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in (
        r["code"], r["passages"], r["both"], r["first_only"], r["second_only"], r["neither"], f"{r['kappa']:.3f}",
        f"{r['alpha']:.3f}")) + "</tr>" for r in review.agreement)
    return [f"<h2>{_e(nv.AGREEMENT_TITLE)}</h2>", f"<p>{_e(review.agreement_note)}</p>",
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"]


def render_html(review: Review, heatmap_png: bytes | None) -> str:
    """The whole report as one self-contained HTML page.

    Args:
        review: From :func:`nlp_iom.review.api.build_review`.
        heatmap_png: The heatmap PNG bytes, embedded as a data URI (``None``: no image).
    """
    parts = [f"<h1>{_e(nv.TITLE)}</h1>",
             f'<p class="question"><strong>Research question:</strong> {_e(review.question)}</p>',
             f'<p class="meta">{_e(nv.summary_line(review))}</p>']
    parts += [f'<p class="notice"><strong>Note:</strong> {_e(note)}</p>' for note in review.notes]
    parts += [f"<h2>1. {_e(nv.TABLE_TITLE)}</h2>", literature_table(review)]
    parts.append(f"<h2>2. {_e(nv.HEATMAP_TITLE)}</h2>")
    if heatmap_png:
        data = base64.b64encode(heatmap_png).decode("ascii")
        parts.append(f'<img class="heatmap" alt="{_e(nv.HEATMAP_TITLE)}" src="data:image/png;base64,{data}">')
    parts.append(f"<h2>3. {_e(nv.HITS_TITLE)}</h2>")
    parts.append("<ol>" + "".join(f"<li>{quote_block(q, 'score')}</li>" for q in review.hits) + "</ol>"
                 if review.hits else "<p>No passage matched.</p>")
    parts += [f"<h2>4. {_e(nv.EVIDENCE_TITLE)}</h2>"] + _evidence(review)
    parts += [f"<h2>5. {_e(nv.ENTITIES_TITLE)}</h2>", "<h3>Organisations</h3>", entity_table(review.organisations),
              "<h3>Places</h3>", entity_table(review.places)]
    parts += agreement_html(review)
    parts.append(f"<h2>6. {_e(nv.METHOD_TITLE)}</h2>")
    parts += [f"<p>{_e(p)}</p>" for p in nv.method_note(review)]
    body = "\n".join(parts)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(nv.TITLE)}: {_e(review.question)}</title>\n"
            f"<style>{PAGE_CSS}\n{entity_css()}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n")
