"""Attribute CSVs (validation report: unknown documents, bad numbers and dates), editing,
types and export."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualtui.core import attributes_tools as attrs
from qualtui.core.errors import QualtuiError
from qualtui.core.project import Project
from qualtui.io.tables import parse_attribute_csv


def table(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "attrs.csv"
    path.write_text(text, encoding="utf-8")
    return parse_attribute_csv(path)


def values(project: Project, doc: str) -> dict[str, object]:
    return dict(project.documents.by_name(doc).attributes)


def test_clean_table_reports_what_it_would_do(project: Project, tmp_path: Path) -> None:
    check = attrs.check_table(project, table(tmp_path, (
        "document,case,role,years_of_service,department:category\n"
        "P01,R1,Records officer,22,Archives\nP02,R9,Webmaster,9,IT\n")))
    assert check.ok
    assert check.types == {"role": "category", "years_of_service": "number",
                           "department": "category"}
    assert check.new_attributes == ["department"]
    assert check.cases_added == ["R9"] and check.documents_updated == ["P01", "P02"]
    assert check.summary() == ("2 documents, 1 new cases; attributes: role (category),"
                               " years_of_service (number), department (category)")


def test_unknown_documents_and_bad_values_are_all_reported(project: Project,
                                                          tmp_path: Path) -> None:
    check = attrs.check_table(project, table(tmp_path, (
        "document,years_of_service,joined\n"
        "P01,twenty,2004-05-01\n"
        "p02,9,2016-02-10\n"
        "P07,3,2020-01-01\n")))
    assert not check.ok
    assert [str(i) for i in check.problems()] == [
        "line 2 (P01): years_of_service: 'twenty' is not a number (years_of_service is a"
        " number)",
        "line 3 (p02): unknown document 'p02' (did you mean 'P02'?)",
        "line 4 (P07): unknown document 'P07'"]
    assert check.summary() == "2 unknown document(s), 1 bad value(s) in 3 rows; nothing imported"


def test_new_columns_that_are_mostly_numbers_or_dates_flag_the_odd_ones(
        project: Project, tmp_path: Path) -> None:
    project.documents.add("P03", "P03: a\n\nP03: b\n", fmt="txt", filename="P03.txt")
    project.documents.add("P04", "P04: c\n\nP04: d\n", fmt="txt", filename="P04.txt")
    check = attrs.check_table(project, table(tmp_path, (
        "document,age,interviewed,room\n"
        "P01,34,2025-03-01,12\n"
        "P02,41,2025-02-30,B2\n"
        "P03,n/a,2025-03-09,14\n"
        "P04,29,03/04/2025,C1\n")))
    assert check.types == {"age": "number", "interviewed": "date", "room": "text"}
    assert [(i.line, i.attribute, i.value) for i in check.errors] == [
        (3, "interviewed", "2025-02-30"), (4, "age", "n/a"), (5, "interviewed", "03/04/2025")]
    assert "not a real date" in check.errors[0].message
    assert "YYYY-MM-DD" in check.errors[2].message


def test_existing_types_win_and_header_types_are_read(project: Project,
                                                      tmp_path: Path) -> None:
    check = attrs.check_table(project, table(tmp_path, (
        "document,years_of_service:text,joined (date)\nP01,ten,2004-05-01\n")))
    assert check.types == {"years_of_service": "number", "joined": "date"}
    assert [i.attribute for i in check.errors] == ["years_of_service"]
    assert check.warnings and "already a number attribute" in check.warnings[0]


def test_import_refuses_bad_tables_and_writes_nothing(project: Project,
                                                     tmp_path: Path) -> None:
    before = values(project, "P01")
    with pytest.raises(QualtuiError, match="unknown document 'P07'"):
        attrs.import_table(project, table(tmp_path, "document,role\nP01,Boss\nP07,X\n"))
    assert values(project, "P01") == before
    report = attrs.import_table(project, table(tmp_path, "document,role\nP01,Boss\nP07,X\n"),
                                skip_unknown=True)
    assert report.documents_updated == 1 and values(project, "P01")["role"] == "Boss"
    assert project.undo() == "undo: imported attributes"
    assert values(project, "P01") == before


def test_import_converts_values_and_extends_categories(project: Project,
                                                       tmp_path: Path) -> None:
    attrs.import_table(project, table(tmp_path, (
        "document,case,level:category,years_of_service\nP01,R1,federal,\"1,200\"\n"
        "P02,R2,state,9.5\n")))
    assert values(project, "P01")["years_of_service"] == 1200
    assert values(project, "P02")["years_of_service"] == 9.5
    level = next(d for d in project.cases.attribute_defs() if d.name == "level")
    assert (level.type, level.values) == ("category", ["federal", "state"])
    attrs.import_table(project, table(tmp_path, "document,level\nP02,local\n"))
    level = next(d for d in project.cases.attribute_defs() if d.name == "level")
    assert level.values == ["federal", "local", "state"]


def test_set_values_updates_case_and_documents_in_one_step(project: Project) -> None:
    row = next(r for r in attrs.case_rows(project) if r.name == "R1")
    entries = len(project.log.entries())
    stored = attrs.set_values(project, row, {"years_of_service": "22", "role": "Archivist"})
    assert stored == {"years_of_service": 22, "role": "Archivist"}
    assert len(project.log.entries()) == entries + 1
    assert values(project, "P01")["years_of_service"] == 22
    case = next(c for c in project.cases.all() if c.name == "R1")
    assert case.attributes["role"] == "Archivist"
    with pytest.raises(QualtuiError, match="'soon' is not a date"):
        attrs.set_value(project, row, "joined", "soon")
    assert attrs.set_value(project, row, "joined", "") is None


def test_a_document_without_a_case_gets_one(project: Project) -> None:
    project.documents.add("P03", "P03: hello\n\nP03: bye\n", fmt="txt", filename="P03.txt")
    row = next(r for r in attrs.case_rows(project) if r.name == "P03")
    assert row.case_id is None
    attrs.set_value(project, row, "role", "Clerk")
    assert project.cases.case_of(project.documents.by_name("P03")).name == "P03"
    assert values(project, "P03")["role"] == "Clerk"


def test_types_change_only_when_every_value_fits(project: Project) -> None:
    with pytest.raises(QualtuiError, match="cannot make role a number: R1: 'Records officer'"
                                           " is not a number; R2: 'Webmaster'"):
        attrs.set_attribute_type(project, "role", "number")
    assert attrs.set_attribute_type(project, "role", "text").values == []
    definition = attrs.set_attribute_type(project, "role", "category")
    assert definition.values == ["Records officer", "Webmaster"]
    attrs.set_attribute_type(project, "years_of_service", "text")
    assert values(project, "P01")["years_of_service"] == "21"
    attrs.set_attribute_type(project, "years_of_service", "number")
    assert values(project, "P01")["years_of_service"] == 21


def test_add_and_delete_attributes(project: Project) -> None:
    attrs.add_attribute(project, "department", "category", ["IT"])
    with pytest.raises(QualtuiError, match="exists"):
        attrs.add_attribute(project, "department")
    with pytest.raises(QualtuiError, match="bad attribute name"):
        attrs.add_attribute(project, "coder")
    assert attrs.delete_attribute(project, "role") == 2
    assert "role" not in values(project, "P01")
    project.undo()
    assert values(project, "P01")["role"] == "Records officer"


def test_export_round_trips(project: Project, tmp_path: Path) -> None:
    text = attrs.export_csv(project)
    assert text.splitlines() == [
        "document,case,role,years_of_service,joined",
        "P01,R1,Records officer,21,2004-05-01",
        "P02,R2,Webmaster,9,2016-02-10"]
    assert attrs.export_csv(project, typed=True).splitlines()[0] == (
        "document,case,role:category,years_of_service:number,joined:date")
    check = attrs.check_table(project, table(tmp_path, text))
    assert check.ok and check.new_attributes == []
