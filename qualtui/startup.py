"""Start-up of ``qualtui open``: pause Python's cyclic garbage collector until the first paint.

Importing Textual and building the first screen allocates hundreds of thousands of objects
and almost no garbage cycles, yet the collector runs about 140 times on the way (about 45 ms
on a 2-core machine, a tenth of the start-up). ``qualtui open`` pauses it while it starts;
the app calls :func:`resume_gc` once the first screen is painted, which first moves the
start-up objects to the permanent generation (``gc.freeze()``) so that later collections
skip them too. Reference counting frees everything else as usual in the meantime.

This module must stay free of imports beyond the standard library: it runs before anything.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence

__all__ = ["GROUP_VALUE_OPTIONS", "is_open_command", "pause_gc", "resume_gc"]

_paused = False


# The ``qualtui`` group's options that take a value (tests/test_startup.py checks this
# against the click group, which cannot be imported here: it is what start-up waits for).
GROUP_VALUE_OPTIONS = frozenset({"-p", "--project", "--coder"})


def is_open_command(argv: Sequence[str]) -> bool:
    """Whether ``argv`` (``sys.argv``) runs ``qualtui open``: the first word that is not an
    option or an option's value is ``open``."""
    words = iter(argv[1:])
    for word in words:
        if word in GROUP_VALUE_OPTIONS:
            next(words, None)
        elif not word.startswith("-"):
            return word == "open"
    return False


def pause_gc() -> None:
    """Stop automatic collections until :func:`resume_gc` (idempotent)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_gc() -> None:
    """Freeze what start-up allocated and turn the collector back on, if we paused it."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
