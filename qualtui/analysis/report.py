"""The evidence-backed guideline report: Markdown, one self-contained HTML file, or DOCX.

:func:`collect` reads the project once into a :class:`Report` (plain dataclasses); the three
renderers only format it, so every format says the same thing:

1. a title page from ``qualtui.yaml`` (title, description, research questions);
2. the method: interviews, respondents by role and by agency level, coders, inter-coder
   agreement when it can be computed, the saturation curve and a co-occurrence heatmap of
   the codes the guidelines link (pictures as inline SVG in HTML; Markdown and DOCX carry
   the saturation figures as a table);
3. the guidelines by section: statement, rationale, what each addresses, support
   ("n of N respondents" among its evidence and among its linked codes), one to three
   quotes with the respondent's id and role, and counter-evidence apart;
4. appendices: the codebook (definitions, segments, respondents) and the evidence table
   (guideline x code x respondent).

With ``pseudonymize`` every text goes through the project's pseudonym mapping and
redactions (:mod:`qualtui.core.privacy`): quotes, respondent ids, roles and free text.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualtui.analysis.report_svg import HeatmapData, SaturationData, heatmap_svg, saturation_svg
from qualtui.core.errors import QualtuiError
from qualtui.core.guidelines import (
    MAX_QUOTES,
    Evidence,
    EvidenceIndex,
    Guideline,
    GuidelineService,
    Support,
)

if TYPE_CHECKING:
    from qualtui.core.privacy import Pseudonymiser
    from qualtui.core.project import Project

__all__ = [
    "FORMATS",
    "CodebookRow",
    "EvidenceRow",
    "GuidelineEntry",
    "MethodSummary",
    "Quote",
    "Report",
    "SectionEntry",
    "collect",
    "format_for",
    "render",
    "render_docx",
    "render_html",
    "render_markdown",
    "write_report",
]

FORMATS = ("md", "html", "docx")
AGENCY_ATTRIBUTES = ("agency_level", "agency level", "agency", "organisation", "organization",
                     "level")
"""Case attributes read as the respondent's agency (level), first present wins."""
COOCCURRENCE_PROXIMITY = "turn"


# --------------------------------------------------------------------------- the report data
@dataclass(frozen=True)
class Quote:
    text: str
    respondent: str
    role: str
    document: str
    code: str

    def attribution(self) -> str:
        return f"{self.respondent}, {self.role}" if self.role else self.respondent


@dataclass
class GuidelineEntry:
    number: str
    anchor: str
    title: str
    statement: str
    rationale: str
    addresses: list[tuple[str, str]]
    codes: list[str]
    priority: str
    status: str
    author: str
    support: Support
    quotes: list[Quote] = field(default_factory=list)
    counter_quotes: list[Quote] = field(default_factory=list)


@dataclass
class SectionEntry:
    number: int
    anchor: str
    title: str
    description: str
    guidelines: list[GuidelineEntry] = field(default_factory=list)


@dataclass(frozen=True)
class Tally:
    label: str
    count: int


@dataclass
class MethodSummary:
    interviews: int
    words: int
    respondents: int
    roles: list[Tally]
    agencies: list[Tally]
    agency_attribute: str
    coders: list[str]
    segments: int
    codes: int
    agreement: str
    period: str = ""


@dataclass(frozen=True)
class CodebookRow:
    path: str
    name: str
    depth: int
    definition: str
    segments: int
    respondents: int
    codable: bool


@dataclass(frozen=True)
class EvidenceRow:
    number: str
    code: str
    respondents: tuple[str, ...]
    counter: bool = False


@dataclass
class Report:
    title: str
    description: str
    research_questions: list[str]
    generated: str
    pseudonymized: bool
    method: MethodSummary
    sections: list[SectionEntry]
    codebook: list[CodebookRow]
    evidence: list[EvidenceRow]
    heatmap: HeatmapData | None = None
    saturation: SaturationData | None = None
    saturation_summary: str = ""
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def guidelines(self) -> list[GuidelineEntry]:
        return [g for s in self.sections for g in s.guidelines]


# --------------------------------------------------------------------------- collecting
def _one_line(text: str) -> str:
    return " ".join(text.split())


