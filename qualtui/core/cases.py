"""Cases (respondents) and their typed attributes; documents belong to a case."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from qualtui.core.errors import QualtuiError
from qualtui.core.models import AttributeDef, Case, Document, from_dict, new_id, to_dict
from qualtui.core.oplog import OperationLog
from qualtui.core.repository import Repository

TYPES = ("text", "number", "date", "category")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def infer_type(values: list[str]) -> str:
    present = [v for v in values if v != ""]
    if not present:
        return "text"
    try:
        for value in present:
            float(value)
        return "number"
    except ValueError:
        pass
    if all(_DATE.match(v) for v in present):
        return "date"
    distinct = set(present)
    if len(distinct) <= max(2, len(present) // 2) and all(len(v) <= 40 for v in distinct):
        return "category"
    return "text"


def convert(value: str, kind: str) -> Any:
    if value == "":
        return None
    if kind == "number":
        number = float(value)
        return int(number) if number.is_integer() else number
    return value


@dataclass
class AttributeTable:
    """Parsed attribute rows: document name -> (case name, {attribute: raw value})."""

    columns: list[str]
    rows: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)


@dataclass
class AttributeReport:
    cases_added: int = 0
    documents_updated: int = 0
    unknown_documents: list[str] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)  # name -> type


class CaseService:
    def __init__(self, repo: Repository, log: OperationLog) -> None:
        self.repo = repo
        self.log = log

    def all(self) -> list[Case]:
        return sorted((from_dict(Case, r) for r in self.repo.all("cases")),
                      key=lambda c: c.name.lower())

    def attribute_defs(self) -> list[AttributeDef]:
        return [from_dict(AttributeDef, r) for r in self.repo.all("attributes")]

    def case_of(self, document: Document) -> Case | None:
        if not document.case_id:
            return None
        row = self.repo.get("cases", document.case_id)
        return from_dict(Case, row) if row else None

    def apply_table(self, table: AttributeTable, strict: bool = True) -> AttributeReport:
        """Create/update cases and document attributes from a parsed table (one operation)."""
        report = AttributeReport()
        docs = {r["name"]: r for r in self.repo.all("documents")}
        report.unknown_documents = [name for name in table.rows if name not in docs]
        if report.unknown_documents and strict:
            raise QualtuiError(
                "attributes name unknown documents: " + ", ".join(report.unknown_documents)
                + " (import the documents first or fix the names)")
        types = {col: infer_type([vals.get(col, "") for _, vals in table.rows.values()])
                 for col in table.columns}
        existing_defs = {r["name"]: r for r in self.repo.all("attributes")}
        for name, kind in types.items():
            if name in existing_defs:
                types[name] = existing_defs[name].get("type", kind)
        report.attributes = types
        with self.log.operation("attributes.import", "imported attributes") as op:
            for name, kind in types.items():
                values = sorted({v.get(name, "") for _, v in table.rows.values()} - {""})
                record = AttributeDef(id=existing_defs[name]["id"] if name in existing_defs
                                      else new_id(), name=name, type=kind,
                                      values=values if kind == "category" else [])
                if name in existing_defs:
                    op.update("attributes", to_dict(record))
                else:
                    op.insert("attributes", to_dict(record))
            cases = {r["name"]: dict(r) for r in self.repo.all("cases")}
            for doc_name, (case_name, raw) in table.rows.items():
                if doc_name not in docs:
                    continue
                try:
                    values = {k: convert(v, types[k]) for k, v in raw.items()}
                except ValueError as exc:
                    raise QualtuiError(f"{doc_name}: bad value ({exc})") from None
                case = cases.get(case_name)
                if case is None:
                    case = to_dict(Case(id=new_id(), name=case_name, attributes=values))
                    op.insert("cases", case)
                    cases[case_name] = case
                    report.cases_added += 1
                else:
                    updated = case | {"attributes": {**case.get("attributes", {}), **values}}
                    op.update("cases", updated)
                    cases[case_name] = updated
                doc = dict(docs[doc_name])
                new_doc = doc | {"case_id": case["id"],
                                 "attributes": {**doc.get("attributes", {}), **values}}
                if new_doc != doc:
                    op.update("documents", new_doc)
                    report.documents_updated += 1
        return report
