"""Agreement statistics shared by the evaluators and the corrections loop: Cohen's kappa, Krippendorff's alpha."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence

import numpy as np


def cohen_kappa(first: Sequence[Hashable] | np.ndarray, second: Sequence[Hashable] | np.ndarray) -> float:
    """Cohen's kappa of two equally long label sequences (binary vectors or any labels).

    1.0 when both are constant and equal; NaN when both are empty.

    Raises:
        ValueError: The sequences differ in length.
    """
    a, b = list(np.asarray(first).tolist()), list(np.asarray(second).tolist())
    if len(a) != len(b):
        raise ValueError(f"kappa needs two sequences of equal length, got {len(a)} and {len(b)}")
    n = len(a)
    if n == 0:
        return float("nan")
    observed = sum(x == y for x, y in zip(a, b)) / n
    freq_a, freq_b = Counter(a), Counter(b)
    expected = sum(freq_a[c] * freq_b[c] for c in freq_a) / (n * n)
    if expected >= 1.0:
        return 1.0 if observed == 1.0 else 0.0
    return (observed - expected) / (1 - expected)


def krippendorff_alpha(a: np.ndarray, b: np.ndarray) -> float:
    """Krippendorff's alpha (nominal) of two binary codings, by the ``krippendorff`` package.

    1.0 when both codings agree and are constant (alpha is undefined there; agreement is perfect).
    """
    import krippendorff

    data = np.vstack([np.asarray(a, dtype=int), np.asarray(b, dtype=int)])
    if len(np.unique(data)) < 2:
        return 1.0
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
