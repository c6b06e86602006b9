"""Structure analysis: blocks -> Document (zones, section tree, passages, abstracts, apparatus)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nlp_iom.document import (
    ZONE_ABSTRACT,
    ZONE_BACK,
    ZONE_BODY,
    ZONE_FRONT,
    ZONE_REFERENCES,
    Abstract,
    Document,
    Passage,
    Section,
)
from nlp_iom.extract.abbreviations import find_definitions, parse_abbreviation_list
from nlp_iom.extract.blocks import Block
from nlp_iom.extract.citations import find_citations, link_citations
from nlp_iom.extract.headings import CHAPTER, LEADER, Heading, article_style, classify_heading, starts_body
from nlp_iom.extract.language import UNDETERMINED, detect_language, document_language
from nlp_iom.extract.metadata import extract_metadata, parse_keywords
from nlp_iom.extract.normalize import dehyphenate_join
from nlp_iom.extract.references import parse_reference, split_references
from nlp_iom.extract.repair import repair_blocks

SEPARATOR = "\n\n"
PARAGRAPH_END = (".", "!", "?", ":", ";", '"', "”", "’", "'", ")", "]")
#: A block this long that stops mid-sentence is continued by the next one (a page or column break).
MIN_BROKEN_CHARS = 150
#: Fewest characters after "Abstract:" for an abstract that starts inside a paragraph.
MIN_INLINE_ABSTRACT = 100
INLINE_ABSTRACT = re.compile(r"^\s*(abstra[kc]t?|intisari)\s*[:.—–-]+\s*", re.I)
FIELD_LINE = re.compile(r"^[A-Z][\w /]{1,30}\s*:\s+\S")
#: Field lines ("Nama : ...") at the head of a thesis abstract are at most this long.
MAX_FIELD_LINE = 160
HEADING_LANGUAGE = {"abstrak": "id", "intisari": "id", "ringkasan": "id"}


@dataclass
class _State:
    zone: str = ZONE_FRONT
    body_started: bool = False
    stack: list[Section] = field(default_factory=list)
    kind: str = "title_page"


def merge_broken(blocks: list[Block]) -> list[Block]:
    """Join paragraphs cut by a page or column break (no closing punctuation, continuation follows)."""
    merged: list[Block] = []
    for block in blocks:
        prev = merged[-1] if merged else None
        if prev is not None and _continues(prev, block):
            prev.text = dehyphenate_join(prev.text, block.text)
            prev.lines = prev.lines + block.lines
            prev.last_page = block.page if block.page is not None else prev.last_page
            continue
        merged.append(block)
    return merged


def _continues(prev: Block, block: Block) -> bool:
    if prev.kind != "paragraph" or block.kind != "paragraph" or prev.heading_level or block.heading_level:
        return False
    if prev.bold != block.bold or prev.text.rstrip().endswith(PARAGRAPH_END) or not block.text:
        return False
    if block.text[0].islower():
        return True
    looks_heading = classify_heading(block, styled_allowed=True, in_toc=False, chaptered=False) is not None
    page_break = prev.page is None or prev.page != block.page or prev.bbox is None
    return len(prev.text) >= MIN_BROKEN_CHARS and page_break and not looks_heading and prev.text[-1].isalpha()


#: Chapter lines on one page that make it a list of chapters ("Sistematika Penulisan"), not chapters.
CHAPTER_LIST_LINES = 3


def _chapter_lists(blocks: list[Block]) -> set[int]:
    """Indexes of chapter lines ("BAB II TINJAUAN PUSTAKA") on pages that hold
    :data:`CHAPTER_LIST_LINES` or more of them: a description of the chapters, not the chapters."""
    per_page: dict[int, list[int]] = {}
    for index, block in enumerate(blocks):
        if block.page is not None and CHAPTER.match(block.text.strip()):
            per_page.setdefault(block.page, []).append(index)
    return {i for indexes in per_page.values() if len(indexes) >= CHAPTER_LIST_LINES for i in indexes}


def _lowercase_words(blocks: list[Block]) -> frozenset[str]:
    """Words the document writes in lower case somewhere (ordinary words, not names)."""
    return frozenset(w.strip(".,;:()\"'") for b in blocks for w in b.text.split() if w.islower())


def build_document(blocks: list[Block], source: str | None = None, pages: int | None = None) -> Document:
    """Assemble a :class:`Document` from blocks in reading order.

    Args:
        blocks: From :func:`nlp_iom.extract.layout.analyse` or :func:`nlp_iom.extract.text.text_to_blocks`.
        source: The file the blocks came from.
        pages: Page count of the source, if it has pages.
    """
    blocks = merge_broken(repair_blocks([b for b in blocks if b.kind != "rule"]))
    chaptered = any(CHAPTER.match(b.text) and not LEADER.search(b.text) for b in blocks)
    doc = Document()
    parts: list[str] = []
    offset = 0
    state = _State()
    title_page: list[Block] = []
    front: list[Block] = []
    abstract_blocks: list[tuple[Heading | None, list[Block]]] = []

    def emit(text: str) -> tuple[int, int]:
        nonlocal offset
        start = offset
        parts.append(text + SEPARATOR)
        offset += len(text) + len(SEPARATOR)
        return start, start + len(text)

    chapter_lists = _chapter_lists(blocks)
    article = article_style(blocks)
    for index, block in enumerate(blocks):
        heading = classify_heading(
            block,
            styled_allowed=state.body_started or state.zone in (ZONE_BODY, ZONE_BACK),
            in_toc=state.kind == "toc",
            chaptered=chaptered,
            in_list=index in chapter_lists,
            article=article,
        )
        if block.heading_level == 1 and not doc.sections and not title_page:
            heading = None  # the Markdown document title
        inline = INLINE_ABSTRACT.match(block.text) if state.zone == ZONE_FRONT and state.kind != "toc" else None
        if inline and len(block.text) - inline.end() < MIN_INLINE_ABSTRACT:
            inline = None
        if heading is not None:
            _open_section(doc, state, heading, block, emit(heading.title))
            if heading.zone == ZONE_ABSTRACT:
                abstract_blocks.append((heading, []))
            continue
        if inline:
            abstract_blocks.append((None, [Block(block.text[inline.end() :], page=block.page, lines=block.lines)]))
        elif state.zone == ZONE_FRONT and abstract_blocks and abstract_blocks[-1][0] is None:
            if parse_keywords(block.text) is not None:
                abstract_blocks[-1][1].append(block)  # "Keywords: ..." after an inline abstract
        if not doc.sections:
            title_page.append(block)
        if state.zone == ZONE_FRONT:
            front.append(block)
        elif state.zone == ZONE_ABSTRACT and abstract_blocks and not inline:
            abstract_blocks[-1][1].append(block)
        start, end = emit(block.text)
        doc.passages.append(
            Passage(
                id=len(doc.passages),
                text=block.text,
                start=start,
                end=end,
                pages=block.pages,
                section_path=[s.title for s in state.stack],
                zone=ZONE_ABSTRACT if inline else state.zone,
                kind=_passage_kind(block, state),
            )
        )
    doc.text = "".join(parts)
    _close_sections(doc.sections, len(doc.text))
    if not state.body_started:
        _relabel_front_as_body(doc)
    if not any(p.zone == ZONE_BODY for p in doc.passages) and all(s.zone == ZONE_ABSTRACT for s in doc.iter_sections()):
        _short_text_is_body(doc)
    doc.metadata = extract_metadata(title_page[:40], front, _lowercase_words(blocks))
    doc.metadata.source = source
    doc.metadata.pages = pages
    for passage in doc.passages:
        passage.language = detect_language(passage.text)
    doc.abstracts = [a for a in (_abstract(h, bs) for h, bs in abstract_blocks) if a is not None]
    if doc.metadata.kind == "report" and doc.abstracts and any(p.zone == ZONE_REFERENCES for p in doc.passages):
        doc.metadata.kind = "paper"
    _apparatus(doc, blocks)
    body = doc.body_passages() or doc.passages
    doc.metadata.language = document_language([p.language for p in body], [len(p.text) for p in body])
    return doc


def _open_section(doc: Document, state: _State, heading: Heading, block: Block, span: tuple[int, int]) -> None:
    if heading.zone is not None:
        state.zone = heading.zone
    elif starts_body(heading) or (not state.body_started and state.zone == ZONE_ABSTRACT):
        state.zone = ZONE_BODY
    elif state.zone == ZONE_REFERENCES and heading.level <= 1:
        state.zone = ZONE_BACK
    if state.zone == ZONE_BODY:
        state.body_started = True
    state.kind = heading.kind
    section = Section(
        title=heading.title,
        level=heading.level,
        number=heading.number,
        zone=state.zone,
        kind=heading.kind,
        page=block.page,
        start=span[0],
        end=span[1],
    )
    while state.stack and state.stack[-1].level >= heading.level:
        state.stack.pop()
    (state.stack[-1].children if state.stack else doc.sections).append(section)
    state.stack.append(section)


def _close_sections(sections: list[Section], end: int) -> None:
    for current, following in zip(sections, sections[1:] + [None]):
        current.end = following.start if following is not None else end
        _close_sections(current.children, current.end)


def _relabel_front_as_body(doc: Document) -> None:
    """A document without a recognisable start of the body (a report): what follows the last
    named front-matter or abstract section, outside the title page, is body."""
    named = [s for s in doc.iter_sections() if s.kind != "section" and s.zone in (ZONE_FRONT, ZONE_ABSTRACT)]
    boundary = max((s.end for s in named), default=0)
    if not doc.sections:  # no heading at all: the title page is the first page, or the text up to its first paragraph
        for passage in doc.passages:
            first = passage.pages[:1] == [1] if passage.pages else len(passage.text) < MIN_BROKEN_CHARS
            if not first:
                break
            boundary = passage.end
        for passage in doc.passages:
            if passage.start >= boundary and passage.kind == "title_page":
                passage.kind = "paragraph"
    for passage in doc.passages:
        if passage.zone == ZONE_FRONT and passage.kind != "title_page" and passage.start >= boundary:
            passage.zone = ZONE_BODY
    for section in doc.iter_sections():
        if section.zone == ZONE_FRONT and section.kind == "section" and section.start >= boundary:
            section.zone = ZONE_BODY


def _short_text_is_body(doc: Document) -> None:
    """A text without body whose only headings (if any) are abstracts: a note, an abstract page, a web
    clipping of one or a few paragraphs. It has no front matter to set apart, so its text is body, coded
    and searched like any other; its metadata and ``doc.abstracts`` are kept. Without any heading even
    its first lines are body (one paragraph is no title page); under an abstract heading the title
    page stays front matter."""
    keep_title_page = bool(doc.sections)
    for passage in doc.passages:
        if passage.zone not in (ZONE_FRONT, ZONE_ABSTRACT) or (keep_title_page and passage.kind == "title_page"):
            continue
        passage.zone = ZONE_BODY
        if passage.kind == "title_page":
            passage.kind = "paragraph"


def _passage_kind(block: Block, state: _State) -> str:
    if state.kind == "title_page" and state.zone == ZONE_FRONT and not state.stack:
        return "title_page"
    if state.kind == "toc":
        return "toc"
    if state.zone == ZONE_REFERENCES:
        return "reference"
    return block.kind


def _abstract(heading: Heading | None, blocks: list[Block]) -> Abstract | None:
    texts: list[str] = []
    keywords: list[str] = []
    for block in blocks:
        found = parse_keywords(block.text)
        if found is not None:
            keywords = keywords or found
            continue
        if not texts and FIELD_LINE.match(block.text) and len(block.text) < MAX_FIELD_LINE:
            continue  # "Nama : ...", "Program Studi : ..." at the head of a thesis abstract
        texts.append(block.text)
    text = "\n\n".join(texts).strip()
    if not text:
        return None
    name = (heading.title if heading else "").strip().lower()
    language = detect_language(text)
    if language not in ("id", "en"):
        language = HEADING_LANGUAGE.get(name, "en" if name else language)
    if language == UNDETERMINED:
        language = "en"
    return Abstract(
        text=text,
        language=language,
        heading=heading.title if heading else "",
        keywords=keywords,
        page=blocks[0].page if blocks else None,
    )


def _apparatus(doc: Document, blocks: list[Block]) -> None:
    """References, citations and abbreviations."""
    ref_passages = [p for p in doc.passages if p.zone == ZONE_REFERENCES]
    entries = split_references([p.text for p in ref_passages])
    for number, raw in enumerate(entries):
        page = next((p.pages[0] for p in ref_passages if p.pages and raw[:40] in p.text), None)
        doc.references.append(parse_reference(raw, number, page))
    for passage in doc.passages:
        if passage.zone in (ZONE_BODY, ZONE_BACK, ZONE_FRONT) and passage.kind not in ("toc", "title_page", "table"):
            doc.citations += find_citations(passage.text, offset=passage.start, passage_id=passage.id)
    link_citations(doc.citations, doc.references)
    abbreviation_sections = [s for s in doc.iter_sections() if s.kind == "abbreviations"]
    lines = [
        line
        for p in doc.passages
        if any(s.title in p.section_path for s in abbreviation_sections)
        for line in p.text.split("\n")
    ]
    doc.abbreviations = parse_abbreviation_list(lines)
    known = {a.short for a in doc.abbreviations}
    for passage in doc.passages:
        if passage.zone in (ZONE_BODY, ZONE_ABSTRACT, ZONE_BACK):
            for abbreviation in find_definitions(passage.text):
                if abbreviation.short not in known:
                    known.add(abbreviation.short)
                    doc.abbreviations.append(abbreviation)
