"""``qualtui merge`` and ``qualtui agreement``: offline copies and inter-coder agreement.

Importing this module is cheap: the core and the analysis are imported inside the commands.
See ``docs/teamwork.md`` for the definitions of every figure and the JSON shapes.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

import click

from qualtui.commands.common import coder_option, echo_json, open_project_for, project_option

if TYPE_CHECKING:
    from qualtui.analysis.agreement import AgreementResult

UNIT_CHOICES = ("char", "sentence", "paragraph", "turn")


def register(main: click.Group) -> None:
    """Add ``merge`` and ``agreement`` to the ``qualtui`` command line."""
    main.add_command(merge)
    main.add_command(agreement)


# --------------------------------------------------------------------------- merge


@click.command()
@click.argument("other", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Report what would change; change nothing.")
@click.option("--prefer", type=click.Choice(("ours", "theirs")), default=None,
              help="Resolve conflicts for this side (default: the newer change wins).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@project_option
@coder_option
@click.pass_context
def merge(ctx: click.Context, other: Path, dry_run: bool, prefer: str | None, as_json: bool,
          project_path: Path | None, coder: str | None) -> None:
    """Merge OTHER (an offline copy of this project) into this project.

    Documents, codes, segments, memos, cases and the log are united by id; a record changed
    differently on both sides is a conflict resolved by rule (newest wins, or --prefer) and
    listed. One operation: 'qualtui undo' takes the whole merge back.
    """
    from qualtui.core.merge import merge_projects

    project = open_project_for(ctx, project_path, coder)
    report = merge_projects(project, other, prefer=prefer or "newest", dry_run=dry_run)
    if as_json:
        echo_json(report.as_json())
        return
    for line in report.lines():
        click.echo(line)
    if report.entry_seq is not None:
        click.echo(f"log entry {report.entry_seq}; 'qualtui undo' takes the merge back")


# --------------------------------------------------------------------------- agreement


def _fmt(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value * 100:.1f}%" if percent else f"{value:.3f}"


def _table(result: AgreementResult) -> str:
    coders = result.coders
    width = max([len("code"), *(len(c.label) for c in result.codes)])
    width = min(width, 44)
    columns = {c: max(6, len(c)) for c in coders}

    def line(label: str, units: str, coded: dict[str, str], agree: str, kappa: str,
             alpha: str) -> str:
        if len(label) > width:
            label = "…" + label[-(width - 1):]
        counts = "  ".join(f"{coded[c]:>{w}}" for c, w in columns.items())
        return (f"{label:<{width}}  {units:>7}  {counts}  {agree:>6}  {kappa:>6}"
                f"  {alpha:>6}")

    lines = [f"agreement of {', '.join(coders)}", result.describe(), "",
             line("code", "units", {c: c for c in coders}, "agree", "kappa", "alpha")]
    rows = [(c.label, c.figures) for c in result.codes]
    rows.append((f"overall ({len(result.codes)} codes)", result.overall))
    for label, f in rows:
        lines.append(line(label, str(f.units), {c: str(f.coded.get(c, 0)) for c in coders},
                          _fmt(f.agreement, True), _fmt(f.kappa), _fmt(f.alpha)))
    lines.append("")
    kappa = "Cohen's kappa" if len(coders) == 2 else "mean pairwise Cohen's kappa (Light)"
    lines.append(f"units: {result.unit_name}s per code; coder columns: {result.unit_name}s each"
                 f" coder coded; kappa: {kappa}; alpha: Krippendorff's nominal; overall:"
                 " pooled over codes (units = code x unit decisions); '-': undefined")
    for name, reason in result.skipped_documents:
        lines.append(f"skipped {name}: {reason}")
    return "\n".join(lines) + "\n"


def _csv(result: AgreementResult) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "code_id", "unit", "denominator", "units",
                     *[f"coded_by_{c}" for c in result.coders], "agreement", "kappa",
                     "alpha"])

    def cell(value: float | None) -> str:
        return "" if value is None else f"{value:.6f}"

    rows = [(c.label, c.code, c.figures) for c in result.codes]
    rows.append(("(overall)", "", result.overall))
    for label, code_id, f in rows:
        writer.writerow([label, code_id, result.unit, result.denominator, f.units,
                         *[f.coded.get(c, 0) for c in result.coders], cell(f.agreement),
                         cell(f.kappa), cell(f.alpha)])
    return out.getvalue()


@click.command()
@click.option("--coders", "coders_opt", multiple=True, metavar="A B [C...]",
              help="The coders to compare: --coders A B (or A,B).")
@click.argument("more_coders", nargs=-1, metavar="")
@click.option("--unit", type=click.Choice(UNIT_CHOICES), default="char", show_default=True,
              help="Count characters (as NVivo) or sentences, paragraphs or speaker turns"
                   " (a unit is coded when any part of it is).")
@click.option("--code", "code_paths", multiple=True, metavar="PATH",
              help="Only this code and its sub-codes (repeatable; default: every code the"
                   " coders used).")
@click.option("--doc", "doc_names", multiple=True, metavar="NAME",
              help="Only this document (repeatable; default: documents every coder coded).")
@click.option("--exclude-uncoded", is_flag=True,
              help="Leave out text none of the coders coded (default: every unit counts).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (one row per code, overall last).")
@project_option
@click.pass_context
def agreement(ctx: click.Context, coders_opt: tuple[str, ...], more_coders: tuple[str, ...],
              unit: str, code_paths: tuple[str, ...], doc_names: tuple[str, ...],
              exclude_uncoded: bool, as_json: bool, as_csv: bool,
              project_path: Path | None) -> None:
    """Inter-coder agreement: percent agreement, Cohen's kappa, Krippendorff's alpha.

    Per code and overall, at character level or per sentence, paragraph or speaker turn.
    Every output names the unit and the denominator used.
    """
    from qualtui.analysis.team import agreement_inputs, run_agreement

    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    coders = [c.strip() for value in (*coders_opt, *more_coders) for c in value.split(",")
              if c.strip()]
    if len(coders) < 2:
        raise click.UsageError("name at least two coders: --coders A B")
    project = open_project_for(ctx, project_path)
    inputs = agreement_inputs(project, coders, unit, code_paths, doc_names)
    result = run_agreement(inputs, exclude_uncoded).result
    if as_json:
        echo_json(result.as_json())
    elif as_csv:
        click.echo(_csv(result), nl=False)
    else:
        click.echo(_table(result), nl=False)
