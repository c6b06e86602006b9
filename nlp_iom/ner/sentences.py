"""Indonesian sentence segmentation: the shipped stanza tokenizer, an abbreviation guard, a rule-based fallback.

``split_sentences(text)`` returns ``(start, end)`` character offsets; ``text[start:end]`` is the
sentence, without its surrounding whitespace. Back-ends, in the order ``"auto"`` tries them:

1. ``"shipped"``: the stanza tokenizer trained from the UD Indonesian treebanks and shipped in
   ``models/stanza_id_tokenizer/`` (see its ``README.md``; reproduce with
   ``nlp-iom train stanza-tokenizer``), run through ``stanza.Pipeline(lang="id",
   processors="tokenize", tokenize_model_path=..., download_method=None)``. The model folder holds
   an empty ``resources.json`` so that stanza never looks for, or downloads, its resources index.
   ``$NLP_IOM_STANZA_TOKENIZER`` points to another model file or folder.
2. ``"full"``: a user's own full stanza Indonesian models (``stanza.download("id")`` done by the
   user, in stanza's resources dir, ``$STANZA_RESOURCES_DIR``): ``stanza.Pipeline(lang="id",
   processors="tokenize,mwt", download_method=None)``. Loading fails cleanly when they are absent;
   the failure is caught and the next back-end is used. ``"auto"`` uses them only when the shipped
   model is missing; choose them first with ``backend="full"`` or ``NLP_IOM_SENTENCE_BACKEND=full``.
3. ``"rules"``: :func:`rule_based_spans`, used when stanza is not installed or no model loads.

Every stanza result goes through :func:`guard_abbreviations`, which joins a sentence that ends in an
abbreviation from :data:`ABBREVIATIONS` (``No.``, ``Kab.``, ``Dr.``, ...) to the next one, and one
that ends in ``dkk.``/``dll.``/``dsb.``/``etc.`` (:data:`FINAL_ABBREVIATIONS`, which may also end a
sentence) to a next one that does not start like a sentence (lower case, digit, ``(``). The neural
model has seen almost none of these abbreviations in the treebanks.

Languages other than ``"id"`` use the rule-based splitter (its abbreviation list covers the
English ones in Indonesian academic text too: ``e.g.``, ``i.e.``, ``etc.``, ``et al.``).

:func:`nlp_iom.ner.clitics.expand_words` returns the sentences as lists of syntactic words, clitics split
off by the shipped MWT expander (``Menurutnya`` -> ``Menurut nya``). Only it loads the expander.

The spaCy component ``iom_sentences`` (:mod:`nlp_iom.pipeline.sentences`) sets ``token.is_sent_start``
from :func:`split_sentences`.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from pathlib import Path
from typing import Any, Iterable

from nlp_iom.models import default_model

logger = logging.getLogger(__name__)

#: The shipped model folder (package data; see :func:`nlp_iom.models.default_model`).
DEFAULT_MODEL_DIR = default_model("stanza_id_tokenizer")
MODEL_ENV = "NLP_IOM_STANZA_TOKENIZER"
BACKEND_ENV = "NLP_IOM_SENTENCE_BACKEND"
BACKENDS = ("auto", "shipped", "full", "rules")

#: Abbreviations that never end a sentence (compared lower-cased, with their final period).
ABBREVIATIONS: frozenset[str] = frozenset(
    a.lower()
    for a in """
    No. Nmr. Kab. Kec. Kel. Kot. Prov. Ds. Jl. Jln. Gg. Rt. Rw. Kp. Kav.
    Dr. Drs. Dra. Prof. Ir. Hj. H. Tn. Ny. Nn. Sdr. Sdri. Bpk. Bp. Yth. Kol. Jend. Letjen. Mayjen.
    Brigjen. Kapt. Let. Kompol. AKBP. Ipda. Iptu. St. Mgr. Pdt.
    S.H. M.H. S.E. M.M. M.Si. S.Si. S.Sos. M.Sos. S.Pd. M.Pd. S.Kom. M.Kom. S.T. M.T. S.Ag. M.Ag.
    S.IP. S.Hum. M.Hum. S.Psi. M.Psi. Ph.D. M.A. B.A. LL.M. Sp.A. Sp.PD.
    hlm. hal. jld. vol. ed. eds. terj. cet. Ps. Psl. ttg. tgl. thn. th.
    a.n. u.p. u.b. d.a. s.d. s/d. sbb. yg. dgn. tsb. spt. krn. utk. pd. dr. kpd. dlm. a.l.
    e.g. i.e. cf. vs. viz. approx. Mr. Mrs. Ms. Jr. Sr. Pte. Nos. pp. p. Fig. Tab.
    Jan. Feb. Mar. Apr. Jun. Jul. Agu. Agt. Ags. Aug. Sep. Sept. Okt. Oct. Nov. Des. Dec.
    """.split()
)
#: Abbreviations that may end a sentence: kept inside one only when the next text does not start one.
FINAL_ABBREVIATIONS: frozenset[str] = frozenset(
    a.lower() for a in "dkk. dll. dsb. dst. etc. al. Tbk. cs. ybs. Co. Inc. Ltd. Corp. Bhd.".split()
)

_OPENERS = "\"'“‘«([{"
_CLOSERS = "\"'”’»)]}"
_TRAILERS = _CLOSERS + ".!?…"
_FINAL_CUT = re.compile(r"(?<![\w.])(?:dkk|dll|dsb|dst|etc)\.(?=\s+[A-Z])")
_BOUNDARY = re.compile(r"(?:[.!?…]+|\.\.\.)[\"'”’»)\]}]*(?=\s|$)")
_PARA = re.compile(r"\n[ \t\r\f\v]*\n\s*")


# --------------------------------------------------------------------------------------------
# Abbreviation handling shared by the guard and the rules
# --------------------------------------------------------------------------------------------


def _last_chunk(text: str, end: int) -> str:
    """The whitespace-delimited chunk ending at ``end``, without leading brackets or quotes."""
    start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:end].lstrip(_OPENERS)


def _next_char(text: str, pos: int) -> str:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return text[pos] if pos < len(text) else ""


def _keeps_going(text: str, end: int) -> bool:
    """True when the sentence candidate ending at ``end`` ends in an abbreviation that does not end it."""
    chunk = _last_chunk(text, end).rstrip(_CLOSERS)
    if not chunk.endswith("."):
        return False
    low = chunk.lower()
    nxt = _next_char(text, end)
    if low in ABBREVIATIONS:
        return True
    if re.fullmatch(r"[A-Z]\.(?:[A-Z]\.)*", chunk) and (nxt.isupper() or nxt.isdigit()):
        return True  # initials: "Joko P. Widodo", "S. Parman", "A.B. Susanto"
    if low in FINAL_ABBREVIATIONS:
        return bool(nxt) and (nxt.islower() or nxt.isdigit() or nxt in "([,;:")
    return False


def guard_abbreviations(text: str, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Correct stanza's sentence spans with two rules.

    1. Closing marks that open the next span (``"``, ``”``, ``)``, a stray ``.`` of an ellipsis) when
       a space or the end follows them go back to the sentence they close.
    2. A span that ends in a sentence-internal abbreviation (:func:`_keeps_going`) is joined to the
       next one, unless a blank line lies between them.
    3. A span is cut after ``dkk.``, ``dll.``, ``dsb.``, ``dst.`` or ``etc.`` followed by a space and a
       capital letter (``... Nugrahaningsih dkk. Mereka ...``), which the model reads as an
       abbreviation inside the sentence.
    """
    cut: list[tuple[int, int]] = []
    for start, end in spans:
        for m in _FINAL_CUT.finditer(text, start, end):
            if m.end() < end:
                cut.append((start, m.end()))
                start = _next_start(text, m.end())
        cut.append((start, end))
    spans = cut
    fixed: list[list[int]] = []
    for start, end in spans:
        if fixed:
            k = start
            while k < end and text[k] in _TRAILERS:
                k += 1
            if k > start and (k == end or text[k].isspace()) and text[fixed[-1][1]:start].strip() == "":
                fixed[-1][1] = k
                start = _next_start(text, k)
                if start >= end:
                    continue
        fixed.append([start, end])
    out: list[tuple[int, int]] = []
    pending: tuple[int, int] | None = None
    for start, end in fixed:
        if pending is not None:
            start = pending[0]
        if _keeps_going(text, end) and _PARA.search(text, end, _next_start(text, end)) is None:
            pending = (start, end)
            continue
        pending = None
        out.append((start, end))
    if pending is not None:
        out.append(pending)
    return out


