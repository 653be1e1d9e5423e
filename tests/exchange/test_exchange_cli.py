"""The exchange commands through click's CliRunner."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from exchange_helpers import SAMPLES, make_zip, needs_refi, project_xml

from qualtui.cli import main
from qualtui.core.project import Project


def run(*args: str, ok: bool = True) -> Result:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def root(rich_project: Project) -> Path:
    path = rich_project.root
    rich_project.close()
    return path


def test_export_qdpx_qdc_and_csv(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "study.qdpx"
    result = run("-p", str(root), "export", "--format", "qdpx", "-o", str(out))
    assert result.stdout.startswith(f"wrote {out}: 6 codes, 2 documents, 4 segments")
    assert "warning: speaker turns" in result.stderr
    with zipfile.ZipFile(out) as archive:
        assert "project.qde" in archive.namelist()
    result = run("export", "-p", str(root), "-o", str(tmp_path / "codes.qdc"))
    assert (tmp_path / "codes.qdc").read_text(encoding="utf-8").startswith("<?xml")
    result = run("export", "-p", str(root), "--format", "qdc")
    assert "<CodeBook" in result.stdout
    result = run("export", "-p", str(root), "--table", "attributes")
    assert result.stdout.startswith("document,case,role")
    result = run("export", "-p", str(root), "-o", str(tmp_path / "segments.csv"))
    rows = list(csv.DictReader(io.StringIO((tmp_path / "segments.csv").read_text("utf-8"))))
    assert len(rows) == 4


def test_export_usage_errors(root: Path) -> None:
    result = run("export", "-p", str(root), ok=False)
    assert result.exit_code == 2 and "--format qdpx|qdc|csv" in result.output
    result = run("export", "-p", str(root), "--format", "qdpx", ok=False)
    assert result.exit_code == 2 and "-o FILE.qdpx" in result.output


def test_import_qdpx_then_export_again(root: Path, tmp_path: Path) -> None:
    first = tmp_path / "first.qdpx"
    run("-p", str(root), "export", "-o", str(first))
    target = tmp_path / "copy"
    result = run("import-qdpx", str(first), str(target))
    assert result.stdout.strip().endswith("6 codes, 2 documents, 4 segments, 5 memos, 2 cases,"
                                          " 4 variables, 1 sets, 2 users")
    stats = json.loads(run("-p", str(target), "stats", "--json").stdout)
    assert (stats["documents"], stats["codes"], stats["segments"], stats["memos"]) == (
        2, 6, 4, 5)


def test_import_qdpx_errors_are_one_line(tmp_path: Path) -> None:
    fake = tmp_path / "fake.qdpx"
    fake.write_bytes(b"not a zip")
    result = run("import-qdpx", str(fake), str(tmp_path / "p"), ok=False)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"qualtui: error: {fake}: not a zip archive")
    assert not (tmp_path / "p").exists()


def test_import_qdpx_prints_warnings(tmp_path: Path) -> None:
    body = ('<Sources><TextSource guid="11111111-1111-4111-8111-111111111111" name="gone"'
            ' plainTextPath="internal://gone.txt"/></Sources><Graphs><Graph'
            ' guid="22222222-2222-4222-8222-222222222222"/></Graphs>')
    qdpx = make_zip(tmp_path / "w.qdpx", {"project.qde": project_xml(body)})
    result = run("import-qdpx", str(qdpx), str(tmp_path / "p"))
    assert "warning: source 'gone': its text (internal://gone.txt) is not in the file" \
        in result.stderr
    assert "warning: skipped elements qualtui does not model: 1 Graph" in result.stderr


@needs_refi
def test_import_qdpx_of_a_vendor_sample(tmp_path: Path) -> None:
    sample = next(s for s in SAMPLES if s.stem.startswith("qc-"))
    result = run("import-qdpx", str(sample), str(tmp_path / "qc"))
    assert "262 codes, 2 documents, 205 segments" in result.stdout


def test_import_qdc_command(root: Path, tmp_path: Path) -> None:
    qdc = tmp_path / "codes.qdc"
    qdc.write_text('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
                   '<Code guid="{0A0A0A0A-0000-4000-8000-000000000001}" name="Trust"'
                   ' isCodable="true"/></Codes></CodeBook>', encoding="utf-8")
    result = run("import-qdc", str(qdc), "-p", str(root))
    assert result.stdout.splitlines() == ["1 codes added, 0 changed, 0 unchanged", "  + Trust"]
    result = run("import-qdc", str(qdc), "-p", str(root))
    assert result.stdout.splitlines() == ["0 codes added, 0 changed, 1 unchanged"]


def test_pseudonyms_commands(root: Path, tmp_path: Path) -> None:
    run("pseudonyms", "add", "Aminah", "Participant A", "-p", str(root))
    run("pseudonyms", "add", "Putrajaya", "City P", "--kind", "place", "-p", str(root))
    result = run("pseudonyms", "redact", "--doc", "P01", "--start", "0", "--end", "9",
                 "--reason", "title", "-p", str(root))
    redaction_id = result.stdout.split()[0]
    listed = json.loads(run("pseudonyms", "list", "--json", "-p", str(root)).stdout)
    assert listed["pseudonyms"] == [
        {"real": "Aminah", "pseudonym": "Participant A", "kind": "person"},
        {"real": "Putrajaya", "pseudonym": "City P", "kind": "place"}]
    assert listed["redactions"][0]["document"] == "P01"
    text = run("pseudonyms", "list", "-p", str(root)).stdout
    assert "person  Aminah     ->  Participant A" in text
    yaml_file = tmp_path / "pseudonyms.yaml"
    run("pseudonyms", "export", str(yaml_file), "-p", str(root))
    assert (yaml_file.stat().st_mode & 0o777) == 0o600
    yaml_file.write_text(yaml_file.read_text("utf-8").replace("City P", "Town Q"), "utf-8")
    result = run("pseudonyms", "import", str(yaml_file), "-p", str(root))
    assert result.stdout.strip() == "0 added, 1 changed, 0 removed"
    segments = run("export", "--table", "segments", "--pseudonymize", "-p", str(root)).stdout
    assert "Aminah" not in segments and "Participant A" in segments
    run("pseudonyms", "unredact", redaction_id[:8], "-p", str(root))
    run("pseudonyms", "remove", "Aminah", "-p", str(root))
    result = run("pseudonyms", "remove", "Aminah", "-p", str(root), ok=False)
    assert result.exit_code == 1 and "no pseudonym for 'Aminah'" in result.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("redactions:\n- {document: P77, start: 0, end: 1}\n", encoding="utf-8")
    result = run("pseudonyms", "import", str(bad), "-p", str(root), ok=False)
    assert result.exit_code == 1 and "unknown document 'P77'" in result.stderr
