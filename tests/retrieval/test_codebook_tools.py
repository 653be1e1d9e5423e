"""Codebook tools: counts, merge/delete impact, split, tree edits, fields, the palette."""

from __future__ import annotations

import pytest
from rich.color import Color, ColorSystem

from qualtui.core import codebook_tools as tools
from qualtui.core.errors import Conflict, NotFound, QualtuiError
from qualtui.core.project import Project


def cid(project: Project, path: str) -> str:
    code = project.codebook.find(path)
    assert code is not None, path
    return code.id


def paths(project: Project) -> list[str]:
    return [project.codebook.path_of(c) for c in project.codebook.all()]


def test_counts_per_code_and_subtree(project: Project) -> None:
    counts = tools.code_counts(project)
    records = counts[cid(project, "Risks/Records")]
    assert (records.segments, records.documents, records.cases, records.coders) == (2, 1, 1, 2)
    privacy = counts[cid(project, "Risks/Privacy")]
    assert (privacy.segments, privacy.documents, privacy.cases, privacy.coders) == (2, 1, 1, 1)
    risks = counts[cid(project, "Risks")]
    assert risks.segments == 0
    assert (risks.total_segments, risks.total_documents, risks.total_cases,
            risks.total_coders, risks.coder_names) == (5, 2, 2, 2, ["coder1", "coder2"])
    assert counts[cid(project, "Benefits/Transparency")].as_json()["segments"] == 0


def test_merge_impact_counts_duplicates_memos_and_children(project: Project) -> None:
    records, security = cid(project, "Risks/Records"), cid(project, "Risks/Security")
    impact = tools.merge_impact(project, records, security)
    # "Records vanish..." is coded Security by coder1 and Records by coder2: not a duplicate
    assert (impact.segments, impact.duplicates, impact.memos, impact.children) == (2, 0, 0, 0)
    assert impact.describe().startswith("Merge Risks/Records into Risks/Security: 2 segments")
    with pytest.raises(QualtuiError, match="its own sub-codes"):
        tools.merge_impact(project, cid(project, "Risks"), records)


def test_delete_impact(project: Project) -> None:
    impact = tools.delete_impact(project, cid(project, "Risks"))
    assert (impact.codes, impact.segments, impact.memos) == (4, 5, 1)
    assert impact.describe() == ("Delete Risks with 3 sub-codes, 5 segments, 1 memo?"
                                 " Undo (u) brings them back.")


def test_split_moves_chosen_segments_into_a_new_sibling(project: Project) -> None:
    privacy = cid(project, "Risks/Privacy")
    segs = project.coding.segments(code_ids=[privacy])
    first = next(s for s in segs if project.coding.text_of(s).startswith("Citizens"))
    result = tools.split_code(project, privacy, [first.id], "IC numbers")
    assert (result.path, result.created, result.moved, result.duplicates) == (
        "Risks/IC numbers", True, 1, 0)
    assert result.code.origin == "emergent"
    assert [s.id for s in project.coding.segments(code_ids=[result.code.id])] == [first.id]
    assert len(project.coding.segments(code_ids=[privacy])) == 1
    assert project.memos.all(kind="segment")[0].target_id == first.id  # memo follows
    assert project.undo() == "undo: split 1 segment of Risks/Privacy into Risks/IC numbers"
    assert project.codebook.find("Risks/IC numbers") is None
    assert len(project.coding.segments(code_ids=[privacy])) == 2


def test_split_into_a_path_and_refusals(project: Project) -> None:
    privacy = cid(project, "Risks/Privacy")
    segs = [s.id for s in project.coding.segments(code_ids=[privacy])]
    result = tools.split_code(project, privacy, segs, "Data/Personal data")
    assert result.path == "Data/Personal data" and result.moved == 2
    assert "Data" in paths(project)
    records = cid(project, "Risks/Records")
    with pytest.raises(QualtuiError, match="not coded"):
        tools.split_code(project, records, segs, "X")
    with pytest.raises(QualtuiError, match="at least one"):
        tools.split_code(project, records, [], "X")
    with pytest.raises(QualtuiError, match="category only"):
        tools.split_code(project, records,
                         [s.id for s in project.coding.segments(code_ids=[records])], "/Risks")
    with pytest.raises(NotFound):
        tools.split_code(project, records, ["nope"], "X")


