"""Team work in the core: the coder filter (and blind mode) and how log changes read.

- :func:`visible_segments` is the coder filter behind the coding screen: all coders, only
  mine, one other coder, or *blind* (independent double coding: other coders' segments,
  their segment memos and their coding notifications are hidden).
- :func:`describe_change` turns one logged change into a line for the audit log.

Agreement runs and adjudication live in :mod:`qualtui.analysis.team`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from qualtui.core.errors import QualtuiError
from qualtui.core.models import Segment

if TYPE_CHECKING:
    from qualtui.core.models import LogEntry, Memo

__all__ = [
    "CONSENSUS",
    "FILTER_MODES",
    "FilterChoice",
    "describe_change",
    "describe_filter",
    "filter_choices",
    "visible_entries",
    "visible_memos",
    "visible_segments",
]

CONSENSUS = "consensus"
"""The coder id adjudicated (agreed) segments are stored under."""

FILTER_MODES = ("all", "mine", "other", "blind")
"""Coder filters: every coder, only me, one other coder (``other``), blind."""

Span = tuple[int, int]
S = TypeVar("S", bound=Segment)


# --------------------------------------------------------------------------- coder filter


def _check_mode(mode: str, other: str | None) -> None:
    if mode not in FILTER_MODES:
        raise QualtuiError(f"unknown coder filter '{mode}' (filters: {', '.join(FILTER_MODES)})")
    if mode == "other" and not other:
        raise QualtuiError("the 'other' coder filter needs the coder to show")


def visible_segments(segments: Iterable[S], me: str, mode: str,
                     other: str | None = None) -> list[S]:
    """The segments a coder filter shows.

    ``all``: everyone's. ``mine``: only ``me``'s. ``other``: only ``other``'s (reading a
    colleague's coding). ``blind``: only ``me``'s, and the screen must also hide every trace
    of other coders (see :func:`visible_memos`, :func:`visible_entries`).
    """
    _check_mode(mode, other)
    if mode == "all":
        return list(segments)
    if mode == "other":
        return [s for s in segments if s.coder == other]
    return [s for s in segments if s.coder == me]


def visible_memos(memos: Iterable[Memo], visible_segment_ids: Iterable[str], me: str,
                  mode: str) -> list[Memo]:
    """Memos a filter shows: segment memos only on visible segments; in blind mode also no
    memo another coder wrote on a document, code or segment."""
    ids = set(visible_segment_ids)
    out: list[Memo] = []
    for memo in memos:
        if memo.kind == "segment" and memo.target_id not in ids:
            continue
        if mode == "blind" and memo.author != me and memo.kind in ("segment", "document",
                                                                     "code"):
            continue
        out.append(memo)
    return out


SEGMENT_OPS = ("segment.", "adjudicate", "merge")


def visible_entries(entries: Iterable[LogEntry], me: str, mode: str) -> list[LogEntry]:
    """Log entries the live team view may announce: in blind mode none of another coder's
    coding (which would tell what they coded); otherwise all."""
    if mode != "blind":
        return list(entries)
    return [e for e in entries
            if e.coder == me or not (e.op.startswith(SEGMENT_OPS)
                                     or any(c.get("table") == "segments" for c in e.changes))]


@dataclass(frozen=True)
class FilterChoice:
    mode: str
    other: str | None
    label: str


def describe_filter(mode: str, me: str, other: str | None = None) -> str:
    """A short label for the status line."""
    _check_mode(mode, other)
    return {"all": "all coders", "mine": f"mine ({me})", "other": f"{other} only",
            "blind": f"BLIND: only {me}"}[mode]


def filter_choices(me: str, coders: Iterable[str]) -> list[FilterChoice]:
    """Every filter, in cycling order: all, mine, each other coder, blind."""
    choices = [FilterChoice("all", None, describe_filter("all", me)),
               FilterChoice("mine", None, describe_filter("mine", me))]
    for coder in sorted(set(coders) - {me}):
        choices.append(FilterChoice("other", coder, describe_filter("other", me, coder)))
    choices.append(FilterChoice("blind", None, describe_filter("blind", me)))
    return choices


# --------------------------------------------------------------------------- audit log

_HIDDEN_FIELDS = {"id", "changes_json", "changes"}


def _short_value(value: object, width: int = 40) -> str:
    text = repr(value) if not isinstance(value, str) else repr(value.replace("\n", " "))
    return text if len(text) <= width else text[: width - 2] + "…" + text[-1]


def _record_label(table: str, record: dict[str, Any], names: dict[str, str]) -> str:
    if table == "segments":
        return (f"{names.get(record.get('document_id', ''), '?')}"
                f" {record.get('start')}-{record.get('end')}"
                f" {names.get(record.get('code_id', ''), '?')} ({record.get('coder')})")
    if table == "codes":
        return names.get(record.get("id", ""), str(record.get("name", "?")))
    if table == "memos":
        return repr(str(record.get("title", "")))
    if table == "log":
        return f"entry {record.get('seq')} by {record.get('coder')}: {record.get('summary')}"
    return str(record.get("name") or str(record.get("id", "?"))[:8])


def describe_change(change: dict[str, Any], names: dict[str, str] | None = None) -> str:
    """One line for one change of a log entry: ``+`` added, ``-`` removed, ``~`` changed
    (with each changed field's before and after). ``names`` maps document and code ids to
    their names/paths."""
    names = names or {}
    table = str(change.get("table", "?"))
    kind = table[:-1] if table.endswith("s") else table
    before, after = change.get("before"), change.get("after")
    if before is None and after is None:
        return f"  {kind} {str(change.get('id', ''))[:8]}"
    if before is None:
        return f"+ {kind} {_record_label(table, after, names)}"
    if after is None:
        return f"- {kind} {_record_label(table, before, names)}"
    fields = [k for k in sorted(set(before) | set(after))
              if k not in _HIDDEN_FIELDS and before.get(k) != after.get(k)]
    diffs = ", ".join(f"{k} {_short_value(before.get(k))} → {_short_value(after.get(k))}"
                      for k in fields)
    return f"~ {kind} {_record_label(table, before, names)}: {diffs or 'no visible change'}"
