"""``qualtui merge`` and ``qualtui agreement`` through CliRunner: text, --json, --csv, errors;
and ``qualtui log`` after a merge."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from team_helpers import INTERVIEW, PRIVACY, build, code_id, copy, doc_id, double_code, opened, span

from qualtui.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_project"


def run(*args: str, ok: bool = True):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output + (result.stderr or "")
    return result


@pytest.fixture
def coded(tmp_path: Path) -> Path:
    return double_code(build(tmp_path / "proj"))


def test_agreement_text_names_unit_and_denominator(coded: Path) -> None:
    out = run("-p", str(coded), "agreement", "--coders", "coder1", "coder2").output
    lines = out.splitlines()
    assert lines[0] == "agreement of coder1, coder2"
    assert lines[1].startswith("unit: character; denominator: all ")
    assert lines[1].endswith("characters of 1 document (every character counts, coded or not)")
    privacy = next(line for line in lines if line.startswith("Risks/Privacy"))
    assert privacy.split()[-3:] == ["100.0%", "1.000", "1.000"]
    assert any(line.startswith("overall (4 codes)") for line in lines)
    sentence = run("-p", str(coded), "agreement", "--coders", "coder1,coder2", "--unit",
                   "sentence", "--exclude-uncoded").output
    assert "unit: sentence; denominator: the " in sentence
    assert "(uncoded text excluded)" in sentence


def test_agreement_json_shape(coded: Path) -> None:
    out = run("-p", str(coded), "agreement", "--coders", "coder1", "--coders", "coder2",
              "--unit", "paragraph", "--code", "Risks", "--json").output
    data = json.loads(out)
    assert data["unit"] == "paragraph" and data["denominator"] == "all"
    assert data["coders"] == ["coder1", "coder2"]
    assert [c["code"] for c in data["codes"]] == ["Risks", "Risks/Privacy", "Risks/Security"]
    code = data["codes"][1]
    assert set(code) == {"code_id", "code", "units", "coded", "agreement", "kappa", "alpha",
                         "pairs"}
    assert set(code["pairs"][0]) == {"coders", "both", "only", "neither", "agreement",
                                     "expected", "kappa"}
    assert set(data["overall"]) == {"units", "coded", "agreement", "kappa", "alpha", "pairs"}
    assert data["documents"][0]["name"] == "P99"


def test_agreement_csv_repeats_unit_and_denominator(coded: Path) -> None:
    out = run("-p", str(coded), "agreement", "--coders", "coder1", "coder2", "--unit", "turn",
              "--exclude-uncoded", "--csv").output
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["code", "code_id", "unit", "denominator", "units",
                             "coded_by_coder1", "coded_by_coder2", "agreement", "kappa",
                             "alpha"]
    assert {(r["unit"], r["denominator"]) for r in rows} == {("turn", "coded")}
    assert rows[-1]["code"] == "(overall)"


def test_agreement_errors_are_one_line(coded: Path) -> None:
    one = run("-p", str(coded), "agreement", "--coders", "coder1", ok=False)
    assert one.exit_code == 2 and "at least two coders" in one.output
    unknown = run("-p", str(coded), "agreement", "--coders", "coder1", "zed", ok=False)
    assert unknown.exit_code == 1
    assert unknown.stderr == ("qualtui: error: coder 'zed' has no segments (coders: coder1,"
                              " coder2)\n")
    both = run("-p", str(coded), "agreement", "--coders", "coder1", "coder2", "--json",
               "--csv", ok=False)
    assert both.exit_code == 2


def test_agreement_on_the_sample_project(tmp_path: Path) -> None:
    sample = copy(SAMPLE, tmp_path / "sample")  # opening writes a backup: not in the repo
    # stdout only: opening a checkout's copy first says on stderr that it made it private
    data = json.loads(run("-p", str(sample), "agreement", "--coders", "coder1", "coder2",
                          "--unit", "sentence", "--json").stdout)
    assert [d["name"] for d in data["documents"]] == ["P01", "P02", "P03", "P04"]
    assert len(data["skipped_documents"]) == 8
    assert 0.0 < data["overall"]["kappa"] < 1.0


def test_merge_cli_dry_run_then_merge_and_log(tmp_path: Path) -> None:
    server = build(tmp_path / "server")
    laptop = copy(server, tmp_path / "laptop")
    with opened(laptop, "coder2") as field:
        field.coding.apply(doc_id(field), *span(INTERVIEW, PRIVACY),
                           code_id(field, "Risks/Privacy"))
    dry = json.loads(run("-p", str(server), "merge", str(laptop), "--dry-run", "--json").output)
    assert set(dry) == {"ours", "theirs", "prefer", "dry_run", "changed", "added", "updated",
                        "deleted", "log_entries", "sources_copied", "conflicts", "warnings",
                        "entry_seq"}
    assert dry["dry_run"] and dry["added"] == {"segments": 1} and dry["entry_seq"] is None
    out = run("-p", str(server), "--coder", "coder1", "merge", str(laptop)).output
    assert out.splitlines()[0] == f"merged {laptop}: segments +1, log +1"
    assert "'qualtui undo' takes the merge back" in out
    log = json.loads(run("-p", str(server), "log", "--json").output)
    assert [e["coder"] for e in log[-2:]] == ["coder2", "coder1"]
    assert log[-1]["op"] == "merge"
    again = run("-p", str(server), "merge", str(laptop), "--prefer", "theirs").output
    assert again.splitlines()[0] == f"merged {laptop}: nothing to change"
    missing = run("-p", str(server), "merge", str(tmp_path / "nowhere"), ok=False)
    assert missing.exit_code == 1 and "no such directory" in missing.stderr