class _Texts:
    """Applies the pseudonymiser to free text and to quotes (with per-document rewrites)."""

    def __init__(self, project: Project, enabled: bool) -> None:
        self.enabled = enabled
        self.pseudonymiser: Pseudonymiser | None = None
        if enabled:
            from qualtui.core.privacy import PrivacyService

            self.pseudonymiser = PrivacyService(project.repo, project.log).pseudonymiser(True)
        self.project = project
        self._rewrites: dict[str, Any] = {}

    def text(self, value: str) -> str:
        return self.pseudonymiser.text(value) if self.pseudonymiser else value

    def quote(self, document_id: str, start: int, end: int) -> str:
        text = self.project.documents.text(document_id)
        if self.pseudonymiser is None:
            return _one_line(text[start:end])
        rewrite = self._rewrites.get(document_id)
        if rewrite is None:
            rewrite = self.pseudonymiser.document(document_id, text)
            self._rewrites[document_id] = rewrite
        new_start, new_end = rewrite.range(start, end)
        return _one_line(rewrite.text[new_start:new_end])


def _attribute(attributes: dict[str, Any], names: Sequence[str]) -> tuple[str, str]:
    folded = {str(k).casefold(): (k, v) for k, v in attributes.items()}
    for name in names:
        if name in folded and folded[name][1] not in (None, ""):
            key, value = folded[name]
            return str(key), str(value)
    return "", ""


def _quote(index: EvidenceIndex, texts: _Texts, evidence: Evidence) -> Quote | None:
    segment = index.segments.get(evidence.segment_id)
    if segment is None:
        return None
    respondent = index.respondent(segment)
    return Quote(text=texts.quote(segment.document_id, segment.start, segment.end),
                 respondent=texts.text(respondent),
                 role=texts.text(index.roles.get(respondent, "")),
                 document=texts.text(index.doc_names.get(segment.document_id, "")),
                 code=index.paths.get(segment.code_id, ""))


def _chosen_quotes(index: EvidenceIndex, guideline: Guideline) -> list[Evidence]:
    """The marked quotes; without marks, up to three supporting items from distinct
    respondents first."""
    present = [e for e in guideline.supporting if e.segment_id in index.segments]
    marked = [e for e in present if e.quote]
    if marked:
        return marked[:MAX_QUOTES]
    picked: list[Evidence] = []
    seen: set[str] = set()
    for item in present:
        respondent = index.respondent(index.segments[item.segment_id])
        if respondent not in seen:
            picked.append(item)
            seen.add(respondent)
    for item in present:
        if item not in picked:
            picked.append(item)
    return picked[:MAX_QUOTES]


def _agreement(project: Project, texts: _Texts) -> str:
    """Inter-coder agreement over the sentences every coder coded, or why it is missing."""
    try:
        from qualtui.analysis.team import agreement_inputs, run_agreement
    except ImportError:
        return "not computed"
    coders = sorted({s.coder for s in project.coding.segments()})
    if len(coders) < 2:
        return "not computed (one coder)"
    try:
        result = run_agreement(agreement_inputs(project, coders, "sentence")).result
    except QualtuiError as exc:
        return f"not computed ({exc})"
    overall = result.overall

    def number(value: float | None, percent: bool = False) -> str:
        if value is None:
            return "undefined"
        return f"{value * 100:.1f}%" if percent else f"{value:.2f}"

    kappa = "Cohen's κ" if len(coders) == 2 else "mean pairwise Cohen's κ"
    who = " and ".join(texts.text(c) for c in result.coders)
    docs = len(result.documents)
    where = "the interview" if docs == 1 else f"the {docs} interviews"
    return (f"{kappa} {number(overall.kappa)}, Krippendorff's α {number(overall.alpha)},"
            f" percent agreement {number(overall.agreement, True)} between {who} over"
            f" {result.units_per_code} sentences of {where} they both coded")


def _figures(project: Project, code_ids: list[str], index: EvidenceIndex,
             texts: _Texts) -> tuple[HeatmapData | None, SaturationData | None, str]:
    from qualtui.analysis.cooccurrence import compute_cooccurrence, parse_proximity
    from qualtui.analysis.data import from_project, select
    from qualtui.analysis.saturation import saturation

    data = from_project(project, with_text=False)
    heatmap = None
    codable = [c for c in code_ids if c in index.codes]
    if len(codable) >= 2:
        subset = select(data, codes=[index.paths[c] for c in codable])
        proximity = parse_proximity(COOCCURRENCE_PROXIMITY)
        matrix = compute_cooccurrence(subset, proximity).matrix("cases", "count")
        if len(matrix.codes) >= 2:
            heatmap = HeatmapData(
                labels=[texts.text(c.name) for c in matrix.codes], values=matrix.values,
                title="Co-occurrence of the codes linked to the guidelines",
                caption="Each cell counts the respondents in whose interview the two codes"
                        " were applied within the same speaker turn.")
    order = "import"
    dates = [name for name, kind in data.attribute_types.items() if kind == "date"]
    if dates:
        order = f"attribute:{dates[0]}"
    result = saturation(data, order=order)
    curve = None
    if result.steps:
        curve = SaturationData(
            labels=[texts.text(s.document.name) for s in result.steps],
            new=result.new_counts, cumulative=result.curve, point=result.point,
            title="Saturation: codes found as interviews were added",
            caption=f"Interviews in order of {order.split(':', 1)[-1].replace('_', ' ')}"
                    f" ({'import' if order == 'import' else 'attribute'}); saturation"
                    f" {result.summary()}.")
    return heatmap, curve, (f"Saturation (k = {result.k}): {result.summary()}."
                            if result.steps else "")


