"""Indicator phrases in both languages, the keyword baseline, and the agreement metrics."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import cohen_kappa_score

from nlp_iom.coding.keywords import IndicatorMatcher, KeywordClassifier
from nlp_iom.evaluation.scoring import cohen_kappa, prf


def test_indonesian_affixes_meet_the_indicator() -> None:
    matcher = IndicatorMatcher("haas")
    text = "Dinas Sosial melaksanakan penyuluhan, dan pelaksanaan pengawasan dilakukan oleh Gubernur."
    found = {(m.code, text[m.start:m.end]) for m in matcher.find(text)}
    assert ("rule-application", "melaksanakan") in found
    assert ("rule-application", "pelaksanaan") in found
    assert ("socialization", "penyuluhan") in found
    assert ("rule-adjudication", "pengawasan") in found


def test_english_inflections_meet_the_indicator_but_short_words_stay_exact() -> None:
    matcher = IndicatorMatcher("haas")
    text = "IOM coordinated the task forces, and the parliament adopted two laws; lawyers watched."
    found = {(m.code, text[m.start:m.end]) for m in matcher.find(text)}
    assert ("aggregation", "coordinated") in found
    assert ("aggregation", "task forces") in found
    assert ("rule-making", "adopted") in found
    assert ("rule-making", "laws") in found
    assert not any(span == "lawyers" for _, span in found)


def test_keyword_baseline_predicts_codes_from_indicators() -> None:
    clf = KeywordClassifier("ingo")
    pred = clf.predict(["IOM signed a memorandum of understanding with the province.",
                        "The study used qualitative interviews."])
    assert pred.shape == (2, 3)
    assert pred[0, clf.codebook.code_ids.index("partner")] == 1
    assert pred[1].sum() == 0


def test_kappa_matches_sklearn_and_handles_constant_columns() -> None:
    rng = np.random.default_rng(0)
    a = rng.integers(0, 2, 200)
    b = np.where(rng.random(200) < 0.8, a, 1 - a)
    assert abs(cohen_kappa(a, b) - cohen_kappa_score(a, b)) < 1e-9
    assert cohen_kappa(np.zeros(5), np.zeros(5)) == 1.0
    assert prf(np.array([1, 1, 0, 0]), np.array([1, 0, 1, 0])) == (0.5, 0.5, 0.5)


def _one_pass_per_pattern(matcher, text: str) -> list:
    """The matcher's definition, written plainly: every pattern tried at every position."""
    from nlp_iom.coding.keywords import _WORD, Match, _en_matches, stem_id

    tokens = [(m.group(0).lower(), m.start(), m.end()) for m in _WORD.finditer(text)]
    words = [t[0] for t in tokens]
    stems = [stem_id(w) for w in words]
    found = []
    for code_id, phrase, lang, pattern in matcher._patterns:
        n = len(pattern)
        for i in range(len(tokens) - n + 1):
            if lang == "id":
                ok = all(stems[i + k] == pattern[k] for k in range(n))
            else:
                ok = all(_en_matches(pattern[k], words[i + k]) for k in range(n))
            if ok:
                found.append(Match(code_id, phrase, lang, tokens[i][1], tokens[i + n - 1][2]))
    found.sort(key=lambda m: (m.start, m.code))
    return found


def test_indexed_matching_finds_exactly_what_every_pattern_at_every_position_finds() -> None:
    from nlp_iom.coding.keywords import IndicatorMatcher
    from nlp_iom.training.classify_gold import load_gold

    texts = [r["text"] for r in load_gold()[::5]]  # 300 real passages, both languages
    for book in ("haas", "ingo"):
        matcher = IndicatorMatcher(book)
        found = [matcher.find(t) for t in texts]
        assert sum(map(len, found)) > 100
        assert found == [_one_pass_per_pattern(matcher, t) for t in texts]
