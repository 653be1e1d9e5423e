"""Test data and builders for the exchange tests (synthetic .qdpx files, independent counts)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
REFI = REPO.parent / "shared" / "refi"
SAMPLES = sorted((REFI / "samples").glob("*.qdpx")) if REFI.is_dir() else []

needs_refi = pytest.mark.skipif(not (REFI / "schemas" / "Project.xsd").is_file(),
                                reason="../shared/refi (REFI-QDA schemas and samples) absent")

INTERVIEW = (
    "Interview with Aminah binti Abdullah, Putrajaya, 3 March 2025\n\n"
    "Interviewer: How does your agency use social media?\n\n"
    "Aminah: We post flood alerts on Facebook. Aminah's team in Putrajaya answers"
    " comments; Encik Lim approves each post.\n\n"
    "Interviewer: And the risks?\n\n"
    "Aminah: Citizens post IC numbers like 800101-14-5555 in comments. That is a privacy"
    " problem.\n"
)
SECOND = (
    "Field notes, Kota Bharu.\n\n"
    "The officer in Kota Bharu showed the page. Encik Lim was not there.\n"
)

G_CODE_A = "AAAAAAAA-0000-4000-8000-000000000001"
G_CODE_B = "{aaaaaaaa-0000-4000-8000-000000000002}"
G_USER = "BBBBBBBB-0000-4000-8000-000000000001"


def find(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    """Write a zip with the given members (names used as given, even hostile ones)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    path.write_bytes(buffer.getvalue())
    return path


def project_xml(body: str, *, origin: str = "Test 1.0", name: str = "Synthetic",
                namespace: str = "urn:QDA-XML:project:1.0", extra: str = "") -> bytes:
    """A project.qde around ``body`` with two codes (A, B under A) and one user."""
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<Project{xmlns} name="{name}"'
            f' origin="{origin}" {extra}>'
            f'<Users><User guid="{G_USER}" name="alice"/></Users>'
            f'<CodeBook><Codes><Code guid="{G_CODE_A}" name="A" isCodable="true"'
            f' color="#FF0000"><Description>Code A.</Description>'
            f'<Code guid="{G_CODE_B}" name="B" isCodable="true"/></Code></Codes></CodeBook>'
            f"{body}</Project>").encode()


def text_source(guid: str, name: str, path: str, selections: str = "",
                extra: str = "") -> str:
    return (f'<TextSource guid="{guid}" name="{name}" plainTextPath="{path}" {extra}>'
            f"{selections}</TextSource>")


def selection(guid: str, start: int, end: int, code: str = G_CODE_A,
              coding_guid: str = "") -> str:
    coding = coding_guid or guid[:-4] + "ffff"
    return (f'<PlainTextSelection guid="{guid}" startPosition="{start}" endPosition="{end}">'
            f'<Coding guid="{coding}" creatingUser="{G_USER}"><CodeRef targetGUID="{code}"/>'
            f"</Coding></PlainTextSelection>")


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def expected_counts(path: Path) -> dict[str, int]:
    """Codes, text sources with text, and codings on them, counted straight from the XML
    (stdlib zipfile and ElementTree, independent of qualtui's reader)."""
    with zipfile.ZipFile(path) as archive:
        names = {n.lower(): n for n in archive.namelist()}
        qde = next(n for n in archive.namelist() if n.lower().endswith(".qde"))
        root = ET.fromstring(archive.read(qde))
        for element in root.iter():
            element.tag = _local(element.tag)
        code_guids = {c.get("guid", "").strip("{}").lower() for c in root.iter("Code")}
        sources = segments = 0
        selections: set[tuple[str, str, str]] = set()
        texts = list(root.iter("TextSource"))
        texts += [r for pdf in root.iter("PDFSource") for r in pdf.findall("Representation")]
        for source in texts:
            location = source.get("plainTextPath") or ""
            rest = location.partition("://")[2] or location
            member = names.get(f"sources/{rest}".lower()) or names.get(rest.lower())
            text = archive.read(member).decode("utf-8-sig") if member else ""
            if not text.strip():
                continue
            sources += 1
            for sel in source.findall("PlainTextSelection"):
                for coding in sel.findall("Coding"):
                    ref = coding.find("CodeRef")
                    if ref is not None and ref.get("targetGUID", "").strip("{}").lower() \
                            in code_guids:
                        segments += 1
                        selections.add((source.get("guid", ""), sel.get("startPosition", ""),
                                        sel.get("endPosition", "")))
        return {"codes": len(code_guids), "documents": sources, "segments": segments,
                "selections": len(selections)}


def qde_of(path: Path) -> ET.Element:
    """The project.qde of a .qdpx, parsed with the namespace kept."""
    with zipfile.ZipFile(path) as archive:
        return ET.fromstring(archive.read("project.qde"))
