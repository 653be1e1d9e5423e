"""Writing REFI-QDA: a project as .qdpx (project.qde + sources/<GUID>.txt) and the codebook
as .qdc, both valid against the REFI-QDA 1.0 schemas (``Project.xsd``, ``Codebook.xsd``).

Mapping (see docs/refi-qda.md): coders → Users; codes → CodeBook (nested, colour,
Description = definition + labelled fields, isCodable); attributes → Variables; cases →
Cases with VariableValue and SourceRef; documents → TextSource with ``plainTextPath``
``internal://<GUID>.txt``; segments → PlainTextSelection (one per document range) holding
one Coding per segment (Coding guid = segment id); memos → Notes with NoteRef from the
project, source, code or coding they belong to (journal entries stay unattached); memo
links → Links; sets → Sets.

With a :class:`~qualtui.core.privacy.Pseudonymiser`, every text written goes through it:
document texts get their redactions and pseudonyms and segment positions move with them.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from qualtui.core.errors import QualtuiError
from qualtui.core.exchange import ExchangeService
from qualtui.core.models import Code, Document, Memo, Segment, now_iso
from qualtui.core.privacy import PrivacyService, Pseudonymiser, Rewrite
from qualtui.core.project import Project
from qualtui.io.refi.mapping import compose_categories, compose_description
from qualtui.io.refi.xmlutil import (
    NS_CODEBOOK,
    NS_PROJECT,
    as_guid,
    derived_guid,
    is_datetime,
    norm_color,
    xml_text,
)

__all__ = ["ExportReport", "codebook_qdc", "export_qdc", "export_qdpx", "project_qde"]

Progress = Callable[[str, int, int], None]
_EXCERPT = 60


def _origin() -> str:
    from qualtui import __version__

    return f"qualtui {__version__}"


@dataclass
class ExportReport:
    target: str
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    pseudonymized: bool = False

    def summary(self) -> str:
        order = ("codes", "documents", "segments", "memos", "cases", "variables", "sets",
                 "users")
        parts = [f"{self.counts[k]} {k}" for k in order if self.counts.get(k)]
        mark = " (pseudonymized)" if self.pseudonymized else ""
        return f"wrote {self.target}{mark}: " + (", ".join(parts) or "nothing to export")


def _sub(parent: ET.Element, tag: str, attrib: dict[str, str] | None = None,
         text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: v for k, v in (attrib or {}).items() if v})
    if text is not None:
        element.text = xml_text(text)
    return element


def _attr(value: str) -> str:
    return xml_text(value)


def _when(value: str) -> str:
    return value if is_datetime(value) else ""


def _decimal(value: float) -> str:
    text = format(Decimal(repr(float(value))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _EXCERPT else flat[: _EXCERPT - 1] + "…"


class _Writer:
    def __init__(self, project: Project, pseudo: Pseudonymiser,
                 progress: Progress | None) -> None:
        self.project = project
        self.pseudo = pseudo
        self.progress = progress
        self.report_warnings: list[str] = []
        self.counts: dict[str, int] = {}
        self.exchange = ExchangeService(project.repo, project.log)
        self.guids = self.exchange.user_guids()
        self.codes = project.codebook.all()
        self.code_ids = {c.id for c in self.codes}
        self.docs = project.documents.all()
        self.doc_ids = {d.id for d in self.docs}
        self.segments = [s for s in project.coding.segments()]
        self.memos = project.memos.all()
        self.cases = project.cases.all()
        self.case_ids = {c.id for c in self.cases}

    def warn(self, message: str) -> None:
        self.report_warnings.append(message)

    def user(self, coder: str) -> str:
        return self.guids.get(coder) or derived_guid("coder", coder)

    # -- codes -----------------------------------------------------------------------------
    def code_elements(self, parent: ET.Element, memo_refs: dict[str, list[str]],
                      with_notes: bool) -> None:
        children: dict[str | None, list[Code]] = defaultdict(list)
        for code in self.codes:
            parent_id = code.parent_id if code.parent_id in self.code_ids else None
            children[parent_id].append(code)
        stack: list[tuple[ET.Element, Code]] = [(parent, c) for c in reversed(children[None])]
        while stack:
            container, code = stack.pop()
            element = _sub(container, "Code", {
                "guid": as_guid(code.id), "name": _attr(self.pseudo.text(code.name)),
                "isCodable": "true" if code.codable else "false",
                "color": norm_color(code.color)})
            description = compose_description(code.__dict__)
            if description:
                _sub(element, "Description", text=self.pseudo.text(description))
            if with_notes:
                for memo_id in memo_refs.get(code.id, []):
                    _sub(element, "NoteRef", {"targetGUID": as_guid(memo_id)})
            for child in reversed(children.get(code.id, [])):
                stack.append((element, child))

    # -- variables -------------------------------------------------------------------------------
    def variables(self) -> tuple[dict[str, tuple[str, str]], list[tuple[str, str, str, str]]]:
        """name -> (GUID, REFI type) and the Variable rows (guid, name, type, description)."""
        defs = {a.name: a for a in self.project.cases.attribute_defs()}
        values: dict[str, list[Any]] = defaultdict(list)
        for case in self.cases:
            for name, value in case.attributes.items():
                values[name].append(value)
        for doc in self.docs:
            for name, value in doc.attributes.items():
                values[name].append(value)
        names = list(defs) + [n for n in values if n not in defs]
        lookup: dict[str, tuple[str, str]] = {}
        rows: list[tuple[str, str, str, str]] = []
        for name in names:
            definition = defs.get(name)
            present = [v for v in values.get(name, []) if v is not None and v != ""]
            kind = definition.type if definition else "text"
            description = ""
            if present and all(isinstance(v, bool) for v in present):
                refi = "Boolean"
            elif kind == "number" and present and all(
                    isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
                refi = "Integer" if all(isinstance(v, int) for v in present) else "Float"
            elif kind == "number" and not present:
                refi = "Integer"
            elif kind == "date" and all(isinstance(v, str) and len(v) == 10 and v[4] == "-"
                                        and v[7] == "-" for v in present):
                refi = "Date"
            elif kind == "category":
                allowed = list(definition.values) if definition else []
                if allowed and set(allowed) <= {"true", "false"}:
                    refi = "Boolean"
                else:
                    refi = "Text"
                    description = compose_categories(
                        [self.pseudo.text(str(v)) for v in allowed])
            else:
                refi = "Text"
            guid = as_guid(definition.id) if definition else derived_guid("attribute", name)
            lookup[name] = (guid, refi)
            rows.append((guid, name, refi, description))
        return lookup, rows

    def value_element(self, parent: ET.Element, name: str, value: Any,
                      lookup: dict[str, tuple[str, str]]) -> None:
        if value is None or value == "" or name not in lookup:
            return
        guid, refi = lookup[name]
        element = _sub(parent, "VariableValue")
        _sub(element, "VariableRef", {"targetGUID": guid})
        if refi == "Integer":
            _sub(element, "IntegerValue", text=str(int(value)))
        elif refi == "Float":
            _sub(element, "FloatValue", text=_decimal(value))
        elif refi == "Boolean":
            truth = value if isinstance(value, bool) else str(value).lower() == "true"
            _sub(element, "BooleanValue", text="true" if truth else "false")
        elif refi == "Date":
            _sub(element, "DateValue", text=str(value))
        else:
            _sub(element, "TextValue", text=self.pseudo.text(str(value)))

    # -- the project ----------------------------------------------------------------------------
    def build(self) -> tuple[ET.Element, dict[str, bytes]]:
        project, pseudo = self.project, self.pseudo
        settings = project.settings
        root = ET.Element("Project", {"xmlns": NS_PROJECT})
        root.set("name", _attr(pseudo.text(settings.title or project.root.name)))
        root.set("origin", _origin())
        root.set("creatingUserGUID", self.user(project.coder))
        created = str(project.repo.get_meta("created_at", "") or "")
        if is_datetime(created):
            root.set("creationDateTime", created)
        root.set("modifyingUserGUID", self.user(project.coder))
        root.set("modifiedDateTime", now_iso())

        # memos and where they are referenced from
        memo_refs: dict[str, list[str]] = defaultdict(list)  # target id -> memo ids
        project_notes: list[str] = []
        segment_ids = {s.id for s in self.segments}
        targets = {"document": self.doc_ids, "code": self.code_ids, "segment": segment_ids}
        for memo in self.memos:
            if memo.kind == "project":
                project_notes.append(memo.id)
            elif memo.kind in targets:
                if memo.target_id in targets[memo.kind]:
                    memo_refs[memo.target_id or ""].append(memo.id)
                else:
                    self.warn(f"memo '{memo.title}': its {memo.kind} is gone; exported as an"
                              " unattached note")

        coders: list[str] = [c.id for c in settings.coders]
        for name in ([project.coder] + [s.coder for s in self.segments]
                     + [m.author for m in self.memos] + [d.imported_by for d in self.docs]):
            if name and name not in coders:
                coders.append(name)
        users = _sub(root, "Users")
        for coder in coders:
            _sub(users, "User", {"guid": self.user(coder), "name": _attr(coder)})
        self.counts["users"] = len(coders)

        if self.codes:
            codes = _sub(_sub(root, "CodeBook"), "Codes")
            self.code_elements(codes, memo_refs, with_notes=True)
        self.counts["codes"] = len(self.codes)

        lookup, variable_rows = self.variables()
        if variable_rows:
            variables = _sub(root, "Variables")
            for guid, name, refi, description in variable_rows:
                variable = _sub(variables, "Variable",
                                {"guid": guid, "name": _attr(name), "typeOfVariable": refi})
                if description:
                    _sub(variable, "Description", text=description)
        self.counts["variables"] = len(variable_rows)

        members: dict[str, list[str]] = defaultdict(list)
        for doc in self.docs:
            if doc.case_id in self.case_ids:
                members[doc.case_id or ""].append(doc.id)
        case_attrs = {c.id: c.attributes for c in self.cases}
        if self.cases:
            cases = _sub(root, "Cases")
            for case in self.cases:
                element = _sub(cases, "Case", {"guid": as_guid(case.id),
                                               "name": _attr(pseudo.text(case.name))})
                for name, value in case.attributes.items():
                    self.value_element(element, name, value, lookup)
                for doc_id in members.get(case.id, []):
                    _sub(element, "SourceRef", {"targetGUID": as_guid(doc_id)})
        self.counts["cases"] = len(self.cases)

        files: dict[str, bytes] = {}
        by_doc: dict[str, list[Segment]] = defaultdict(list)
        for segment in self.segments:
            if segment.code_id not in self.code_ids:
                self.warn(f"segment {segment.id[:8]}: its code is gone; not exported")
                continue
            by_doc[segment.document_id].append(segment)
        exported_segments = 0
        if self.docs:
            sources = _sub(root, "Sources")
            for index, doc in enumerate(self.docs, start=1):
                exported_segments += self.source(sources, doc, by_doc.get(doc.id, []),
                                                 memo_refs, case_attrs, lookup, files)
                if self.progress is not None:
                    self.progress("exporting documents", index, len(self.docs))
        self.counts["documents"] = len(self.docs)
        self.counts["segments"] = exported_segments

        if self.memos:
            notes = _sub(root, "Notes")
            for memo in self.memos:
                self.note(notes, memo)
        self.counts["memos"] = len(self.memos)

        known = self.doc_ids | self.code_ids | segment_ids | {m.id for m in self.memos} \
            | self.case_ids
        links = [(m, t) for m in self.memos for t in m.links if t in known]
        if links:
            container = _sub(root, "Links")
            for memo, target in links:
                _sub(container, "Link", {"guid": derived_guid("link", memo.id, target),
                                         "name": "memo link", "direction": "OneWay",
                                         "originGUID": as_guid(memo.id),
                                         "targetGUID": as_guid(target)})

        code_sets = self.exchange.sets()
        if code_sets:
            memo_ids = {m.id for m in self.memos}
            container = _sub(root, "Sets")
            for code_set in code_sets:
                element = _sub(container, "Set", {"guid": as_guid(code_set.id),
                                                  "name": _attr(pseudo.text(code_set.name))})
                if code_set.description:
                    _sub(element, "Description", text=pseudo.text(code_set.description))
                for code_id in code_set.codes:
                    if code_id in self.code_ids:
                        _sub(element, "MemberCode", {"targetGUID": as_guid(code_id)})
                for doc_id in code_set.documents:
                    if doc_id in self.doc_ids:
                        _sub(element, "MemberSource", {"targetGUID": as_guid(doc_id)})
                for memo_id in code_set.memos:
                    if memo_id in memo_ids:
                        _sub(element, "MemberNote", {"targetGUID": as_guid(memo_id)})
        self.counts["sets"] = len(code_sets)

        if settings.description:
            _sub(root, "Description", text=pseudo.text(settings.description))
        for memo_id in project_notes:
            _sub(root, "NoteRef", {"targetGUID": as_guid(memo_id)})
        self.loss_warnings()
        return root, files

    def source(self, sources: ET.Element, doc: Document, segments: list[Segment],
               memo_refs: dict[str, list[str]], case_attrs: dict[str, dict[str, Any]],
               lookup: dict[str, tuple[str, str]], files: dict[str, bytes]) -> int:
        guid = as_guid(doc.id)
        text = self.project.documents.text(doc.id)
        rewrite: Rewrite = self.pseudo.document(doc.id, text)
        files[f"sources/{guid}.txt"] = rewrite.text.encode("utf-8")
        element = _sub(sources, "TextSource", {
            "guid": guid, "name": _attr(self.pseudo.text(doc.name)),
            "plainTextPath": f"internal://{guid}.txt",
            "creatingUser": self.user(doc.imported_by) if doc.imported_by else "",
            "creationDateTime": _when(doc.imported_at)})
        groups: dict[tuple[int, int], list[Segment]] = defaultdict(list)
        written = 0
        for segment in segments:
            if not 0 <= segment.start < segment.end <= len(text):
                self.warn(f"document '{doc.name}': segment {segment.start}-{segment.end} is"
                          " outside its text; not exported")
                continue
            groups[(segment.start, segment.end)].append(segment)
        for (start, end), members in sorted(groups.items()):
            members.sort(key=lambda s: (s.created_at, s.id))
            new_start, new_end = rewrite.range(start, end)
            first = members[0]
            selection = _sub(element, "PlainTextSelection", {
                "guid": derived_guid("selection", doc.id, str(start), str(end)),
                "name": _attr(_excerpt(rewrite.text[new_start:new_end])),
                "startPosition": str(new_start), "endPosition": str(new_end),
                "creatingUser": self.user(first.coder),
                "creationDateTime": _when(first.created_at)})
            for segment in members:
                coding = _sub(selection, "Coding", {
                    "guid": as_guid(segment.id), "creatingUser": self.user(segment.coder),
                    "creationDateTime": _when(segment.created_at)})
                _sub(coding, "CodeRef", {"targetGUID": as_guid(segment.code_id)})
                for memo_id in memo_refs.get(segment.id, []):
                    _sub(coding, "NoteRef", {"targetGUID": as_guid(memo_id)})
                written += 1
        for memo_id in memo_refs.get(doc.id, []):
            _sub(element, "NoteRef", {"targetGUID": as_guid(memo_id)})
        shared = case_attrs.get(doc.case_id or "", {})
        for name, value in doc.attributes.items():
            if name in shared and shared[name] == value:
                continue
            self.value_element(element, name, value, lookup)
        return written

    def note(self, notes: ET.Element, memo: Memo) -> None:
        element = _sub(notes, "Note", {
            "guid": as_guid(memo.id), "name": _attr(self.pseudo.text(memo.title)),
            "creatingUser": self.user(memo.author) if memo.author else "",
            "creationDateTime": _when(memo.created_at),
            "modifiedDateTime": _when(memo.modified_at)})
        _sub(element, "PlainTextContent", text=self.pseudo.text(memo.body))

    def loss_warnings(self) -> None:
        """Spec section 7: say what REFI-QDA cannot carry."""
        turns = sum(1 for d in self.docs if d.turns)
        cues = sum(1 for d in self.docs if d.cues)
        if turns:
            self.warn(f"speaker turns of {turns} document(s) are not part of REFI-QDA (qualtui"
                      " finds them again on import)")
        if cues:
            self.warn(f"subtitle timings of {cues} document(s) are not exported")
        extra = sum(1 for c in self.codes if c.shortcut or c.origin != "a-priori")
        if extra:
            self.warn(f"code shortcuts and origins of {extra} code(s) are not exported")


def project_qde(project: Project, pseudo: Pseudonymiser | None = None,
                progress: Progress | None = None) -> tuple[bytes, dict[str, bytes],
                                                           ExportReport]:
    """The project.qde bytes, the source files by member name, and a report."""
    writer = _Writer(project, pseudo or Pseudonymiser.identity(), progress)
    root, files = writer.build()
    ET.indent(root, space="  ")
    data = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    report = ExportReport(target="", counts=writer.counts, warnings=writer.report_warnings,
                          pseudonymized=bool(pseudo and pseudo.enabled))
    return data, files, report


def export_qdpx(project: Project, output: Path, *, pseudonymize: bool = False,
                progress: Progress | None = None) -> ExportReport:
    """Write the project as a .qdpx zip (atomically, mode 0600)."""
    from qualtui.store.storage import atomic_write_bytes

    pseudo = PrivacyService(project.repo, project.log).pseudonymiser(pseudonymize)
    data, files, report = project_qde(project, pseudo, progress)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", data)
        for name, content in files.items():
            if len(content) > 2**31 - 1:  # spec 8.5
                raise QualtuiError(f"{name}: larger than the 2 GB REFI-QDA limit per file")
            archive.writestr(name, content)
    atomic_write_bytes(Path(output), buffer.getvalue(), 0o600)
    report.target = str(output)
    return report


def codebook_qdc(project: Project, *, pseudonymize: bool = False) -> str:
    """The codebook as REFI-QDA .qdc XML text (validates against Codebook.xsd)."""
    pseudo = PrivacyService(project.repo, project.log).pseudonymiser(pseudonymize)
    writer = _Writer(project, pseudo, None)
    if not writer.codes:
        raise QualtuiError("the codebook is empty: add codes before exporting it as .qdc")
    root = ET.Element("CodeBook", {"xmlns": NS_CODEBOOK, "origin": _origin()})
    writer.code_elements(_sub(root, "Codes"), {}, with_notes=False)
    code_sets = [s for s in writer.exchange.sets()
                 if any(c in writer.code_ids for c in s.codes)]
    if code_sets:
        container = _sub(root, "Sets")
        for code_set in code_sets:
            element = _sub(container, "Set", {"guid": as_guid(code_set.id),
                                              "name": _attr(pseudo.text(code_set.name))})
            if code_set.description:
                _sub(element, "Description", text=pseudo.text(code_set.description))
            for code_id in code_set.codes:
                if code_id in writer.code_ids:
                    _sub(element, "MemberCode", {"guid": as_guid(code_id)})
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def export_qdc(project: Project, output: Path, *, pseudonymize: bool = False) -> ExportReport:
    """Write the codebook as a .qdc file."""
    from qualtui.store.storage import atomic_write_bytes

    text = codebook_qdc(project, pseudonymize=pseudonymize)
    atomic_write_bytes(Path(output), text.encode("utf-8"), 0o600)
    counts = {"codes": len(project.codebook.all()),
              "sets": len(ExchangeService(project.repo, project.log).sets())}
    return ExportReport(target=str(output), counts=counts, pseudonymized=pseudonymize)
