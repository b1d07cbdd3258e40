"""Bank connectors.

Each sub-package (``connectors/<bank>/``) is self-contained: ``client.py`` talks to the bank over HTTP,
``parse.py`` turns raw bytes into canonical records, ``simulator/`` serves the bank's protocol locally
(``ledger.py`` + ``routes.py``, see :mod:`connectors.simulator_kit`), ``statements/`` holds its PDF
statement layout, renderer geometry and golden fixtures (data for :mod:`connectors.statements`).
The package's ``__init__`` exposes ``SPEC`` (a :class:`connectors.base.ConnectorSpec`); the registry in
:mod:`connectors.registry` discovers them, so nothing central lists banks by hand.
"""
