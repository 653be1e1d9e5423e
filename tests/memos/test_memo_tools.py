"""Core memo tools: link syntax, resolution, search, filters, export and the autosave writer."""

from __future__ import annotations

from memo_helpers import HACKED, PRIVACY, TRANSPARENCY, memo_titled

from qualtui.core.memo_tools import (
    Link,
    MemoContext,
    MemoWriter,
    derive_title,
    export_markdown,
    format_link,
    link_at,
    memo_targets,
    merge_links,
    parse_links,
    parse_query,
)
from qualtui.core.project import Project


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _segment(project: Project, text: str):  # type: ignore[no-untyped-def]
    ctx = MemoContext(project)
    return next(s for s in ctx.segments.values() if ctx.text_of(s) == text)


# -- links -----------------------------------------------------------------------------------
def test_parse_links_finds_every_kind_with_offsets() -> None:
    body = "See [[code:Risks/Privacy]] and [[segment:abcd1234]]; [[document:P99]] [[memo:ff]]"
    links = parse_links(body)
    assert [(lk.kind, lk.ref) for lk in links] == [
        ("code", "Risks/Privacy"), ("segment", "abcd1234"), ("document", "P99"), ("memo", "ff")]
    assert body[links[0].start:links[0].end] == "[[code:Risks/Privacy]]"
    assert parse_links("[[nope:x]] [[code:]] [code:x]") == []


def test_link_at_the_cursor_or_next_on_the_line() -> None:
    body = "first [[code:A]] x\nsecond line [[code:B]]"
    assert link_at(body, 8).ref == "A"          # inside
    assert link_at(body, 16).ref == "A"         # just after the closing brackets
    assert link_at(body, 0).ref == "A"          # later on the same line
    assert link_at(body, 19).ref == "B"         # start of the second line
    assert link_at(body, body.index(" x") + 2).ref == "A"  # end of line 1: the one before
    assert link_at("[[code:A]] [[code:B]] end", 24).ref == "B"  # the nearest before
    assert link_at("no links here", 3) is None
    assert link_at("a\n[[code:B]]", 0) is None  # only the same line counts
    assert link_at("[[code:B]]\nxyz", 13) is None


def test_format_link_shortens_ids() -> None:
    assert format_link("segment", "9c851566-6c4a-4691") == "[[segment:9c851566]]"
    assert format_link("code", "Benefits/Transparency") == "[[code:Benefits/Transparency]]"


def test_resolve_codes_segments_documents_and_memos(project: Project) -> None:
    ctx = MemoContext(project)
    seg = _segment(project, PRIVACY)
    code = ctx.resolve(Link("code", "risks/privacy", 0, 0))  # case-insensitive
    assert code is not None and code.label == "Risks/Privacy"
    target = ctx.resolve(Link("segment", seg.id[:8], 0, 0))
    assert target is not None and target.id == seg.id
    assert (target.document_id, target.start, target.end) == (seg.document_id, seg.start,
                                                              seg.end)
    assert target.label.startswith("P99 ") and target.label.endswith("Risks/Privacy")
    doc = ctx.resolve(Link("document", "P98", 0, 0))
    assert doc is not None and doc.kind == "document"
    memo = memo_titled(project, "First coding session")
    found = ctx.resolve(Link("memo", memo.id[:8], 0, 0))
    assert found is not None and found.id == memo.id
    assert ctx.resolve(Link("code", "Risks/Nothing", 0, 0)) is None
    assert ctx.resolve(Link("segment", "zz", 0, 0)) is None  # too short to be a prefix


def test_memo_targets_lists_attached_records(project: Project) -> None:
    targets = memo_targets(project)
    seg = _segment(project, TRANSPARENCY)
    assert seg.id in targets
    assert project.codebook.find("Risks/Privacy").id in targets
    assert project.documents.by_name("P99").id in targets
    assert project.codebook.find("Risks/Security").id not in targets


