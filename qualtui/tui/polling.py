"""Picking up what other processes wrote: the one helper every screen's refresh timer calls.

Any screen may be the one that notices another process's commit and re-reads the project;
the others must still see that something changed. So screens do not test "changed on disk"
themselves: they compare the project's version (its operation counter, ``next_seq``, which
every logged change advances) with the version they last showed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualtui.core.errors import QualtuiError

if TYPE_CHECKING:
    from textual.screen import Screen

    from qualtui.core.project import Project

__all__ = ["project_version", "pull_changes", "pulled_newer"]


def project_version(project: Project) -> int:
    """A number that grows with every change to the project, from any process."""
    return int(project.repo.get_meta("next_seq", 1) or 1)


def pull_changes(screen: Screen[object]) -> int | None:
    """Re-read the project if another process committed, and return its version; None
    when it cannot be read (the screen then shows a notification saying why)."""
    project: Project = screen.app.project  # type: ignore[attr-defined]
    try:
        if project.changed_on_disk():
            project.refresh()
    except QualtuiError as exc:
        screen.notify(str(exc), severity="error", timeout=8)
        return None
    except OSError as exc:
        screen.notify(f"cannot read the project: {exc.strerror or exc}", severity="error",
                      timeout=8)
        return None
    return project_version(project)


def pulled_newer(screen: Screen[object]) -> bool:
    """:func:`pull_changes`, then whether the version is newer than the one this screen saw
    last (kept on it as ``_seen_version``; the first call only notes it, and the first good
    read after a failed one counts as newer)."""
    version = pull_changes(screen)
    seen = getattr(screen, "_seen_version", version)
    screen._seen_version = version  # type: ignore[attr-defined]
    return version is not None and version != seen  # after a failed read: reload on the next
