"""Guidelines: the study's recommendations, each traceable to the coded evidence behind it.

A guideline document has **sections** (table ``guideline_sections``), ordered by
``position``; :data:`TEMPLATE` holds the sections of published public-sector social-media
guidelines (US, Canada, Australia, South Africa) that ``qualtui guidelines template`` adds.
A **guideline** (table ``guidelines``) belongs to one section and has a title, a statement
(the recommendation, Markdown), a rationale, what it *addresses* (a benefit to pursue or a
risk to mitigate, optionally tied to a code), linked codes, evidence (chosen segments, some
marked as counter-evidence, up to three marked for the report), priority, status, author
and a short history of its changes. Its **number** ("3.2") is derived from the order of the
sections and of the guidelines in a section, so reordering renumbers.

Derived figures (never stored) come from an :class:`EvidenceIndex` over the project:

* support ``n of N respondents``: the distinct respondents (cases; a document without a
  case is its own respondent) among the guideline's supporting evidence, and among all
  segments of its linked codes and their sub-codes; counter-evidence counts apart;
* coverage for a threshold ``k``: codable codes whose own segments come from at least
  ``k`` respondents while no guideline links or addresses them (nor an ancestor of them),
  and guidelines whose supporting evidence comes from fewer than ``k`` respondents.

Every change is one entry of the operation log (audited, undoable like the rest of the
project). No Textual or click here: the CLI, the TUI screen and the report share this module.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml

from qualtui.core.codetree import descendants
from qualtui.core.errors import Conflict, NotFound, QualtuiError
from qualtui.core.models import Segment, new_id, now_iso

if TYPE_CHECKING:
    from qualtui.core.project import Project

__all__ = [
    "ADDRESS_KINDS",
    "DEFAULT_K",
    "PRIORITIES",
    "SECTIONS_TABLE",
    "STATUSES",
    "TABLE",
    "TEMPLATE",
    "Address",
    "Candidate",
    "CodeGap",
    "Coverage",
    "Evidence",
    "EvidenceIndex",
    "Guideline",
    "GuidelineService",
    "HistoryEntry",
    "Section",
    "Support",
    "TemplateSection",
    "WeakGuideline",
    "parse_spec",
]

TABLE = "guidelines"
SECTIONS_TABLE = "guideline_sections"
PRIORITIES = ("high", "medium", "low")
STATUSES = ("draft", "reviewed", "final")
ADDRESS_KINDS = ("benefit", "risk")
DEFAULT_K = 3
"""Default coverage threshold: a theme raised by at least three respondents."""
MAX_QUOTES = 3
"""At most this many evidence items are marked as the guideline's quotes in the report."""
ROLE_ATTRIBUTES = ("role", "position", "job title")
"""Case attributes read as a respondent's role, first present wins (case-insensitive)."""


# --------------------------------------------------------------------------- template
@dataclass(frozen=True)
class TemplateSection:
    """One section of the built-in guideline template."""

    key: str
    title: str
    description: str


TEMPLATE: tuple[TemplateSection, ...] = (
    TemplateSection(
        "purpose", "Purpose and scope",
        "Why the agency uses social media, which accounts, platforms, staff and uses the"
        " guideline covers (official accounts, and officers' personal use where it touches"
        " official duties), and how it relates to the law and to existing circulars."),
    TemplateSection(
        "governance", "Governance, roles and approval",
        "Who owns social media in the agency, who may publish and who approves what, how"
        " sensitive matters are escalated, and how a national framework and agency procedures"
        " fit together."),
    TemplateSection(
        "accounts", "Account management",
        "Registering, naming, verifying, handing over and closing official accounts;"
        " administrators, official e-mail addresses and vendors' access."),
    TemplateSection(
        "content", "Content and accuracy",
        "What official accounts publish, in which languages and tone, how facts are checked"
        " before posting and how errors are corrected; conduct in election periods."),
    TemplateSection(
        "engagement", "Engagement and moderation",
        "Responding to the public: response times, complaints and enquiries, the published"
        " comment and moderation policy, after-hours cover and escalation."),
    TemplateSection(
        "records", "Records management",
        "Social media content as public records: what is a record, how and how often it is"
        " captured, retention and disposal under the records and archives law."),
    TemplateSection(
        "privacy", "Privacy",
        "Personal information in posts, comments and messages: privacy notices, what may be"
        " asked for and shown, takedown of personal data, and vendors' handling of data."),
    TemplateSection(
        "security", "Security",
        "Protecting accounts, devices and integrations: authentication, access reviews,"
        " secrets, impersonation and the response to a compromised account."),
    TemplateSection(
        "training", "Staff training and capacity",
        "Training before access and at intervals, staffing and resourcing of the social"
        " media function, documentation and succession."),
    TemplateSection(
        "monitoring", "Monitoring and evaluation",
        "Measuring what matters (resolution, response times, incidents), validating"
        " analytics, auditing accounts, and reviewing the guideline itself."),
)


# --------------------------------------------------------------------------- records
@dataclass
class Section:
    """A section of the guideline document; ``position`` orders the sections."""

    id: str
    title: str
    position: int = 0
    description: str = ""
    created_at: str = ""
    created_by: str = ""


@dataclass
class Address:
    """What a guideline addresses: a ``benefit`` to pursue or a ``risk`` to mitigate, in
    words, optionally tied to the code that names it."""

    kind: str
    text: str
    code_id: str | None = None


@dataclass
class Evidence:
    """A segment chosen as evidence; ``counter`` marks contradicting evidence, ``quote``
    one of the (at most three) quotes shown in the report."""

    segment_id: str
    counter: bool = False
    quote: bool = False
    note: str = ""
    added_by: str = ""
    added_at: str = ""


@dataclass
class HistoryEntry:
    """One change of a guideline, newest last (the operation log keeps the full detail)."""

    at: str
    coder: str
    change: str