def test_reorder_indent_outdent(project: Project) -> None:
    security = cid(project, "Risks/Security")
    tools.reorder(project, security, -1)
    assert paths(project)[:4] == ["Risks", "Risks/Records", "Risks/Security", "Risks/Privacy"]
    assert tools.reorder(project, cid(project, "Risks/Records"), -1) is None
    tools.indent(project, security)
    assert "Risks/Records/Security" in paths(project)
    assert tools.indent(project, cid(project, "Risks/Records")) is None
    tools.outdent(project, security)
    assert paths(project)[:4] == ["Risks", "Risks/Records", "Risks/Security", "Risks/Privacy"]
    tools.outdent(project, security)  # right after its former parent
    assert [p for p in paths(project) if "/" not in p] == ["Risks", "Security", "Benefits"]
    assert tools.outdent(project, cid(project, "Security")) is None


def test_edit_code_checks_fields_in_one_operation(project: Project) -> None:
    records = cid(project, "Risks/Records")
    entries = len(project.log.entries())
    code = tools.edit_code(project, records, color="sky blue", shortcut="3",
                           definition="Keeping posts as records")
    assert (code.color, code.shortcut, code.definition) == ("#56B4E9", "3",
                                                            "Keeping posts as records")
    assert len(project.log.entries()) == entries + 1
    with pytest.raises(Conflict, match="already the shortcut of Risks/Records"):
        tools.edit_code(project, cid(project, "Risks/Privacy"), shortcut="3")
    with pytest.raises(QualtuiError, match="one digit 1-9"):
        tools.edit_code(project, records, shortcut="x")
    with pytest.raises(QualtuiError, match="bad colour"):
        tools.edit_code(project, records, color="reddish")
    with pytest.raises(QualtuiError, match="category only"):
        tools.edit_code(project, cid(project, "Risks"), shortcut="4")
    code = tools.edit_code(project, records, codable=False)
    assert (code.codable, code.shortcut) == (False, "")


@pytest.mark.parametrize("text, expected", [
    ("#e69f00", "#E69F00"), ("E69F00", "#E69F00"), ("#abc", "#AABBCC"),
    ("Reddish Purple", "#DC68B0")])
def test_normalize_color(text: str, expected: str) -> None:
    assert tools.normalize_color(text) == expected


def test_palette_is_distinct_at_256_and_16_colours() -> None:
    colors = [Color.parse(s.hex) for s in tools.PALETTE]
    eight_bit = [c.downgrade(ColorSystem.EIGHT_BIT).number for c in colors]
    assert len(set(eight_bit)) == len(tools.PALETTE)
    ansi = [c.downgrade(ColorSystem.STANDARD).number for c in colors[:12]]
    assert len(set(ansi)) == 12
    assert not set(ansi) & {0, 7, 8, 15}  # never black/white/grey at 16 colours
    assert [s.hex for s in tools.PALETTE[:4]] == ["#E69F00", "#56B4E9", "#009E73", "#F0E442"]
    assert len({s.name for s in tools.PALETTE}) == len(tools.PALETTE)


def test_recolor_is_one_undo(project: Project) -> None:
    first = project.codebook.all()[0]
    project.codebook.update(first.id, color="#123456")  # off the palette
    before = {c.id: c.color for c in project.codebook.all()}
    changed = tools.recolor(project)
    after = [c.color for c in project.codebook.all()]
    assert changed >= 1 and after == [s.hex for s in tools.PALETTE[:len(after)]]
    project.undo()
    assert {c.id: c.color for c in project.codebook.all()} == before


def test_resolve_code_by_tail(project: Project) -> None:
    assert tools.resolve_code(project, "privacy").id == cid(project, "Risks/Privacy")
    project.codebook.add("Benefits/Privacy")
    with pytest.raises(QualtuiError, match="ambiguous"):
        tools.resolve_code(project, "Privacy")
    with pytest.raises(NotFound):
        tools.resolve_code(project, "Nothing")
