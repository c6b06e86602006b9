"""One document through the pipeline in a worker: read (bounded in time), NER, classification, atomic JSON.

A worker process loads the NER pipelines and the classifiers once (on its first document, so
a missing model surfaces as its own typed error) and keeps them. :func:`init_worker` caps the
threads of ONNX Runtime, BLAS/OpenMP and torch at ``threads`` so that N workers share the
cores instead of each taking all of them.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlp_iom.batch.layout import SourceFile, write_atomic
from nlp_iom.batch.settings import BatchSettings
from nlp_iom.errors import InputError, NlpIomError
from nlp_iom.reader import read, read_with_timeout

#: Environment variables that cap the threads of numerical libraries loaded after they are set.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NLP_IOM_TORCH_THREADS")
#: Error kind recorded for a failure outside extraction (NER or classification raised).
ANNOTATE_FAILED = "annotate_failed"
#: Key of the batch record in ``document.stages``.
STAGE = "batch"


@dataclass
class _Models:
    """What a worker loads once: the classifiers and the NER settings."""

    classifiers: list[Any]
    ner_settings: Any
    classify_settings: Any


_STATE: dict[str, Any] = {"threads": None, "models": None, "limits": None}


def worker_threads(workers: int) -> int:
    """Threads each of ``workers`` processes may use: the available cores shared out, at least one."""
    from nlp_iom.embed.onnx import available_cores

    return max(1, available_cores() // max(1, workers))


def init_worker(threads: int) -> None:
    """Cap the numerical libraries of this process at ``threads`` threads (a pool initializer)."""
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)
    _STATE["threads"] = threads
    try:
        from threadpoolctl import threadpool_limits

        _STATE["limits"] = threadpool_limits(limits=threads)
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        pass


def load_models(settings: BatchSettings) -> _Models:
    """The classifiers of ``settings.codebooks`` (sharing one embedder) and the NER settings, loaded once.

    Raises:
        ModelNotFoundError: A model is missing.
        CodebookError: A codebook file is invalid.
    """
    if _STATE["models"] is not None:
        return _STATE["models"]
    from nlp_iom.coding.api import model_dir
    from nlp_iom.coding.codebook import BUILTIN, load_codebook
    from nlp_iom.coding.model import PassageClassifier
    from nlp_iom.embed.registry import E5_INT8_SPECS, get_embedder
    from nlp_iom.ner.pipelines import load_pipeline

    threads = _STATE["threads"]
    options = settings.classify
    embedder: Any = options.embedder
    if options.embedder in E5_INT8_SPECS:
        embedder = get_embedder(options.embedder, threads=threads) if threads else get_embedder(options.embedder)
    classifiers = []
    for spec in options.codebooks:
        if Path(spec).is_dir():
            classifiers.append(PassageClassifier.from_pretrained(Path(spec), embedder=embedder))
        elif spec in BUILTIN and not options.zero_shot and (model_dir(spec) / "config.json").is_file():
            classifiers.append(PassageClassifier.from_pretrained(model_dir(spec), embedder=embedder))
        else:
            classifiers.append(PassageClassifier.zero_shot(load_codebook(spec), embedder))
    for language in ("en", "id"):
        load_pipeline(language, settings.ner)
    models = _Models(classifiers, settings.ner, options)
    _STATE["models"] = models
    return models


def annotate_file(source: SourceFile, output: Path, settings: BatchSettings) -> dict[str, Any]:
    """Read, annotate and classify one file and write its Document JSON to ``output`` atomically.

    Returns:
        ``{"path", "sha256", "output", "pages", "passages", "seconds"}`` on success, or
        ``{"path", "sha256", "kind", "error"}`` when the file could not be read or annotated.

    Raises:
        ModelNotFoundError: A model is missing (every file would fail, so the batch stops).
        ConfigError: A setting or codebook is invalid (likewise).
    """
    from nlp_iom.coding.api import classify
    from nlp_iom.ner.annotate import annotate

    started = time.monotonic()
    models = load_models(settings)
    read_settings = settings.read
    base = {"path": source.relative, "sha256": source.sha256}
    try:
        if settings.timeout is None:
            document = read(source.path, read_settings)
        else:
            document = read_with_timeout(source.path, settings.timeout, read_settings)
    except InputError as exc:
        return {**base, "kind": exc.kind, "error": exc.cause}
    try:
        annotate(document, models.ner_settings)
        classify(document, models.classify_settings, classifiers=models.classifiers)
        document.stages[STAGE] = {"source": source.relative, "sha256": source.sha256}
        write_atomic(output, document.to_json())
    except InputError as exc:
        return {**base, "kind": exc.kind, "error": exc.cause}
    except NlpIomError:
        raise  # a missing model or a bad setting: every file would fail, so the batch stops
    # A batch boundary: one document's failure is recorded and the batch goes on.
    except Exception as exc:  # noqa: BLE001
        return {**base, "kind": ANNOTATE_FAILED, "error": f"{type(exc).__name__}: {exc}"}
    return {**base, "output": str(output), "pages": document.metadata.pages or 0,
            "passages": len(document.passages), "seconds": round(time.monotonic() - started, 3)}
