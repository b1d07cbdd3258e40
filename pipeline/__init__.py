"""The pipeline: the one place where connectors, transforms and the warehouse meet.

Stages, siblings joined only here (as dlt keeps extract, normalize and load):

* :mod:`pipeline.runner`   fetch: run each connection's client, land its payloads in ``raw/``;
* :mod:`pipeline.importer` land files the user downloaded by hand;
* :mod:`pipeline.ingest`   parse a landed payload to the lake, load lake files into the warehouse;
* :mod:`pipeline.normalize` parsed records -> the lake's Arrow tables (identity keys, categories);
* :mod:`pipeline.rebuild`  recreate lake and warehouse from ``raw/`` plus the user's edits;
* :mod:`pipeline.edits`    the user's edits (overrides, rules, links) and the refresh that applies them;
* :mod:`pipeline.config`   ``bankflow.toml``; :mod:`pipeline.sandbox` the simulators for demo and tests.

Import arrows: ``flows -> pipeline -> {connectors, transforms, warehouse}``; transforms and warehouse
import neither each other nor this package.
"""
