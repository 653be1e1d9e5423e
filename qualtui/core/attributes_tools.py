"""Case attributes: typed values, validation of attribute CSVs, editing, and CSV export.

Attributes live on a case (the respondent) and are copied onto each of its documents, as
:meth:`qualtui.core.cases.CaseService.apply_table` does, so everything reading document
attributes (queries, matrices) sees the same value. Every edit here is one logged
operation (one undo).

Types: ``text``, ``number`` (int or float), ``date`` (ISO ``YYYY-MM-DD``, stored as that
string) and ``category`` (text from a known list; new values extend the list).

An attribute CSV has a ``document`` column, an optional ``case`` column and one column per
attribute. A header may fix a type: ``years_of_service:number`` or ``joined (date)``.
:func:`check_table` reports every problem at once — unknown documents, bad numbers, bad
dates — with line numbers, and nothing is written while any remains.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from qualtui.core.cases import TYPES, AttributeTable, infer_type
from qualtui.core.errors import Conflict, NotFound, QualtuiError
from qualtui.core.models import AttributeDef, Case, from_dict, new_id, to_dict

if TYPE_CHECKING:
    from qualtui.core.project import Project

__all__ = [
    "AttributeCheck",
    "AttributeIssue",
    "CaseRow",
    "ImportReport",
    "add_attribute",
    "case_rows",
    "check_table",
    "delete_attribute",
    "export_csv",
    "format_value",
    "import_table",
    "parse_value",
    "set_attribute_type",
    "set_value",
    "set_values",
]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HEADER_TYPE = re.compile(r"^(?P<name>.+?)\s*(?::\s*(?P<a>\w+)|\(\s*(?P<b>\w+)\s*\))\s*$")
MOSTLY = 0.75
"""Share of values that makes a column numeric (or date) even with a few bad values."""


def parse_value(raw: str, kind: str) -> Any:
    """``raw`` converted to ``kind``; empty gives None. Raises ``ValueError`` with a short
    reason on a bad value."""
    value = raw.strip()
    if value == "":
        return None
    if kind == "number":
        try:
            number = float(value.replace(",", "")) if re.fullmatch(
                r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", value) else float(value)
        except ValueError:
            raise ValueError(f"'{raw}' is not a number") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError(f"'{raw}' is not a number")
        return int(number) if number.is_integer() else number
    if kind == "date":
        if not _DATE.match(value):
            raise ValueError(f"'{raw}' is not a date (write YYYY-MM-DD, e.g. 2025-03-14)")
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"'{raw}' is not a real date") from None
        return value
    if kind not in TYPES:
        raise ValueError(f"unknown type '{kind}'")
    return value


def format_value(value: Any) -> str:
    """A stored value as text (for tables and CSV): numbers without a trailing ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --------------------------------------------------------------------------- CSV checking


@dataclass(frozen=True)
class AttributeIssue:
    """One problem in an attribute CSV; ``line`` is the file's line number (header = 1)."""

    line: int
    document: str
    attribute: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f" ({self.document})" if self.document else "")
        what = f"{self.attribute}: " if self.attribute else ""
        return f"{where}: {what}{self.message}"


