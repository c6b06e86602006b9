"""Builds PDFs with known ground truth for the extraction tests (reportlab, BSD licence).

Each builder returns the facts a test checks: the paragraphs in reading order, the page
furniture that must disappear, and the hyphenated words that must be mended or kept.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

PAGE_W, PAGE_H = A4
LEFT_X, RIGHT_X, COLUMN_TOP = 56, 312, 740
LEADING = 12.5
HEADER = "Journal of Migration and Border Studies, Vol. 4 No. 2"
FOOTER = "Page {n}"

TITLE = "Counter-Trafficking Cooperation on the Sambas Border"
AUTHOR = "Siti Rahmawati and John Carter"

#: Column paragraphs as printed lines; "govern-/ment" and "coop-/eration" are line-break hyphens,
#: "negara-/negara" and "kasus-/kasus" are Indonesian reduplication that must keep the hyphen.
COLUMNS: list[list[list[str]]] = [
    [  # page 1, left column
        ["The International Organization for", "Migration works with the local govern-", "ment of Sambas Regency on prevention", "and on the return of victims."],
        ["Field staff train village paralegals who", "report cases to the police and to the", "regional task force every month."],
    ],
    [  # page 1, right column
        ["Kerja sama antara negara-", "negara ASEAN masih lemah karena", "kasus-kasus perdagangan orang terus", "meningkat di wilayah perbatasan."],
        ["Regional coop-", "eration requires shared data on", "recruitment agencies and brokers."],
    ],
    [  # page 2, left column
        ["Interviews with officials show that the", "task force depends on outside funding", "for shelters and legal aid."],
        ["Socialisation events reached schools", "and mosques in six districts during", "the first year of the programme."],
    ],
    [  # page 2, right column
        ["The immigration office checks passports", "of migrant workers at the Aruk border", "post before they leave for Malaysia."],
        ["Brokers often promise jobs on oil palm", "plantations and collect fees from the", "families of the recruits."],
    ],
    [  # page 3, left column
        ["Pemerintah daerah membentuk gugus", "tugas yang melibatkan dinas sosial,", "kepolisian dan imigrasi setempat."],
        ["Victims who return receive medical", "care, counselling and help to start a", "small business in their village."],
    ],
    [  # page 3, right column
        ["The study recommends a shared case", "database for all agencies along the", "border with Sarawak."],
        ["Further research should compare the", "Sambas experience with the provinces", "of East Nusa Tenggara."],
    ],
]


@dataclass
class TwoColumnTruth:
    """What a correct extraction of the two-column PDF gives."""

    title: str = TITLE
    paragraphs: list[str] = field(default_factory=list)
    furniture: list[str] = field(default_factory=lambda: [HEADER, "Page 1", "Page 2", "Page 3"])
    mended: list[str] = field(default_factory=lambda: ["government", "cooperation"])
    kept: list[str] = field(default_factory=lambda: ["negara-negara", "kasus-kasus"])


def _paragraph_text(lines: list[str]) -> str:
    text = ""
    for line in lines:
        if not text:
            text = line
        elif text.endswith("-") and line[0].islower() and text.rsplit(" ", 1)[-1][:-1].lower() != line.split()[0].lower():
            text = text[:-1] + line
        elif text.endswith("-"):
            text = text + line
        else:
            text = f"{text} {line}"
    return text


def _furniture(c: canvas.Canvas, page: int) -> None:
    c.setFont("Times-Italic", 8)
    c.drawString(LEFT_X, PAGE_H - 30, HEADER)
    c.drawRightString(PAGE_W - 56, 28, FOOTER.format(n=page))


def _column(c: canvas.Canvas, x: float, top: float, paragraphs: list[list[str]]) -> None:
    y = top
    c.setFont("Times-Roman", 10)
    for paragraph in paragraphs:
        for line in paragraph:
            c.drawString(x, y, line)
            y -= LEADING
        y -= LEADING  # blank line between paragraphs


def build_two_column(path: Path) -> TwoColumnTruth:
    """Three pages: a full-width title, two columns of text, a running header and page-number footer."""
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setTitle(TITLE)
    # page 1: title and authors across both columns, then two columns
    _furniture(c, 1)
    c.setFont("Times-Bold", 16)
    c.drawCentredString(PAGE_W / 2, PAGE_H - 80, TITLE)
    c.setFont("Times-Roman", 11)
    c.drawCentredString(PAGE_W / 2, PAGE_H - 100, AUTHOR)
    c.setFont("Times-Bold", 10)
    c.drawString(LEFT_X, COLUMN_TOP - 10, "1 Introduction")
    _column(c, LEFT_X, COLUMN_TOP - 30, COLUMNS[0])
    _column(c, RIGHT_X, COLUMN_TOP - 30, COLUMNS[1])
    c.showPage()
    for page in (2, 3):
        _furniture(c, page)
        _column(c, LEFT_X, COLUMN_TOP, COLUMNS[2 * page - 2])
        _column(c, RIGHT_X, COLUMN_TOP, COLUMNS[2 * page - 1])
        c.showPage()
    c.save()
    truth = TwoColumnTruth()
    truth.paragraphs = [_paragraph_text(p) for column in COLUMNS for p in column]
    return truth


def build_encrypted(path: Path, password: str = "rahasia") -> None:
    """A one-page PDF that needs a user password."""
    c = canvas.Canvas(str(path), pagesize=A4, encrypt=password)
    c.drawString(72, 720, "Laporan rahasia tentang perdagangan orang.")
    c.save()


def build_scanned(path: Path) -> None:
    """A page holding only an image: what a scanner produces."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader

    image = Image.new("RGB", (400, 200), "white")
    ImageDraw.Draw(image).text((20, 80), "Scanned page: no text layer", fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    c = canvas.Canvas(str(path), pagesize=A4)
    c.drawImage(ImageReader(buffer), 72, 400, width=400, height=200)
    c.save()


def build_blank(path: Path) -> None:
    """A valid PDF with one empty page."""
    c = canvas.Canvas(str(path), pagesize=A4)
    c.showPage()
    c.save()


def raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF file whose numbered objects are ``objects`` (1-based), with a correct xref table."""
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(pdf)


def build_bomb(path: Path, inflated_mb: int) -> None:
    """A one-page PDF whose content stream inflates from a few hundred KB to ``inflated_mb`` MB."""
    import zlib

    packer = zlib.compressobj(9)
    chunk = b"BT /F1 12 Tf 72 712 Td (A) Tj ET\n" * 30_000
    parts, total = [], 0
    while total < inflated_mb * 2**20:
        parts.append(packer.compress(chunk))
        total += len(chunk)
    stream = b"".join(parts) + packer.flush()
    path.write_bytes(raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]))


def build_looping_page_tree(path: Path) -> None:
    """A PDF whose ``/Pages`` node lists itself as its only kid."""
    path.write_bytes(raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>",
    ]))


#: Arabic words of :func:`build_arabic` in reading (logical) order.
ARABIC_WORDS = ["المنظمة", "الدولية", "للهجرة", "تساعد", "اللاجئين"]
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def build_arabic(path: Path) -> None:
    """A page with three lines of Arabic, stored as real RTL PDFs store it: letters in logical order,
    each drawn to the left of the previous one (DejaVu Sans, which has Arabic glyphs)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("DejaVu", str(DEJAVU)))
    c = canvas.Canvas(str(path))
    c.setFont("DejaVu", 14)
    for line in range(3):
        x, y = 520.0, 700.0 - 24 * line
        for word in ARABIC_WORDS:
            for ch in word:
                x -= pdfmetrics.stringWidth(ch, "DejaVu", 14)
                c.drawString(x, y, ch)
            x -= pdfmetrics.stringWidth(" ", "DejaVu", 14)
    c.drawString(72, 600, "IOM report 2020")
    c.save()
