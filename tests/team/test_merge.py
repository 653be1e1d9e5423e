"""Merging offline copies: disjoint, overlapping, conflicting, idempotent, refused, undone."""

from __future__ import annotations

from pathlib import Path

import pytest
from team_helpers import (
    INTERVIEW,
    SECOND,
    code_id,
    copy,
    doc_id,
    opened,
    span,
    tables,
)

from qualtui.core.errors import Conflict, QualtuiError
from qualtui.core.merge import merge_projects
from qualtui.store.project import doctor

TRANSPARENCY = "Transparency is the main one."
PRIVACY = "Privacy worries me."
SECURITY = "Security too, our page was hacked once."


def coded(root: Path) -> set[tuple[str, str, str]]:
    """(coded text, code path, coder) of every segment."""
    with opened(root) as project:
        return {(project.coding.text_of(s), project.codebook.path_of(s.code_id), s.coder)
                for s in project.coding.segments()}


def merge(ours: Path, theirs: Path, **kwargs):
    with opened(ours) as project:
        return merge_projects(project, theirs, **kwargs)


def test_disjoint_changes_are_united(base: Path, tmp_path: Path) -> None:
    laptop = copy(base, tmp_path / "laptop")
    with opened(base) as server:
        server.coding.apply(doc_id(server), *span(INTERVIEW, TRANSPARENCY),
                            code_id(server, "Benefits/Transparency"))
    with opened(laptop, "coder2") as field:
        doc = field.documents.add("P98", SECOND, fmt="txt", filename="P98.txt",
                                  original=SECOND.encode())
        new_code = field.codebook.add("Context/Moderation")
        field.coding.apply(doc.id, *span(SECOND, "We hide abusive comments within the hour."),
                           new_code.id)
        field.coding.apply(doc_id(field), *span(INTERVIEW, PRIVACY),
                           code_id(field, "Risks/Privacy"))
        field.memos.create("project", None, "Field notes", "Power cut during P98.")
    report = merge(base, laptop)
    assert report.conflicts == []
    assert report.added == {"codes": 2, "documents": 1, "memos": 1, "segments": 2}
    assert report.sources_copied == 1
    assert coded(base) == {
        (TRANSPARENCY, "Benefits/Transparency", "coder1"),
        (PRIVACY, "Risks/Privacy", "coder2"),
        ("We hide abusive comments within the hour.", "Context/Moderation", "coder2"),
    }
    with opened(base) as server:
        p98 = server.documents.by_name("P98")
        assert server.documents.text(p98.id) == SECOND
        assert (base / p98.original).read_bytes() == SECOND.encode()
        assert [m.title for m in server.memos.all()] == ["Field notes"]
    assert all(f.level != "error" for f in doctor(base))


def test_overlapping_edits_of_different_fields_merge_without_conflict(
        base: Path, tmp_path: Path) -> None:
    laptop = copy(base, tmp_path / "laptop")
    with opened(base) as server:
        server.codebook.update(code_id(server, "Risks/Privacy"), color="#112233")
        server.coding.apply(doc_id(server), *span(INTERVIEW, PRIVACY),
                            code_id(server, "Risks/Privacy"))
    with opened(laptop, "coder2") as field:
        field.codebook.update(code_id(field, "Risks/Privacy"), definition="Personal data")
        field.coding.apply(doc_id(field), *span(INTERVIEW, PRIVACY),
                           code_id(field, "Risks/Privacy"))
    report = merge(base, laptop)
    assert report.conflicts == []
    assert report.updated == {"codes": 1}
    with opened(base) as server:
        privacy = server.codebook.get(code_id(server, "Risks/Privacy"))
        assert (privacy.color, privacy.definition) == ("#112233", "Personal data")
    assert coded(base) == {(PRIVACY, "Risks/Privacy", "coder1"),
                           (PRIVACY, "Risks/Privacy", "coder2")}


