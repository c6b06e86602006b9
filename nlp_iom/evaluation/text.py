"""Text comparison for evaluation: word accuracy (1 - word error rate) and fuzzy field matching."""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def norm_words(text: str) -> list[str]:
    """Lower-cased word tokens without punctuation, accents folded (``“Sambas,”`` -> ``sambas``)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return [w for w in _NON_WORD.split(folded.lower()) if w]


def edit_distance(a: list[str], b: list[str]) -> int:
    """Levenshtein distance between two token sequences (substitution, insertion, deletion cost 1)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        current = [i]
        for j, y in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def word_accuracy(reference: str, hypothesis: str) -> float:
    """``1 - WER`` of ``hypothesis`` against ``reference`` over normalised words, floored at 0.

    An empty reference scores 1.0 when the hypothesis is empty too, else 0.0.
    """
    ref, hyp = norm_words(reference), norm_words(hypothesis)
    if not ref:
        return 1.0 if not hyp else 0.0
    return max(0.0, 1.0 - edit_distance(ref, hyp) / len(ref))


def similarity(a: str | None, b: str | None) -> float:
    """Similarity (0-1) of two strings over normalised words; 1.0 when both are empty or None."""
    wa, wb = norm_words(a or ""), norm_words(b or "")
    if not wa and not wb:
        return 1.0
    return SequenceMatcher(None, wa, wb, autojunk=False).ratio()


def contains_words(haystack: str, needle: str, min_share: float = 0.9) -> bool:
    """True when ``needle``'s words appear in order in ``haystack`` with at most 10% of them lost.

    Used to find a gold passage inside an extracted text: it tolerates a mended hyphen or an OCR slip.
    """
    words = norm_words(needle)
    if not words:
        return True
    text = " ".join(norm_words(haystack))
    if " ".join(words) in text:
        return True
    hay = text.split()
    matcher = SequenceMatcher(None, hay, words, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return matched / len(words) >= min_share
