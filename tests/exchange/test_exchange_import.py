"""REFI-QDA import: the real vendor files, and the liberal reading the issue asks for."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from exchange_helpers import (
    G_CODE_A,
    G_CODE_B,
    G_USER,
    SAMPLES,
    expected_counts,
    make_zip,
    needs_refi,
    project_xml,
    selection,
    text_source,
)

from qualtui.core.errors import ImportFailure
from qualtui.core.project import Project
from qualtui.io.refi import import_qdc, import_qdpx
from qualtui.io.refi.reader import PositionMap, decode_source
from qualtui.store.project import open_project

TEXT = "Line one: hello world.\r\nLine two: flood alerts.\r\nLine three: privacy.\r\n"
S1 = "11111111-1111-4111-8111-111111111111"
S2 = "22222222-2222-4222-8222-222222222222"


def _open(path: Path) -> Project:
    return open_project(path, coder="importer")


def _segments(project: Project) -> list[tuple[str, str, int, int, str, str]]:
    names = {d.id: d.name for d in project.documents.all()}
    return sorted((names[s.document_id], project.codebook.path_of(s.code_id), s.start, s.end,
                   project.coding.text_of(s), s.coder) for s in project.coding.segments())


# -- the real exports in ../shared/refi/samples -----------------------------------------
@needs_refi
@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_each_vendor_sample_imports_with_the_expected_counts(sample: Path,
                                                             tmp_path: Path) -> None:
    expected = expected_counts(sample)
    report = import_qdpx(tmp_path / "p", sample, coder="importer")
    project = _open(tmp_path / "p")
    try:
        assert len(project.codebook.all()) == expected["codes"]
        assert len(project.documents.all()) == expected["documents"]
        segments = project.coding.segments()
        assert len(segments) == expected["segments"]
        assert len({(s.document_id, s.start, s.end) for s in segments}) == \
            expected["selections"]
        assert report.counts["codes"] == expected["codes"]
        assert report.counts["documents"] == expected["documents"]
        assert report.counts["segments"] == expected["segments"]
    finally:
        project.close()


@needs_refi
def test_qc_sample_positions_are_whole_lines(tmp_path: Path) -> None:
    sample = next((s for s in SAMPLES if s.stem.startswith("qc-")), None)
    if sample is None:
        pytest.skip("qc sample absent")
    import_qdpx(tmp_path / "p", sample, coder="importer")
    project = _open(tmp_path / "p")
    try:
        segments = project.coding.segments()
        assert len(segments) == 205
        for segment in segments:
            text = project.documents.text(segment.document_id)
            assert segment.start == 0 or text[segment.start - 1] == "\n"
            assert "\n" not in text[segment.start:segment.end].rstrip("\n")
        paths = {project.codebook.path_of(c) for c in project.codebook.all()}
        assert "rq1_definition/competencies/programming" in paths
        assert {d.name for d in project.documents.all()} == {"board_2017", "admin-1"}
        assert project.settings.title == "qc project"
        assert [c.id for c in project.settings.coders] == ["cp"]
        assert {s.coder for s in segments} == {"cp"}
    finally:
        project.close()


@needs_refi
def test_atlas_sample_lists_what_was_skipped(tmp_path: Path) -> None:
    sample = next((s for s in SAMPLES if s.stem.startswith("atlas")), None)
    if sample is None:
        pytest.skip("ATLAS.ti sample absent")
    report = import_qdpx(tmp_path / "p", sample, coder="importer")
    warnings = report.all_warnings()
    skipped = warnings[-1]
    for element in ("Graph", "Link", "PictureSource", "VideoSource", "AudioSource",
                    "PDFSelection", "Transcript"):
        assert element in skipped
    assert any("Mabel.txt" in w and "not in the file" in w for w in warnings)
    project = _open(tmp_path / "p")
    try:
        memos = {m.title: m for m in project.memos.all()}
        assert memos["Research Plan"].kind == "journal"
        assert memos["Research Plan"].body.startswith("day to day log")
        assert memos["Research Plan"].author == "Friedrich Markgraf"
        coke = project.codebook.find("Coke")
        assert coke is not None and coke.definition == "the breakfast of champions"
        assert coke.id == "7496ba52-9c8d-4396-8fab-cc438614e453"  # GUID kept, lower case
        assert project.codebook.find('"rushed"') is not None
    finally:
        project.close()


@needs_refi
def test_nvivo_sample_empty_sources_are_reported(tmp_path: Path) -> None:
    sample = next((s for s in SAMPLES if s.stem.startswith("nvivo")), None)
    if sample is None:
        pytest.skip("NVivo sample absent")
    report = import_qdpx(tmp_path / "p", sample, coder="importer")
    assert sum("its text is empty" in w for w in report.warnings) == 2
    assert report.counts["users"] == 2


# -- liberal reading -----------------------------------------------------------------
def test_capitalised_names_braced_upper_guids_and_duplicates(tmp_path: Path) -> None:
    body = (
        "<Sources>"
        + text_source("{" + S1.upper() + "}", "Interview", f"internal://{S1.upper()}.TXT",
                      selection("33333333-3333-4333-8333-333333333333", 0, 8, G_CODE_B))
        + text_source(S2, "Interview", "internal://second.txt")
        + "</Sources>")
    qde = project_xml(body).replace(
        b'<Code guid="{aaaaaaaa-0000-4000-8000-000000000002}" name="B" isCodable="true"/>',
        b'<Code guid="{aaaaaaaa-0000-4000-8000-000000000002}" name="B" isCodable="true"/>'
        b'<Code guid="aaaaaaaa-0000-4000-8000-000000000003" name="B" isCodable="true"/>'
        b'<Code guid="aaaaaaaa-0000-4000-8000-000000000004" name="x/y" isCodable="true"/>')
    qdpx = make_zip(tmp_path / "caps.qdpx", {
        "Project.qde": qde,
        f"Sources/{S1.lower()}.txt": b"Interview text one.",
        "Sources/SECOND.TXT": b"Interview text two.",
    })
    report = import_qdpx(tmp_path / "p", qdpx, coder="importer")
    project = _open(tmp_path / "p")
    try:
        docs = {d.name: d for d in project.documents.all()}
        assert set(docs) == {"Interview", "Interview (2)"}
        assert docs["Interview"].id == S1  # braces stripped, lower case
        paths = {project.codebook.path_of(c) for c in project.codebook.all()}
        assert paths == {"A", "A/B", "A/B (2)", "A/x\u2215y"}
        assert _segments(project) == [("Interview", "A/B", 0, 8, "Intervie", "alice")]
        assert any("appears twice" in w for w in report.warnings)
    finally:
        project.close()


@pytest.mark.parametrize("namespace", ["urn:QDA-XML:codebook:1.0", "urn:QDA-XML:codebook:0:4",
                                       "urn:QDA-XML:codebook:1:0", ""])
def test_codebook_namespace_variants(project: Project, tmp_path: Path, namespace: str) -> None:
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    qdc = tmp_path / "codes.qdc"
    qdc.write_text(
        f'<?xml version="1.0" encoding="utf-8"?><CodeBook{xmlns} origin="X">'
        f'<Codes><Code guid="{G_CODE_A}" name="Emotions" isCodable="false" color="#abc">'
        f'<Description>Feelings.</Description>'
        f'<Code guid="{G_CODE_B}" name="Joy" isCodable="true"/></Code></Codes>'
        f'<Sets><Set guid="{S1}" name="Happy"><MemberCode guid="{G_CODE_B}"/></Set></Sets>'
        f"</CodeBook>", encoding="utf-8")
    merge, report = import_qdc(project, qdc)
    assert merge.added == ["Emotions", "Emotions/Joy"]
    emotions = project.codebook.find("Emotions")
    assert emotions.id == G_CODE_A.lower() and not emotions.codable
    assert emotions.color == "#AABBCC" and emotions.definition == "Feelings."
    from qualtui.core.exchange import ExchangeService

    sets = ExchangeService(project.repo, project.log).sets()
    assert [(s.name, s.codes) for s in sets] == [("Happy", [G_CODE_B.strip("{}").lower()])]


def test_qdc_merges_into_existing_codes_by_path_and_is_undoable(project: Project,
                                                                 tmp_path: Path) -> None:
    existing = project.codebook.add("Emotions", definition="old")
    qdc = tmp_path / "codes.qdc"
    qdc.write_text(
        f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        f'<Code guid="{G_CODE_A}" name="Emotions" isCodable="true">'
        f'<Description>new</Description></Code></Codes></CodeBook>', encoding="utf-8")
    merge, _ = import_qdc(project, qdc)
    assert merge.changed == ["Emotions"] and not merge.added
    assert project.codebook.get(existing.id).definition == "new"
    project.undo()
    assert project.codebook.get(existing.id).definition == "old"


def test_variables_on_sources_and_on_cases(tmp_path: Path) -> None:
    v_age, v_site = "44444444-4444-4444-8444-444444444444", "55555555-5555-4555-8555-555555555555"
    v_ok = "66666666-6666-4666-8666-666666666666"
    body = (
        f'<Variables><Variable guid="{v_age}" name="age" typeOfVariable="Integer"/>'
        f'<Variable guid="{v_site}" name="site" typeOfVariable="Text"/>'
        f'<Variable guid="{v_ok}" name="consent" typeOfVariable="Boolean"/></Variables>'
        f'<Cases><Case guid="{S2}" name="Case one">'
        f'<VariableValue><VariableRef targetGUID="{v_age}"/><IntegerValue>41</IntegerValue>'
        f"</VariableValue><SourceRef targetGUID=\"{S1}\"/></Case></Cases>"
        "<Sources>" + text_source(
            S1, "Doc", "internal://doc.txt", "",
        ).replace("</TextSource>",
                  f'<VariableValue><VariableRef targetGUID="{v_site}"/>'
                  f"<TextValue>Ipoh</TextValue></VariableValue>"
                  f'<VariableValue><VariableRef targetGUID="{v_ok}"/>'
                  f"<BooleanValue>true</BooleanValue></VariableValue></TextSource>")
        + "</Sources>")
    qdpx = make_zip(tmp_path / "vars.qdpx", {"project.qde": project_xml(body),
                                             "sources/doc.txt": b"Some text."})
    import_qdpx(tmp_path / "p", qdpx, coder="importer")
    project = _open(tmp_path / "p")
    try:
        doc = project.documents.all()[0]
        case = project.cases.case_of(doc)
        assert case is not None and case.name == "Case one"
        assert case.attributes == {"age": 41}
        assert doc.attributes == {"age": 41, "site": "Ipoh", "consent": "true"}
        types = {a.name: a.type for a in project.cases.attribute_defs()}
        assert types == {"age": "number", "site": "text", "consent": "category"}
    finally:
        project.close()


def test_plain_text_paths_internal_relative_absolute_and_inline(tmp_path: Path) -> None:
    outside = tmp_path / "external"
    outside.mkdir()
    (outside / "rel.txt").write_text("Relative source text.", encoding="utf-8")
    (outside / "abs.txt").write_text("Absolute source text.", encoding="utf-8")
    (outside / "secret.key").write_text("not text", encoding="utf-8")
    guids = [f"7777777{i}-7777-4777-8777-777777777777" for i in range(5)]
    body = ("<Sources>"
            + text_source(guids[0], "internal", "internal://in.txt")
            + text_source(guids[1], "relative", "relative:///rel.txt")
            + text_source(guids[2], "absolute", f"absolute://{outside / 'abs.txt'}")
            + f'<TextSource guid="{guids[3]}" name="inline"><PlainTextContent>Inline text.'
              "</PlainTextContent></TextSource>"
            + text_source(guids[4], "key", f"absolute://{outside / 'secret.key'}")
            + "</Sources>")
    qdpx = make_zip(tmp_path / "paths.qdpx", {
        "project.qde": project_xml(body, extra=f'basePath="{outside}"'),
        "sources/in.txt": b"Internal source text."})
    report = import_qdpx(tmp_path / "p", qdpx, coder="importer")
    project = _open(tmp_path / "p")
    try:
        texts = {d.name: project.documents.text(d.id) for d in project.documents.all()}
        assert texts == {"internal": "Internal source text.", "relative": "Relative source text.",
                         "absolute": "Absolute source text.", "inline": "Inline text."}
        assert sum("external file" in w for w in report.warnings) == 3  # 2 read, .key refused
    finally:
        project.close()
    report = import_qdpx(tmp_path / "q", qdpx, coder="importer", external=False)
    assert report.counts["documents"] == 2


@pytest.mark.parametrize(("origin", "bom", "shift"), [
    ("QualCoder 3.5", True, True),    # CRLF counted as two positions
    ("MAXQDA 2022", False, True),
    ("ATLAS.ti 9.1", True, False),    # ATLAS.ti counts CRLF as one
])
def test_bom_and_crlf_positions_follow_the_origin(tmp_path: Path, origin: str, bom: bool,
                                                  shift: bool) -> None:
    raw = TEXT
    target = "flood alerts"
    raw_start = raw.index(target)
    crlf_before = raw[:raw_start].count("\r\n")
    start = raw_start if shift else raw_start - crlf_before
    data = (codecs.BOM_UTF8 if bom else b"") + raw.encode("utf-8")
    body = "<Sources>" + text_source(S1, "crlf", "internal://crlf.txt",
                                     selection(S2, start, start + len(target))) + "</Sources>"
    qdpx = make_zip(tmp_path / "crlf.qdpx", {"project.qde": project_xml(body, origin=origin),
                                             "sources/crlf.txt": data})
    import_qdpx(tmp_path / "p", qdpx, coder="importer")
    project = _open(tmp_path / "p")
    try:
        doc = project.documents.all()[0]
        assert project.documents.text(doc.id) == TEXT.replace("\r\n", "\n")
        [segment] = project.coding.segments()
        assert project.coding.text_of(segment) == target
    finally:
        project.close()


def test_position_map_counts_crlf_per_origin() -> None:
    raw = "ab\r\ncd\r\nef"
    two = PositionMap(raw, crlf_is_one=False)
    assert two.text == "ab\ncd\nef" and two.length == len(raw)
    assert [two(p) for p in (0, 2, 4, 6, 8, 10)] == [0, 2, 3, 5, 6, 8]
    one = PositionMap(raw, crlf_is_one=True)
    assert one.length == len(one.text) and one(6) == 6
    assert decode_source(codecs.BOM_UTF16_LE + "hé".encode("utf-16-le")) == ("hé", [])
    text, warnings = decode_source(b"ok \xff bad")
    assert text == "ok \ufffd bad" and "not valid UTF-8" in warnings[0]


def test_pdf_source_with_a_text_representation(tmp_path: Path) -> None:
    rep = "88888888-8888-4888-8888-888888888888"
    body = (f'<Sources><PDFSource guid="{S1}" name="Report.pdf" path="internal://{S1}.pdf">'
            f'<PDFSelection guid="{S2}" page="0" firstX="1" firstY="2" secondX="3" secondY="4"/>'
            f'<Representation guid="{rep}" plainTextPath="internal://{rep}.txt">'
            + selection("99999999-9999-4999-8999-999999999999", 4, 10)
            + "</Representation></PDFSource></Sources>")
    qdpx = make_zip(tmp_path / "pdf.qdpx", {"project.qde": project_xml(body),
                                            f"sources/{rep}.txt": b"The report text.",
                                            f"sources/{S1}.pdf": b"%PDF-1.4 fake"})
    report = import_qdpx(tmp_path / "p", qdpx, coder="importer")
    project = _open(tmp_path / "p")
    try:
        [doc] = project.documents.all()
        assert (doc.id, doc.name, doc.format) == (S1, "Report.pdf", "pdf")
        assert _segments(project) == [("Report.pdf", "A", 4, 10, "report", "alice")]
        assert (project.root / doc.original).read_bytes() == b"%PDF-1.4 fake"
        assert "1 PDFSelection" in report.all_warnings()[-1]
    finally:
        project.close()


def test_unmodelled_elements_are_skipped_with_a_warning(tmp_path: Path) -> None:
    body = (f'<Sources><PictureSource guid="{S1}" path="internal://x.png">'
            f'<PictureSelection guid="{S2}" firstX="0" firstY="0" secondX="1" secondY="1"/>'
            f'</PictureSource><VideoSource guid="{G_USER}"><Transcript guid="{G_CODE_A}"/>'
            "</VideoSource></Sources>"
            f'<Graphs><Graph guid="{S1}"><Vertex guid="{S2}" firstX="0" firstY="0"/></Graph>'
            "</Graphs>")
    qdpx = make_zip(tmp_path / "media.qdpx", {"project.qde": project_xml(body)})
    report = import_qdpx(tmp_path / "p", qdpx, coder="importer")
    assert report.all_warnings()[-1] == (
        "skipped elements qualtui does not model: 1 Graph, 1 PictureSelection,"
        " 1 PictureSource, 1 Transcript, 1 Vertex, 1 VideoSource")
    assert report.counts["codes"] == 2


def test_notes_attach_to_what_refers_to_them(tmp_path: Path) -> None:
    notes = [f"aaaa000{i}-0000-4000-8000-00000000000{i}" for i in range(5)]
    coding = "cccccccc-0000-4000-8000-000000000001"
    body = (
        "<Sources>" + text_source(S1, "Doc", "internal://doc.txt",
                                  f'<PlainTextSelection guid="{S2}" startPosition="0"'
                                  f' endPosition="4"><Description>Selection comment'
                                  f"</Description><Coding guid=\"{coding}\">"
                                  f'<CodeRef targetGUID="{G_CODE_A}"/>'
                                  f'<NoteRef targetGUID="{notes[0]}"/></Coding>'
                                  "</PlainTextSelection>"
                                  f'<NoteRef targetGUID="{notes[1]}"/>') + "</Sources>"
        + "<Notes>" + "".join(
            f'<Note guid="{n}" name="note {i}" creatingUser="{G_USER}">'
            f"<PlainTextContent>body {i}</PlainTextContent></Note>"
            for i, n in enumerate(notes)) + "</Notes>"
        + f'<NoteRef targetGUID="{notes[2]}"/>')
    qde = project_xml(body).replace(
        b'<Code guid="{aaaaaaaa-0000-4000-8000-000000000002}" name="B" isCodable="true"/>',
        f'<Code guid="{G_CODE_B}" name="B" isCodable="true"><NoteRef targetGUID="{notes[3]}"/>'
        f"</Code>".encode())
    qdpx = make_zip(tmp_path / "notes.qdpx", {"project.qde": qde,
                                              "sources/doc.txt": b"Text of the document."})
    import_qdpx(tmp_path / "p", qdpx, coder="importer")
    project = _open(tmp_path / "p")
    try:
        memos = {m.title: m for m in project.memos.all()}
        assert (memos["note 0"].kind, memos["note 0"].target_id) == ("segment", coding)
        assert (memos["note 1"].kind, memos["note 1"].target_id) == ("document", S1)
        assert memos["note 2"].kind == "project" and memos["note 3"].kind == "code"
        assert memos["note 4"].kind == "journal" and memos["note 4"].author == "alice"
        assert memos["Selection comment"].kind == "segment"
    finally:
        project.close()


def test_qdpx_importer_refuses_a_codebook_and_vice_versa(tmp_path: Path,
                                                         project: Project) -> None:
    qdc = tmp_path / "codes.qdc"
    qdc.write_bytes(b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>')
    with pytest.raises(ImportFailure, match="not a zip archive"):
        import_qdpx(tmp_path / "p", qdc, coder="importer")
    qdpx = make_zip(tmp_path / "x.qdpx", {"project.qde": project_xml("")})
    with pytest.raises(ImportFailure, match="a zip archive, not a .qdc"):
        import_qdc(project, qdpx)


def test_progress_is_reported_per_phase(rich_project: Project, tmp_path: Path) -> None:
    from qualtui.io.refi import export_qdpx

    calls: list[tuple[str, int, int]] = []
    export_qdpx(rich_project, tmp_path / "p.qdpx", progress=lambda *a: calls.append(a))
    assert calls == [("exporting documents", 1, 2), ("exporting documents", 2, 2)]
    calls.clear()
    import_qdpx(tmp_path / "copy", tmp_path / "p.qdpx", coder="importer",
                progress=lambda *a: calls.append(a))
    assert ("reading sources", 2, 2) in calls and ("writing sources", 2, 2) in calls


def test_qdc_merge_by_id_renames_unless_the_name_is_taken(project: Project,
                                                          tmp_path: Path) -> None:
    qdc = tmp_path / "codes.qdc"

    def write(names: tuple[str, str]) -> None:
        qdc.write_text(
            '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
            f'<Code guid="{G_CODE_A}" name="{names[0]}" isCodable="true"/>'
            f'<Code guid="{G_CODE_B}" name="{names[1]}" isCodable="true"/>'
            "</Codes></CodeBook>", encoding="utf-8")

    write(("Trust", "Distrust"))
    import_qdc(project, qdc)
    write(("Confidence", "Distrust"))
    merge, _ = import_qdc(project, qdc)
    assert merge.changed == ["Confidence"] and merge.unchanged == ["Distrust"]
    assert project.codebook.get(G_CODE_A.lower()).name == "Confidence"
    write(("Distrust", "Distrust"))
    merge, report = import_qdc(project, qdc)
    assert project.codebook.get(G_CODE_A.lower()).name == "Confidence"
    assert any("not renamed" in w for w in report.warnings)


def test_ids_that_are_not_guids_still_connect(tmp_path: Path) -> None:
    body = ("<Sources>" + text_source("doc-1", "Doc", "internal://doc.txt",
                                      selection("sel-0001", 0, 4, code="code-7",
                                                coding_guid="coding-1")) + "</Sources>")
    qde = project_xml(body).replace(f'guid="{G_CODE_A}"'.encode(), b'guid="code-7"')
    qdpx = make_zip(tmp_path / "ids.qdpx", {"project.qde": qde, "sources/doc.txt": b"Text!"})
    report = import_qdpx(tmp_path / "p", qdpx, coder="importer")
    assert report.counts["segments"] == 1
    assert any("'code-7' is not a GUID" in w for w in report.warnings)
    project = _open(tmp_path / "p")
    try:
        assert _segments(project) == [("Doc", "A", 0, 4, "Text", "alice")]
    finally:
        project.close()


@needs_refi
def test_atlas_sample_with_its_sources_filled_in(tmp_path: Path) -> None:
    """The real ATLAS.ti project.qde, with CRLF text files supplied for its sources."""
    import re
    import zipfile

    sample = next((s for s in SAMPLES if s.stem.startswith("atlas")), None)
    if sample is None:
        pytest.skip("ATLAS.ti sample absent")
    with zipfile.ZipFile(sample) as archive:
        qde = archive.read("Project.qde")
    line = "Breakfast is mayhem, the baby has porridge and I have coffee.\r\n"
    text = (line * 20).encode("utf-8")
    members = {"Project.qde": qde}
    for name in set(re.findall(rb'plainTextPath="internal://([^"]+)"', qde)):
        members[f"Sources/{name.decode()}"] = text
    qdpx = make_zip(tmp_path / "atlas-full.qdpx", members)
    expected = expected_counts(qdpx)
    assert expected["documents"] == 8 and expected["segments"] == 9
    report = import_qdpx(tmp_path / "p", qdpx, coder="importer")
    project = _open(tmp_path / "p")
    try:
        assert report.counts["documents"] == 8
        assert len(project.coding.segments()) == expected["segments"]
        normalised = (line * 20).replace("\r\n", "\n")
        for segment in project.coding.segments():  # ATLAS.ti counts CRLF as one position
            assert project.coding.text_of(segment) == normalised[segment.start:segment.end]
        docs = {d.name: d for d in project.documents.all()}
        assert docs["Pay de Limón con Base de Granola | Kellogg's ®.pdf"].format == "pdf"
        memos = {m.body: m for m in project.memos.all()}
        simon = memos["why does Simon feel the need to do this?"]
        assert simon.kind == "segment"
        mabel = memos["Mabel is not the only person I know who has Coke for breakfast!"]
        assert (mabel.kind, mabel.target_id) == ("document", docs["Mabêl 2ième.txt"].id)
        assert mabel.title.startswith("250-412: ")
    finally:
        project.close()


def test_inconsistent_bundles_are_refused_before_writing(project: Project) -> None:
    from qualtui.core.errors import QualtuiError
    from qualtui.core.exchange import Bundle, ExchangeService, ImportedSource
    from qualtui.core.models import Code, Document, Segment

    doc = Document(id=S1, name="d", filename="d.txt", format="txt", sha256="", chars=4,
                   words=1, imported_at="", imported_by="x")
    code = Code(id=S2, name="c")
    bundle = Bundle(codes=[code], sources=[ImportedSource(doc, "text")],
                    segments=[Segment(id="s", document_id=S1, code_id=S2, start=2, end=9,
                                      coder="x")])
    service = ExchangeService(project.repo, project.log)
    with pytest.raises(QualtuiError, match="range 2-9 outside 0-4"):
        service.write_bundle(bundle, "test")
    assert project.documents.all() == [] and not (project.root / "sources" / f"{S1}.txt"
                                                    ).exists()
    bundle.segments[0].end = 4
    service.write_bundle(bundle, "test")
    assert [s.id for s in project.coding.segments()] == ["s"]
    with pytest.raises(QualtuiError, match="ids already in this project"):
        service.write_bundle(bundle, "again")
