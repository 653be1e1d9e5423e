"""Analyses resolve code paths and document names with the query engine's resolvers."""

from __future__ import annotations

import pytest

from qualtui.analysis.data import AnalysisData, CodeInfo, DocInfo
from qualtui.core.errors import QualtuiError

CODES = [CodeInfo("b", "Risks", "Risks"), CodeInfo("s", "Security", "Risks/Security", "b"),
         CodeInfo("p", "Privacy", "Risks/Privacy", "b")]


def test_a_unique_tail_any_case_names_a_code() -> None:
    data = AnalysisData(codes=CODES, documents=[DocInfo("d", "P01")], segments=[])
    assert data.find_code("security").id == "s"
    assert data.find_code("risks/Security").id == "s"
    assert data.find_code("Risks").id == "b"
    assert data.find_document("p01").id == "d"


def test_misses_say_what_was_meant() -> None:
    data = AnalysisData(codes=CODES, documents=[DocInfo("d", "P01")], segments=[])
    with pytest.raises(QualtuiError, match="did you mean 'Security'"):
        data.find_code("Securty")
    with pytest.raises(QualtuiError, match=r"no document named 'P02' \(documents: P01\)"):
        data.find_document("P02")