@dataclass
class Guideline:
    """A recommendation. ``number`` is derived (section order, then position), not stored."""

    id: str
    section_id: str
    title: str
    position: int = 0
    statement: str = ""
    rationale: str = ""
    addresses: list[Address] = field(default_factory=list)
    code_ids: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    priority: str = "medium"
    status: str = "draft"
    author: str = ""
    created_at: str = ""
    modified_at: str = ""
    history: list[HistoryEntry] = field(default_factory=list)
    number: str = field(default="", compare=False)

    def evidence_for(self, segment_id: str) -> Evidence | None:
        return next((e for e in self.evidence if e.segment_id == segment_id), None)

    @property
    def supporting(self) -> list[Evidence]:
        return [e for e in self.evidence if not e.counter]

    @property
    def contradicting(self) -> list[Evidence]:
        return [e for e in self.evidence if e.counter]


def _section(row: dict[str, Any]) -> Section:
    return Section(id=row["id"], title=row.get("title", ""), position=int(row.get("position", 0)),
                   description=row.get("description", ""), created_at=row.get("created_at", ""),
                   created_by=row.get("created_by", ""))


def _guideline(row: dict[str, Any]) -> Guideline:
    return Guideline(
        id=row["id"], section_id=row.get("section_id", ""), title=row.get("title", ""),
        position=int(row.get("position", 0)), statement=row.get("statement", ""),
        rationale=row.get("rationale", ""),
        addresses=[Address(a.get("kind", "risk"), a.get("text", ""), a.get("code_id"))
                   for a in row.get("addresses", [])],
        code_ids=list(row.get("code_ids", [])),
        evidence=[Evidence(e["segment_id"], bool(e.get("counter", False)),
                           bool(e.get("quote", False)), e.get("note", ""),
                           e.get("added_by", ""), e.get("added_at", ""))
                  for e in row.get("evidence", [])],
        priority=row.get("priority", "medium"), status=row.get("status", "draft"),
        author=row.get("author", ""), created_at=row.get("created_at", ""),
        modified_at=row.get("modified_at", ""),
        history=[HistoryEntry(h.get("at", ""), h.get("coder", ""), h.get("change", ""))
                 for h in row.get("history", [])])


def _record(item: Section | Guideline) -> dict[str, Any]:
    data = dataclasses.asdict(item)
    data.pop("number", None)
    return data


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- derived figures
@dataclass(frozen=True)
class Support:
    """Distinct respondents behind a guideline, out of ``total`` respondents."""

    evidence: int
    codes: int
    counter: int
    total: int
    segments: int = 0

    def label(self) -> str:
        """``"5 of 12 respondents"`` (supporting evidence)."""
        return f"{self.evidence} of {self.total} respondents"

    def codes_label(self) -> str:
        return f"{self.codes} of {self.total} respondents"

    def as_json(self) -> dict[str, int]:
        return {"evidence": self.evidence, "codes": self.codes, "counter": self.counter,
                "total": self.total, "segments": self.segments}


@dataclass(frozen=True)
class Candidate:
    """A passage offered as evidence: a segment of a linked code (or chosen evidence).

    The same passage coded twice (two coders, or two linked codes) is one candidate;
    ``segment_id`` is the chosen segment when one of them is evidence, else the first.
    """

    segment_id: str
    document: str
    document_id: str
    start: int
    end: int
    respondent: str
    role: str
    codes: tuple[str, ...]
    text: str
    chosen: bool = False
    counter: bool = False
    quote: bool = False


@dataclass(frozen=True)
class CodeGap:
    """A code backed by ``respondents`` respondents that no guideline addresses yet."""

    code_id: str
    path: str
    respondents: int
    segments: int


@dataclass(frozen=True)
class WeakGuideline:
    """A guideline whose supporting evidence comes from fewer than ``k`` respondents."""

    guideline_id: str
    number: str
    title: str
    support: Support


@dataclass
class Coverage:
    """Gaps (codes to write about) and weak guidelines for the threshold ``k``."""

    k: int
    total: int
    gaps: list[CodeGap] = field(default_factory=list)
    weak: list[WeakGuideline] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"k": self.k, "respondents": self.total,
                "gaps": [{"code": g.path, "respondents": g.respondents, "segments": g.segments}
                         for g in self.gaps],
                "weak": [{"number": w.number, "title": w.title, "id": w.guideline_id,
                          "support": w.support.as_json()} for w in self.weak]}


def role_of(attributes: dict[str, Any]) -> str:
    """A respondent's role from the case attributes (see :data:`ROLE_ATTRIBUTES`)."""
    folded = {str(k).casefold(): v for k, v in attributes.items()}
    for name in ROLE_ATTRIBUTES:
        value = folded.get(name)
        if value not in (None, ""):
            return str(value)
    return ""