# -- search and filters ------------------------------------------------------------------------
def test_search_is_case_and_accent_insensitive_with_phrases(project: Project) -> None:
    ctx = MemoContext(project)
    assert [m.title for m in ctx.filter(query="CAFE")] == ["Second coder notes"]
    assert [m.title for m in ctx.filter(query='"not accountability"')] == [
        "Transparency as visibility"]
    assert ctx.filter(query='"accountability not"') == []
    assert {m.title for m in ctx.filter(query="transparency privacy")} == {
        "Where the argument stands"}
    assert parse_query('a "b  c" d') == ["a", "b c", "d"]


def test_search_matches_the_target_label(project: Project) -> None:
    titles = {m.title for m in MemoContext(project).filter(query="P99")}
    assert {"P99 - a webmaster's view", "Transparency as visibility"} <= titles


def test_filter_by_kind_author_and_code(project: Project) -> None:
    ctx = MemoContext(project)
    assert [m.title for m in ctx.filter(kinds=["journal"])] == [
        "First coding session", "Second coder notes"]
    assert [m.title for m in ctx.filter(author="coder2")] == ["Second coder notes"]
    privacy = project.codebook.find("Risks/Privacy").id
    assert [m.title for m in ctx.filter(code_id=privacy)] == [
        "Privacy is about citizens' data"]
    risks = project.codebook.find("Risks").id  # parent: includes sub-codes
    assert [m.title for m in ctx.filter(code_id=risks)] == ["Privacy is about citizens' data"]
    transparency = project.codebook.find("Benefits/Transparency").id
    assert [m.title for m in ctx.filter(code_id=transparency)] == [
        "Transparency as visibility"]


def test_filter_by_code_includes_memos_linking_to_it(project: Project) -> None:
    security = project.codebook.find("Risks/Security")
    project.memos.create("journal", None, "Linking",
                         "see [[code:Risks/Security]] and nothing else")
    seg = _segment(project, HACKED)
    project.memos.create("journal", None, "Via a segment", f"[[segment:{seg.id[:8]}]]")
    titles = [m.title for m in MemoContext(project).filter(code_id=security.id)]
    assert titles == ["Linking", "Via a segment"]


def test_list_order_groups_kinds(project: Project) -> None:
    kinds = [m.kind for m in MemoContext(project).filter()]
    assert kinds == ["project", "journal", "journal", "document", "code", "segment"]


# -- export -------------------------------------------------------------------------------------
def test_export_groups_by_kind_and_quotes_segments(project: Project) -> None:
    ctx = MemoContext(project)
    text = export_markdown(ctx, ctx.memos, "Memo test")
    assert text.startswith("# Memos: Memo test\n")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## Project memos (1)", "## Journal (2)", "## Document memos (1)",
                        "## Code memos (1)", "## Segment memos (1)"]
    assert "### P99 - P99 - a webmaster's view" in text
    assert "### Risks/Privacy - Privacy is about citizens' data" in text
    assert "### 2026-11-24 - First coding session" in text
    assert f"> {TRANSPARENCY}" in text          # the segment memo's passage
    assert f"> {PRIVACY}" in text               # a linked segment, quoted under the memo
    assert "Linked passage, P99" in text
    assert "[[segment:" not in text             # links read as what they name
    assert "*coder2, 2026-11-24 06:33*" in text


def test_export_demotes_headings_in_bodies_but_not_in_code(project: Project) -> None:
    project.memos.create("project", None, "Structured", "# Top\n\n```\n# not a heading\n```")
    ctx = MemoContext(project)
    text = export_markdown(ctx, ctx.filter(query="structured"))
    assert "#### Top" in text and "\n# not a heading\n" in text


def test_derive_title() -> None:
    assert derive_title("\n## A *bold* idea\nmore", "x") == "A bold idea"
    assert derive_title("- see [[code:Risks/Privacy]] now", "x") == "see Risks/Privacy now"
    assert derive_title("   \n", "Journal 2026-11-24") == "Journal 2026-11-24"
    assert len(derive_title("word " * 40, "x")) == 60


