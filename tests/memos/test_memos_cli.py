"""``qualtui memos``: list (text and JSON), show, add, export."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from memo_helpers import PRIVACY, TRANSPARENCY, memo_titled

from qualtui.cli import main
from qualtui.core.project import Project
from qualtui.store.project import open_project

MEMO_KEYS = {"id", "kind", "title", "author", "created_at", "modified_at", "target", "links",
             "codes", "body"}


def run(root: Path, *args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["-p", str(root), "memos", *args], input=input)
    return result.exit_code, result.stdout, result.stderr


def test_list_prints_one_line_per_memo_grouped_by_kind(memo_root: Path) -> None:
    code, out, err = run(memo_root, "list")
    assert code == 0
    lines = out.splitlines()
    assert [line.split()[1] for line in lines] == ["project", "journal", "journal",
                                                   "document", "code", "segment"]
    assert "Risks/Privacy: Privacy is about citizens' data" in out
    assert err.strip() == "6 memos"


def test_list_json_shape(memo_root: Path) -> None:
    code, out, _ = run(memo_root, "list", "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 6 and all(set(r) == MEMO_KEYS for r in rows)
    project_memo = rows[0]
    assert project_memo["kind"] == "project" and project_memo["target"] is None
    seg_memo = next(r for r in rows if r["kind"] == "segment")
    target = seg_memo["target"]
    assert target["type"] == "segment" and target["document"] == "P99"
    assert target["code"] == "Benefits/Transparency" and target["text"] == TRANSPARENCY
    assert target["end"] - target["start"] == len(TRANSPARENCY)
    assert seg_memo["codes"] == ["Benefits/Transparency"]
    code_memo = next(r for r in rows if r["kind"] == "code")
    assert code_memo["target"]["code"] == "Risks/Privacy"
    assert code_memo["links"][0]["type"] == "segment"  # from the body's [[segment:...]]
    assert code_memo["links"][0]["label"].endswith("Risks/Privacy")


def test_list_filters(memo_root: Path) -> None:
    def titles(*args: str) -> list[str]:
        code, out, _ = run(memo_root, "list", "--json", *args)
        assert code == 0
        return [r["title"] for r in json.loads(out)]

    assert titles("--kind", "journal") == ["First coding session", "Second coder notes"]
    assert titles("--kind", "code", "--kind", "project") == [
        "Where the argument stands", "Privacy is about citizens' data"]
    assert titles("--author", "coder2") == ["Second coder notes"]
    assert titles("--code", "Risks") == ["Privacy is about citizens' data"]
    assert titles("--search", "cafe") == ["Second coder notes"]
    assert titles("--search", "nothing like this") == []


def test_list_search_text_shows_a_snippet(memo_root: Path) -> None:
    code, out, _ = run(memo_root, "list", "--search", "hacking")
    assert code == 0
    assert "First coding session" in out and "hacking story" in out


def test_unknown_code_is_one_line_error(memo_root: Path) -> None:
    code, _, err = run(memo_root, "list", "--code", "Nope/Never")
    assert code == 1
    assert err == "qualtui: error: no code 'Nope/Never' in the codebook\n"


def test_add_journal_entry_with_links(memo_root: Path) -> None:
    code, out, _ = run(memo_root, "add", "--title", "Day two",
                       "--body", "Compare with [[code:Risks/Security]].", "--json")
    assert code == 0
    row = json.loads(out)
    assert row["kind"] == "journal" and row["title"] == "Day two"
    assert row["links"][0]["label"] == "Risks/Security"
    project = open_project(memo_root)
    memo = memo_titled(project, "Day two")
    assert memo.links == [project.codebook.find("Risks/Security").id]
    assert project.log.entries()[-1].op == "memo.create"
    project.close()


def test_add_on_targets_from_file_and_stdin(memo_root: Path, tmp_path: Path,
                                            project: Project) -> None:
    body_file = tmp_path / "memo.md"
    body_file.write_text("# Hidden costs\n\nOfficers pay for data.\n", encoding="utf-8")
    code, out, _ = run(memo_root, "add", "--code", "Benefits/Efficiency", "--file",
                       str(body_file))
    assert code == 0
    memo = memo_titled(project, "Hidden costs")  # title from the first line
    assert memo.kind == "code"
    assert memo.target_id == project.codebook.find("Benefits/Efficiency").id
    seg = next(s for s in project.coding.segments() if project.coding.text_of(s) == PRIVACY)
    code, out, _ = run(memo_root, "add", "--segment", seg.id[:8], "--file", "-",
                       input="IC numbers again.")
    assert code == 0
    project.refresh()
    memo = project.memos.all(kind="segment", target_id=seg.id)[0]
    assert memo.body == "IC numbers again." and memo.title == "IC numbers again."
    code, out, _ = run(memo_root, "add", "--doc", "P98", "--body", "Short interview.")
    assert code == 0 and " document " in out


def test_add_errors(memo_root: Path) -> None:
    assert run(memo_root, "add", "--kind", "code", "--body", "x")[2] == (
        "qualtui: error: a code memo needs --code\n")
    assert run(memo_root, "add", "--kind", "journal", "--doc", "P99", "--body", "x")[2] == (
        "qualtui: error: a journal memo is not attached to anything: drop"
        " --doc/--code/--segment\n")
    assert "empty memo" in run(memo_root, "add")[2]
    assert run(memo_root, "add", "--doc", "P77", "--body", "x")[0] == 1
    assert run(memo_root, "add", "--code", "A", "--doc", "P99", "--body", "x")[2] == (
        "qualtui: error: give at most one of --doc, --code, --segment\n")


def test_export_writes_one_markdown_file(memo_root: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "memos.md"
    code, _, err = run(memo_root, "export", "-o", str(out_file))
    assert code == 0 and f"wrote {out_file}" in err
    text = out_file.read_text(encoding="utf-8")
    assert text.startswith("# Memos: Memo test\n")
    assert text.index("## Project memos (1)") < text.index("## Journal (2)") < text.index(
        "## Segment memos (1)")
    assert f"> {TRANSPARENCY}" in text and f"> {PRIVACY}" in text


def test_export_a_filtered_set(memo_root: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "journal.md"
    code, _, _ = run(memo_root, "export", "-o", str(out_file), "--kind", "journal")
    assert code == 0
    text = out_file.read_text(encoding="utf-8")
    assert [line for line in text.splitlines() if line.startswith("## ")] == ["## Journal (2)"]
    assert "### 2026-11-24 - Second coder notes" in text


def test_show_one_memo(memo_root: Path, project: Project) -> None:
    memo = memo_titled(project, "Transparency as visibility")
    code, out, _ = run(memo_root, "show", memo.id[:6])
    assert code == 0
    assert out.startswith(f"# P99 {memo_id_range(project, memo)} Benefits/Transparency -"
                          " Transparency as visibility\n")
    assert f"> {TRANSPARENCY}" in out
    code, out, _ = run(memo_root, "show", memo.id, "--json")
    assert json.loads(out)["id"] == memo.id
    assert run(memo_root, "show", "ffff0000")[0] == 1


def memo_id_range(project: Project, memo) -> str:  # type: ignore[no-untyped-def]
    seg = project.coding.get(memo.target_id)
    return f"{seg.start}-{seg.end}"