def collect(project: Project, *, pseudonymize: bool = False,
            generated: str | None = None) -> Report:
    """Everything the report shows, read from the project once."""
    service = GuidelineService(project)
    index = service.index()
    texts = _Texts(project, pseudonymize)
    settings = project.settings
    sections = service.sections()
    guidelines = service.guidelines()
    if not guidelines:
        raise QualtuiError("no guidelines yet: add some ('qualtui guidelines add', or F8 in"
                           " 'qualtui open') before writing the report")

    # method
    documents = index.documents
    roles = Counter(index.roles.get(r, "") or "not recorded" for r in index.respondents)
    agency_name = ""
    agencies: Counter[str] = Counter()
    for respondent in index.respondents:
        name, value = _attribute(index.attributes.get(respondent, {}), AGENCY_ATTRIBUTES)
        agency_name = agency_name or name
        agencies[value or "not recorded"] += 1
    if not agency_name:
        agencies.clear()
    segments_by_coder = Counter(s.coder for s in index.segments.values())
    coder_names = {c.id: c.name for c in settings.coders}
    coders = [f"{texts.text(coder)}" + (f" ({texts.text(coder_names[coder])})"
                                        if coder_names.get(coder) else "")
              + f": {count} segments" for coder, count in sorted(segments_by_coder.items())]
    period = ""
    date_attrs = [a.name for a in project.cases.attribute_defs() if a.type == "date"]
    if date_attrs:
        values = sorted(str(v) for attrs in index.attributes.values()
                        for k, v in attrs.items() if k == date_attrs[0] and v)
        if values:
            period = values[0] if values[0] == values[-1] else f"{values[0]} to {values[-1]}"
    method = MethodSummary(
        interviews=len(documents), words=sum(d.words for d in documents),
        respondents=index.total,
        roles=[Tally(texts.text(k), v) for k, v in sorted(roles.items(),
                                                          key=lambda kv: (-kv[1], kv[0]))],
        agencies=[Tally(texts.text(k), v) for k, v in sorted(agencies.items(),
                                                             key=lambda kv: (-kv[1], kv[0]))],
        agency_attribute=agency_name.replace("_", " "), coders=coders,
        segments=len(index.segments), codes=sum(1 for c in index.codes.values() if c.codable),
        agreement=_agreement(project, texts), period=period)

    # guidelines
    entries: list[SectionEntry] = []
    evidence_rows: list[EvidenceRow] = []
    linked: list[str] = []
    for number, section in enumerate(sections, start=1):
        entry = SectionEntry(number=number, anchor=f"s{number}", title=texts.text(section.title),
                             description=texts.text(section.description))
        for g in (g for g in guidelines if g.section_id == section.id):
            linked.extend(c for c in g.code_ids if c not in linked)
            quotes = [q for q in (_quote(index, texts, e) for e in _chosen_quotes(index, g))
                      if q is not None]
            counter = [q for q in (_quote(index, texts, e) for e in g.contradicting)
                       if q is not None]
            entry.guidelines.append(GuidelineEntry(
                number=g.number, anchor="g" + g.number.replace(".", "-"),
                title=texts.text(g.title), statement=texts.text(g.statement),
                rationale=texts.text(g.rationale),
                addresses=[(a.kind, texts.text(a.text)) for a in g.addresses],
                codes=[index.paths[c] for c in g.code_ids if c in index.paths],
                priority=g.priority, status=g.status, author=texts.text(g.author),
                support=index.support(g), quotes=quotes, counter_quotes=counter))
            for is_counter, items in ((False, g.supporting), (True, g.contradicting)):
                by_code: dict[str, set[str]] = {}
                for item in items:
                    segment = index.segments.get(item.segment_id)
                    if segment is not None:
                        by_code.setdefault(index.paths.get(segment.code_id, "?"), set()).add(
                            index.respondent(segment))
                for code, respondents in sorted(by_code.items()):
                    order = {r: i for i, r in enumerate(index.respondents)}
                    evidence_rows.append(EvidenceRow(
                        g.number, code, tuple(texts.text(r) for r in
                                              sorted(respondents, key=lambda r: order.get(r, 0))),
                        is_counter))
        entries.append(entry)

    # codebook
    codebook: list[CodebookRow] = []
    for code_id in index.code_order:
        code = index.codes[code_id]
        segments = index.segments_of([code_id])
        codebook.append(CodebookRow(
            path=texts.text(index.paths[code_id]), name=texts.text(code.name),
            depth=index.paths[code_id].count("/"), definition=texts.text(_one_line(
                code.definition)), segments=len(segments),
            respondents=len({index.respondent(s) for s in segments}), codable=code.codable))

    heatmap, curve, saturation_summary = _figures(project, linked, index, texts)
    return Report(
        title=texts.text(settings.title), description=texts.text(_one_line(settings.description)),
        research_questions=[texts.text(q) for q in settings.research_questions],
        generated=generated or date.today().isoformat(), pseudonymized=pseudonymize,
        method=method, sections=entries, codebook=codebook, evidence=evidence_rows,
        heatmap=heatmap, saturation=curve, saturation_summary=saturation_summary,
        statuses=dict(Counter(g.status for g in guidelines)))


