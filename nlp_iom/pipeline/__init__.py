"""The spaCy components of nlp_iom, one per module; :mod:`nlp_iom.pipeline.registrations` names them all.

Entities: ``iom_orgs`` (:mod:`.gazetteer`), ``iom_regions`` (:mod:`.regions`), ``iom_laws`` (:mod:`.laws`),
``iom_informants`` and ``iom_cited_authors`` (:mod:`.informants`), ``iom_titled_names`` and
``iom_known_people`` (:mod:`.persons`), ``iom_acronyms`` (:mod:`.acronyms`), ``iom_dates`` (:mod:`.dates`),
``iom_transformer_ner`` (:mod:`.transformer`). Text and labels: ``iom_sentences`` (:mod:`.sentences`),
``iom_caps_recase`` (:mod:`.truecase`), ``iom_unify_labels`` (:mod:`.unify`). Codes:
``iom_passage_classifier`` (:mod:`.passage_classifier`). The ``doc._.iom_*`` and ``span._.iom_*``
extensions and the span helpers they share are in :mod:`.extensions`.
"""
