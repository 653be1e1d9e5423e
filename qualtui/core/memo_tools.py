"""Memo tools: link syntax, full-text search, filters, JSON, Markdown export and autosave.

Used by ``qualtui memos`` and the memos screen; no Textual import.

Links in a memo body are written ``[[kind:ref]]``:

- ``[[code:Benefits/Transparency]]`` - a code by path (case-insensitive);
- ``[[segment:9c851566]]`` - a coded segment by id or a unique id prefix (8 characters);
- ``[[document:P01]]`` - a document by name;
- ``[[memo:35638592]]`` - another memo by id or a unique id prefix.

A memo's ``links`` field holds the ids of the records its body links to (plus any links it
got from elsewhere, e.g. a REFI-QDA import, which edits never drop).

:class:`MemoWriter` is the autosave primitive: every ``save()`` is one fsynced commit, and
saves of one memo following each other within ``gap`` seconds amend one operation-log entry,
so a typing burst is one undo step and one audit entry instead of one per save.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property
from typing import TYPE_CHECKING, Any

from qualtui.core.errors import NotFound
from qualtui.core.memos import KINDS
from qualtui.core.models import Code, Document, Memo, Segment, from_dict, now_iso, to_dict
from qualtui.core.oplog import decode_changes, encode_entry, entry_from_row

if TYPE_CHECKING:
    from qualtui.core.project import Project

__all__ = [
    "BURST_GAP", "KIND_LETTERS", "KIND_TITLES", "KINDS", "LINK_KINDS", "Link", "MemoContext",
    "MemoWriter", "SaveResult", "Target", "derive_title", "export_markdown", "format_link",
    "format_time", "link_at", "memo_markdown", "memo_targets", "merge_links", "parse_links",
    "parse_query", "search_text", "snippet",
]

LINK_KINDS = ("code", "segment", "document", "memo")
LINK_RE = re.compile(r"\[\[(code|segment|document|memo):([^\[\]\n]+?)\]\]")

KIND_TITLES = {"project": "Project memos", "journal": "Journal", "document": "Document memos",
               "code": "Code memos", "segment": "Segment memos"}
KIND_LETTERS = {"project": "P", "journal": "J", "document": "D", "code": "C", "segment": "S"}
SEGMENT_PREFIX = 8
"""Characters of a segment or memo id written in a link (``[[segment:9c851566]]``)."""

BURST_GAP = 5.0
"""Seconds: saves of one memo closer together than this amend one log entry."""


# -- links -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Link:
    """One ``[[kind:ref]]`` in a text; ``start``/``end`` are offsets of the whole link."""

    kind: str
    ref: str
    start: int
    end: int

    @property
    def text(self) -> str:
        return f"[[{self.kind}:{self.ref}]]"


def parse_links(text: str) -> list[Link]:
    """Every link in ``text``, in order."""
    return [Link(m.group(1), m.group(2).strip(), m.start(), m.end())
            for m in LINK_RE.finditer(text)]


def link_at(text: str, offset: int) -> Link | None:
    """The link covering ``offset`` (its closing brackets included), else the nearest one on
    the same line: the first after ``offset``, else the last before it."""
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    line_end = len(text) if line_end < 0 else line_end
    before: Link | None = None
    for link in parse_links(text):
        if link.start <= offset <= link.end:
            return link
        if offset < link.start <= line_end:
            return link
        if line_start <= link.start and link.end < offset:
            before = link
    return before


def format_link(kind: str, ref: str) -> str:
    """``[[kind:ref]]``; segment and memo ids are shortened to 8 characters."""
    if kind not in LINK_KINDS:
        raise ValueError(f"unknown link kind {kind!r}")
    if kind in ("segment", "memo"):
        ref = ref[:SEGMENT_PREFIX]
    return f"[[{kind}:{ref}]]"


@dataclass(frozen=True)
class Target:
    """What a memo is attached to or links to, resolved against the project."""

    kind: str  # document | code | segment | memo
    id: str
    label: str
    document_id: str | None = None
    start: int = 0
    end: int = 0
    code_id: str | None = None


# -- text helpers ------------------------------------------------------------------------------
def _fold(text: str) -> str:
    """Case- and accent-insensitive form for searching."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def parse_query(query: str) -> list[str]:
    """Search terms: words, or ``"quoted phrases"``; all must match (folded)."""
    terms: list[str] = []
    for match in re.finditer(r'"([^"]*)"|(\S+)', query):
        term = match.group(1) if match.group(1) is not None else match.group(2)
        term = " ".join(term.split())
        if term:
            terms.append(_fold(term))
    return terms


