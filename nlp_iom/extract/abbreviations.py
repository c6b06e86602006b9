"""Abbreviations: DAFTAR SINGKATAN / LIST OF ABBREVIATIONS lists and in-text
definitions found with a Schwartz–Hearst style matcher adapted to Indonesian.

Indonesian texts often pair an English long form with an Indonesian short form
("Integrated Service Center for the Empowerment of Women and Children
(P2TP2A)"), so when the letter match fails a Title-Case phrase right before an
all-caps short form is accepted as the long form.
"""

from __future__ import annotations

import re

from nlp_iom.document import Abbreviation
from nlp_iom.extract.references import UPPER, clean_markup

#: One list entry: short form, separator (tab, 2+ spaces, colon, dash, equals), long form.
LIST_ENTRY_RE = re.compile(
    r"^\s*(?:[-*•]\s+)?(?P<short>[\w][\w&./'’\-]{0,24})\s*(?:\t+\s*|\s{2,}|\s*[:=]\s*|\s+[–—-]\s+)(?P<long>\S.*?)\s*$"
)
#: A lower-case word glued in front of an upper-case short form ("kerjaNGO").
GLUED_PREFIX_RE = re.compile(r"^[a-z]{3,}(?=[" + UPPER + r"][" + UPPER + r"\d&./\-]+$)")
#: Table-of-contents leaders and trailing page numbers ("..... 12").
LEADER_RE = re.compile(r"\.{3,}|…")
ROMAN_OR_NUMBER_RE = re.compile(r"^(?:(?=[mdclxvi])m*(?:c[md]|d?c{0,3})(?:x[cl]|l?x{0,3})(?:i[xv]|v?i{0,3})|\d+)$", re.I)
UPPER_CHAR_RE = re.compile(r"[" + UPPER + r"]")
#: Minimum upper-case letters for a list short form accepted without a letter match.
MIN_UPPER_IN_LIST = 2

#: Parenthesised text (no nesting).
PAREN_RE = re.compile(r"\(([^()\n]{1,200})\)")
#: Short-form candidate: 2-12 characters, starts with a letter or digit.
SHORT_FORM_RE = re.compile(r"^[\w][\w&./\-]{1,11}(?:\s[" + UPPER + r"\d][\w&./\-]{1,11})?$")
MIN_SF_LETTERS = 2
#: "(selanjutnya disebut IOM)" / "(hereinafter IOM)".
HEREAFTER_RE = re.compile(
    r"^(?:selanjutnya\s+)?(?:disebut|disingkat|dikenal\s+dengan|hereinafter|hereafter|henceforth)\s+"
    r"(?:(?:sebagai|as|called|referred\s+to\s+as)\s+)?[\"“']?(?P<sf>[^\"”']+?)[\"”']?$",
    re.I,
)
#: Where the long form candidate stops (sentence or clause punctuation, paragraph break).
LONG_BOUNDARY_RE = re.compile(r"[.;:!?()\[\]]|\n\s*\n")
WORD_RE = re.compile(r"\S+")
YEARISH_RE = re.compile(r"\d{4}")
#: Lower-case words allowed inside a Title-Case long form.
CONNECTORS = frozenset(
    "of for the and dan di untuk dari on in to & pada bagi atas serta yang dengan dalam ke".split()
)
#: Capitalised words that start a sentence rather than a name.
LEADING_ARTICLES = frozenset("The A An Para Sebuah Suatu This These Its".split())
#: Minimum share of upper-case letters for an all-caps short form (fallback).
MIN_UPPER_SHARE = 0.6
MIN_CAPITALISED_WORDS = 2


def _sf_letters(short: str) -> str:
    """The letters and digits of a short form."""
    return "".join(ch for ch in short if ch.isalnum())


def _word_limit(short: str) -> int:
    """Schwartz–Hearst window: min(|SF| + 5, |SF| * 2) words."""
    size = len(_sf_letters(short))
    return min(size + 5, size * 2)


def _is_short_form(candidate: str) -> bool:
    """Whether ``candidate`` can be a short form (not a year, number, roman numeral or word)."""
    if not SHORT_FORM_RE.match(candidate) or YEARISH_RE.search(candidate) or ". " in candidate:
        return False
    letters = [ch for ch in candidate if ch.isalpha()]
    if len(letters) < MIN_SF_LETTERS or ROMAN_OR_NUMBER_RE.match(candidate):
        return False
    return bool(UPPER_CHAR_RE.match(candidate)) and len(UPPER_CHAR_RE.findall(candidate)) >= MIN_SF_LETTERS


def match_long_form(short: str, candidate: str) -> str | None:
    """Schwartz–Hearst best long form, case-insensitive and digit tolerant.

    Short-form characters are matched right to left in ``candidate``; the first
    one must begin a word. Digits absent from the candidate (the ``2`` of
    ``P2TP2A``) are skipped; other non-alphanumerics are ignored.

    Args:
        short: The short form, e.g. ``"GT-PPTPPO"``.
        candidate: Text just before (or inside) the parentheses.

    Returns:
        The shortest suffix of ``candidate`` that matches, or None.
    """
    chars = [ch.lower() for ch in short if ch.isalnum()]
    text = candidate.lower()
    pos = len(text) - 1
    for index in range(len(chars) - 1, -1, -1):
        ch = chars[index]
        if ch.isdigit() and ch not in text[: pos + 1]:
            continue
        first = index == 0 or all(c.isdigit() and c not in text for c in chars[:index])
        while pos >= 0 and (text[pos] != ch or (first and pos > 0 and text[pos - 1].isalnum())):
            pos -= 1
        if pos < 0:
            return None
        pos -= 1
    start = max(text.rfind(" ", 0, pos + 1), text.rfind("\n", 0, pos + 1)) + 1
    long_form = candidate[start:].strip(" ,")
    if not long_form or long_form.lower() == short.lower() or len(long_form) <= len(short):
        return None
    return long_form


