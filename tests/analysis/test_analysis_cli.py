"""The analysis commands through click's CliRunner: text, --json, --csv, --graphml, --dot."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from qualtui.cli import main
from qualtui.store.project import open_project

from .corpus import A, B, C, D, populate

ROOT = Path(__file__).resolve().parents[2]
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


@pytest.fixture
def study(project_dir: Path) -> Path:
    project = open_project(project_dir, coder="coder1")
    try:
        populate(project)
    finally:
        project.close()
    return project_dir


def run(root: Path, *args: str, ok: bool = True) -> Result:
    result = CliRunner().invoke(main, ["-p", str(root), *args], catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output + (result.stderr or "")
    return result


def matrix_of(payload: dict) -> dict[tuple[str, str], float | None]:
    paths = [c["path"] for c in payload["codes"]]
    return {(a, b): payload["matrix"][i][j] for i, a in enumerate(paths)
            for j, b in enumerate(paths)}


# --------------------------------------------------------------------------- cooccur


def test_cooccur_json_shape_and_values(study: Path) -> None:
    payload = json.loads(run(study, "cooccur", "--json").stdout)
    assert payload["options"] == {
        "proximity": "overlap", "count": "segments", "measure": "count", "level": "leaf",
        "filters": {"coders": [], "documents": [], "where": [], "codes": []}}
    assert (payload["documents"], payload["cases"], payload["segments"]) == (3, 2, 13)
    assert [(c["path"], c["frequency"]) for c in payload["codes"]] == [
        (A, 5), (B, 4), (C, 2), (D, 2)]
    assert set(payload["codes"][0]) == {"id", "path", "color", "frequency"}
    cells = matrix_of(payload)
    assert cells[(A, A)] is None
    assert (cells[(A, B)], cells[(A, C)], cells[(B, C)], cells[(B, D)], cells[(A, D)]) == \
        (2, 2, 1, 1, 0)
    assert payload["counts"][0][0] == 0
    first = payload["pairs"][0]
    assert first == {"a": A, "b": B, "n1": 5, "n2": 4, "n12": 2,
                     "jaccard": round(3 / 9, 6), "c": round(2 / 7, 6),
                     "c_out_of_range": False}
    assert len(payload["pairs"]) == 4


def test_cooccur_options(study: Path) -> None:
    docs = json.loads(run(study, "cooccur", "--count", "documents", "--measure", "c",
                          "--json").stdout)
    cells = matrix_of(docs)
    assert cells[(A, C)] == round(2 / 3, 6) and cells[(A, B)] == round(1 / 5, 6)
    turn = matrix_of(json.loads(run(study, "cooccur", "--proximity", "turn", "--json").stdout))
    assert (turn[(A, B)], turn[(A, C)], turn[(A, D)], turn[(C, D)]) == (6, 4, 1, 1)
    chars = matrix_of(json.loads(run(study, "cooccur", "--proximity", "chars:60",
                                     "--json").stdout))
    assert chars[(A, B)] == 5
    top = json.loads(run(study, "cooccur", "--level", "top", "--json").stdout)
    assert [c["path"] for c in top["codes"]] == ["Benefits", "Risks"]
    assert top["matrix"] == [[None, 1], [1, None]]
    web = json.loads(run(study, "cooccur", "--where", "role=webmaster", "--json").stdout)
    assert web["documents"] == 2 and matrix_of(web)[(A, B)] == 2
    coder = json.loads(run(study, "cooccur", "--coder", "coder2", "--json").stdout)
    assert coder["pairs"] == [] and coder["segments"] == 4
    by_total = json.loads(run(study, "cooccur", "--proximity", "turn", "--sort", "total",
                              "--json").stdout)
    assert [c["path"] for c in by_total["codes"]] == [A, B, C, D]


def test_cooccur_text(study: Path) -> None:
    out = run(study, "cooccur").stdout
    assert out.splitlines()[0].startswith("co-occurrence of 4 codes in 3 documents")
    assert f"{A}  x  {B}" in out
    lines = [line.split() for line in out.splitlines()[2:]]
    assert lines[0][:5] == ["2", "5", "4", "0.33", "0.29"]


def test_cooccur_csv(study: Path) -> None:
    rows = list(csv.reader(io.StringIO(run(study, "cooccur", "--csv").stdout)))
    assert rows[0] == ["code", A, B, C, D]
    assert rows[1] == [A, "", "2", "2", "0"]
    assert rows[4] == [D, "0", "1", "0", ""]
    jac = list(csv.reader(io.StringIO(run(study, "cooccur", "--csv", "--measure",
                                          "jaccard").stdout)))
    assert float(jac[1][3]) == pytest.approx(4 / 7, abs=1e-5)


def test_cooccur_graphml(study: Path) -> None:
    root = ET.fromstring(run(study, "cooccur", "--graphml").stdout)
    keys = {k.get("id"): k.get("attr.name") for k in root.iter(f"{GRAPHML}key")}
    graph = root.find(f"{GRAPHML}graph")
    assert graph is not None and graph.get("edgedefault") == "undirected"
    nodes = {n.get("id"): {keys[d.get("key")]: d.text for d in n}
             for n in graph.iter(f"{GRAPHML}node")}
    assert sorted(v["path"] for v in nodes.values()) == sorted([A, B, C, D])
    by_path = {v["path"]: (k, v) for k, v in nodes.items()}
    assert by_path[A][1]["frequency"] == "5" and by_path[A][1]["color"].startswith("#")
    assert {"r", "g", "b", "label"} <= set(by_path[A][1])
    edges = {(e.get("source"), e.get("target")): {keys[d.get("key")]: d.text for d in e}
             for e in graph.iter(f"{GRAPHML}edge")}
    assert len(edges) == 4  # only co-occurring pairs
    ab = edges[(by_path[A][0], by_path[B][0])]
    assert ab == {"weight": "2", "count": "2"}


def test_cooccur_dot(study: Path) -> None:
    dot = run(study, "cooccur", "--dot", "--measure", "c").stdout
    assert dot.startswith("graph cooccurrence {") and dot.rstrip().endswith("}")
    assert dot.count(" -- ") == 4
    assert dot.count("[label=") == 4  # one node line per code
    assert '"Transparency"' in dot and "fillcolor=" in dot
    edge = next(line for line in dot.splitlines() if " -- " in line)
    assert "weight=2" in edge and "count=2" in edge and "value=0.285714" in edge


def test_cooccur_output_file_and_format_from_suffix(study: Path, tmp_path: Path) -> None:
    target = tmp_path / "net.graphml"
    result = run(study, "cooccur", "-o", str(target))
    assert "wrote" in result.stderr
    assert ET.fromstring(target.read_text(encoding="utf-8")).tag == f"{GRAPHML}graphml"


def test_cooccur_drill(study: Path) -> None:
    passages = json.loads(run(study, "cooccur", "--drill", "Transparency", "Efficiency",
                              "--json").stdout)
    assert len(passages) == 2
    assert {p["document"] for p in passages} == {"P01"}
    assert all((p["start"], p["end"]) == (0, 60) for p in passages)
    assert sorted(p["a"]["coder"] for p in passages) == ["coder1", "coder2"]
    assert {p["b"]["code"] for p in passages} == {B}
    assert set(passages[0]) == {"document", "document_id", "start", "end", "a", "b", "text"}
    text = run(study, "cooccur", "--drill", A, B, "--proximity", "chars:0").stdout
    assert text.strip().endswith("3 passages")


def test_cooccur_errors_are_one_line(study: Path) -> None:
    for args, message in [
        (("cooccur", "--proximity", "near"), "bad proximity"),
        (("cooccur", "--where", "rank=1"), "no attribute 'rank'"),
        (("cooccur", "--json", "--csv"), "choose one of --json, --csv"),
        (("cooccur", "--level", "deep"), "bad level"),
        (("cooccur", "--drill", "Nope", B), "no code 'Nope'"),
        (("matrix", "--rows", "attribute:rank"), "no attribute 'rank'"),
        (("saturation", "--order", "attribute:when"), "no attribute 'when'"),
    ]:
        result = run(study, *args, ok=False)
        assert result.exit_code == 1, args
        assert message in result.stderr and result.stderr.count("\n") == 1, result.stderr


# --------------------------------------------------------------------------- matrix


def test_matrix_json(study: Path) -> None:
    payload = json.loads(run(study, "matrix", "--json").stdout)
    assert payload["options"]["rows_by"] == "documents"
    assert payload["options"]["unit"] == "segments"
    assert [c["path"] for c in payload["codes"]] == [A, B, C, D]
    assert [(g["label"], g["total"]) for g in payload["groups"]] == [
        ("P01", 6), ("P02", 4), ("P03", 3)]
    assert payload["cells"] == [[3, 1, 1], [1, 1, 2], [1, 1, 0], [1, 1, 0]]
    assert [c["total"] for c in payload["codes"]] == [5, 4, 2, 2]
    assert payload["grand_total"] == 13
    presence = json.loads(run(study, "matrix", "--rows", "attribute:role", "--cells",
                              "presence", "--json").stdout)
    assert presence["options"]["unit"] == "cases"
    assert [(g["label"], g["base"]) for g in presence["groups"]] == [
        ("Records officer", 1), ("Webmaster", 2)]
    assert presence["cells"] == [[1, 2], [1, 2], [1, 1], [1, 1]]


def test_matrix_csv_orientations_and_percent(study: Path) -> None:
    rows = list(csv.reader(io.StringIO(run(study, "matrix", "--csv").stdout)))
    assert rows[0] == ["document", A, B, C, D, "total"]
    assert rows[1] == ["P01", "3", "1", "1", "1", "6"]
    assert rows[-1] == ["total", "5", "4", "2", "2", "13"]
    flipped = list(csv.reader(io.StringIO(run(study, "matrix", "--csv", "--transpose").stdout)))
    assert flipped[0] == ["code", "P01", "P02", "P03", "total"]
    assert flipped[1] == [A, "3", "1", "1", "5"]
    # --percent row: rows are documents, so % of the document's total: P01 A = 3/6
    pct = list(csv.reader(io.StringIO(run(study, "matrix", "--csv", "--percent",
                                          "row").stdout)))
    assert pct[1][1] == "50.0"
    col = list(csv.reader(io.StringIO(run(study, "matrix", "--csv", "--percent",
                                          "column").stdout)))
    assert col[1][1] == "60.0"  # 3 of A's 5


def test_matrix_text_and_drill(study: Path) -> None:
    out = run(study, "matrix", "--rows", "cases").stdout
    assert "4 codes x 2 cases" in out.splitlines()[0]
    assert any(line.split()[:5] == ["R1", "4", "2", "2", "2"] for line in out.splitlines())
    segs = json.loads(run(study, "matrix", "--drill", "P01", "Transparency", "--json").stdout)
    assert [(s["start"], s["end"], s["coder"]) for s in segs] == [
        (0, 50, "coder1"), (0, 50, "coder2"), (110, 130, "coder2")]
    assert set(segs[0]) == {"id", "document", "document_id", "code", "code_id", "coder",
                            "start", "end", "text"}
    whole_row = json.loads(run(study, "matrix", "--drill", "total", "Efficiency",
                               "--json").stdout)
    assert len(whole_row) == 4
    text = run(study, "matrix", "--drill", "P03", "total").stdout
    assert text.strip().endswith("3 segments")


# --------------------------------------------------------------------------- frequencies


def test_frequencies(study: Path) -> None:
    payload = json.loads(run(study, "frequencies", "--json", "--sort", "words").stdout)
    assert payload["options"] == {"level": "leaf", "sort": "words"}
    assert [(r["code"], r["segments"], r["documents"], r["cases"], r["words"])
            for r in payload["codes"]] == [(A, 5, 3, 2, 35), (C, 2, 2, 1, 28),
                                           (B, 4, 3, 2, 18), (D, 2, 2, 1, 5)]
    assert payload["codes"][2]["documents_pct"] == 100.0
    assert payload["codes"][1]["cases_pct"] == 50.0
    rows = list(csv.reader(io.StringIO(run(study, "frequencies", "--csv").stdout)))
    assert rows[0] == ["code", "segments", "documents", "documents_pct", "cases", "cases_pct",
                       "words"]
    assert rows[1] == [A, "5", "3", "100.0", "2", "100.0", "35"]
    text = run(study, "frequencies", "--level", "top", "--sort", "segments",
               "--ascending").stdout
    assert text.splitlines()[2].startswith("Risks")
    sub = json.loads(run(study, "frequencies", "--code", "Risks", "--json").stdout)
    assert [r["code"] for r in sub["codes"]] == [D]


# --------------------------------------------------------------------------- saturation


def test_saturation(study: Path) -> None:
    payload = json.loads(run(study, "saturation", "--json", "-k", "2").stdout)
    assert payload["options"] == {"order": "import", "k": 2, "level": "leaf"}
    assert [(i["document"], i["new"], i["cumulative"]) for i in payload["interviews"]] == [
        ("P01", 4, 4), ("P02", 0, 4), ("P03", 0, 4)]
    assert payload["curve"] == [4, 4, 4]
    assert payload["saturation"] == {"index": 1, "document": "P01", "codes_found": 4}
    assert payload["skipped"] == []
    dated = json.loads(run(study, "saturation", "--order", "attribute:interview_date",
                           "--json").stdout)
    assert [i["document"] for i in dated["interviews"]] == ["P02", "P01", "P03"]
    assert dated["saturation"] is None  # k = 3 needs three interviews after the point
    rows = list(csv.reader(io.StringIO(run(study, "saturation", "--csv", "-k", "1").stdout)))
    assert rows[0][:6] == ["index", "document", "order_value", "codes_used", "new",
                           "cumulative"]
    assert rows[1][-1] == "yes" and rows[2][-1] == ""
    text = run(study, "saturation", "-k", "2").stdout
    assert "<- saturation" in text and "reached after interview 1 (P01)" in text


# --------------------------------------------------------------------------- real data


def test_sample_project_commands_agree(tmp_path: Path) -> None:
    sample = tmp_path / "sample"
    shutil.copytree(ROOT / "sample_project", sample,
                    ignore=shutil.ignore_patterns("backups", "*.lock"))
    payload = json.loads(run(sample, "cooccur", "--json", "--proximity", "turn").stdout)
    assert payload["documents"] == 12 and payload["segments"] == 473
    n = len(payload["codes"])
    assert all(payload["matrix"][i][j] == payload["matrix"][j][i]
               for i in range(n) for j in range(n))
    freq = json.loads(run(sample, "frequencies", "--json").stdout)
    assert sum(r["segments"] for r in freq["codes"]) == 473
    sat = json.loads(run(sample, "saturation", "--json").stdout)
    assert sat["curve"][-1] == len([r for r in freq["codes"] if r["segments"]])


def test_commands_do_not_import_textual(study: Path) -> None:
    code = (
        "import sys\n"
        "from qualtui.cli import main\n"
        "for args in (['cooccur', '--json'], ['matrix', '--json'], ['frequencies'],"
        " ['saturation', '--json']):\n"
        "    try:\n"
        f"        main(['-p', {str(study)!r}, *args])\n"
        "    except SystemExit as exc:\n"
        "        assert not exc.code, exc.code\n"
        "assert not [m for m in sys.modules if m.startswith('textual')], 'textual imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