# --------------------------------------------------------------------------- shared wording
def _support_line(support: Support) -> str:
    return (f"Support: {support.label()} among the evidence;"
            f" {support.codes_label()} among all segments of the linked codes")


def _counter_line(entry: GuidelineEntry) -> str:
    n = entry.support.counter
    return (f"Counter-evidence ({n} respondent{'s' if n != 1 else ''})")


def _status_line(report: Report) -> str:
    parts = [f"{n} {status}" for status, n in sorted(report.statuses.items())]
    return f"{len(report.guidelines)} guidelines ({', '.join(parts)})"


def _method_sentences(report: Report) -> list[str]:
    m = report.method
    out = [f"{m.interviews} interviews ({m.words:,} words) with {m.respondents} respondents"
           + (f", conducted {m.period}" if m.period else "") + "."]
    out.append(f"{m.segments} coded segments on {m.codes} codes.")
    if m.coders:
        out.append("Coders: " + "; ".join(m.coders) + ".")
    out.append(f"Inter-coder agreement: {m.agreement}.")
    if report.saturation_summary:
        out.append(report.saturation_summary)
    return out


def _addresses(entry: GuidelineEntry) -> str:
    labels = {"benefit": "Benefit to pursue", "risk": "Risk to mitigate"}
    return "; ".join(f"{labels.get(kind, kind)}: {text}" for kind, text in entry.addresses)


# --------------------------------------------------------------------------- Markdown
def _md_cell(text: str) -> str:
    return _one_line(text).replace("|", "\\|")


def _md_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines.extend("| " + " | ".join(_md_cell(str(c)) for c in row) + " |" for row in rows)
    return lines


def render_markdown(report: Report) -> str:
    out: list[str] = [f"# {report.title}", ""]
    if report.description:
        out += [report.description, ""]
    if report.research_questions:
        out += ["**Research questions**", ""]
        out += [f"{i}. {q}" for i, q in enumerate(report.research_questions, start=1)]
        out.append("")
    out += [f"*Guidelines report, {report.generated}: {_status_line(report)}."
            + (" Respondents and names are pseudonymised.*" if report.pseudonymized else "*"),
            ""]
    out += ["## Method", ""]
    out += [" ".join(_method_sentences(report)), ""]
    m = report.method
    if m.roles:
        out += ["**Respondents by role**", ""]
        out += _md_table(["Role", "Respondents"], [(t.label, t.count) for t in m.roles])
        out.append("")
    if m.agencies:
        out += [f"**Respondents by {m.agency_attribute}**", ""]
        out += _md_table([m.agency_attribute.capitalize(), "Respondents"],
                         [(t.label, t.count) for t in m.agencies])
        out.append("")
    if report.saturation is not None:
        s = report.saturation
        out += ["**Saturation**", ""]
        out += _md_table(["Interview", "New codes", "Codes so far"],
                         zip(s.labels, s.new, s.cumulative, strict=True))
        out.append("")
    for section in report.sections:
        out += [f"## {section.number} {section.title}", ""]
        if section.description:
            out += [f"*{section.description}*", ""]
        if not section.guidelines:
            out += ["No guideline in this section yet.", ""]
        for g in section.guidelines:
            out += [f"### {g.number} {g.title}", ""]
            out += [f"Priority: {g.priority} · Status: {g.status}"
                    + (f" · Author: {g.author}" if g.author else ""), ""]
            if g.statement:
                out += [g.statement.strip(), ""]
            if g.rationale:
                out += [f"**Rationale.** {g.rationale.strip()}", ""]
            if g.addresses:
                out += [f"**Addresses.** {_addresses(g)}", ""]
            out += [f"**{_support_line(g.support)}.**", ""]
            for q in g.quotes:
                out += [f"> “{q.text}”", ">", f"> — {q.attribution()}", ""]
            if g.counter_quotes:
                out += [f"**{_counter_line(g)}**", ""]
                for q in g.counter_quotes:
                    out += [f"> “{q.text}”", ">", f"> — {q.attribution()}", ""]
    out += ["## Appendix A. Codebook", ""]
    out += _md_table(["Code", "Definition", "Segments", "Respondents"],
                     [(r.path, r.definition,
                       r.segments, r.respondents) for r in report.codebook])
    out += ["", "## Appendix B. Evidence table", ""]
    out += _md_table(["Guideline", "Code", "Respondents", "n"],
                     [(row.number + (" (counter)" if row.counter else ""), row.code,
                       ", ".join(row.respondents), len(row.respondents))
                      for row in report.evidence])
    out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------- HTML
