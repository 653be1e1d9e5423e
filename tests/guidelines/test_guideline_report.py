"""The report in all three formats, parsed back: headings, quotes, counts, pictures.

HTML is read with :mod:`html.parser`, DOCX with python-docx; the numbers are the hand-worked
ones of :mod:`gl_helpers` (N = 3 respondents; 1.1 supported by 1, 2.1 by 2).
"""

from __future__ import annotations

import io
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest
from gl_helpers import TEXTS, Study

from qualtui.analysis.report import (
    collect,
    format_for,
    render_docx,
    render_html,
    render_markdown,
    write_report,
)
from qualtui.analysis.report_svg import HeatmapData, SaturationData, heatmap_svg, saturation_svg
from qualtui.core.errors import QualtuiError
from qualtui.core.guidelines import GuidelineService
from qualtui.core.privacy import PrivacyService
from qualtui.core.project import Project
from qualtui.store.project import open_project

QUOTE_A1 = "We keep IC numbers out of comments."
QUOTE_C1 = "Privacy matters most."


class Outline(HTMLParser):
    """Collects heading texts by level, blockquote paragraphs and footers, and tags used."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: dict[str, list[str]] = {}
        self.quotes: list[str] = []
        self.attributions: list[str] = []
        self.tags: dict[str, int] = {}
        self.links: list[str] = []
        self._stack: list[str] = []
        self._text: list[str] = []
        self._closed_quotes = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.links.append(value)
        if tag in ("h1", "h2", "h3", "h4", "p", "footer"):
            self._stack.append(tag)
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if self._stack and self._stack[-1] == tag:
            self._stack.pop()
            text = " ".join("".join(self._text).split())
            inside_quote = self.tags.get("blockquote", 0) > self._closed_quotes
            if tag.startswith("h"):
                self.headings.setdefault(tag, []).append(text)
            elif tag == "p" and inside_quote:
                self.quotes.append(text)
            elif tag == "footer" and inside_quote:
                self.attributions.append(text)
        if tag == "blockquote":
            self._closed_quotes += 1

    def handle_data(self, data: str) -> None:
        if self._stack:
            self._text.append(data)


def _outline(text: str) -> Outline:
    parser = Outline()
    parser.feed(text)
    parser.close()
    return parser


def test_markdown_has_the_sections_support_and_quotes(project: Project) -> None:
    text = render_markdown(collect(project, generated="2025-07-01"))
    assert text.startswith("# Guideline test study\n")
    assert "*Guidelines report, 2025-07-01: 2 guidelines (2 draft).*" in text
    assert "## 1 Privacy" in text and "## 2 Security" in text
    assert "### 1.1 Keep identifiers out of public channels" in text
    assert ("**Support: 1 of 3 respondents among the evidence; 3 of 3 respondents among all"
            " segments of the linked codes.**") in text
    assert "**Support: 2 of 3 respondents among the evidence;" in text
    assert f"> “{QUOTE_A1}”\n>\n> — R1, Webmaster" in text
    assert "**Counter-evidence (1 respondent)**" in text
    assert f"> “{QUOTE_C1}”\n>\n> — C1\n" in text
    assert "4 interviews (" in text and "with 3 respondents" in text
    assert "Inter-coder agreement: Cohen's κ " in text
    assert "between coder1 and coder2 over 5 sentences of the interview they both" in text
    # appendix: the codebook with counts, and guideline x code x respondent rows
    assert "| Risks/Privacy |  | 4 | 3 |" in text
    assert "| 1.1 | Risks/Privacy | R1 | 1 |" in text
    assert "| 1.1 (counter) | Risks/Privacy | C1 | 1 |" in text
    assert "| 2.1 | Risks/Security | R1, C1 | 2 |" in text


def test_html_is_one_self_contained_file_with_pictures(project: Project) -> None:
    html = render_html(collect(project, generated="2025-07-01"))
    outline = _outline(html)
    assert outline.headings["h1"] == ["Guideline test study"]
    assert outline.headings["h2"] == ["Contents", "Method", "1 Privacy", "2 Security",
                                      "Appendix A. Codebook", "Appendix B. Evidence table"]
    assert outline.headings["h3"] == ["1.1 Keep identifiers out of public channels",
                                      "2.1 Require two-factor authentication"]
    assert f"“{QUOTE_A1}”" in outline.quotes and f"“{QUOTE_C1}”" in outline.quotes
    assert "— R1, Webmaster" in outline.attributions
    assert "Support: 1 of 3 respondents among the evidence" in html
    # the statement's Markdown is rendered
    assert "Officers <strong>never</strong> ask for IC numbers in public." in html
    # self-contained: links only to anchors inside the file, no scripts, inline CSS and SVG
    assert all(link.startswith("#") for link in outline.links)
    assert "script" not in outline.tags and "link" not in outline.tags and "img" not in \
        outline.tags
    assert outline.tags["style"] == 1
    assert outline.tags["svg"] == 2  # the saturation curve and the co-occurrence heatmap
    assert "@media print" in html


def test_docx_uses_real_headings_quotes_and_tables(project: Project) -> None:
    data = render_docx(collect(project, generated="2025-07-01"))
    document = docx.Document(io.BytesIO(data))
    by_style: dict[str, list[str]] = {}
    for paragraph in document.paragraphs:
        by_style.setdefault(paragraph.style.name, []).append(paragraph.text)
    assert by_style["Title"] == ["Guideline test study"]
    assert by_style["Heading 1"] == ["Method", "1 Privacy", "2 Security",
                                     "Appendix A. Codebook", "Appendix B. Evidence table"]
    assert by_style["Heading 2"] == ["1.1 Keep identifiers out of public channels",
                                     "2.1 Require two-factor authentication"]
    assert f"“{QUOTE_A1}” — R1, Webmaster" in by_style["Quote"]
    assert f"“{QUOTE_C1}” — C1" in by_style["Quote"]
    normal = "\n".join(by_style["Normal"])
    assert "Support: 1 of 3 respondents among the evidence" in normal
    statement = next(p for p in document.paragraphs if p.text.startswith("Officers never"))
    assert [r.text for r in statement.runs if r.bold] == ["never"]
    codebook, evidence = document.tables[-2], document.tables[-1]
    assert [c.text for c in codebook.rows[0].cells] == ["Code", "Definition", "Segments",
                                                        "Respondents"]
    assert len(codebook.rows) == 1 + 7
    rows = [[c.text for c in row.cells] for row in evidence.rows[1:]]
    assert ["2.1", "Risks/Security", "R1, C1", "2"] in rows
    assert document.core_properties.title == "Guideline test study"


def test_pseudonymized_report_rewrites_names_ids_and_redactions(project: Project,
                                                               study: Study) -> None:
    service = GuidelineService(project)
    b1 = study.seg("B1", "Citizens like Aminah post IC numbers.")
    service.add_evidence(study.guidelines["1.1"], b1)
    service.set_quote(study.guidelines["1.1"], b1, True)
    privacy = PrivacyService(project.repo, project.log)
    privacy.set("Aminah", "Siti")
    privacy.set("R2", "Respondent B", kind="other")
    a1 = project.documents.by_name("A1")
    start = TEXTS["A1"].index("IC numbers")
    privacy.redact(a1.id, start, start + len("IC numbers"))
    service.set_quote(study.guidelines["1.1"], study.seg("A1", QUOTE_A1), True)

    plain = render_html(collect(project))
    assert "Citizens like Aminah post IC numbers." in plain
    hidden = render_html(collect(project, pseudonymize=True))
    outline = _outline(hidden)
    assert "“Citizens like Siti post IC numbers.”" in outline.quotes
    assert "— Respondent B, Records officer" in outline.attributions
    assert "“We keep [REDACTED] out of comments.”" in outline.quotes
    assert "Aminah" not in hidden and ">R2<" not in hidden and "R2," not in hidden
    assert "Respondents and names are pseudonymised." in hidden


def test_write_report_picks_the_format_and_refuses_bad_names(project: Project,
                                                             tmp_path: Path) -> None:
    for name in ("r.md", "r.html", "r.docx"):
        report = write_report(project, tmp_path / name)
        assert (tmp_path / name).stat().st_size > 0
        assert len(report.guidelines) == 2
    assert (tmp_path / "r.docx").read_bytes()[:2] == b"PK"
    assert format_for(tmp_path / "x.out", "md") == "md"
    with pytest.raises(QualtuiError, match="end the name with .html, .md or .docx"):
        format_for(tmp_path / "report", None)
    with pytest.raises(QualtuiError, match="no such directory"):
        write_report(project, tmp_path / "missing" / "r.md")


def test_report_needs_guidelines(bare_study: Study) -> None:
    project = open_project(bare_study.root, coder="coder1")
    try:
        with pytest.raises(QualtuiError, match="no guidelines yet"):
            collect(project)
    finally:
        project.close()


def test_svg_pictures_carry_values_and_labels() -> None:
    heat = heatmap_svg(HeatmapData(labels=["Privacy", "Security & access"],
                                   values=[[None, 3.0], [3.0, None]], title="T", caption="C"))
    assert heat.startswith("<svg") and heat.endswith("</svg>")
    assert "2  Security &amp; access" in heat and ">3</text>" in heat
    curve = saturation_svg(SaturationData(labels=["P01", "P02", "P03"], new=[4, 1, 0],
                                          cumulative=[4, 5, 5], point=2, title="S",
                                          caption="c"))
    assert curve.count("<circle") == 3 and "saturation</text>" in curve
    assert heatmap_svg(HeatmapData(labels=[], values=[], title="x")) == ""
