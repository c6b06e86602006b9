"""Where every nlp_iom spaCy component's factory lives, and registering them by name.

:data:`FACTORIES` is the same table as the ``spacy_factories`` entry points in ``pyproject.toml`` (a
test keeps them equal), so ``spacy.blank("id").add_pipe("iom_orgs")`` works in an installed
environment without importing nlp_iom first, and :func:`register` imports one component's module
when nlp_iom builds a pipeline itself.
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import Any

from nlp_iom.errors import ConfigError

#: Component name -> ``"module:factory"``.
FACTORIES: dict[str, str] = {
    "iom_unify_labels": "nlp_iom.pipeline.unify:make_unify_labels",
    "iom_orgs": "nlp_iom.pipeline.gazetteer:make_org_recognizer",
    "iom_regions": "nlp_iom.pipeline.regions:make_region_recognizer",
    "iom_laws": "nlp_iom.pipeline.laws:make_law_recognizer",
    "iom_informants": "nlp_iom.pipeline.informants:make_informant_recognizer",
    "iom_cited_authors": "nlp_iom.pipeline.informants:make_cited_authors",
    "iom_acronyms": "nlp_iom.pipeline.acronyms:make_acronym_linker",
    "iom_dates": "nlp_iom.pipeline.dates:make_date_recognizer",
    "iom_titled_names": "nlp_iom.pipeline.persons:make_titled_names",
    "iom_known_people": "nlp_iom.pipeline.persons:make_known_people",
    "iom_person_evidence": "nlp_iom.pipeline.person_evidence:make_person_evidence",
    "iom_org_evidence": "nlp_iom.pipeline.org_evidence:make_org_evidence",
    "iom_transformer_ner": "nlp_iom.pipeline.transformer:make_transformer_ner",
    "iom_sentences": "nlp_iom.pipeline.sentences:make_sentence_setter",
    "iom_caps_recase": "nlp_iom.pipeline.truecase:make_caps_recaser",
    "iom_passage_classifier": "nlp_iom.pipeline.passage_classifier:make_passage_classifier",
}


def register(name: str) -> None:
    """Import the module of component ``name``, which registers its factory with spaCy.

    Raises:
        ConfigError: No nlp_iom component has that name.
    """
    if name not in FACTORIES:
        raise ConfigError("component", f"unknown nlp_iom component {name!r}; choose one of {sorted(FACTORIES)}")
    importlib.import_module(FACTORIES[name].partition(":")[0])


def register_all() -> None:
    """Register every nlp_iom component (imports all component modules, the classifier's included)."""
    for name in FACTORIES:
        register(name)


def config_from(settings_class: type, **extra: Any) -> dict[str, Any]:
    """A factory's ``default_config``: the fields of its settings dataclass with their defaults (plus ``extra``).

    Each component option is declared once, in its settings class; tuples become lists (spaCy's config
    is JSON-like).
    """
    config: dict[str, Any] = {}
    for item in dataclasses.fields(settings_class):
        if item.default is not dataclasses.MISSING:
            value = item.default
        elif item.default_factory is not dataclasses.MISSING:
            value = item.default_factory()
        else:
            continue
        config[item.name] = list(value) if isinstance(value, tuple) else value
    return {**config, **extra}
