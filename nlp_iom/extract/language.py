"""Offline language identification of passages: ``id``, ``en``, ``mixed``, another ISO code, or ``und``.

Built on py3langid (langid.py's model, shipped inside the package, BSD). Malay is
folded into Indonesian: the two are often confused on short text, and both go to
the Indonesian pipeline. URLs and e-mail addresses are removed before judging (py3langid
reads ``waleeda@allenai.org`` or ``www.cagi.ch/en/ngo.php`` as Indonesian); formulas and code
(few letters among the characters) are ``und``; on short text, where py3langid's character
n-grams are weak, the function words of each language can overrule it.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: The product's two languages.
TARGET_LANGUAGES = ("id", "en")
MIXED = "mixed"
UNDETERMINED = "und"
#: Fewer letters than this: too short to tell.
MIN_LETTERS = 12
#: A third language must beat both targets with at least this probability (over all languages).
OTHER_LANGUAGE_CONFIDENCE = 0.9
#: Each language needs this share of the letters for a passage to count as mixed.
MIXED_SHARE = 0.25
#: Sentences shorter than this (letters) are not judged alone.
MIN_SENTENCE_LETTERS = 25
SENTENCE_SPLIT = re.compile(r"(?<=[.!?;:])\s+(?=[\"“(]?[A-Z0-9])")
LETTER = re.compile(r"[^\W\d_]")
LOWER_WORD = re.compile(r"\b[a-zà-ÿ]{2,}\b")
#: Running text has at least this many lower-case words; tables of figures and acronyms do not.
MIN_LOWER_WORDS = 3
#: Running text is mostly letters; formulas and code have fewer among their non-space characters.
MIN_LETTER_SHARE = 0.6
#: Text with fewer letters than this is "short": function words may overrule py3langid.
SHORT_LETTERS = 200
#: On short text, one language's function words must outnumber the other's by this many.
FUNCTION_WORD_MARGIN = 2
#: E-mail addresses, URLs and bare domains, left out of language identification. Every repetition is
#: bounded and anchored at a token start, so a long run without spaces costs linear time (#19).
URL_OR_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}|(?:https?://|www\.)\S+|"
    r"(?<![\w.-])[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}\.(?:org|com|net|int|edu|gov|ac\.id|go\.id|or\.id)(?:/\S*)?",
    re.IGNORECASE,
)
WORD = re.compile(r"[^\W\d_]+")
#: Frequent function words that the other language does not use as words.
FUNCTION_WORDS = {
    "en": frozenset(
        "the of and to in for with on is are was were by from this that these as at an be has have "
        "which its their my our or not it".split()
    ),
    "id": frozenset(
        "dan di yang untuk dari ke dengan ini itu pada dalam atau oleh sebagai adalah tidak akan "
        "juga serta bahwa telah sudah kami saya kita mereka aku kamu dapat".split()
    ),
}


@lru_cache(maxsize=1)
def _identifier() -> object:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _scores(text: str) -> dict[str, float]:
    return {lang: float(score) for lang, score in _identifier().rank(text)}  # type: ignore[attr-defined]


def _target(scores: dict[str, float]) -> str:
    indonesian = scores.get("id", 0.0) + scores.get("ms", 0.0)
    return "id" if indonesian >= scores.get("en", 0.0) else "en"


def function_word_counts(text: str) -> dict[str, int]:
    """How many words of ``text`` are function words of each target language."""
    counts = dict.fromkeys(TARGET_LANGUAGES, 0)
    for word in WORD.findall(text.lower()):
        for lang, words in FUNCTION_WORDS.items():
            counts[lang] += word in words
    return counts


def _function_words_overrule(text: str, language: str, letters: int) -> str:
    """On short text, the other target language when its function words clearly outnumber."""
    if letters >= SHORT_LETTERS:
        return language
    counts = function_word_counts(text)
    other = "en" if language == "id" else "id"
    return other if counts[other] - counts[language] >= FUNCTION_WORD_MARGIN else language


def detect_language(text: str) -> str:
    """Return ``id``, ``en``, ``mixed``, another ISO 639-1 code, or ``und`` for ``text``.

    A passage is ``mixed`` when at least a quarter of its letters sit in sentences of each
    target language. English terms inside an Indonesian sentence do not make it mixed.
    """
    text = URL_OR_EMAIL.sub(" ", text)
    letters = len(LETTER.findall(text))
    if letters < MIN_LETTERS or len(LOWER_WORD.findall(text)) < MIN_LOWER_WORDS:
        return UNDETERMINED  # too short, or a table of numbers and acronyms
    if letters < MIN_LETTER_SHARE * len("".join(text.split())):
        return UNDETERMINED  # a formula or code
    scores = _scores(text)
    best = max(scores, key=scores.__getitem__)
    if best not in ("id", "ms", "en") and scores[best] >= OTHER_LANGUAGE_CONFIDENCE:
        return best
    overall = _function_words_overrule(text, _target(scores), letters)
    sentences = [s for s in SENTENCE_SPLIT.split(text) if len(LETTER.findall(s)) >= MIN_SENTENCE_LETTERS]
    if len(sentences) < 2:
        return overall
    shares = {lang: 0 for lang in TARGET_LANGUAGES}
    for sentence in sentences:
        shares[_target(_scores(sentence))] += len(LETTER.findall(sentence))
    total = sum(shares.values())
    if all(share >= MIXED_SHARE * total for share in shares.values()):
        return MIXED
    return overall


def document_language(languages: list[str], weights: list[int]) -> str:
    """The language of a whole document from its passages' languages, weighted by length."""
    totals: dict[str, int] = {}
    for lang, weight in zip(languages, weights):
        if lang in TARGET_LANGUAGES:
            totals[lang] = totals.get(lang, 0) + weight
    if not totals:
        return UNDETERMINED
    ranked = sorted(totals.items(), key=lambda kv: -kv[1])
    if len(ranked) > 1 and ranked[1][1] >= MIXED_SHARE * sum(totals.values()) * 2:
        return MIXED
    return ranked[0][0]
