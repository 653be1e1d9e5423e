"""Core services without Textual: codebook, coding, memos, cases, undo/redo, settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import TRANSCRIPT, find

from qualtui.core.cases import AttributeTable
from qualtui.core.errors import Conflict, NotFound, ProjectError, QualtuiError
from qualtui.core.settings import parse_settings, resolve_coder
from qualtui.store.project import open_project


def _seg(project, needle: str, path: str, coder: str | None = None):
    doc = project.documents.by_name("P99")
    start, end = find(TRANSCRIPT, needle)
    return project.coding.apply(doc.id, start, end, project.codebook.find(path).id, coder=coder)


def test_apply_lists_and_text_match_offsets(coded_project) -> None:
    seg = _seg(coded_project, "Transparency is the main one.", "Benefits/Transparency")
    assert coded_project.coding.text_of(seg) == "Transparency is the main one."
    doc = coded_project.documents.by_name("P99")
    assert [s.id for s in coded_project.coding.at(doc.id, seg.start)] == [seg.id]
    assert coded_project.coding.at(doc.id, seg.end) == []
    assert coded_project.codebook.segment_counts()[seg.code_id] == 1


@pytest.mark.parametrize("start,end", [(-1, 5), (5, 5), (10, 3), (0, 10_000)])
def test_out_of_range_offsets_refused(coded_project, start: int, end: int) -> None:
    doc = coded_project.documents.by_name("P99")
    code = coded_project.codebook.find("Risks/Privacy")
    with pytest.raises(QualtuiError, match="outside document 'P99'"):
        coded_project.coding.apply(doc.id, start, end, code.id)
    assert coded_project.coding.segments() == []


def test_category_only_code_cannot_be_applied(coded_project) -> None:
    doc = coded_project.documents.by_name("P99")
    category = coded_project.codebook.find("Benefits")
    coded_project.codebook.update(category.id, codable=False)
    with pytest.raises(QualtuiError, match="category only"):
        coded_project.coding.apply(doc.id, 0, 5, category.id)


def test_duplicate_coding_refused(coded_project) -> None:
    _seg(coded_project, "Privacy worries me.", "Risks/Privacy")
    with pytest.raises(Conflict, match="already coded"):
        _seg(coded_project, "Privacy worries me.", "Risks/Privacy")
    # the same passage by another coder is fine (double coding)
    _seg(coded_project, "Privacy worries me.", "Risks/Privacy", coder="coder2")


def test_codebook_tree_paths_and_errors(coded_project) -> None:
    cb = coded_project.codebook
    assert [cb.path_of(c) for c in cb.all()] == [
        "Benefits", "Benefits/Transparency", "Benefits/Efficiency", "Risks", "Risks/Privacy",
        "Risks/Security"]
    with pytest.raises(Conflict):
        cb.add("Benefits/Transparency")
    with pytest.raises(NotFound, match="--create"):
        cb.resolve("Benefits/Nope")
    assert cb.resolve("benefits/transparency").name == "Transparency"  # case-insensitive
    with pytest.raises(QualtuiError, match="invalid code path"):
        cb.add("Benefits//X")


def test_rename_move_reorder(coded_project) -> None:
    cb = coded_project.codebook
    eff = cb.find("Benefits/Efficiency")
    cb.rename(eff.id, "Speed")
    assert cb.find("Benefits/Speed") is not None
    cb.move(eff.id, cb.find("Risks").id, position=0)
    assert cb.path_of(eff.id) == "Risks/Speed"
    assert [c.name for c in cb.children(cb.find("Risks").id)] == ["Speed", "Privacy", "Security"]
    with pytest.raises(QualtuiError, match="under itself"):
        cb.move(cb.find("Risks").id, eff.id)


def test_merge_moves_segments_and_drops_exact_duplicates(coded_project) -> None:
    a = _seg(coded_project, "Privacy worries me.", "Risks/Privacy")
    _seg(coded_project, "Privacy worries me.", "Risks/Security")  # same range, other code
    _seg(coded_project, "Security too,", "Risks/Privacy")
    cb = coded_project.codebook
    moved = cb.merge(cb.find("Risks/Privacy").id, cb.find("Risks/Security").id)
    assert moved == 2
    assert cb.find("Risks/Privacy") is None
    segs = coded_project.coding.segments(code_ids=[cb.find("Risks/Security").id])
    assert len(segs) == 2
    assert coded_project.repo.get("segments", a.id) is None  # merged into its twin
    coded_project.undo()
    assert cb.find("Risks/Privacy") is not None
    assert len(coded_project.coding.segments()) == 3


def test_delete_code_removes_segments_and_undo_restores(coded_project) -> None:
    _seg(coded_project, "Privacy worries me.", "Risks/Privacy")
    _seg(coded_project, "Security too,", "Risks/Security")
    cb = coded_project.codebook
    risks = cb.find("Risks")
    assert cb.delete_impact(risks.id) == (3, 2)
    assert cb.delete(risks.id) == (3, 2)
    assert cb.find("Risks") is None and coded_project.coding.segments() == []
    assert "deleted code Risks" in coded_project.undo()
    assert cb.find("Risks/Security") is not None and len(coded_project.coding.segments()) == 2


def test_undo_redo_is_per_coder_and_persistent(coded_project) -> None:
    root = coded_project.root
    mine = _seg(coded_project, "Privacy worries me.", "Risks/Privacy")
    other = open_project(root, coder="coder2")
    theirs = _seg(other, "Security too,", "Risks/Security")
    coded_project.refresh()
    # my undo reverts my coding, not coder2's later one
    assert "coded P99" in coded_project.undo()
    assert coded_project.repo.get("segments", mine.id) is None
    assert coded_project.repo.get("segments", theirs.id) is not None
    coded_project.close()
    # persistent: a new process can redo it
    again = open_project(root, coder="coder1")
    assert "redo" in again.redo() or again.repo.get("segments", mine.id) is not None
    assert again.repo.get("segments", mine.id) is not None
    with pytest.raises(Conflict, match="nothing to redo"):
        again.redo()
    again.close()
    other.close()


def test_undo_refused_when_another_coder_changed_it(coded_project) -> None:
    cb = coded_project.codebook
    code = cb.add("Emergent/Hidden cost")
    other = open_project(coded_project.root, coder="coder2")
    other.codebook.rename(code.id, "Hidden costs")
    coded_project.refresh()
    with pytest.raises(Conflict, match="coder2 changed it since"):
        coded_project.undo()
    assert cb.find("Emergent/Hidden costs") is not None
    other.close()


def test_new_action_clears_redo(coded_project) -> None:
    _seg(coded_project, "Privacy worries me.", "Risks/Privacy")
    coded_project.undo()
    _seg(coded_project, "Security too,", "Risks/Security")
    with pytest.raises(Conflict, match="nothing to redo"):
        coded_project.redo()


def test_memos_and_segment_memo(coded_project) -> None:
    doc = coded_project.documents.by_name("P99")
    start, end = find(TRANSCRIPT, "Privacy worries me.")
    code = coded_project.codebook.find("Risks/Privacy")
    seg = coded_project.coding.apply(doc.id, start, end, code.id, memo="IC numbers in comments")
    memos = coded_project.memos.all(kind="segment", target_id=seg.id)
    assert memos and memos[0].body == "IC numbers in comments"
    journal = coded_project.memos.create("journal", None, "Day 1", "Started coding.")
    coded_project.memos.edit(journal.id, body="Started coding P99.")
    assert coded_project.memos.get(journal.id).body == "Started coding P99."
    with pytest.raises(NotFound):
        coded_project.memos.create("code", "nope", "x")
    coded_project.coding.remove(seg.id)  # removing a segment removes its memo
    assert coded_project.memos.all(kind="segment") == []


def test_cases_and_attributes(coded_project) -> None:
    table = AttributeTable(columns=["role", "years"],
                           rows={"P99": ("R1", {"role": "Webmaster", "years": "9"})})
    report = coded_project.cases.apply_table(table)
    assert report.attributes == {"role": "category", "years": "number"}
    doc = coded_project.documents.by_name("P99")
    assert doc.attributes == {"role": "Webmaster", "years": 9}
    assert coded_project.cases.case_of(doc).name == "R1"
    bad = AttributeTable(columns=["role"], rows={"P42": ("P42", {"role": "x"})})
    with pytest.raises(QualtuiError, match="unknown document .P42."):
        coded_project.cases.apply_table(bad)


def test_duplicate_import_asks_for_force(coded_project) -> None:
    with pytest.raises(Conflict, match="already imported as 'P99'"):
        coded_project.documents.add("Other", TRANSCRIPT, fmt="txt", filename="o.txt")
    doc = coded_project.documents.add("P99", TRANSCRIPT, fmt="txt", filename="o.txt",
                                      force=True)
    assert doc.name == "P99 (2)"


def test_settings_errors_name_the_line(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match=r"qualtui.yaml line 2: .*unknown setting"):
        parse_settings("title: x\ncolour: red\n", tmp_path / "qualtui.yaml")
    with pytest.raises(ProjectError, match=r"qualtui.yaml line 2"):
        parse_settings("title: x\n  bad: [\n", tmp_path / "qualtui.yaml")
    with pytest.raises(ProjectError, match="coders"):
        parse_settings("coders: 5\n", tmp_path / "qualtui.yaml")


def test_settings_round_trip(tmp_path: Path) -> None:
    from qualtui.core.settings import CoderInfo, Settings

    settings = Settings(title="T", research_questions=["Why?"], coder="coder1",
                        coders=[CoderInfo("coder1", "First", "alice")], theme="mono")
    again = parse_settings(settings.to_yaml(), tmp_path / "qualtui.yaml")
    assert again == settings


def test_coder_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    settings = parse_settings("coders:\n  - id: coder7\n    user: alice\n", tmp_path / "q.yaml")
    monkeypatch.delenv("QUALTUI_CODER", raising=False)
    monkeypatch.setattr("getpass.getuser", lambda: "alice")
    assert resolve_coder(None, settings) == "coder7"
    monkeypatch.setenv("QUALTUI_CODER", "envcoder")
    assert resolve_coder(None, settings) == "envcoder"
    assert resolve_coder("cli", settings) == "cli"


def test_log_records_who_and_what(coded_project) -> None:
    _seg(coded_project, "Privacy worries me.", "Risks/Privacy")
    entry = coded_project.log.entries()[-1]
    assert entry.coder == "coder1" and entry.op == "segment.apply"
    assert entry.changes[0]["table"] == "segments" and entry.changes[0]["before"] is None