_CSS = """
:root { --ink: #1b1b1b; --muted: #5f5f5f; --rule: #d9d9d9; --accent: #08519c; }
* { box-sizing: border-box; }
body { font: 11pt/1.5 Georgia, "Times New Roman", serif; color: var(--ink); margin: 0;
       background: #fff; }
main { max-width: 46rem; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
h1, h2, h3, h4 { font-family: Helvetica, Arial, sans-serif; line-height: 1.25; }
h1 { font-size: 2rem; margin: 0 0 1rem; }
h2 { font-size: 1.4rem; margin: 2.5rem 0 0.75rem; border-bottom: 2px solid var(--accent);
     padding-bottom: 0.25rem; }
h3 { font-size: 1.1rem; margin: 1.75rem 0 0.5rem; }
.title-page { padding: 3rem 0 2rem; }
.title-page .description { font-size: 1.15rem; }
.meta, .section-description, .support, figcaption, .generated { color: var(--muted); }
.meta { font: 0.85rem Helvetica, Arial, sans-serif; }
.badge { display: inline-block; border: 1px solid var(--rule); border-radius: 3px;
         padding: 0 0.35rem; margin-right: 0.35rem; }
.badge.high { border-color: #b30000; color: #b30000; }
.statement { font-size: 1.02rem; }
.support { font: 0.9rem Helvetica, Arial, sans-serif; }
blockquote { margin: 0.75rem 0; padding: 0.25rem 1rem; border-left: 3px solid var(--accent);
             background: #f5f8fc; }
blockquote p { margin: 0.25rem 0; font-style: italic; }
blockquote footer { font: 0.85rem Helvetica, Arial, sans-serif; color: var(--muted); }
.counter blockquote { border-left-color: #b35000; background: #fdf6f0; }
table { border-collapse: collapse; width: 100%; margin: 0.75rem 0;
        font: 0.85rem/1.35 Helvetica, Arial, sans-serif; }
th, td { border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top;
         padding: 0.3rem 0.4rem; }
th { border-bottom: 2px solid var(--ink); }
td.n { text-align: right; white-space: nowrap; }
.depth-1 td:first-child { padding-left: 1.2rem; }
.depth-2 td:first-child { padding-left: 2.4rem; }
.category td { font-weight: bold; }
figure { margin: 1.25rem 0; }
figure svg { max-width: 100%; height: auto; }
nav ul { list-style: none; padding-left: 0; margin: 0.2rem 0; }
nav ul ul { padding-left: 1.5rem; }
nav a { color: var(--accent); text-decoration: none; }
@page { size: A4; margin: 20mm 18mm; }
@media print {
  main { max-width: none; padding: 0; }
  .title-page { min-height: auto; height: 240mm; break-after: page; }
  h2 { break-before: page; break-after: avoid; }
  h3 { break-after: avoid; }
  article.guideline, blockquote, figure, tr { break-inside: avoid; }
  nav { break-after: page; }
  a { color: inherit; }
}
"""


def _markdown_html() -> Callable[[str], str]:
    from markdown_it import MarkdownIt

    engine = MarkdownIt("commonmark", {"html": False})
    return lambda text: engine.render(text) if text.strip() else ""


