"""A readable listing of a Document's entities (the output of ``nlp-iom ner``)."""

from __future__ import annotations

from collections import Counter

from nlp_iom.document import Document

#: How many of the most mentioned organisations and places the summary lists.
TOP_N = 10


def ner_report(document: Document, top_n: int = TOP_N) -> str:
    """Entities passage by passage (with page and section), then the most mentioned organisations and places."""
    lines: list[str] = [f"# {document.metadata.title or document.metadata.source or '(untitled)'}", ""]
    for passage in document.passages:
        if not passage.entities:
            continue
        where = ", ".join(filter(None, [f"p. {passage.pages[0]}" if passage.pages else "", " › ".join(passage.section_path)]))
        lines.append(f"## passage {passage.id} [{passage.language}] {where}".rstrip())
        for entity in passage.entities:
            extra = f" → {entity.long_form}" if entity.long_form else ""
            lines.append(f"- {entity.display_label:12} {entity.text}{extra}")
        lines.append("")
    for label, title in (("ORG", "Organisations"), ("LOC", "Places")):
        counts = Counter(
            e.name for p in document.body_passages() for e in p.entities if e.label == label
        )
        if counts:
            lines.append(f"## {title} most mentioned in the body")
            lines += [f"- {name} ({n})" for name, n in counts.most_common(top_n)]
            lines.append("")
    skipped = document.stages.get("ner", {}).get("skipped", [])
    if skipped:
        lines.append(f"{len(skipped)} passages skipped: " + ", ".join(f"{s['passage']} ({s['language']})" for s in skipped))
    return "\n".join(lines).rstrip() + "\n"
