"""Cases (respondents) and their typed attributes; documents belong to a case."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qualtui.core.models import AttributeDef, Case, Document, from_dict
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
        """Create/update cases and document attributes from a parsed table, as one
        operation, after checking every row (see :mod:`qualtui.core.attributes_tools`).
        With ``strict`` unknown documents are an error; otherwise they are skipped."""
        from qualtui.core.attributes_tools import import_table

        result = import_table(self, table, skip_unknown=not strict)  # type: ignore[arg-type]
        return AttributeReport(
            cases_added=result.cases_added, documents_updated=result.documents_updated,
            unknown_documents=[issue.document for issue in result.check.unknown_documents],
            attributes=dict(result.check.types))
