"""Text search, KWIC, auto-coding by unit (one undo), and result rows and exports."""

from __future__ import annotations

import csv
import io

import pytest

from qualtui.core.errors import QualtuiError
from qualtui.core.project import Project
from qualtui.core.query import data_from_project, run_query
from qualtui.core.search import (
    RowBuilder,
    SearchOptions,
    apply_autocode,
    kwic,
    plan_autocode,
    rows_to_csv,
    rows_to_markdown,
    search_project,
)

from .rt_helpers import DOC1, DOC2, span


def texts(project: Project, hits) -> list[str]:  # type: ignore[no-untyped-def]
    return [project.documents.text(h.document_id)[h.start:h.end] for h in hits]


def coded(project: Project, path: str) -> list[str]:
    code = project.codebook.find(path)
    assert code is not None
    return [project.coding.text_of(s) for s in sorted(
        project.coding.segments(code_ids=[code.id]),
        key=lambda s: (project.documents.get(s.document_id).position, s.start))]


# --------------------------------------------------------------------------- search


def test_smart_case_plain_search(project: Project) -> None:
    hits = search_project(project, SearchOptions("records"))
    assert texts(project, hits) == ["records", "records", "records", "Records", "records",
                                    "records"]
    sensitive = search_project(project, SearchOptions("Records"))  # capital: case matters
    assert texts(project, sensitive) == ["Records"]
    assert len(search_project(project, SearchOptions("Records", case="insensitive"))) == 6


def test_regex_whole_word_and_documents(project: Project) -> None:
    hits = search_project(project, SearchOptions(r"IC \w+", regex=True, case="sensitive"))
    assert texts(project, hits) == ["IC numbers"]
    assert search_project(project, SearchOptions("record", whole_word=True)) == []
    only_p02 = search_project(project, SearchOptions("records"), documents=["P02"])
    assert {h.document_id for h in only_p02} == {project.documents.by_name("P02").id}
    with pytest.raises(QualtuiError, match="bad regular expression"):
        search_project(project, SearchOptions("(", regex=True))
    with pytest.raises(QualtuiError, match="empty search pattern"):
        search_project(project, SearchOptions(""))


def test_kwic_cuts_at_words_and_marks_more_text() -> None:
    text = "one two three four five six seven eight nine ten"
    start, end = span(text, "five")
    context = kwic(text, start, end, width=12)
    assert context.match == "five"
    assert context.left == "…three four "
    assert context.right == " six seven…"
    whole = kwic(text, 0, 3, width=100)
    assert (whole.left, whole.right) == ("", " two three four five six seven eight nine ten")


# --------------------------------------------------------------------------- auto-coding


@pytest.mark.parametrize("unit, expected", [
    ("hit", ["records", "records", "records", "Records"]),
    ("sentence", ["Interview P01 - records",
                  "Where do you keep the records of your Facebook page?",
                  "We keep no records.", "Records vanish when a phone is lost."]),
    ("paragraph", ["Interview P01 - records",
                   "Interviewer: Where do you keep the records of your Facebook page?",
                   "P01: We keep no records. The page is the only copy. Nobody archives the"
                   " comments.\nSometimes we screenshot a post. That is all.",
                   "P01: WhatsApp groups are worse. Records vanish when a phone is lost."]),
    ("turn", ["records",  # the title is in no turn: the hit itself
              "Where do you keep the records of your Facebook page?",
              "We keep no records. The page is the only copy. Nobody archives the comments."
              "\nSometimes we screenshot a post. That is all.",
              "WhatsApp groups are worse. Records vanish when a phone is lost."]),
])
def test_autocode_units(project: Project, unit: str, expected: list[str]) -> None:
    hits = search_project(project, SearchOptions("records"), documents=["P01"])
    code = project.codebook.find("Benefits/Transparency")
    plan = plan_autocode(project, hits, unit, code.id)
    added, skipped = apply_autocode(project, plan, "'records'")
    assert (added, skipped) == (4, 0)
    assert coded(project, "Benefits/Transparency") == expected


