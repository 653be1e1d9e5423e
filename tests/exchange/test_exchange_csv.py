"""CSV exports of segments, the codebook and the attributes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from exchange_helpers import INTERVIEW, find

from qualtui.core.project import Project
from qualtui.io.codebook_files import parse_csv
from qualtui.io.csv_export import (
    SEGMENT_COLUMNS,
    attributes_csv,
    codebook_csv,
    export_csv,
    segments_csv,
)
from qualtui.io.tables import parse_attribute_csv


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_segments_csv_columns_and_values(rich_project: Project) -> None:
    text = segments_csv(rich_project)
    assert text.splitlines()[0].split(",") == SEGMENT_COLUMNS
    rows = _rows(text)
    assert len(rows) == 4
    flood = next(r for r in rows if r["code"] == "Benefits/Rapid dissemination")
    start, end = find(INTERVIEW, "We post flood alerts on Facebook.")
    assert flood == {"document": "P01", "case": "Aminah", "speaker": "Aminah",
                     "coder": "coder1", "code": "Benefits/Rapid dissemination",
                     "start": str(start), "end": str(end),
                     "text": "We post flood alerts on Facebook.",
                     "memo": "Alerts are the main use."}
    privacy = [r for r in rows if r["code"] == "Risks/Privacy"]
    assert sorted(r["coder"] for r in privacy) == ["coder1", "coder2"]
    field_notes = next(r for r in rows if r["document"] == "F01")
    assert (field_notes["case"], field_notes["speaker"]) == ("Kota Bharu site", "")
    assert [r["document"] for r in rows] == ["P01", "P01", "P01", "F01"]  # document order


def test_codebook_csv_can_be_imported_again(rich_project: Project) -> None:
    text = codebook_csv(rich_project)
    rows = {r["path"]: r for r in _rows(text)}
    assert rows["Risks/Privacy"]["segments"] == "2"
    assert rows["Benefits"]["codable"] == "false"
    specs = {s.path: s.fields for s in parse_csv(text, "codebook.csv")}
    assert specs["Benefits/Rapid dissemination"]["use_when"] == "Speed is the point."
    assert set(specs) == {c for c in rows}


def test_attributes_csv_can_be_imported_again(rich_project: Project, tmp_path: Path) -> None:
    text = attributes_csv(rich_project)
    rows = _rows(text)
    assert rows[0] == {"document": "P01", "case": "Aminah", "role": "Webmaster", "years": "9",
                       "level": "federal", "interviewed": "2025-03-03"}
    path = tmp_path / "attributes.csv"
    path.write_text(text, encoding="utf-8")
    table = parse_attribute_csv(path)
    assert table.rows["F01"] == ("Kota Bharu site", {"role": "Observer", "years": "2",
                                                    "level": "state",
                                                    "interviewed": "2025-03-04"})


def test_export_csv_dispatch(rich_project: Project) -> None:
    assert export_csv(rich_project, "segments") == segments_csv(rich_project)
    with pytest.raises(ValueError, match="unknown CSV table"):
        export_csv(rich_project, "matrix")
