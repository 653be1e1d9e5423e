"""Test data for the retrieval tests: two interviews, a small codebook, a few segments."""

from __future__ import annotations

from pathlib import Path

from qualtui.core.project import Project
from qualtui.core.text import detect_turns
from qualtui.store.project import init_project, open_project

DOC1 = (
    "Interview P01 - records\n\n"
    "Interviewer: Where do you keep the records of your Facebook page?\n\n"
    "P01: We keep no records. The page is the only copy. Nobody archives the comments.\n"
    "Sometimes we screenshot a post. That is all.\n\n"
    "Interviewer: And WhatsApp?\n\n"
    "P01: WhatsApp groups are worse. Records vanish when a phone is lost.\n"
)

DOC2 = (
    "Interview P02\n\n"
    "Interviewer: What about privacy?\n\n"
    "P02: Citizens send their IC numbers. We hide those comments. Privacy is a records"
    " issue and records matter.\n\n"
    "Interviewer: Anything else?\n\n"
    "P02: No.\n"
)

CODES = ("Risks/Records", "Risks/Privacy", "Risks/Security", "Benefits/Transparency")

ATTRIBUTES_CSV = (
    "document,case,role,years_of_service,joined\n"
    "P01,R1,Records officer,21,2004-05-01\n"
    "P02,R2,Webmaster,9,2016-02-10\n"
)


def span(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    pos = -1
    for _ in range(nth + 1):
        pos = text.index(needle, pos + 1)
    return pos, pos + len(needle)


def build(root: Path, segments: bool = True) -> Path:
    """A project at ``root``: P01, P02, :data:`CODES`, attributes and (optionally) segments.

    Segments (coder1 unless said): Records on "We keep no records." and (coder2) "Records
    vanish when a phone is lost."; Privacy on "Citizens send their IC numbers." with a memo
    and on "Privacy is a records issue"; Security on "Records vanish when a phone is lost."
    """
    init_project(root, title="Retrieval test")
    project = open_project(root, coder="coder1")
    try:
        d1 = project.documents.add("P01", DOC1, fmt="txt", filename="P01.txt",
                                   turns=detect_turns(DOC1))
        d2 = project.documents.add("P02", DOC2, fmt="txt", filename="P02.txt",
                                   turns=detect_turns(DOC2))
        for path in CODES:
            project.codebook.add(path)
        project.codebook.update(project.codebook.find("Risks").id, codable=False)
        csv_path = root / "attributes.csv"
        csv_path.write_text(ATTRIBUTES_CSV, encoding="utf-8")
        from qualtui.io.tables import parse_attribute_csv

        project.cases.apply_table(parse_attribute_csv(csv_path))
        if segments:
            book = project.codebook
            records = book.find("Risks/Records").id
            privacy = book.find("Risks/Privacy").id
            security = book.find("Risks/Security").id
            project.coding.apply(d1.id, *span(DOC1, "We keep no records."), records)
            project.coding.apply(d1.id, *span(DOC1, "Records vanish when a phone is lost."),
                                 records, coder="coder2")
            project.coding.apply(d2.id, *span(DOC2, "Citizens send their IC numbers."),
                                 privacy, memo="IC numbers in public comments")
            project.coding.apply(d2.id, *span(DOC2, "Privacy is a records issue"), privacy)
            project.coding.apply(d1.id, *span(DOC1, "Records vanish when a phone is lost."),
                                 security)
    finally:
        project.close()
    return root


def reopen(project: Project) -> Project:
    """The project as stored (another process's view)."""
    project.refresh()
    return project
