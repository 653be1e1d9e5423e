"""Domain records: plain dataclasses shared by every layer.

Each record has a UUID (``id``) that stays stable across merges and REFI-QDA export.
Offsets are Unicode code points into a document's normalised text, end exclusive.
"""

from __future__ import annotations

import dataclasses
import os
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, TypeVar

T = TypeVar("T")


_SEEDED: random.Random | None = (
    random.Random(os.environ["QUALTUI_ID_SEED"]) if os.environ.get("QUALTUI_ID_SEED") else None)


def new_id() -> str:
    """A fresh lower-case UUID4 string.

    With ``QUALTUI_ID_SEED`` set, ids come from a seeded generator instead, so that a
    rebuild of the sample project gives the same ids (and source file names) every time.
    """
    if _SEEDED is not None:
        return str(uuid.UUID(int=_SEEDED.getrandbits(128), version=4))
    return str(uuid.uuid4())


def now_iso() -> str:
    """Current UTC time as an ISO-8601 string with seconds precision."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class Turn:
    """A speaker turn: ``text[start:end]`` is the whole turn, label included.

    ``body_start`` is where the spoken words begin (after ``"Name: "``); coding a turn codes
    ``text[body_start:end]``. ``end`` excludes the trailing newline(s).
    """

    start: int
    end: int
    speaker: str
    body_start: int = -1

    def __post_init__(self) -> None:
        if self.body_start < 0:
            self.body_start = self.start


@dataclass
class Cue:
    """A timed cue from a subtitle file, mapped onto the normalised text."""

    start: int
    end: int
    begin: str  # "00:01:02.500"
    finish: str


@dataclass
class Document:
    id: str
    name: str
    filename: str
    format: str
    sha256: str
    chars: int
    words: int
    imported_at: str
    imported_by: str
    position: int = 0
    case_id: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    turns: list[Turn] = field(default_factory=list)
    cues: list[Cue] = field(default_factory=list)
    original: str = ""  # path of the kept original, relative to the project


@dataclass
class Code:
    id: str
    name: str
    parent_id: str | None = None
    position: int = 0
    color: str = ""
    definition: str = ""
    use_when: str = ""
    dont_use_when: str = ""
    example: str = ""
    citation: str = ""
    origin: str = "a-priori"  # or "emergent"
    shortcut: str = ""
    codable: bool = True
    created_at: str = ""
    created_by: str = ""


@dataclass
class Segment:
    id: str
    document_id: str
    code_id: str
    start: int
    end: int
    coder: str
    created_at: str = ""


@dataclass
class Memo:
    id: str
    kind: str  # project | journal | document | code | segment
    target_id: str | None
    title: str
    body: str
    author: str
    created_at: str
    modified_at: str
    links: list[str] = field(default_factory=list)


@dataclass
class Case:
    id: str
    name: str
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class AttributeDef:
    id: str
    name: str
    type: str = "text"  # text | number | date | category
    values: list[str] = field(default_factory=list)  # allowed values for category


@dataclass
class LogEntry:
    """One operation in the project's operation log (audit trail and undo/redo)."""

    id: str
    seq: int
    at: str
    coder: str
    op: str
    summary: str
    changes: list[dict[str, Any]] = field(default_factory=list)
    undone: bool = False
    reverts: str | None = None  # id of the entry this one undoes or redoes


RECORD_TYPES: dict[str, type] = {
    "documents": Document,
    "codes": Code,
    "segments": Segment,
    "memos": Memo,
    "cases": Case,
    "attributes": AttributeDef,
    "log": LogEntry,
}


def to_dict(record: Any) -> dict[str, Any]:
    """A record as a JSON-ready dict."""
    return dataclasses.asdict(record)


def from_dict(cls: type[T], data: dict[str, Any]) -> T:
    """Build ``cls`` from a stored dict, ignoring unknown keys (written by newer minor versions)."""
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    kwargs = {k: v for k, v in data.items() if k in names}
    if cls is Document:
        kwargs["turns"] = [Turn(**t) if isinstance(t, dict) else Turn(*t)
                           for t in kwargs.get("turns", [])]
        kwargs["cues"] = [Cue(**c) if isinstance(c, dict) else Cue(*c)
                          for c in kwargs.get("cues", [])]
    return cls(**kwargs)
