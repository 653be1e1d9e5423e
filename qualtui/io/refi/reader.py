"""Reading REFI-QDA projects (.qdpx) and codebooks (.qdc) into qualtui records.

Liberal in what it accepts, because real exports differ (see docs/refi-qda.md):
``Project.qde`` and ``Sources/`` in any case, GUIDs in any case or braced, duplicate code and
source names (made unique), any namespace, variables on cases or on sources,
``plainTextPath`` as ``internal://``, ``relative://``, ``absolute://`` or a bare name,
sources with a BOM or CRLF line ends (positions counted as the exporting program does:
CRLF is two positions except for ATLAS.ti), PDF sources with a text representation.
What qualtui does not model (pictures, audio and video, PDF regions, links between other
things, graphs, ...) is skipped and listed in the report, never a crash.

Every problem with a part of the file (positions out of range or reversed, codings of
unknown codes, missing source files) is a warning and that part is skipped; problems with
the file as a whole (not a zip, no project.qde, unsafe XML or member paths, zip bombs) raise
:class:`~qualtui.core.errors.ImportFailure`.
"""

from __future__ import annotations

import bisect
import codecs
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree.ElementTree import Element

from qualtui.core.codebook import DEFAULT_COLORS, SEP
from qualtui.core.errors import ImportFailure
from qualtui.core.exchange import Bundle, CodeSet, ImportedSource
from qualtui.core.models import (
    AttributeDef,
    Case,
    Code,
    Document,
    Memo,
    Segment,
    new_id,
    now_iso,
)
from qualtui.core.text import detect_turns, normalise
from qualtui.io.refi.archive import Limits, SafeArchive, unsafe_member_name
from qualtui.io.refi.mapping import parse_categories, parse_description
from qualtui.io.refi.xmlutil import (
    bool_attr,
    is_datetime,
    norm_color,
    norm_guid,
    parse_xml,
)

__all__ = ["ImportReport", "PositionMap", "decode_source", "read_qdc", "read_qdpx"]

Progress = Callable[[str, int, int], None]
NAME_SLASH = "\u2215"  # DIVISION SLASH: stands in for '/' inside a code name
_VALUE_TAGS = ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue",
               "DateTimeValue")
_SOURCE_TAGS = ("TextSource", "PDFSource", "PictureSource", "AudioSource", "VideoSource")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_WARNINGS = 200
MAX_CODE_DEPTH = 64


@dataclass
class ImportReport:
    """What an import read, wrote and skipped."""

    source: str
    origin: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    target: str = ""

    def warn(self, message: str) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(message)
        elif len(self.warnings) == MAX_WARNINGS:
            self.warnings.append("more warnings not shown")

    def skip(self, element: str, count: int = 1) -> None:
        if count:
            self.skipped[element] += count

    def all_warnings(self) -> list[str]:
        """The warnings, then one line listing the skipped elements (spec section 7)."""
        out = list(self.warnings)
        if self.skipped:
            listed = ", ".join(f"{n} {tag}" for tag, n in sorted(self.skipped.items()))
            out.append(f"skipped elements qualtui does not model: {listed}")
        return out

    def summary(self) -> str:
        order = ("codes", "documents", "segments", "memos", "cases", "variables", "sets",
                 "users")
        parts = [f"{self.counts[k]} {k}" for k in order if k in self.counts]
        origin = f" (from {self.origin})" if self.origin else ""
        target = f" into {self.target}" if self.target else ""
        return f"imported {self.source}{origin}{target}: " + ", ".join(parts)