@pytest.fixture
def renamed_both(base: Path, tmp_path: Path, clock) -> tuple[Path, Path]:
    """The server renames Risks/Privacy to 'Data protection' at 10:00, the laptop to
    'Personal data' at 11:00; both edit the same memo."""
    with opened(base) as server:
        memo = server.memos.create("code", code_id(server, "Risks/Privacy"), "Privacy",
                                   "First idea.")
    laptop = copy(base, tmp_path / "laptop")
    clock.set("2026-01-01T10:00:00Z")
    with opened(base) as server:
        server.codebook.rename(code_id(server, "Risks/Privacy"), "Data protection")
        server.memos.edit(memo.id, body="First idea, server version.")
    clock.set("2026-01-01T11:00:00Z")
    with opened(laptop, "coder2") as field:
        field.codebook.rename(code_id(field, "Risks/Privacy"), "Personal data")
        field.memos.edit(memo.id, body="First idea, laptop version.")
    return base, laptop


def _memo_bodies(root: Path) -> dict[str, str]:
    with opened(root) as project:
        return {m.title: m.body for m in project.memos.all()}


def test_conflict_newest_wins_and_loser_is_kept(renamed_both) -> None:
    server, laptop = renamed_both
    report = merge(server, laptop)
    kinds = sorted(c.kind for c in report.conflicts)
    assert kinds == ["memo text", "renamed"]
    renamed = next(c for c in report.conflicts if c.kind == "renamed")
    assert (renamed.ours, renamed.theirs, renamed.winner) == (
        {"name": "Data protection"}, {"name": "Personal data"}, "theirs")
    assert "newest" in renamed.reason
    with opened(server) as project:
        assert project.codebook.find("Risks/Personal data") is not None
        assert project.codebook.find("Risks/Data protection") is None
    bodies = _memo_bodies(server)
    assert bodies["Privacy"] == "First idea, laptop version."
    assert bodies["Privacy (merge conflict: ours version)"] == "First idea, server version."
    listing = next(body for title, body in bodies.items() if title.startswith("Merge conflicts"))
    assert "Data protection" in listing and "Personal data" in listing


@pytest.mark.parametrize("prefer, name, body", [
    ("ours", "Data protection", "First idea, server version."),
    ("theirs", "Personal data", "First idea, laptop version."),
])
def test_conflict_resolved_by_preference(renamed_both, prefer: str, name: str,
                                         body: str) -> None:
    server, laptop = renamed_both
    report = merge(server, laptop, prefer=prefer)
    assert {c.winner for c in report.conflicts} == {prefer}
    assert all(c.reason == f"--prefer {prefer}" for c in report.conflicts)
    with opened(server) as project:
        assert project.codebook.find(f"Risks/{name}") is not None
    bodies = _memo_bodies(server)
    assert bodies["Privacy"] == body
    other = "theirs" if prefer == "ours" else "ours"
    assert f"Privacy (merge conflict: {other} version)" in bodies


def test_moved_differently_on_both_sides_is_a_conflict(base: Path, tmp_path: Path,
                                                       clock) -> None:
    laptop = copy(base, tmp_path / "laptop")
    clock.set("2026-01-01T12:00:00Z")
    with opened(base) as server:
        server.codebook.move(code_id(server, "Risks/Privacy"), None)
    clock.set("2026-01-01T09:00:00Z")
    with opened(laptop, "coder2") as field:
        field.codebook.move(code_id(field, "Risks/Privacy"), code_id(field, "Benefits"))
    report = merge(base, laptop)
    moved = [c for c in report.conflicts if c.kind == "moved"]
    assert len(moved) == 1 and moved[0].winner == "ours"
    with opened(base) as server:
        assert server.codebook.find("Privacy") is not None


def test_merge_is_idempotent(renamed_both) -> None:
    server, laptop = renamed_both
    merge(server, laptop)
    before = tables(server)
    second = merge(server, laptop)
    assert not second.changed
    assert second.conflicts == [] and second.log_entries == 0
    assert tables(server) == before
    with opened(server) as project:
        merges = [e for e in project.log.entries() if e.op == "merge"]
    assert len(merges) == 1  # the second merge wrote nothing, not even a log entry


def test_dry_run_reports_without_writing(renamed_both) -> None:
    server, laptop = renamed_both
    before = tables(server)
    report = merge(server, laptop, dry_run=True)
    assert report.dry_run and report.changed and len(report.conflicts) == 2
    assert report.summary().startswith("would merge")
    assert tables(server) == before


