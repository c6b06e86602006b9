"""Indonesian syntactic words: the shipped stanza tokenizer plus its MWT expander split clitics off their hosts.

``expand_words("Menurutnya, kebijakan itu disetujui oleh menterinya.")`` returns
``[["Menurut", "nya", ",", "kebijakan", "itu", "disetujui", "oleh", "menteri", "nya", "."]]``: the
sentences as lists of UD *syntactic words*. The tokenizer (``id_iom_tokenizer.pt``) finds the tokens and
marks the multi-word tokens (``-nya``, ``-lah``, ``-kah``, ``-pun``, ``-ku``, ``-mu``); the MWT expander
(``id_iom_mwt_expander.pt``, trained by :mod:`nlp_iom.training.stanza_mwt`, see
``models/stanza_id_tokenizer/README.md``) splits them, through ``stanza.Pipeline(processors="tokenize,mwt",
tokenize_model_path=..., mwt_model_path=..., download_method=None)``. Nothing is ever downloaded.

Sentence boundaries are those of :func:`nlp_iom.ner.sentences.split_sentences` with the shipped model
(the stanza boundaries corrected by :func:`~nlp_iom.ner.sentences.guard_abbreviations`). Sentence
splitting alone (``split_sentences``, the ``iom_sentences`` component) never loads the expander.

``$NLP_IOM_STANZA_MWT`` points to another expander file or folder; ``$NLP_IOM_STANZA_TOKENIZER`` (see
:mod:`nlp_iom.ner.sentences`) to another tokenizer. When stanza or a model file is missing,
:func:`load_word_pipeline` and :func:`expand_words` raise :class:`nlp_iom.errors.ModelNotFoundError`.
"""

from __future__ import annotations

import bisect
import functools
import os
from pathlib import Path
from typing import Any

from nlp_iom.errors import ModelNotFoundError
from nlp_iom.ner import sentences as S

MWT_MODEL_FILE = "id_iom_mwt_expander.pt"
MWT_MODEL_ENV = "NLP_IOM_STANZA_MWT"
REBUILD_HINT = ("pip install stanza==1.15.0, then build the models with nlp-iom train stanza-tokenizer and "
                "nlp-iom train stanza-mwt (see models/stanza_id_tokenizer/README.md)")


def find_mwt_model(path: str | Path | None = None) -> Path | None:
    """The MWT expander ``.pt`` file, or ``None`` when there is none.

    Args:
        path: A model file or folder; by default ``$NLP_IOM_STANZA_MWT``, else the shipped folder.

    Returns:
        ``path`` itself when it is a file; in a folder, :data:`MWT_MODEL_FILE` or else the first
        ``*mwt*.pt`` file.
    """
    if path is None:
        path = os.environ.get(MWT_MODEL_ENV) or S.DEFAULT_MODEL_DIR
    path = Path(path)
    if path.is_file():
        return path
    if path.is_dir():
        preferred = path / MWT_MODEL_FILE
        if preferred.is_file():
            return preferred
        found = sorted(path.glob("*mwt*.pt"))
        return found[0] if found else None
    return None


@functools.lru_cache(maxsize=4)
def _load(tokenizer_file: str, mwt_file: str) -> Any:
    import stanza

    S._threads()
    model_dir = Path(tokenizer_file).parent
    resources = model_dir / "resources.json"
    kwargs: dict[str, Any] = {}
    if resources.is_file():  # an empty index: stanza never looks for, or downloads, its own
        kwargs = {"dir": str(model_dir), "resources_filepath": str(resources)}
    return stanza.Pipeline(lang="id", processors="tokenize,mwt", tokenize_model_path=tokenizer_file,
                           mwt_model_path=mwt_file, download_method=None, allow_unknown_language=True,
                           logging_level="ERROR", use_gpu=False, **kwargs)


def load_word_pipeline(tokenizer: str | Path | None = None, mwt: str | Path | None = None) -> Any:
    """The cached ``tokenize,mwt`` stanza pipeline of the shipped (or given) models.

    Args:
        tokenizer: Tokenizer file or folder (see :func:`nlp_iom.ner.sentences.find_model`).
        mwt: Expander file or folder (see :func:`find_mwt_model`); by default the folder of ``tokenizer``
            when that is given, else ``$NLP_IOM_STANZA_MWT`` or the shipped folder.

    Returns:
        A ``stanza.Pipeline``.

    Raises:
        ModelNotFoundError: stanza is not installed, a model file is missing or stanza cannot load it.
    """
    tok_file = S.find_model(tokenizer)
    if mwt is None and tokenizer is not None:
        mwt = Path(tokenizer) if Path(tokenizer).is_dir() else Path(tokenizer).parent
    mwt_file = find_mwt_model(mwt)
    if tok_file is None:
        raise ModelNotFoundError(str(tokenizer or S.DEFAULT_MODEL_DIR), REBUILD_HINT)
    if mwt_file is None:
        raise ModelNotFoundError(str(mwt or S.DEFAULT_MODEL_DIR), REBUILD_HINT)
    try:
        return _load(str(tok_file.resolve()), str(mwt_file.resolve()))
    except ImportError as exc:
        raise ModelNotFoundError("stanza", REBUILD_HINT) from exc
    except Exception as exc:  # a broken file, a stanza version that cannot read it
        raise ModelNotFoundError(str(mwt_file), f"stanza cannot load it ({exc}); {REBUILD_HINT}") from exc


def expand_words(text: str, model: str | Path | None = None) -> list[list[str]]:
    """The sentences of ``text`` as lists of syntactic words, clitics split off (``Menurutnya`` -> ``Menurut nya``).

    Args:
        text: Indonesian text.
        model: A folder holding both models (default: the shipped folder, or the environment variables).

    Returns:
        One list of word strings per sentence; ``[]`` for empty or blank text.

    Raises:
        ModelNotFoundError: stanza or a model is missing (see :func:`load_word_pipeline`).
    """
    if not text or not text.strip():
        return []
    pipeline = load_word_pipeline(model)
    doc = pipeline(text)
    tokens = [t for s in doc.sentences for t in s.tokens]
    # the sentence spans split_sentences gives (stanza's, corrected by the abbreviation guard)
    spans = S.guard_abbreviations(text, _spans(doc))
    starts = [a for a, _ in spans]
    out: list[list[str]] = [[] for _ in spans]
    for token in tokens:
        k = max(bisect.bisect_right(starts, token.start_char) - 1, 0)
        out[k].extend(w.text for w in token.words)
    return [words for words in out if words]


def _spans(doc: Any) -> list[tuple[int, int]]:
    return [(s.tokens[0].start_char, s.tokens[-1].end_char) for s in doc.sentences if s.tokens]
