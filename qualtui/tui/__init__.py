"""The Textual terminal UI (``qualtui open``): :mod:`qualtui.tui.app` builds the app, the
screens live in :mod:`qualtui.tui.screens` (one registry of modes), the widgets in
:mod:`qualtui.tui.widgets`. Nothing outside this package imports Textual."""