def search_text(haystack: str, terms: Sequence[str]) -> bool:
    """Does the folded ``haystack`` contain every term?"""
    folded = _fold(haystack)
    return all(term in folded for term in terms)


def snippet(text: str, terms: Sequence[str], width: int = 80) -> str:
    """One line of ``text`` around the first match of any term (or its beginning)."""
    flat = " ".join(text.split())
    folded = _fold(flat)
    if len(folded) != len(flat):  # folding changed lengths (ligatures...): no alignment
        folded = flat.lower()
    hits = [folded.find(t) for t in terms if folded.find(t) >= 0]
    at = min(hits) if hits else 0
    start = max(0, at - width // 3)
    piece = flat[start:start + width]
    return ("..." if start else "") + piece + ("..." if start + width < len(flat) else "")


def derive_title(body: str, fallback: str, limit: int = 60) -> str:
    """A title from the body's first non-empty line (Markdown marks stripped), else
    ``fallback``."""
    for line in body.splitlines():
        line = re.sub(r"^\s*(#{1,6}\s+|[-*+>]\s+|\d+[.)]\s+)", "", line)
        line = LINK_RE.sub(lambda m: m.group(2), line)
        line = re.sub(r"[*_`]+", "", line).strip()
        if line:
            return line if len(line) <= limit else line[:limit - 3].rstrip() + "..."
    return fallback


def format_time(stamp: str, with_time: bool = True) -> str:
    """An ISO UTC stamp (``2026-11-24T06:33:36Z``) as local ``2026-11-24 14:33``."""
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def memo_targets(project: Project) -> set[str]:
    """Ids of the documents, codes and segments that have at least one memo (for markers)."""
    return project.memos.targets()


# -- the project as memo tools see it ----------------------------------------------------------
class MemoContext:
    """A read-only view of the project for resolving, filtering and exporting memos.

    Tables are read on first use and cached: build a new context after the project changes.
    """

    def __init__(self, project: Project) -> None:
        self.project = project
        self._texts: dict[str, str] = {}

    # tables ---------------------------------------------------------------------------------
    @cached_property
    def codes(self) -> list[Code]:
        return self.project.codebook.all()

    @cached_property
    def code_by_id(self) -> dict[str, Code]:
        return {c.id: c for c in self.codes}

    @cached_property
    def paths(self) -> dict[str, str]:
        """Code id -> path."""
        out: dict[str, str] = {}
        for code in self.codes:
            names: list[str] = []
            current: Code | None = code
            seen: set[str] = set()
            while current is not None and current.id not in seen:
                seen.add(current.id)
                names.append(current.name)
                current = self.code_by_id.get(current.parent_id or "")
            out[code.id] = "/".join(reversed(names))
        return out

    @cached_property
    def code_order(self) -> dict[str, int]:
        return {c.id: i for i, c in enumerate(self.codes)}

    @cached_property
    def documents(self) -> list[Document]:
        return self.project.documents.all()

    @cached_property
    def document_by_id(self) -> dict[str, Document]:
        return {d.id: d for d in self.documents}

    @cached_property
    def document_order(self) -> dict[str, int]:
        return {d.id: i for i, d in enumerate(self.documents)}

    @cached_property
    def segments(self) -> dict[str, Segment]:
        return {s.id: s for s in self.project.coding.segments()}

    @cached_property
    def memos(self) -> list[Memo]:
        return self.project.memos.all()

    @cached_property
    def memo_by_id(self) -> dict[str, Memo]:
        return {m.id: m for m in self.memos}

    def text_of(self, segment: Segment) -> str:
        """The segment's passage (document texts are read once per context)."""
        text = self._texts.get(segment.document_id)
        if text is None:
            try:
                text = self.project.documents.text(segment.document_id)
            except (OSError, NotFound):
                text = ""
            self._texts[segment.document_id] = text
        return text[segment.start:segment.end]

    def codes_under(self, code_id: str) -> set[str]:
        """``code_id`` and all its sub-codes."""
        children: dict[str | None, list[str]] = {}
        for code in self.codes:
            children.setdefault(code.parent_id, []).append(code.id)
        out, stack = {code_id}, [code_id]
        while stack:
            for child in children.get(stack.pop(), []):
                if child not in out:
                    out.add(child)
                    stack.append(child)
        return out

    # targets --------------------------------------------------------------------------------
    def code_target(self, code_id: str) -> Target | None:
        if code_id not in self.code_by_id:
            return None
        return Target("code", code_id, self.paths[code_id], code_id=code_id)

    def document_target(self, document_id: str) -> Target | None:
        doc = self.document_by_id.get(document_id)
        if doc is None:
            return None
        return Target("document", doc.id, doc.name, document_id=doc.id)

    def segment_target(self, segment_id: str) -> Target | None:
        seg = self.segments.get(segment_id)
        if seg is None:
            return None
        doc = self.document_by_id.get(seg.document_id)
        label = (f"{doc.name if doc else '?'} {seg.start}-{seg.end}"
                 f" {self.paths.get(seg.code_id, '?')}")
        return Target("segment", seg.id, label, document_id=seg.document_id, start=seg.start,
                      end=seg.end, code_id=seg.code_id)

    def memo_target(self, memo_id: str) -> Target | None:
        memo = self.memo_by_id.get(memo_id)
        if memo is None:
            return None
        return Target("memo", memo.id, memo.title)

    def target_of(self, memo: Memo) -> Target | None:
        """What ``memo`` is attached to (None for project memos and journal entries)."""
        if not memo.target_id:
            return None
        return {"document": self.document_target, "code": self.code_target,
                "segment": self.segment_target}.get(memo.kind, lambda _id: None)(memo.target_id)

    def target_by_id(self, record_id: str) -> Target | None:
        """A link target given only its id (any table)."""
        return (self.segment_target(record_id) or self.code_target(record_id)
                or self.document_target(record_id) or self.memo_target(record_id))

    def target_label(self, memo: Memo) -> str:
        target = self.target_of(memo)
        if target is not None:
            return target.label
        return "(missing)" if memo.target_id else ""

    def _by_prefix(self, ids: Iterable[str], ref: str) -> str | None:
        ref = ref.lower()
        matches = [i for i in ids if i.startswith(ref)]
        return matches[0] if len(matches) == 1 and len(ref) >= 4 else None

    def resolve(self, link: Link) -> Target | None:
        """The record ``link`` points at, or None when it names nothing (or is ambiguous)."""
        if link.kind == "code":
            by_path = {p: cid for cid, p in self.paths.items()}
            path = "/".join(part.strip() for part in link.ref.strip("/").split("/"))
            code_id = by_path.get(path)
            if code_id is None:
                folded = {p.casefold(): cid for p, cid in by_path.items()}
                code_id = folded.get(path.casefold())
            return self.code_target(code_id) if code_id else None
        if link.kind == "document":
            docs = self.documents
            doc = (next((d for d in docs if d.name == link.ref), None)
                   or next((d for d in docs if d.name.casefold() == link.ref.casefold()), None)
                   or self.document_by_id.get(link.ref))
            return self.document_target(doc.id) if doc else None
        if link.kind == "segment":
            seg_id = link.ref if link.ref in self.segments else self._by_prefix(self.segments,
                                                                                link.ref)
            return self.segment_target(seg_id) if seg_id else None
        if link.kind == "memo":
            memo_id = (link.ref if link.ref in self.memo_by_id
                       else self._by_prefix(self.memo_by_id, link.ref))
            return self.memo_target(memo_id) if memo_id else None
        return None

    def link_ids(self, body: str) -> list[str]:
        """Ids of the records ``body`` links to, in order, without repeats."""
        out: list[str] = []
        for link in parse_links(body):
            target = self.resolve(link)
            if target is not None and target.id not in out:
                out.append(target.id)
        return out

    def link_refs(self, memo: Memo) -> list[tuple[str, Target | None]]:
        """``(id, target or None)`` of every record the memo links to: its ``links`` field
        (which may name records that no longer exist), then links in the body not in it."""
        out: list[tuple[str, Target | None]] = [(i, self.target_by_id(i)) for i in memo.links]
        seen = set(memo.links)
        for link in parse_links(memo.body):
            target = self.resolve(link)
            if target is not None and target.id not in seen:
                seen.add(target.id)
                out.append((target.id, target))
        return out

    def links_of(self, memo: Memo) -> list[Target]:
        """The existing records the memo links to (field and body)."""
        return [t for _, t in self.link_refs(memo) if t is not None]

    def related_codes(self, memo: Memo) -> set[str]:
        """Codes a memo is about: its code, its segment's code, and codes (or segments) it
        links to."""
        out: set[str] = set()
        for target in [self.target_of(memo), *self.links_of(memo)]:
            if target is not None and target.code_id:
                out.add(target.code_id)
        return out

    # filtering and ordering -----------------------------------------------------------------
    def haystack(self, memo: Memo) -> str:
        return "\n".join((memo.title, memo.body, self.target_label(memo)))

    def filter(self, memos: Iterable[Memo] | None = None, *, kinds: Iterable[str] = (),
               author: str | None = None, code_id: str | None = None,
               query: str = "") -> list[Memo]:
        """Memos of ``kinds`` (all when empty) by ``author`` about ``code_id`` (or a
        sub-code) containing every term of ``query``; in :meth:`ordered` order."""
        wanted = set(kinds)
        codes = self.codes_under(code_id) if code_id else None
        terms = parse_query(query)
        out = [m for m in (self.memos if memos is None else memos)
               if (not wanted or m.kind in wanted)
               and (author is None or m.author == author)
               and (codes is None or self.related_codes(m) & codes)
               and (not terms or search_text(self.haystack(m), terms))]
        return self.ordered(out)

    def sort_key(self, memo: Memo) -> tuple[Any, ...]:
        kind = KINDS.index(memo.kind) if memo.kind in KINDS else len(KINDS)
        target = self.target_of(memo)
        place: tuple[Any, ...] = ()
        if target is not None and target.kind == "code":
            place = (self.code_order.get(target.id, 1 << 30),)
        elif target is not None and target.document_id:
            place = (self.document_order.get(target.document_id, 1 << 30), target.start,
                     target.end)
        return (kind, place, memo.created_at, memo.title.casefold(), memo.id)

    def ordered(self, memos: Iterable[Memo]) -> list[Memo]:
        """Grouped by kind (project, journal, document, code, segment); journal entries
        chronologically, attached memos in document or codebook order."""
        return sorted(memos, key=self.sort_key)

    def authors(self) -> list[str]:
        return sorted({m.author for m in self.memos})

    # output -------------------------------------------------------------------------------------
    def target_json(self, target: Target | None) -> dict[str, Any] | None:
        if target is None:
            return None
        out: dict[str, Any] = {"type": target.kind, "id": target.id, "label": target.label}
        if target.kind in ("document", "segment") and target.document_id:
            doc = self.document_by_id.get(target.document_id)
            out["document"] = doc.name if doc else None
            out["document_id"] = target.document_id
        if target.kind in ("code", "segment") and target.code_id:
            out["code"] = self.paths.get(target.code_id)
            out["code_id"] = target.code_id
        if target.kind == "segment":
            seg = self.segments[target.id]
            out.update(start=seg.start, end=seg.end, text=self.text_of(seg))
        return out

    def memo_json(self, memo: Memo) -> dict[str, Any]:
        """The JSON shape of ``qualtui memos list --json`` (see ``docs/memos.md``)."""
        links = [{"type": target.kind if target else None, "id": record_id,
                  "label": target.label if target else None}
                 for record_id, target in self.link_refs(memo)]
        return {
            "id": memo.id, "kind": memo.kind, "title": memo.title, "author": memo.author,
            "created_at": memo.created_at, "modified_at": memo.modified_at,
            "target": (self.target_json(self.target_of(memo)) if memo.target_id else None),
            "links": links,
            "codes": sorted(self.paths[c] for c in self.related_codes(memo) if c in self.paths),
            "body": memo.body,
        }


# -- Markdown export ---------------------------------------------------------------------------
def _demote_headings(body: str, levels: int = 3) -> str:
    """Push the body's ATX headings down so they nest under the memo's own heading."""
    out: list[str] = []
    fence: str | None = None
    for line in body.splitlines():
        stripped = line.lstrip()
        marker = stripped[:3]
        if marker in ("```", "~~~"):
            fence = None if fence == marker else (fence or marker)
        elif fence is None:
            match = re.match(r"^(\s{0,3})(#{1,6})(\s|$)", line)
            if match:
                depth = min(6, len(match.group(2)) + levels)
                line = match.group(1) + "#" * depth + line[match.end(2):]
        out.append(line)
    return "\n".join(out)


def _quote(text: str) -> str:
    lines = text.strip("\n").splitlines() or [""]
    return "\n".join(f"> {line}".rstrip() for line in lines)


def _readable_links(ctx: MemoContext, body: str) -> str:
    """Link syntax replaced by what it names (``*Benefits/Transparency*``)."""

    def label(match: re.Match[str]) -> str:
        target = ctx.resolve(Link(match.group(1), match.group(2).strip(), 0, 0))
        if target is None:
            return match.group(0)
        return f"*{target.label}*" if target.kind != "memo" else f"*\"{target.label}\"*"

    return LINK_RE.sub(label, body)


def memo_markdown(ctx: MemoContext, memo: Memo, level: int = 3) -> str:
    """One memo as Markdown: a heading naming its target, author and dates, the quoted
    passage of a segment memo, the body, and the passages of the segments it links to."""
    target = ctx.target_of(memo)
    heading = memo.title
    if memo.kind == "journal":
        heading = f"{format_time(memo.created_at, with_time=False)} - {memo.title}"
    elif target is not None:
        heading = f"{target.label} - {memo.title}"
    lines = [f"{'#' * level} {heading}", ""]
    meta = f"*{memo.author}, {format_time(memo.created_at)}"
    if memo.modified_at and memo.modified_at != memo.created_at:
        meta += f", edited {format_time(memo.modified_at)}"
    lines += [meta + "*", ""]
    if target is not None and target.kind == "segment":
        lines += [_quote(ctx.text_of(ctx.segments[target.id])), ""]
    elif memo.target_id and target is None:
        lines += [f"*(its {memo.kind} no longer exists)*", ""]
    body = _readable_links(ctx, _demote_headings(memo.body.strip(), level))
    if body:
        lines += [body, ""]
    for link in ctx.links_of(memo):
        if link.kind == "segment" and (target is None or link.id != target.id):
            lines += [f"Linked passage, {link.label}:", "",
                      _quote(ctx.text_of(ctx.segments[link.id])), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def export_markdown(ctx: MemoContext, memos: Iterable[Memo], title: str = "") -> str:
    """One Markdown document: memos grouped by kind, each with its target, author and dates;
    segment memos quote their passage and linked segments are quoted under the memo."""
    ordered = ctx.ordered(memos)
    lines = [f"# Memos{': ' + title if title else ''}", "",
             f"{len(ordered)} memo{'s' if len(ordered) != 1 else ''}, exported"
             f" {format_time(now_iso())}.", ""]
    current_kind = None
    for memo in ordered:
        if memo.kind != current_kind:
            current_kind = memo.kind
            count = sum(1 for m in ordered if m.kind == memo.kind)
            lines += [f"## {KIND_TITLES.get(memo.kind, memo.kind)} ({count})", ""]
        lines += [memo_markdown(ctx, memo, 3)]
    return "\n".join(lines).rstrip("\n") + "\n"


# -- autosave ----------------------------------------------------------------------------------
def merge_links(old_links: Sequence[str], old_body_ids: Sequence[str],
                new_body_ids: Sequence[str]) -> list[str]:
    """The new ``links`` field: ids linked from the new body, then the old links that did not
    come from the old body (imported links survive edits; removed body links go)."""
    kept = [i for i in old_links if i not in old_body_ids and i not in new_body_ids]
    return [*new_body_ids, *kept]


@dataclass(frozen=True)
class SaveResult:
    """What :meth:`MemoWriter.save` did."""

    memo: Memo | None
    written: bool = False
    created: bool = False
    amended: bool = False
    overwrote: str | None = None  # coder whose concurrent change this save replaced
    recreated: bool = False  # the memo had been deleted; the text was saved as a new one


class MemoWriter:
    """Saves the edits of one memo (creating it on the first save when it is new).

    Each :meth:`save` is one transaction (one fsynced commit). A save that follows this
    writer's previous save within ``gap`` seconds, with no other operation logged in
    between, amends that save's log entry instead of adding one: the burst stays one undo
    step ("undo" restores the memo as it was before the burst).
    """

    def __init__(self, project: Project, memo: Memo | None = None, *, kind: str = "journal",
                 target_id: str | None = None, gap: float = BURST_GAP,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.project = project
        self.memo = memo
        self.kind = memo.kind if memo else kind
        self.target_id = memo.target_id if memo else target_id
        self.gap = gap
        self.clock = clock
        self._entry_id: str | None = None
        self._last_save = float("-inf")
        self._base: dict[str, Any] | None = to_dict(memo) if memo else None

    @property
    def repo(self) -> Any:
        return self.project.repo

    def end_burst(self) -> None:
        """The next save starts a new log entry."""
        self._entry_id = None

    def _body_ids(self, body: str) -> list[str]:
        return MemoContext(self.project).link_ids(body) if parse_links(body) else []

    def save(self, title: str, body: str) -> SaveResult:
        """Write ``title`` and ``body`` now (links follow the body)."""
        title = title.strip() or "Memo"
        with self.repo.transaction():
            if self.memo is None:
                return self._create(title, body, recreated=False)
            row = self.repo.get("memos", self.memo.id)
            if row is None:
                return self._create(title, body, recreated=True)
            current = dict(row)
            if current.get("title") == title and current.get("body") == body:
                self.memo = _memo(current)
                self._base = current
                return SaveResult(self.memo)
            overwrote = None
            if self._base is not None and (current.get("title"), current.get("body")) != (
                    self._base.get("title"), self._base.get("body")):
                overwrote = self._last_writer(self.memo.id)
            old_ids = self._body_ids(str(current.get("body", "")))
            links = merge_links(current.get("links") or [], old_ids, self._body_ids(body))
            new = current | {"title": title, "body": body, "links": links,
                             "modified_at": now_iso()}
            entry = self._amendable(current)
            if entry is not None:
                self._amend(entry, new)
                amended = True
            else:
                self.project.memos.edit(self.memo.id, title=title, body=body, links=links)
                self._remember_entry()
                amended = False
            stored = self.repo.get("memos", self.memo.id)
            self._base = dict(stored) if stored is not None else new
        self._last_save = self.clock()
        self.memo = _memo(self._base)
        return SaveResult(self.memo, written=True, amended=amended, overwrote=overwrote)

    def _create(self, title: str, body: str, recreated: bool) -> SaveResult:
        target = self.target_id
        kind = self.kind
        if recreated and kind in ("document", "code", "segment"):
            table = {"document": "documents", "code": "codes", "segment": "segments"}[kind]
            if self.repo.get(table, target or "") is None:  # its target went too
                kind, target = "project", None
        memo = self.project.memos.create(kind, target, title, body,
                                         links=self._body_ids(body))
        self._remember_entry()
        self._last_save = self.clock()
        self.memo = memo
        self.kind, self.target_id = memo.kind, memo.target_id
        self._base = to_dict(memo)
        return SaveResult(memo, written=True, created=True, recreated=recreated)

    def _remember_entry(self) -> None:
        seq = int(self.repo.get_meta("next_seq", 1)) - 1
        row = next((r for r in self.repo.all("log") if r.get("seq") == seq), None)
        self._entry_id = row["id"] if row is not None else None

    def _amendable(self, current: dict[str, Any]) -> dict[str, Any] | None:
        if self._entry_id is None or self.clock() - self._last_save > self.gap:
            return None
        entry = self.repo.get("log", self._entry_id)
        if entry is None or entry.get("undone") or entry.get("coder") != self.project.coder:
            return None
        if entry.get("seq") != int(self.repo.get_meta("next_seq", 1)) - 1:
            return None  # something else was logged since
        if entry.get("op") not in ("memo.create", "memo.edit"):
            return None
        changes = decode_changes(entry)
        if (len(changes) != 1 or changes[0].get("table") != "memos"
                or changes[0].get("id") != current["id"] or changes[0].get("after") != current):
            return None
        return dict(entry)

    def _amend(self, row: dict[str, Any], new: dict[str, Any]) -> None:
        entry = entry_from_row(row)
        before = entry.changes[0]["before"]
        entry.at = now_iso()
        entry.summary = (f"wrote {new['kind']} memo '{new['title']}'"
                         if entry.op == "memo.create" else f"edited memo '{new['title']}'")
        entry.changes = [{"table": "memos", "id": new["id"], "before": before,
                          "after": dict(new)}]
        self.repo.replace("memos", new)
        self.repo.replace("log", encode_entry(entry))

    def _last_writer(self, memo_id: str) -> str:
        rows = sorted(self.repo.all("log"), key=lambda r: r.get("seq", 0), reverse=True)
        for row in rows:
            raw = row.get("changes_json")
            if isinstance(raw, str) and memo_id not in raw:
                continue  # cheap pre-filter before decoding
            if any(c.get("table") == "memos" and c.get("id") == memo_id
                   for c in decode_changes(row)):
                return str(row.get("coder", "someone"))
        return "someone"


def _memo(row: dict[str, Any]) -> Memo:
    return from_dict(Memo, row)
