"""A review of a never-classified corpus holding a hostile document: it says so, renders, and escapes."""

from __future__ import annotations

import re

import numpy as np
import pytest

from nlp_iom.corpus import Corpus
from nlp_iom.document import Author, Document, Entity, Metadata, Passage
from nlp_iom.review import Review, ReviewFiles, build_review, write_review
from nlp_iom.review.narrative import NO_CODES

SCRIPT = "<script>alert('pwned')</script>"
HOSTILE_TITLE = f"Laporan | IOM {SCRIPT}"
TEXTS = [
    (f"IOM bersama pemerintah desa melaksanakan sosialisasi bahaya perdagangan orang {SCRIPT} kepada warga "
     "desa Jawai dan Pemangkat di Kabupaten Sambas. | kolom palsu | <img src=x onerror=alert(1)>"),
    "Korban perdagangan orang yang dipulangkan dari Malaysia mendapat pendampingan psikososial dari Dinas Sosial.",
]


def _hostile() -> Document:
    passages = [Passage(id=i, text=t, start=0, end=len(t), pages=[i + 2], section_path=["BAB IV", "Temuan"],
                        language="id") for i, t in enumerate(TEXTS)]
    first = TEXTS[0]
    passages[0].entities = [
        Entity("IOM", "ORG", 0, 3, long_form='International "Organization" <b>'),
        Entity("Kabupaten Sambas", "<b>LOC</b>", first.index("Kabupaten Sambas"),
               first.index("Kabupaten Sambas") + len("Kabupaten Sambas")),
        Entity("broken", "ORG", 5, 10_000),  # offsets past the text: dropped
    ]
    return Document(metadata=Metadata(title=HOSTILE_TITLE, authors=[Author("Siti <i>Rahma</i>")], year=2021,
                                      language="id", kind="report"),
                    text="\n\n".join(TEXTS), passages=passages)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Review, ReviewFiles]:
    with Corpus.open(tmp_path_factory.mktemp("uncoded")) as corpus:
        assert corpus.add_documents([_hostile()]).added
        review = build_review("sosialisasi IOM tentang perdagangan orang di Sambas", corpus)
    return review, write_review(review, tmp_path_factory.mktemp("out") / "report")


def test_uncoded_corpus_is_reported_and_still_renders(written: tuple[Review, ReviewFiles]) -> None:
    review, files = written
    assert not review.has_codes and NO_CODES in review.notes
    assert all(not quotes for quotes in review.evidence.values())
    assert np.nan_to_num(review.matrix).sum() == 0 and review.matrix.shape == (1, len(review.columns))
    assert files.heatmap.stat().st_size > 1000
    said = "No passage in this corpus carries classifier codes"
    assert said in files.markdown.read_text("utf-8") and said in files.html.read_text("utf-8")


def test_html_shows_hostile_text_as_text(written: tuple[Review, ReviewFiles]) -> None:
    _, files = written
    page = files.html.read_text("utf-8")
    assert "<script" not in page.lower() and "<img src=x" not in page and "<i>Rahma" not in page
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert re.search(r'<mark class="ent ent-org" title="long form: International &quot;Organization&quot; '
                     r'&lt;b&gt;">IOM<span class="ent-label">ORG</span></mark>', page)
    assert '<span class="ent-label">ENT</span>' in page  # a label that is not a plain tag is not shown raw
    assert "<b>" not in page


def test_markdown_escapes_hostile_text_and_table_pipes(written: tuple[Review, ReviewFiles]) -> None:
    _review, files = written
    markdown = files.markdown.read_text("utf-8")
    assert "<script" not in markdown and "&lt;script&gt;" in markdown
    row = next(line for line in markdown.splitlines() if line.startswith("| 1 |"))
    assert "Laporan \\| IOM" in row
    unescaped = re.findall(r"(?<!\\)\|", row)
    assert len(unescaped) == 10  # nine columns need ten bars; every bar from the text is escaped
    assert "\\| kolom palsu \\|" in markdown


def test_citations_use_pages_of_the_stored_passages(written: tuple[Review, ReviewFiles]) -> None:
    review, _ = written
    assert review.hits and all(re.search(r"\(2021\), p\. [23]$", q.citation) for q in review.hits)
    assert review.table[0].doc.label == "<i>Rahma</i> (2021)"


#: Strings that matplotlib's math parser chokes on (ValueError, RecursionError), and a huge one.
MATH_TRAPS = ["$\\frac{", "$$", "Rp $1.000 dan $2.000", "$" + "{" * 400 + "$", "\\$\\", "A" * 5000]


def test_the_review_survives_any_string_in_titles_and_authors(tmp_path_factory: pytest.TempPathFactory) -> None:
    """One document with a ``$`` in its title or author must not block the review of a corpus (#19 item 9)."""
    docs = []
    for n, trap in enumerate(MATH_TRAPS):
        doc = _hostile()
        doc.metadata.title = f"{trap} {n}"
        doc.metadata.authors = [Author(trap)]
        doc.text += f" ({n})"  # distinct content
        docs.append(doc)
    with Corpus.open(tmp_path_factory.mktemp("math")) as corpus:
        assert len(corpus.add_documents(docs).added) == len(MATH_TRAPS)
        review = build_review("sosialisasi IOM di Sambas", corpus)
    files = write_review(review, tmp_path_factory.mktemp("out") / "report")
    assert review.matrix.shape[0] == len(MATH_TRAPS)
    assert files.heatmap.stat().st_size > 1000 and files.html.stat().st_size > 1000
    from PIL import Image

    with Image.open(files.heatmap) as image:
        assert image.width < 2000  # long labels are cut, so the image stays page-sized