def decode_source(data: bytes) -> tuple[str, list[str]]:
    """Decode a plain text source: BOMs (UTF-8/16/32) are honoured and removed, otherwise
    UTF-8 (as REFI-QDA requires); invalid bytes become U+FFFD with a warning. Line ends
    are kept as they are (``newline=''``)."""
    warnings: list[str] = []
    codec, body = "utf-8", data
    for bom, name in ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
                      (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                      (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            codec, body = name, data[len(bom):]
            break
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        text = body.decode(codec, errors="replace")
        warnings.append(f"not valid {codec.upper()} (first bad byte at {exc.start}); bad"
                        " bytes replaced by U+FFFD, positions after them may be off")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, warnings


class PositionMap:
    """Maps REFI positions in a source file to offsets in qualtui's normalised text.

    ``raw`` is the decoded file without its BOM and with its line ends as stored. Programs
    count a CRLF as two positions, except ATLAS.ti, which counts it as one
    (``crlf_is_one``); qualtui's text has LF only.
    """

    def __init__(self, raw: str, crlf_is_one: bool) -> None:
        self.text = normalise(raw)
        if crlf_is_one or "\r\n" not in raw:
            self._lf_of_crlf: list[int] = []
            self.length = len(self.text)
        else:
            self._lf_of_crlf = [m.start() + 1 for m in re.finditer("\r\n", raw)]
            self.length = len(raw)

    def __call__(self, position: int) -> int:
        return position - bisect.bisect_left(self._lf_of_crlf, position)


@dataclass
class _NoteDraft:
    id: str
    title: str
    body: str
    author: str
    created_at: str
    modified_at: str
    kind: str = ""
    target_id: str | None = None
    links: list[str] = field(default_factory=list)


def _int(value: str | None) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _timestamp(value: str | None, default: str) -> str:
    return value.strip() if value and is_datetime(value.strip()) else default


def _name(value: str | None) -> str:
    """A name attribute in NFC (macOS programs write decomposed accents), without line
    breaks or tabs and surrounding spaces."""
    return unicodedata.normalize("NFC", re.sub(r"[\r\n\t]+", " ", value or "")).strip()


def _unique(name: str, taken: set[str]) -> str:
    if name not in taken:
        taken.add(name)
        return name
    n = 2
    while f"{name} ({n})" in taken:
        n += 1
    unique = f"{name} ({n})"
    taken.add(unique)
    return unique


def _count_tags(element: Element, tags: tuple[str, ...]) -> int:
    return sum(1 for e in element.iter() if e.tag in tags)


class _Reader:
    """One pass over a parsed project.qde (or CodeBook root), building a Bundle."""

    def __init__(self, root: Element, report: ImportReport, coder: str,
                 archive: SafeArchive | None = None, qde_dir: str = "",
                 base_dir: Path | None = None, external: bool = True,
                 progress: Progress | None = None) -> None:
        self.root = root
        self.report = report
        self.coder = coder
        self.archive = archive
        self.qde_dir = qde_dir
        self.base_dir = base_dir
        self.external = external
        self.progress = progress
        self.origin = root.get("origin", "") or ""
        self.crlf_is_one = "atlas" in self.origin.lower()
        self.now = now_iso()
        self.bundle = Bundle()
        self.ids: dict[str, dict[str, str]] = {}  # table -> GUID -> id used
        self.users: dict[str, str] = {}  # GUID -> coder
        self.default_coder = coder
        self.codes: dict[str, Code] = {}
        self.docs: dict[str, ImportedSource] = {}
        self.doc_names: set[str] = set()
        self.segment_keys: set[tuple[str, str, int, int, str]] = set()
        self.notes: dict[str, _NoteDraft] = {}
        self.memos: list[Memo] = []
        self.variables: dict[str, AttributeDef] = {}
        self.doc_attributes: dict[str, dict[str, Any]] = {}
        self.opened_codable: set[str] = set()
        self.project_mode = archive is not None

    # -- ids ---------------------------------------------------------------------------------
    def _id(self, raw: str | None, table: str, what: str) -> str:
        """The id for an element: its GUID normalised; a fresh one (still found by
        references to the same value) when it is not a GUID; a fresh one for a repeat."""
        guid = norm_guid(raw)
        key = guid or (raw or "").strip()
        used = self.ids.setdefault(table, {})
        if not key:
            return new_id()
        if key in used:
            self.report.warn(f"{what}: GUID {key} is used twice; a new id was given")
            return new_id()
        if guid is None:
            self.report.warn(f"{what}: '{key}' is not a GUID; a new id was given")
        used[key] = guid or new_id()
        return used[key]

    def _ref(self, raw: str | None, table: str) -> str | None:
        key = norm_guid(raw) or (raw or "").strip()
        return self.ids.get(table, {}).get(key) if key else None

    # -- users -------------------------------------------------------------------------------
    def read_users(self) -> None:
        users = self.root.find("Users")
        coders: list[str] = []
        for user in users.findall("User") if users is not None else []:
            guid = norm_guid(user.get("guid"))
            name = _name(user.get("name") or user.get("id"))
            if not name:
                name = f"user-{guid[:8]}" if guid else "unknown"
            if guid:
                self.users.setdefault(guid, name)
                self.bundle.user_guids.setdefault(name, guid)
            if name not in coders:
                coders.append(name)
        self.bundle.coders = coders
        creator = norm_guid(self.root.get("creatingUserGUID"))
        if creator and creator in self.users:
            self.default_coder = self.users[creator]
        self.report.counts["users"] = len(coders)

    def _user(self, *raws: str | None) -> str:
        for raw in raws:
            guid = norm_guid(raw)
            if guid and guid in self.users:
                return self.users[guid]
        return self.default_coder

    # -- codes -------------------------------------------------------------------------------
    def read_codes(self, container: Element | None) -> None:
        if container is None:
            return
        stack: list[tuple[Element, str | None, set[str], int, int]] = []
        top_names: set[str] = set()
        for index, el in reversed(list(enumerate(container.findall("Code")))):
            stack.append((el, None, top_names, index, 1))
        color_index = 0
        too_deep = 0
        while stack:
            el, parent_id, siblings, position, depth = stack.pop()
            if depth > MAX_CODE_DEPTH:
                too_deep += _count_tags(el, ("Code",))
                continue
            code_id = self._id(el.get("guid"), "codes", f"code '{el.get('name', '')}'")
            raw_name = _name(el.get("name"))
            name = raw_name.replace(SEP, NAME_SLASH) or "Unnamed code"
            if name != raw_name:
                self.report.warn(f"code '{raw_name}': renamed '{name}' ('/' separates code"
                                 " paths in qualtui)" if raw_name else
                                 "a code without a name was named 'Unnamed code'")
            unique = _unique(name, siblings)
            if unique != name:
                self.report.warn(f"code '{name}' appears twice at the same level; the second"
                                 f" is named '{unique}'")
            fields = parse_description(el.findtext("Description"))
            color = norm_color(el.get("color"))
            if not color:
                color = DEFAULT_COLORS[color_index % len(DEFAULT_COLORS)]
                color_index += 1
            code = Code(id=code_id, name=unique, parent_id=parent_id, position=position,
                        color=color, codable=bool_attr(el.get("isCodable"), True),
                        created_at=self.now, created_by=self.coder, **fields)
            self.codes[code_id] = code
            self.bundle.codes.append(code)
            for ref in el.findall("NoteRef"):
                if self.project_mode:
                    self._note_ref(ref, "code", code_id)
                else:
                    self.report.skip("Code/NoteRef")
            children: set[str] = set()
            for index, child in reversed(list(enumerate(el.findall("Code")))):
                stack.append((child, code_id, children, index, depth + 1))
            for child in el:
                if child.tag not in ("Code", "Description", "NoteRef"):
                    self.report.skip(f"Code/{child.tag}")
        if too_deep:
            self.report.warn(f"{too_deep} code(s) nested deeper than {MAX_CODE_DEPTH} levels"
                             " were skipped")
        self.report.counts["codes"] = len(self.bundle.codes)

    # -- variables -------------------------------------------------------------------------------
    def read_variables(self) -> None:
        container = self.root.find("Variables")
        names: set[str] = set()
        for el in container.findall("Variable") if container is not None else []:
            raw = _name(el.get("name")) or "variable"
            var_id = self._id(el.get("guid"), "variables", f"variable '{raw}'")
            name = _unique(raw, names)
            refi_type = (el.get("typeOfVariable") or "Text").strip()
            description = el.findtext("Description")
            categories = parse_categories(description)
            kind = {"Integer": "number", "Float": "number", "Date": "date",
                    "Boolean": "category"}.get(refi_type, "text")
            if categories is not None and refi_type == "Text":
                kind = "category"
            values = list(categories or (["false", "true"] if refi_type == "Boolean" else []))
            self.variables[var_id] = AttributeDef(id=var_id, name=name, type=kind,
                                                  values=values)

    def _value(self, el: Element, where: str) -> tuple[str, Any] | None:
        ref = el.find("VariableRef")
        var_id = self._ref(ref.get("targetGUID") if ref is not None else None, "variables")
        if var_id is None:
            self.report.warn(f"{where}: a value of an unknown variable was skipped")
            return None
        attribute = self.variables[var_id]
        for tag in _VALUE_TAGS:
            value_el = el.find(tag)
            if value_el is None:
                continue
            text = (value_el.text or "").strip()
            if text == "":
                return None
            value: Any = text
            if tag == "IntegerValue":
                value = _int(text)
            elif tag == "FloatValue":
                try:
                    value = float(text)
                except ValueError:
                    value = None
            elif tag == "BooleanValue":
                value = "true" if bool_attr(text, False) else "false"
            elif tag == "DateValue" and not _DATE.match(text):
                value = text[:10] if _DATE.match(text[:10]) else None
            if value is None:
                self.report.warn(f"{where}: {attribute.name}: bad {tag} '{text}' skipped")
                return None
            if attribute.type == "category" and str(value) not in attribute.values:
                attribute.values = sorted({*attribute.values, str(value)})
            return attribute.name, value
        return None

    # -- notes -------------------------------------------------------------------------------------
    def read_notes(self) -> None:
        container = self.root.find("Notes")
        for el in container.findall("Note") if container is not None else []:
            note_id = self._id(el.get("guid"), "notes", f"note '{el.get('name', '')}'")
            body = ""
            content = el.find("PlainTextContent")
            if content is not None and content.text:
                body = normalise(content.text)
            elif el.get("plainTextPath"):
                loaded = self._load_text(el.get("plainTextPath", ""), f"note '{el.get('name')}'",
                                         quiet_missing=False)
                body = normalise(loaded[0]) if loaded else ""
            description = (el.findtext("Description") or "").strip()
            if description:
                body = f"{description}\n\n{body}" if body.strip() else description
            name = el.get("name") or ""
            title = name or " ".join(body.split())[:60] or "Note"
            author = self._user(el.get("creatingUser"))
            created = _timestamp(el.get("creationDateTime"), self.now)
            self.notes[note_id] = _NoteDraft(
                id=note_id, title=title, body=body, author=author, created_at=created,
                modified_at=_timestamp(el.get("modifiedDateTime"), created))
            for child in el:
                if child.tag not in ("PlainTextContent", "Description", "NoteRef"):
                    self.report.skip(f"Note/{child.tag}")

    def _note_ref(self, ref: Element, kind: str, target_id: str | None) -> None:
        note_id = self._ref(ref.get("targetGUID"), "notes")
        if note_id is None:
            self.report.warn(f"a NoteRef to unknown note {ref.get('targetGUID')} was skipped")
            return
        note = self.notes[note_id]
        if note.kind:
            self.report.warn(f"note '{note.title}' is attached to more than one element;"
                             " qualtui keeps the first")
            return
        note.kind, note.target_id = kind, target_id

    def _memo(self, kind: str, target_id: str | None, title: str, body: str, author: str,
              created: str) -> None:
        self.memos.append(Memo(id=new_id(), kind=kind, target_id=target_id, title=title,
                               body=body, author=author, created_at=created,
                               modified_at=created))

    # -- sources -------------------------------------------------------------------------
    def _member(self, name: str) -> Any:
        if self.archive is None or unsafe_member_name(name.lstrip("/")):
            return None
        name = name.lstrip("/")
        base = PurePosixPath(name).name
        candidates = [f"sources/{name}", name, f"sources/{base}"]
        if self.qde_dir:
            candidates = [f"{self.qde_dir}/{c}" for c in candidates] + candidates
        for candidate in candidates:
            info = self.archive.find(candidate)
            if info is not None:
                return info
        return None

    def _external(self, location: str, what: str, suffixes: tuple[str, ...]) -> bytes | None:
        if not self.external:
            self.report.warn(f"{what}: external file {location} not read (--no-external)")
            return None
        path = Path(location)
        if path.suffix.lower() not in suffixes:
            self.report.warn(f"{what}: external file {location} is not a {'/'.join(suffixes)}"
                             " file; not read")
            return None
        try:
            if not path.is_file():
                return None
            limit = self.archive.limits.max_member_bytes if self.archive else Limits(
                ).max_member_bytes
            if path.stat().st_size > limit:
                self.report.warn(f"{what}: external file {location} is too large; not read")
                return None
            data = path.read_bytes()
        except OSError as exc:
            self.report.warn(f"{what}: cannot read external file {location}"
                             f" ({exc.strerror or exc})")
            return None
        self.report.warn(f"{what}: text read from the external file {location}")
        return data

    def _load_bytes(self, location: str, what: str,
                    suffixes: tuple[str, ...] = (".txt",)) -> bytes | None:
        scheme, sep, rest = location.strip().partition("://")
        if not sep:
            scheme, rest = "", location.strip()
        scheme = scheme.lower()
        if scheme in ("internal", ""):
            info = self._member(rest)
            if info is not None:
                return self.archive.read(info) if self.archive else None
            if scheme == "internal" or self.base_dir is None:
                return None
            return self._external(str(self.base_dir / rest), what, suffixes)
        if scheme == "relative":
            info = self._member(PurePosixPath(rest).name)
            if info is not None and self.archive is not None:
                return self.archive.read(info)
            base_attr = (self.root.get("basePath") or "").strip()
            base_attr = base_attr.partition("://")[2] if "://" in base_attr else base_attr
            base = Path(base_attr) if base_attr else self.base_dir
            if base is None:
                return None
            return self._external(str(base / rest.lstrip("/")), what, suffixes)
        if scheme == "absolute":
            if re.match(r"^/[A-Za-z]:", rest):
                rest = rest[1:]
            return self._external(rest, what, suffixes)
        self.report.warn(f"{what}: unknown path scheme in '{location}'")
        return None

    def _load_text(self, location: str, what: str,
                   quiet_missing: bool = True) -> tuple[str, list[str]] | None:
        data = self._load_bytes(location, what)
        if data is None:
            if not quiet_missing:
                self.report.warn(f"{what}: {location} is not in the file; skipped")
            return None
        return decode_source(data)

    def _source_text(self, el: Element, what: str) -> tuple[PositionMap, str] | None:
        """The source's text as a position map, and the format it came from."""
        content = el.find("PlainTextContent")
        path = el.get("plainTextPath")
        if path:
            loaded = self._load_text(path, what)
            if loaded is not None:
                raw, warnings = loaded
                for warning in warnings:
                    self.report.warn(f"{what}: {warning}")
                return PositionMap(raw, self.crlf_is_one), "txt"
            if content is None or not content.text:
                rich = self._rich_text(el, what)
                if rich is not None:
                    return rich
                self.report.warn(f"{what}: its text ({path}) is not in the file; skipped")
                return None
        if content is not None and content.text is not None:
            return PositionMap(content.text, True), "txt"
        rich = self._rich_text(el, what)
        if rich is None:
            self.report.warn(f"{what}: no plain text (plainTextPath or PlainTextContent);"
                             " skipped")
        return rich

    def _rich_text(self, el: Element, what: str) -> tuple[PositionMap, str] | None:
        rich_path = el.get("richTextPath") or ""
        if not rich_path.lower().endswith(".docx"):
            return None
        data = self._load_bytes(rich_path, what, (".docx",))
        if data is None:
            return None
        from qualtui.io.docx_import import parse_docx

        try:
            text = parse_docx(data, Path(PurePosixPath(rich_path).name)).text
        except Exception as exc:  # noqa: BLE001 - a damaged .docx only loses this source
            self.report.warn(f"{what}: cannot read its .docx ({type(exc).__name__}); skipped")
            return None
        self.report.warn(f"{what}: no plain text; text taken from its .docx, so coded"
                         " positions may not match")
        return PositionMap(text, True), "docx"

    def _original(self, location: str | None, what: str) -> tuple[bytes | None, str]:
        if not location:
            return None, ""
        scheme, _, rest = location.partition("://")
        if scheme.lower() != "internal":
            return None, ""
        suffix = PurePosixPath(rest).suffix.lower()
        data = self._load_bytes(location, what, (suffix,))
        return data, PurePosixPath(rest).name if data is not None else ""

    def read_sources(self) -> None:
        container = self.root.find("Sources")
        elements = list(container) if container is not None else []
        total = len(elements)
        for index, el in enumerate(elements, start=1):
            if el.tag == "TextSource":
                original, original_name = self._original(el.get("richTextPath"), "source")
                self._text_source(el, el, "txt", original, original_name)
            elif el.tag == "PDFSource":
                self._pdf_source(el)
            else:
                self.report.skip(el.tag)
                for tag in ("PictureSelection", "AudioSelection", "VideoSelection",
                            "Transcript", "TranscriptSelection"):
                    self.report.skip(tag, _count_tags(el, (tag,)))
            if self.progress is not None:
                self.progress("reading sources", index, total)
        self.report.counts["documents"] = len(self.docs)

    def _pdf_source(self, el: Element) -> None:
        name = el.get("name") or "PDF"
        self.report.skip("PDFSelection", len(el.findall("PDFSelection")))
        representation = el.find("Representation")
        if representation is None:
            self.report.warn(f"PDF source '{name}': no text Representation; skipped")
            self.report.skip("PDFSource")
            return
        original, original_name = self._original(el.get("path"), f"PDF source '{name}'")
        self._text_source(representation, el, "pdf", original, original_name)

    def _text_source(self, el: Element, outer: Element, fmt: str, original: bytes | None,
                     original_name: str) -> None:
        path = el.get("plainTextPath") or ""
        raw_name = _name(outer.get("name")) or \
            (PurePosixPath(path.partition("://")[2] or path).stem if path else "") or \
            f"Source {len(self.docs) + 1}"
        what = f"source '{raw_name}'"
        loaded = self._source_text(el, what)
        selections = el.findall("PlainTextSelection")
        lost = sum(len(s.findall("Coding")) for s in selections) + len(el.findall("Coding"))
        if loaded is None:
            warnings = self.report.warnings
            if lost and warnings and warnings[-1].startswith(what):
                warnings[-1] += f" with {lost} coding(s)"
            return
        posmap, text_fmt = loaded
        text = posmap.text
        if not text.strip():
            self.report.warn(f"{what}: its text is empty; skipped"
                             + (f" with {lost} coding(s)" if lost else ""))
            return
        doc_id = self._id(outer.get("guid"), "documents", what)
        name = _unique(raw_name, self.doc_names)
        if name != raw_name:
            self.report.warn(f"{what}: another source has this name; imported as '{name}'")
        filename = PurePosixPath(path.partition("://")[2] or path).name if path else ""
        doc = Document(id=doc_id, name=name, filename=filename or f"{name}.txt",
                       format=fmt if fmt == "pdf" else text_fmt, sha256="", chars=len(text),
                       words=0, imported_at=_timestamp(outer.get("creationDateTime"), self.now),
                       imported_by=self._user(outer.get("creatingUser")),
                       position=len(self.docs), turns=detect_turns(text))
        source = ImportedSource(doc, text, original, original_name)
        self.docs[doc_id] = source
        self.bundle.sources.append(source)
        own: dict[str, Any] = {}
        for container in (el, outer) if outer is not el else (el,):
            for child in container:
                tag = child.tag
                if tag == "PlainTextSelection":
                    self._selection(child, doc, posmap)
                elif tag == "Coding":
                    self._coding(child, doc, 0, len(text), None, what)
                elif tag == "NoteRef":
                    self._note_ref(child, "document", doc_id)
                elif tag == "VariableValue":
                    value = self._value(child, what)
                    if value is not None:
                        own[value[0]] = value[1]
                elif tag == "Description":
                    body = (child.text or "").strip()
                    if body:
                        self._memo("document", doc_id, "Description", normalise(body),
                                   self._user(outer.get("creatingUser")),
                                   _timestamp(outer.get("creationDateTime"), self.now))
                elif tag in ("PlainTextContent", "Representation", "PDFSelection"):
                    continue
                else:
                    self.report.skip(f"{outer.tag}/{tag}")
        if own:
            self.doc_attributes[doc_id] = own

    def _selection(self, sel: Element, doc: Document, posmap: PositionMap) -> None:
        what = f"source '{doc.name}'"
        start, end = _int(sel.get("startPosition")), _int(sel.get("endPosition"))
        codings = sel.findall("Coding")
        label = f"selection {sel.get('startPosition')}-{sel.get('endPosition')}"
        if start is None or end is None:
            self.report.warn(f"{what}: {label} has no valid positions; skipped")
            return
        if start > end:
            self.report.warn(f"{what}: {label} is reversed (start after end); skipped"
                             f" with {len(codings)} coding(s)")
            return
        if start < 0 or end > posmap.length:
            self.report.warn(f"{what}: {label} is outside the text (0-{posmap.length});"
                             f" skipped with {len(codings)} coding(s)")
            return
        s, e = posmap(start), posmap(end)
        if s >= e:
            self.report.warn(f"{what}: {label} is empty; skipped")
            return
        segments: list[str] = []
        for coding in codings:
            segment_id = self._coding(coding, doc, s, e, sel, what)
            if segment_id:
                segments.append(segment_id)
        author = self._user(sel.get("creatingUser"))
        created = _timestamp(sel.get("creationDateTime"), self.now)
        description = (sel.findtext("Description") or "").strip()
        kind, target = ("segment", segments[0]) if segments else ("document", doc.id)
        if description:
            title = " ".join(description.split())[:60]
            if kind == "document":
                title = f"{s}-{e}: {title}"[:60]
            self._memo(kind, target, title, normalise(description), author, created)
        for ref in sel.findall("NoteRef"):
            self._note_ref(ref, kind, target)
        if not codings and not description and not sel.findall("NoteRef"):
            self.report.skip("PlainTextSelection without coding")
        for child in sel:
            if child.tag not in ("Coding", "NoteRef", "Description"):
                self.report.skip(f"PlainTextSelection/{child.tag}")

    def _coding(self, coding: Element, doc: Document, start: int, end: int,
                sel: Element | None, what: str) -> str | None:
        ref = coding.find("CodeRef")
        raw = ref.get("targetGUID") if ref is not None else None
        code_id = self._ref(raw, "codes")
        if code_id is None:
            self.report.warn(f"{what}: a coding of unknown code {raw} at {start}-{end}"
                             " skipped")
            return None
        code = self.codes[code_id]
        if not code.codable and code_id not in self.opened_codable:
            self.opened_codable.add(code_id)
            self.report.warn(f"code '{code.name}' is marked not codable but has codings;"
                             " made codable to keep them")
            code.codable = True
        sel_user = sel.get("creatingUser") if sel is not None else None
        coder = self._user(coding.get("creatingUser"), sel_user)
        key = (doc.id, code_id, start, end, coder)
        if key in self.segment_keys:
            self.report.skip("duplicate Coding")
            return None
        self.segment_keys.add(key)
        segment_id = self._id(coding.get("guid"), "segments", f"{what}: coding")
        created = _timestamp(coding.get("creationDateTime") or
                             (sel.get("creationDateTime") if sel is not None else None),
                             self.now)
        segment = Segment(id=segment_id, document_id=doc.id, code_id=code_id, start=start,
                          end=end, coder=coder, created_at=created)
        self.bundle.segments.append(segment)
        for note in coding.findall("NoteRef"):
            self._note_ref(note, "segment", segment_id)
        return segment_id

    # -- cases -------------------------------------------------------------------------------------
    def read_cases(self) -> None:
        container = self.root.find("Cases")
        names: set[str] = set()
        case_attrs: dict[str, dict[str, Any]] = {}
        for el in container.findall("Case") if container is not None else []:
            raw = _name(el.get("name")) or f"Case {len(names) + 1}"
            case_id = self._id(el.get("guid"), "cases", f"case '{raw}'")
            name = _unique(raw, names)
            attributes: dict[str, Any] = {}
            for child in el:
                if child.tag == "VariableValue":
                    value = self._value(child, f"case '{name}'")
                    if value is not None:
                        attributes[value[0]] = value[1]
                elif child.tag == "SourceRef":
                    doc_id = self._ref(child.get("targetGUID"), "documents")
                    if doc_id is None:
                        self.report.skip("Case/SourceRef to a skipped source")
                        continue
                    doc = self.docs[doc_id].document
                    if doc.case_id and doc.case_id != case_id:
                        self.report.warn(f"source '{doc.name}' belongs to several cases;"
                                         " qualtui keeps the first")
                    elif not doc.case_id:
                        doc.case_id = case_id
                else:
                    self.report.skip(f"Case/{child.tag}")
            case_attrs[case_id] = attributes
            self.bundle.cases.append(Case(id=case_id, name=name, attributes=attributes))
        for source in self.bundle.sources:
            doc = source.document
            merged = dict(case_attrs.get(doc.case_id or "", {}))
            merged.update(self.doc_attributes.get(doc.id, {}))
            doc.attributes = merged
        self.bundle.attributes = list(self.variables.values())
        self.report.counts["cases"] = len(self.bundle.cases)
        self.report.counts["variables"] = len(self.bundle.attributes)

    # -- sets, links, project notes -------------------------------------------------------
    def read_sets(self, container: Element | None, member_attr: str = "targetGUID") -> None:
        if container is None:
            return
        dropped = 0
        for el in container.findall("Set"):
            name = _name(el.get("name")) or "Set"
            set_id = self._id(el.get("guid"), "sets", f"set '{name}'")
            code_set = CodeSet(id=set_id, name=name,
                               description=(el.findtext("Description") or "").strip())
            for child in el:
                if child.tag == "MemberCode":
                    found = self._ref(child.get(member_attr) or child.get("targetGUID")
                                      or child.get("guid"), "codes")
                    target_list = code_set.codes
                elif child.tag == "MemberSource":
                    found = self._ref(child.get("targetGUID"), "documents")
                    target_list = code_set.documents
                elif child.tag == "MemberNote":
                    found = self._ref(child.get("targetGUID"), "notes")
                    target_list = code_set.memos
                else:
                    if child.tag != "Description":
                        self.report.skip(f"Set/{child.tag}")
                    continue
                if found is None:
                    dropped += 1
                elif found not in target_list:
                    target_list.append(found)
            self.bundle.sets.append(code_set)
        if dropped:
            self.report.warn(f"sets: {dropped} member(s) that were not imported were dropped")
        self.report.counts["sets"] = len(self.bundle.sets)

    def read_links(self) -> None:
        container = self.root.find("Links")
        for el in container.findall("Link") if container is not None else []:
            origin = self._ref(el.get("originGUID"), "notes")
            target = None
            for table in ("documents", "codes", "segments", "notes", "cases"):
                target = target or self._ref(el.get("targetGUID"), table)
            if origin is None or target is None:
                self.report.skip("Link")
                continue
            self.notes[origin].links.append(target)

    def finish_notes(self) -> None:
        for ref in self.root.findall("NoteRef"):
            self._note_ref(ref, "project", None)
        notes = [Memo(id=note.id, kind=note.kind or "journal", target_id=note.target_id,
                      title=note.title, body=note.body, author=note.author,
                      created_at=note.created_at, modified_at=note.modified_at,
                      links=note.links) for note in self.notes.values()]
        self.bundle.memos = notes + self.memos  # file order: exports keep their memo order
        self.report.counts["memos"] = len(self.bundle.memos)
        self.report.counts["segments"] = len(self.bundle.segments)

    def skip_unmodelled(self, known: tuple[str, ...]) -> None:
        for child in self.root:
            if child.tag == "Graphs":
                for tag in ("Graph", "Vertex", "Edge"):
                    self.report.skip(tag, _count_tags(child, (tag,)))
            elif child.tag not in known:
                self.report.skip(child.tag)

    # -- whole project ----------------------------------------------------------------------------
    def read_project(self) -> Bundle:
        self.bundle.title = _name(self.root.get("name"))
        self.bundle.created_at = _timestamp(self.root.get("creationDateTime"), "")
        self.bundle.description = (self.root.findtext("Description") or "").strip()
        self.read_users()
        self.read_notes()
        codebook = self.root.find("CodeBook")
        self.read_codes(codebook.find("Codes") if codebook is not None else None)
        self.read_variables()
        self.read_sources()
        self.read_cases()
        self.read_sets(self.root.find("Sets"))
        self.read_links()
        self.finish_notes()
        self.skip_unmodelled(("Users", "CodeBook", "Variables", "Cases", "Sources", "Notes",
                              "Links", "Sets", "Description", "NoteRef"))
        return self.bundle


def _find_qde(archive: SafeArchive) -> Any:
    candidates = [i for i in archive.members if i.filename.lower().endswith(".qde")]
    if not candidates:
        raise ImportFailure(f"{archive.path}: no project.qde inside; is this a REFI-QDA"
                            " project (.qdpx)? A codebook (.qdc) is imported with"
                            " 'qualtui codebook import'")

    def rank(info: Any) -> tuple[int, int]:
        name = info.filename.replace("\\", "/")
        return name.count("/"), 0 if name.lower().rsplit("/", 1)[-1] == "project.qde" else 1

    return min(candidates, key=rank)


def read_qdpx(path: Path, *, coder: str, external: bool = True,
              limits: Limits | None = None,
              progress: Progress | None = None) -> tuple[Bundle, ImportReport]:
    """Read a .qdpx into a :class:`Bundle` (nothing is written anywhere)."""
    path = Path(path)
    report = ImportReport(source=path.name)
    with SafeArchive(path, limits) as archive:
        info = _find_qde(archive)
        data = archive.read(info, archive.limits.max_xml_bytes)
        root, namespace = parse_xml(data, f"{path}: {info.filename}")
        if root.tag != "Project":
            raise ImportFailure(f"{path}: {info.filename} is not a REFI-QDA project (its root"
                                f" element is {root.tag}, not Project)")
        if namespace and "qda-xml" not in namespace.lower():
            report.warn(f"unexpected XML namespace '{namespace}'; read as REFI-QDA anyway")
        qde_dir = info.filename.replace("\\", "/").rpartition("/")[0]
        reader = _Reader(root, report, coder, archive=archive, qde_dir=qde_dir,
                         base_dir=path.resolve().parent, external=external, progress=progress)
        report.origin = reader.origin
        bundle = reader.read_project()
    return bundle, report


def read_qdc(path: Path, *, coder: str) -> tuple[list[Code], list[CodeSet], ImportReport]:
    """Read a REFI-QDA codebook (.qdc): codes (parents first) and code sets."""
    path = Path(path)
    report = ImportReport(source=path.name)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFailure(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ImportFailure(f"{path}: is a directory, not a .qdc file") from None
    except OSError as exc:
        raise ImportFailure(f"{path}: cannot read file ({exc.strerror or exc})") from None
    if len(data) > Limits().max_xml_bytes:
        raise ImportFailure(f"{path}: too large for a codebook")
    if data.startswith(b"PK\x03\x04"):
        raise ImportFailure(f"{path}: a zip archive, not a .qdc codebook (for a .qdpx project"
                            " use 'qualtui init PATH --from FILE.qdpx')")
    root, namespace = parse_xml(data, str(path))
    if root.tag == "Project":
        codebook = root.find("CodeBook")
        if codebook is None:
            raise ImportFailure(f"{path}: a REFI-QDA project without a codebook")
        root_codebook = codebook
    elif root.tag == "CodeBook":
        root_codebook = root
    else:
        raise ImportFailure(f"{path}: not a REFI-QDA codebook (root element {root.tag},"
                            " expected CodeBook)")
    if namespace and "qda-xml" not in namespace.lower():
        report.warn(f"unexpected XML namespace '{namespace}'; read as REFI-QDA anyway")
    reader = _Reader(root_codebook, report, coder)
    report.origin = root_codebook.get("origin", "") or root.get("origin", "") or ""
    reader.read_codes(root_codebook.find("Codes"))
    reader.read_sets(root_codebook.find("Sets"), member_attr="guid")
    for child in root_codebook:
        if child.tag not in ("Codes", "Sets"):
            report.skip(child.tag)
    return reader.bundle.codes, reader.bundle.sets, report
