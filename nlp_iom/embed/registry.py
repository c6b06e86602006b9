"""The embedder factory: :func:`get_embedder` names an embedder by spec and loads it once.

* ``"e5-small"`` (default): multilingual-e5-small as ONNX with int8 weights, run by ONNX
  Runtime (:class:`nlp_iom.embed.onnx.OnnxEmbedder`); about five times the speed of fp32 on a
  CPU. Built offline on first use.
* ``"e5-small-fp32"``: the same model in fp32 through sentence-transformers (the reference).
* any other string: a sentence-transformers model name or folder, for users with internet
  (or with the model in their Hugging Face cache). No prompts unless given::

      get_embedder("intfloat/multilingual-e5-base", query_prompt="query: ", passage_prompt="passage: ")

Embedders are cached per spec and keyword arguments, so asking twice loads once. Pass
``cache_path=...`` to wrap the embedder in a content-hash cache
(:class:`nlp_iom.embed.cache.CachedEmbedder`).
"""

from __future__ import annotations

import threading
from typing import Any

from nlp_iom.embed.cache import CachedEmbedder, EmbeddingCache
from nlp_iom.embed.embedder import Embedder
from nlp_iom.embed.sentence_transformer import load_e5_fp32, load_sentence_transformer

#: Spec of the default embedder (ONNX Runtime, int8).
DEFAULT_SPEC = "e5-small"
#: Specs that name the ONNX int8 build of multilingual-e5-small.
E5_INT8_SPECS = frozenset({"e5-small", "e5-small-int8", "e5-small-onnx"})
#: Specs that name the fp32 sentence-transformers build in the cache.
E5_FP32_SPECS = frozenset({"e5-small-fp32", "multilingual-e5-small"})
_EMBEDDERS: dict[tuple[str, tuple[tuple[str, Any], ...]], Embedder] = {}
_LOCK = threading.RLock()


def _create(spec: str, kw: dict[str, Any]) -> Embedder:
    cache_path = kw.pop("cache_path", None)
    if cache_path is not None:  # the model itself is shared with the uncached embedder
        return CachedEmbedder(get_embedder(spec, **kw), EmbeddingCache(cache_path))
    if spec in E5_INT8_SPECS:
        from nlp_iom.embed.onnx import OnnxEmbedder  # onnxruntime loads only when asked for

        return OnnxEmbedder(**kw)
    if spec in E5_FP32_SPECS:
        return load_e5_fp32(**kw)
    prompts = {kind: kw.pop(f"{kind}_prompt") for kind in ("query", "passage") if f"{kind}_prompt" in kw}
    return load_sentence_transformer(spec, prompts=prompts, **kw)


def get_embedder(spec: str | None = None, **kw: Any) -> Embedder:
    """Return the embedder named by ``spec``, loading it once per spec and arguments.

    Args:
        spec: ``"e5-small"`` (default; ONNX Runtime int8), ``"e5-small-fp32"``
            (sentence-transformers fp32), or a sentence-transformers model name or folder.
        **kw: Passed to the backend: ``batch_size`` (all); ``threads``, ``folder``,
            ``max_length`` (``e5-small``); ``query_prompt``, ``passage_prompt``, ``device``
            (other models); ``cache_path`` (any: a SQLite file of cached vectors).

    Returns:
        The embedder (the same object for the same arguments).

    Raises:
        ModelNotFoundError: If the model is not available, with what to run to get it.
    """
    spec = (spec or DEFAULT_SPEC).strip()
    key = (spec, tuple(sorted((name, str(value)) for name, value in kw.items())))
    with _LOCK:
        embedder = _EMBEDDERS.get(key)
        if embedder is None:
            embedder = _EMBEDDERS[key] = _create(spec, dict(kw))
    return embedder


def clear_embedders() -> None:
    """Forget the embedders :func:`get_embedder` has loaded (frees their memory once unused)."""
    with _LOCK:
        _EMBEDDERS.clear()


class LazyEmbedder:
    """Descriptor for classes that hold an embedder spec and load the embedder on first use.

    The owner sets ``self._embedder_spec`` (a :func:`get_embedder` spec) and ``self._embedder``
    (an :class:`Embedder`, or ``None`` to load from the spec when ``obj.embedder`` is first read)::

        class Corpus:
            embedder = LazyEmbedder()
    """

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        if obj._embedder is None:
            obj._embedder = get_embedder(obj._embedder_spec)
        return obj._embedder

