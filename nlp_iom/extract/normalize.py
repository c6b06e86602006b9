"""Text normalisation shared by all readers: Unicode, ligatures, whitespace and dehyphenation."""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

#: Characters mapped before NFKC (quotes stay typographic; only oddities are fixed).
CHAR_MAP = str.maketrans({"\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2010": "-", "\u2011": "-", "\u00ad": ""})
SPACES = re.compile(r"[ \t\f\v]+")
LINE_END_HYPHEN = re.compile(r"(?<![^\W\d_])([^\W\d_]+)-$")  # starts only where a letter run starts
WORD_START = re.compile(r"[^\W\d_]+")
#: Two halves of a word split at a hyphen count as reduplication ("kasus-kasus",
#: "bermain-main", "sayur-sayuran") when they share a stretch this long relative to the shorter half.
REDUPLICATION_OVERLAP = 0.6
MIN_REDUPLICATION = 3


def normalize_text(text: str) -> str:
    """NFKC (ligatures such as "ﬁ" become "fi"), odd spaces to plain ones, runs of spaces collapsed."""
    text = unicodedata.normalize("NFKC", text.translate(CHAR_MAP))
    return SPACES.sub(" ", text)


def is_reduplication(left: str, right: str) -> bool:
    """True when ``left-right`` is an Indonesian reduplication or a repeated stem, not a line-break split."""
    a, b = left.lower(), right.lower()
    if a == b or a.endswith(b) and len(b) >= MIN_REDUPLICATION or b.startswith(a) and len(a) >= MIN_REDUPLICATION:
        return True
    match = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return match.size >= max(MIN_REDUPLICATION + 1, REDUPLICATION_OVERLAP * min(len(a), len(b)))


def dehyphenate_join(left: str, right: str, vocabulary: set[str] | None = None) -> str:
    """Join two lines, mending a word hyphenated across the break.

    Real hyphens stay: reduplication ("negara-\\nnegara" -> "negara-negara"), capitalised or
    numeric prefixes ("COVID-\\n19", "Asia-\\nPacific"), and compounds the document spells with a
    hyphen elsewhere (given ``vocabulary``). Otherwise "dehypenisa-\\ntion" -> "dehypenisation".

    Args:
        left: Text so far (the earlier line).
        right: The next line.
        vocabulary: Lower-cased words seen in the document, used to decide doubtful cases.
    """
    left, right = left.rstrip(), right.lstrip()
    if not left:
        return right
    if not right:
        return left
    if not left.endswith("-") or left.endswith("--") or len(left) < 2 or left[-2].isspace():
        return f"{left} {right}"
    match = LINE_END_HYPHEN.search(left)
    nxt = WORD_START.match(right)
    if match is None or nxt is None or not right[0].islower():
        return left + right  # "COVID-" + "19", "Asia-" + "Pacific", "2016-" + "2023"
    prefix, suffix = match.group(1), nxt.group(0)
    joined = (prefix + suffix).lower()
    if is_reduplication(prefix, suffix):
        return left + right
    if vocabulary is not None:
        hyphenated = f"{prefix}-{suffix}".lower()
        if hyphenated in vocabulary and joined not in vocabulary:
            return left + right
    return left[:-1] + right
