"""The registry of the app's top-level screens (Textual modes).

Each :class:`ScreenSpec` becomes a mode of :class:`~qualtui.tui.app.QualtuiApp`: the screen
class is imported only when the user first goes there, so start-up stays fast. To add a screen
(memos, co-occurrence, guideline drafting, codebook, retrieval...), write a ``Screen`` subclass
in its own module under ``qualtui/tui/screens/`` that takes no constructor arguments and
reaches the project through ``self.app.project``, then add one ``ScreenSpec`` line below.
The app then offers it in the "Go to screen" palette (``ctrl+g``) and binds its ``key``
(a Binding with id ``goto.<mode>``, remappable like every other key); the help screen lists it.

Keys F3-F9 are reserved for these direct "go to" keys (F1 is help, F2 the codebook panel).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.screen import Screen

__all__ = ["SCREENS", "ScreenSpec", "screen_factory"]


@dataclass(frozen=True)
class ScreenSpec:
    """A top-level screen: ``mode`` name, ``title`` for menus, direct ``key``, and the
    ``factory`` as ``"module:Class"``."""

    mode: str
    title: str
    key: str
    factory: str
    description: str = ""


SCREENS: tuple[ScreenSpec, ...] = (
    ScreenSpec("coding", "Coding", "f3", "qualtui.tui.screens.coding:CodingScreen",
               "Read a transcript and code it"),
    ScreenSpec("guidelines", "Guidelines", "f8", "qualtui.tui.screens.guidelines:GuidelinesScreen", "Draft evidence-backed guidelines"),  # noqa: E501
    ScreenSpec("codebook", "Codebook", "f4", "qualtui.tui.screens.codebook:CodebookScreen", "Edit codes, definitions, colours"),  # noqa: E501
    ScreenSpec("retrieval", "Retrieval", "f5", "qualtui.tui.screens.retrieval:RetrievalScreen", "Coded passages, queries and text search"),  # noqa: E501
    ScreenSpec("cases", "Cases", "", "qualtui.tui.screens.cases:CasesScreen", "Cases and attributes"),  # noqa: E501
    ScreenSpec("memos", "Memos", "f6", "qualtui.tui.screens.memos:MemosScreen",
               "Write and read memos and the journal"),
    ScreenSpec("agreement", "Agreement", "f9", "qualtui.tui.screens.agreement:AgreementScreen", "Inter-coder agreement and disagreement review"),  # noqa: E501
    ScreenSpec("cooccurrence", "Co-occurrence", "f7",
               "qualtui.tui.screens.cooccurrence:CooccurrenceScreen",
               "Code co-occurrence heatmap with drill-down"),
    ScreenSpec("matrix", "Matrix", "", "qualtui.tui.screens.matrix:MatrixScreen",
               "Code by document / attribute crosstabs"),
    ScreenSpec("saturation", "Saturation", "", "qualtui.tui.screens.saturation:SaturationScreen",
               "New codes per interview and the saturation point"),
    ScreenSpec("pseudonyms", "Pseudonyms", "", "qualtui.tui.screens.pseudonyms:PseudonymsScreen",
               "Pseudonyms and redactions for exports"),
    ScreenSpec("log", "Audit log", "", "qualtui.tui.screens.audit:AuditLogScreen", "Who changed what, when"),  # noqa: E501
)


def screen_factory(spec: ScreenSpec) -> Callable[[], Screen[object]]:
    """A zero-argument callable importing and building the spec's screen on first use."""

    def build() -> Screen[object]:
        module_name, _, class_name = spec.factory.partition(":")
        cls = getattr(importlib.import_module(module_name), class_name)
        screen: Screen[object] = cls()
        _skip_first_css_refresh(screen)
        return screen

    return build


def _skip_first_css_refresh(screen: Screen[object]) -> None:
    """Textual refreshes all CSS when it first shows a mode's screen whose CSS counter
    differs from the app's, and a new screen's counter starts at -1, so the first screen
    costs two extra parses of every stylesheet (about 20 ms of the start-up). Until the
    theme has ever changed (the app's counter is still 0) the stylesheet already carries
    the theme's variables (``QualtuiApp._set_initial_theme``) and the refresh changes
    nothing; after a change, Textual's own rule applies."""
    try:
        app_count = screen.app._css_update_count
    except Exception:  # noqa: BLE001 - no running app, or Textual changed its internals
        return
    if app_count == 0 and getattr(screen, "_css_update_count", None) == -1:
        screen._css_update_count = 0