def test_a_copy_that_kept_being_used_merges_again(base: Path, tmp_path: Path) -> None:
    laptop = copy(base, tmp_path / "laptop")
    with opened(laptop, "coder2") as field:
        segment = field.coding.apply(doc_id(field), *span(INTERVIEW, PRIVACY),
                                     code_id(field, "Risks/Privacy"))
    merge(base, laptop)
    with opened(laptop, "coder2") as field:  # the fieldworker goes on with the same copy
        field.coding.resize(segment.id, *span(INTERVIEW, "Privacy worries me. Citizens post"
                                                         " their IC numbers in the comments."))
        field.codebook.rename(code_id(field, "Risks/Security"), "Cyber security")
    report = merge(base, laptop)
    assert report.conflicts == []
    assert report.updated == {"codes": 1, "segments": 1}
    assert coded(base) == {("Privacy worries me. Citizens post their IC numbers in the"
                            " comments.", "Risks/Privacy", "coder2")}


def test_deletions_propagate_and_delete_versus_edit_is_reported(
        base: Path, tmp_path: Path, clock) -> None:
    with opened(base) as server:
        keep = server.coding.apply(doc_id(server), *span(INTERVIEW, PRIVACY),
                                   code_id(server, "Risks/Privacy"))
        gone = server.coding.apply(doc_id(server), *span(INTERVIEW, SECURITY),
                                   code_id(server, "Risks/Security"))
    laptop = copy(base, tmp_path / "laptop")
    clock.set("2026-01-01T10:00:00Z")
    with opened(laptop, "coder2") as field:
        field.coding.remove(gone.id)
        field.coding.remove(keep.id)
    clock.set("2026-01-01T11:00:00Z")
    with opened(base) as server:  # the server edited one of them after the copy
        server.coding.resize(keep.id, *span(INTERVIEW, "Privacy worries me. Citizens"))
    report = merge(base, laptop)
    assert report.deleted == {"segments": 1}
    [conflict] = report.conflicts
    assert (conflict.kind, conflict.winner, conflict.id) == ("deleted", "ours", keep.id)
    assert coded(base) == {("Privacy worries me. Citizens", "Risks/Privacy", "coder1")}


def test_a_deleted_code_still_used_is_kept(base: Path, tmp_path: Path) -> None:
    laptop = copy(base, tmp_path / "laptop")
    with opened(laptop, "coder2") as field:
        field.codebook.delete(code_id(field, "Risks/Security"))
    with opened(base) as server:
        server.coding.apply(doc_id(server), *span(INTERVIEW, SECURITY),
                            code_id(server, "Risks/Security"))
    report = merge(base, laptop)
    assert [c.kind for c in report.conflicts] == ["kept"]
    assert coded(base) == {(SECURITY, "Risks/Security", "coder1")}


def test_same_new_code_on_both_sides_is_renamed_once(base: Path, tmp_path: Path) -> None:
    laptop = copy(base, tmp_path / "laptop")
    with opened(base) as server:
        server.codebook.add("Benefits/Speed")
    with opened(laptop, "coder2") as field:
        speed = field.codebook.add("Benefits/Speed")
        field.coding.apply(doc_id(field), *span(INTERVIEW, "It is also faster"), speed.id)
    report = merge(base, laptop)
    assert [c.kind for c in report.conflicts] == ["same name"]
    assert coded(base) == {("It is also faster", "Benefits/Speed (merged)", "coder2")}
    assert not merge(base, laptop).changed


def test_same_uuid_different_text_is_refused(base: Path, tmp_path: Path) -> None:
    laptop = copy(base, tmp_path / "laptop")
    with opened(laptop) as field:  # simulate a copy whose P99 is another text
        with field.repo.transaction():
            row = dict(field.repo.get("documents", doc_id(field)))
            field.repo.replace("documents", row | {"sha256": "0" * 64})
    before = tables(base)
    with pytest.raises(QualtuiError, match="sha256 differs"):
        merge(base, laptop)
    assert tables(base) == before


