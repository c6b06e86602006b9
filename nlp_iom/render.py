"""Render a Document as readable Markdown (the ``--format md`` output of ``nlp-iom extract``)."""

from __future__ import annotations

from nlp_iom.document import Document

ZONE_LABELS = {"front_matter": "front matter", "abstract": "abstract", "references": "references", "back_matter": "back matter"}


def to_markdown(doc: Document) -> str:
    """Return a Markdown rendering: metadata, abstracts, sections with their passages, apparatus."""
    meta = doc.metadata
    out: list[str] = [f"# {meta.title or '(untitled)'}", ""]
    facts = [
        ("Authors", "; ".join(_author(a.name, a.affiliation, a.email) for a in meta.authors)),
        ("Kind", meta.kind),
        ("Language", meta.language or ""),
        ("Year", str(meta.year or "")),
        ("Institution", meta.institution or ""),
        ("Dates", ", ".join(f"{k}: {v}" for k, v in meta.dates.items())),
        ("Source", f"{meta.source or ''}" + (f" ({meta.pages} pages)" if meta.pages else "")),
    ]
    out += [f"- **{label}:** {value}" for label, value in facts if value]
    for abstract in doc.abstracts:
        out += ["", f"## {abstract.heading or 'Abstract'} ({abstract.language})", "", abstract.text]
        if abstract.keywords:
            out += ["", f"*Keywords:* {', '.join(abstract.keywords)}"]
    out += ["", "## Contents", ""]
    for section in doc.iter_sections():
        zone = f" _({ZONE_LABELS[section.zone]})_" if section.zone in ZONE_LABELS else ""
        page = f" — p. {section.page}" if section.page else ""
        out.append(f"{'  ' * (section.level - 1)}- {section.title}{zone}{page}")
    out += ["", "## Body", ""]
    current: list[str] = []
    for passage in doc.body_passages():
        if passage.section_path != current:
            current = passage.section_path
            out += [f"### {' › '.join(current) or '(no section)'}", ""]
        pages = f"p. {', '.join(map(str, passage.pages))}, " if passage.pages else ""
        out += [f"{passage.text}", f"<sub>[{pages}{passage.language}]</sub>", ""]
    if doc.abbreviations:
        out += ["## Abbreviations", "", "| short | long | source |", "|---|---|---|"]
        out += [f"| {a.short} | {a.long} | {a.source} |" for a in doc.abbreviations]
        out.append("")
    if doc.references:
        out += [f"## References ({len(doc.references)})", ""]
        for ref in doc.references:
            parts = [", ".join(ref.authors) or "?", f"({ref.year or 'n.d.'}{ref.year_suffix})", ref.title or ""]
            extra = " ".join(x for x in (ref.venue and f"*{ref.venue}*", ref.doi and f"doi:{ref.doi}", ref.url) if x)
            out.append(f"{ref.id + 1}. {' '.join(p for p in parts if p)} {extra}".rstrip())
        out.append("")
    if doc.citations:
        linked = sum(c.reference_id is not None for c in doc.citations)
        personal = [c for c in doc.citations if c.kind in ("personal_communication", "interview")]
        out += [
            "## Citations",
            "",
            f"{len(doc.citations)} in-text citations, {linked} linked to a reference, {len(personal)} personal communications or interviews.",
            "",
        ]
        out += [f"- {c.text} — {c.kind}{f', {c.date}' if c.date else ''}" for c in personal]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _author(name: str, affiliation: str | None, email: str | None) -> str:
    extra = ", ".join(x for x in (affiliation, email) if x)
    return f"{name} ({extra})" if extra else name