class EvidenceIndex:
    """A read-only view of segments, respondents and codes for support and coverage.

    Built once per screen refresh or report; reads the store, never writes.
    """

    def __init__(self, project: Project) -> None:
        self.project = project
        codes = project.codebook.all()
        self.codes = {c.id: c for c in codes}
        self.code_order = [c.id for c in codes]
        self.paths = {c.id: project.codebook.path_of(c) for c in codes}
        self.children: dict[str | None, list[str]] = {}
        for code in codes:
            self.children.setdefault(code.parent_id, []).append(code.id)
        cases = {c.id: c for c in project.cases.all()}
        self.documents = project.documents.all()
        self.doc_names = {d.id: d.name for d in self.documents}
        self.doc_position = {d.id: i for i, d in enumerate(self.documents)}
        self.respondent_of_doc: dict[str, str] = {}
        self.roles: dict[str, str] = {}
        self.attributes: dict[str, dict[str, Any]] = {}
        for doc in self.documents:
            case = cases.get(doc.case_id or "")
            name = case.name if case else doc.name
            attrs = {**(case.attributes if case else {}), **doc.attributes}
            self.respondent_of_doc[doc.id] = name
            self.attributes.setdefault(name, attrs)
            self.roles.setdefault(name, role_of(attrs))
        self.respondents: list[str] = list(dict.fromkeys(self.respondent_of_doc.values()))
        self.segments = {s.id: s for s in project.coding.segments()
                         if s.document_id in self.doc_names}
        self.by_code: dict[str, list[Segment]] = {}
        for seg in self.segments.values():
            self.by_code.setdefault(seg.code_id, []).append(seg)

    @property
    def total(self) -> int:
        """N: every respondent of the project, coded or not."""
        return len(self.respondents)

    def subtree(self, code_id: str) -> set[str]:
        return {code_id, *descendants(self.children, code_id)}

    def ancestors(self, code_id: str) -> list[str]:
        out: list[str] = []
        current = self.codes.get(code_id)
        while current is not None and current.parent_id and current.parent_id not in out:
            out.append(current.parent_id)
            current = self.codes.get(current.parent_id)
        return out

    def segments_of(self, code_ids: Iterable[str]) -> list[Segment]:
        """Segments of the codes and their sub-codes, in document then text order."""
        wanted: set[str] = set()
        for code_id in code_ids:
            wanted |= self.subtree(code_id)
        out = [s for cid in wanted for s in self.by_code.get(cid, [])]
        out.sort(key=lambda s: (self.doc_position.get(s.document_id, 0), s.start, s.end,
                                s.coder, s.code_id))
        return out

    def respondent(self, segment: Segment) -> str:
        return self.respondent_of_doc.get(segment.document_id, "")

    def text(self, segment: Segment) -> str:
        return self.project.documents.text(segment.document_id)[segment.start:segment.end]

    def _respondents(self, segments: Iterable[Segment]) -> set[str]:
        return {self.respondent(s) for s in segments}

    def support(self, guideline: Guideline) -> Support:
        supporting = [self.segments[e.segment_id] for e in guideline.evidence
                      if not e.counter and e.segment_id in self.segments]
        counter = [self.segments[e.segment_id] for e in guideline.evidence
                   if e.counter and e.segment_id in self.segments]
        linked = self.segments_of(c for c in guideline.code_ids if c in self.codes)
        return Support(evidence=len(self._respondents(supporting)),
                       codes=len(self._respondents(linked)),
                       counter=len(self._respondents(counter)), total=self.total,
                       segments=len(supporting))

    def candidates(self, guideline: Guideline) -> list[Candidate]:
        """Passages of the linked codes, plus chosen evidence from other codes."""
        segments = self.segments_of(c for c in guideline.code_ids if c in self.codes)
        known = {s.id for s in segments}
        segments.extend(self.segments[e.segment_id] for e in guideline.evidence
                        if e.segment_id in self.segments and e.segment_id not in known)
        groups: dict[tuple[str, int, int], list[Segment]] = {}
        for seg in segments:
            groups.setdefault((seg.document_id, seg.start, seg.end), []).append(seg)
        chosen = {e.segment_id: e for e in guideline.evidence}
        out: list[Candidate] = []
        for (doc_id, start, end), group in groups.items():
            picked = next((s for s in group if s.id in chosen), group[0])
            evidence = chosen.get(picked.id)
            respondent = self.respondent(picked)
            codes = tuple(dict.fromkeys(self.paths.get(s.code_id, "?") for s in group))
            out.append(Candidate(
                segment_id=picked.id, document=self.doc_names.get(doc_id, "?"),
                document_id=doc_id, start=start, end=end, respondent=respondent,
                role=self.roles.get(respondent, ""), codes=codes, text=self.text(picked),
                chosen=evidence is not None, counter=bool(evidence and evidence.counter),
                quote=bool(evidence and evidence.quote)))
        out.sort(key=lambda c: (self.doc_position.get(c.document_id, 0), c.start, c.end))
        return out

    def coverage(self, guidelines: Sequence[Guideline], k: int) -> Coverage:
        if k < 1:
            raise QualtuiError("k must be at least 1")
        addressed: set[str] = set()
        for guideline in guidelines:
            addressed.update(guideline.code_ids)
            addressed.update(a.code_id for a in guideline.addresses if a.code_id)
        gaps: list[CodeGap] = []
        for code_id in self.code_order:
            code = self.codes[code_id]
            if not code.codable:
                continue
            if code_id in addressed or any(a in addressed for a in self.ancestors(code_id)):
                continue
            segments = self.by_code.get(code_id, [])  # own segments: sub-codes count apart
            respondents = len(self._respondents(segments))
            if respondents >= k:
                gaps.append(CodeGap(code_id, self.paths[code_id], respondents, len(segments)))
        gaps.sort(key=lambda g: (-g.respondents, g.path.casefold()))
        weak = []
        for guideline in guidelines:
            support = self.support(guideline)
            if support.evidence < k:
                weak.append(WeakGuideline(guideline.id, guideline.number, guideline.title,
                                          support))
        return Coverage(k=k, total=self.total, gaps=gaps, weak=weak)


# --------------------------------------------------------------------------- service
_NUMBER = re.compile(r"^\s*(\d+)(?:\.(\d+))?\s*$")
EDITABLE = ("title", "statement", "rationale", "priority", "status", "addresses", "code_ids")