def test_a_tampered_incoming_source_is_refused(base: Path, tmp_path: Path) -> None:
    laptop = copy(base, tmp_path / "laptop")
    with opened(laptop) as field:
        doc = field.documents.add("P98", SECOND, fmt="txt", filename="P98.txt")
    (laptop / "sources" / f"{doc.id}.txt").write_text(SECOND.replace("hour", "day"))
    with pytest.raises(QualtuiError, match="no longer matches its sha256"):
        merge(base, laptop)
    assert not (base / "sources" / f"{doc.id}.txt").exists()


def test_merging_into_itself_is_refused(base: Path) -> None:
    with pytest.raises(QualtuiError, match="into itself"):
        merge(base, base)


def test_log_survives_merge(base: Path, tmp_path: Path) -> None:
    laptop = copy(base, tmp_path / "laptop")
    with opened(laptop, "coder2") as field:
        field.coding.apply(doc_id(field), *span(INTERVIEW, PRIVACY),
                           code_id(field, "Risks/Privacy"))
        field.codebook.rename(code_id(field, "Risks/Security"), "Cyber security")
        theirs = {e.id: e for e in field.log.entries()}
    merge(base, laptop)
    with opened(base) as server:
        entries = server.log.entries()
    by_id = {e.id: e for e in entries}
    for entry_id, entry in theirs.items():
        assert by_id[entry_id].at == entry.at and by_id[entry_id].coder == entry.coder
        assert by_id[entry_id].changes == entry.changes
    seqs = [e.seq for e in entries]
    assert len(seqs) == len(set(seqs))
    assert entries[-1].op == "merge"
    assert [e.summary for e in entries if e.coder == "coder2"] == [
        "coded P99 {}-{} as Risks/Privacy".format(*span(INTERVIEW, PRIVACY)),
        "renamed code Risks/Security to Cyber security"]


def test_undo_of_a_merge_and_merging_again(base: Path, tmp_path: Path) -> None:
    laptop = copy(base, tmp_path / "laptop")
    with opened(laptop, "coder2") as field:
        field.coding.apply(doc_id(field), *span(INTERVIEW, PRIVACY),
                           code_id(field, "Risks/Privacy"))
        field.documents.add("P98", SECOND, fmt="txt", filename="P98.txt")
    before = tables(base)
    with opened(base) as server:
        log_before = len(server.log.entries())
    merge(base, laptop)
    with opened(base) as server:
        assert server.undo().startswith("undo: merged laptop")
        assert len([e for e in server.log.entries() if e.coder == "coder2"]) == 0
    assert tables(base) == before
    again = merge(base, laptop)
    assert again.added == {"documents": 1, "segments": 1}
    assert coded(base) == {(PRIVACY, "Risks/Privacy", "coder2")}
    with opened(base) as server:
        assert len(server.log.entries()) == log_before + 2 + 2 + 1  # merge, undo, 2 + merge
        with pytest.raises(Conflict):
            server.redo()  # a new action (the second merge) cleared the redo stack


def test_redo_of_a_merge_then_merging_again_changes_nothing(base: Path, tmp_path: Path) -> None:
    laptop = copy(base, tmp_path / "laptop")
    with opened(laptop, "coder2") as field:
        field.coding.apply(doc_id(field), *span(INTERVIEW, PRIVACY),
                           code_id(field, "Risks/Privacy"))
        field.codebook.rename(code_id(field, "Risks/Security"), "Cyber security")
    merge(base, laptop)
    with opened(base) as server:
        server.undo()
        assert server.redo().startswith("redo: merged laptop")
    merged = tables(base)
    assert not merge(base, laptop).changed
    assert tables(base) == merged
    assert coded(base) == {(PRIVACY, "Risks/Privacy", "coder2")}


def test_same_document_imported_on_both_sides_is_kept_twice_and_reported(
        base: Path, tmp_path: Path) -> None:
    laptop = copy(base, tmp_path / "laptop")
    with opened(base) as server:
        server.documents.add("P98", SECOND, fmt="txt", filename="P98.txt")
    with opened(laptop, "coder2") as field:
        field.documents.add("P98", SECOND, fmt="txt", filename="P98.txt")
    report = merge(base, laptop)
    assert [c.kind for c in report.conflicts] == ["same name"]
    assert any("same text" in w for w in report.warnings)
    with opened(base) as server:
        assert sorted(d.name for d in server.documents.all()) == ["P98", "P98 (merged)", "P99"]
