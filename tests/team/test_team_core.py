"""Coder filters and blind mode, agreement inputs from a project, adjudication, log lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from team_helpers import (
    FASTER,
    INTERVIEW,
    PEOPLE,
    SECOND,
    TRANSPARENCY,
    build,
    code_id,
    doc_id,
    double_code,
    opened,
    span,
)

from qualtui.analysis.team import adjudicate, agreement_inputs, consensus_label, run_agreement
from qualtui.core.errors import NotFound, QualtuiError
from qualtui.core.models import LogEntry, Memo, Segment
from qualtui.core.team import (
    CONSENSUS,
    describe_change,
    describe_filter,
    filter_choices,
    visible_entries,
    visible_memos,
    visible_segments,
)


def seg(sid: str, coder: str) -> Segment:
    return Segment(id=sid, document_id="d", code_id="c", start=0, end=5, coder=coder)


SEGMENTS = [seg("s1", "me"), seg("s2", "ana"), seg("s3", "ben"), seg("s4", "me")]


@pytest.mark.parametrize("mode, other, ids", [
    ("all", None, ["s1", "s2", "s3", "s4"]),
    ("mine", None, ["s1", "s4"]),
    ("other", "ana", ["s2"]),
    ("blind", None, ["s1", "s4"]),
])
def test_visible_segments(mode: str, other: str | None, ids: list[str]) -> None:
    assert [s.id for s in visible_segments(SEGMENTS, "me", mode, other)] == ids


def test_filter_errors() -> None:
    with pytest.raises(QualtuiError, match="needs the coder"):
        visible_segments(SEGMENTS, "me", "other")
    with pytest.raises(QualtuiError, match="unknown coder filter"):
        visible_segments(SEGMENTS, "me", "everyone")


def memo(mid: str, kind: str, target: str | None, author: str) -> Memo:
    return Memo(id=mid, kind=kind, target_id=target, title=mid, body="", author=author,
                created_at="", modified_at="")


def test_blind_mode_hides_other_coders_memos() -> None:
    memos = [memo("m1", "segment", "s1", "me"), memo("m2", "segment", "s2", "ana"),
             memo("m3", "document", "d", "ana"), memo("m4", "project", None, "ana"),
             memo("m5", "code", "c", "me")]
    visible = visible_segments(SEGMENTS, "me", "blind")
    assert [m.id for m in visible_memos(memos, [s.id for s in visible], "me", "blind")] == [
        "m1", "m4", "m5"]
    everyone = [s.id for s in visible_segments(SEGMENTS, "me", "all")]
    assert [m.id for m in visible_memos(memos, everyone, "me", "all")] == [
        "m1", "m2", "m3", "m4", "m5"]


def test_blind_mode_announces_no_coding_of_others() -> None:
    def entry(coder: str, op: str, table: str) -> LogEntry:
        return LogEntry(id=op + coder, seq=1, at="", coder=coder, op=op, summary=op,
                        changes=[{"table": table, "id": "x", "before": None, "after": {}}])

    entries = [entry("ana", "segment.apply", "segments"), entry("ana", "code.add", "codes"),
               entry("me", "segment.apply", "segments"),
               entry("ana", "code.delete", "segments")]
    assert [e.id for e in visible_entries(entries, "me", "blind")] == [
        "code.addana", "segment.applyme"]
    assert len(visible_entries(entries, "me", "all")) == 4


def test_filter_choices_cycle_and_labels() -> None:
    choices = filter_choices("me", ["me", "ben", "ana"])
    assert [(c.mode, c.other) for c in choices] == [
        ("all", None), ("mine", None), ("other", "ana"), ("other", "ben"), ("blind", None)]
    assert describe_filter("blind", "me") == "BLIND: only me"
    assert describe_filter("other", "me", "ana") == "ana only"


# -- agreement inputs from a project ----------------------------------------------------------
@pytest.fixture
def coded(tmp_path: Path) -> Path:
    root = double_code(build(tmp_path / "proj"))
    with opened(root) as project:
        second = project.documents.add("P98", SECOND, fmt="txt", filename="P98.txt")
        project.coding.apply(second.id, 0, 10, code_id(project, "Risks/Privacy"))
    return root


def test_inputs_default_to_documents_every_coder_coded(coded: Path) -> None:
    with opened(coded) as project:
        inputs = agreement_inputs(project, ["coder1", "coder2"], "sentence")
        assert [d.name for d in inputs.documents] == ["P99"]
        assert inputs.skipped == [("P98", "not coded by coder2")]
        assert [inputs.labels[c] for c in inputs.codes] == [
            "Benefits/Transparency", "Benefits/Efficiency", "Risks/Privacy", "Risks/Security"]
        named = agreement_inputs(project, ["coder1", "coder2"], "char", ["Risks"], ["P98"])
        assert [d.name for d in named.documents] == ["P98"]
        assert [named.labels[c] for c in named.codes] == ["Risks", "Risks/Privacy",
                                                          "Risks/Security"]
        run = run_agreement(inputs)
        assert run.result.unit == "sentence"
        privacy = next(c for c in run.result.codes if c.label == "Risks/Privacy")
        assert privacy.figures.kappa == 1.0
        assert [run.labels[p.code] for p in run.passages()] == [
            "Benefits/Transparency", "Benefits/Efficiency", "Risks/Security"]


def test_inputs_errors(coded: Path) -> None:
    with opened(coded) as project:
        with pytest.raises(QualtuiError, match="two different coders"):
            agreement_inputs(project, ["coder1", "coder1"])
        with pytest.raises(NotFound, match="coder 'zed' has no segments"):
            agreement_inputs(project, ["coder1", "zed"])
        with pytest.raises(QualtuiError, match="unknown unit"):
            agreement_inputs(project, ["coder1", "coder2"], "word")
        with pytest.raises(NotFound, match="no code 'Nope'"):
            agreement_inputs(project, ["coder1", "coder2"], "char", ["Nope"])


def test_turn_unit_skips_documents_without_turns(coded: Path) -> None:
    with opened(coded) as project:
        inputs = agreement_inputs(project, ["coder1", "coder2"], "turn")
        inputs.documents[0].turns = []
        with pytest.raises(QualtuiError, match="no document has turn units"):
            run_agreement(inputs)


# -- adjudication ------------------------------------------------------------------------------
def test_adjudicate_replaces_consensus_inside_the_passage_only(coded: Path) -> None:
    with opened(coded) as project:
        run = run_agreement(agreement_inputs(project, ["coder1", "coder2"]))
        passage = run.passages(code_id(project, "Benefits/Transparency"))[0]
        transparency = code_id(project, "Benefits/Transparency")
        # an earlier, hand-made consensus segment reaching beyond the passage
        wide_end = span(INTERVIEW, "e.g. for flood alerts.")[1]
        wide = project.coding.apply(doc_id(project), passage.start, wide_end, transparency,
                                    coder=CONSENSUS)
        project.memos.create("segment", wide.id, "why", "agreed in meeting 2")
        assert consensus_label(passage, [(wide.start, wide.end)]) == "both"
        adjudicate(project, passage, passage.version("coder1"), "coder1's version")
        mine = sorted((s.start, s.end) for s in project.coding.segments(coder=CONSENSUS))
        assert mine == [*passage.version("coder1"), (passage.end, wide_end)]
        assert consensus_label(passage, mine) == "coder1"
        assert project.log.entries()[-1].op == "adjudicate"
        assert project.undo().startswith("undo: adjudicated Benefits/Transparency in P99")
        assert [(s.start, s.end) for s in project.coding.segments(coder=CONSENSUS)] == [
            (wide.start, wide.end)]
        # cutting the consensus segment out entirely deletes it with its memo
        adjudicate(project, passage, [], "neither")
        texts = [project.coding.text_of(s) for s in project.coding.segments(coder=CONSENSUS)]
        assert texts == [INTERVIEW[passage.end:wide_end]]
        assert [m.title for m in project.memos.all(kind="segment")] == ["why"]
        adjudicate(project, passage, passage.union(), "both")
        assert consensus_label(passage, [(s.start, s.end) for s in project.coding.segments(
            coder=CONSENSUS)]) == "both"
        expected = TRANSPARENCY + " " + PEOPLE + " " + FASTER
        assert INTERVIEW[passage.start:passage.end] == expected


def test_adjudicate_refuses_ranges_outside_the_document(coded: Path) -> None:
    with opened(coded) as project:
        run = run_agreement(agreement_inputs(project, ["coder1", "coder2"]))
        passage = run.passages()[0]
        with pytest.raises(QualtuiError, match="outside document"):
            adjudicate(project, passage, [(0, 10**6)], "edited")


def test_describe_change() -> None:
    names = {"d": "P01", "c": "Risks/Privacy"}
    segment = {"id": "s", "document_id": "d", "code_id": "c", "start": 3, "end": 9,
               "coder": "ana"}
    assert describe_change({"table": "segments", "id": "s", "before": None,
                            "after": segment}, names) == "+ segment P01 3-9 Risks/Privacy (ana)"
    assert describe_change({"table": "segments", "id": "s", "before": segment,
                            "after": None}, names) == "- segment P01 3-9 Risks/Privacy (ana)"
    assert describe_change({"table": "segments", "id": "s", "before": segment,
                            "after": segment | {"end": 12}}, names) == (
        "~ segment P01 3-9 Risks/Privacy (ana): end 9 → 12")
    code = {"id": "c", "name": "Privacy"}
    assert describe_change({"table": "codes", "id": "c", "before": code,
                            "after": code | {"name": "Data"}}, names) == (
        "~ code Risks/Privacy: name 'Privacy' → 'Data'")
