"""Tests of codebook management, retrieval, queries, search/auto-coding and attributes
(a package, so that its conftest does not shadow the ``conftest`` module other test
directories import from)."""
