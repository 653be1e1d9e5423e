"""Coding-session logic (qualtui.core.session) and the UI state file, without Textual."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from tui_helpers import INTERVIEW, code_id, offset_of

from qualtui.core import session
from qualtui.core.models import LogEntry
from qualtui.core.session import Run
from qualtui.store.ui_state import STATE_FILE, UIState


def test_coverage_runs_split_overlaps() -> None:
    runs = session.coverage_runs([(0, 10, "a"), (5, 15, "b"), (20, 25, "a"), (22, 23, "a")])
    assert runs == [Run(0, 5, frozenset({"a"})), Run(5, 10, frozenset({"a", "b"})),
                    Run(10, 15, frozenset({"b"})), Run(20, 25, frozenset({"a"}))]
    assert session.coverage_runs([]) == []
    assert session.coverage_runs([(3, 3, "a")]) == []


def test_quick_slots_pinned_then_shortcuts_then_recent() -> None:
    valid = {"a", "b", "c", "d", "e"}
    slots = session.quick_slots({2: "a", 5: "gone"}, ["a", "b", "gone", "c"], valid,
                                {"d": "1", "e": "x"})
    assert slots == {1: "d", 2: "a", 3: "b", 4: "c"}
    assert session.push_recent(["a", "b", "c"], "c") == ["c", "a", "b"]
    assert session.push_recent([str(i) for i in range(9)], "new") == ["new", *map(str,
                                                                              range(8))]


def test_invivo_names() -> None:
    assert session.invivo_name('  "Facebook is\nfree,"  ') == "Facebook is\nfree".replace(
        "\n", " ")
    assert session.invivo_name("a/b") == "a-b"
    long = session.invivo_name("we post the evacuation centres on the Telegram channel first")
    assert long.endswith("...") and len(long) <= 40
    assert session.invivo_name("...") == ""


def test_find_all_smart_case() -> None:
    text = "The cat and the Cat"
    assert session.find_all(text, "the") == [(0, 3), (12, 15)]
    assert session.find_all(text, "Cat") == [(16, 19)]
    assert session.find_all(text, "") == []
    # a lower() that changes length never shifts offsets
    assert session.find_all("\u0130x x", "x") == [(1, 2), (3, 4)]


def test_covering_finds_the_segments_at_an_offset() -> None:
    from qualtui.core.models import Segment

    segs = [Segment(str(i), "d", "c", a, b, "x") for i, (a, b) in
            enumerate([(0, 50), (10, 12), (11, 30), (40, 45), (44, 100)])]
    starts = [s.start for s in segs]
    longest = max(s.end - s.start for s in segs)
    for offset in range(0, 101):
        expected = [s.id for s in segs if s.start <= offset < s.end]
        assert [s.id for s in session.covering(segs, starts, longest, offset)] == expected


def test_next_and_prev_start() -> None:
    starts = [3, 10, 20]
    assert session.next_start(starts, 3) == 10
    assert session.next_start(starts, 20) is None
    assert session.next_start(starts, 20, wrap=True) == 3
    assert session.prev_start(starts, 10) == 3
    assert session.prev_start(starts, 3, wrap=True) == 20
    assert session.trim_range("  ab \n", 0, 6) == (2, 4)


def _entry(seq: int, coder: str, op: str, summary: str, changes: list) -> LogEntry:
    return LogEntry(id=str(seq), seq=seq, at="", coder=coder, op=op, summary=summary,
                    changes=changes)


def test_describe_changes_counts_per_coder_and_document() -> None:
    ins = [{"table": "segments", "before": None, "after": {"document_id": "d1"}}]
    rm = [{"table": "segments", "before": {"document_id": "d2"}, "after": None}]
    entries = [
        _entry(1, "coder2", "segment.apply", "coded", ins),
        _entry(2, "coder2", "segment.bulk", "imported", ins * 2),
        _entry(3, "coder2", "segment.remove", "removed", rm),
        _entry(4, "coder3", "code.add", "added code Risks/Cost", []),
        _entry(5, "coder1", "segment.apply", "coded", ins),
    ]
    lines = session.describe_changes(entries, "coder1", {"d1": "P04", "d2": "P05"})
    assert lines == ["coder2 coded 3 segments in P04; removed 1 coding in P05",
                     "coder3 added code Risks/Cost"]


def test_codes_at_reads_the_project(project) -> None:
    doc = project.documents.by_name("P99")
    start = offset_of(INTERVIEW, "Transparency")
    seg = project.coding.apply(doc.id, start, start + 12, code_id(project, "Benefits/Efficiency"))
    project.memos.create("segment", seg.id, "why", "because")
    found = session.codes_at(project, doc.id, start + 2)
    assert [(c.path, c.memo.body if c.memo else None) for c in found] == [
        ("Benefits/Efficiency", "because")]
    assert session.codes_at(project, doc.id, 0) == []
    assert session.document_counts(project.coding.segments(), doc.id) == {seg.code_id: 1}


def test_session_module_does_not_import_textual() -> None:
    code = "import sys, qualtui.core.session; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


# -- UI state file ---------------------------------------------------------------------------
def test_ui_state_round_trip_and_private(tmp_path: Path) -> None:
    state = UIState.load("p1", tmp_path)
    assert state.last_document is None and state.pinned == {} and state.recent == []
    state.last_document = "doc"
    state.pinned = {1: "a", 9: "b"}
    state.recent = ["a", "b"]
    state.save()
    other = UIState.load("p2", tmp_path)
    other.last_document = "x"
    other.save()
    again = UIState.load("p1", tmp_path)
    assert (again.last_document, again.pinned, again.recent) == ("doc", {1: "a", 9: "b"},
                                                                ["a", "b"])
    assert UIState.load("p2", tmp_path).last_document == "x"
    assert stat.S_IMODE(os.stat(tmp_path / STATE_FILE).st_mode) == 0o600


def test_ui_state_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALTUI_STATE_DIR", str(tmp_path / "here"))
    state = UIState.load("p")
    state.recent = ["x"]
    state.save()
    assert (tmp_path / "here" / STATE_FILE).is_file()


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b'{"projects": 3}',
                                     b'{"projects": {"p": {"pinned": {"0": "a", "x": 1,'
                                     b' "3": "c"}, "recent": "nope", "last_document": 5}}}'])
def test_corrupt_ui_state_is_ignored(tmp_path: Path, content: bytes) -> None:
    (tmp_path / STATE_FILE).write_bytes(content)
    state = UIState.load("p", tmp_path)
    assert state.last_document is None and state.recent == []
    assert state.pinned in ({}, {3: "c"})
    if not content.startswith(b'{"projects": {'):
        assert state.warning
    state.recent = ["a"]
    state.save()  # rewrites a clean file
    assert UIState.load("p", tmp_path).recent == ["a"]