# -- the writer -----------------------------------------------------------------------------------
def test_merge_links_keeps_imported_links() -> None:
    assert merge_links(["imp", "a"], ["a"], ["b"]) == ["b", "imp"]
    assert merge_links([], [], ["a", "b"]) == ["a", "b"]


def test_a_burst_of_saves_is_one_log_entry_and_one_undo(project: Project) -> None:
    clock = FakeClock()
    writer = MemoWriter(project, None, kind="journal", clock=clock)
    seq_before = int(project.repo.get_meta("next_seq"))
    assert writer.save("Day one", "a").created
    for body in ("ab", "abc", "abc [[code:Risks/Privacy]]"):
        clock.now += 1.0
        result = writer.save("Day one", body)
        assert result.written and result.amended
    assert int(project.repo.get_meta("next_seq")) == seq_before + 1
    memo = project.memos.get(writer.memo.id)
    assert memo.body == "abc [[code:Risks/Privacy]]"
    assert memo.links == [project.codebook.find("Risks/Privacy").id]
    entry = project.log.entries()[-1]
    assert entry.op == "memo.create" and entry.changes[0]["after"]["body"] == memo.body
    project.undo()
    assert all(m.id != memo.id for m in project.memos.all())
    project.redo()
    assert project.memos.get(memo.id).body == memo.body


def test_a_pause_or_another_operation_starts_a_new_entry(project: Project) -> None:
    clock = FakeClock()
    memo = memo_titled(project, "First coding session")
    writer = MemoWriter(project, memo, clock=clock)
    start = int(project.repo.get_meta("next_seq"))
    writer.save(memo.title, "one")
    clock.now += 1
    writer.save(memo.title, "one two")
    assert int(project.repo.get_meta("next_seq")) == start + 1
    clock.now += 10  # a pause longer than the gap
    writer.save(memo.title, "one two three")
    assert int(project.repo.get_meta("next_seq")) == start + 2
    clock.now += 1
    project.codebook.add("Other")  # something else logged in between
    writer.save(memo.title, "one two three four")
    assert int(project.repo.get_meta("next_seq")) == start + 4
    project.undo()  # undoes only the last burst
    assert project.memos.get(memo.id).body == "one two three"
    assert writer.save(memo.title, "one two three").written is False  # unchanged: no write


def test_nothing_is_written_for_an_unchanged_memo(project: Project) -> None:
    memo = memo_titled(project, "First coding session")
    start = int(project.repo.get_meta("next_seq"))
    result = MemoWriter(project, memo).save(memo.title, memo.body)
    assert not result.written
    assert int(project.repo.get_meta("next_seq")) == start


def test_writer_reports_a_concurrent_change_and_a_deletion(project: Project) -> None:
    memo = memo_titled(project, "First coding session")
    writer = MemoWriter(project, memo)
    project.set_coder("coder2")
    project.memos.edit(memo.id, body="coder2 was here")
    project.set_coder("coder1")
    result = writer.save(memo.title, "mine")
    assert result.overwrote == "coder2"
    assert project.memos.get(memo.id).body == "mine"
    project.memos.delete(memo.id)
    result = writer.save(memo.title, "mine, still")
    assert result.recreated and result.created
    assert project.memos.get(result.memo.id).body == "mine, still"


def test_writer_keeps_links_from_elsewhere(project: Project) -> None:
    memo = memo_titled(project, "First coding session")
    doc = project.documents.by_name("P98")
    project.memos.edit(memo.id, links=[doc.id])  # e.g. from a REFI-QDA import
    writer = MemoWriter(project, project.memos.get(memo.id))
    writer.save(memo.title, "now with [[code:Risks/Security]]")
    security = project.codebook.find("Risks/Security").id
    assert project.memos.get(memo.id).links == [security, doc.id]
    writer.save(memo.title, "link removed")
    assert project.memos.get(memo.id).links == [doc.id]
