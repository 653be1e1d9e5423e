"""CSV files of segments and attributes: parse with row-level validation, and write."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qualtui.core.cases import AttributeTable
from qualtui.core.errors import QualtuiError
from qualtui.io.codebook_files import read_text

SEGMENT_COLUMNS = ("document", "start", "end", "code")


@dataclass
class SegmentRow:
    line: int
    document: str
    start: int
    end: int
    code: str
    coder: str
    memo: str


def parse_segment_csv(path: Path) -> tuple[list[SegmentRow], list[str]]:
    """Rows and per-row errors (``"line N: ..."``); the caller refuses if any error."""
    text = read_text(path)
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in SEGMENT_COLUMNS if c not in columns]
    if missing:
        raise QualtuiError(f"{path}: missing column(s) {', '.join(missing)}"
                           " (columns: document,start,end,code[,coder][,memo])")
    rows: list[SegmentRow] = []
    errors: list[str] = []
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        try:
            start, end = int(row["start"]), int(row["end"])
        except ValueError:
            errors.append(f"line {line}: start/end must be whole numbers"
                          f" (got '{row['start']}', '{row['end']}')")
            continue
        if not row["document"] or not row["code"]:
            errors.append(f"line {line}: document and code are required")
            continue
        rows.append(SegmentRow(line, row["document"], start, end, row["code"],
                               row.get("coder", ""), row.get("memo", "")))
    return rows, errors


def parse_attribute_csv(path: Path) -> AttributeTable:
    text = read_text(path)
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in reader.fieldnames or []]
    if "document" not in columns:
        raise QualtuiError(f"{path}: an attributes CSV needs a 'document' column"
                           " (then optional 'case' and one column per attribute)")
    attr_cols = [c for c in columns if c not in ("document", "case")]
    table = AttributeTable(columns=attr_cols)
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        doc = row.get("document", "")
        if not doc:
            raise QualtuiError(f"{path} line {line}: empty document name")
        if doc in table.rows:
            raise QualtuiError(f"{path} line {line}: document '{doc}' appears twice")
        table.rows[doc] = (row.get("case") or doc, {c: row.get(c, "") for c in attr_cols})
    return table


def write_csv(rows: Iterable[Sequence[Any]], header: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
