"""The Embedder interface, the ONNX int8 backend and the content-hash cache (nlp_iom.embed).

The ONNX model is built once into the user cache (``$NLP_IOM_CACHE`` or ``~/.cache/nlp_iom``;
about 30 s the first time, then loaded in under a second) and shared by the session. The
``slow`` test builds it again from scratch into a temporary cache and checks the folder.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
import pytest

from nlp_iom.embed.cache import CachedEmbedder, EmbeddingCache, cache_key
from nlp_iom.embed.embedder import E5_PROMPTS, Embedder, l2_normalise
from nlp_iom.embed.registry import get_embedder
from nlp_iom.errors import ModelNotFoundError

pytest.importorskip("onnxruntime")

#: English sentences and their Indonesian translations.
PAIRS = [
    ("The International Organization for Migration helps victims of human trafficking return home.",
     "Organisasi Internasional untuk Migrasi membantu korban perdagangan manusia pulang ke kampung halaman."),
    ("The village government built a new clean water well for the farmers.",
     "Pemerintah desa membangun sumur air bersih baru untuk para petani."),
    ("Heavy rain caused flooding in several districts of Jakarta.",
     "Hujan deras menyebabkan banjir di beberapa kecamatan di Jakarta."),
    ("The students presented their thesis at the university in Pontianak.",
     "Para mahasiswa mempresentasikan skripsi mereka di universitas di Pontianak."),
]
SENTENCES = [s for pair in PAIRS for s in pair] + [
    "IOM bekerja sama dengan Pemerintah Kabupaten Sambas dalam sosialisasi pencegahan perdagangan orang.",
    "Undang-Undang Nomor 21 Tahun 2007 mengatur pemberantasan tindak pidana perdagangan orang.",
    "The Haas framework distinguishes input functions such as articulation from output functions.",
    "IOM.",
]
#: Texts of distinct token lengths, not in length order.
MIXED = [
    ("Para mahasiswa mempresentasikan skripsi mereka di universitas di Pontianak, Kalimantan Barat, "
     "di depan dosen penguji."),
    "IOM.",
    "Heavy rain caused flooding in several districts.",
    "Pemerintah desa membangun sumur air bersih.",
    ("The International Organization for Migration helps victims of trafficking return home to their "
     "villages in Indonesia."),
    "Banjir besar.",
    "The village government built a new clean water well for the farmers of the district.",
]


@pytest.fixture(scope="session")
def onnx_embedder() -> Embedder:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return get_embedder("e5-small")


@pytest.fixture(scope="session")
def fp32_embedder() -> Embedder:
    pytest.importorskip("sentence_transformers")
    return get_embedder("e5-small-fp32")


# ------------------------------------------------------------------ interface, no model


def test_cache_key_separates_parts() -> None:
    assert cache_key("m", "query: ", "x") != cache_key("m", "passage: ", "x")
    assert cache_key("m", "ab", "c") != cache_key("m", "a", "bc")
    assert cache_key("m1", "", "x") != cache_key("m2", "", "x")
    assert len(cache_key("m", "", "")) == 32


def test_embedding_cache_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "vectors.sqlite"
    vectors = np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32)
    keys = [cache_key("m", "", str(i)) for i in range(3)]
    with EmbeddingCache(path) as cache:
        cache.put_many(zip(keys, vectors, strict=True))
        assert len(cache) == 3
    with EmbeddingCache(path) as cache:  # persisted
        found = cache.get_many(keys + [cache_key("m", "", "absent")])
        assert set(found) == set(keys)
        for key, vector in zip(keys, vectors, strict=True):
            assert np.array_equal(found[key], vector)
        assert cache.get_many(keys, dim=4) == {}  # another width is not returned
        cache.clear()
        assert len(cache) == 0


def test_l2_normalise_keeps_zero_rows() -> None:
    out = l2_normalise(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]])


def test_unknown_model_fails_fast_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    start = time.perf_counter()
    with pytest.raises(ModelNotFoundError) as info:
        get_embedder("no/such-model-xyz")
    assert time.perf_counter() - start < 5.0
    assert info.value.name == "no/such-model-xyz" and "SentenceTransformer" in info.value.hint


def test_unknown_model_fails_fast_without_offline_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(var, raising=False)
    start = time.perf_counter()
    with pytest.raises(ModelNotFoundError):
        get_embedder("no/such-model-xyz-2")
    assert time.perf_counter() - start < 20.0


def test_missing_onnx_folder_names_the_command(tmp_path: Path) -> None:
    from nlp_iom.embed.onnx import OnnxEmbedder

    with pytest.raises(ModelNotFoundError, match="nlp-iom build onnx"):
        OnnxEmbedder(folder=tmp_path)


# ------------------------------------------------------------------ ONNX int8 backend


def test_shape_norm_and_factory_cache(onnx_embedder: Embedder) -> None:
    assert get_embedder() is onnx_embedder and get_embedder("e5-small") is onnx_embedder
    vectors = onnx_embedder.encode_passages(SENTENCES)
    assert vectors.shape == (len(SENTENCES), onnx_embedder.dim) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert onnx_embedder.encode_passages([]).shape == (0, onnx_embedder.dim)
    assert onnx_embedder.encode_queries("IOM").shape == (1, onnx_embedder.dim)
    with pytest.raises(ValueError):
        onnx_embedder.encode(["x"], kind="document")  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["query", "passage"])
def test_int8_close_to_fp32(onnx_embedder: Embedder, fp32_embedder: Embedder, kind: str) -> None:
    fast = onnx_embedder.encode(SENTENCES, kind)  # type: ignore[arg-type]
    reference = fp32_embedder.encode(SENTENCES, kind)  # type: ignore[arg-type]
    cosine = (fast * reference).sum(axis=1)
    assert cosine.min() >= 0.97, cosine
    assert cosine.mean() >= 0.99, cosine


def test_prefixes_change_the_vectors(onnx_embedder: Embedder) -> None:
    assert onnx_embedder.prompts == E5_PROMPTS
    queries = onnx_embedder.encode_queries(SENTENCES[:4])
    passages = onnx_embedder.encode_passages(SENTENCES[:4])
    assert ((queries * passages).sum(axis=1) < 0.995).all()
    manual = onnx_embedder.encode(["query: " + s for s in SENTENCES[:4]], "passage")  # type: ignore[arg-type]
    assert not np.allclose(manual, queries, atol=1e-3)  # "passage: query: ..." is not a query
    raw = l2_normalise(onnx_embedder._embed(["query: " + s for s in SENTENCES[:4]]))
    np.testing.assert_allclose(raw, queries, atol=1e-6)


def test_bucketing_restores_input_order(onnx_embedder: Embedder) -> None:
    from nlp_iom.embed.onnx import OnnxEmbedder

    assert isinstance(onnx_embedder, OnnxEmbedder)
    lengths = [len(ids) for ids in onnx_embedder.token_ids(["passage: " + text for text in MIXED])]
    assert len(set(lengths)) == len(MIXED) and lengths != sorted(lengths)
    small = OnnxEmbedder(onnx_embedder.folder, batch_size=2, threads=onnx_embedder.threads)
    batched = small.encode_passages(MIXED)
    # Distinct lengths: the same batches whatever the input order, so rows must match exactly.
    np.testing.assert_array_equal(small.encode_passages(MIXED[::-1])[::-1], batched)
    single = np.vstack([small.encode_passages([text]) for text in MIXED])
    similarity = batched @ single.T
    assert (similarity.argmax(axis=1) == np.arange(len(MIXED))).all()
    assert similarity.diagonal().min() > 0.99  # activations are quantised per batch: close, not equal


def test_cross_lingual_neighbours(onnx_embedder: Embedder) -> None:
    english = onnx_embedder.encode_queries([en for en, _ in PAIRS])
    indonesian = onnx_embedder.encode_passages([idn for _, idn in PAIRS] + SENTENCES[8:10])
    ranking = (english @ indonesian.T).argmax(axis=1)
    assert ranking.tolist() == list(range(len(PAIRS)))


def test_long_text_is_truncated(onnx_embedder: Embedder) -> None:
    ids = onnx_embedder.token_ids(["passage: " + "perdagangan orang " * 600])[0]  # type: ignore[attr-defined]
    assert len(ids) == 512 and ids[0] == 0 and ids[-1] == 2
    assert onnx_embedder.encode_passages(["perdagangan orang " * 600]).shape == (1, onnx_embedder.dim)


# ------------------------------------------------------------------ cache and other backends


def test_cached_embedder_computes_misses_only(onnx_embedder: Embedder, tmp_path: Path) -> None:
    cached = CachedEmbedder(onnx_embedder, EmbeddingCache(tmp_path / "vectors.sqlite"))
    texts = SENTENCES[:5] + [SENTENCES[0]]  # one repeat
    first = cached.encode_passages(texts)
    assert cached.misses == 5 and cached.hits == 1
    second = cached.encode_passages(texts)
    assert cached.misses == 5 and cached.hits == 7
    assert np.array_equal(first, second) and second.dtype == np.float32
    np.testing.assert_array_equal(first[0], first[-1])
    cached.encode_queries(texts[:2])  # another prompt, another key
    assert cached.misses == 7
    later = CachedEmbedder(onnx_embedder, EmbeddingCache(tmp_path / "vectors.sqlite"))
    assert np.array_equal(later.encode_passages(texts), first) and later.misses == 0


def test_get_embedder_with_cache_path(onnx_embedder: Embedder, tmp_path: Path) -> None:
    cached = get_embedder("e5-small", cache_path=tmp_path / "c.sqlite")
    assert isinstance(cached, CachedEmbedder) and cached.inner is onnx_embedder
    assert cached.name == onnx_embedder.name and cached.dim == onnx_embedder.dim


def test_local_sentence_transformers_folder(fp32_embedder: Embedder) -> None:
    from nlp_iom.assets.e5 import model_dir

    plain = get_embedder(str(model_dir()))
    assert plain.prompts == {} and plain.dim == fp32_embedder.dim
    prompted = get_embedder(str(model_dir()), query_prompt="query: ", passage_prompt="passage: ")
    np.testing.assert_allclose(prompted.encode_queries(SENTENCES[:3]), fp32_embedder.encode_queries(SENTENCES[:3]),
                               atol=1e-5)
    assert not np.allclose(plain.encode_queries(SENTENCES[:3]), prompted.encode_queries(SENTENCES[:3]), atol=1e-3)


# ------------------------------------------------------------------ slow: a build from scratch


@pytest.mark.slow
def test_build_from_scratch(tmp_path_factory: pytest.TempPathFactory) -> None:
    from nlp_iom.assets.onnx import META_FILE, MODEL_FILE, build_onnx, is_onnx_built, settings
    from nlp_iom.embed.onnx import OnnxEmbedder

    cache = tmp_path_factory.mktemp("onnx_cache")
    folder = build_onnx(cache)
    assert is_onnx_built(folder)
    meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    assert meta["settings"] == settings() and len(meta["source_sha256"]) == 64
    assert (folder / MODEL_FILE).stat().st_size < 200_000_000
    assert not [p for p in cache.iterdir() if p.name.startswith(".")], "temporary folder left behind"
    start = time.perf_counter()
    assert build_onnx(cache) == folder and time.perf_counter() - start < 2.0
    vectors = OnnxEmbedder(folder).encode_passages(SENTENCES[:2])
    assert vectors.shape == (2, 384)