def _html_table(header: Sequence[str], rows: Iterable[tuple[Sequence[Any], str]],
                numeric: Sequence[int] = ()) -> str:
    out = ["<table>", "<thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in header)
           + "</tr></thead>", "<tbody>"]
    for cells, css in rows:
        tds = "".join(f'<td class="n">{escape(str(c))}</td>' if i in numeric
                      else f"<td>{escape(str(c))}</td>" for i, c in enumerate(cells))
        out.append(f'<tr class="{css}">{tds}</tr>' if css else f"<tr>{tds}</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def _html_quote(quote: Quote) -> str:
    return (f"<blockquote><p>“{escape(quote.text)}”</p>"
            f"<footer>— {escape(quote.attribution())}</footer></blockquote>")


def render_html(report: Report) -> str:
    md = _markdown_html()
    m = report.method
    body: list[str] = ['<section class="title-page">', f"<h1>{escape(report.title)}</h1>"]
    if report.description:
        body.append(f'<p class="description">{escape(report.description)}</p>')
    if report.research_questions:
        body.append("<h4>Research questions</h4><ol>"
                    + "".join(f"<li>{escape(q)}</li>" for q in report.research_questions)
                    + "</ol>")
    body.append(f'<p class="generated">Guidelines report, {escape(report.generated)}:'
                f" {escape(_status_line(report))}."
                + (" Respondents and names are pseudonymised." if report.pseudonymized else "")
                + "</p></section>")
    toc = ['<nav><h2 id="contents">Contents</h2><ul>',
           '<li><a href="#method">Method</a></li>']
    for section in report.sections:
        toc.append(f'<li><a href="#{section.anchor}">{section.number}'
                   f" {escape(section.title)}</a><ul>"
                   + "".join(f'<li><a href="#{g.anchor}">{escape(g.number)}'
                             f" {escape(g.title)}</a></li>" for g in section.guidelines)
                   + "</ul></li>")
    toc.append('<li><a href="#codebook">Appendix A. Codebook</a></li>'
               '<li><a href="#evidence">Appendix B. Evidence table</a></li></ul></nav>')
    body.extend(toc)
    body.append('<section id="method"><h2>Method</h2>')
    body.append("<p>" + escape(" ".join(_method_sentences(report))) + "</p>")
    if m.roles:
        body.append("<h4>Respondents by role</h4>")
        body.append(_html_table(["Role", "Respondents"],
                                (((t.label, t.count), "") for t in m.roles), numeric=[1]))
    if m.agencies:
        body.append(f"<h4>Respondents by {escape(m.agency_attribute)}</h4>")
        body.append(_html_table([m.agency_attribute.capitalize(), "Respondents"],
                                (((t.label, t.count), "") for t in m.agencies), numeric=[1]))
    figure = 0
    for data, draw in ((report.saturation, saturation_svg), (report.heatmap, heatmap_svg)):
        if data is None:
            continue
        figure += 1
        body.append(f"<figure>{draw(data)}<figcaption>Figure {figure}. {escape(data.title)}."
                    f" {escape(data.caption)}</figcaption></figure>")
    body.append("</section>")
    for section in report.sections:
        body.append(f'<section id="{section.anchor}"><h2>{section.number}'
                    f" {escape(section.title)}</h2>")
        if section.description:
            body.append(f'<p class="section-description">{escape(section.description)}</p>')
        if not section.guidelines:
            body.append("<p>No guideline in this section yet.</p>")
        for g in section.guidelines:
            badge = "badge high" if g.priority == "high" else "badge"
            body.append(f'<article class="guideline" id="{g.anchor}">'
                        f"<h3>{escape(g.number)} {escape(g.title)}</h3>")
            body.append(f'<p class="meta"><span class="{badge}">priority {escape(g.priority)}'
                        f'</span><span class="badge">{escape(g.status)}</span>'
                        + (f"author {escape(g.author)}" if g.author else "") + "</p>")
            if g.statement:
                body.append(f'<div class="statement">{md(g.statement)}</div>')
            if g.rationale:
                body.append(f'<h4>Rationale</h4><div class="rationale">{md(g.rationale)}</div>')
            if g.addresses:
                body.append(f"<p><strong>Addresses.</strong> {escape(_addresses(g))}</p>")
            body.append(f'<p class="support">{escape(_support_line(g.support))}.</p>')
            body.extend(_html_quote(q) for q in g.quotes)
            if g.counter_quotes:
                body.append(f'<div class="counter"><h4>{escape(_counter_line(g))}</h4>'
                            + "".join(_html_quote(q) for q in g.counter_quotes) + "</div>")
            body.append("</article>")
        body.append("</section>")
    body.append('<section id="codebook"><h2>Appendix A. Codebook</h2>')
    body.append(_html_table(
        ["Code", "Definition", "Segments", "Respondents"],
        (((r.name if r.depth else r.path, r.definition, r.segments, r.respondents),
          f"depth-{min(r.depth, 2)}" + ("" if r.codable else " category"))
         for r in report.codebook), numeric=[2, 3]))
    body.append("</section>")
    body.append('<section id="evidence"><h2>Appendix B. Evidence table</h2>'
                "<p>Which respondents' coded segments back each guideline, by code;"
                " counter-evidence is marked.</p>")
    body.append(_html_table(
        ["Guideline", "Code", "Respondents", "n"],
        (((row.number + (" (counter)" if row.counter else ""), row.code,
           ", ".join(row.respondents), len(row.respondents)), "counter" if row.counter else "")
         for row in report.evidence), numeric=[3]))
    body.append("</section>")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<meta name=\"generator\" content=\"qualtui\">\n<title>{escape(report.title)}"
            f"</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
            + "\n".join(body) + "\n</main>\n</body>\n</html>\n")


