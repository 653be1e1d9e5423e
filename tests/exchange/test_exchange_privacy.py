"""Pseudonymisation: the mapping and redactions, rewriting with offset maps, and exports
that apply them while the stored texts never change."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from exchange_helpers import INTERVIEW, find, qde_of
from hypothesis import given
from hypothesis import strategies as st

from qualtui.core.errors import NotFound, QualtuiError
from qualtui.core.privacy import (
    REDACTED,
    PrivacyService,
    Pseudonym,
    Pseudonymiser,
    Redaction,
    parse_yaml,
)
from qualtui.core.project import Project
from qualtui.io.csv_export import segments_csv
from qualtui.io.refi import codebook_qdc, export_qdpx

NS = "{urn:QDA-XML:project:1.0}"


def _entry(real: str, pseudonym: str, kind: str = "person") -> Pseudonym:
    return Pseudonym(id=real, real=real, pseudonym=pseudonym, kind=kind)


def test_names_are_whole_words_case_insensitive_longest_first_in_one_pass() -> None:
    pseudo = Pseudonymiser([_entry("Aminah", "Participant A"),
                            _entry("Kuala Lumpur", "City X", "place"),
                            _entry("Kuala", "River Y", "place"),
                            _entry("Participant A", "LOOP")])
    text = "aminah met Aminah's aunt in Kuala Lumpur, not Kuala Kubu; Aminahs is no name."
    assert pseudo.text(text) == ("Participant A met Participant A's aunt in City X, not River Y"
                                 " Kubu; Aminahs is no name.")
    assert Pseudonymiser.identity().text(text) == text


def test_redactions_and_names_with_an_offset_map() -> None:
    text = "Call Lim on 012-3456 today. Lim agreed."
    start, end = find(text, "012-3456")
    pseudo = Pseudonymiser([_entry("Lim", "Mr L")],
                           [Redaction("r", "doc", start, end)])
    rewrite = pseudo.document("doc", text)
    assert rewrite.text == f"Call Mr L on {REDACTED} today. Mr L agreed."
    s, e = find(text, "today")
    ns, ne = rewrite.range(s, e)
    assert rewrite.text[ns:ne] == "today"
    s, e = find(text, "Lim on 012")  # cuts into the redaction: grows to cover it
    ns, ne = rewrite.range(s, e)
    assert rewrite.text[ns:ne] == f"Mr L on {REDACTED}"
    s, e = find(text, "im agreed")  # starts inside a name: moves to the name's start
    ns, ne = rewrite.range(s, e)
    assert rewrite.text[ns:ne] == "Mr L agreed"
    assert pseudo.document("other", text).text == "Call Mr L on 012-3456 today. Mr L agreed."


@given(st.text(alphabet="ab cd\n", max_size=60),
       st.lists(st.tuples(st.integers(0, 60), st.integers(1, 8)), max_size=4))
def test_offsets_outside_replacements_keep_their_character(text: str,
                                                           ranges: list[tuple[int, int]]
                                                           ) -> None:
    redactions = [Redaction(str(i), "d", min(s, len(text)), min(s + n, len(text)))
                  for i, (s, n) in enumerate(ranges)]
    pseudo = Pseudonymiser([_entry("ab", "XYZ")], redactions)
    rewrite = pseudo.document("d", text)
    covered = [(a, b) for a, b, _, _ in rewrite.spans]
    for offset, char in enumerate(text):
        if not any(a <= offset < b for a, b in covered):
            assert rewrite.text[rewrite.position(offset)] == char
    for a, b, na, nb in rewrite.spans:
        assert rewrite.text[na:nb] in ("XYZ", REDACTED)
        assert rewrite.range(a, b) == (na, nb)
    assert rewrite.position(len(text)) == len(rewrite.text)


def test_service_set_remove_redact_and_undo(coded_project: Project) -> None:
    service = PrivacyService(coded_project.repo, coded_project.log)
    service.set("Citizens", "People", "other")
    service.set("citizens", "Residents", "other")  # same real name: changed, not added
    assert [(p.real, p.pseudonym) for p in service.pseudonyms()] == [("citizens", "Residents")]
    doc = coded_project.documents.all()[0]
    red = service.redact(doc.id, 0, 9, "title")
    with pytest.raises(QualtuiError, match="outside document"):
        service.redact(doc.id, 5, 10_000)
    with pytest.raises(QualtuiError, match="kinds"):
        service.set("X", "Y", "animal")
    assert service.unredact(red.id[:8]).id == red.id
    coded_project.undo()
    assert [r.id for r in service.redactions()] == [red.id]
    service.remove("CITIZENS")
    with pytest.raises(NotFound):
        service.remove("citizens")
    coded_project.undo()
    assert len(service.pseudonyms()) == 1


def test_yaml_round_trip_and_errors(coded_project: Project) -> None:
    service = PrivacyService(coded_project.repo, coded_project.log)
    doc = coded_project.documents.all()[0]
    service.set("P99", "Participant 1")
    service.set("Kuching", "Town K", "place")
    service.redact(doc.id, 0, 9, "title")
    text = service.export_yaml()
    assert "keep it private" in text and "Kuching: Town K" in text
    service.remove("Kuching")
    assert service.import_yaml(text, "p.yaml") == (1, 0, 0)
    assert service.export_yaml() == text
    edited = text.replace("Participant 1", "Participant One").replace("  Kuching: Town K\n", "")
    assert service.import_yaml(edited, "p.yaml") == (0, 1, 1)
    documents = {doc.name: (doc.id, doc.chars)}
    for bad, message in [
        ("people: [a, b]", "real name: pseudonym"),
        ("people:\n  Ali: ''", "needs a real name and a pseudonym"),
        ("places:\n  other: {}", "needs a real name and a pseudonym"),
        ("people:\n  Ali: A\nplaces:\n  ali: B", "appears twice"),
        ("redactions:\n- {document: P42, start: 0, end: 3}", "unknown document 'P42'"),
        ("redactions:\n- {document: P99, start: 5, end: 2}", "outside 'P99'"),
        ("redactions:\n- {document: P99, start: x, end: 2}", "whole numbers"),
        ("animals: {}", "unknown section"),
        ("people: [", "p.yaml line"),
    ]:
        with pytest.raises(QualtuiError, match=message):
            parse_yaml(bad, "p.yaml", documents)


@pytest.fixture
def private(rich_project: Project) -> Project:
    service = PrivacyService(rich_project.repo, rich_project.log)
    service.set("Aminah binti Abdullah", "Participant A")
    service.set("Aminah", "Participant A")
    service.set("Encik Lim", "Officer L")
    service.set("Putrajaya", "City P", "place")
    p01 = rich_project.documents.by_name("P01")
    start, end = find(INTERVIEW, "800101-14-5555")
    service.redact(p01.id, start, end, "IC number")
    return rich_project


def _digests(project: Project) -> dict[str, str]:
    return {d.name: hashlib.sha256((project.root / "sources" / f"{d.id}.txt").read_bytes())
            .hexdigest() for d in project.documents.all()}


def test_pseudonymised_csv_keeps_the_stored_text(private: Project) -> None:
    before = _digests(private)
    rows = list(csv.DictReader(io.StringIO(segments_csv(private, pseudonymize=True))))
    plain = list(csv.DictReader(io.StringIO(segments_csv(private))))
    assert _digests(private) == before
    assert private.documents.text(private.documents.by_name("P01").id) == INTERVIEW
    texts = [r["text"] for r in rows]
    assert f"Citizens post IC numbers like {REDACTED} in comments." in texts
    assert all("Aminah" not in r["case"] + r["speaker"] + r["text"] for r in rows)
    assert {r["case"] for r in rows} >= {"Participant A"}
    assert any(r["speaker"] == "Participant A" for r in rows)
    assert any("800101-14-5555" in r["text"] for r in plain)
    assert any(r["case"] == "Aminah" for r in plain)


def test_pseudonymised_qdpx_rewrites_texts_positions_and_names(private: Project,
                                                               tmp_path: Path) -> None:
    before = _digests(private)
    out = tmp_path / "private.qdpx"
    report = export_qdpx(private, out, pseudonymize=True)
    assert report.pseudonymized and "(pseudonymized)" in report.summary()
    assert _digests(private) == before
    root = qde_of(out)
    p01 = next(s for s in root.iter(f"{NS}TextSource") if s.get("name") == "P01")
    with zipfile.ZipFile(out) as archive:
        text = archive.read(f"sources/{p01.get('guid')}.txt").decode("utf-8")
        everything = b"".join(archive.read(n) for n in archive.namelist())
    for secret in (b"Aminah", b"Putrajaya", b"Encik Lim", b"800101-14-5555"):
        assert secret not in everything
    assert text.startswith("Interview with Participant A, City P, 3 March 2025")
    for sel in p01.iter(f"{NS}PlainTextSelection"):
        start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
        assert text[start:end] in ("We post flood alerts on Facebook.",
                                   f"Citizens post IC numbers like {REDACTED} in comments.")
    case_names = {c.get("name") for c in root.iter(f"{NS}Case")}
    assert "Participant A" in case_names
    notes = {n.get("name"): n.findtext(f"{NS}PlainTextContent") for n in root.iter(f"{NS}Note")}
    assert notes["About P01"] == "Participant A was candid."


def test_pseudonymised_codebook(private: Project) -> None:
    service = PrivacyService(private.repo, private.log)
    service.set("Facebook", "Platform F", "other")
    code = private.codebook.find("Benefits/Rapid dissemination")
    private.codebook.update(code.id, example="flood alerts on Facebook")
    assert "Platform F" in codebook_qdc(private, pseudonymize=True)
    assert "Facebook" in codebook_qdc(private)

