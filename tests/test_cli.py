"""The CLI contract: every command through click's CliRunner, incl. --json shapes and errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from helpers import TRANSCRIPT

from qualtui.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_project"


def run(*args: str, ok: bool = True, cwd: Path | None = None):
    runner = CliRunner()
    if cwd is not None:
        old = os.getcwd()
        os.chdir(cwd)
    try:
        result = runner.invoke(main, list(args), catch_exceptions=False)
    finally:
        if cwd is not None:
            os.chdir(old)
    if ok:
        assert result.exit_code == 0, result.output + (result.stderr or "")
    return result


@pytest.fixture
def cli_project(tmp_path: Path) -> Path:
    root = tmp_path / "study"
    run("init", str(root), "--title", "Study", "--codebook", str(SAMPLE / "codebook.yaml"))
    transcript = tmp_path / "P99.txt"
    transcript.write_text(TRANSCRIPT, encoding="utf-8")
    run("-p", str(root), "import", str(transcript))
    return root


def test_init_creates_private_project(tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "p"), "--codebook", str(SAMPLE / "codebook.yaml"))
    assert "32 codes and 10 guideline sections" in result.output
    assert oct((tmp_path / "p" / "project.json").stat().st_mode & 0o777) == "0o600"
    again = run("init", str(tmp_path / "p"), ok=False)
    assert again.exit_code == 1 and "already a qualtui project" in again.stderr


def test_bad_codebook_refused_before_creating(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("codes:\n  - name: A\n    colour: red\n", encoding="utf-8")
    result = run("init", str(tmp_path / "p"), "--codebook", str(bad), ok=False)
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0 and "unknown field" in result.stderr
    assert not (tmp_path / "p").exists()


def test_documents_json_shape(cli_project: Path) -> None:
    rows = json.loads(run("-p", str(cli_project), "documents", "--json").stdout)
    assert len(rows) == 1
    assert set(rows[0]) >= {"id", "name", "filename", "format", "chars", "words", "turns",
                            "segments", "case", "attributes", "imported_at"}
    assert rows[0]["name"] == "P99" and rows[0]["turns"] == 4


def test_project_found_upward_like_git(cli_project: Path) -> None:
    sub = cli_project / "sources"
    result = run("documents", cwd=sub)
    assert "P99" in result.output


def test_code_segments_uncode_roundtrip(cli_project: Path) -> None:
    start = TRANSCRIPT.index("Privacy worries me.")
    end = start + len("Privacy worries me.")
    out = run("-p", str(cli_project), "code", "--doc", "P99", "--start", str(start), "--end",
              str(end), "--code", "Risks and barriers/Privacy", "--coder", "coder2",
              "--memo", "IC numbers", "--json").stdout
    seg = json.loads(out)
    assert seg["text"] == "Privacy worries me." and seg["coder"] == "coder2"
    rows = json.loads(run("-p", str(cli_project), "segments", "--json").stdout)
    assert [r["id"] for r in rows] == [seg["id"]]
    assert set(rows[0]) == {"id", "document", "document_id", "code", "code_id", "coder",
                            "start", "end", "text", "memo", "created_at"}
    assert rows[0]["memo"] == "IC numbers"
    csv_out = run("-p", str(cli_project), "segments", "--csv", "--coder", "coder2").stdout
    assert csv_out.splitlines()[0] == "id,document,code,coder,start,end,text,memo"
    assert run("-p", str(cli_project), "segments", "--json", "--coder", "nobody").stdout.strip() \
        == "[]"
    run("-p", str(cli_project), "uncode", "--segment", seg["id"][:8])
    assert json.loads(run("-p", str(cli_project), "segments", "--json").stdout) == []


def test_code_errors_are_one_line(cli_project: Path) -> None:
    cases = [
        (["code", "--doc", "P42", "--start", "0", "--end", "5", "--code", "Benefits/Efficiency"],
         "no document named 'P42'"),
        (["code", "--doc", "P99", "--start", "0", "--end", "99999", "--code",
          "Benefits/Efficiency"], "outside document"),
        (["code", "--doc", "P99", "--start", "0", "--end", "5", "--code", "New/Thing"],
         "--create"),
        (["code", "--doc", "P99", "--start", "0", "--end", "5", "--code", "Benefits"],
         "category only"),
        (["uncode", "--segment", "deadbeef"], "no segment"),
    ]
    for args, message in cases:
        result = run("-p", str(cli_project), *args, ok=False)
        assert result.exit_code == 1, args
        assert message in result.stderr and "Traceback" not in result.output + result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    created = run("-p", str(cli_project), "code", "--doc", "P99", "--start", "0", "--end", "5",
                  "--code", "New/Thing", "--create")
    assert "New/Thing" in created.output


def test_segments_import_all_or_nothing(cli_project: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("document,start,end,code,coder,memo\n"
                    "P99,10,20,Benefits/Transparency,coder2,first\n"
                    "P99,30,40,Emergent/Speed,,\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("document,start,end,code\nP99,10,20,Benefits/Transparency\n"
                   "P42,0,5,Benefits/Transparency\nP99,50,9999,Benefits/Transparency\n"
                   "P99,x,5,Benefits/Transparency\n", encoding="utf-8")
    result = run("-p", str(cli_project), "segments", "import", str(bad), ok=False)
    assert result.exit_code == 1
    assert "line 3: unknown document 'P42'" in result.stderr
    assert "line 4: range 50-9999" in result.stderr and "line 5:" in result.stderr
    assert json.loads(run("-p", str(cli_project), "segments", "--json").stdout) == []
    result = run("-p", str(cli_project), "segments", "import", str(good), ok=False)
    assert "unknown code 'Emergent/Speed'" in result.stderr
    result = run("-p", str(cli_project), "segments", "import", str(good), "--create")
    assert "2 segments imported" in result.output
    rows = json.loads(run("-p", str(cli_project), "segments", "--json").stdout)
    assert {(r["coder"], r["code"]) for r in rows} == {("coder2", "Benefits/Transparency"),
                                                     ("coder1", "Emergent/Speed")}
    again = run("-p", str(cli_project), "segments", "import", str(good))
    assert "0 segments imported, 2 duplicates skipped" in again.output


def test_codebook_yaml_round_trips_exactly(cli_project: Path, tmp_path: Path) -> None:
    first = tmp_path / "cb.yaml"
    run("-p", str(cli_project), "codebook", "export", "-o", str(first))
    other = tmp_path / "other"
    run("init", str(other), "--title", "Study", "--codebook", str(first))
    second = tmp_path / "cb2.yaml"
    run("-p", str(other), "codebook", "export", "-o", str(second))
    assert first.read_text() == second.read_text()
    original = yaml.safe_load((SAMPLE / "codebook.yaml").read_text())
    exported = yaml.safe_load(first.read_text())
    assert exported["codes"][0]["name"] == original["codes"][0]["name"]
    assert exported["codes"][0]["children"][0]["definition"] == \
        original["codes"][0]["children"][0]["definition"]


def test_codebook_import_merges_and_reports(cli_project: Path, tmp_path: Path) -> None:
    extra = tmp_path / "extra.csv"
    extra.write_text("path,definition\nBenefits/Transparency,Changed definition\n"
                     "Emergent/Hidden costs,Staff time nobody counts\n", encoding="utf-8")
    out = run("-p", str(cli_project), "codebook", "import", str(extra)).output
    assert "2 codes added, 1 changed, 0 unchanged" in out
    assert "+ Emergent/Hidden costs" in out and "~ Benefits/Transparency" in out
    md = run("-p", str(cli_project), "codebook", "export", "--format", "md").stdout
    assert "**Definition:** Changed definition" in md
    csv_text = run("-p", str(cli_project), "codebook", "export", "--format", "csv").stdout
    assert csv_text.startswith("path,color,origin,codable")


def test_import_with_attributes_and_errors(tmp_path: Path) -> None:
    root = tmp_path / "p"
    run("init", str(root))
    doc = tmp_path / "P01.txt"
    doc.write_text(TRANSCRIPT, encoding="utf-8")
    attrs = tmp_path / "a.csv"
    attrs.write_text("document,case,role,years\nP01,R1,Webmaster,9\n", encoding="utf-8")
    out = run("-p", str(root), "import", str(doc), "--attributes", str(attrs)).output
    assert "imported P01" in out and "role (category)" in out and "years (number)" in out
    again = run("-p", str(root), "import", str(doc), ok=False)
    assert again.exit_code == 1 and "already imported as 'P01'" in again.stderr
    binary = tmp_path / "x.txt"
    binary.write_bytes(b"\x00\x01\x02binary\x00")
    empty = tmp_path / "e.txt"
    empty.write_bytes(b"")
    for bad in (binary, empty):
        result = run("-p", str(root), "import", str(bad), ok=False)
        assert result.exit_code == 1 and bad.name in result.stderr
    # one bad file among good ones: nothing is imported
    good = tmp_path / "P02.txt"
    good.write_text("Interviewer: Hello?\n\nP02: Hi.\n", encoding="utf-8")
    run("-p", str(root), "import", str(good), str(binary), ok=False)
    names = [d["name"] for d in json.loads(run("-p", str(root), "documents", "--json").stdout)]
    assert names == ["P01"]
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Caf\xe9 talk: ol\xe1\n".encode("latin-1"))
    result = run("-p", str(root), "import", str(latin), ok=False)
    assert "--encoding" in result.stderr
    run("-p", str(root), "import", str(latin), "--encoding", "latin-1")


def test_duplicate_import_asks_on_a_terminal(cli_project: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("qualtui.cli._interactive", lambda: True)
    copy = tmp_path / "copy.txt"
    copy.write_text(TRANSCRIPT, encoding="utf-8")
    result = CliRunner().invoke(main, ["-p", str(cli_project), "import", str(copy)], input="n\n")
    assert result.exit_code == 1 and "already imported as 'P99'" in result.output
    result = CliRunner().invoke(main, ["-p", str(cli_project), "import", str(copy)], input="y\n")
    assert result.exit_code == 0 and "imported copy" in result.output
    names = [d["name"] for d in json.loads(run("-p", str(cli_project), "documents",
                                                "--json").stdout)]
    assert names == ["P99", "copy"]


def test_stats_json_and_undo_log(cli_project: Path) -> None:
    run("-p", str(cli_project), "code", "--doc", "P99", "--start", "0", "--end", "9", "--code",
        "Benefits/Efficiency")
    stats = json.loads(run("-p", str(cli_project), "stats", "--json").stdout)
    assert stats["documents"] == 1 and stats["segments"] == 1 and stats["codes"] == 32
    assert stats["segments_per_code"] == {"Benefits/Efficiency": 1}
    assert stats["segments_per_coder"] == {"coder1": 1}
    assert run("-p", str(cli_project), "undo").output.strip() == \
        "undo: coded P99 0-9 as Benefits/Efficiency"
    assert json.loads(run("-p", str(cli_project), "stats", "--json").stdout)["segments"] == 0
    run("-p", str(cli_project), "redo")
    log = json.loads(run("-p", str(cli_project), "log", "--json").stdout)
    assert [e["op"] for e in log][-3:] == ["segment.apply", "undo", "redo"]
    assert "coder1" in run("-p", str(cli_project), "log", "--limit", "1").output


def test_doctor_finds_tampered_source_and_restores(cli_project: Path) -> None:
    assert run("-p", str(cli_project), "doctor").output.startswith("ok:")
    source = next((cli_project / "sources").glob("*.txt"))
    os.chmod(source, 0o600)
    source.write_text(TRANSCRIPT + "edited", encoding="utf-8")
    result = run("-p", str(cli_project), "doctor", ok=False)
    assert result.exit_code == 1 and "sha256 mismatch" in result.output
    source.write_text(TRANSCRIPT, encoding="utf-8")
    (cli_project / "project.json").write_text("{broken", encoding="utf-8")
    result = run("-p", str(cli_project), "documents", ok=False)
    assert result.exit_code == 1 and "doctor --restore" in result.stderr
    assert "restored" in run("-p", str(cli_project), "doctor", "--restore").output
    assert "P99" in run("-p", str(cli_project), "documents").output


def test_no_project_is_a_clear_error(tmp_path: Path) -> None:
    result = run("documents", ok=False, cwd=tmp_path)
    assert result.exit_code == 1 and "no qualtui project" in result.stderr
    result = run("-p", str(tmp_path / "nope"), "documents", ok=False)
    assert "no such directory" in result.stderr


def test_cli_commands_do_not_import_textual(cli_project: Path) -> None:
    code = (
        "import sys\n"
        "from qualtui.cli import main\n"
        "try:\n"
        f"    main(['-p', {str(cli_project)!r}, 'stats', '--json'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "assert not [m for m in sys.modules if m.startswith('textual')], 'textual imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_layers_never_import_textual() -> None:
    code = (
        "import sys, pkgutil, importlib\n"
        "import qualtui.core, qualtui.store, qualtui.io, qualtui.analysis\n"
        "for pkg in (qualtui.core, qualtui.store, qualtui.io, qualtui.analysis):\n"
        "    for mod in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(mod.name)\n"
        "bad = [m for m in sys.modules if m.startswith('textual')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_help_lists_every_command() -> None:
    out = run("--help").output
    for command in ("init", "import", "documents", "codebook", "code", "uncode", "segments",
                    "stats", "doctor", "open", "undo", "redo", "log"):
        assert f"  {command} " in out or f"  {command}\n" in out


def test_extension_command_maps_match_what_modules_register() -> None:
    import importlib

    import click

    from qualtui.commands import COMMAND_MODULES, EXTENSION_MODULES, GROUP_EXTENSIONS

    for module_name in EXTENSION_MODULES:
        probe = click.Group("probe")
        probe.add_command(click.Group("codebook"))
        probe.add_command(click.Group("attributes"))
        importlib.import_module(module_name).register(probe)
        added = set(probe.commands) - {"codebook", "attributes"}
        assert {n for n, m in COMMAND_MODULES.items() if m == module_name} == added
        for group in ("codebook", "attributes"):
            if probe.commands[group].commands:  # type: ignore[attr-defined]
                assert module_name in GROUP_EXTENSIONS[group]


def test_core_commands_load_no_extension_module(cli_project: Path) -> None:
    code = (
        "import sys\n"
        "from qualtui.cli import main\n"
        "try:\n"
        f"    main(['-p', {str(cli_project)!r}, 'stats'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = [m for m in sys.modules if m.startswith('qualtui.commands.')]\n"
        "assert loaded == ['qualtui.commands.common'], loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_layers_import_in_one_direction() -> None:
    """core -> store -> io -> analysis -> tui -> cli: no module imports a later layer."""
    code = (
        "import sys, pkgutil, importlib\n"
        "order = ['qualtui.core', 'qualtui.store', 'qualtui.io', 'qualtui.analysis',"
        " 'qualtui.tui', 'qualtui.commands', 'qualtui.cli']\n"
        "for i, layer in enumerate(order[:4]):\n"
        "    before = set(sys.modules)\n"
        "    pkg = importlib.import_module(layer)\n"
        "    for mod in pkgutil.walk_packages(pkg.__path__, layer + '.'):\n"
        "        importlib.import_module(mod.name)\n"
        "    later = [m for m in set(sys.modules) - before\n"
        "             if any(m == l or m.startswith(l + '.') for l in order[i + 1:])]\n"
        "    assert not later, (layer, sorted(later))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