def test_hits_in_one_unit_give_one_segment(project: Project) -> None:
    hits = search_project(project, SearchOptions("records"), documents=["P02"])
    assert len(hits) == 2
    code = project.codebook.find("Risks/Security")
    plan = plan_autocode(project, hits, "sentence", code.id)
    assert [DOC2[s:e] for _, s, e in plan.ranges] == [
        "Privacy is a records issue and records matter."]
    assert plan.describe() == ("2 hits -> 1 sentences in 1 documents to code as"
                               " Risks/Security")


def test_autocode_is_one_undo(project: Project) -> None:
    before = len(project.coding.segments())
    entries = len(project.log.entries())
    hits = search_project(project, SearchOptions("comments"))
    code = project.codebook.find("Risks/Privacy")
    plan = plan_autocode(project, hits, "sentence", code.id)
    added, _ = apply_autocode(project, plan, "'comments'")
    assert added == 2
    assert len(project.log.entries()) == entries + 1
    assert project.log.entries()[-1].op == "segment.bulk"
    assert len(project.coding.segments()) == before + 2
    assert "auto-coded 2 sentences" in project.undo()
    assert len(project.coding.segments()) == before


def test_autocode_skips_what_is_already_coded(project: Project) -> None:
    code = project.codebook.find("Risks/Records")
    hits = search_project(project, SearchOptions("We keep no"))
    plan = plan_autocode(project, hits, "sentence", code.id)
    assert (len(plan.ranges), plan.already, plan.new) == (1, 1, 0)
    assert apply_autocode(project, plan, "x") == (0, 1)


def test_autocode_refuses_categories_and_empty_plans(project: Project) -> None:
    hits = search_project(project, SearchOptions("records"))
    with pytest.raises(QualtuiError, match="category only"):
        plan_autocode(project, hits, "hit", project.codebook.find("Risks").id)
    with pytest.raises(QualtuiError, match="unknown unit"):
        plan_autocode(project, hits, "word", project.codebook.find("Risks/Records").id)
    empty = plan_autocode(project, [], "hit", project.codebook.find("Risks/Records").id)
    with pytest.raises(QualtuiError, match="nothing to code"):
        apply_autocode(project, empty, "x")


# --------------------------------------------------------------------------- rows, export


def test_rows_carry_speaker_case_codes_and_memo(project: Project) -> None:
    result = run_query(data_from_project(project), "Privacy")
    rows = RowBuilder(project).from_query(result.hits)
    assert [(r.document, r.case, r.speaker, r.text) for r in rows] == [
        ("P02", "R2", "P02", "Citizens send their IC numbers."),
        ("P02", "R2", "P02", "Privacy is a records issue")]
    assert rows[0].memo == "IC numbers in public comments" and rows[1].memo == ""
    assert rows[0].codes == ("Risks/Privacy",) and rows[0].coders == ("coder1",)


def test_text_hit_rows_list_the_codes_there(project: Project) -> None:
    rows = RowBuilder(project).from_text_hits(
        search_project(project, SearchOptions("vanish")))
    assert [(r.speaker, r.codes, r.coders) for r in rows] == [
        ("P01", ("Risks/Records", "Risks/Security"), ("coder1", "coder2"))]


def test_csv_and_markdown_exports(project: Project) -> None:
    result = run_query(data_from_project(project), "Records AND Security")
    rows = RowBuilder(project).from_query(result.hits)
    table = list(csv.DictReader(io.StringIO(rows_to_csv(project, rows, 20))))
    assert len(table) == 1
    assert table[0]["text"] == "Records vanish when a phone is lost."
    assert table[0]["speaker"] == "P01" and table[0]["case"] == "R1"
    assert table[0]["codes"] == "Risks/Records; Risks/Security"
    assert table[0]["context_before"] == "…groups are worse. "
    markdown = rows_to_markdown(rows, "Query: Records AND Security", "Retrieval test")
    assert markdown.splitlines()[:6] == [
        "# Query: Records AND Security", "", "Retrieval test — 1 passage", "",
        "> Records vanish when a phone is lost.", ">"]
    assert ("> — P01 (R1), speaker P01 · Risks/Records, Risks/Security · "
            f"{DOC1.index('Records vanish')}–") in markdown
