"""Curating themes: checks before an analyst's rename, merge or pin is recorded (the store applies it)."""

from __future__ import annotations

import json

from voc.errors import VocError
from voc.store import Store

ACTIONS = ("rename", "merge", "pin", "unpin", "split")
MIN_SPLIT = 4  # members a theme needs in the month it is split: two per half at least


def audit_detail(theme_id: int, action: str, value: str | None) -> str:
    """What the audit log keeps of a curation, the same from the CLI and the dashboard."""
    return json.dumps({"theme_id": theme_id, "action": action, "value": value}, ensure_ascii=False)


def curate(store: Store, theme_id: int, action: str, value: str | None, actor: str) -> int:
    """Record one curation after checking it names real, live themes; a clear error otherwise, nothing written."""
    if action not in ACTIONS:
        raise VocError(f"unknown curation {action!r}: one of {', '.join(ACTIONS)}")
    themes = {t["theme_id"]: t for t in store.themes.list_themes()}
    merged = store.curations.curated_state()["merges"]
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
    if action == "split":
        value = _check_split(store, theme_id, themes[theme_id])
    return store.curations.add_curation(theme_id, action, value, actor)


def _check_split(store: Store, theme_id: int, theme: dict) -> str:
    """The month the split applies to: the latest tracked one, which the tracker then replays with it."""
    done = store.themes.theme_months_done()
    if len(done) < 2:
        raise VocError("splitting needs at least two tracked months (the first month's themes come from one fit)")
    if theme.get("kind") == "generic":
        raise VocError("the 泛泛抱怨 bucket cannot be split")
    month = done[-1]
    members = len(store.themes.theme_record_ids(theme_id, month))
    if members < MIN_SPLIT:
        raise VocError(f"theme {theme_id} has {members} records in {month}: at least {MIN_SPLIT} are needed to split")
    return month
