"""Validate gold.jsonl: schema, offsets, overlaps, labels; print spans for reading.

Usage: python corpora/ner_gold/validate.py [FILE.jsonl] [--spans] [--consistency]
FILE defaults to gold.jsonl next to this script (pass_a.jsonl, pass_b.jsonl, heldout.jsonl use the
same schema). Exit code 1 on any schema/offset error.
"""
import collections
import json
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).parent
LABELS = {"PER", "ORG", "LOC", "LAW", "DATE"}
SUBTYPES = {"IGO", "INGO", "NGO", "GOV", "ACADEMIC", "OTHER"}


def main(argv):
    files = [a for a in argv if not a.startswith("--")]
    path = pathlib.Path(files[0]) if files else HERE / "gold.jsonl"
    rows = [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
    errors, ids = [], set()
    for r in rows:
        rid = r.get("id")
        if not {"id", "text", "lang", "source", "entities"} <= set(r) <= {"id", "text", "lang", "source", "entities", "split"}:
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
            if (s > 0 and text[s - 1].isalnum()) or (e < len(text) and text[e].isalnum()):
                errors.append(f"{rid}: span cuts a word {span!r}")
    if "--spans" in argv:
        for r in rows:
            for s, e, lab, sub in r["entities"]:
                print(f"{r['id']}\t{lab}{'/' + sub if sub else ''}\t{r['text'][s:e]}")
    if "--consistency" in argv:
        # surface strings annotated somewhere; report unannotated occurrences elsewhere
        surf = collections.defaultdict(set)
        for r in rows:
            for s, e, lab, sub in r["entities"]:
                surf[r["text"][s:e]].add(lab)
        for r in rows:
            covered = [(s, e) for s, e, *_ in r["entities"]]
            for form in surf:
                if len(form) < 3:
                    continue
                for m in re.finditer(re.escape(form), r["text"]):
                    s, e = m.span()
                    t = r["text"]
                    if (s > 0 and t[s - 1].isalnum()) or (e < len(t) and t[e].isalnum()):
                        continue
                    if not any(cs <= s and e <= ce for cs, ce in covered):
                        print(f"UNANNOTATED\t{r['id']}\t{form}\t{sorted(surf[form])}")
    n = len(rows)
    langs = collections.Counter(r["lang"] for r in rows)
    ents = collections.Counter(x[2] for r in rows for x in r["entities"])
    subs = collections.Counter(x[3] for r in rows for x in r["entities"] if x[2] == "ORG")
    empty = sum(1 for r in rows if not r["entities"])
    print(f"sentences={n} langs={dict(langs)} empty={empty} ({empty / n:.1%}) entities={dict(ents)} org_subtypes={dict(subs)}", file=sys.stderr)
    for err in errors:
        print("ERROR", err, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
