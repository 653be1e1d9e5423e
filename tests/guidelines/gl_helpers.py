"""A small hand-built study for the guideline tests, with its expected numbers worked out.

Respondents (cases): R1 (two interviews, A1 and A2, role Webmaster), R2 (B1, Records
officer) and C1 (a document without a case is its own respondent, no role): N = 3.

Segments (respondent in brackets)::

    Risks/Privacy               A1 "We keep IC numbers out of comments." (coder1 and coder2) [R1]
                                B1 "Citizens like Aminah post IC numbers."                    [R2]
                                C1 "Privacy matters most."                                    [C1]
    Risks/Security              A1 "Our page was hacked once."                                [R1]
                                A2 "Passwords were shared."                                   [R1]
                                C1 "Two-factor stops hijacking."                              [C1]
    Benefits/Transparency       A1 "People see what we do."                                   [R1]
                                B1 "We publish decisions openly."                             [R2]
    Strategy/Privacy protection A2 "Privacy notices help."                                    [R1]

"Risks" is a category (not codable). Guidelines, in section 1 "Privacy" and 2 "Security":

* 1.1 "Keep identifiers out of public channels": codes Risks/Privacy and Strategy/Privacy
  protection; evidence A1 privacy (both coders' segments) and A2 privacy protection, counter
  C1 "Privacy matters most." -> support 1 of 3 (R1 only), codes 3 of 3, counter 1.
* 2.1 "Require two-factor authentication": code Risks (the category, so its sub-codes);
  evidence A1 "hacked" and C1 "Two-factor" -> support 2 of 3, codes 3 of 3, counter 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from qualtui.core.cases import AttributeTable
from qualtui.core.guidelines import GuidelineService
from qualtui.core.project import Project
from qualtui.core.text import detect_turns
from qualtui.store.project import init_project, open_project

TEXTS = {
    "A1": ("Interview A1\n\nInterviewer: Tell me about risks.\n\n"
           "R1: We keep IC numbers out of comments. Our page was hacked once."
           " People see what we do.\n"),
    "A2": ("Interview A2\n\nInterviewer: And now?\n\n"
           "R1: Privacy notices help. Passwords were shared.\n"),
    "B1": ("Interview B1\n\nInterviewer: What do citizens do?\n\n"
           "R2: Citizens like Aminah post IC numbers. We publish decisions openly.\n"),
    "C1": ("Interview C1\n\nInterviewer: What matters?\n\n"
           "C1: Privacy matters most. Two-factor stops hijacking.\n"),
}

CODINGS = [  # (document, quote, code, coder)
    ("A1", "We keep IC numbers out of comments.", "Risks/Privacy", "coder1"),
    ("A1", "We keep IC numbers out of comments.", "Risks/Privacy", "coder2"),
    ("A1", "Our page was hacked once.", "Risks/Security", "coder1"),
    ("A1", "People see what we do.", "Benefits/Transparency", "coder1"),
    ("A2", "Privacy notices help.", "Strategy/Privacy protection", "coder1"),
    ("A2", "Passwords were shared.", "Risks/Security", "coder1"),
    ("B1", "Citizens like Aminah post IC numbers.", "Risks/Privacy", "coder1"),
    ("B1", "We publish decisions openly.", "Benefits/Transparency", "coder1"),
    ("C1", "Privacy matters most.", "Risks/Privacy", "coder1"),
    ("C1", "Two-factor stops hijacking.", "Risks/Security", "coder1"),
]


@dataclass
class Study:
    """Ids of the hand-built study's records."""

    root: Path
    codes: dict[str, str] = field(default_factory=dict)  # path -> id
    segments: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (doc, quote, coder)
    sections: dict[str, str] = field(default_factory=dict)  # title -> id
    guidelines: dict[str, str] = field(default_factory=dict)  # number -> id

    def seg(self, doc: str, quote: str, coder: str = "coder1") -> str:
        return self.segments[(doc, quote, coder)]


def build_study(root: Path, *, with_guidelines: bool = True) -> Study:
    init_project(root, title="Guideline test study")
    project = open_project(root, coder="coder1")
    study = Study(root=root)
    for name, text in TEXTS.items():
        project.documents.add(name, text, fmt="txt", filename=f"{name}.txt",
                              turns=detect_turns(text))
    project.cases.apply_table(AttributeTable(columns=["role"], rows={
        "A1": ("R1", {"role": "Webmaster"}), "A2": ("R1", {"role": "Webmaster"}),
        "B1": ("R2", {"role": "Records officer"})}))
    for path in ("Risks/Privacy", "Risks/Security", "Benefits/Transparency",
                 "Strategy/Privacy protection"):
        project.codebook.add(path)
    risks = project.codebook.find("Risks")
    assert risks is not None
    project.codebook.update(risks.id, codable=False, definition="Risks and barriers.")
    for path, code in project.codebook.paths().items():
        study.codes[path] = code.id
    docs = {d.name: d for d in project.documents.all()}
    for doc, quote, path, coder in CODINGS:
        start = TEXTS[doc].index(quote)
        segment = project.coding.apply(docs[doc].id, start, start + len(quote),
                                       study.codes[path], coder=coder)
        study.segments[(doc, quote, coder)] = segment.id
    if with_guidelines:
        add_guidelines(project, study)
    project.close()
    return study


def add_guidelines(project: Project, study: Study) -> None:
    service = GuidelineService(project)
    privacy = service.add_section("Privacy", "Personal data on social media.")
    security = service.add_section("Security")
    study.sections = {"Privacy": privacy.id, "Security": security.id}
    g1 = service.add(privacy.id, "Keep identifiers out of public channels",
                     statement="Officers **never** ask for IC numbers in public.",
                     rationale="Citizens post IC numbers in comments.",
                     code_ids=[study.codes["Risks/Privacy"],
                               study.codes["Strategy/Privacy protection"]],
                     priority="high")
    for key in (("A1", "We keep IC numbers out of comments.", "coder1"),
                ("A1", "We keep IC numbers out of comments.", "coder2"),
                ("A2", "Privacy notices help.", "coder1")):
        service.add_evidence(g1.id, study.seg(*key))
    service.add_evidence(g1.id, study.seg("C1", "Privacy matters most."), counter=True)
    g2 = service.add(security.id, "Require two-factor authentication",
                     statement="Every administrator uses two-factor authentication.",
                     code_ids=[study.codes["Risks"]])
    service.add_evidence(g2.id, study.seg("A1", "Our page was hacked once."))
    service.add_evidence(g2.id, study.seg("C1", "Two-factor stops hijacking."))
    study.guidelines = {"1.1": g1.id, "2.1": g2.id}
