"""The guideline model: numbering, support, coverage, evidence marks, undo, YAML exchange.

Expected numbers are worked out by hand in :mod:`gl_helpers`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from gl_helpers import Study

from qualtui.core.errors import Conflict, NotFound, QualtuiError
from qualtui.core.guidelines import (
    TEMPLATE,
    Address,
    GuidelineService,
    Support,
    parse_spec,
)
from qualtui.core.project import Project
from qualtui.store.project import open_project


@pytest.fixture
def service(project: Project) -> GuidelineService:
    return GuidelineService(project)


def test_numbers_follow_sections_and_positions(service: GuidelineService, study: Study) -> None:
    assert [(g.number, g.title) for g in service.guidelines()] == [
        ("1.1", "Keep identifiers out of public channels"),
        ("2.1", "Require two-factor authentication")]
    extra = service.add(study.sections["Privacy"], "Publish a privacy notice")
    assert extra.number == "1.2"
    service.move_section(study.sections["Security"], 1)
    assert [g.number for g in service.guidelines()] == ["1.1", "2.1", "2.2"]
    assert service.get("1.1").title == "Require two-factor authentication"
    assert service.get("2.2").id == extra.id
    assert service.section("1").title == "Security"


def test_support_counts_distinct_respondents(service: GuidelineService, study: Study) -> None:
    index = service.index()
    assert index.total == 3
    g1, g2 = service.get("1.1"), service.get("2.1")
    # g1: evidence from R1 only (two coders' segments of one passage, and A2 of R1 too)
    assert index.support(g1) == Support(evidence=1, codes=3, counter=1, total=3, segments=3)
    assert index.support(g1).label() == "1 of 3 respondents"
    # g2 links the category Risks: its sub-codes' segments come from R1, R2 and C1
    assert index.support(g2) == Support(evidence=2, codes=3, counter=0, total=3, segments=2)


def test_support_ignores_deleted_segments(project: Project, service: GuidelineService,
                                          study: Study) -> None:
    project.coding.remove(study.seg("C1", "Two-factor stops hijacking."))
    support = service.index().support(service.get("2.1"))
    assert (support.evidence, support.codes) == (1, 3)  # Risks/Privacy in C1 remains


def test_coverage_gaps_and_weak_guidelines(service: GuidelineService, study: Study) -> None:
    k2 = service.coverage(2)
    # Transparency: R1 and R2, linked by no guideline; Security is under the linked Risks
    assert [(g.path, g.respondents, g.segments) for g in k2.gaps] == [
        ("Benefits/Transparency", 2, 2)]
    assert [(w.number, w.support.evidence) for w in k2.weak] == [("1.1", 1)]
    k3 = service.coverage(3)
    assert k3.gaps == []
    assert [w.number for w in k3.weak] == ["1.1", "2.1"]
    assert service.coverage(1).weak == []
    with pytest.raises(QualtuiError):
        service.coverage(0)


def test_addressing_or_linking_closes_a_gap(service: GuidelineService, study: Study) -> None:
    g2 = service.get("2.1")
    service.update(g2.id, addresses=[Address("benefit", "Open decisions",
                                             study.codes["Benefits/Transparency"])])
    assert service.coverage(2).gaps == []
    service.unlink_code(g2.id, study.codes["Risks"])
    # Security (R1, C1) is no longer addressed through its parent; Privacy still is (1.1)
    assert [(g.path, g.respondents) for g in service.coverage(2).gaps] == [
        ("Risks/Security", 2)]


def test_candidates_merge_one_passage_coded_twice(service: GuidelineService,
                                                  study: Study) -> None:
    g1 = service.get("1.1")
    candidates = service.index().candidates(g1)
    assert [(c.document, c.text, c.respondent, c.role, c.chosen, c.counter) for c in
            candidates] == [
        ("A1", "We keep IC numbers out of comments.", "R1", "Webmaster", True, False),
        ("A2", "Privacy notices help.", "R1", "Webmaster", True, False),
        ("B1", "Citizens like Aminah post IC numbers.", "R2", "Records officer", False, False),
        ("C1", "Privacy matters most.", "C1", "", True, True),
    ]


def test_evidence_toggles_marks_and_undo(project: Project, service: GuidelineService,
                                         study: Study) -> None:
    gid = study.guidelines["1.1"]
    b1 = study.seg("B1", "Citizens like Aminah post IC numbers.")
    assert service.toggle_evidence(gid, b1) is True
    assert service.index().support(service.get("1.1")).evidence == 2
    assert service.toggle_counter(gid, b1) is True
    support = service.index().support(service.get("1.1"))
    assert (support.evidence, support.counter) == (1, 2)
    with pytest.raises(QualtuiError, match="counter-evidence"):
        service.set_quote(gid, b1, True)
    service.set_counter(gid, b1, False)
    assert service.toggle_quote(gid, b1) is True
    assert service.get("1.1").evidence_for(b1).quote is True
    # each step is one logged operation: undo walks them back
    assert "report quote" in project.undo()
    assert "supporting" in project.undo()
    assert "counter-evidence" in project.undo()
    assert "added evidence" in project.undo()
    assert service.get("1.1").evidence_for(b1) is None
    assert project.redo().startswith("redo: ")
    assert service.get("1.1").evidence_for(b1) is not None


def test_quotes_are_limited_to_three(service: GuidelineService, study: Study) -> None:
    gid = study.guidelines["1.1"]
    for key in (("A1", "We keep IC numbers out of comments.", "coder1"),
                ("A2", "Privacy notices help.", "coder1"),
                ("B1", "Citizens like Aminah post IC numbers.", "coder1")):
        service.set_quote(gid, study.seg(*key), True)
    with pytest.raises(QualtuiError, match="at most 3"):
        service.set_quote(gid, study.seg("A1", "We keep IC numbers out of comments.",
                                         "coder2"), True)


def test_edits_validate_and_keep_history(service: GuidelineService, study: Study) -> None:
    gid = study.guidelines["2.1"]
    with pytest.raises(QualtuiError, match="priority"):
        service.update(gid, priority="urgent")
    with pytest.raises(QualtuiError, match="title"):
        service.update(gid, title="   ")
    with pytest.raises(QualtuiError, match="unknown guideline field"):
        service.update(gid, evidence=[])
    updated = service.update(gid, status="reviewed", rationale="Hijacked pages.")
    assert (updated.status, updated.rationale) == ("reviewed", "Hijacked pages.")
    assert updated.history[-1].change == "edited status draft -> reviewed, rationale"
    assert updated.history[0].change == "created in Security"
    with pytest.raises(Conflict):
        service.add_evidence(gid, study.seg("A1", "Our page was hacked once."))
    with pytest.raises(NotFound):
        service.remove_evidence(gid, study.seg("B1", "Citizens like Aminah post IC numbers."))


def test_moving_across_sections_and_deleting_with_undo(project: Project,
                                                       service: GuidelineService,
                                                       study: Study) -> None:
    service.shift(study.guidelines["2.1"], -1)  # into the end of section 1
    assert [(g.number, g.section_id) for g in service.guidelines()] == [
        ("1.1", study.sections["Privacy"]), ("1.2", study.sections["Privacy"])]
    with pytest.raises(QualtuiError, match="start"):
        service.shift(study.guidelines["1.1"], -1)
    with pytest.raises(Conflict, match="holds 2"):
        service.delete_section(study.sections["Privacy"])
    assert service.delete_section(study.sections["Privacy"], force=True) == 2
    assert service.guidelines() == []
    project.undo()
    assert len(service.guidelines()) == 2


def test_template_adds_missing_sections_once(bare_study: Study) -> None:
    project = open_project(bare_study.root, coder="coder1")
    try:
        service = GuidelineService(project)
        service.add_section("Privacy")
        added = service.add_template()
        assert [s.title for s in added] == [t.title for t in TEMPLATE if t.title != "Privacy"]
        assert len(service.sections()) == 10
        assert service.sections()[0].title == "Privacy"
        assert service.add_template() == []
        assert "10" not in project.undo() and len(service.sections()) == 1
    finally:
        project.close()


def test_yaml_round_trip_resolves_quotes(service: GuidelineService, study: Study,
                                         bare_study: Study) -> None:
    text = service.export_yaml()
    assert "Keep identifiers out of public channels" in text
    other = open_project(bare_study.root, coder="coder2")
    try:
        target = GuidelineService(other)
        assert target.import_spec(parse_spec(text, "export.yaml")) == (2, 2, 0)
        imported = {g.number: g for g in target.guidelines()}
        index = target.index()
        assert index.support(imported["1.1"]) == Support(1, 3, 1, 3, 3)
        assert index.support(imported["2.1"]) == Support(2, 3, 0, 3, 2)
        assert imported["1.1"].author == "coder1" and imported["1.1"].priority == "high"
        # importing again changes nothing
        assert target.import_spec(parse_spec(text, "export.yaml")) == (0, 0, 0)
    finally:
        other.close()


def test_spec_errors_name_the_file_and_place(service: GuidelineService) -> None:
    with pytest.raises(QualtuiError, match="g.yaml: section 1 guideline 1: each guideline"):
        parse_spec("sections:\n  - title: A\n    guidelines:\n      - statement: x\n",
                   "g.yaml")
    spec = parse_spec("sections:\n  - title: Privacy\n    guidelines:\n"
                      "      - title: T\n        evidence:\n"
                      "          - {doc: A1, quote: Nobody said this}\n", "g.yaml")
    with pytest.raises(NotFound, match="no coded segment of A1 holds the quote"):
        service.import_spec(spec)
    assert [g.title for g in service.guidelines()] == [
        "Keep identifiers out of public channels", "Require two-factor authentication"]


def test_sample_project_ships_resolved_draft_guidelines(tmp_path: Path) -> None:
    sample = Path(__file__).resolve().parents[2] / "sample_project"
    copy = tmp_path / "sample"
    shutil.copytree(sample, copy, ignore=shutil.ignore_patterns("*.lock", "backups"))
    project = open_project(copy, coder="coder1")
    try:
        service = GuidelineService(project)
        guidelines = service.guidelines()
        index = service.index()
        assert len(guidelines) >= 8
        assert len({g.section_id for g in guidelines}) == len(TEMPLATE) == 10
        for g in guidelines:
            assert g.status == "draft" and g.statement and g.rationale and g.code_ids
            assert all(e.segment_id in index.segments for e in g.evidence)
            assert 1 <= sum(e.quote for e in g.evidence) <= 3
            assert index.support(g).total == 12
    finally:
        project.close()
