"""``qualtui guidelines ...`` and ``qualtui report`` through click's CliRunner."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result
from gl_helpers import Study

from qualtui.cli import main


def run(*args: str, ok: bool = True, stdin: str | None = None) -> Result:
    result = CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output + (result.stderr or "")
    return result


def test_list_and_show_json(study: Study) -> None:
    rows = json.loads(run("-p", str(study.root), "guidelines", "list", "--json").stdout)
    assert [(r["number"], r["section"], r["support"]["evidence"], r["support"]["total"],
             r["evidence"], r["counter_evidence"]) for r in rows] == [
        ("1.1", "Privacy", 1, 3, 3, 1), ("2.1", "Security", 2, 3, 2, 0)]
    shown = json.loads(run("-p", str(study.root), "guidelines", "show", "1.1",
                           "--json").stdout)
    assert shown["codes"] == ["Risks/Privacy", "Strategy/Privacy protection"]
    assert [(e["respondent"], e["role"], e["counter"]) for e in shown["evidence"]] == [
        ("R1", "Webmaster", False), ("R1", "Webmaster", False), ("R1", "Webmaster", False),
        ("C1", "", True)]
    text = run("-p", str(study.root), "guidelines", "list").stdout
    assert "  1.1   high   draft     1/3  -1 Keep identifiers out of public channels\n" in text


def test_coverage_respects_k(study: Study) -> None:
    data = json.loads(run("-p", str(study.root), "guidelines", "coverage", "-k", "2",
                          "--json").stdout)
    assert data["gaps"] == [{"code": "Benefits/Transparency", "respondents": 2,
                             "segments": 2}]
    assert [w["number"] for w in data["weak"]] == ["1.1"]
    text = run("-p", str(study.root), "guidelines", "coverage", "-k", "3").stdout
    assert "  none\n" in text and "  2.1    2/3  Require two-factor authentication\n" in text
    assert run("-p", str(study.root), "guidelines", "coverage", "-k", "0",
               ok=False).exit_code == 2


def test_template_add_edit_evidence_and_undo(bare_study: Study) -> None:
    root = str(bare_study.root)
    assert "10 sections added" in run("-p", root, "guidelines", "template").stdout
    assert "already there" in run("-p", root, "guidelines", "template").stdout
    added = run("-p", root, "guidelines", "add", "Publish open decisions", "--section",
                "Purpose and scope", "--code", "Benefits/Transparency",
                "--benefit", "Openness=Benefits/Transparency", "--priority", "high").stdout
    assert added.startswith("1.1  Publish open decisions")
    run("-p", root, "guidelines", "edit", "1.1", "--statement", "-", "--status", "reviewed",
        stdin="Publish **every** decision.\n")
    candidates = json.loads(run("-p", root, "guidelines", "evidence", "1.1", "--candidates",
                                "--json").stdout)
    assert [(c["document"], c["respondent"], c["chosen"]) for c in candidates] == [
        ("A1", "R1", False), ("B1", "R2", False)]
    run("-p", root, "guidelines", "evidence", "1.1", "--add", candidates[0]["segment_id"][:8],
        "--counter", candidates[1]["segment_id"])
    evidence = json.loads(run("-p", root, "guidelines", "evidence", "1.1", "--json").stdout)
    assert evidence["support"] == {"evidence": 1, "codes": 2, "counter": 1, "total": 3,
                                   "segments": 1}
    shown = json.loads(run("-p", root, "guidelines", "show", "1.1", "--json").stdout)
    assert shown["statement"] == "Publish **every** decision."
    assert shown["status"] == "reviewed"
    assert shown["addresses"] == [{"kind": "benefit", "text": "Openness",
                                   "code": "Benefits/Transparency"}]
    assert "undo:" in run("-p", root, "undo").stdout  # the counter-evidence goes
    evidence = json.loads(run("-p", root, "guidelines", "evidence", "1.1", "--json").stdout)
    assert [e["counter"] for e in evidence["evidence"]] == [False]
    moved = run("-p", root, "guidelines", "edit", "1.1", "--section", "Privacy").stdout
    assert moved.startswith("7.1  Publish open decisions")
    assert "deleted 7.1" in run("-p", root, "guidelines", "delete", "7.1").stdout


def test_errors_are_one_line(study: Study) -> None:
    result = run("-p", str(study.root), "guidelines", "show", "9.9", ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("qualtui: error: no guideline '9.9'")
    assert result.stderr.count("\n") == 1
    result = run("-p", str(study.root), "guidelines", "add", "X", "--section", "Nope",
                 ok=False)
    assert "no section 'Nope' (sections: 1 Privacy; 2 Security)" in result.stderr
    result = run("-p", str(study.root), "report", "-o", str(study.root / "r.txt"), ok=False)
    assert "cannot tell the format from '.txt'" in result.stderr


def test_sections_commands(study: Study) -> None:
    root = str(study.root)
    run("-p", root, "guidelines", "section", "add", "Records", "--position", "1")
    run("-p", root, "guidelines", "section", "rename", "Records", "Records management")
    run("-p", root, "guidelines", "section", "move", "Records management", "3")
    rows = json.loads(run("-p", root, "guidelines", "sections", "--json").stdout)
    assert [(r["number"], r["title"], r["guidelines"]) for r in rows] == [
        (1, "Privacy", 1), (2, "Security", 1), (3, "Records management", 0)]
    refused = run("-p", root, "guidelines", "section", "delete", "1", ok=False)
    assert "holds 1 guideline(s)" in refused.stderr
    assert "and 1 guideline(s)" in run("-p", root, "guidelines", "section", "delete", "1",
                                       "--force").stdout


def test_export_import_and_report(study: Study, bare_study: Study, tmp_path: Path) -> None:
    exported = tmp_path / "guidelines.yaml"
    run("-p", str(study.root), "guidelines", "export", "-o", str(exported))
    result = run("-p", str(bare_study.root), "guidelines", "import", str(exported))
    assert result.stdout.strip() == "2 sections added, 2 guidelines added, 0 updated"
    out = tmp_path / "report.html"
    result = run("-p", str(bare_study.root), "report", "-o", str(out), "--pseudonymize")
    assert "2 guidelines in 2 sections, pseudonymised" in result.stdout
    assert "1 of 3 respondents" in out.read_text(encoding="utf-8")
    docx_out = tmp_path / "report.bin"
    run("-p", str(bare_study.root), "report", "-o", str(docx_out), "--format", "docx")
    assert docx_out.read_bytes()[:2] == b"PK"


def test_importing_the_commands_stays_cheap() -> None:
    code = ("import sys, qualtui.commands.guidelines\n"
            "heavy = [m for m in ('textual', 'docx', 'markdown_it', 'qualtui.core.guidelines',"
            " 'qualtui.analysis.report') if m in sys.modules]\nprint(heavy)")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout
    assert output.strip() == "[]"