# --------------------------------------------------------------------------- DOCX
def _docx_markdown(document: Any, text: str) -> None:
    """Add Markdown ``text`` as paragraphs with real list styles and bold/italic runs."""
    from docx.shared import Pt
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark", {"html": False}).parse(text)
    lists: list[str] = []
    pending_style: str | None = None
    quote_depth = 0
    for token in tokens:
        if token.type in ("bullet_list_open", "ordered_list_open"):
            lists.append("List Bullet" if token.type == "bullet_list_open" else "List Number")
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "blockquote_open":
            quote_depth += 1
        elif token.type == "blockquote_close":
            quote_depth -= 1
        elif token.type == "heading_open":
            pending_style = "Heading 4"
        elif token.type in ("fence", "code_block"):
            paragraph = document.add_paragraph(style="No Spacing")
            run = paragraph.add_run(token.content.rstrip("\n"))
            run.font.name = "Courier New"
            run.font.size = Pt(9)
        elif token.type == "inline":
            style = pending_style
            if style is None and lists:
                depth = len(lists)
                style = lists[-1] + (f" {min(depth, 3)}" if depth > 1 else "")
            if style is None and quote_depth:
                style = "Quote"
            paragraph = document.add_paragraph(style=style)
            pending_style = None
            bold = italic = False
            for child in token.children or []:
                if child.type == "strong_open":
                    bold = True
                elif child.type == "strong_close":
                    bold = False
                elif child.type == "em_open":
                    italic = True
                elif child.type == "em_close":
                    italic = False
                elif child.type in ("text", "code_inline"):
                    run = paragraph.add_run(child.content)
                    run.bold = bold or None
                    run.italic = italic or None
                    if child.type == "code_inline":
                        run.font.name = "Courier New"
                elif child.type == "softbreak":
                    paragraph.add_run(" ")
                elif child.type == "hardbreak":
                    paragraph.add_run().add_break()


def _docx_table(document: Any, header: Sequence[str], rows: Iterable[Sequence[Any]],
                numeric: Sequence[int] = ()) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    table = document.add_table(rows=1, cols=len(header))
    table.style = document.styles["Light List Accent 1"]
    for cell, title in zip(table.rows[0].cells, header, strict=True):
        cell.text = title
    for values in rows:
        cells = table.add_row().cells
        for i, (cell, value) in enumerate(zip(cells, values, strict=True)):
            cell.text = str(value)
            if i in numeric:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return table


def _docx_quote(document: Any, quote: Quote) -> None:
    paragraph = document.add_paragraph(style="Quote")
    paragraph.add_run(f"“{quote.text}”")
    paragraph.add_run(f" — {quote.attribution()}").italic = False