def _title_case_phrase(words: list[str]) -> str | None:
    """The trailing run of Capitalised words (with connectors) in ``words``."""
    run: list[str] = []
    for word in reversed(words):
        bare = word.strip(",")
        if word.endswith(",") and run:
            break
        if bare[:1].isupper() or bare in CONNECTORS:
            run.insert(0, bare)
            if word.endswith(",") or bare != word:
                break
        else:
            break
    while run and (run[0] in CONNECTORS or run[0] in LEADING_ARTICLES):
        run.pop(0)
    if sum(1 for w in run if w[:1].isupper()) < MIN_CAPITALISED_WORDS or any(YEARISH_RE.search(w) for w in run):
        return None
    return " ".join(run)


def _mostly_upper(short: str) -> bool:
    """Whether the letters of ``short`` are mostly upper case (an acronym)."""
    letters = [ch for ch in short if ch.isalpha()]
    return bool(letters) and sum(ch.isupper() for ch in letters) / len(letters) >= MIN_UPPER_SHARE


def _long_before(short: str, before: str) -> str | None:
    """Long form for ``short`` taken from the text preceding its parentheses."""
    boundary = list(LONG_BOUNDARY_RE.finditer(before))
    clause = before[boundary[-1].end() :] if boundary else before
    words = WORD_RE.findall(clause.replace("\n", " "))[-_word_limit(short) :]
    if not words:
        return None
    strict = match_long_form(short, " ".join(words))
    if strict:
        return strict
    return _title_case_phrase(words) if _mostly_upper(short) else None


def find_definitions(text: str) -> list[Abbreviation]:
    """Find "long form (SF)" and "SF (long form)" definitions in running text.

    Args:
        text: Passage text in English or Indonesian.

    Returns:
        One :class:`Abbreviation` (source ``"text"``) per distinct short form,
        in order of first definition.
    """
    found: dict[str, Abbreviation] = {}
    for m in PAREN_RE.finditer(text):
        inner = m.group(1).strip()
        hereafter = HEREAFTER_RE.match(inner)
        if hereafter and _is_short_form(hereafter.group("sf").strip()):
            short = hereafter.group("sf").strip()
            long_form = _long_before(short, text[: m.start()])
        elif _is_short_form(inner):
            short = inner
            long_form = _long_before(short, text[: m.start()])
        else:
            before = WORD_RE.findall(text[max(0, m.start() - 40) : m.start()])
            short = before[-1].strip(",") if before else ""
            if not _is_short_form(short) or len(inner.split()) < MIN_SF_LETTERS:
                continue
            words = inner.split()
            if len(words) > _word_limit(short):
                continue
            long_form = match_long_form(short, inner)
            if long_form != inner:
                long_form = inner if _mostly_upper(short) and _title_case_phrase(words) == inner else None
        if long_form and short not in found:
            found[short] = Abbreviation(short=short, long=long_form, source="text")
    return list(found.values())


def _letters_in_order(short: str, long_form: str) -> bool:
    """Whether the letters of ``short`` occur in order in ``long_form`` (any case)."""
    rest = iter(long_form.lower())
    return all(ch in rest for ch in short.lower() if ch.isalpha())


def parse_abbreviation_list(lines: list[str]) -> list[Abbreviation]:
    """Parse the lines of an abbreviation list.

    Accepts "IOM<TAB>International ...", "IOM : International ...",
    "IOM  International ..." (two or more spaces) and "IOM – International ...".
    A lower-case word glued to the short form by PDF extraction ("kerjaNGO")
    is removed. Lines that are not entries (headings, table-of-contents lines,
    page numbers) are skipped.

    Args:
        lines: Lines under the DAFTAR SINGKATAN / LIST OF ABBREVIATIONS heading.

    Returns:
        Abbreviations with source ``"list"``, first occurrence of each short form.
    """
    found: dict[str, Abbreviation] = {}
    for raw in lines:
        line = clean_markup(raw).rstrip()
        m = LIST_ENTRY_RE.match(line)
        if not m:
            continue
        short = GLUED_PREFIX_RE.sub("", m.group("short")).strip(" .:")
        long_form = m.group("long").strip(" :–—-")
        if LEADER_RE.search(line) or ROMAN_OR_NUMBER_RE.match(long_form) or not any(ch.isalpha() for ch in long_form):
            continue
        if ROMAN_OR_NUMBER_RE.match(short) or not any(ch.isalpha() for ch in short):
            continue
        upper = len(UPPER_CHAR_RE.findall(short))
        if upper < MIN_UPPER_IN_LIST and not (upper and _letters_in_order(short, long_form)):
            continue
        if short not in found:
            found[short] = Abbreviation(short=short, long=long_form, source="list")
    return list(found.values())
