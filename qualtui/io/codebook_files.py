"""Codebook files: YAML (round-trips exactly), CSV and a Markdown appendix; parse and write.

YAML layout::

    codes:
      - name: Benefits
        codable: false
        children:
          - name: Transparency
            definition: ...
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import yaml

from qualtui.core.codebook import EDITABLE, SEP, CodeSpec
from qualtui.core.errors import QualtuiError

FIELD_ORDER = ["color", "origin", "codable", "shortcut", "definition", "use_when",
               "dont_use_when", "example", "citation"]
DEFAULTS: dict[str, Any] = {"codable": True, "origin": "a-priori", "shortcut": "",
                            "definition": "", "use_when": "", "dont_use_when": "",
                            "example": "", "citation": "", "color": ""}
CSV_COLUMNS = ["path", *FIELD_ORDER]


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_presenter)


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise QualtuiError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise QualtuiError(f"{path}: not UTF-8 text; save it as UTF-8") from None
    except IsADirectoryError:
        raise QualtuiError(f"{path}: is a directory, expected a file") from None


# -- YAML -----------------------------------------------------------------------------------
def parse_yaml(text: str, name: str) -> list[CodeSpec]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise QualtuiError(f"{name} line {line}: {getattr(exc, 'problem', exc)}") from None
    if isinstance(data, dict):
        data = data.get("codes")
    if not isinstance(data, list):
        raise QualtuiError(f"{name}: expected 'codes:' followed by a list of codes")
    specs: list[CodeSpec] = []

    def walk(items: Any, prefix: str) -> None:
        if not isinstance(items, list):
            raise QualtuiError(f"{name}: 'children' of '{prefix}' must be a list")
        for item in items:
            if isinstance(item, str):
                item = {"name": item}
            if not isinstance(item, dict) or not isinstance(item.get("name"), (str, int)):
                raise QualtuiError(f"{name}: every code needs a name (under '{prefix or 'codes'}')")
            code_name = str(item["name"]).strip()
            if not code_name or SEP in code_name:
                raise QualtuiError(f"{name}: invalid code name '{code_name}' (no '/')")
            path = f"{prefix}{SEP}{code_name}" if prefix else code_name
            unknown = set(item) - EDITABLE - {"name", "children"}
            if unknown:
                raise QualtuiError(f"{name}: code '{path}': unknown field(s)"
                                   f" {', '.join(sorted(unknown))}")
            values = {k: v for k, v in item.items() if k in EDITABLE}
            for key, value in values.items():
                if key == "codable":
                    if not isinstance(value, bool):
                        raise QualtuiError(f"{name}: code '{path}': codable must be true/false")
                elif not isinstance(value, str):
                    values[key] = "" if value is None else str(value)
            specs.append(CodeSpec(path, values))
            walk(item.get("children") or [], path)

    walk(data, "")
    return specs


def to_yaml(specs: list[CodeSpec], title: str = "") -> str:
    roots: list[dict[str, Any]] = []
    nodes: dict[str, dict[str, Any]] = {}
    for spec in specs:
        parent, _, leaf = spec.path.rpartition(SEP)
        node: dict[str, Any] = {"name": leaf}
        for key in FIELD_ORDER:
            value = spec.fields.get(key, DEFAULTS[key])
            if value != DEFAULTS[key]:
                node[key] = value
        nodes[spec.path] = node
        if parent and parent in nodes:
            nodes[parent].setdefault("children", []).append(node)
        else:
            roots.append(node)
    header = f"# qualtui codebook{' - ' + title if title else ''}\n"
    return header + yaml.dump({"codes": roots}, Dumper=_Dumper, sort_keys=False,
                              allow_unicode=True, width=100)


# -- CSV --------------------------------------------------------------------------------------
def parse_csv(text: str, name: str) -> list[CodeSpec]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "path" not in reader.fieldnames:
        raise QualtuiError(f"{name}: a codebook CSV needs a 'path' column"
                           f" (columns: {', '.join(CSV_COLUMNS)})")
    specs = []
    for line, row in enumerate(reader, start=2):
        path = (row.get("path") or "").strip()
        if not path:
            raise QualtuiError(f"{name} line {line}: empty path")
        values: dict[str, Any] = {}
        for key in FIELD_ORDER:
            raw = row.get(key)
            if raw is None or raw == "":
                continue
            if key == "codable":
                if raw.strip().lower() not in ("true", "false", "yes", "no", "1", "0"):
                    raise QualtuiError(f"{name} line {line}: codable must be true or false")
                values[key] = raw.strip().lower() in ("true", "yes", "1")
            else:
                values[key] = raw
        specs.append(CodeSpec(path, values))
    return specs


def to_csv(specs: list[CodeSpec], counts: dict[str, int] | None = None) -> str:
    out = io.StringIO()
    columns = CSV_COLUMNS + (["segments"] if counts is not None else [])
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for spec in specs:
        row = [spec.path] + [spec.fields.get(k, DEFAULTS[k]) for k in FIELD_ORDER]
        row = [str(v).lower() if isinstance(v, bool) else v for v in row]
        if counts is not None:
            row.append(counts.get(spec.path, 0))
        writer.writerow(row)
    return out.getvalue()


# -- Markdown ------------------------------------------------------------------------------------
def to_markdown(specs: list[CodeSpec], title: str = "",
                counts: dict[str, int] | None = None) -> str:
    lines = [f"# Codebook{': ' + title if title else ''}", ""]
    for spec in specs:
        depth = spec.path.count(SEP)
        name = spec.path.rpartition(SEP)[2]
        lines.append(f"{'#' * min(depth + 2, 6)} {name}")
        lines.append("")
        facts = []
        if counts is not None:
            facts.append(f"{counts.get(spec.path, 0)} segments")
        if not spec.fields.get("codable", True):
            facts.append("category")
        if spec.fields.get("origin"):
            facts.append(str(spec.fields["origin"]))
        if facts:
            lines += [f"*{' · '.join(facts)}*", ""]
        for key, label in (("definition", "Definition"), ("use_when", "Use when"),
                           ("dont_use_when", "Do not use when"), ("example", "Example"),
                           ("citation", "Source")):
            value = str(spec.fields.get(key, "") or "").strip()
            if value:
                lines += [f"**{label}:** {value}", ""]
    return "\n".join(lines).rstrip() + "\n"


def read_codebook(path: Path) -> list[CodeSpec]:
    text = read_text(path)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return parse_yaml(text, path.name)
    if suffix == ".csv":
        return parse_csv(text, path.name)
    raise QualtuiError(f"{path}: unsupported codebook format (use .yaml, .yml or .csv;"
                       " REFI-QDA .qdc is imported by 'qualtui codebook import')")
