"""One date parser for metadata, citations and NER: English and Indonesian month names.

Forms read: "22 January 2020", "22 January, 2020", "24 Juni 2024", "July 30, 2019",
"Okt. 2, 2019", ISO "2019-10-02" and numeric day-first "02/10/2019" or "02.10.2019"
(the Indonesian and British order). A date is returned only when day, month and year
make a real calendar day, so "31 Juni 2020" is not a date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

#: A year that can stand in a date or a citation.
YEAR = r"(?:1[6-9]\d\d|20\d\d)"
#: English and Indonesian month names and abbreviations -> month number.
MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            ("january", "januari", "jan"),
            ("february", "februari", "feb", "pebruari", "peb"),
            ("march", "maret", "mar"),
            ("april", "apr"),
            ("may", "mei"),
            ("june", "juni", "jun"),
            ("july", "juli", "jul"),
            ("august", "agustus", "aug", "agu", "agt", "ags"),
            ("september", "sep", "sept"),
            ("october", "oktober", "oct", "okt"),
            ("november", "nopember", "nov"),
            ("december", "desember", "dec", "des"),
        ),
        start=1,
    )
    for name in names
}
#: A month name, longest first so "juni" wins over "jun", with an optional abbreviation dot.
MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
#: "October 2, 2019" / "Okt. 2 2019".
DATE_MDY_RE = re.compile(r"\b(?P<month>" + MONTH + r")\s+(?P<day>\d{1,2}),?\s+(?P<year>" + YEAR + r")\b", re.I)
#: "2 Oktober 2019" / "22 January, 2020".
DATE_DMY_RE = re.compile(r"\b(?P<day>\d{1,2})\s+(?P<month>" + MONTH + r"),?\s+(?P<year>" + YEAR + r")\b", re.I)
#: "2019-10-02".
DATE_ISO_RE = re.compile(r"\b(?P<year>" + YEAR + r")-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b")
#: "02/10/2019" / "02.10.2019" (day first).
DATE_NUM_RE = re.compile(r"\b(?P<day>\d{1,2})[/.](?P<month>\d{1,2})[/.](?P<year>" + YEAR + r")\b")
#: The forms in the order they are tried.
DATE_FORMS = (DATE_MDY_RE, DATE_DMY_RE, DATE_ISO_RE, DATE_NUM_RE)
#: One pattern (no named groups) matching any form, for embedding in larger patterns.
DATE_PATTERN = "(?:" + "|".join(re.sub(r"\?P<\w+>", "?:", rx.pattern) for rx in DATE_FORMS) + ")"
YEAR_RE = re.compile(r"\b(" + YEAR + r")\b")


@dataclass(frozen=True)
class DateMatch:
    """A full date found in a text.

    Attributes:
        iso: ``YYYY-MM-DD``.
        year: The year.
        start: Character offset where the date starts.
        end: Character offset where it ends (exclusive).
    """

    iso: str
    year: int
    start: int
    end: int


def month_number(text: str) -> int | None:
    """The month number of a month name, abbreviation or number (``"Okt."`` -> 10), else None."""
    text = text.lower().rstrip(".")
    if text.isdigit():
        number = int(text)
        return number if 1 <= number <= 12 else None
    return MONTHS.get(text)


def find_date(text: str) -> DateMatch | None:
    """The first real calendar date in ``text`` in any of the supported forms, else None.

    Forms are tried in :data:`DATE_FORMS` order; within a form the first valid match wins.
    """
    for rx in DATE_FORMS:
        for m in rx.finditer(text):
            month = month_number(m.group("month"))
            if month is None:
                continue
            try:
                value = date(int(m.group("year")), month, int(m.group("day")))
            except ValueError:
                continue
            return DateMatch(value.isoformat(), value.year, m.start(), m.end())
    return None


def parse_date(text: str) -> str | None:
    """``YYYY-MM-DD`` of the first full date in ``text``, else None."""
    found = find_date(text)
    return found.iso if found else None


def parse_date_year(text: str) -> tuple[str | None, int | None]:
    """``(iso_date, year)``: the date as :func:`parse_date`; the year falls back to any year in ``text``."""
    found = find_date(text)
    if found:
        return found.iso, found.year
    year = YEAR_RE.search(text)
    return None, int(year.group(1)) if year else None


__all__ = ["DATE_PATTERN", "MONTH", "MONTHS", "YEAR", "DateMatch", "find_date", "month_number", "parse_date",
           "parse_date_year"]
