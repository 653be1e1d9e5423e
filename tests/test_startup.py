"""qualtui.startup: which command lines pause the garbage collector, and that it resumes."""

from __future__ import annotations

import gc
import subprocess
import sys

import click
import pytest

from qualtui import startup
from qualtui.cli import main


@pytest.mark.parametrize(("argv", "expected"), [
    (["qualtui", "open"], True),
    (["qualtui", "open", "sample_project", "--theme", "x"], True),
    (["qualtui", "-p", "open", "stats"], False),  # "open" is the project's name here
    (["qualtui", "--coder", "c1", "--debug", "open"], True),
    (["qualtui", "stats", "open"], False),
    (["qualtui", "--help"], False),
    (["qualtui"], False),
])
def test_only_the_open_command_pauses(argv: list[str], expected: bool) -> None:
    assert startup.is_open_command(argv) is expected


def test_the_value_options_are_the_groups() -> None:
    options = {name for param in main.params if isinstance(param, click.Option)
               and not param.is_flag for name in param.opts}
    assert options == startup.GROUP_VALUE_OPTIONS


def test_pause_then_resume_freezes_and_enables() -> None:
    code = ("import gc; from qualtui import startup; startup.pause_gc(); "
            "assert not gc.isenabled(); startup.resume_gc(); "
            "print(gc.isenabled(), gc.get_freeze_count() > 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["True", "True"]


def test_resume_does_nothing_when_not_paused() -> None:
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    startup.resume_gc()
    assert gc.isenabled() and gc.get_freeze_count() == frozen
