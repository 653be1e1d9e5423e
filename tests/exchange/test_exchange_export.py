"""REFI-QDA export: .qdpx and .qdc validate against the schemas and carry everything."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from exchange_helpers import INTERVIEW, REPO, find, needs_refi, qde_of

from qualtui.core.errors import QualtuiError
from qualtui.core.project import Project
from qualtui.io.refi import codebook_qdc, export_qdc, export_qdpx
from qualtui.store.project import open_project

NS = "{urn:QDA-XML:project:1.0}"
SCHEMA_ORDER = ["Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "Links",
                "Sets", "Graphs", "Description", "NoteRef"]


@needs_refi
def test_qdpx_of_a_rich_project_validates(rich_project: Project, tmp_path: Path,
                                          project_schema) -> None:
    out = tmp_path / "rich.qdpx"
    report = export_qdpx(rich_project, out)
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        project_schema.validate(archive.read("project.qde").decode("utf-8"))
    docs = rich_project.documents.all()
    assert names[0] == "project.qde"
    assert sorted(names[1:]) == sorted(f"sources/{d.id}.txt" for d in docs)
    assert report.counts == {"users": 2, "codes": 6, "variables": 4, "cases": 2,
                             "documents": 2, "segments": 4, "memos": 5, "sets": 1}
    assert (out.stat().st_mode & 0o777) == 0o600


def test_qdpx_structure_and_mapping(rich_project: Project, tmp_path: Path) -> None:
    out = tmp_path / "rich.qdpx"
    export_qdpx(rich_project, out)
    root = qde_of(out)
    assert root.tag == f"{NS}Project"
    children = [c.tag.removeprefix(NS) for c in root]
    assert children == sorted(children, key=SCHEMA_ORDER.index)
    assert children == ["Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "Links",
                        "Sets", "NoteRef"]
    codes = {c.get("name"): c for c in root.iter(f"{NS}Code")}
    assert codes["Benefits"].get("isCodable") == "false"
    rapid = codes["Rapid dissemination"]
    assert rapid in list(codes["Benefits"])
    assert rapid.findtext(f"{NS}Description") == (
        "News reaches people fast.\n\nUse when: Speed is the point.\n\nExample: flood alerts")
    assert rapid.get("color", "").startswith("#")
    p01 = next(s for s in root.iter(f"{NS}TextSource") if s.get("name") == "P01")
    assert p01.get("plainTextPath") == f"internal://{p01.get('guid')}.txt"
    with zipfile.ZipFile(out) as archive:
        text = archive.read(f"sources/{p01.get('guid')}.txt").decode("utf-8")
    assert text == INTERVIEW
    selections = p01.findall(f"{NS}PlainTextSelection")
    start, end = find(INTERVIEW, "Citizens post IC numbers like 800101-14-5555 in comments.")
    double = next(s for s in selections if s.get("startPosition") == str(start))
    assert double.get("endPosition") == str(end)
    assert len(double.findall(f"{NS}Coding")) == 2  # two coders, one selection
    coders = {c.get("creatingUser") for c in double.findall(f"{NS}Coding")}
    users = {u.get("guid"): u.get("name") for u in root.iter(f"{NS}User")}
    assert {users[c] for c in coders} == {"coder1", "coder2"}
    segment_ids = {s.id for s in rich_project.coding.segments()}
    coding_ids = {c.get("guid") for c in root.iter(f"{NS}Coding")}
    assert coding_ids == segment_ids
    notes = {n.get("name"): n for n in root.iter(f"{NS}Note")}
    assert set(notes) == {"Project memo", "Day 1", "About P01", "Privacy memo",
                          "Alerts are the main use."}
    assert root.find(f"{NS}NoteRef").get("targetGUID") == notes["Project memo"].get("guid")
    assert p01.find(f"{NS}NoteRef").get("targetGUID") == notes["About P01"].get("guid")
    privacy = codes["Privacy"]
    assert privacy.find(f"{NS}NoteRef").get("targetGUID") == notes["Privacy memo"].get("guid")
    refs = [r.get("targetGUID") for r in root.iter(f"{NS}NoteRef")]
    assert notes["Day 1"].get("guid") not in refs  # the journal stays unattached
    link = root.find(f"{NS}Links/{NS}Link")
    assert link.get("originGUID") == notes["Privacy memo"].get("guid")
    assert link.get("targetGUID") in coding_ids
    variables = {v.get("name"): v.get("typeOfVariable") for v in root.iter(f"{NS}Variable")}
    assert variables == {"role": "Text", "years": "Integer", "level": "Text",
                         "interviewed": "Date"}
    level = next(v for v in root.iter(f"{NS}Variable") if v.get("name") == "level")
    assert level.findtext(f"{NS}Description") == "Categories: federal | state"
    case = next(c for c in root.iter(f"{NS}Case") if c.get("name") == "Aminah")
    assert case.find(f"{NS}SourceRef").get("targetGUID") == p01.get("guid")
    values = [v.find(f"{NS}IntegerValue") for v in case.findall(f"{NS}VariableValue")]
    assert [v.text for v in values if v is not None] == ["9"]
    assert not p01.findall(f"{NS}VariableValue")  # same values as its case: not repeated
    code_set = root.find(f"{NS}Sets/{NS}Set")
    assert code_set.get("name") == "Risk codes"
    assert code_set.find(f"{NS}MemberCode").get("targetGUID") == privacy.get("guid")
    assert code_set.find(f"{NS}MemberSource").get("targetGUID") == p01.get("guid")


@needs_refi
def test_sample_project_exports_and_validates(tmp_path: Path, project_schema) -> None:
    source = REPO / "sample_project"
    if not (source / "qualtui.yaml").is_file():
        pytest.skip("sample_project absent")
    copy = tmp_path / "sample"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("backups", "*.lock"))
    project = open_project(copy, coder="coder1")
    try:
        stats = project.stats()
        report = export_qdpx(project, tmp_path / "sample.qdpx")
    finally:
        project.close()
    with zipfile.ZipFile(tmp_path / "sample.qdpx") as archive:
        project_schema.validate(archive.read("project.qde").decode("utf-8"))
    root = qde_of(tmp_path / "sample.qdpx")
    assert len(list(root.iter(f"{NS}Code"))) == stats.codes
    assert len(list(root.iter(f"{NS}Coding"))) == stats.segments
    assert len(list(root.iter(f"{NS}Note"))) == stats.memos
    assert len(list(root.iter(f"{NS}TextSource"))) == stats.documents
    assert report.counts["segments"] == stats.segments


@needs_refi
def test_qdc_validates(rich_project: Project, tmp_path: Path, codebook_schema) -> None:
    text = codebook_qdc(rich_project)
    codebook_schema.validate(text)
    report = export_qdc(rich_project, tmp_path / "codes.qdc")
    codebook_schema.validate((tmp_path / "codes.qdc").read_text(encoding="utf-8"))
    assert report.counts == {"codes": 6, "sets": 1}
    assert "MemberCode guid=" in text


def test_qdc_of_an_empty_codebook_is_refused(project: Project) -> None:
    with pytest.raises(QualtuiError, match="codebook is empty"):
        codebook_qdc(project)


@needs_refi
def test_export_of_an_empty_project_validates(project: Project, tmp_path: Path,
                                              project_schema) -> None:
    export_qdpx(project, tmp_path / "empty.qdpx")
    with zipfile.ZipFile(tmp_path / "empty.qdpx") as archive:
        project_schema.validate(archive.read("project.qde").decode("utf-8"))
        assert archive.namelist() == ["project.qde"]


def test_export_warns_about_what_refi_cannot_carry(rich_project: Project,
                                                  tmp_path: Path) -> None:
    report = export_qdpx(rich_project, tmp_path / "rich.qdpx")
    assert any("speaker turns" in w for w in report.warnings)
    assert report.summary().startswith(f"wrote {tmp_path / 'rich.qdpx'}: 6 codes, 2 documents")
