"""The hand-checked corpus of the analysis tests, as plain data and as a real project.

Codes (codebook order): Benefits/Transparency (A), Benefits/Efficiency (B),
Benefits/Accountability (C), Risks/Privacy (D); Benefits and Risks are categories.

P01 (case R1; role Webmaster, 5 years, 2025-03-10) is three paragraphs of "ab ab ... z",
(0,100) (102,202) (204,304), and two speaker turns (0,150) (150,304):
    s1 A 0-50 coder1, s2 B 40-60 coder1, s3 C 55-120 coder1, s4 A 110-130 coder2,
    s5 A 0-50 coder2, s6 D 250-260 coder1
P02 (case R1; Records officer, 12 years, 2025-03-01), one paragraph of 200, no turns:
    t1 A 10-30 coder1, t2 C 25-40 coder1, t3 B 100-110 coder1, t4 D 105-108 coder2
P03 (case R2; Webmaster, 20 years, 2025-03-20), one paragraph of 100, no turns:
    u1 A 0-10 coder1, u2 B 10-20 coder1 (adjacent to u1), u3 B 50-60 coder2

Every expected figure in the tests is worked out by hand from this listing.
"""

from __future__ import annotations

from qualtui.analysis.data import AnalysisData, CodeInfo, DocInfo, Seg
from qualtui.core.cases import AttributeTable
from qualtui.core.models import Turn
from qualtui.core.project import Project

PARA = "ab " * 33 + "z"  # 100 characters; words at [3k, 3k+2) for k = 0..32, "z" at 99
P01_TEXT = PARA + "\n\n" + PARA.replace("z", "y") + "\n\n" + PARA.replace("z", "x")
P02_TEXT = "ab " * 66 + "zz"  # 200 characters, words at [3k, 3k+2), "zz" at 198
P03_TEXT = "ab " * 33 + "w"
P01_TURNS = ((0, 150), (150, 304))

A, B, C, D = "Benefits/Transparency", "Benefits/Efficiency", "Benefits/Accountability", \
    "Risks/Privacy"
CODE_PATHS = (A, B, C, D)

SEGMENTS = (  # (id, document, code path, start, end, coder)
    ("s1", "P01", A, 0, 50, "coder1"),
    ("s2", "P01", B, 40, 60, "coder1"),
    ("s3", "P01", C, 55, 120, "coder1"),
    ("s4", "P01", A, 110, 130, "coder2"),
    ("s5", "P01", A, 0, 50, "coder2"),
    ("s6", "P01", D, 250, 260, "coder1"),
    ("t1", "P02", A, 10, 30, "coder1"),
    ("t2", "P02", C, 25, 40, "coder1"),
    ("t3", "P02", B, 100, 110, "coder1"),
    ("t4", "P02", D, 105, 108, "coder2"),
    ("u1", "P03", A, 0, 10, "coder1"),
    ("u2", "P03", B, 10, 20, "coder1"),
    ("u3", "P03", B, 50, 60, "coder2"),
)

DOCUMENTS = (  # (name, text, turns, case, attributes)
    ("P01", P01_TEXT, P01_TURNS, "R1",
     {"role": "Webmaster", "years_of_service": 5, "interview_date": "2025-03-10"}),
    ("P02", P02_TEXT, (), "R1",
     {"role": "Records officer", "years_of_service": 12, "interview_date": "2025-03-01"}),
    ("P03", P03_TEXT, (), "R2",
     {"role": "Webmaster", "years_of_service": 20, "interview_date": "2025-03-20"}),
)
ATTRIBUTE_TYPES = {"role": "category", "years_of_service": "number", "interview_date": "date"}


def corpus() -> AnalysisData:
    """The corpus as plain analysis data (code ids are their paths, document ids their names)."""
    codes = [
        CodeInfo("Benefits", "Benefits", "Benefits", None, "#0072B2", 1, codable=False),
        CodeInfo(A, "Transparency", A, "Benefits", "#56B4E9", 2),
        CodeInfo(B, "Efficiency", B, "Benefits", "#005A8C", 2),
        CodeInfo(C, "Accountability", C, "Benefits", "#3A8FC7", 2),
        CodeInfo("Risks", "Risks", "Risks", None, "#D55E00", 1, codable=False),
        CodeInfo(D, "Privacy", D, "Risks", "#E69F00", 2),
    ]
    docs = [DocInfo(id=name, name=name, position=i, case=case, attributes=attrs,
                    turns=turns, text=text)
            for i, (name, text, turns, case, attrs) in enumerate(DOCUMENTS)]
    segs = [Seg(sid, doc, code, start, end, coder)
            for sid, doc, code, start, end, coder in SEGMENTS]
    return AnalysisData(codes=codes, documents=docs, segments=segs,
                        attribute_types=dict(ATTRIBUTE_TYPES))


def populate(project: Project) -> dict[str, str]:
    """Write the corpus into an empty project; returns segment label -> stored segment id."""
    docs = {}
    for name, text, turns, _case, _attrs in DOCUMENTS:
        docs[name] = project.documents.add(
            name, text, fmt="txt", filename=f"{name}.txt",
            turns=[Turn(s, e, "Speaker", s) for s, e in turns])
    codes = {}
    for path in CODE_PATHS:
        codes[path] = project.codebook.add(path)
    for category in ("Benefits", "Risks"):
        found = project.codebook.find(category)
        assert found is not None
        project.codebook.update(found.id, codable=False)
    columns = ["role", "years_of_service", "interview_date"]
    table = AttributeTable(columns, {name: (case, {k: str(v) for k, v in attrs.items()})
                                     for name, _t, _u, case, attrs in DOCUMENTS})
    project.cases.apply_table(table)
    ids = {}
    for sid, doc, code, start, end, coder in SEGMENTS:
        segment = project.coding.apply(docs[doc].id, start, end, codes[code].id, coder=coder)
        ids[sid] = segment.id
    return ids
