"""Curating themes: checks before an analyst's rename, merge or pin is recorded (the store applies it)."""

from __future__ import annotations

from voc.errors import VocError
from voc.store import Store

ACTIONS = ("rename", "merge", "pin", "unpin")


def curate(store: Store, theme_id: int, action: str, value: str | None, actor: str) -> int:
    """Record one curation after checking it names real, live themes; a clear error otherwise, nothing written."""
    if action not in ACTIONS:
        raise VocError(f"unknown curation {action!r}: one of {', '.join(ACTIONS)}")
    themes = {t["theme_id"]: t for t in store.list_themes()}
    merged = store.curated_state()["merges"]
    if theme_id not in themes or theme_id in merged:
        raise VocError(f"no live theme with id {theme_id}: see `voc themes`")
    if action == "rename":
        value = (value or "").strip()
        if not value:
            raise VocError("a theme's new name cannot be empty")
    if action == "pin":
        value = themes[theme_id]["label"]  # the name it keeps
    if action == "merge":
        into = int(value or -1)
        if into == theme_id or into not in themes or into in merged:
            raise VocError(f"cannot merge theme {theme_id} into {into}: pick another live theme (see `voc themes`)")
        if themes[theme_id].get("kind") == "generic" or themes[into].get("kind") == "generic":
            raise VocError("the 泛泛抱怨 bucket cannot be merged")
    return store.add_curation(theme_id, action, value, actor)
