"""The NER gold files: hand-written mention lists turned into spans, and the check of a gold file.

**Mentions.** An annotator writes, per sentence, the mentions in reading order, one annotation line per
sentence::

    nergold-S0-053<TAB>Sambas Regional Police|ORG/GOV ;; 2018|DATE

:func:`build` finds each mention in its sentence (whole-word match, searching from the end of the
previous mention, so repeated strings are resolved by order; ``Ceko#2|LOC`` takes the second
whole-word match after the previous mention, skipping an unannotated one) and writes rows of the gold
schema (``{"id", "text", "lang", "source", "entities": [[start, end, label, subtype], ...]}``)::

    nlp-iom gold ner-mentions TEXTS_JSONL ANNOTATIONS_TXT [ANNOTATIONS_TXT ...] -o OUT_JSONL

**Validation.** :func:`check` finds schema, offset, overlap and label errors; the command prints counts
and the errors on stderr and exits 1 on any error; ``--spans`` prints ``text[start:end]`` of every span,
``--consistency`` the strings annotated somewhere but left unannotated elsewhere::

    nlp-iom gold ner-validate [FILE.jsonl] [--spans] [--consistency]

FILE defaults to ``corpora/ner_gold/gold.jsonl`` (``pass_a.jsonl``, ``pass_b.jsonl``, ``heldout.jsonl``,
``law.jsonl`` and ``web/gold.jsonl`` use the same schema).
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
from pathlib import Path
from typing import Any

from nlp_iom.errors import NlpIomError

GOLD = Path(__file__).resolve().parents[2] / "corpora" / "ner_gold" / "gold.jsonl"
LABELS = frozenset({"PER", "ORG", "LOC", "LAW", "DATE"})
SUBTYPES = frozenset({"IGO", "INGO", "NGO", "GOV", "ACADEMIC", "OTHER"})
#: Keys every row has, and the one it may have besides (the dev/test split of a split gold file).
REQUIRED_KEYS = frozenset({"id", "text", "lang", "source", "entities"})
ALLOWED_KEYS = REQUIRED_KEYS | {"split"}

Span = tuple[int, int, str, "str | None"]


def _is_word_boundary(text: str, start: int, end: int) -> bool:
    """True if ``text[start:end]`` is not glued to letters or digits on either side."""
    before_ok = start == 0 or not text[start - 1].isalnum()
    after_ok = end == len(text) or not text[end].isalnum()
    return before_ok and after_ok


# --- mentions ---

#: Separator between mentions on one annotation line.
MENTION_SEPARATOR = " ;; "
#: Separator between the mention string and its label.
LABEL_SEPARATOR = "|"
#: ``surface#k``: take the k-th whole-word match after the previous mention.
OCCURRENCE = re.compile(r"^(?P<surface>.+)#(?P<k>[1-9])$")


class MentionError(NlpIomError):
    """A written mention cannot be found in its sentence or carries a bad label."""


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


def merge_passes(pool: list[dict], pass_a: list[dict], pass_b: list[dict], adjudication: list[dict]) -> list[dict]:
    """The adjudicated gold: the spans both passes share, plus each disagreement's decided spans.

    A disagreement (``nlp-iom evaluate ner-agreement --disagreements``: overlapping differing spans of
    one sentence) is decided as ``"pass A"``, ``"pass B"`` or ``"spans"`` (then ``spans`` lists the
    ``[start, end, label, subtype]`` to keep). Rows keep the pool's ``split``.

    Raises:
        MentionError: A disagreement has no decision, or a decision matches no disagreement.
    """
    from nlp_iom.evaluation.ner_agreement import Row, disagreements

    def rows(passes: list[dict]) -> dict[str, Row]:
        return {r["id"]: Row(r["id"], r["text"], r["lang"], tuple(tuple(e) for e in r["entities"])) for r in passes}

    a, b = rows(pass_a), rows(pass_b)
    decided = {(d["id"], json.dumps(d["pass_a"]), json.dumps(d["pass_b"])): d for d in adjudication}
    chosen: dict[str, set[tuple]] = {sid: set(a[sid].entities) & set(b[sid].entities) for sid in a}
    used = set()
    for case in disagreements(a, b):
        key = (case["id"], json.dumps(case["pass_a"]), json.dumps(case["pass_b"]))
        if key not in decided:
            raise MentionError(f"{case['id']}: no decision on {case['span']!r}")
        used.add(key)
        decision = decided[key]
        spans = {"pass A": case["pass_a"], "pass B": case["pass_b"]}.get(decision["decision"], decision.get("spans"))
        if spans is None:
            raise MentionError(f"{case['id']}: decision must be 'pass A', 'pass B' or 'spans' with a list")
        chosen[case["id"]].update(tuple(span[:4]) for span in spans)
    if set(decided) - used:
        raise MentionError(f"decisions that match no disagreement: {sorted(set(decided) - used)[:3]}")
    split = {row["id"]: row.get("split") for row in pool}
    merged = []
    for row in pass_a:
        out = {key: row[key] for key in ("id", "text", "lang", "source")}
        if split.get(row["id"]):
            out["split"] = split[row["id"]]
        out["entities"] = [list(span) for span in sorted(chosen[row["id"]], key=lambda s: (s[0], s[1]))]
        merged.append(out)
    return merged


def main_merge(argv: list[str] | None = None) -> int:
    """``nlp-iom gold ner-merge``: write the adjudicated gold of two passes."""
    parser = argparse.ArgumentParser(prog="nlp-iom gold ner-merge", description=merge_passes.__doc__.splitlines()[0])
    parser.add_argument("pool", type=Path, help="the pool (for each sentence's split)")
    parser.add_argument("pass_a", type=Path)
    parser.add_argument("pass_b", type=Path)
    parser.add_argument("adjudication", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    load = lambda path: [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]  # noqa: E731
    try:
        rows = merge_passes(load(args.pool), load(args.pass_a), load(args.pass_b), load(args.adjudication))
    except MentionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    args.output.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} sentences, {sum(len(r['entities']) for r in rows)} spans")
    return 0


def main_mentions(argv: list[str] | None = None) -> int:
    """``nlp-iom gold ner-mentions``: write the gold rows of the texts; 1 if a mention is not found."""
    parser = argparse.ArgumentParser(prog="nlp-iom gold ner-mentions",
                                     description="Turn hand-written mention lists into character-offset spans.")
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


# --- validation ---

def check(rows: list[dict[str, Any]]) -> list[str]:
    """Every error of the rows: keys, duplicate ids, split, language, offsets, overlaps, labels, word cuts."""
    errors, ids = [], set()
    for r in rows:
        rid = r.get("id")
        if not REQUIRED_KEYS <= set(r) <= ALLOWED_KEYS:
            errors.append(f"{rid}: keys {sorted(r)}")
        if rid in ids:
            errors.append(f"{rid}: duplicate id")
        ids.add(rid)
        if r.get("split", "dev") not in ("dev", "test"):
            errors.append(f"{rid}: split must be dev or test")
        if r["lang"] not in ("id", "en"):
            errors.append(f"{rid}: lang {r['lang']}")
        text, prev_end = r["text"], -1
        for s, e, lab, sub in sorted(r["entities"], key=lambda x: (x[0], x[1])):
            if not (0 <= s < e <= len(text)):
                errors.append(f"{rid}: bad offsets {s},{e}")
                continue
            if s < prev_end:
                errors.append(f"{rid}: overlap at {s}")
            prev_end = max(prev_end, e)
            if lab not in LABELS:
                errors.append(f"{rid}: label {lab}")
            if lab == "ORG" and sub not in SUBTYPES:
                errors.append(f"{rid}: ORG subtype {sub}")
            if lab != "ORG" and sub is not None:
                errors.append(f"{rid}: subtype on {lab}")
            span = text[s:e]
            if span != span.strip() or not span:
                errors.append(f"{rid}: span has outer whitespace {span!r}")
            if not _is_word_boundary(text, s, e):
                errors.append(f"{rid}: span cuts a word {span!r}")
    return errors


def unannotated(rows: list[dict[str, Any]]) -> list[str]:
    """``UNANNOTATED`` lines: whole-word occurrences of an annotated string (3+ characters) left outside every span."""
    surf: dict[str, set[str]] = collections.defaultdict(set)
    for r in rows:
        for s, e, lab, _ in r["entities"]:
            surf[r["text"][s:e]].add(lab)
    lines = []
    for r in rows:
        covered = [(s, e) for s, e, *_ in r["entities"]]
        t = r["text"]
        for form in surf:
            if len(form) < 3:
                continue
            for m in re.finditer(re.escape(form), t):
                s, e = m.span()
                if not _is_word_boundary(t, s, e):
                    continue
                if not any(cs <= s and e <= ce for cs, ce in covered):
                    lines.append(f"UNANNOTATED\t{r['id']}\t{form}\t{sorted(surf[form])}")
    return lines


def main_validate(argv: list[str] | None = None) -> int:
    """``nlp-iom gold ner-validate``: check one gold file; 1 on any schema, offset or label error."""
    parser = argparse.ArgumentParser(prog="nlp-iom gold ner-validate",
                                     description="Validate an NER gold file: schema, offsets, overlaps, labels.")
    parser.add_argument("file", nargs="?", type=Path, default=GOLD, help="gold-schema JSONL (default: corpora/ner_gold/gold.jsonl)")
    parser.add_argument("--spans", action="store_true", help="print text[start:end] of every span")
    parser.add_argument("--consistency", action="store_true",
                        help="list strings annotated somewhere but left unannotated elsewhere")
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    errors = check(rows)
    if args.spans:
        for r in rows:
            for s, e, lab, sub in r["entities"]:
                print(f"{r['id']}\t{lab}{'/' + sub if sub else ''}\t{r['text'][s:e]}")
    if args.consistency:
        for line in unannotated(rows):
            print(line)
    n = len(rows)
    langs = collections.Counter(r["lang"] for r in rows)
    ents = collections.Counter(x[2] for r in rows for x in r["entities"])
    subs = collections.Counter(x[3] for r in rows for x in r["entities"] if x[2] == "ORG")
    empty = sum(1 for r in rows if not r["entities"])
    print(f"sentences={n} langs={dict(langs)} empty={empty} ({empty / max(n, 1):.1%}) entities={dict(ents)} "
          f"org_subtypes={dict(subs)}", file=sys.stderr)
    for err in errors:
        print("ERROR", err, file=sys.stderr)
    return 1 if errors else 0
