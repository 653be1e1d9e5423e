"""qualtui's own XDG directories match platformdirs' on this platform."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs
import pytest

from qualtui.core.userdirs import user_dir

FINDERS = {"config": platformdirs.user_config_dir, "state": platformdirs.user_state_dir,
           "cache": platformdirs.user_cache_dir}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG directories")
@pytest.mark.parametrize("kind", list(FINDERS))
@pytest.mark.parametrize("value", [None, "", "   ", "/srv/xdg"])
def test_matches_platformdirs(kind: str, value: str | None, monkeypatch: pytest.MonkeyPatch,
                              tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    variable = {"config": "XDG_CONFIG_HOME", "state": "XDG_STATE_HOME",
                "cache": "XDG_CACHE_HOME"}[kind]
    if value is None:
        monkeypatch.delenv(variable, raising=False)
    else:
        monkeypatch.setenv(variable, value)
    assert user_dir(kind) == Path(FINDERS[kind]("qualtui", appauthor=False))  # type: ignore[arg-type]