def render_docx(report: Report) -> bytes:
    """The report as a .docx with Word's own Title, Heading, List, Quote and table styles."""
    from docx import Document
    from docx.enum.text import WD_BREAK

    document = Document()
    props = document.core_properties
    props.title = report.title
    props.subject = "Guidelines report"
    props.author = "qualtui"
    m = report.method
    document.add_paragraph(report.title, style="Title")
    if report.description:
        document.add_paragraph(report.description, style="Subtitle")
    if report.research_questions:
        document.add_paragraph().add_run("Research questions").bold = True
        for question in report.research_questions:
            document.add_paragraph(question, style="List Number")
    document.add_paragraph(f"Guidelines report, {report.generated}: {_status_line(report)}."
                           + (" Respondents and names are pseudonymised."
                              if report.pseudonymized else ""))
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    document.add_heading("Method", level=1)
    for sentence in _method_sentences(report):
        document.add_paragraph(sentence)
    if m.roles:
        document.add_heading("Respondents by role", level=3)
        _docx_table(document, ["Role", "Respondents"], [(t.label, t.count) for t in m.roles],
                    numeric=[1])
    if m.agencies:
        document.add_heading(f"Respondents by {m.agency_attribute}", level=3)
        _docx_table(document, [m.agency_attribute.capitalize(), "Respondents"],
                    [(t.label, t.count) for t in m.agencies], numeric=[1])
    if report.saturation is not None:
        s = report.saturation
        document.add_heading("Saturation", level=3)
        _docx_table(document, ["Interview", "New codes", "Codes so far"],
                    zip(s.labels, s.new, s.cumulative, strict=True), numeric=[1, 2])
        document.add_paragraph(s.caption, style="Caption")

    for section in report.sections:
        document.add_heading(f"{section.number} {section.title}", level=1)
        if section.description:
            document.add_paragraph().add_run(section.description).italic = True
        if not section.guidelines:
            document.add_paragraph("No guideline in this section yet.")
        for g in section.guidelines:
            document.add_heading(f"{g.number} {g.title}", level=2)
            meta = document.add_paragraph()
            meta.add_run(f"Priority: {g.priority}   Status: {g.status}"
                         + (f"   Author: {g.author}" if g.author else "")).italic = True
            if g.statement:
                _docx_markdown(document, g.statement)
            if g.rationale:
                lead = document.add_paragraph()
                lead.add_run("Rationale. ").bold = True
                _docx_markdown(document, g.rationale)
            if g.addresses:
                paragraph = document.add_paragraph()
                paragraph.add_run("Addresses. ").bold = True
                paragraph.add_run(_addresses(g))
            document.add_paragraph().add_run(_support_line(g.support) + ".").bold = True
            for quote in g.quotes:
                _docx_quote(document, quote)
            if g.counter_quotes:
                document.add_paragraph().add_run(_counter_line(g)).bold = True
                for quote in g.counter_quotes:
                    _docx_quote(document, quote)

    document.add_heading("Appendix A. Codebook", level=1)
    _docx_table(document, ["Code", "Definition", "Segments", "Respondents"],
                [(r.path, r.definition, r.segments, r.respondents) for r in report.codebook],
                numeric=[2, 3])
    document.add_heading("Appendix B. Evidence table", level=1)
    _docx_table(document, ["Guideline", "Code", "Respondents", "n"],
                [(row.number + (" (counter)" if row.counter else ""), row.code,
                  ", ".join(row.respondents), len(row.respondents)) for row in report.evidence],
                numeric=[3])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- writing
def format_for(output: Path, fmt: str | None) -> str:
    """``fmt`` if given, else from the output's extension (.md .markdown .html .htm .docx)."""
    if fmt:
        if fmt not in FORMATS:
            raise QualtuiError(f"unknown report format '{fmt}' (use {', '.join(FORMATS)})")
        return fmt
    suffix = output.suffix.lower().lstrip(".")
    found = {"md": "md", "markdown": "md", "html": "html", "htm": "html",
             "docx": "docx"}.get(suffix)
    if found is None:
        what = f"'.{suffix}'" if suffix else "a name without an extension"
        raise QualtuiError(f"{output}: cannot tell the format from {what}: end the name"
                           " with .html, .md or .docx (or use --format md|html|docx)")
    return found


def render(report: Report, fmt: str) -> bytes:
    if fmt == "md":
        return render_markdown(report).encode("utf-8")
    if fmt == "html":
        return render_html(report).encode("utf-8")
    if fmt == "docx":
        return render_docx(report)
    raise QualtuiError(f"unknown report format '{fmt}' (use {', '.join(FORMATS)})")


def write_report(project: Project, output: Path, fmt: str | None = None, *,
                 pseudonymize: bool = False, generated: str | None = None) -> Report:
    """Collect, render and write the report atomically; returns what was written."""
    from qualtui.store.storage import atomic_write_bytes

    kind = format_for(output, fmt)
    if output.is_dir():
        raise QualtuiError(f"{output} is a directory: give a file name")
    if not output.parent.exists():
        raise QualtuiError(f"{output.parent}: no such directory")
    report = collect(project, pseudonymize=pseudonymize, generated=generated)
    atomic_write_bytes(output, render(report, kind), 0o600)
    return report