@dataclass
class AttributeCheck:
    """The validation report of an attribute table; ``ok`` when nothing blocks the import."""

    rows: int = 0
    types: dict[str, str] = field(default_factory=dict)  # attribute -> type
    columns: dict[str, str] = field(default_factory=dict)  # CSV column -> attribute name
    new_attributes: list[str] = field(default_factory=list)
    unknown_documents: list[AttributeIssue] = field(default_factory=list)
    errors: list[AttributeIssue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cases_added: list[str] = field(default_factory=list)
    documents_updated: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.unknown_documents

    def problems(self) -> list[AttributeIssue]:
        return sorted(self.unknown_documents + self.errors, key=lambda i: (i.line, i.attribute))

    def summary(self) -> str:
        """One line: what would happen, or how many problems block the import."""
        types = ", ".join(f"{k} ({v})" for k, v in self.types.items())
        if not self.ok:
            return (f"{len(self.unknown_documents)} unknown document(s), {len(self.errors)}"
                    f" bad value(s) in {self.rows} rows; nothing imported")
        return (f"{len(self.documents_updated)} documents, {len(self.cases_added)} new cases;"
                f" attributes: {types}")

    def report_lines(self, limit: int | None = None) -> list[str]:
        lines = [self.summary()]
        problems = [str(p) for p in self.problems()]
        if limit is not None and len(problems) > limit:
            problems = problems[:limit] + [f"... {len(self.problems()) - limit} more"]
        lines.extend(problems)
        lines.extend(f"note: {w}" for w in self.warnings)
        return lines

    def as_json(self) -> dict[str, Any]:
        def issue(i: AttributeIssue) -> dict[str, Any]:
            return {"line": i.line, "document": i.document, "attribute": i.attribute,
                    "value": i.value, "message": i.message}

        return {"ok": self.ok, "rows": self.rows, "types": self.types,
                "new_attributes": self.new_attributes,
                "unknown_documents": [issue(i) for i in self.unknown_documents],
                "errors": [issue(i) for i in self.errors], "warnings": self.warnings,
                "cases_added": self.cases_added, "documents_updated": self.documents_updated}


def _column_types(columns: Iterable[str]) -> dict[str, tuple[str, str | None]]:
    """CSV column -> (attribute name, type from the header or None)."""
    out: dict[str, tuple[str, str | None]] = {}
    for column in columns:
        m = _HEADER_TYPE.match(column)
        kind = (m.group("a") or m.group("b")).lower() if m else None
        if m and kind in TYPES:
            out[column] = (m.group("name").strip(), kind)
        else:
            out[column] = (column, None)
    return out


def _infer(values: list[str]) -> str:
    """Like :func:`~qualtui.core.cases.infer_type`, but a column that is mostly numbers (or
    dates) stays numeric so that its few bad values are reported rather than hidden."""
    present = [v for v in values if v.strip()]
    kind = infer_type(present)
    if kind in ("number", "date") or len(present) < 4:
        return kind
    for candidate in ("number", "date"):
        good = 0
        for value in present:
            try:
                parse_value(value, candidate)
                good += 1
            except ValueError:
                pass
        if good / len(present) >= MOSTLY:
            return candidate
    if sum(1 for v in present if _DATE.match(v.strip())) / len(present) >= MOSTLY:
        return "date"  # looks like dates, some impossible (2025-02-30)
    return kind


def check_table(project: Project, table: AttributeTable) -> AttributeCheck:
    """Validate ``table`` against the project without writing anything."""
    check = AttributeCheck(rows=len(table.rows))
    docs = {r["name"]: r for r in project.repo.all("documents")}
    defs = {r["name"]: r for r in project.repo.all("attributes")}
    cases = {r["name"] for r in project.repo.all("cases")}
    columns = _column_types(table.columns)
    check.columns = {col: name for col, (name, _) in columns.items()}
    seen: dict[str, str] = {}
    for col, (name, _) in columns.items():
        if name in seen:
            check.errors.append(AttributeIssue(1, "", name, col, f"columns '{seen[name]}' and"
                                               f" '{col}' name the same attribute"))
        seen[name] = col
    for col, (name, forced) in columns.items():
        values = [raw.get(col, "") for _, raw in table.rows.values()]
        if name in defs:
            kind = defs[name].get("type", "text")
            if forced and forced != kind:
                check.warnings.append(f"{name} is already a {kind} attribute; the header's"
                                      f" '{forced}' is ignored (change the type in the"
                                      " cases screen)")
        else:
            kind = forced or _infer(values)
            check.new_attributes.append(name)
        check.types[name] = kind
    planned_cases: set[str] = set()
    for line, (doc_name, (case_name, raw)) in enumerate(table.rows.items(), start=2):
        doc = docs.get(doc_name)
        if doc is None:
            close = [n for n in docs if n.casefold() == doc_name.casefold()]
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            check.unknown_documents.append(AttributeIssue(
                line, doc_name, "", doc_name, f"unknown document '{doc_name}'{hint}"))
            continue
        for col, (name, _) in columns.items():
            value = raw.get(col, "")
            try:
                parse_value(value, check.types[name])
            except ValueError as exc:
                check.errors.append(AttributeIssue(line, doc_name, name, value,
                                                   f"{exc} ({name} is a {check.types[name]})"))
        if case_name not in cases and case_name not in planned_cases:
            planned_cases.add(case_name)
            check.cases_added.append(case_name)
        check.documents_updated.append(doc_name)
    for name, kind in check.types.items():
        if kind == "category" and name in defs:
            known = set(defs[name].get("values", []))
            col = seen[name]
            new = sorted({raw.get(col, "").strip() for _, raw in table.rows.values()}
                         - known - {""})
            if new:
                check.warnings.append(f"{name}: new categories {', '.join(new)}")
    return check


@dataclass
class ImportReport:
    """What an import did (the check it passed, plus counts)."""

    check: AttributeCheck
    cases_added: int = 0
    documents_updated: int = 0


def import_table(project: Project, table: AttributeTable,
                 skip_unknown: bool = False) -> ImportReport:
    """Check ``table``; if it is clean (unknown documents allowed with ``skip_unknown``),
    write cases, attribute definitions and document attributes as one operation."""
    check = check_table(project, table)
    if check.errors or (check.unknown_documents and not skip_unknown):
        raise QualtuiError("; ".join(check.report_lines(limit=8)))
    columns = _column_types(table.columns)
    report = ImportReport(check)
    with project.log.operation("attributes.import", "imported attributes") as op:
        defs = {r["name"]: dict(r) for r in project.repo.all("attributes")}
        for name, kind in check.types.items():
            col = next(c for c, (n, _) in columns.items() if n == name)
            values = {raw.get(col, "").strip() for _, raw in table.rows.values()} - {""}
            if name in defs:
                record = defs[name]
                if kind == "category":
                    merged = sorted(set(record.get("values", [])) | values)
                    op.update("attributes", record | {"values": merged})
            else:
                op.insert("attributes", to_dict(AttributeDef(
                    new_id(), name, kind, sorted(values) if kind == "category" else [])))
        docs = {r["name"]: r for r in project.repo.all("documents")}
        cases = {r["name"]: dict(r) for r in project.repo.all("cases")}
        for doc_name, (case_name, raw) in table.rows.items():
            doc = docs.get(doc_name)
            if doc is None:
                continue
            values = {name: parse_value(raw.get(col, ""), check.types[name])
                      for col, (name, _) in columns.items()}
            case = cases.get(case_name)
            if case is None:
                case = to_dict(Case(new_id(), case_name, dict(values)))
                op.insert("cases", case)
                report.cases_added += 1
            else:
                case = case | {"attributes": {**case.get("attributes", {}), **values}}
                op.update("cases", case)
            cases[case_name] = case
            row = dict(doc)
            new_doc = row | {"case_id": case["id"],
                             "attributes": {**row.get("attributes", {}), **values}}
            if new_doc != row:
                op.update("documents", new_doc)
                report.documents_updated += 1
    return report


# --------------------------------------------------------------------------- editing


@dataclass
class CaseRow:
    """A case (or a document with no case: ``case_id`` None) with its documents and
    attribute values as the documents see them."""

    case_id: str | None
    name: str
    documents: list[str]
    document_ids: list[str]
    values: dict[str, Any]


def case_rows(project: Project) -> list[CaseRow]:
    """One row per case, in document order; documents without a case get their own row."""
    cases = {c.id: c for c in project.cases.all()}
    rows: dict[str, CaseRow] = {}
    for doc in project.documents.all():
        case = cases.get(doc.case_id or "")
        key = case.id if case else "doc:" + doc.id
        row = rows.get(key)
        if row is None:
            row = CaseRow(case.id if case else None, case.name if case else doc.name, [], [],
                          dict(case.attributes) if case else {})
            rows[key] = row
        row.documents.append(doc.name)
        row.document_ids.append(doc.id)
        row.values.update(doc.attributes)
    for case in cases.values():
        if case.id not in rows:
            rows[case.id] = CaseRow(case.id, case.name, [], [], dict(case.attributes))
    return list(rows.values())


def _definition(project: Project, name: str) -> dict[str, Any]:
    for row in project.repo.all("attributes"):
        if row["name"] == name:
            return dict(row)
    raise NotFound(f"no attribute '{name}'")


def set_value(project: Project, row: CaseRow, name: str, raw: str) -> Any:
    """Set one attribute of a case from text (see :func:`set_values`); returns the value."""
    return set_values(project, row, {name: raw})[name]


def set_values(project: Project, row: CaseRow, raw_values: dict[str, str]) -> dict[str, Any]:
    """Set attributes of a case (and its documents) from text, as one operation.

    Every value is checked against its attribute's type first; nothing is written if one is
    bad. A row without a case gets a case named after its document. Returns the stored
    values (None where cleared).
    """
    definitions = {name: _definition(project, name) for name in raw_values}
    values: dict[str, Any] = {}
    for name, raw in raw_values.items():
        kind = definitions[name].get("type", "text")
        try:
            values[name] = parse_value(raw, kind)
        except ValueError as exc:
            raise QualtuiError(f"{name}: {exc} ({name} is a {kind})") from None
    names = ", ".join(values)
    with project.log.operation("attributes.edit", f"set {names} of {row.name}") as op:
        if row.case_id is None:
            case = to_dict(Case(new_id(), row.name, dict(values)))
            op.insert("cases", case)
            row.case_id = case["id"]
        else:
            current = project.repo.get("cases", row.case_id)
            if current is None:
                raise NotFound(f"case {row.name} no longer exists")
            op.update("cases", dict(current) | {
                "attributes": {**current.get("attributes", {}), **values}})
        for doc_id in row.document_ids:
            doc = project.repo.get("documents", doc_id)
            if doc is None:
                continue
            op.update("documents", dict(doc) | {
                "case_id": row.case_id, "attributes": {**doc.get("attributes", {}), **values}})
        for name, value in values.items():
            definition = definitions[name]
            known = definition.get("values", [])
            if definition.get("type") == "category" and value is not None and value not in known:
                op.update("attributes", definition | {"values": sorted([*known, value])})
    row.values.update(values)
    return values


def add_attribute(project: Project, name: str, kind: str = "text",
                  values: Iterable[str] = ()) -> AttributeDef:
    name = name.strip()
    if not name or name.casefold() in ("document", "case", "coder"):
        raise QualtuiError(f"bad attribute name '{name}' (not empty, not document/case/coder)")
    if kind not in TYPES:
        raise QualtuiError(f"unknown type '{kind}' (types: {', '.join(TYPES)})")
    if any(r["name"] == name for r in project.repo.all("attributes")):
        raise Conflict(f"attribute '{name}' exists")
    record = AttributeDef(new_id(), name, kind, sorted(set(values)) if kind == "category"
                          else [])
    with project.log.operation("attributes.add", f"added attribute {name}") as op:
        op.insert("attributes", to_dict(record))
    return record


def set_attribute_type(project: Project, name: str, kind: str) -> AttributeDef:
    """Change an attribute's type, converting every stored value; refuses (naming the
    cases) when a value does not fit the new type."""
    if kind not in TYPES:
        raise QualtuiError(f"unknown type '{kind}' (types: {', '.join(TYPES)})")
    definition = _definition(project, name)
    bad: dict[str, str] = {}  # case (or document without a case) -> reason
    converted: dict[tuple[str, str], Any] = {}
    case_names = {r["id"]: r["name"] for r in project.repo.all("cases")}
    for table in ("cases", "documents"):
        for row in project.repo.all(table):
            if name not in row.get("attributes", {}):
                continue
            try:
                converted[(table, row["id"])] = parse_value(
                    format_value(row["attributes"][name]), kind)
            except ValueError as exc:
                owner = case_names.get(row.get("case_id") or "", row["name"])
                bad.setdefault(owner, str(exc))
    if bad:
        shown = "; ".join(f"{k}: {v}" for k, v in sorted(bad.items())[:6])
        raise QualtuiError(f"cannot make {name} a {kind}: {shown}")
    with project.log.operation("attributes.type", f"made {name} a {kind}") as op:
        values = sorted({format_value(v) for v in converted.values() if v is not None})
        op.update("attributes", definition | {"type": kind,
                                              "values": values if kind == "category" else []})
        for (table, record_id), value in converted.items():
            row = project.repo.get(table, record_id)
            assert row is not None
            op.update(table, dict(row) | {"attributes": {**row["attributes"], name: value}})
    return from_dict(AttributeDef, _definition(project, name))


def delete_attribute(project: Project, name: str) -> int:
    """Delete an attribute and its values from every case and document; returns how many
    documents had a value."""
    definition = _definition(project, name)
    removed = 0
    with project.log.operation("attributes.delete", f"deleted attribute {name}") as op:
        for table in ("cases", "documents"):
            for row in list(project.repo.all(table)):
                attrs = row.get("attributes", {})
                if name in attrs:
                    removed += 1 if table == "documents" else 0
                    op.update(table, dict(row) | {
                        "attributes": {k: v for k, v in attrs.items() if k != name}})
        op.delete("attributes", definition["id"])
    return removed


# --------------------------------------------------------------------------- export


def export_csv(project: Project, typed: bool = False) -> str:
    """``document,case,attr...`` for every document: the format ``attributes import`` reads.

    With ``typed`` the headers carry the type (``years_of_service:number``) so that a new
    project gets the same types; without, re-importing into this project keeps its types.
    """
    defs = project.cases.attribute_defs()
    names = [d.name for d in defs]
    types = {d.name: d.type for d in defs}
    cases = {c.id: c for c in project.cases.all()}
    docs = project.documents.all()
    for doc in docs:
        for key in doc.attributes:
            if key not in types:
                names.append(key)
                types[key] = "text"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["document", "case",
                     *(f"{n}:{types[n]}" if typed else n for n in names)])
    for doc in docs:
        case = cases.get(doc.case_id or "")
        values = {**(case.attributes if case else {}), **doc.attributes}
        writer.writerow([doc.name, case.name if case else doc.name,
                         *(format_value(values.get(n)) for n in names)])
    return out.getvalue()
