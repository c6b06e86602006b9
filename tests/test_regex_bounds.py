"""Every regular expression of the runtime stays fast on hostile text (#19 item 8).

A 3 KB line without spaces once took 9 s in one pattern (quadratic, cubic with an "@"). Each
compiled module-level pattern of the runtime packages is run (``finditer`` over the whole string)
on runs of 100,000 non-space characters built to defeat backtracking; each run must finish within
one second. Patterns only ever applied to a bounded window get inputs of that window's size. Each
pattern runs in a forked child, so one that hangs fails the test instead of stalling it.
"""

from __future__ import annotations

import importlib
import multiprocessing
import pkgutil
import re
import time

import pytest

import nlp_iom
from nlp_iom.extract.references import START_WINDOW

LENGTH = 100_000
#: Units repeated to LENGTH characters: letters, capitals, digits, dots, "@", hyphens, slashes,
#: initials, brackets and mixes that give greedy runs something to backtrack over.
UNITS = ("a", "A", "1", "é", "a.", "A.", "1.", "a@", "a.a@", "a-", "1-", "a/", "a_", "a'", "Ab.", "(", "[1]",
         ".", "-", "a,", "a:")
PREFIXED = {"http": "http://", "www": "www.", "email": ""}
#: Packages whose code never runs on document text at run time.
NOT_RUNTIME = ("nlp_iom.training", "nlp_iom.evaluation", "nlp_iom.assets", "nlp_iom.cli")
#: Patterns applied only to a window of bounded size (``.match`` on ``text[:START_WINDOW]``).
BOUNDED = {
    "nlp_iom.extract.references.APA_START_RE": START_WINDOW,
    "nlp_iom.extract.references.HARVARD_START_RE": START_WINDOW,
    "nlp_iom.extract.references.DOT_YEAR_START_RE": START_WINDOW,
}
SECONDS = 1.0


def hostile_texts(length: int) -> dict[str, str]:
    """The inputs, each ``length`` characters without a space."""
    texts = {unit: (unit * (length // len(unit) + 1))[:length] for unit in UNITS}
    texts["http"] = "http://" + "a" * (length - 7)
    texts["www"] = "www." + ("a." * length)[: length - 4]
    texts["email"] = "a" * (length - 1) + "@"
    return texts


def runtime_patterns() -> dict[str, re.Pattern[str]]:
    """Module-level compiled patterns of the runtime packages, by ``module.NAME`` (first module wins)."""
    found: dict[int, tuple[str, re.Pattern[str]]] = {}
    for info in pkgutil.walk_packages(nlp_iom.__path__, "nlp_iom."):
        if info.name.startswith(NOT_RUNTIME):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                found.setdefault(id(value), (f"{info.name}.{name}", value))
    return dict(found.values())


def _time_all(pattern: re.Pattern[str], texts: dict[str, str], queue: multiprocessing.Queue) -> None:
    for label, text in texts.items():
        queue.put(("start", label, 0.0))
        started = time.perf_counter()
        for _ in pattern.finditer(text):
            pass
        queue.put(("done", label, time.perf_counter() - started))


PATTERNS = runtime_patterns()


def test_the_runtime_patterns_are_found() -> None:
    assert len(PATTERNS) > 100
    assert "nlp_iom.extract.language.URL_OR_EMAIL" in PATTERNS and set(BOUNDED) <= set(PATTERNS)


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_pattern_is_linear_on_long_runs_without_spaces(name: str) -> None:
    texts = hostile_texts(BOUNDED.get(name, LENGTH))
    context = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue = context.Queue()
    child = context.Process(target=_time_all, args=(PATTERNS[name], texts, queue), daemon=True)
    child.start()
    child.join(SECONDS * len(texts) + 5)
    hung = child.is_alive()
    if hung:
        child.kill()
        child.join()
    events = []
    while not queue.empty():
        events.append(queue.get())
    last = events[-1][1] if events else "(none)"
    assert not hung, f"{name} did not finish on {last!r}: {PATTERNS[name].pattern[:120]}"
    slow = {label: round(seconds, 2) for kind, label, seconds in events if kind == "done" and seconds > SECONDS}
    assert not slow, f"{name} took more than {SECONDS:g} s on {slow}"
