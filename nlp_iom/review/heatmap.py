"""The documents x codes heatmap, drawn with matplotlib's Agg canvas (no display, no global backend change).

Rows are documents labelled "Author (year)"; columns are codes grouped Haas input / Haas output /
INGO role; a cell is the share of the document's body passages with the code at probability of
at least the review's threshold. A document without stored passages is a grey row.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Normalize, to_rgb
from matplotlib.figure import Figure

from nlp_iom.review.model import CodeColumn

#: Colour map of the shares (light = few passages, dark red = most passages).
CMAP = "YlOrRd"
#: Colour of a document without passages.
MISSING_COLOUR = "#d9d9d9"
DPI = 100
CELL_WIDTH_IN = 0.9
CELL_HEIGHT_IN = 0.45
#: Inches per character of a row label (9-point type).
LABEL_CHAR_IN = 0.075
#: Longest label drawn (characters); longer titles and author lists are cut with an ellipsis.
MAX_LABEL_CHARS = 60
MIN_LEFT_IN = 1.0
TOP_IN = 0.9
BOTTOM_IN = 0.4
RIGHT_IN = 1.2
COLOURBAR_GAP_IN = 0.15
COLOURBAR_WIDTH_IN = 0.18
FONT_SIZE = 9
#: Fraction of the colour scale above which a cell's text is white (on dark cells).
DARK_CELL = 0.6
#: The colour scale runs from 0 to the largest share rounded up to this step ...
SCALE_STEP = 0.1
#: ... and to at least this.
MIN_SCALE_TOP = 0.2
#: Sine of the column-label angle (40 degrees), for the space the labels need below the cells.
LABEL_SINE = 0.65
#: Width of the line between column groups, in points.
GROUP_LINE = 3.0


@dataclass
class HeatmapImage:
    """A rendered heatmap: the PNG and where each cell lies in it.

    Attributes:
        png: The PNG bytes.
        width: Image width in pixels.
        height: Image height in pixels.
        centers: ``(rows, columns, 2)`` array of cell centres as ``(x, y)`` pixels, ``y`` from the top.
        cell_size: ``(width, height)`` of one cell in pixels.
        values: The matrix drawn (NaN for a document without passages).
        scale_top: The share drawn in the darkest colour (the colour scale is 0 to this).
    """

    png: bytes
    width: int
    height: int
    centers: np.ndarray
    cell_size: tuple[float, float]
    values: np.ndarray
    scale_top: float


def scale_top(matrix: np.ndarray) -> float:
    """Top of the colour scale: the largest share rounded up to :data:`SCALE_STEP`, at least :data:`MIN_SCALE_TOP`."""
    finite = matrix[np.isfinite(matrix)]
    largest = float(finite.max()) if finite.size else 0.0
    return min(1.0, max(MIN_SCALE_TOP, float(np.ceil(round(largest / SCALE_STEP, 6)) * SCALE_STEP)))


def colour_of(value: float, top: float = 1.0) -> tuple[int, int, int]:
    """The RGB colour (0-255) a share is drawn in, on a colour scale from 0 to ``top``."""
    if np.isnan(value):
        rgb = to_rgb(MISSING_COLOUR)
    else:
        rgb = colormaps[CMAP](Normalize(0.0, top, clip=True)(value))[:3]
    return tuple(round(c * 255) for c in rgb)  # type: ignore[return-value]


def _groups(columns: list[CodeColumn]) -> list[tuple[str, int, int]]:
    """``(title, first column, last column)`` of each run of columns in one group."""
    runs: list[tuple[str, int, int]] = []
    for j, column in enumerate(columns):
        if runs and runs[-1][0] == column.group:
            runs[-1] = (column.group, runs[-1][1], j)
        else:
            runs.append((column.group, j, j))
    return runs


def plain_label(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    """A label as drawn: one line, at most ``limit`` characters (an ellipsis marks a cut)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_heatmap(matrix: np.ndarray, row_labels: list[str], columns: list[CodeColumn], threshold: float,
                   note: str = "") -> HeatmapImage:
    """Draw the heatmap and return it as a PNG with its cell geometry.

    Args:
        matrix: ``len(row_labels) x len(columns)`` shares (NaN for a document without passages).
        row_labels: "Author (year)" per row.
        columns: The code columns.
        threshold: The probability threshold (shown in the title).
        note: Extra title text, e.g. that the corpus has no codes.

    Labels come from documents and codebooks, so any string may arrive: every text is drawn
    without math parsing (a ``$`` in a title is a dollar sign) and cut to :data:`MAX_LABEL_CHARS`.
    """
    rows, cols = matrix.shape
    row_labels = [plain_label(label) for label in row_labels]
    column_labels = [plain_label(c.label) for c in columns]
    plain = {"parse_math": False}
    left = max(MIN_LEFT_IN, LABEL_CHAR_IN * max((len(label) for label in row_labels), default=0) + 0.3)
    width = left + cols * CELL_WIDTH_IN + RIGHT_IN
    bottom = BOTTOM_IN + LABEL_CHAR_IN * LABEL_SINE * max((len(label) for label in column_labels), default=0)
    height = TOP_IN + rows * CELL_HEIGHT_IN + bottom
    fig = Figure(figsize=(width, height), dpi=DPI)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((left / width, bottom / height, cols * CELL_WIDTH_IN / width, rows * CELL_HEIGHT_IN / height))
    cmap = colormaps[CMAP].with_extremes(bad=MISSING_COLOUR)
    top = scale_top(matrix)
    image = ax.imshow(np.ma.masked_invalid(matrix), cmap=cmap, norm=Normalize(0.0, top, clip=True), aspect="auto",
                      interpolation="nearest")
    ax.set_yticks(range(rows), labels=row_labels, fontsize=FONT_SIZE, **plain)
    ax.set_xticks(range(cols), labels=column_labels, fontsize=FONT_SIZE, rotation=40, ha="right",
                  rotation_mode="anchor", **plain)
    ax.tick_params(length=0)
    for i in range(rows):
        for j in range(cols):
            value = matrix[i, j]
            text = "–" if np.isnan(value) else f"{value:.0%}"
            ax.text(j, i, text, ha="center", va="center", fontsize=FONT_SIZE - 1,
                    color="white" if not np.isnan(value) and value > DARK_CELL * top else "black")
    for title, first, last in _groups(columns):
        ax.text((first + last) / 2, -0.7, plain_label(title), ha="center", va="bottom", fontsize=FONT_SIZE + 1,
                fontweight="bold", **plain)
        if first > 0:
            ax.axvline(first - 0.5, color="white", linewidth=GROUP_LINE)
    ax.set_title(f"Share of each document's passages with the code (p ≥ {threshold:.2f}){plain_label(note, 200)}",
                 fontsize=FONT_SIZE + 2, pad=28, **plain)
    bar_left = (left + cols * CELL_WIDTH_IN + COLOURBAR_GAP_IN) / width
    bar_axes = fig.add_axes((bar_left, bottom / height, COLOURBAR_WIDTH_IN / width, rows * CELL_HEIGHT_IN / height))
    colourbar = fig.colorbar(image, cax=bar_axes)
    colourbar.ax.tick_params(labelsize=FONT_SIZE - 1)
    colourbar.set_label("share of passages", fontsize=FONT_SIZE)
    canvas.draw()
    pixel_width, pixel_height = canvas.get_width_height()
    centers = np.zeros((rows, cols, 2), dtype=float)
    for i in range(rows):
        for j in range(cols):
            x, y = ax.transData.transform((j, i))
            centers[i, j] = (x, pixel_height - y)
    x0, y0 = ax.transData.transform((0, 0))
    x1, y1 = ax.transData.transform((1, 1))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return HeatmapImage(png=buffer.getvalue(), width=pixel_width, height=pixel_height, centers=centers,
                        cell_size=(abs(x1 - x0), abs(y1 - y0)), values=matrix.copy(), scale_top=top)
