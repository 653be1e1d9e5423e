"""XML helpers for REFI-QDA: safe parsing, namespaces, GUIDs, colours, text and dates.

Parsing goes through defusedxml: no external entities (XXE), no entity expansion (billion
laughs), no network access. Namespaces are stripped after parsing so that the vendors'
variants (``urn:QDA-XML:project:1.0``, ``urn:QDA-XML:codebook:0:4``, none at all) read alike.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET

from qualtui.core.errors import ImportFailure

__all__ = [
    "NS_CODEBOOK",
    "NS_PROJECT",
    "QUALTUI_NS",
    "as_guid",
    "bool_attr",
    "derived_guid",
    "is_datetime",
    "norm_color",
    "norm_guid",
    "parse_xml",
    "xml_text",
]

NS_PROJECT = "urn:QDA-XML:project:1.0"
NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
# Namespace for the name-based UUIDs qualtui derives (coders, selections, variables, links).
QUALTUI_NS = uuid.UUID("6f1c3a52-2f4e-4c1e-9a43-7d3b0c1e5a90")

_GUID = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}"
                   r"-[0-9a-fA-F]{12})\}?$")
_COLOR = re.compile(r"^#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
_DATETIME = re.compile(r"^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")
_INVALID_XML = re.compile("[^\t\n\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def parse_xml(data: bytes, where: str) -> tuple[ET.Element, str]:
    """Parse untrusted XML; returns the root with namespaces stripped, and the root's
    namespace ("" if none). Raises ImportFailure with a one-line reason."""
    import defusedxml
    import defusedxml.ElementTree as SafeET

    try:
        root = SafeET.fromstring(data)
    except defusedxml.DefusedXmlException as exc:
        what = {"EntitiesForbidden": "XML entity declarations",
                "ExternalReferenceForbidden": "an external reference",
                "DTDForbidden": "a DTD"}.get(type(exc).__name__, "unsafe XML features")
        raise ImportFailure(f"{where}: uses {what}, which qualtui refuses for safety"
                            " (external entities or entity expansion)") from None
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise ImportFailure(f"{where}: not well-formed XML (line {line}, column {column + 1})"
                            ) from None
    namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{"):
            element.tag = element.tag.rpartition("}")[2]
    return root, namespace


def norm_guid(value: str | None) -> str | None:
    """A GUID lower-cased without braces, or None when ``value`` is not a GUID."""
    if not value:
        return None
    match = _GUID.match(value.strip())
    return match.group(1).lower() if match else None


def as_guid(value: str) -> str:
    """``value`` if it is a GUID, else a stable name-based one derived from it."""
    return norm_guid(value) or str(uuid.uuid5(QUALTUI_NS, value))


def derived_guid(*parts: str) -> str:
    """A stable GUID for something qualtui has no id for (a selection, a coder, a link)."""
    return str(uuid.uuid5(QUALTUI_NS, "\x1f".join(parts)))


def norm_color(value: str | None) -> str:
    """``#RRGGBB`` (upper case) for a valid REFI colour, else ""."""
    if not value:
        return ""
    match = _COLOR.match(value.strip())
    if not match:
        return ""
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits.upper()


def bool_attr(value: str | None, default: bool = True) -> bool:
    if value is None:
        return default
    return value.strip().lower() in ("true", "1", "yes")


def is_datetime(value: str | None) -> bool:
    return bool(value) and bool(_DATETIME.match(value or ""))


def xml_text(value: str) -> str:
    """Text that survives an XML round trip: LF line ends, no characters XML 1.0 forbids
    (replaced by U+FFFD)."""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _INVALID_XML.sub("\ufffd", value)
