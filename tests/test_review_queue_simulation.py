"""The committed review-queue simulation is consistent with its command's settings, and its plot renders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp_iom.evaluation.review_queue import BATCH, OUTPUT, START, _first_reaching, plot


@pytest.fixture(scope="module")
def result() -> dict:
    return json.loads(OUTPUT.with_suffix(".json").read_text(encoding="utf-8"))


def test_both_strategies_start_alike_and_grow_by_batches(result: dict) -> None:
    queue, random = result["curves"]["queue"], result["curves"]["random"]
    assert queue[0] == random[0] and queue[0]["coded"] == START == result["start"]
    for curve in (queue, random):
        steps = [b["coded"] - a["coded"] for a, b in zip(curve, curve[1:])]
        assert all(step == BATCH for step in steps[:-1]) and 0 < steps[-1] <= BATCH
    assert result["to_random_final"]["random"] == random[-1]["coded"]
    assert result["to_random_final"]["queue"] == _first_reaching(queue, random[-1]["kappa"])


def test_plot_renders(result: dict, tmp_path: Path) -> None:
    path = plot(result, tmp_path / "curve.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
