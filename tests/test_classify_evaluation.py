"""By-document evaluation pieces: grouped folds, per-language thresholds, alpha, the test split."""

from __future__ import annotations

import numpy as np
import pytest

from nlp_iom.training.classify_gold import assign_test_split, grouped_folds
from nlp_iom.coding.head import LinearHead
from nlp_iom.evaluation.scoring import cohen_kappa, krippendorff_alpha


def test_grouped_folds_never_split_a_document() -> None:
    groups = [f"doc{i % 23}" for i in range(200)]
    seen = []
    for train, test in grouped_folds(groups, 5):
        assert not {groups[i] for i in train} & {groups[i] for i in test}
        seen.extend(test)
    assert sorted(seen) == list(range(200))


def test_krippendorff_alpha_against_a_hand_computation() -> None:
    a = np.array([1, 1, 0, 0, 1, 0, 0, 0])
    b = np.array([1, 0, 0, 0, 1, 0, 1, 0])
    # nominal alpha, two coders: 1 - (n - 1) * (o_01 + o_10) / (2 * n_0 * n_1) over n = 16 pairable values;
    # 2 disagreeing units give o_01 + o_10 = 4; the values hold 6 ones and 10 zeros
    expected = 1 - (16 - 1) * 4 / (2 * 6 * 10)
    assert krippendorff_alpha(a, b) == pytest.approx(expected, abs=1e-9)
    assert krippendorff_alpha(a, a) == 1.0
    assert cohen_kappa(a, b) == pytest.approx(0.4667, abs=1e-3)


def test_language_thresholds_are_fitted_where_positives_suffice_and_survive_saving() -> None:
    rng = np.random.default_rng(0)
    n = 400
    X = rng.normal(size=(n, 6)).astype(np.float32)
    languages = ["id" if i % 2 else "en" for i in range(n)]
    # the code is easier to see in English: Indonesian scores are shifted, so its best threshold differs
    signal = X[:, 0] + np.where(np.array(languages) == "id", -0.8, 0.0)
    Y = (signal + 0.3 * rng.normal(size=n) > 0.3).astype(np.int8)[:, None]
    groups = [f"d{i // 8}" for i in range(n)]
    head = LinearHead().fit(X, Y, groups=groups, languages=languages)
    assert set(head.language_threshold) == {"id", "en"}
    assert not np.isnan(head.language_threshold["id"][0]) and not np.isnan(head.language_threshold["en"][0])
    restored = LinearHead.from_tensors(head.tensors())
    per_row = restored.thresholds_for(["id", "en", "fr"])
    assert per_row[0, 0] == head.language_threshold["id"][0]
    assert per_row[1, 0] == head.language_threshold["en"][0]
    assert per_row[2, 0] == head.threshold[0]  # a language without its own threshold takes the global one


def test_test_split_takes_a_quarter_of_new_sources_per_stratum() -> None:
    rows = [{"batch": "batch2", "kind": "news", "lang": "id", "source_group": f"site:s{i}"} for i in range(12)]
    rows += [{"batch": "batch1", "kind": "news", "lang": "id", "source_group": f"old{i}"} for i in range(4)]
    split = assign_test_split(rows)
    assert sum(split[f"site:s{i}"] == "test" for i in range(12)) == 3
    assert all(split[f"old{i}"] == "dev" for i in range(4))
    assert split == assign_test_split(list(reversed(rows)))  # deterministic, order-free
