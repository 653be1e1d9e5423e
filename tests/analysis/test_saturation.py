"""Saturation on hand-built interview sequences."""

from __future__ import annotations

import pytest

from qualtui.analysis.data import AnalysisData, CodeInfo, DocInfo, Seg, select
from qualtui.analysis.saturation import order_documents, parse_order, saturation
from qualtui.core.errors import QualtuiError

from .corpus import A, B, C, D, corpus

CODES = [CodeInfo("cat", "Cat", "Cat", codable=False),
         *(CodeInfo(k, k, f"Cat/{k}", "cat", depth=2) for k in "ABCD")]
# interview -> codes used (import order I1..I7); I7 is not coded yet
USED = {"I1": "AB", "I2": "BC", "I3": "A", "I4": "D", "I5": "AB", "I6": "C", "I7": ""}
DATES = {"I1": "2024-05-01", "I2": "2024-01-10", "I3": "2024-02-01", "I4": "2024-03-01",
         "I5": "2024-04-01", "I6": None, "I7": "2024-06-01"}


def interviews() -> AnalysisData:
    docs = []
    segs = []
    for position, (name, used) in enumerate(USED.items()):
        attrs = {"date": DATES[name]} if DATES[name] else {}
        docs.append(DocInfo(name, name, position, attributes=attrs, text="x" * 50))
        for k, code in enumerate(used):
            segs.append(Seg(f"{name}{k}", name, code, k * 10, k * 10 + 5,
                            "coder2" if name == "I4" else "coder1"))
    return AnalysisData(CODES, docs, segs, {"date": "date"})


def test_new_codes_and_curve_in_import_order() -> None:
    result = saturation(interviews(), k=2)
    assert [s.document.name for s in result.steps] == ["I1", "I2", "I3", "I4", "I5", "I6"]
    assert result.new_counts == [2, 1, 0, 1, 0, 0]
    assert result.curve == [2, 3, 3, 4, 4, 4]
    assert [[c.id for c in s.new_codes] for s in result.steps] == [
        ["A", "B"], ["C"], [], ["D"], [], []]
    assert [s.codes_used for s in result.steps] == [2, 2, 1, 1, 2, 1]
    assert [d.name for d in result.skipped] == ["I7"]  # not coded: left out, not "no new"
    # k=2: after I1 comes I2 (new C); after I2, I3 is quiet but I4 brings D; after I4 the
    # two interviews I5 and I6 add nothing -> saturation after I4
    assert result.point == 4
    assert result.point_step is not None and result.point_step.document.name == "I4"
    assert result.new_after_point == []
    assert result.total_codes == 4


def test_k_changes_the_point() -> None:
    k1 = saturation(interviews(), k=1)
    assert k1.point == 2  # I3 added nothing
    assert [c.id for c in k1.new_after_point] == ["D"]  # I4 still brought a new code
    assert "1 code(s) appeared later" in k1.summary()
    k3 = saturation(interviews(), k=3)
    assert k3.point is None  # never three quiet interviews in a row
    assert k3.summary().startswith("not reached")
    with pytest.raises(QualtuiError):
        saturation(interviews(), k=0)


def test_order_by_date_attribute() -> None:
    data = interviews()
    ordered = order_documents(data, "attribute:date")
    # dated first by date, undated (I6) last; ties keep import order
    assert [d.name for d in ordered] == ["I2", "I3", "I4", "I5", "I1", "I7", "I6"]
    result = saturation(data, "attribute:date", k=2)
    assert [s.document.name for s in result.steps] == ["I2", "I3", "I4", "I5", "I1", "I6"]
    assert result.new_counts == [2, 1, 1, 0, 0, 0]
    assert result.point == 3
    assert [s.order_value for s in result.steps][:2] == ["2024-01-10", "2024-02-01"]
    with pytest.raises(QualtuiError, match="no attribute 'when'"):
        saturation(data, "attribute:when")
    with pytest.raises(QualtuiError, match="bad order"):
        parse_order("random")


def test_level_and_coder_filter() -> None:
    top = saturation(interviews(), k=2, level="top")
    assert top.new_counts == [1, 0, 0, 0, 0, 0]
    assert top.point == 1
    no_coder2 = saturation(select(interviews(), coders=["coder1"]), k=2)
    # I4 (coder2's only interview) becomes uncoded and is skipped
    assert [d.name for d in no_coder2.skipped] == ["I4", "I7"]
    assert no_coder2.new_counts == [2, 1, 0, 0, 0]
    assert no_coder2.point == 2


def test_saturation_on_the_shared_corpus() -> None:
    result = saturation(corpus(), k=2)
    # P01 uses all four codes, P02 and P03 add nothing
    assert result.new_counts == [4, 0, 0]
    assert [c.path for c in result.steps[0].new_codes] == [A, B, C, D]
    assert result.point == 1
    dated = saturation(corpus(), "attribute:interview_date", k=2)
    assert [s.document.name for s in dated.steps] == ["P02", "P01", "P03"]
    assert dated.new_counts == [4, 0, 0]
    json = dated.as_json()
    assert json["saturation"] == {"index": 1, "document": "P02", "codes_found": 4}
    assert json["interviews"][0]["new_codes"] == [A, B, C, D]
