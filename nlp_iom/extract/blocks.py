"""The intermediate form shared by the PDF and text readers: a flat list of blocks.

A block is a run of text that the reader believes belongs together (a
paragraph, a heading, a list item, a table row). Structure analysis turns
blocks into a :class:`~nlp_iom.document.Document`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Block:
    """A paragraph-sized piece of text with the layout hints its reader could give.

    Attributes:
        text: The text, lines joined and dehyphenated.
        page: 1-based page number, or None where the source has no pages.
        heading_level: Heading level stated by the source (Markdown ``#``), else None.
        bold: Every line is bold.
        size_ratio: Font size relative to the document's body size (1.0 for text input).
        kind: ``paragraph``, ``list_item``, ``table`` or ``rule``.
        bbox: ``(x0, top, x1, bottom)`` in points for PDF input.
        lines: The source lines before joining.
        last_page: Page where the block ends, when it runs over a page break.
    """

    text: str
    page: int | None = None
    heading_level: int | None = None
    bold: bool = False
    size_ratio: float = 1.0
    kind: str = "paragraph"
    bbox: tuple[float, float, float, float] | None = None
    lines: list[str] = field(default_factory=list)
    last_page: int | None = None

    @property
    def pages(self) -> list[int]:
        """All pages the block touches."""
        if self.page is None:
            return []
        return list(range(self.page, (self.last_page or self.page) + 1))
