"""The command line never imports Textual, except ``qualtui open``, ``keys`` and ``themes``
(inside those commands)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

COMMANDS = [
    ["--help"], ["stats", "--json"], ["documents", "--json"], ["segments", "--json"],
    ["codes"], ["codebook", "export"], ["log", "--limit", "3"], ["frequencies"], ["cooccur"],
    ["matrix"], ["saturation"], ["agreement", "--coders", "coder1", "coder2"],
    ["query", "Benefits"], ["search", "Facebook"], ["memos", "list"], ["guidelines", "list"],
    ["pseudonyms", "list"], ["doctor"], ["keys", "--help"], ["themes", "--help"],
]

SCRIPT = """
import json, sys
from qualtui.cli import main
root, commands = sys.argv[1], json.loads(sys.argv[2])
codes = []
for args in commands:
    try:
        main(["-p", root, *args] if args[0] != "--help" else args)
    except SystemExit as exit:
        codes.append(exit.code or 0)
loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
print(json.dumps({"codes": codes, "textual": loaded}), file=sys.stderr)
"""


def test_cli_commands_do_not_import_textual(sample_root: Path, tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(sample_root),
                             json.dumps(COMMANDS)], capture_output=True, text=True,
                            cwd=tmp_path, timeout=120)
    report = json.loads(result.stderr.strip().splitlines()[-1])
    assert report["codes"] == [0] * len(COMMANDS), (report, result.stderr[-2000:])
    assert report["textual"] == []
