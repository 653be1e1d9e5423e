"""qualtui: a keyboard-driven terminal workbench for qualitative data analysis.

Layers (one direction only): ``core`` (domain model and services), ``store`` (TinyDB
persistence), ``io`` (importers/exporters), ``analysis``, ``tui`` (Textual), ``cli``.
Nothing here imports Textual; only ``qualtui.tui`` does.
"""

__version__ = "0.1.0"
