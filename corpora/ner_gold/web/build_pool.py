"""Draw the web-text sentence pool of the NER domain gold from ``../shared/texts/web``.

Up to two sentences per web excerpt (8 to 60 words, at least one capitalised word after the first,
so that most sentences name something), drawn with a fixed seed; each sentence keeps its file, and
takes the dev/test split of that document in the coding gold (``corpora/classify_gold/gold.jsonl``,
split by source), so that a document is test for every component or for none.

    python corpora/ner_gold/web/build_pool.py            # writes pool.jsonl beside this file
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from nlp_iom.ner.sentences import split_sentences
from nlp_iom.training.classify_gold import GOLD as CODING_GOLD
from nlp_iom.training.classify_gold import load_jsonl

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
WEB = ROOT.parent / "shared" / "texts" / "web"
SEED = 20261206
PER_FILE = 2
CAPITALISED = re.compile(r"\s[A-Z][\w'’.-]+")


def splits() -> dict[str, str]:
    """Web file stem -> ``dev``/``test``, from the coding gold's split by source."""
    return {row["doc"][4:]: row["split"] for row in load_jsonl(CODING_GOLD) if row["doc"].startswith("web/")}


def body_of(path: Path) -> str:
    """The excerpt without its YAML header."""
    text = path.read_text(encoding="utf-8")
    return text.split("---", 2)[2] if text.startswith("---") else text


def candidates(path: Path, language: str) -> list[str]:
    """Sentences of one excerpt that may go into the pool."""
    text = body_of(path)
    out = []
    for start, end in split_sentences(text, "id" if language == "id" else "en"):
        sentence = " ".join(text[start:end].split())
        words = sentence.split()
        if 8 <= len(words) <= 60 and CAPITALISED.search(sentence) and "[email]" not in sentence:
            out.append(sentence)
    return out


def main() -> int:
    rng = random.Random(SEED)
    split = splits()
    rows = []
    for path in sorted(WEB.glob("*_*.md")):
        language = path.stem.split("_")[0]
        pool = candidates(path, language)
        for k, sentence in enumerate(sorted(rng.sample(pool, min(PER_FILE, len(pool))), key=pool.index)):
            rows.append({"id": f"nerweb-{path.stem}-{k}", "text": sentence, "lang": language,
                         "source": f"../shared/texts/web/{path.name}", "split": split.get(path.stem, "dev")})
    (HERE / "pool.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} sentences from {len({r['source'] for r in rows})} excerpts; "
          f"{sum(r['lang'] == 'id' for r in rows)} id; {sum(r['split'] == 'test' for r in rows)} test")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