def _next_start(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


# --------------------------------------------------------------------------------------------
# Rule-based splitter
# --------------------------------------------------------------------------------------------


def rule_based_spans(text: str) -> list[tuple[int, int]]:
    """Split at ``. ! ? …`` (with closing quotes/brackets) before a space and a capital, digit or opener.

    Also splits at blank lines. Not a boundary: a period after an abbreviation in
    :data:`ABBREVIATIONS`, after an initial followed by a capital (``S. Parman``), after
    ``dkk./dll./dsb./etc.`` followed by lower case, a digit or ``(``; and any candidate followed by a
    lower-case letter or a comma.
    """
    ends: list[int] = []
    for m in _PARA.finditer(text):
        ends.append(m.start())
    for m in _BOUNDARY.finditer(text):
        end = m.end()
        nxt = _next_char(text, end)
        if not nxt:
            continue
        if nxt.islower() or nxt in ",;:-–—":
            continue
        if _keeps_going(text, end):
            continue
        ends.append(end)
    ends.append(len(text))
    return _spans_from_ends(text, sorted(set(ends)))


def _spans_from_ends(text: str, ends: list[int]) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for end in ends:
        start = _next_start(text, pos)
        stop = end
        while stop > start and text[stop - 1].isspace():
            stop -= 1
        if stop > start:
            spans.append((start, stop))
        pos = max(pos, end)
    return spans


# --------------------------------------------------------------------------------------------
# stanza back-ends
# --------------------------------------------------------------------------------------------


def find_model(path: str | Path | None = None) -> Path | None:
    """The tokenizer ``.pt`` file: ``path`` (file or folder), else ``$NLP_IOM_STANZA_TOKENIZER``, else shipped."""
    if path is None:
        path = os.environ.get(MODEL_ENV) or DEFAULT_MODEL_DIR
    path = Path(path)
    if path.is_file():
        return path
    if path.is_dir():
        preferred = path / "id_iom_tokenizer.pt"
        if preferred.is_file():
            return preferred
        found = sorted(path.glob("*tokenizer*.pt")) or sorted(path.glob("*.pt"))
        return found[0] if found else None
    return None


def _threads() -> None:
    try:
        import torch

        if torch.get_num_threads() > 1 and os.environ.get("NLP_IOM_TORCH_THREADS") is None:
            torch.set_num_threads(1)
    except ImportError:  # pragma: no cover
        pass


@functools.lru_cache(maxsize=4)
def _load_shipped(model_file: str) -> Any:
    import stanza

    _threads()
    model_dir = Path(model_file).parent
    resources = model_dir / "resources.json"
    kwargs: dict[str, Any] = {}
    if resources.is_file():
        kwargs = {"dir": str(model_dir), "resources_filepath": str(resources)}
    return stanza.Pipeline(lang="id", processors="tokenize", tokenize_model_path=model_file, download_method=None,
                           allow_unknown_language=True, logging_level="ERROR", use_gpu=False, **kwargs)


def load_stanza_pipeline(model: str | Path | None = None) -> Any | None:
    """The shipped-tokenizer pipeline (cached), or ``None`` when stanza or the model is missing."""
    model_file = find_model(model)
    if model_file is None:
        return None
    try:
        return _load_shipped(str(model_file.resolve()))
    except Exception as exc:  # ImportError, a broken file, a stanza version that cannot read it
        logger.warning("cannot load the stanza tokenizer %s (%s); using the rule-based splitter", model_file, exc)
        return None


@functools.lru_cache(maxsize=1)
def load_full_stanza_pipeline() -> Any | None:
    """A user's full stanza Indonesian ``tokenize,mwt`` pipeline, or ``None`` when not downloaded."""
    try:
        import stanza

        _threads()
        return stanza.Pipeline(lang="id", processors="tokenize,mwt", download_method=None, logging_level="WARN",
                               use_gpu=False)
    except Exception as exc:  # ResourcesFileNotFoundError, FileNotFoundError, ValueError, ImportError
        logger.info("stanza's full Indonesian models are not available: %s", exc)
        return None


def stanza_spans(pipeline: Any, text: str) -> list[tuple[int, int]]:
    """Sentence offsets from a stanza pipeline, without any correction."""
    if not text.strip():
        return []
    doc = pipeline(text)
    return [(s.tokens[0].start_char, s.tokens[-1].end_char) for s in doc.sentences if s.tokens]


def active_backend(backend: str | None = None, language: str = "id") -> tuple[str, Any | None]:
    """The back-end :func:`split_sentences` uses now, and its pipeline (``None`` for rules)."""
    choice = (backend or os.environ.get(BACKEND_ENV) or "auto").lower()
    if choice not in BACKENDS:
        raise ValueError(f"unknown sentence back-end {choice!r}; choose one of {BACKENDS}")
    if language != "id" or choice == "rules":
        return "rules", None
    order = {"auto": ("shipped", "full"), "shipped": ("shipped",), "full": ("full", "shipped")}[choice]
    for name in order:
        pipe = load_stanza_pipeline() if name == "shipped" else load_full_stanza_pipeline()
        if pipe is not None:
            return name, pipe
    return "rules", None


def split_sentences(text: str, language: str = "id", backend: str | None = None) -> list[tuple[int, int]]:
    """Sentence ``(start, end)`` offsets in ``text``; see the module doc for the back-ends."""
    if not text or not text.strip():
        return []
    name, pipe = active_backend(backend, language)
    if pipe is None:
        return rule_based_spans(text)
    try:
        return guard_abbreviations(text, stanza_spans(pipe, text))
    except Exception as exc:  # pragma: no cover - a model failure must not lose the text
        logger.warning("stanza %s back-end failed (%s); using the rule-based splitter", name, exc)
        return rule_based_spans(text)