class GuidelineService:
    """Sections and guidelines of a project: reading, numbering, logged changes."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.repo = project.repo
        self.log = project.log

    # -- reading -------------------------------------------------------------------------
    def sections(self) -> list[Section]:
        rows = [_section(r) for r in self.repo.all(SECTIONS_TABLE)]
        rows.sort(key=lambda s: (s.position, s.title.casefold(), s.id))
        return rows

    def guidelines(self, section_id: str | None = None) -> list[Guideline]:
        """Guidelines in document order, numbered; ``section_id`` keeps one section's."""
        sections = self.sections()
        by_section: dict[str, list[Guideline]] = {}
        for row in self.repo.all(TABLE):
            guideline = _guideline(row)
            by_section.setdefault(guideline.section_id, []).append(guideline)
        out: list[Guideline] = []
        known = {s.id for s in sections}
        for index, section in enumerate(sections, start=1):
            items = sorted(by_section.get(section.id, []),
                           key=lambda g: (g.position, g.created_at, g.id))
            for n, guideline in enumerate(items, start=1):
                guideline.number = f"{index}.{n}"
                out.append(guideline)
        orphans = [g for sid, items in by_section.items() if sid not in known for g in items]
        for n, guideline in enumerate(sorted(orphans, key=lambda g: (g.position, g.id)), 1):
            guideline.number = f"?.{n}"
            out.append(guideline)
        if section_id is not None:
            out = [g for g in out if g.section_id == section_id]
        return out

    def section_number(self, section_id: str) -> int:
        for index, section in enumerate(self.sections(), start=1):
            if section.id == section_id:
                return index
        return 0

    def get(self, ref: str) -> Guideline:
        """A guideline by id, number ("3.2") or unique id prefix (6+ characters)."""
        items = self.guidelines()
        ref = ref.strip()
        for guideline in items:
            if guideline.id == ref or guideline.number == ref:
                return guideline
        if len(ref) >= 6:
            matches = [g for g in items if g.id.startswith(ref)]
            if len(matches) == 1:
                return matches[0]
        folded = ref.casefold()
        matches = [g for g in items if g.title.casefold() == folded]
        if len(matches) == 1:
            return matches[0]
        raise NotFound(f"no guideline '{ref}' (use its number, e.g. 3.2, or its id;"
                       " 'qualtui guidelines list' shows them)")

    def section(self, ref: str) -> Section:
        """A section by id, number ("3"), title (case-insensitive) or unique id prefix."""
        sections = self.sections()
        ref = ref.strip()
        match = _NUMBER.match(ref)
        if match and match.group(2) is None:
            index = int(match.group(1))
            if 1 <= index <= len(sections):
                return sections[index - 1]
        for section in sections:
            if section.id == ref or section.title.casefold() == ref.casefold():
                return section
        if len(ref) >= 6:
            matches = [s for s in sections if s.id.startswith(ref)]
            if len(matches) == 1:
                return matches[0]
        names = "; ".join(f"{i} {s.title}" for i, s in enumerate(sections, 1)) or "none yet"
        raise NotFound(f"no section '{ref}' (sections: {names})")

    def index(self) -> EvidenceIndex:
        return EvidenceIndex(self.project)

    def coverage(self, k: int = DEFAULT_K, index: EvidenceIndex | None = None) -> Coverage:
        return (index or self.index()).coverage(self.guidelines(), k)

    def _load(self, guideline_id: str) -> Guideline:
        row = self.repo.get(TABLE, guideline_id)
        if row is None:
            raise NotFound(f"no guideline with id {guideline_id}")
        guideline = _guideline(row)
        guideline.number = next((g.number for g in self.guidelines() if g.id == guideline_id),
                                "?")
        return guideline

    def _load_section(self, section_id: str) -> Section:
        row = self.repo.get(SECTIONS_TABLE, section_id)
        if row is None:
            raise NotFound(f"no section with id {section_id}")
        return _section(row)

    # -- validation --------------------------------------------------------------------------
    def _check_code(self, code_id: str) -> None:
        if self.repo.get("codes", code_id) is None:
            raise NotFound(f"no code with id {code_id}")

    def _check_segment(self, segment_id: str) -> Segment:
        return self.project.coding.get(segment_id)

    @staticmethod
    def _check_title(title: str, what: str = "guideline") -> str:
        title = _one_line(title)
        if not title:
            raise QualtuiError(f"a {what} needs a title")
        return title

    def _validate(self, values: dict[str, Any]) -> dict[str, Any]:
        unknown = set(values) - set(EDITABLE)
        if unknown:
            raise QualtuiError(f"unknown guideline field(s): {', '.join(sorted(unknown))}"
                               f" (editable: {', '.join(EDITABLE)})")
        out = dict(values)
        if "title" in out:
            out["title"] = self._check_title(out["title"])
        if "priority" in out and out["priority"] not in PRIORITIES:
            raise QualtuiError(f"unknown priority '{out['priority']}'"
                               f" (use {', '.join(PRIORITIES)})")
        if "status" in out and out["status"] not in STATUSES:
            raise QualtuiError(f"unknown status '{out['status']}' (use {', '.join(STATUSES)})")
        if "addresses" in out:
            addresses = []
            for item in out["addresses"]:
                address = item if isinstance(item, Address) else Address(**item)
                if address.kind not in ADDRESS_KINDS:
                    raise QualtuiError(f"'{address.kind}': a guideline addresses a benefit or"
                                       " a risk")
                if not address.text.strip():
                    raise QualtuiError(f"describe the {address.kind} the guideline addresses")
                if address.code_id:
                    self._check_code(address.code_id)
                addresses.append(Address(address.kind, _one_line(address.text),
                                         address.code_id))
            out["addresses"] = addresses
        if "code_ids" in out:
            for code_id in out["code_ids"]:
                self._check_code(code_id)
            out["code_ids"] = list(dict.fromkeys(out["code_ids"]))
        for key in ("statement", "rationale"):
            if key in out:
                out[key] = str(out[key]).strip("\n")
        return out

    def _stamp(self, guideline: Guideline, coder: str, change: str) -> None:
        stamp = now_iso()
        guideline.modified_at = stamp
        guideline.history.append(HistoryEntry(stamp, coder, change))

    def _label(self, guideline: Guideline) -> str:
        return f"guideline {guideline.number} '{guideline.title[:40]}'"

    def _segment_label(self, segment: Segment) -> str:
        doc = self.repo.get("documents", segment.document_id)
        return (f"{doc['name'] if doc else '?'} {segment.start}-{segment.end}"
                f" ({self.project.codebook.path_of(segment.code_id)})")

    # -- sections --------------------------------------------------------------------------
    def add_section(self, title: str, description: str = "",
                    position: int | None = None) -> Section:
        """Add a section (last, or at 1-based ``position``)."""
        title = self._check_title(title, "section")
        sections = self.sections()
        if any(s.title.casefold() == title.casefold() for s in sections):
            raise Conflict(f"a section named '{title}' already exists")
        section = Section(id=new_id(), title=title, description=description.strip(),
                          created_at=now_iso(), created_by=self.log.coder)
        index = len(sections) if position is None else max(0, min(position - 1, len(sections)))
        sections.insert(index, section)
        with self.log.operation("guideline.section.add", f"added guideline section {title}"
                                ) as op:
            for pos, item in enumerate(sections):
                if item.id == section.id:
                    item.position = pos
                    op.insert(SECTIONS_TABLE, _record(item))
                elif item.position != pos:
                    item.position = pos
                    op.update(SECTIONS_TABLE, _record(item))
        return section

    def add_template(self) -> list[Section]:
        """Add the :data:`TEMPLATE` sections missing from the project (by title), in order."""
        existing = {s.title.casefold() for s in self.sections()}
        missing = [t for t in TEMPLATE if t.title.casefold() not in existing]
        if not missing:
            return []
        start = len(self.sections())
        added: list[Section] = []
        stamp = now_iso()
        with self.log.operation("guideline.template",
                                f"added {len(missing)} guideline template sections") as op:
            for offset, item in enumerate(missing):
                section = Section(id=new_id(), title=item.title, position=start + offset,
                                  description=item.description, created_at=stamp,
                                  created_by=op.coder)
                op.insert(SECTIONS_TABLE, _record(section))
                added.append(section)
        return added

    def update_section(self, section_id: str, *, title: str | None = None,
                       description: str | None = None) -> Section:
        section = self._load_section(section_id)
        old = section.title
        if title is not None:
            title = self._check_title(title, "section")
            if any(s.title.casefold() == title.casefold() and s.id != section_id
                   for s in self.sections()):
                raise Conflict(f"a section named '{title}' already exists")
            section.title = title
        if description is not None:
            section.description = description.strip()
        summary = (f"renamed guideline section {old} to {section.title}"
                   if section.title != old else f"edited guideline section {old}")
        with self.log.operation("guideline.section.edit", summary) as op:
            op.update(SECTIONS_TABLE, _record(section))
        return section

    def move_section(self, section_id: str, position: int) -> Section:
        """Move a section to 1-based ``position`` (clamped); renumbers its guidelines."""
        sections = self.sections()
        section = next((s for s in sections if s.id == section_id), None)
        if section is None:
            raise NotFound(f"no section with id {section_id}")
        sections.remove(section)
        sections.insert(max(0, min(position - 1, len(sections))), section)
        with self.log.operation("guideline.section.move",
                                f"moved guideline section {section.title}") as op:
            for pos, item in enumerate(sections):
                if item.position != pos:
                    item.position = pos
                    op.update(SECTIONS_TABLE, _record(item))
        return section

    def delete_section(self, section_id: str, force: bool = False) -> int:
        """Delete a section; with guidelines in it only when ``force`` (they go too).

        Returns the number of guidelines deleted.
        """
        section = self._load_section(section_id)
        inside = [r for r in self.repo.all(TABLE) if r.get("section_id") == section_id]
        if inside and not force:
            raise Conflict(f"section '{section.title}' holds {len(inside)} guideline(s):"
                           " move them first, or delete them with the section")
        with self.log.operation("guideline.section.delete",
                                f"deleted guideline section {section.title}") as op:
            for row in inside:
                op.delete(TABLE, row["id"])
            op.delete(SECTIONS_TABLE, section_id)
        return len(inside)

    # -- guidelines ------------------------------------------------------------------------
    def add(self, section_id: str, title: str, **values: Any) -> Guideline:
        """Add a guideline at the end of a section."""
        section = self._load_section(section_id)
        values = self._validate({"title": title, **values})
        positions = [int(r.get("position", 0)) for r in self.repo.all(TABLE)
                     if r.get("section_id") == section_id]
        stamp = now_iso()
        guideline = Guideline(id=new_id(), section_id=section_id, title=values.pop("title"),
                              position=max(positions, default=-1) + 1,
                              author=self.log.coder, created_at=stamp, modified_at=stamp)
        for key, value in values.items():
            setattr(guideline, key, value)
        guideline.history.append(HistoryEntry(stamp, self.log.coder,
                                              f"created in {section.title}"))
        with self.log.operation("guideline.add",
                                f"added guideline '{guideline.title[:50]}' to {section.title}"
                                ) as op:
            op.insert(TABLE, _record(guideline))
        return self._load(guideline.id)

    def update(self, guideline_id: str, **values: Any) -> Guideline:
        """Change fields (:data:`EDITABLE`); one logged operation, one history line."""
        values = self._validate(values)
        guideline = self._load(guideline_id)
        changed = [k for k, v in values.items() if getattr(guideline, k) != v]
        if not changed:
            return guideline
        parts = []
        for key in changed:
            if key in ("priority", "status"):
                parts.append(f"{key} {getattr(guideline, key)} -> {values[key]}")
            else:
                parts.append({"code_ids": "codes"}.get(key, key))
            setattr(guideline, key, values[key])
        change = "edited " + ", ".join(parts)
        self._stamp(guideline, self.log.coder, change)
        with self.log.operation("guideline.edit", f"{self._label(guideline)}: {change}") as op:
            op.update(TABLE, _record(guideline))
        return self._load(guideline_id)

    def move(self, guideline_id: str, section_id: str | None = None,
             position: int | None = None) -> Guideline:
        """Move to another section and/or to 1-based ``position`` there (default: last)."""
        guideline = self._load(guideline_id)
        target = section_id or guideline.section_id
        section = self._load_section(target)
        siblings = [g for g in self.guidelines(target) if g.id != guideline_id]
        index = len(siblings) if position is None else max(0, min(position - 1, len(siblings)))
        siblings.insert(index, guideline)
        moved_section = target != guideline.section_id
        change = f"moved to {section.title}" if moved_section else "moved"
        with self.log.operation("guideline.move", f"{self._label(guideline)}: {change}") as op:
            for pos, item in enumerate(siblings):
                if item.id == guideline_id:
                    item.section_id = target
                    item.position = pos
                    self._stamp(item, op.coder, change)
                    op.update(TABLE, _record(item))
                elif item.position != pos:
                    item.position = pos
                    op.update(TABLE, _record(item))
        return self._load(guideline_id)

    def shift(self, guideline_id: str, delta: int) -> Guideline:
        """Move one place up (``-1``) or down (``+1``); across the section boundary into the
        neighbouring section (last / first place there)."""
        guideline = self._load(guideline_id)
        siblings = self.guidelines(guideline.section_id)
        index = next(i for i, g in enumerate(siblings) if g.id == guideline_id)
        target = index + delta
        if 0 <= target < len(siblings):
            return self.move(guideline_id, guideline.section_id, target + 1)
        sections = self.sections()
        s_index = next((i for i, s in enumerate(sections) if s.id == guideline.section_id), -1)
        n_index = s_index + (1 if delta > 0 else -1)
        if s_index < 0 or not 0 <= n_index < len(sections):
            raise QualtuiError("already at the " + ("end" if delta > 0 else "start")
                               + " of the guidelines")
        neighbour = sections[n_index]
        return self.move(guideline_id, neighbour.id, 1 if delta > 0 else None)

    def shift_section(self, section_id: str, delta: int) -> Section:
        sections = self.sections()
        index = next((i for i, s in enumerate(sections) if s.id == section_id), None)
        if index is None:
            raise NotFound(f"no section with id {section_id}")
        target = index + delta
        if not 0 <= target < len(sections):
            raise QualtuiError("already the " + ("last" if delta > 0 else "first") + " section")
        return self.move_section(section_id, target + 1)

    def delete(self, guideline_id: str) -> Guideline:
        guideline = self._load(guideline_id)
        with self.log.operation("guideline.delete", f"deleted {self._label(guideline)}") as op:
            op.delete(TABLE, guideline_id)
        return guideline

    # -- codes -----------------------------------------------------------------------------
    def link_code(self, guideline_id: str, code_id: str) -> Guideline:
        guideline = self._load(guideline_id)
        self._check_code(code_id)
        if code_id in guideline.code_ids:
            raise Conflict(f"{self.project.codebook.path_of(code_id)} is already linked")
        return self.update(guideline_id, code_ids=[*guideline.code_ids, code_id])

    def unlink_code(self, guideline_id: str, code_id: str) -> Guideline:
        guideline = self._load(guideline_id)
        if code_id not in guideline.code_ids:
            raise NotFound("that code is not linked to the guideline")
        return self.update(guideline_id, code_ids=[c for c in guideline.code_ids
                                                   if c != code_id])

    # -- evidence --------------------------------------------------------------------------
    def _write_evidence(self, guideline: Guideline, change: str) -> Guideline:
        self._stamp(guideline, self.log.coder, change)
        with self.log.operation("guideline.evidence", f"{self._label(guideline)}: {change}"
                                ) as op:
            op.update(TABLE, _record(guideline))
        return self._load(guideline.id)

    def add_evidence(self, guideline_id: str, segment_id: str, counter: bool = False,
                     note: str = "") -> Guideline:
        guideline = self._load(guideline_id)
        segment = self._check_segment(segment_id)
        if guideline.evidence_for(segment.id) is not None:
            raise Conflict(f"{self._segment_label(segment)} is already evidence")
        guideline.evidence.append(Evidence(segment.id, counter=counter, note=note.strip(),
                                           added_by=self.log.coder, added_at=now_iso()))
        kind = "counter-evidence" if counter else "evidence"
        return self._write_evidence(guideline, f"added {kind} {self._segment_label(segment)}")

    def remove_evidence(self, guideline_id: str, segment_id: str) -> Guideline:
        guideline = self._load(guideline_id)
        item = guideline.evidence_for(segment_id)
        if item is None:
            raise NotFound("that segment is not evidence of the guideline")
        guideline.evidence.remove(item)
        label = (self._segment_label(self.project.coding.get(segment_id))
                 if self.repo.get("segments", segment_id) else segment_id[:8])
        return self._write_evidence(guideline, f"removed evidence {label}")

    def toggle_evidence(self, guideline_id: str, segment_id: str) -> bool:
        """Add the segment as evidence, or remove it when it is; True when added."""
        guideline = self._load(guideline_id)
        if guideline.evidence_for(segment_id) is None:
            self.add_evidence(guideline_id, segment_id)
            return True
        self.remove_evidence(guideline_id, segment_id)
        return False

    def set_counter(self, guideline_id: str, segment_id: str, counter: bool) -> Guideline:
        """Mark evidence as counter-evidence (or back); a new segment is added as such."""
        guideline = self._load(guideline_id)
        item = guideline.evidence_for(segment_id)
        if item is None:
            return self.add_evidence(guideline_id, segment_id, counter=counter)
        if item.counter == counter:
            return guideline
        item.counter = counter
        if counter:
            item.quote = False
        segment = self._check_segment(segment_id)
        change = ("marked as counter-evidence " if counter else "marked as supporting ")
        return self._write_evidence(guideline, change + self._segment_label(segment))

    def toggle_counter(self, guideline_id: str, segment_id: str) -> bool:
        """Flip the counter-evidence mark (adding the segment when needed); the new mark."""
        item = self._load(guideline_id).evidence_for(segment_id)
        counter = item is None or not item.counter
        self.set_counter(guideline_id, segment_id, counter)
        return counter

    def set_quote(self, guideline_id: str, segment_id: str, quote: bool) -> Guideline:
        """Mark supporting evidence as one of the report's quotes (at most three)."""
        guideline = self._load(guideline_id)
        item = guideline.evidence_for(segment_id)
        if item is None:
            if not quote:
                return guideline
            segment = self._check_segment(segment_id)
            item = Evidence(segment.id, added_by=self.log.coder, added_at=now_iso())
            guideline.evidence.append(item)
        if item.counter and quote:
            raise QualtuiError("counter-evidence is reported apart; it cannot be a quote")
        if quote and not item.quote and sum(e.quote for e in guideline.evidence) >= MAX_QUOTES:
            raise QualtuiError(f"a guideline shows at most {MAX_QUOTES} quotes in the report:"
                               " unmark one first")
        if item.quote == quote:
            return guideline
        item.quote = quote
        segment = self._check_segment(segment_id)
        change = ("chose as report quote " if quote else "no longer a report quote ")
        return self._write_evidence(guideline, change + self._segment_label(segment))

    def toggle_quote(self, guideline_id: str, segment_id: str) -> bool:
        item = self._load(guideline_id).evidence_for(segment_id)
        quote = item is None or not item.quote
        self.set_quote(guideline_id, segment_id, quote)
        return quote

    # -- YAML exchange -----------------------------------------------------------------------
    def export_spec(self) -> dict[str, Any]:
        """Sections and guidelines as plain data (see :func:`parse_spec` for the format)."""
        index = self.index()
        sections: list[dict[str, Any]] = []
        guidelines = self.guidelines()
        for section in self.sections():
            items: list[dict[str, Any]] = []
            for g in (g for g in guidelines if g.section_id == section.id):
                item: dict[str, Any] = {"title": g.title}
                if g.statement:
                    item["statement"] = g.statement
                if g.rationale:
                    item["rationale"] = g.rationale
                if g.addresses:
                    item["addresses"] = [
                        {a.kind: a.text, **({"code": index.paths[a.code_id]}
                                            if a.code_id in index.paths else {})}
                        for a in g.addresses]
                if g.code_ids:
                    item["codes"] = [index.paths[c] for c in g.code_ids if c in index.paths]
                evidence = []
                for e in g.evidence:
                    seg = index.segments.get(e.segment_id)
                    if seg is None:
                        continue
                    entry: dict[str, Any] = {"doc": index.doc_names[seg.document_id],
                                             "quote": _one_line(index.text(seg)),
                                             "code": index.paths.get(seg.code_id, ""),
                                             "coder": seg.coder}
                    if e.counter:
                        entry["counter"] = True
                    if e.quote:
                        entry["report"] = True
                    if e.note:
                        entry["note"] = e.note
                    evidence.append(entry)
                if evidence:
                    item["evidence"] = evidence
                item.update({"priority": g.priority, "status": g.status, "author": g.author})
                items.append(item)
            entry_section: dict[str, Any] = {"title": section.title}
            if section.description:
                entry_section["description"] = section.description
            entry_section["guidelines"] = items
            sections.append(entry_section)
        return {"sections": sections}

    def export_yaml(self) -> str:
        header = ("# qualtui guidelines: sections, guidelines and their evidence.\n"
                  "# Evidence names a document and a verbatim quote of a coded segment.\n")
        return header + yaml.safe_dump(self.export_spec(), sort_keys=False,
                                       allow_unicode=True, width=88)

    def import_spec(self, spec: SpecDocument) -> tuple[int, int, int]:
        """Merge parsed sections and guidelines (matched by title) in one operation.

        Evidence quotes are resolved to coded segments first; nothing is written when one
        does not resolve. Returns (sections added, guidelines added, guidelines updated).
        """
        index = self.index()
        paths = {p.casefold(): cid for cid, p in index.paths.items()}

        def code_of(path: str, where: str) -> str:
            code_id = paths.get(path.strip().strip("/").casefold())
            if code_id is None:
                raise NotFound(f"{where}: no code '{path}' in the codebook")
            return code_id

        resolved: list[tuple[SpecSection, list[dict[str, Any]]]] = []
        for spec_section in spec.sections:
            items = []
            for g in spec_section.guidelines:
                where = f"{spec.name}: '{g.title[:40]}'"
                code_ids = [code_of(p, where) for p in g.codes]
                addresses = [Address(kind, text, code_of(path, where) if path else None)
                             for kind, text, path in g.addresses]
                evidence = [Evidence(_resolve_quote(index, e, code_ids, where).id,
                                     counter=e.counter, quote=e.report, note=e.note)
                            for e in g.evidence]
                seen: set[str] = set()
                unique = []
                for item in evidence:
                    if item.segment_id not in seen:
                        seen.add(item.segment_id)
                        unique.append(item)
                if sum(e.quote for e in unique) > MAX_QUOTES:
                    raise QualtuiError(f"{where}: at most {MAX_QUOTES} evidence items can be"
                                       " marked 'report'")
                values = self._validate({"title": g.title, "statement": g.statement,
                                         "rationale": g.rationale, "priority": g.priority,
                                         "status": g.status, "addresses": addresses,
                                         "code_ids": code_ids})
                values["evidence"] = unique
                values["author"] = g.author
                items.append(values)
            resolved.append((spec_section, items))

        added_sections = added = updated = 0
        stamp = now_iso()
        with self.log.operation("guideline.import", f"imported guidelines from {spec.name}"
                                ) as op:
            sections = {s.title.casefold(): s for s in self.sections()}
            next_section = len(sections)
            for spec_section, items in resolved:
                section = sections.get(spec_section.title.casefold())
                if section is None:
                    section = Section(id=new_id(), title=_one_line(spec_section.title),
                                      position=next_section,
                                      description=spec_section.description.strip(),
                                      created_at=stamp, created_by=op.coder)
                    next_section += 1
                    op.insert(SECTIONS_TABLE, _record(section))
                    sections[section.title.casefold()] = section
                    added_sections += 1
                elif spec_section.description and (section.description
                                                   != spec_section.description.strip()):
                    section.description = spec_section.description.strip()
                    op.update(SECTIONS_TABLE, _record(section))
                existing = {_guideline(r).title.casefold(): _guideline(r)
                            for r in self.repo.all(TABLE) if r.get("section_id") == section.id}
                position = max((g.position for g in existing.values()), default=-1) + 1
                for values in items:
                    for e in values["evidence"]:
                        e.added_by, e.added_at = op.coder, stamp
                    current = existing.get(values["title"].casefold())
                    if current is None:
                        guideline = Guideline(id=new_id(), section_id=section.id,
                                              title=values["title"], position=position,
                                              created_at=stamp, modified_at=stamp)
                        position += 1
                        for key, value in values.items():
                            setattr(guideline, key, value)
                        guideline.author = values["author"] or op.coder
                        guideline.history.append(HistoryEntry(stamp, op.coder,
                                                              f"imported from {spec.name}"))
                        op.insert(TABLE, _record(guideline))
                        existing[guideline.title.casefold()] = guideline
                        added += 1
                    else:
                        before = _record(current)
                        for key, value in values.items():
                            if key != "author" or value:
                                setattr(current, key, value)
                        for new_e in current.evidence:  # keep who added evidence kept
                            old = next((e for e in _guideline(before).evidence
                                        if e.segment_id == new_e.segment_id), None)
                            if old is not None:
                                new_e.added_by, new_e.added_at = old.added_by, old.added_at
                        if _record(current) != before:
                            self._stamp(current, op.coder, f"updated from {spec.name}")
                            op.update(TABLE, _record(current))
                            updated += 1
        return added_sections, added, updated


