"""Turn hand-written mention lists into character-offset spans for the NER gold files.

An annotator writes, per sentence, the mentions in reading order, one annotation line per
sentence::

    nergold-S0-053<TAB>Sambas Regional Police|ORG/GOV ;; 2018|DATE

This module finds each mention in its sentence (whole-word match, searching from the end of the
previous mention, so repeated strings are resolved by order; ``Ceko#2|LOC`` takes the second
whole-word match after the previous mention, skipping an unannotated one) and writes rows of the gold schema
(``{"id", "text", "lang", "source", "entities": [[start, end, label, subtype], ...]}``).

Usage: python corpora/ner_gold/mentions.py TEXTS_JSONL ANNOTATIONS_TXT [ANNOTATIONS_TXT ...] -o OUT_JSONL
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from nlp_iom.errors import NlpIomError

#: Separator between mentions on one annotation line.
MENTION_SEPARATOR = " ;; "
#: Separator between the mention string and its label.
LABEL_SEPARATOR = "|"
#: ``surface#k``: take the k-th whole-word match after the previous mention.
OCCURRENCE = re.compile(r"^(?P<surface>.+)#(?P<k>[1-9])$")
LABELS = frozenset({"PER", "ORG", "LOC", "LAW", "DATE"})
SUBTYPES = frozenset({"IGO", "INGO", "NGO", "GOV", "ACADEMIC", "OTHER"})

Span = tuple[int, int, str, "str | None"]


class MentionError(NlpIomError):
    """A written mention cannot be found in its sentence or carries a bad label."""


def _is_word_boundary(text: str, start: int, end: int) -> bool:
    """True if ``text[start:end]`` is not glued to letters or digits on either side."""
    before_ok = start == 0 or not text[start - 1].isalnum()
    after_ok = end == len(text) or not text[end].isalnum()
    return before_ok and after_ok


def parse_label(raw: str) -> tuple[str, str | None]:
    """Split ``"ORG/GOV"`` into ``("ORG", "GOV")`` and check both parts.

    Raises:
        MentionError: Unknown label or subtype, or a subtype on a label other than ORG.
    """
    label, _, subtype = raw.strip().partition("/")
    if label not in LABELS:
        raise MentionError(f"unknown label {raw!r}")
    if label == "ORG" and subtype not in SUBTYPES:
        raise MentionError(f"ORG needs a subtype from {sorted(SUBTYPES)}, got {raw!r}")
    if label != "ORG" and subtype:
        raise MentionError(f"subtype only on ORG, got {raw!r}")
    return label, (subtype or None)


def locate(text: str, mentions: list[tuple[str, str, str | None]]) -> list[Span]:
    """Find each ``(surface, label, subtype)`` in ``text`` in order; return offset spans.

    Raises:
        MentionError: A mention is not found (whole word) after the previous one.
    """
    spans: list[Span] = []
    cursor = 0
    for written, label, subtype in mentions:
        numbered = OCCURRENCE.match(written)
        surface, wanted = (numbered["surface"], int(numbered["k"])) if numbered else (written, 1)
        seen = 0
        for match in re.finditer(re.escape(surface), text[cursor:]):
            start, end = cursor + match.start(), cursor + match.end()
            if _is_word_boundary(text, start, end):
                seen += 1
                if seen == wanted:
                    spans.append((start, end, label, subtype))
                    cursor = end
                    break
        else:
            raise MentionError(f"{written!r} not found after offset {cursor} in {text!r}")
    return spans


def parse_line(line: str) -> tuple[str, list[tuple[str, str, str | None]]]:
    """Parse one annotation line into its sentence id and mention list."""
    sentence_id, _, rest = line.rstrip("\n").partition("\t")
    mentions = []
    for item in (part for part in rest.split(MENTION_SEPARATOR) if part.strip()):
        surface, sep, raw_label = item.rpartition(LABEL_SEPARATOR)
        if not sep:
            raise MentionError(f"{sentence_id}: no label in {item!r}")
        mentions.append((surface, *parse_label(raw_label)))
    return sentence_id.strip(), mentions


def build(texts: list[dict], annotation_lines: list[str]) -> list[dict]:
    """Rows of the gold schema for every text, with spans from the annotation lines.

    Raises:
        MentionError: A sentence has no annotation line, two lines, or a mention not found.
    """
    by_id: dict[str, list[tuple[str, str, str | None]]] = {}
    for line in annotation_lines:
        if not line.strip():
            continue
        sentence_id, mentions = parse_line(line)
        if sentence_id in by_id:
            raise MentionError(f"{sentence_id}: annotated twice")
        by_id[sentence_id] = mentions
    missing = [row["id"] for row in texts if row["id"] not in by_id]
    extra = sorted(set(by_id) - {row["id"] for row in texts})
    if missing or extra:
        raise MentionError(f"unannotated ids {missing[:5]}..., unknown ids {extra[:5]}")
    rows = []
    for row in texts:
        spans = locate(row["text"], by_id[row["id"]])
        rows.append({
            "id": row["id"], "text": row["text"], "lang": row["lang"], "source": row["source"],
            "entities": [list(span) for span in spans],
        })
    return rows


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("texts", type=Path, help="JSONL with id/text/lang/source")
    parser.add_argument("annotations", type=Path, nargs="+", help="annotation line files")
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    texts = [json.loads(line) for line in args.texts.read_text(encoding="utf-8").splitlines() if line.strip()]
    lines = [line for path in args.annotations for line in path.read_text(encoding="utf-8").splitlines()]
    try:
        rows = build(texts, lines)
    except MentionError as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return 1
    args.output.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} rows, {sum(len(r['entities']) for r in rows)} spans -> {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
