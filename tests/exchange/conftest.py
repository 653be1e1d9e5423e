"""Fixtures for the exchange tests: a richly coded project, the REFI-QDA schemas."""

from __future__ import annotations

import pytest
from exchange_helpers import INTERVIEW, REFI, SECOND, find

from qualtui.core.cases import AttributeTable
from qualtui.core.exchange import CodeSet, ExchangeService
from qualtui.core.project import Project
from qualtui.core.text import detect_turns


@pytest.fixture
def rich_project(project: Project) -> Project:
    """Two documents, a code tree with a category, segments by two coders, memos of every
    kind, cases with typed attributes and a set."""
    p1 = project.documents.add("P01", INTERVIEW, fmt="txt", filename="P01.txt",
                               turns=detect_turns(INTERVIEW))
    p2 = project.documents.add("F01", SECOND, fmt="txt", filename="F01.txt")
    project.codebook.add("Benefits", codable=False, definition="Advantages.")
    flood = project.codebook.add("Benefits/Rapid dissemination",
                                 definition="News reaches people fast.",
                                 use_when="Speed is the point.", example="flood alerts")
    privacy = project.codebook.add("Risks/Privacy", definition="Personal data exposed.")
    place = project.codebook.add("Context/Place")
    from qualtui.core.coding import CodingRequest

    s, e = find(INTERVIEW, "We post flood alerts on Facebook.")
    seg1 = project.coding.apply(p1.id, s, e, flood.id, coder="coder1",
                                memo="Alerts are the main use.")
    s, e = find(INTERVIEW, "Citizens post IC numbers like 800101-14-5555 in comments.")
    project.coding.apply_many([
        CodingRequest(p1.id, s, e, privacy.id, "coder1"),
        CodingRequest(p1.id, s, e, privacy.id, "coder2"),
    ], "bulk")
    s, e = find(SECOND, "The officer in Kota Bharu showed the page.")
    project.coding.apply(p2.id, s, e, place.id, coder="coder2")
    project.memos.create("project", None, "Project memo", "Aims of the study.")
    project.memos.create("journal", None, "Day 1", "Started coding P01.")
    project.memos.create("document", p1.id, "About P01", "Aminah was candid.")
    project.memos.create("code", privacy.id, "Privacy memo", "IC numbers recur.",
                         links=[seg1.id])
    table = AttributeTable(columns=["role", "years", "level", "interviewed"])
    table.rows["P01"] = ("Aminah", {"role": "Webmaster", "years": "9", "level": "federal",
                                    "interviewed": "2025-03-03"})
    table.rows["F01"] = ("Kota Bharu site", {"role": "Observer", "years": "2",
                                             "level": "state", "interviewed": "2025-03-04"})
    project.cases.apply_table(table)
    ExchangeService(project.repo, project.log).merge_codebook(
        [], [CodeSet(id="5b0c7a8e-2f64-4c3e-9d8e-1c2b3a4d5e6f", name="Risk codes",
                     description="Codes about risk", codes=[privacy.id],
                     documents=[p1.id])], "add a set")
    return project


@pytest.fixture(scope="session")
def project_schema():
    if not (REFI / "schemas" / "Project.xsd").is_file():
        pytest.skip("../shared/refi absent")
    import xmlschema

    return xmlschema.XMLSchema(str(REFI / "schemas" / "Project.xsd"))


@pytest.fixture(scope="session")
def codebook_schema():
    if not (REFI / "schemas" / "Codebook.xsd").is_file():
        pytest.skip("../shared/refi absent")
    import xmlschema

    return xmlschema.XMLSchema(str(REFI / "schemas" / "Codebook.xsd"))