# --------------------------------------------------------------------------- YAML spec
@dataclass
class SpecEvidence:
    doc: str
    quote: str
    code: str = ""
    coder: str = ""
    counter: bool = False
    report: bool = False
    note: str = ""


@dataclass
class SpecGuideline:
    title: str
    statement: str = ""
    rationale: str = ""
    addresses: list[tuple[str, str, str]] = field(default_factory=list)  # kind, text, code
    codes: list[str] = field(default_factory=list)
    evidence: list[SpecEvidence] = field(default_factory=list)
    priority: str = "medium"
    status: str = "draft"
    author: str = ""


@dataclass
class SpecSection:
    title: str
    description: str = ""
    guidelines: list[SpecGuideline] = field(default_factory=list)


@dataclass
class SpecDocument:
    """A parsed guidelines YAML file (``name`` is used in messages)."""

    name: str
    sections: list[SpecSection] = field(default_factory=list)


def _text(value: Any, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)):
        raise QualtuiError(f"{where}: expected text")
    return str(value)


def parse_spec(text: str, name: str) -> SpecDocument:
    """Parse a guidelines YAML file (the format ``qualtui guidelines export`` writes)::

        sections:
          - title: Account management
            description: ...
            guidelines:
              - title: Register every official account
                statement: ...          # Markdown
                rationale: ...
                addresses: [{risk: Account takeover, code: Risks and barriers/Security}]
                codes: [Strategic components/Account management]
                evidence:
                  - {doc: P01, quote: "verbatim coded passage", report: true}
                  - {doc: P03, quote: "...", code: Risks/Privacy, coder: coder2}
                  - {doc: P05, quote: "...", counter: true}
                priority: high          # high | medium | low
                status: draft           # draft | reviewed | final

    Raises :class:`QualtuiError` with one line naming the file and the problem.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise QualtuiError(f"{name}{line}: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict) or not isinstance(data.get("sections", []), list):
        raise QualtuiError(f"{name}: expected 'sections:' with a list of sections")
    doc = SpecDocument(name=name)
    for s_index, raw_section in enumerate(data.get("sections") or [], start=1):
        where = f"{name}: section {s_index}"
        if not isinstance(raw_section, dict) or not _text(raw_section.get("title"), where):
            raise QualtuiError(f"{where}: each section needs a title")
        section = SpecSection(title=_text(raw_section["title"], where),
                              description=_text(raw_section.get("description"), where))
        raw_items = raw_section.get("guidelines") or []
        if not isinstance(raw_items, list):
            raise QualtuiError(f"{where}: guidelines: expected a list")
        for g_index, raw in enumerate(raw_items, start=1):
            g_where = f"{where} guideline {g_index}"
            if not isinstance(raw, dict) or not _text(raw.get("title"), g_where).strip():
                raise QualtuiError(f"{g_where}: each guideline needs a title")
            unknown = set(raw) - {"title", "statement", "rationale", "addresses", "codes",
                                  "evidence", "priority", "status", "author"}
            if unknown:
                raise QualtuiError(f"{g_where}: unknown field(s) {', '.join(sorted(unknown))}")
            guideline = SpecGuideline(
                title=_text(raw["title"], g_where), statement=_text(raw.get("statement"),
                                                                    g_where),
                rationale=_text(raw.get("rationale"), g_where),
                priority=_text(raw.get("priority") or "medium", g_where),
                status=_text(raw.get("status") or "draft", g_where),
                author=_text(raw.get("author"), g_where))
            codes = raw.get("codes") or []
            if not isinstance(codes, list):
                raise QualtuiError(f"{g_where}: codes: expected a list of code paths")
            guideline.codes = [_text(c, g_where) for c in codes]
            for item in raw.get("addresses") or []:
                kinds = [k for k in ADDRESS_KINDS if isinstance(item, dict) and k in item]
                if len(kinds) != 1:
                    raise QualtuiError(f"{g_where}: addresses: each item is"
                                       " '{benefit: text}' or '{risk: text}' (code: optional)")
                kind = kinds[0]
                guideline.addresses.append((kind, _text(item[kind], g_where),
                                            _text(item.get("code"), g_where)))
            for e_index, item in enumerate(raw.get("evidence") or [], start=1):
                e_where = f"{g_where} evidence {e_index}"
                if not isinstance(item, dict) or not item.get("doc") or not item.get("quote"):
                    raise QualtuiError(f"{e_where}: needs doc and quote")
                guideline.evidence.append(SpecEvidence(
                    doc=_text(item["doc"], e_where), quote=_text(item["quote"], e_where),
                    code=_text(item.get("code"), e_where),
                    coder=_text(item.get("coder"), e_where),
                    counter=bool(item.get("counter", False)),
                    report=bool(item.get("report", False)),
                    note=_text(item.get("note"), e_where)))
            section.guidelines.append(guideline)
        doc.sections.append(section)
    return doc


def _resolve_quote(index: EvidenceIndex, item: SpecEvidence, code_ids: list[str],
                   where: str) -> Segment:
    """The coded segment whose text is the quote (whitespace-insensitive), else one holding
    it; ``code`` and ``coder`` narrow the choice; among several, one of a linked code, then
    the shortest, then the earliest coder name."""
    doc_id = next((d for d, n in index.doc_names.items() if n == item.doc), None)
    if doc_id is None:
        raise NotFound(f"{where}: no document named '{item.doc}'")
    wanted = _one_line(item.quote)
    in_doc = [s for s in index.segments.values() if s.document_id == doc_id]
    exact = [s for s in in_doc if _one_line(index.text(s)) == wanted]
    matches = exact or [s for s in in_doc if wanted in _one_line(index.text(s))]
    if item.code:
        paths = {s.id: index.paths.get(s.code_id, "").casefold() for s in matches}
        matches = [s for s in matches if paths[s.id] == item.code.strip("/").casefold()]
    if item.coder:
        matches = [s for s in matches if s.coder == item.coder]
    if not matches:
        raise NotFound(f"{where}: no coded segment of {item.doc}"
                       + (f" ({item.code})" if item.code else "")
                       + (f" by {item.coder}" if item.coder else "")
                       + f" holds the quote {wanted[:50]!r}")
    linked: set[str] = set()
    for code_id in code_ids:
        linked |= index.subtree(code_id)
    matches.sort(key=lambda s: (s.code_id not in linked, len(index.text(s)), s.coder,
                                s.start, s.id))
    return matches[0]
