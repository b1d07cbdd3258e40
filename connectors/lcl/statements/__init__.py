"""LCL's statement files, read by the generic engine in :mod:`connectors.statements` (no code here).

``layout.toml`` (how the parser recognises and reads an LCL statement), ``render.toml`` (how the
simulator draws one), ``golden/`` (PDFs with their parsed rows and summaries; ``cases.toml`` says how
each was made).
"""
