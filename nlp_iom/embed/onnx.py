"""multilingual-e5-small as ONNX with int8 weights, run by ONNX Runtime (the fast CPU backend).

:class:`OnnxEmbedder` runs the folder :func:`nlp_iom.assets.onnx.build_onnx` writes (int8 weights, mean
pooling inside the graph) and builds it on first use when it is missing (logged). Texts are
length-bucketed into batches of 8, which measured fastest on a 2-core CPU (``benchmarks/embed.py``).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from nlp_iom.assets.onnx import BUILD_HINT, DEFAULT_BATCH_SIZE, MODEL_FILE, MAX_TOKENS, OUTPUT_NAME, build_onnx, is_onnx_built, onnx_dir
from nlp_iom.embed.embedder import E5_PROMPTS, Embedder
from nlp_iom.errors import ModelNotFoundError

log = logging.getLogger(__name__)


def available_cores() -> int:
    """CPU cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


class OnnxEmbedder(Embedder):
    """multilingual-e5-small, int8, on ONNX Runtime, with length bucketing.

    Texts are tokenised with the model's fast tokenizer (truncated at ``max_length`` tokens),
    sorted by token count, run in batches of ``batch_size`` padded to the longest in the batch,
    mean-pooled over the attention mask inside the graph, L2-normalised and put back in input
    order.

    Args:
        folder: A :func:`build_onnx` folder; default ``<cache>/e5-small-onnx``, built on first
            use when missing.
        batch_size: Texts per forward pass.
        threads: ONNX Runtime intra-op threads; default all available cores.
        max_length: Token limit per text (prompt and special tokens included).
        build: Build the default folder when missing (offline, about 25 s).

    Raises:
        ModelNotFoundError: If the folder is missing and cannot be built.
    """

    def __init__(self, folder: str | Path | None = None, batch_size: int = DEFAULT_BATCH_SIZE,
                 threads: int | None = None, max_length: int = MAX_TOKENS, build: bool = True) -> None:
        path = Path(folder) if folder is not None else onnx_dir()
        if not is_onnx_built(path):
            if folder is not None or not build:
                raise ModelNotFoundError(str(path), f"no ONNX build there; run {BUILD_HINT}")
            log.warning("building the ONNX int8 model of multilingual-e5-small into %s (once, about 25 s)", path)
            try:
                path = build_onnx()
            except ImportError as exc:
                raise ModelNotFoundError("e5-small (ONNX int8)", f"{exc}; pip install onnx onnxruntime, "
                                                                 f"then run {BUILD_HINT}") from exc
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelNotFoundError("onnxruntime", f"{exc}; pip install onnxruntime") from exc
        self.folder = path
        self.name = "e5-small"
        self.prompts = dict(E5_PROMPTS)
        self.batch_size = max(1, int(batch_size))
        self.max_length = min(int(max_length), MAX_TOKENS)
        self.threads = int(threads) if threads else available_cores()
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path / MODEL_FILE), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=self.max_length)
        pad = self.tokenizer.token_to_id("<pad>")
        self.pad_id = 1 if pad is None else int(pad)
        self.dim = int(self.session.get_outputs()[0].shape[-1] or 384)

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        """Token ids of each text (special tokens included, truncated)."""
        return [encoding.ids for encoding in self.tokenizer.encode_batch(texts)]

    def _run(self, batch: list[list[int]]) -> np.ndarray:
        width = max(len(ids) for ids in batch)
        input_ids = np.full((len(batch), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for row, ids in enumerate(batch):
            input_ids[row, : len(ids)] = ids
            mask[row, : len(ids)] = 1
        return self.session.run([OUTPUT_NAME], {"input_ids": input_ids, "attention_mask": mask})[0]

    def _embed(self, texts: list[str]) -> np.ndarray:
        ids = self.token_ids(texts)
        order = np.argsort([len(row) for row in ids], kind="stable")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            out[chunk] = self._run([ids[i] for i in chunk])
        return out
