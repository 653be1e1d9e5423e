"""Click command groups that live outside ``qualtui/cli.py``, one module per area.

Each module defines click commands and a ``register(main)`` function; importing it must be
cheap (import heavy modules inside the command functions).
"""

EXTENSION_MODULES = (
    "qualtui.commands.analysis",
    "qualtui.commands.exchange",
    "qualtui.commands.memos",
    "qualtui.commands.guidelines",
    "qualtui.commands.team",
    "qualtui.commands.retrieval",
    "qualtui.commands.ui",
)
