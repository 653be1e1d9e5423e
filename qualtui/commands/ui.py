"""``qualtui keys`` and ``qualtui themes``: the terminal UI's key bindings and themes.

``keys`` lists every binding id with its current keys (the user's ``keymap.yaml`` applied),
default keys, description and where it applies, and reports problems in ``keymap.yaml``.
``themes`` lists the shipped and user themes and reports theme files that cannot be used.
Both need Textual, which is imported inside the commands only (``qualtui --help`` and the
other commands never import it).
"""

from __future__ import annotations

import click

from qualtui.commands.common import echo_json


@click.command("keys")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def keys_cmd(as_json: bool) -> None:
    """List key bindings: id, current keys, description (keymap.yaml applied)."""
    from qualtui.tui.keymap import binding_catalog, check_keymap, keymap_path, load_keymap

    path = keymap_path()
    keymap, warnings = load_keymap(path)
    catalog = binding_catalog()
    warnings += check_keymap(keymap, catalog, str(path))
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    if as_json:
        echo_json([{"id": info.id, "keys": info.keys(keymap), "default": info.default,
                    "remapped": info.id in keymap, "description": info.description,
                    "kind": info.kind, "where": info.where}
                   for info in catalog if info.id])
        return
    rows = [info for info in catalog if info.id]
    id_width = max(len(info.id) for info in rows)
    key_width = min(24, max(len(info.keys(keymap)) for info in rows))
    click.echo(f"{'id':<{id_width}}  {'keys':<{key_width}}  description")
    for info in rows:
        mark = "*" if info.id in keymap else " "
        click.echo(f"{info.id:<{id_width}}  {info.keys(keymap):<{key_width}}{mark} "
                   f"{info.description}")
    click.echo(f"\n{len(rows)} bindings; * = remapped in {path}", err=True)


@click.command("themes")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def themes_cmd(as_json: bool) -> None:
    """List the qualtui themes (shipped and your own) and check theme files."""
    from qualtui.tui.themes import (
        DEFAULT_THEME,
        code_colors,
        load_themes,
        shipped_theme_dir,
        user_theme_dir,
    )

    loaded = load_themes((shipped_theme_dir(), user_theme_dir()))
    for warning in loaded.warnings:
        click.echo(f"warning: {warning}", err=True)
    rows = [{"name": name, "dark": theme.dark, "ansi": theme.ansi,
             "code_colors": code_colors(theme), "default": name == DEFAULT_THEME,
             "file": str(loaded.sources[name])}
            for name, theme in sorted(loaded.themes.items())]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        kind = "dark" if row["dark"] else "light"
        extra = " (default)" if row["default"] else ""
        click.echo(f"{row['name']:<24} {kind:<5}  codes: {row['code_colors']:<5}"
                   f"  {row['file']}{extra}")
    click.echo(f"\nyour themes go in {user_theme_dir()}; Textual's built-in themes are"
               " offered too (ctrl+p, Theme)", err=True)


def register(main: click.Group) -> None:
    main.add_command(keys_cmd)
    main.add_command(themes_cmd)
