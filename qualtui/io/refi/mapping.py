"""Field mappings shared by the REFI-QDA reader and writer.

* A code's ``Description`` carries qualtui's definition followed by labelled paragraphs for
  the other codebook fields (``Use when:``, ``Do not use when:``, ``Example:``,
  ``Citation:``), so other programs show all of it and qualtui reads it back into fields.
* Attribute types map to ``typeOfVariable``; a category attribute is a ``Text`` variable
  whose ``Description`` starts with ``Categories:`` and lists the allowed values.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "CATEGORIES",
    "compose_description",
    "parse_categories",
    "parse_description",
]

FIELD_LABELS = (
    ("use_when", "Use when:"),
    ("dont_use_when", "Do not use when:"),
    ("example", "Example:"),
    ("citation", "Citation:"),
)
_LABEL_RE = re.compile("^(" + "|".join(re.escape(label) for _, label in FIELD_LABELS) + ")[ ]?")
CATEGORIES = "Categories:"
CATEGORY_SEP = " | "


def compose_description(fields: dict[str, Any]) -> str:
    """The Description text of a code: its definition, then labelled paragraphs."""
    parts = [str(fields.get("definition") or "").strip()]
    for key, label in FIELD_LABELS:
        value = str(fields.get(key) or "").strip()
        if value:
            parts.append(f"{label} {value}")
    return "\n\n".join(p for p in parts if p)


def parse_description(text: str | None) -> dict[str, str]:
    """Split a Description back into definition and labelled fields (inverse of
    :func:`compose_description`); unlabelled paragraphs continue the field before them."""
    fields = {"definition": "", **{key: "" for key, _ in FIELD_LABELS}}
    if not text:
        return fields
    keys = {label: key for key, label in FIELD_LABELS}
    current = "definition"
    chunks: dict[str, list[str]] = {}
    for paragraph in text.replace("\r\n", "\n").split("\n\n"):
        match = _LABEL_RE.match(paragraph)
        if match:
            current = keys[match.group(1)]
            paragraph = paragraph[match.end():]
        chunks.setdefault(current, []).append(paragraph)
    for key, paragraphs in chunks.items():
        fields[key] = "\n\n".join(paragraphs).strip()
    return fields


def compose_categories(values: list[str]) -> str:
    return f"{CATEGORIES} " + CATEGORY_SEP.join(values)


def parse_categories(description: str | None) -> list[str] | None:
    """The allowed values a ``Categories:`` description lists, or None."""
    if not description or not description.strip().startswith(CATEGORIES):
        return None
    body = description.strip()[len(CATEGORIES):].strip()
    return [v.strip() for v in body.split(CATEGORY_SEP.strip()) if v.strip()]
