"""Helpers shared by every CLI command module: options, opening the project, output."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from qualtui.core.project import Project

DEBUG_ENV = "QUALTUI_DEBUG"


def project_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "-p", "--project", "project_path", type=click.Path(path_type=Path), default=None,
        help="Project directory (default: nearest directory upward holding qualtui.yaml).",
    )(func)


def coder_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--coder", default=None,
                        help="Coder id (default: QUALTUI_CODER, qualtui.yaml, else $USER).")(func)


def open_project_for(ctx: click.Context, project_path: Path | None,
                     coder: str | None = None, *, announce: bool = True) -> Project:
    """Open the project named by -p (command or group level), closed when the command ends.
    Its notices (e.g. modes made private) go to stderr unless ``announce`` is false."""
    from qualtui.store.project import open_project

    root_opts = ctx.find_root().params
    path = project_path or root_opts.get("project_path")
    project = open_project(path, coder=coder or root_opts.get("coder"))
    ctx.call_on_close(project.close)
    if announce:
        for notice in project.notices:
            click.echo(f"qualtui: {notice}", err=True)
    return project


def echo_json(data: Any) -> None:
    import orjson

    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")


def write_output(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    from qualtui.store.storage import atomic_write_bytes

    atomic_write_bytes(output, text.encode("utf-8"), 0o600)
    click.echo(f"wrote {output}", err=True)


@contextmanager
def progress(description: str, total: int) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on a terminal; silent when stderr is not a terminal."""
    if total < 2 or not sys.stderr.isatty() or os.environ.get("CI"):
        yield lambda advance=1: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda advance=1: progress.advance(task, advance)
