"""The code hierarchy as parent links: a children index and the codes below a code.

Every layer that walks the codebook tree (codebook operations, queries, analyses,
guidelines, the coding screen) uses these two functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

__all__ = ["children_index", "descendants"]


def children_index(pairs: Iterable[tuple[str, str | None]]) -> dict[str | None, list[str]]:
    """``{parent_id: [child ids in the given order]}`` from ``(code_id, parent_id)`` pairs;
    top-level codes are under ``None``."""
    children: dict[str | None, list[str]] = {}
    for code_id, parent_id in pairs:
        children.setdefault(parent_id, []).append(code_id)
    return children


def descendants(children: Mapping[str | None, Sequence[str]], code_id: str) -> list[str]:
    """Ids of every code below ``code_id``, each after its parent; ``code_id`` itself is not
    included, and a cycle (damaged data) ends the walk instead of looping."""
    out: list[str] = []
    seen = {code_id}
    stack = [code_id]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in seen:
                seen.add(child)
                out.append(child)
                stack.append(child)
    return out
