"""The retrieval commands through click's CliRunner: JSON shapes, text output, errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner, Result

from qualtui.cli import main
from qualtui.store.project import open_project

from .rt_helpers import DOC1, span


def run(root: Path, *args: str, ok: bool = True) -> Result:
    result = CliRunner().invoke(main, ["-p", str(root), *args], catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output + (result.stderr or "")
    return result


def test_query_json_shape(project_root: Path) -> None:
    data = json.loads(run(project_root, "query", "Records", "AND", "Security",
                          "--json").stdout)
    assert set(data) == {"query", "extent", "filters", "documents_in_scope",
                         "segments_in_scope", "count", "hits"}
    assert (data["query"], data["extent"], data["count"]) == ("Records AND Security",
                                                              "passage", 1)
    assert data["filters"] == {"documents": [], "cases": [], "coders": [], "conditions": []}
    hit = data["hits"][0]
    assert set(hit) == {"document", "document_id", "case", "speaker", "start", "end", "text",
                        "codes", "coders", "memo", "segment_ids", "left", "right", "segments"}
    start, end = span(DOC1, "Records vanish when a phone is lost.")
    assert (hit["document"], hit["case"], hit["speaker"], hit["start"], hit["end"]) == (
        "P01", "R1", "P01", start, end)
    assert hit["codes"] == ["Risks/Records", "Risks/Security"]
    assert hit["coders"] == ["coder1", "coder2"]
    assert sorted(s["code"] for s in hit["segments"]) == ["Risks/Records", "Risks/Security"]
    assert set(hit["segments"][0]) == {"id", "code", "coder", "start", "end"}


def test_query_filters_and_where(project_root: Path) -> None:
    data = json.loads(run(project_root, "query", "Risks", "--where", "years >= 10",
                          "--coder", "coder1", "--json").stdout)
    assert data["filters"]["conditions"] == ["years >= 10"]
    assert data["filters"]["coders"] == ["coder1"]
    assert [h["document"] for h in data["hits"]] == ["P01", "P01"]
    data = json.loads(run(project_root, "query",
                          'Privacy WHERE role = "webmaster" AND document = P02',
                          "--json").stdout)
    assert data["count"] == 2 and data["documents_in_scope"] == 1


def test_query_text_csv_and_markdown(project_root: Path, tmp_path: Path) -> None:
    text = run(project_root, "query", "Privacy", "--context", "10")
    assert "P02" in text.stdout and "[Citizens send their IC numbers.]" in text.stdout
    assert "M Risks/Privacy" in text.stdout  # the memo mark
    assert "2 passages" in text.stderr
    out = tmp_path / "privacy.csv"
    run(project_root, "query", "Privacy", "-o", str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["text"] for r in rows] == ["Citizens send their IC numbers.",
                                         "Privacy is a records issue"]
    markdown = run(project_root, "query", "Privacy", "--md").stdout
    assert markdown.startswith("# Query: Privacy\n")
    assert "> — P02 (R2), speaker P02 · Risks/Privacy" in markdown


def test_query_whole_segments(project_root: Path) -> None:
    data = json.loads(run(project_root, "query", "Records WITHIN 40 Privacy", "--json").stdout)
    assert data["count"] == 0
    data = json.loads(run(project_root, "query", "Records SAME TURN Security", "--whole",
                          "--json").stdout)
    assert data["extent"] == "segments" and data["count"] == 1


def test_query_errors_are_one_line(project_root: Path) -> None:
    result = run(project_root, "query", "Privacy AND", ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("qualtui: error: bad query 'Privacy AND'")
    assert result.stderr.count("\n") == 1
    result = run(project_root, "query", "Nope", ok=False)
    assert "no code 'Nope'" in result.stderr


def test_search_json(project_root: Path) -> None:
    data = json.loads(run(project_root, "search", "records", "--json").stdout)
    assert (data["pattern"], data["regex"], data["case"], data["count"],
            data["documents"]) == ("records", False, "smart", 6, 2)
    assert data["hits"][0]["left"] == "Interview P01 - "
    data = json.loads(run(project_root, "search", "vanish|lost", "--regex", "--json").stdout)
    assert [h["text"] for h in data["hits"]] == ["vanish", "lost"]
    assert data["hits"][0]["codes"] == ["Risks/Records", "Risks/Security"]


def test_autocode_dry_run_then_real_then_undo(project_root: Path) -> None:
    data = json.loads(run(project_root, "autocode", "--pattern", "comments", "--code",
                          "Privacy", "--unit", "sentence", "--dry-run", "--json").stdout)
    assert set(data) == {"pattern", "regex", "case", "unit", "code", "code_id", "coder",
                         "dry_run", "hits", "documents", "ranges", "already_coded", "added",
                         "skipped"}
    assert (data["dry_run"], data["hits"], data["added"], data["code"]) == (
        True, 2, 0, "Risks/Privacy")
    assert [r["text"] for r in data["ranges"]] == ["Nobody archives the comments.",
                                                   "We hide those comments."]
    assert set(data["ranges"][0]) == {"document", "document_id", "start", "end", "text",
                                      "already_coded"}
    result = run(project_root, "autocode", "--pattern", "comments", "--code", "Privacy",
                 "--unit", "sentence")
    assert "coded 2 sentences in 2 documents as Risks/Privacy" in result.stdout
    project = open_project(project_root)
    assert len(project.coding.segments()) == 7
    project.close()
    assert "auto-coded 2 sentences" in run(project_root, "undo").stdout
    project = open_project(project_root)
    assert len(project.coding.segments()) == 5
    project.close()


def test_autocode_create_and_refusals(project_root: Path) -> None:
    result = run(project_root, "autocode", "--pattern", "WhatsApp", "--code", "Context/Apps",
                 "--unit", "turn", "--create")
    assert "coded 2 turns in 1 documents as Context/Apps" in result.stdout
    result = run(project_root, "autocode", "--pattern", "x", "--code", "Risks", ok=False)
    assert "category only" in result.stderr
    result = run(project_root, "autocode", "--pattern", "x", "--code", "Nope", ok=False)
    assert "no code 'Nope'" in result.stderr


def test_codes_json(project_root: Path) -> None:
    data = json.loads(run(project_root, "codes", "--json").stdout)
    assert [c["path"] for c in data] == ["Risks", "Risks/Records", "Risks/Privacy",
                                         "Risks/Security", "Benefits",
                                         "Benefits/Transparency"]
    records = data[1]
    assert set(records) == {"id", "path", "name", "parent_id", "color", "codable", "shortcut",
                            "origin", "definition", "use_when", "dont_use_when", "example",
                            "counts"}
    assert {k: records["counts"][k] for k in ("segments", "documents", "cases", "coders")} == {
        "segments": 2, "documents": 1, "cases": 1, "coders": 2}
    text = run(project_root, "codes").stdout
    assert text.splitlines()[:3] == [
        " segs docs cases coders  code",
        "    5    2     2      2  Risks [category: sub-code totals]",
        "    2    1     1      2    Records"]


def test_codebook_editing_commands(project_root: Path) -> None:
    run(project_root, "codebook", "add", "Risks/Misinformation", "--color", "vermillion",
        "--definition", "False or misleading posts", "--shortcut", "4")
    run(project_root, "codebook", "rename", "Misinformation", "Fake news")
    run(project_root, "codebook", "move", "Fake news", "--position", "0")
    run(project_root, "codebook", "edit", "Fake news", "--use-when", "Rumours")
    dry = run(project_root, "codebook", "merge", "Records", "Security", "--dry-run")
    assert dry.stdout.startswith("dry run: Merge Risks/Records into Risks/Security: 2 segments")
    run(project_root, "codebook", "merge", "Records", "Security")
    split = run(project_root, "codebook", "split", "Security", "--into", "Lost phones",
                "--matching", "phone")
    assert "moved 2 segments to new code Risks/Lost phones" in split.stdout
    deleted = run(project_root, "codebook", "delete", "Benefits")
    assert deleted.stdout.startswith("deleted Benefits: 2 code(s), 0 segments")
    project = open_project(project_root)
    paths = [project.codebook.path_of(c) for c in project.codebook.all()]
    fake = project.codebook.find("Risks/Fake news")
    assert paths[:2] == ["Risks", "Risks/Fake news"]
    assert (fake.color, fake.shortcut, fake.use_when) == ("#EC5814", "4", "Rumours")
    assert "Risks/Records" not in paths and "Risks/Lost phones" in paths
    project.close()
    assert run(project_root, "undo").stdout.startswith("undo: deleted code Benefits")


def test_codebook_command_errors(project_root: Path) -> None:
    result = run(project_root, "codebook", "merge", "Risks", "Records", ok=False)
    assert "its own sub-codes" in result.stderr
    result = run(project_root, "codebook", "add", "X", "--shortcut", "0", ok=False)
    assert "one digit 1-9" in result.stderr
    result = run(project_root, "codebook", "split", "Records", "--into", "Y", ok=False)
    assert result.exit_code == 2  # usage: no segments chosen


def test_attributes_export_check_and_set(project_root: Path, tmp_path: Path) -> None:
    exported = run(project_root, "attributes", "export").stdout
    assert exported.splitlines()[1] == "P01,R1,Records officer,21,2004-05-01"
    bad = tmp_path / "bad.csv"
    bad.write_text("document,years_of_service\nP01,many\nP09,3\n", encoding="utf-8")
    result = run(project_root, "attributes", "check", str(bad), ok=False)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "1 unknown document(s), 1 bad value(s) in 2 rows; nothing imported",
        "line 2 (P01): years_of_service: 'many' is not a number (years_of_service is a"
        " number)",
        "line 3 (P09): unknown document 'P09'"]
    report = json.loads(run(project_root, "attributes", "check", str(bad), "--json",
                            ok=False).stdout)
    assert report["ok"] is False and report["errors"][0]["line"] == 2
    result = run(project_root, "attributes", "set", "R1", "years_of_service=22",
                 "role=Archivist")
    assert result.stdout.splitlines() == ["R1: years_of_service = 22", "R1: role = Archivist"]
    result = run(project_root, "attributes", "set", "P02", "joined=2016-13-01", ok=False)
    assert "not a real date" in result.stderr
