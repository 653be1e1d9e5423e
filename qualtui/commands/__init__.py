"""Click commands that live outside ``qualtui/cli.py``, one module per area.

Each module defines click commands and a ``register(main)`` function. They are imported
only when one of their commands runs (or for ``--help``), so ``qualtui open`` and the core
commands start without them. :data:`COMMAND_MODULES` says which module provides which
top-level command; the ``codebook`` and ``attributes`` groups are defined in ``cli.py`` and
extended by :data:`GROUP_EXTENSIONS`. A test checks these maps against what the modules
register.
"""

_ANALYSIS = "qualtui.commands.analysis"
_EXCHANGE = "qualtui.commands.exchange"
_GUIDELINES = "qualtui.commands.guidelines"
_MEMOS = "qualtui.commands.memos"
_RETRIEVAL = "qualtui.commands.retrieval"
_TEAM = "qualtui.commands.team"
_UI = "qualtui.commands.ui"

EXTENSION_MODULES = (_ANALYSIS, _EXCHANGE, _MEMOS, _GUIDELINES, _TEAM, _RETRIEVAL, _UI)

COMMAND_MODULES: dict[str, str] = {
    "cooccur": _ANALYSIS, "matrix": _ANALYSIS, "frequencies": _ANALYSIS,
    "saturation": _ANALYSIS,
    "export": _EXCHANGE, "import-qdpx": _EXCHANGE, "import-qdc": _EXCHANGE,
    "pseudonyms": _EXCHANGE,
    "memos": _MEMOS,
    "report": _GUIDELINES, "guidelines": _GUIDELINES,
    "merge": _TEAM, "agreement": _TEAM,
    "query": _RETRIEVAL, "search": _RETRIEVAL, "autocode": _RETRIEVAL, "codes": _RETRIEVAL,
    "keys": _UI, "themes": _UI,
}

GROUP_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "codebook": (_RETRIEVAL,),
    "attributes": (_RETRIEVAL,),
}
